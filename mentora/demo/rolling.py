"""The demo's rolling programme: mentoring for new hires, open all year with no end date.

People joined over eight months. The first mentee was matched on demand with the only
mentor then taking part; a second mentee, months later, with the mentor who had joined
since (the first mentor offers one place, and it was taken). Of the mentors who joined
last month, one says "no more mentees" for now, one is available only from three weeks
on, and one offers two places. A mentee who became ready this week has an on-demand
proposal waiting for the manager's review; one more is approved and one has applied.

Deterministic and idempotent, like the rest of the demo; dates come from the calendar.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from mentora.accounts.models import Organisation, User
from mentora.demo.calendar import DemoCalendar
from mentora.demo.participants import THEMES, free_staff, participant_add
from mentora.demo.programmes import find_programme
from mentora.people.models import Person
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.programmes.services import design as design_services
from mentora.programmes.services import questionnaire
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound
from mentora.rounds.services import proposals, rounds

S = ParticipantStatus
ROLLING = "New hire mentoring"
MENTEE, MENTOR = ParticipantRole.MENTEE, ParticipantRole.MENTOR
# Recruitment without workshops: invited, applied, reviewed, approved, ready.
PATHS: dict[str, list[str]] = {
    MENTEE: [S.INVITED, S.APPLIED, S.NEEDS_LINE_MANAGER, S.APPROVED, S.READY],
    MENTOR: [S.INVITED, S.APPLIED, S.UNDER_REVIEW, S.APPROVED, S.READY],
}


def _programme(organisation: Organisation, calendar: DemoCalendar, manager: User) -> Programme:
    opened = calendar.rolling_opened
    programme = design_services.programme_create(
        organisation=organisation,
        actor=manager,
        name=f"{ROLLING} (rolling intake)",
        kind=ProgrammeKind.ONE_TO_ONE,
        delivery="hybrid",
        purpose="Give every new hire an experienced colleague to learn the ropes from.",
        languages=["da", "en"],
        rolling=True,
        start_date=opened,
        max_mentees_per_mentor=2,
        applications_open=True,
    )
    Programme.objects.filter(pk=programme.pk).update(
        created_at=calendar.at(opened - dt.timedelta(days=14))
    )
    programme.refresh_from_db()
    programme.managers.add(manager)
    for role, text in (
        (MENTEE, "What would you like to learn in your first year?"),
        (MENTOR, "Which themes can you help with?"),
    ):
        questionnaire.question_add(
            programme=programme,
            actor=manager,
            role=role,
            text=text,
            kind="multiple_choice",
            choices=THEMES,
            maps_to="themes",
        )
    return programme


def _join(
    programme: Programme,
    person: Person,
    role: str,
    manager: User,
    *,
    invited: dt.datetime,
    index: int,
    status: str = S.READY,
    **profile: Any,
) -> Participant:
    path = PATHS[role][: PATHS[role].index(status) + 1]
    return participant_add(
        programme=programme,
        person=person,
        role=role,
        status=status,
        invited_at=invited,
        actor=manager,
        index=index,
        path=path,
        profile={"themes": [THEMES[index % len(THEMES)]], "preferences": [], **profile},
    )


def _match_on_demand(
    mentee: Participant, manager: User, *, at: dt.datetime, publish: bool
) -> MatchingRound:
    """The mentee's on-demand round, run (and published) as if at `at`."""
    matching_round = rounds.round_start_on_demand(mentee=mentee, actor=manager)
    matching_round = rounds.round_run(round_id=matching_round.pk)
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        created_at=at, finished_at=at + dt.timedelta(minutes=1)
    )
    if not publish:
        return matching_round
    pairs = proposals.round_publish(matching_round=matching_round, actor=manager)
    published = at + dt.timedelta(hours=2)
    Pair.objects.filter(pk__in=[p.pk for p in pairs]).update(started_at=published)
    matched = [p.mentee_id for p in pairs] + [p.mentor_id for p in pairs]
    ParticipantEvent.objects.filter(participant_id__in=matched, to_status=S.MATCHED).update(
        at=published
    )
    Participant.objects.filter(pk__in=matched, status=S.MATCHED).update(status_changed_at=published)
    return matching_round


@transaction.atomic
def seed_rolling(*, organisation: Organisation, calendar: DemoCalendar | None = None) -> None:
    """Add the rolling programme to `organisation` (after the other demo programmes, whose
    participants it leaves alone)."""
    calendar = calendar or DemoCalendar.for_today()
    if find_programme(organisation, ROLLING) is not None:
        return
    manager = User.objects.get(email="manager@example.org")
    opened = calendar.rolling_opened
    staff = free_staff(organisation, employed_on=opened)
    mentors = [p for p in staff if (p.level or 0) in (4, 5)][:5]
    mentees = [p for p in staff if (p.level or 0) in (1, 2)][:5]
    if len(mentors) < 5 or len(mentees) < 5:
        return  # a very small demo organisation
    programme = _programme(organisation, calendar, manager)
    at = calendar.at

    # The first mentor, and the first mentee matched with them on demand.
    first = _join(
        programme, mentors[0], MENTOR, manager, invited=at(opened + dt.timedelta(3)), index=600
    )
    Participant.objects.filter(pk=first.pk).update(places=1)
    early = _join(
        programme, mentees[0], MENTEE, manager, invited=at(opened + dt.timedelta(20)), index=601
    )
    _match_on_demand(early, manager, at=at(opened + dt.timedelta(40), 10), publish=True)

    # A second mentor joined; the first is full, so the next mentee is matched with them.
    _join(programme, mentors[1], MENTOR, manager, invited=at(opened + dt.timedelta(60)), index=602)
    later = _join(programme, mentees[1], MENTEE, manager, invited=calendar.days_ago(70), index=603)
    _match_on_demand(later, manager, at=calendar.days_ago(50, 10), publish=True)

    # Three mentors joined last month, each with their own say over new mentees.
    busy, away, open_ = (
        _join(programme, person, MENTOR, manager, invited=calendar.days_ago(30), index=604 + n)
        for n, person in enumerate(mentors[2:])
    )
    Participant.objects.filter(pk=busy.pk).update(takes_mentees=False)
    Participant.objects.filter(pk=away.pk).update(
        available_from=calendar.today + dt.timedelta(days=21)
    )
    Participant.objects.filter(pk=open_.pk).update(places=2)

    # Ready this week: an on-demand proposal waits for the manager's review.
    waiting = _join(
        programme, mentees[2], MENTEE, manager, invited=calendar.days_ago(16), index=607
    )
    _match_on_demand(waiting, manager, at=calendar.days_ago(2, 10), publish=False)
    _join(
        programme,
        mentees[3],
        MENTEE,
        manager,
        invited=calendar.days_ago(14),
        index=608,
        status=S.APPROVED,
    )
    _join(
        programme,
        mentees[4],
        MENTEE,
        manager,
        invited=calendar.days_ago(6),
        index=609,
        status=S.APPLIED,
    )
