"""How a posted change's outcome reaches the user: one message, never an exception."""

from __future__ import annotations

from typing import Any

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.core.exceptions import ValidationError
from django.test import RequestFactory

from mentora.core.confirm import run_confirmed
from mentora.core.messages import attempt, submit, valid
from mentora.core.submissions import AlreadySubmitted


class CountForm(forms.Form):
    count = forms.IntegerField(min_value=1, max_value=9)


def _request(data: dict[str, str] | None = None) -> Any:
    request = RequestFactory().post("/", data or {})
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def _said(request: Any) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in get_messages(request)]


def test_a_service_that_runs_reports_success_and_gets_its_arguments() -> None:
    calls: list[dict[str, Any]] = []
    request = _request()
    assert attempt(request, lambda **kw: calls.append(kw), success="Saved.", pair=7)
    assert calls == [{"pair": 7}]
    assert _said(request) == [("success", "Saved.")]


def test_a_refusal_becomes_one_error_message_and_no_success() -> None:
    def refuse(**_kw: Any) -> None:
        raise ValidationError(["Not now.", "The round is closed."])

    request = _request()
    assert not attempt(request, refuse, success="Saved.")
    assert _said(request) == [("error", "Not now. The round is closed.")]


def test_a_repeated_submission_is_told_apart_from_a_refusal() -> None:
    def again(**_kw: Any) -> None:
        raise AlreadySubmitted

    request = _request()
    assert not attempt(request, again, success="Saved.")
    [(level, text)] = _said(request)
    assert level != "success"
    assert "already" in text.lower()


def test_other_errors_are_not_swallowed() -> None:
    def broken(**_kw: Any) -> None:
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        attempt(_request(), broken)


def test_submit_passes_the_cleaned_data_and_stops_at_an_invalid_form() -> None:
    calls: list[dict[str, Any]] = []
    request = _request()
    assert submit(request, CountForm({"count": "3"}), lambda **kw: calls.append(kw), pair=1)
    assert calls == [{"pair": 1, "count": 3}]

    request = _request()
    assert not submit(request, CountForm({"count": "²"}), lambda **kw: calls.append(kw))
    assert len(calls) == 1
    [(level, _text)] = _said(request)
    assert level == "error"


def test_valid_shows_each_problem_of_an_invalid_form() -> None:
    request = _request()
    assert valid(request, CountForm({"count": "3"}))
    assert _said(request) == []
    assert not valid(request, CountForm({}))
    [(level, _text)] = _said(request)
    assert level == "error"


def test_run_confirmed_runs_nothing_without_the_tick() -> None:
    calls: list[dict[str, Any]] = []
    request = _request()
    assert not run_confirmed(request, lambda **kw: calls.append(kw), success="Saved.", pair=1)
    assert calls == []
    [(level, _text)] = _said(request)
    assert level == "error"


def test_run_confirmed_attempts_or_submits_once_ticked() -> None:
    calls: list[dict[str, Any]] = []
    request = _request({"confirm": "on"})
    assert run_confirmed(request, lambda **kw: calls.append(kw), success="Saved.", pair=1)
    assert run_confirmed(
        request, lambda **kw: calls.append(kw), form=CountForm({"count": "3"}), pair=2
    )
    assert calls == [{"pair": 1}, {"pair": 2, "count": 3}]
    assert _said(request) == [("success", "Saved.")]
