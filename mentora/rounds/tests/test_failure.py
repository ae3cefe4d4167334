"""A round that goes wrong ends as failed with a reason; it never keeps "running"."""

from __future__ import annotations

import gc
import logging
from typing import Any

import pytest
from django.urls import reverse

from mentora.matching import ProblemError
from mentora.rounds.models import RoundStatus
from mentora.rounds.services import rounds
from mentora.rounds.tasks import run_round

# What an error might quote from a participant's answers.
PRIVATE = "I want to leave my manager"


@pytest.fixture
def broken_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: Any, **kwargs: Any) -> Any:
        raise KeyError(PRIVATE)

    monkeypatch.setattr(rounds, "_run_engine", explode)


def test_an_unexpected_error_fails_the_round_with_a_plain_reason(
    client_for: Any, cohort: Any, broken_engine: None, caplog: pytest.LogCaptureFixture
) -> None:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    with caplog.at_level(logging.ERROR, logger="mentora.rounds"):
        assert run_round.call(matching_round.pk) == RoundStatus.FAILED
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.FAILED
    assert matching_round.finished_at is not None
    assert not matching_round.proposals.exists()
    # Where it failed goes to the log, for whoever runs the installation; not what it said.
    assert "KeyError" in caplog.text and "explode" in caplog.text
    assert PRIVATE not in caplog.text
    client = client_for(cohort.personas.manager)
    page = client.get(reverse("round_detail", args=[matching_round.pk])).content.decode()
    assert "Failed" in page
    assert "Something went wrong while matching" in page
    assert PRIVATE not in page
    assert "round-progress" not in page and "every 1s" not in page
    poll = client.get(
        reverse("round_detail", args=[matching_round.pk]),
        {"progress": "1"},
        headers={"HX-Request": "true"},
    )
    assert poll.headers.get("HX-Refresh") == "true"


def test_a_failure_while_storing_the_proposals_fails_the_round(
    cohort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail_to_store(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rounds, "_store", fail_to_store)
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    rounds.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.FAILED
    assert not matching_round.proposals.exists()


def test_garbage_collection_waits_while_a_round_runs_and_resumes_even_when_it_fails(
    cohort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[bool] = []
    run_engine = rounds._run_engine

    def engine(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return run_engine(*args, **kwargs)

    monkeypatch.setattr(rounds, "_run_engine", engine)
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    assert rounds.round_run(round_id=matching_round.pk).status == RoundStatus.DONE
    assert seen == [False] and gc.isenabled()

    def fail_to_store(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(rounds, "_store", fail_to_store)
    again = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    assert rounds.round_run(round_id=again.pk).status == RoundStatus.FAILED
    assert seen == [False, False] and gc.isenabled()


def test_the_engines_own_refusal_is_shown_as_its_reason(
    client_for: Any, cohort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise ProblemError("fairness bounds no assignment meets")

    monkeypatch.setattr(rounds, "_run_engine", refuse)
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    rounds.round_run(round_id=matching_round.pk)
    page = (
        client_for(cohort.personas.manager)
        .get(reverse("round_detail", args=[matching_round.pk]))
        .content.decode()
    )
    assert "The matching could not be completed" in page
    assert "fairness bounds no assignment meets" in page


def test_a_result_that_breaks_a_rule_is_refused_while_its_proposals_are_written(
    cohort: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rounds, "count_violations", lambda **kwargs: 1)
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    rounds.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.FAILED
    assert "1 rule violation" in matching_round.error
    assert not matching_round.proposals.exists()
    assert not matching_round.unmatched.exists()
