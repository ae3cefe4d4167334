"""Matching by hand in a round's review: the page lists only the round's unmatched, and
anyone else on either side is found by name, with the people picker or without it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS
from mentora.rounds import views_review
from mentora.rounds.hand import hand_candidates
from mentora.rounds.models import MatchingRound
from mentora.rounds.tests.conftest import Cohort, run_round


@pytest.fixture
def done(cohort: Cohort) -> MatchingRound:
    return run_round(cohort)


def options(page: str, select_id: str) -> list[str]:
    select = page.split(f'id="{select_id}"')[1].split("</select>")[0]
    return re.findall(r'<option value="([0-9]+)">', select)


def free_mentor(cohort: Cohort, matching_round: MatchingRound) -> Any:
    taken = set(matching_round.proposals.values_list("mentor_id", flat=True))
    return next(m for m in (cohort.mo, cohort.tina, cohort.bo) if m.pk not in taken)


def test_the_page_lists_only_the_unmatched_and_hands_the_rest_to_the_picker(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    done.proposals.filter(mentee=cohort.eva).delete()
    done.unmatched.create(participant=cohort.eva, reason_code="removed", reason="")
    page = client_for(cohort.personas.manager).get(reverse("round_detail", args=[done.pk]))
    html = page.content.decode()
    assert options(html, "hand-mentee") == [str(cohort.eva.pk)]
    # Jo's mentor has a mentee proposed; only the two mentors given no one are listed.
    jos_mentor = done.proposals.get(mentee=cohort.junior).mentor_id
    mentors = {m.pk for m in (cohort.mo, cohort.tina, cohort.bo)} - {jos_mentor}
    assert sorted(options(html, "hand-mentor")) == sorted(str(pk) for pk in mentors)
    search = reverse("round_mentee_search", args=[done.pk])
    assert f'data-picker="search" data-picker-url="{search}"' in html
    # Without JavaScript, a search box that submits finds anyone else.
    assert "<noscript>" in html and 'name="mentee_q"' in html


def test_a_search_without_javascript_lists_those_whose_names_begin_with_it(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    page = client_for(cohort.personas.manager).get(
        reverse("round_detail", args=[done.pk]), {"mentee_q": "jo", "mentor_q": "tin"}
    )
    html = page.content.decode()
    assert options(html, "hand-mentee") == [str(cohort.junior.pk)]
    assert options(html, "hand-mentor") == [str(cohort.tina.pk)]
    assert "whose names begin with what you searched for" in html


def test_a_search_too_long_is_named_and_the_unmatched_are_listed(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    page = client_for(cohort.personas.manager).get(
        reverse("round_detail", args=[done.pk]), {"mentee_q": "x" * 101}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-invalid="true"' in html
    assert options(html, "hand-mentee") == []


def test_the_lists_hold_no_more_than_their_limit(
    client_for: Any, cohort: Cohort, done: MatchingRound, monkeypatch: pytest.MonkeyPatch
) -> None:
    done.proposals.all().delete()
    for mentee in (cohort.junior, cohort.eva):
        done.unmatched.create(participant=mentee, reason_code="removed", reason="")
    assert hand_candidates(done, role="mentee").count() == 2
    monkeypatch.setattr(views_review, "HAND_OPTIONS", 1)
    page = client_for(cohort.personas.manager).get(reverse("round_detail", args=[done.pk]))
    assert len(options(page.content.decode(), "hand-mentee")) == 1


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_search_its_participants(
    client_for: Any, cohort: Cohort, done: MatchingRound, who: str
) -> None:
    response = client_for(getattr(cohort.personas, who)).get(
        reverse("round_mentor_search", args=[done.pk]), {"q": "Mo"}
    )
    assert response.status_code == MANAGERS_ONLY[who]
    if response.status_code == 200:
        results = response.json()["results"]
        assert [r["id"] for r in results] == [cohort.mo.pk]
        assert results[0]["name"] == "Mo Mentor"


def test_the_search_finds_a_matched_mentee_too_and_never_the_other_side(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)
    url = reverse("round_mentee_search", args=[done.pk])
    found = client.get(url, {"q": "Eva"}).json()
    assert [r["id"] for r in found["results"]] == [cohort.eva.pk]
    assert client.get(url, {"q": "Mo"}).json()["results"] == []
    assert client.get(url, {"q": " "}).json() == {"results": [], "more": False}
    refused = client.get(url, {"q": "x" * 101})
    assert refused.status_code == 400 and "error" in refused.json()


def test_a_pair_found_by_search_is_matched_by_hand(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    mentor = free_mentor(cohort, done)
    response = client_for(cohort.personas.manager).post(
        reverse("round_assign", args=[done.pk]), {"mentee": cohort.eva.pk, "mentor": mentor.pk}
    )
    assert response.status_code == 302
    proposal = done.proposals.get(mentee=cohort.eva)
    assert (proposal.mentor_id, proposal.manual) == (mentor.pk, True)
