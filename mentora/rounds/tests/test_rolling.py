"""Rolling programmes: a mentee who becomes ready is matched on demand against the mentors
with a free place, by the same engine and hard rules as a round; mentors' places, dates and
"no more mentees" count at once.

In the cohort, Jo (the mentee persona) may only be matched with Mo: Tina is in Jo's team
and Bo is in Jo's management chain.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import another_programme, audited
from mentora.programmes.models import Participant
from mentora.programmes.services import availability, pipeline
from mentora.relationships.models import Pair
from mentora.rounds import tasks
from mentora.rounds.intake import rolling_intake
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.rounds.problem import build_input, mentors_with_free_places
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import add_finn


@pytest.fixture
def rolling(cohort: Any) -> Any:
    """The cohort's programme with rolling intake: no end date; Jo waits, approved."""
    programme = cohort.programme
    programme.rolling = True
    programme.end_date = None
    programme.save()
    Participant.objects.filter(pk=cohort.junior.pk).update(status="approved")
    cohort.junior.refresh_from_db()
    return cohort


def make_ready(cohort: Any, mentee: Participant) -> MatchingRound | None:
    """The manager marks `mentee` ready; the on-demand round it starts, run by the worker."""
    pipeline.participant_transition(
        participant=mentee, to_status="ready", actor=cohort.personas.manager
    )
    started = MatchingRound.objects.filter(mentee=mentee).order_by("-number").first()
    if started is None:
        return None
    tasks.run_round.call(started.pk)
    return MatchingRound.objects.get(pk=started.pk)


def proposed(matching_round: MatchingRound) -> list[tuple[int, int]]:
    return list(matching_round.proposals.values_list("mentee_id", "mentor_id"))


def test_a_mentee_who_becomes_ready_is_matched_on_demand_at_once(rolling: Any) -> None:
    matching_round = make_ready(rolling, rolling.junior)
    assert matching_round is not None
    assert matching_round.status == RoundStatus.DONE
    assert matching_round.mentee == rolling.junior
    # The only pair the hard rules allow; nobody else of the programme is in the round.
    assert proposed(matching_round) == [(rolling.junior.pk, rolling.mo.pk)]
    assert matching_round.proposals.get().explanation
    assert audited("rounds.round.start_on_demand") == [str(matching_round.pk)]


def test_on_demand_never_proposes_a_forbidden_pair(rolling: Any) -> None:
    # With Mo full, only Tina (Jo's team) and Bo (Jo's reporting line) have places.
    availability.participant_availability_set(
        participant=rolling.mo, actor=rolling.personas.mentor, places=0
    )
    matching_round = make_ready(rolling, rolling.junior)
    assert matching_round is not None
    assert proposed(matching_round) == []
    assert list(matching_round.unmatched.values_list("participant", flat=True)) == [
        rolling.junior.pk
    ]


def test_no_more_mentees_takes_mentors_out_of_the_next_match_at_once(rolling: Any) -> None:
    availability.participant_availability_set(
        participant=rolling.mo, actor=rolling.personas.mentor, takes_mentees=False
    )
    assert rolling.mo.pk not in [m.pk for m, _free in mentors_with_free_places(rolling.programme)]
    matching_round = make_ready(rolling, rolling.junior)
    assert matching_round is not None
    assert proposed(matching_round) == []
    assert audited("programmes.participant.availability") == [str(rolling.mo.pk)]


def test_no_more_mentees_stops_a_proposal_not_yet_published(rolling: Any) -> None:
    matching_round = make_ready(rolling, rolling.junior)
    assert matching_round is not None
    availability.participant_availability_set(
        participant=rolling.mo, actor=rolling.personas.mentor, takes_mentees=False
    )
    with pytest.raises(ValidationError, match="takes no new mentees"):
        proposals.round_publish(matching_round=matching_round, actor=rolling.personas.manager)
    assert not Pair.objects.exists()


def test_a_mentor_at_work_with_a_free_place_is_matched_again(rolling: Any) -> None:
    rolling.programme.max_mentees_per_mentor = 2
    rolling.programme.save()
    availability.participant_availability_set(
        participant=rolling.mo, actor=rolling.personas.mentor, places=2
    )
    first = make_ready(rolling, rolling.junior)
    assert first is not None
    proposals.round_publish(matching_round=first, actor=rolling.personas.manager)
    rolling.mo.refresh_from_db()
    assert rolling.mo.status == "matched"
    # Finn may have Mo; Mo offered two places and mentors one pair at work.
    finn = add_finn(rolling, ["leadership"])
    Participant.objects.filter(pk__in=[rolling.tina.pk, rolling.bo.pk]).update(status="approved")
    Participant.objects.filter(pk=finn.pk).update(status="approved")
    second = make_ready(rolling, finn)
    assert second is not None
    assert proposed(second) == [(finn.pk, rolling.mo.pk)]


def test_a_mentors_places_are_respected_on_demand(rolling: Any) -> None:
    first = make_ready(rolling, rolling.junior)
    assert first is not None
    proposals.round_publish(matching_round=first, actor=rolling.personas.manager)
    # Mo's one place is taken by Jo: Finn is matched without Mo.
    finn = add_finn(rolling, ["leadership"])
    Participant.objects.filter(pk=finn.pk).update(status="approved")
    second = make_ready(rolling, finn)
    assert second is not None
    assert rolling.mo.pk not in [mentor for _mentee, mentor in proposed(second)]
    assert Pair.objects.active().filter(mentor=rolling.mo).count() == 1


def test_no_round_starts_while_no_mentor_has_a_free_place(rolling: Any) -> None:
    for mentor in (rolling.mo, rolling.tina, rolling.bo):
        availability.participant_availability_set(
            participant=mentor, actor=rolling.personas.manager, takes_mentees=False
        )
    assert make_ready(rolling, rolling.junior) is None
    with pytest.raises(ValidationError, match="No mentor has a free place"):
        rounds.round_start_on_demand(mentee=rolling.junior, actor=rolling.personas.manager)
    # Jo waits, listed for the manager with Eva, and no mentor has a place to give.
    intake = rolling_intake(rolling.programme)
    assert rolling.junior in [m for m, _latest in intake.waiting]
    assert intake.free_places == 0


def test_a_mentor_available_from_a_later_day_is_matched_from_that_day(rolling: Any) -> None:
    today = timezone.localdate()
    availability.participant_availability_set(
        participant=rolling.mo,
        actor=rolling.personas.mentor,
        available_from=today + dt.timedelta(days=30),
        available_until=today + dt.timedelta(days=90),
    )
    pool = {
        day: [m.pk for m, _free in mentors_with_free_places(rolling.programme, today=day)]
        for day in (today, today + dt.timedelta(days=30), today + dt.timedelta(days=91))
    }
    assert rolling.mo.pk not in pool[today]
    assert rolling.mo.pk in pool[today + dt.timedelta(days=30)]
    assert rolling.mo.pk not in pool[today + dt.timedelta(days=91)]

    def mos_places(day: dt.date) -> int | None:
        data = build_input(rolling.programme, participants=[rolling.junior, rolling.mo], today=day)
        return data.problem.mentors[0].capacity

    assert mos_places(today) == 0
    assert mos_places(today + dt.timedelta(days=45)) == 1


def test_a_mentee_who_chooses_gets_suggestions_at_once(rolling: Any) -> None:
    rolling.programme.influence_mode = "mentee_chooses"
    rolling.programme.save()
    matching_round = make_ready(rolling, rolling.junior)
    assert matching_round is not None
    assert matching_round.status == RoundStatus.CHOOSING
    assert list(matching_round.suggestions.values_list("mentor", flat=True)) == [rolling.mo.pk]


def test_on_demand_is_for_a_ready_mentee_of_a_rolling_programme(rolling: Any) -> None:
    with pytest.raises(ValidationError, match="not a mentee ready"):
        rounds.round_start_on_demand(mentee=rolling.junior, actor=rolling.personas.manager)
    with pytest.raises(ValidationError, match="not a mentee ready"):
        rounds.round_start_on_demand(mentee=rolling.mo, actor=rolling.personas.manager)
    rolling.programme.rolling = False
    rolling.programme.save()
    with pytest.raises(ValidationError, match="rolling programme"):
        rounds.round_start_on_demand(mentee=rolling.eva, actor=rolling.personas.manager)
    assert not MatchingRound.objects.exists()


def test_a_mentee_being_matched_is_not_matched_twice_at_once(rolling: Any) -> None:
    pipeline.participant_transition(
        participant=rolling.junior, to_status="ready", actor=rolling.personas.manager
    )
    with pytest.raises(ValidationError, match="being matched already"):
        rounds.round_start_on_demand(mentee=rolling.junior, actor=rolling.personas.manager)
    assert MatchingRound.objects.filter(mentee=rolling.junior).count() == 1


def test_a_rerun_of_an_on_demand_round_matches_the_same_mentee(rolling: Any) -> None:
    first = make_ready(rolling, rolling.junior)
    assert first is not None
    again = rounds.round_start(
        programme=rolling.programme, actor=rolling.personas.manager, previous=first
    )
    assert again.mentee == rolling.junior
    assert proposed(rounds.round_run(round_id=again.pk)) == [(rolling.junior.pk, rolling.mo.pk)]


def test_a_round_of_a_rolling_programme_counts_mentors_at_work_with_a_free_place(
    rolling: Any,
) -> None:
    rolling.programme.max_mentees_per_mentor = 2
    rolling.programme.save()
    availability.participant_availability_set(
        participant=rolling.mo, actor=rolling.personas.mentor, places=2
    )
    first = make_ready(rolling, rolling.junior)
    assert first is not None
    proposals.round_publish(matching_round=first, actor=rolling.personas.manager)
    finn = add_finn(rolling, ["leadership"])
    data = build_input(rolling.programme)
    mentors = {p.id: p.capacity for p in data.problem.mentors}
    # Mo is matched, no longer "ready", yet has one place left.
    assert mentors[str(rolling.mo.person_id)] == 1
    assert str(finn.person_id) in {p.id for p in data.problem.mentees}


def test_a_cohort_programme_does_not_match_on_demand(cohort: Any) -> None:
    Participant.objects.filter(pk=cohort.junior.pk).update(status="approved")
    cohort.junior.refresh_from_db()
    pipeline.participant_transition(
        participant=cohort.junior, to_status="ready", actor=cohort.personas.manager
    )
    assert not MatchingRound.objects.exists()


# The pages ------------------------------------------------------------------------------------


def test_the_rounds_page_shows_the_intake_to_the_manager_only(
    rolling: Any, client_for: Any
) -> None:
    url = reverse("round_list", args=[rolling.programme.pk])
    page = client_for(rolling.personas.manager).get(url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "Rolling intake" in text
    # Eva waits; Mo offers a place.
    assert "Eva Extra" in text and "Mo Mentor" in text
    assert client_for(rolling.personas.sponsor).get(url).status_code == 403
    assert client_for(rolling.personas.mentor).get(url).status_code == 403
    assert client_for(rolling.personas.outsider).get(url).status_code == 404


def test_the_manager_matches_a_waiting_mentee_now(rolling: Any, client_for: Any) -> None:
    Participant.objects.filter(pk=rolling.junior.pk).update(status="ready")
    url = reverse("round_start_on_demand", args=[rolling.programme.pk])
    for who, status in (("sponsor", 403), ("mentor", 403), ("outsider", 404)):
        response = client_for(getattr(rolling.personas, who)).post(
            url, {"mentee": rolling.junior.pk}
        )
        assert response.status_code == status, who
    assert not MatchingRound.objects.exists()
    response = client_for(rolling.personas.manager).post(url, {"mentee": rolling.junior.pk})
    started = MatchingRound.objects.get(mentee=rolling.junior)
    assert response.status_code == 302
    assert response["Location"] == reverse("round_detail", args=[started.pk])


def test_matching_now_refuses_a_mentee_of_another_programme(rolling: Any, client_for: Any) -> None:
    elsewhere = Participant.objects.create(
        programme=another_programme(rolling),
        person=rolling.junior.person,
        role="mentee",
        status="ready",
    )
    url = reverse("round_start_on_demand", args=[rolling.programme.pk])
    client = client_for(rolling.personas.manager)
    for value in (elsewhere.pk, "not a number"):
        page = client.post(url, {"mentee": value}, follow=True)
        assert "Select a valid choice" in page.content.decode()
    assert not MatchingRound.objects.exists()


def test_a_mentor_who_takes_no_more_mentees_is_not_introduced_next(cohort: Any) -> None:
    from mentora.rounds.services import introductions
    from mentora.rounds.tests.conftest import run_round

    matching_round = run_round(cohort, "mutual_opt_in")
    introductions.round_introduce(matching_round=matching_round, actor=cohort.personas.manager)
    first = matching_round.introductions.get(mentee=cohort.eva)
    # Eva may have Tina or Bo; whoever she was not introduced to stops taking mentees.
    other = cohort.bo if first.mentor == cohort.tina else cohort.tina
    availability.participant_availability_set(
        participant=other, actor=cohort.personas.manager, takes_mentees=False
    )
    # Nobody answers in time: the introduction expires and the next is looked for.
    introductions.introductions_sweep(now=timezone.now() + dt.timedelta(days=30))
    assert not matching_round.introductions.filter(mentee=cohort.eva, mentor=other).exists()
    assert matching_round.unmatched.get(participant=cohort.eva).reason_code == "no_more_mentors"
