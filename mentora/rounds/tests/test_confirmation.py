"""Every action in matching that cannot be undone asks "I understand" first, on the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.urls import reverse

from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.rounds.services import choices, proposals, rounds
from mentora.rounds.tests.conftest import run_round

NOT_CONFIRMED = "Nothing was changed: tick"


def run(cohort: Any, mode: str = "manager_publishes") -> MatchingRound:
    return run_round(cohort, mode)


def status(matching_round: MatchingRound) -> str:
    return MatchingRound.objects.get(pk=matching_round.pk).status


def publish(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = run(cohort)
    return reverse("round_publish", args=[r.pk]), lambda: (status(r), Pair.objects.count())


def introduce(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = run(cohort, "mutual_opt_in")
    return reverse("round_introduce", args=[r.pk]), lambda: (status(r), r.introductions.count())


def open_choosing(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = run(cohort, "mentee_chooses")
    return reverse("round_open_choosing", args=[r.pk]), lambda: status(r)


def settle(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=r, actor=cohort.personas.manager)
    return reverse("round_resolve", args=[r.pk]), lambda: (status(r), r.proposals.count())


def cancel(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    return reverse(
        "round_cancel", args=[r.pk]
    ), lambda: MatchingRound.objects.get(pk=r.pk).cancel_requested


def remove(cohort: Any) -> tuple[str, Callable[[], Any]]:
    r = run(cohort)
    proposal = r.proposals.get(mentee=cohort.eva)
    return reverse("proposal_remove", args=[r.pk, proposal.pk]), lambda: r.proposals.count()


def end_pair(cohort: Any) -> tuple[str, Callable[[], Any]]:
    pairs = proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    pair = pairs[0]
    return reverse("pair_end", args=[pair.pk]), lambda: Pair.objects.get(pk=pair.pk).is_active


ACTIONS = {
    "publish": publish,
    "introduce": introduce,
    "open_choosing": open_choosing,
    "settle": settle,
    "cancel": cancel,
    "remove": remove,
    "end_pair": end_pair,
}


@pytest.mark.parametrize("action", ACTIONS)
def test_an_action_that_cannot_be_undone_waits_for_the_tick(
    client_for: Any, cohort: Any, action: str
) -> None:
    url, state = ACTIONS[action](cohort)
    before = state()
    client = client_for(cohort.personas.manager)
    refused = client.post(url, {"reason": "x", "days": "7"}, follow=True)
    assert refused.status_code == 200
    assert NOT_CONFIRMED in refused.content.decode()
    assert state() == before
    done = client.post(url, {"reason": "x", "days": "7", "confirm": "on"}, follow=True)
    assert NOT_CONFIRMED not in done.content.decode()
    assert state() != before


def test_the_review_screen_asks_for_the_tick_before_publishing_or_removing(
    client_for: Any, cohort: Any
) -> None:
    r = run(cohort)
    page = client_for(cohort.personas.manager).get(reverse("round_detail", args=[r.pk]))
    html = page.content.decode()
    publish_form = html[html.index(reverse("round_publish", args=[r.pk])) :]
    assert 'name="confirm"' in publish_form[: publish_form.index("</form>")]
    assert html.count('name="confirm"') == 1 + r.proposals.count()
    assert "onclick" not in html


def test_a_member_ends_their_match_with_the_tick(client_for: Any, cohort: Any) -> None:
    proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    client = client_for(cohort.personas.mentee)
    page = client.get(reverse("my_matching")).content.decode()
    assert 'name="confirm"' in page
    pair = Pair.objects.get(mentee=cohort.junior)
    client.post(reverse("pair_end", args=[pair.pk]), {"reason": "No spark"})
    assert Pair.objects.get(pk=pair.pk).is_active
    client.post(reverse("pair_end", args=[pair.pk]), {"reason": "No spark", "confirm": "on"})
    assert not Pair.objects.get(pk=pair.pk).is_active
    assert status(pair.matching_round) == RoundStatus.PUBLISHED


def test_an_over_long_reason_for_ending_is_refused_and_the_match_stands(
    client_for: Any, cohort: Any
) -> None:
    proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    pair = Pair.objects.get(mentee=cohort.junior)
    response = client_for(cohort.personas.mentee).post(
        reverse("pair_end", args=[pair.pk]), {"reason": "x" * 2001, "confirm": "on"}, follow=True
    )
    assert "under 2,000 characters" in response.content.decode()
    assert Pair.objects.get(pk=pair.pk).is_active
