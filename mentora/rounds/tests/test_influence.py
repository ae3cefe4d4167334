"""Participants' influence: mentees choose among suggestions; both sides opt in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from mentora.programmes.models import Participant
from mentora.relationships.models import Pair
from mentora.rounds.models import Introduction, MatchingRound, RoundStatus
from mentora.rounds.services import choices, introductions, proposals
from mentora.rounds.tests.conftest import add_finn, run_round


def run(cohort: Any, mode: str) -> MatchingRound:
    return run_round(cohort, mode)


def suggested(matching_round: MatchingRound, mentee: Participant) -> list[str]:
    return [
        s.mentor.person.first_name
        for s in matching_round.suggestions.filter(mentee=mentee).select_related("mentor__person")
    ]


# --- mentee chooses ---------------------------------------------------------------------


def test_mentees_get_only_suggestions_that_keep_the_hard_rules(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    assert matching_round.kind == "suggestions" and matching_round.status == RoundStatus.DONE
    assert suggested(matching_round, cohort.junior) == ["Mo"]
    assert set(suggested(matching_round, cohort.eva)) == {"Tina", "Bo"}
    assert not matching_round.proposals.exists()


def test_a_mentees_ranking_decides_the_match(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    engine_first = matching_round.suggestions.get(mentee=cohort.eva, rank=1).mentor
    wanted = cohort.bo if engine_first == cohort.tina else cohort.tina
    choices.mentee_rank(
        matching_round=matching_round,
        mentee=cohort.eva,
        mentor_ids=[wanted.pk, engine_first.pk],
        actor=None,
    )
    choices.round_resolve_choices(matching_round=matching_round, actor=cohort.personas.manager)
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.DONE
    assert matching_round.proposals.get(mentee=cohort.eva).mentor == wanted
    assert matching_round.proposals.get(mentee=cohort.junior).mentor == cohort.mo
    pairs = proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    assert len(pairs) == 2


def test_contention_for_one_mentor_is_settled_so_that_everyone_is_matched(cohort: Any) -> None:
    finn_p = add_finn(cohort, ["sales"], employee_id="E7")
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    for mentee in (cohort.eva, finn_p):
        own = [s.mentor_id for s in matching_round.suggestions.filter(mentee=mentee)]
        assert cohort.tina.pk in own
        choices.mentee_rank(
            matching_round=matching_round,
            mentee=mentee,
            mentor_ids=[cohort.tina.pk] + [m for m in own if m != cohort.tina.pk],
            actor=None,
        )
    choices.round_resolve_choices(matching_round=matching_round, actor=cohort.personas.manager)
    mentors = {p.mentee_id: p.mentor_id for p in matching_round.proposals.all()}
    assert len(mentors) == 3
    assert sorted(m for k, m in mentors.items() if k != cohort.junior.pk) == sorted(
        [cohort.tina.pk, cohort.bo.pk]
    )


def test_a_mentee_may_rank_only_their_own_suggestions(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    with pytest.raises(ValidationError):
        choices.mentee_rank(
            matching_round=matching_round,
            mentee=cohort.junior,
            mentor_ids=[cohort.tina.pk],
            actor=None,
        )
    with pytest.raises(ValidationError):
        choices.mentee_rank(
            matching_round=matching_round,
            mentee=cohort.junior,
            mentor_ids=[cohort.mo.pk, cohort.mo.pk],
            actor=None,
        )


def test_choosing_is_closed_until_the_manager_opens_it(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    with pytest.raises(ValidationError, match="closed"):
        choices.mentee_rank(
            matching_round=matching_round,
            mentee=cohort.junior,
            mentor_ids=[cohort.mo.pk],
            actor=None,
        )


def test_a_mentee_sees_only_their_own_suggestions(client_for: Any, cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    assert "Mo Mentor" in page
    assert "Tina" not in page and "Eva" not in page and "Bo Boss" not in page
    # A mentor sees nothing of the suggestions at all.
    mentor_page = client_for(cohort.personas.mentor).get(reverse("my_matching")).content.decode()
    assert "Choose your mentor" not in mentor_page and "Jo Junior" not in mentor_page


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", 302),
        ("mentor", 403),
        ("manager", 403),
        ("sponsor", 403),
        ("line_manager", 403),
        ("org_admin", 403),
        ("outsider", 404),
    ],
)
def test_only_the_mentee_submits_their_choice(
    client_for: Any, cohort: Any, who: str, expected: int
) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    response = client_for(getattr(cohort.personas, who)).post(
        reverse("choice_submit", args=[matching_round.pk]), {f"rank_{cohort.mo.pk}": "1"}
    )
    assert response.status_code == expected
    chosen = matching_round.suggestions.get(mentee=cohort.junior).choice_rank
    assert chosen == (1 if expected == 302 else None)


# --- mutual opt-in --------------------------------------------------------------------------


@pytest.fixture
def introduced(cohort: Any, django_capture_on_commit_callbacks: Any) -> MatchingRound:
    matching_round = run(cohort, "mutual_opt_in")
    with django_capture_on_commit_callbacks(execute=True):
        introductions.round_introduce(
            matching_round=matching_round, actor=cohort.personas.manager, days=5
        )
    return matching_round


def test_mutual_opt_in_introduces_instead_of_publishing(cohort: Any) -> None:
    matching_round = run(cohort, "mutual_opt_in")
    with pytest.raises(ValidationError, match="introductions"):
        proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)


def test_the_match_stands_only_when_both_accept(cohort: Any, introduced: MatchingRound) -> None:
    introduction = introduced.introductions.get(mentee=cohort.junior)
    introductions.introduction_answer(
        introduction=introduction, actor=cohort.personas.mentee, accept=True
    )
    assert not Pair.objects.exists()
    introductions.introduction_answer(
        introduction=introduction, actor=cohort.personas.mentor, accept=True
    )
    introduction.refresh_from_db()
    assert introduction.status == "accepted" and introduction.pair is not None
    assert Participant.objects.get(pk=cohort.junior.pk).status == "matched"


def test_a_decline_brings_the_next_proposal_and_keeps_the_reason_private(
    client_for: Any, cohort: Any, introduced: MatchingRound
) -> None:
    first = introduced.introductions.get(mentee=cohort.eva)
    eva_user = cohort.personas.line_manager  # give Eva a login to answer with
    Participant.objects.filter(pk=cohort.eva.pk).update(user=eva_user)
    first.refresh_from_db()
    introductions.introduction_answer(
        introduction=first, actor=eva_user, accept=False, reason="We already work together"
    )
    first.refresh_from_db()
    assert first.status == "declined"
    following = introduced.introductions.get(mentee=cohort.eva, status="pending")
    assert following.mentor != first.mentor
    manager_page = (
        client_for(cohort.personas.manager)
        .get(reverse("round_detail", args=[introduced.pk]))
        .content.decode()
    )
    assert "We already work together" in manager_page
    other_side = Participant.objects.get(pk=first.mentor_id).user
    if other_side is not None:
        page = client_for(other_side).get(reverse("my_matching")).content.decode()
        assert "We already work together" not in page


def test_when_no_mentor_is_left_the_mentee_is_unmatched_with_a_reason(
    cohort: Any, introduced: MatchingRound
) -> None:
    junior_intro = introduced.introductions.get(mentee=cohort.junior)
    introductions.introduction_answer(
        introduction=junior_intro, actor=cohort.personas.mentor, accept=False
    )
    assert not introduced.introductions.filter(mentee=cohort.junior, status="pending").exists()
    assert introduced.unmatched.get(participant=cohort.junior).reason_code == "no_more_mentors"


def test_unanswered_introductions_get_a_reminder_then_expire(
    cohort: Any, introduced: MatchingRound
) -> None:
    from django_tasks_db.models import DBTaskResult

    introduction = introduced.introductions.get(mentee=cohort.junior)
    near = introduction.expires_at - dt.timedelta(days=1)
    assert introductions.introductions_sweep(now=near)["reminded"] == 2
    assert DBTaskResult.objects.filter(
        task_path="mentora.rounds.tasks.send_introduction_request",
        args_kwargs__args=[introduction.pk, True],
    ).exists()
    assert introductions.introductions_sweep(now=near)["reminded"] == 0
    after = introduction.expires_at + dt.timedelta(minutes=1)
    assert introductions.introductions_sweep(now=after)["expired"] == 2
    introduction.refresh_from_db()
    assert introduction.status == "expired"


def test_the_introduction_email_asks_both_in_their_language(
    cohort: Any, introduced: MatchingRound, smtp_sink: Any
) -> None:
    from mentora.rounds.tasks import send_introduction_request

    cohort.personas.mentor.language = "da"
    cohort.personas.mentor.save()
    introduction = introduced.introductions.get(mentee=cohort.junior)
    assert send_introduction_request.call(introduction.pk) == 2
    messages = {m["To"]: m.get_body(("plain",)).get_content() for m in smtp_sink.wait_for(2)}
    assert "Mo Mentor as your mentor" in messages["mentee@test.example"]
    assert "som din mentee" in messages["mentor@test.example"]


def test_a_reminder_goes_only_to_the_side_that_has_not_answered(
    cohort: Any, introduced: MatchingRound, smtp_sink: Any
) -> None:
    from mentora.rounds.tasks import send_introduction_request

    introduction = introduced.introductions.get(mentee=cohort.junior)
    introductions.introduction_answer(
        introduction=introduction, actor=cohort.personas.mentee, accept=True
    )
    assert send_introduction_request.call(introduction.pk, True) == 1
    [reminder] = smtp_sink.wait_for(1)
    assert reminder["To"] == "mentor@test.example"


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", 302),
        ("mentor", 302),
        ("manager", 403),
        ("sponsor", 403),
        ("line_manager", 403),
        ("outsider", 404),
    ],
)
def test_only_the_two_introduced_can_answer(
    client_for: Any, cohort: Any, introduced: MatchingRound, who: str, expected: int
) -> None:
    introduction = introduced.introductions.get(mentee=cohort.junior)
    response = client_for(getattr(cohort.personas, who)).post(
        reverse("introduction_answer", args=[introduction.pk]), {"answer": "accept"}
    )
    assert response.status_code == expected
    introduction.refresh_from_db()
    answers = {"mentee": introduction.mentee_answer, "mentor": introduction.mentor_answer}
    assert answers == {side: ("accepted" if side == who else "") for side in answers}


def test_the_programme_sets_how_long_before_the_deadline_the_reminder_comes(
    cohort: Any, introduced: MatchingRound
) -> None:
    from mentora.relationships.services.support import support_settings_update

    introduction = introduced.introductions.get(mentee=cohort.junior)
    four_days_before = introduction.expires_at - dt.timedelta(days=4)
    assert introductions.introductions_sweep(now=four_days_before)["reminded"] == 0
    support_settings_update(
        programme=cohort.programme, actor=cohort.personas.manager, introduction_reminder_days=5
    )
    assert introductions.introductions_sweep(now=four_days_before)["reminded"] == 2


def test_a_settled_round_is_published_when_nothing_is_pending(
    cohort: Any, introduced: MatchingRound
) -> None:
    for introduction in Introduction.objects.filter(matching_round=introduced):
        for user in (introduction.mentee.user, introduction.mentor.user):
            if user is None:
                continue
            introductions.introduction_answer(introduction=introduction, actor=user, accept=True)
    # Eva has no login and never answers: each of her introductions expires in turn until
    # no suitable mentor is left for her.
    for _ in range(5):
        introductions.introductions_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert introduced.unmatched.get(participant=cohort.eva).reason_code == "no_more_mentors"
    introduced.refresh_from_db()
    assert not introduced.introductions.filter(status="pending").exists()
    assert introduced.status == RoundStatus.PUBLISHED


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({}, "Choose to accept or to decline."),
        ({"answer": "maybe"}, "Select a valid choice"),
        ({"answer": "decline", "reason": "x" * 2001}, "under 2,000 characters"),
    ],
)
def test_an_answer_that_is_not_clear_changes_nothing_and_says_why(
    client_for: Any, cohort: Any, introduced: MatchingRound, data: dict[str, str], problem: str
) -> None:
    introduction = introduced.introductions.get(mentee=cohort.junior)
    response = client_for(cohort.personas.mentee).post(
        reverse("introduction_answer", args=[introduction.pk]), data, follow=True
    )
    assert problem in response.content.decode()
    introduction.refresh_from_db()
    assert (introduction.mentee_answer, introduction.decline_reason) == ("", "")
