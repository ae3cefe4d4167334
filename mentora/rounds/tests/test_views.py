"""Every round page and endpoint, for every persona."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import choices, rounds
from mentora.rounds.services import proposals as proposals_services

# Rounds show who could be matched with whom: only those running the programme.


@pytest.fixture
def done(cohort: Any) -> MatchingRound:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    return rounds.round_run(round_id=matching_round.pk)


def get_pages(cohort: Any, r: MatchingRound) -> dict[str, str]:
    query = f"?mentee={cohort.junior.pk}&mentor={cohort.bo.pk}"
    return {
        "list": reverse("round_list", args=[cohort.programme.pk]),
        "pairs": reverse("programme_pairs", args=[cohort.programme.pk]),
        "detail": reverse("round_detail", args=[r.pk]),
        "check": reverse("round_check", args=[r.pk]) + query,
        "why_not": reverse("round_why_not", args=[r.pk]) + query,
        "compare": reverse("round_compare", args=[r.pk]) + f"?with={r.pk}",
    }


@pytest.mark.parametrize("page", ["list", "pairs", "detail", "check", "why_not", "compare"])
@pytest.mark.parametrize("who", PERSONAS)
def test_round_pages_are_for_those_running_the_programme(
    client_for: Any, cohort: Any, done: MatchingRound, page: str, who: str
) -> None:
    url = get_pages(cohort, done)[page]
    assert client_for(getattr(cohort.personas, who)).get(url).status_code == MANAGERS_ONLY[who]


def post_endpoints(cohort: Any, r: MatchingRound) -> dict[str, tuple[str, dict[str, Any]]]:
    proposal = r.proposals.get(mentee=cohort.eva)
    return {
        "start": (reverse("round_start", args=[cohort.programme.pk]), {}),
        "rerun": (reverse("round_rerun", args=[r.pk]), {}),
        "lock": (reverse("proposal_lock", args=[r.pk, proposal.pk]), {"locked": "1"}),
        "remove": (reverse("proposal_remove", args=[r.pk, proposal.pk]), {"confirm": "on"}),
        "assign": (
            reverse("round_assign", args=[r.pk]),
            {"mentee": cohort.eva.pk, "mentor": proposal.mentor_id},
        ),
        "publish": (reverse("round_publish", args=[r.pk]), {"confirm": "on"}),
        "cancel": (reverse("round_cancel", args=[r.pk]), {"confirm": "on"}),
    }


@pytest.mark.parametrize(
    "endpoint", ["start", "rerun", "lock", "remove", "assign", "publish", "cancel"]
)
@pytest.mark.parametrize("who", PERSONAS)
def test_round_actions_are_for_those_running_the_programme(
    client_for: Any, cohort: Any, done: MatchingRound, endpoint: str, who: str
) -> None:
    url, data = post_endpoints(cohort, done)[endpoint]
    status = client_for(getattr(cohort.personas, who)).post(url, data).status_code
    assert status == (302 if MANAGERS_ONLY[who] == 200 else MANAGERS_ONLY[who])


def test_nothing_changes_when_a_sponsor_tries_to_publish(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    client_for(cohort.personas.sponsor).post(
        reverse("round_publish", args=[done.pk]), {"confirm": "on"}
    )
    assert not Pair.objects.exists()


def test_publishing_says_how_many_pairs_were_published(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    response = client_for(cohort.personas.manager).post(
        reverse("round_publish", args=[done.pk]), {"confirm": "on"}
    )
    n = Pair.objects.count()
    assert n > 1
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"{n} pairs were published and introduced."]


def test_the_review_screen_explains_each_pair_and_the_unmatched(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    page = client_for(cohort.personas.manager).get(reverse("round_detail", args=[done.pk]))
    content = page.content.decode()
    assert "Jo Junior" in content and "Mo Mentor" in content
    assert "shares themes: leadership" in content
    assert "the mentee&#x27;s choice no. 1" in content
    assert "Quality of this round" in content


def test_the_review_screen_filters_and_sorts(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)

    def table(params: dict[str, str]) -> str:
        page = client.get(reverse("round_detail", args=[done.pk]), params).content.decode()
        return page.split('id="proposals-heading"')[1].split("</table>")[0]

    only_jo = table({"q": "Junior"})
    assert "Jo Junior" in only_jo and "Eva Extra" not in only_jo
    by_mentee = table({"sort": "mentee"})
    assert by_mentee.index("Eva Extra") < by_mentee.index("Jo Junior")
    locked = client.get(reverse("round_detail", args=[done.pk]), {"rule": "locked"})
    assert "No proposed pair passes these filters." in locked.content.decode()


def test_the_live_check_names_the_broken_rule(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    url = reverse("round_check", args=[done.pk])
    client = client_for(cohort.personas.manager)
    refused = client.get(
        url, {"mentee": cohort.junior.pk, "mentor": cohort.tina.pk}, headers={"HX-Request": "true"}
    ).content.decode()
    assert "same team" in refused and "<html" not in refused
    allowed = client.get(url, {"mentee": cohort.eva.pk, "mentor": cohort.bo.pk}).content.decode()
    assert "Allowed" in allowed


def test_why_not_answers_with_the_rule_or_the_scores(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)
    url = reverse("round_why_not", args=[done.pk])
    rule = client.get(url, {"mentee": cohort.junior.pk, "mentor": cohort.bo.pk}).content.decode()
    assert "same reporting line" in rule
    other = next(
        m
        for m in (cohort.tina, cohort.bo)
        if not done.proposals.filter(mentee=cohort.eva, mentor=m).exists()
    )
    score = client.get(url, {"mentee": cohort.eva.pk, "mentor": other.pk}).content.decode()
    assert "No hard rule keeps them apart" in score
    assert "the round as a whole scores higher" in score


def test_a_participant_of_another_programme_cannot_be_used_in_a_round(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    from mentora.programmes.models import Participant

    outsider_participant = Participant.objects.create(
        programme=cohort.programme.__class__.objects.create(
            organisation=cohort.personas.organisation, name="Other"
        ),
        person=cohort.mo.person,
        role="mentor",
        status="ready",
    )
    response = client_for(cohort.personas.manager).post(
        reverse("round_assign", args=[done.pk]),
        {"mentee": cohort.eva.pk, "mentor": outsider_participant.pk},
    )
    assert response.status_code == 404
    assert not done.proposals.filter(mentor=outsider_participant).exists()


def test_comparing_two_rounds_shows_who_changed(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    current = done.proposals.get(mentee=cohort.eva).mentor
    other = cohort.bo if current == cohort.tina else cohort.tina
    proposals_services.proposal_assign(
        matching_round=done, mentee=cohort.eva, mentor=other, actor=cohort.personas.manager
    )
    second = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    page = (
        client_for(cohort.personas.manager)
        .get(reverse("round_compare", args=[done.pk]), {"with": second.pk})
        .content.decode()
    )
    assert "1 mentee has a different mentor." in page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", 302),
        ("mentor", 302),
        ("manager", 302),
        ("org_admin", 302),
        ("admin", 302),
        ("sponsor", 403),
        ("line_manager", 403),
        ("outsider", 404),
    ],
)
def test_a_pair_is_ended_by_its_members_or_its_managers(
    client_for: Any, cohort: Any, done: MatchingRound, who: str, expected: int
) -> None:
    pairs = proposals_services.round_publish(matching_round=done, actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    response = client_for(getattr(cohort.personas, who)).post(
        reverse("pair_end", args=[pair.pk]), {"reason": "private", "confirm": "on"}
    )
    assert response.status_code == expected
    pair.refresh_from_db()
    assert pair.is_active == (expected != 302)


def test_the_end_reason_is_shown_to_managers_only(
    client_for: Any, cohort: Any, done: MatchingRound
) -> None:
    pairs = proposals_services.round_publish(matching_round=done, actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    proposals_services.pair_end(pair=pair, actor=cohort.personas.mentee, reason="Too directive")
    manager_page = (
        client_for(cohort.personas.manager)
        .get(reverse("programme_pairs", args=[cohort.programme.pk]))
        .content.decode()
    )
    assert "Too directive" in manager_page
    assert (
        client_for(cohort.personas.mentor)
        .get(reverse("programme_pairs", args=[cohort.programme.pk]))
        .status_code
        == 403
    )


@pytest.mark.parametrize(
    "query",
    [
        {"mentee": "abc", "mentor": "1"},
        {"mentee": "1.5", "mentor": "2"},
        {"mentor": "2"},
    ],
)
def test_garbled_choices_are_not_found_rather_than_an_error(
    client_for: Any, cohort: Any, done: MatchingRound, query: dict[str, str]
) -> None:
    client = client_for(cohort.personas.manager)
    proposals = sorted(done.proposals.values_list("mentee_id", "mentor_id"))
    for name in ("round_why_not", "round_check"):
        assert client.get(reverse(name, args=[done.pk]), query).status_code == 404
    assert client.post(reverse("round_assign", args=[done.pk]), query).status_code == 404
    assert sorted(done.proposals.values_list("mentee_id", "mentor_id")) == proposals
    assert client.get(reverse("round_compare", args=[done.pk]), {"with": "x"}).status_code == 404


def test_a_mentees_ranks_are_whole_numbers_from_one(client_for: Any, cohort: Any) -> None:
    cohort.programme.influence_mode = "mentee_chooses"
    cohort.programme.save()
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    client = client_for(cohort.personas.mentee)
    url = reverse("choice_submit", args=[matching_round.pk])
    for bad in ("first", "0"):
        page = client.post(url, {f"rank_{cohort.mo.pk}": bad}, follow=True).content.decode()
        assert "Ranks are whole numbers" in page
        assert matching_round.suggestions.get(mentee=cohort.junior).choice_rank is None
    client.post(url, {f"rank_{cohort.mo.pk}": "1"})
    assert matching_round.suggestions.get(mentee=cohort.junior).choice_rank == 1
