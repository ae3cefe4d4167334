"""Demo pairs at work in the graduate programme, near the middle of their agreements: most
meet every third week and are healthy; some hit the midway droop, some are fading, one
never got going, and one is paused for parental leave. Quiet pairs stand on the step of
the escalation ladder the daily run would have brought them to: the droop pairs were
nudged, the quiet ones' mentors got a note, and the fading and silent ones reached the
programme team. Dates come from the demo calendar. Deterministic and idempotent (pairs that
have an agreement or a meeting are left as they are)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from mentora.accounts.models import Organisation, User
from mentora.demo.calendar import DemoCalendar
from mentora.demo.participants import participant_step
from mentora.demo.programmes import GRADUATE, find_programme
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.relationships.health import current_pause, quiet_since
from mentora.relationships.models import (
    LADDER,
    Agreement,
    Escalation,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    Pause,
    PauseReason,
    SupportSettings,
)

NOTES = [
    "Talked about the first month: who to know, and how to ask for help without apology.",
    "Prepared the stakeholder map for the grid project; homework: two coffee meetings.",
    "Practised the presentation for the steering group; slow down on the key message.",
    "Looked back at the learning themes; networking moved most, presenting least.",
]
# Days before seeding on which each kind of pair met, every third week from its first
# meeting (where it signed its agreement), with both sides' ratings.
HISTORY: dict[str, list[tuple[int, int, int]]] = {
    "healthy": [(122, 4, 4), (101, 5, 4), (80, 4, 5), (59, 5, 4), (38, 5, 5), (17, 5, 5)],
    # Met well, but nothing for five weeks now, right in the middle of the programme.
    "droop": [(122, 4, 4), (101, 4, 4), (80, 4, 4), (59, 4, 4), (38, 4, 3)],
    "fading": [(122, 4, 3), (101, 3, 3)],
    # Met well, then nothing for seven weeks.
    "quiet": [(122, 4, 4), (101, 4, 4), (80, 4, 3), (50, 3, 3)],
    # Met well until the mentee's parental leave began.
    "paused": [(122, 5, 4), (101, 4, 5), (80, 5, 5), (59, 4, 4), (45, 5, 4)],
    # Matched, and never met: no agreement, no meeting.
    "silent": [],
}
# Pair by pair, in order; the demo logins' pairs (the only ones with accounts) are healthy.
PATTERN = [
    "healthy",
    "healthy",
    "droop",
    "healthy",
    "fading",
    "healthy",
    "silent",
    "quiet",
    "healthy",
    "paused",
]
# The paused pair's leave: from a few days after its last meeting, back in three weeks.
PAUSE_FROM_DAYS_AGO = 40
PAUSE_UNTIL_DAYS_AHEAD = 20
CHECK_INS = {
    "healthy": (30, "Both positive; no action needed."),
    "droop": (10, "Both busy; reminded them to book their next meeting."),
}
GOALS = {
    "healthy": (("Networking", 60), ("Presenting", 35)),
    "droop": (("Networking", 40), ("Presenting", 20)),
    "fading": (("Networking", 10), ("Presenting", 0)),
    "quiet": (("Networking", 30), ("Presenting", 15)),
    "paused": (("Networking", 50), ("Presenting", 40)),
}


def agreement_add(pair: Pair, *, at: dt.datetime, end_date: dt.date, **terms: Any) -> Agreement:
    """The pair's agreement, written and signed at their first meeting (`at`) and valid to
    `end_date`: ten meetings planned, confidential, no recruitment."""
    return Agreement.objects.create(
        pair=pair,
        version=1,
        planned_meetings=10,
        confidentiality=True,
        not_recruitment=True,
        end_date=end_date,
        created_at=at,
        mentee_signed_at=at + dt.timedelta(minutes=50),
        mentor_signed_at=at + dt.timedelta(minutes=55),
        **terms,
    )


def ladder_climbed(pair: Pair, *, now: dt.datetime) -> list[Escalation]:
    """The steps of the escalation ladder the daily run would have taken for `pair` by
    `now`, each on the day it fell due: the nudge the programme's number of days into the
    quiet spell, the note to the mentor and the alert the set number of days after the step
    before. None for a paused pair or one with a meeting planned."""
    pair = Pair.objects.prefetch_related("meetings", "pauses").get(pk=pair.pk)
    planned = any(m.cancelled_at is None and m.starts_at >= now for m in pair.meetings.all())
    if planned or current_pause(pair, now) is not None:
        return []
    since = quiet_since(pair, now)
    ladder = SupportSettings.of(pair.programme)
    if not ladder.nudge_after_days:
        return []
    gaps = (
        ladder.nudge_after_days,
        ladder.mentor_note_after_days,
        ladder.manager_alert_after_days,
    )
    taken, at = [], since
    for step, days in zip(LADDER, gaps, strict=True):
        at += dt.timedelta(days=days)
        if at > now:
            break
        escalation, _created = Escalation.objects.get_or_create(
            pair=pair, step=step, quiet_since=since, defaults={"created_at": at}
        )
        taken.append(escalation)
    return taken


@transaction.atomic
def seed_pair_support(*, organisation: Organisation, calendar: DemoCalendar | None = None) -> None:
    calendar = calendar or DemoCalendar.for_today()
    graduate = find_programme(organisation, GRADUATE)
    if graduate is None or graduate.end_date is None:
        raise RuntimeError("Seed the demo programmes first.")
    manager = User.objects.filter(email="manager@example.org").first()
    pairs = Pair.objects.filter(programme=graduate).select_related("mentee", "mentor")
    others = 0
    for index, pair in enumerate(pairs.order_by("pk")):
        if pair.mentee.user_id or pair.mentor.user_id:
            kind = "healthy"
        else:
            kind = PATTERN[others % len(PATTERN)]
            others += 1
        if pair.agreements.exists() or pair.meetings.exists():
            continue
        history = HISTORY[kind]
        if not history:
            ladder_climbed(pair, now=timezone.now())
            continue
        meetings = [
            (calendar.days_ago(days, 10), mentee, mentor) for days, mentee, mentor in history
        ]
        first = meetings[0][0]
        if first < pair.started_at + dt.timedelta(days=7):
            raise ValueError("The demo's first meeting comes before the pair had a week.")
        agreement_add(
            pair,
            at=first,
            end_date=graduate.end_date,
            meeting_frequency="Every third week",
            learning_goals="Build a network; present with confidence.",
            ways_of_working="Alternate between the office and walks; the mentee sends the agenda.",
            after_end="Decide at the closing meeting.",
            created_by=pair.mentee.user,
        )
        for side in (pair.mentee, pair.mentor):
            fresh = Participant.objects.get(pk=side.pk)
            if fresh.status == ParticipantStatus.MATCHED:
                participant_step(
                    fresh,
                    to_status=ParticipantStatus.ACTIVE,
                    at=first + dt.timedelta(hours=1),
                    actor=manager,
                    note="Agreement signed.",
                )
        for n, (starts_at, mentee_rating, mentor_rating) in enumerate(meetings):
            Meeting.objects.create(
                pair=pair,
                starts_at=starts_at,
                mode="in_person",
                place="Canteen, 2nd floor",
                agenda="Themes for today, see the plan.",
                notes=NOTES[n % len(NOTES)],
                follow_up="Two coffee meetings before next time.",
                mentee_rating=mentee_rating,
                mentor_rating=mentor_rating,
                created_at=starts_at - dt.timedelta(days=7),
            )
        last = meetings[-1][0]
        if kind == "healthy":
            # Healthy pairs book the next meeting before they part.
            upcoming = last + dt.timedelta(days=21)
            if upcoming <= calendar.at(calendar.today, 23):
                raise ValueError("The demo's next meeting is not in the future.")
            Meeting.objects.create(
                pair=pair,
                starts_at=upcoming,
                mode="online",
                link="https://meet.example/nordlys",
                created_at=last,
            )
        if kind == "paused":
            Pause.objects.get_or_create(
                pair=pair,
                participant=pair.mentee,
                starts_on=calendar.today - dt.timedelta(days=PAUSE_FROM_DAYS_AGO),
                defaults={
                    "until": calendar.today + dt.timedelta(days=PAUSE_UNTIL_DAYS_AHEAD),
                    "reason": PauseReason.PARENTAL_LEAVE,
                    "created_at": calendar.days_ago(PAUSE_FROM_DAYS_AGO, 8),
                },
            )
        ladder_climbed(pair, now=timezone.now())
        for theme, progress in GOALS[kind]:
            Goal.objects.create(pair=pair, theme=theme, progress=progress, updated_at=last)
        if pair.mentor.user_id and index % 2 == 0 and kind != "fading":
            Feedback.objects.create(
                pair=pair,
                direction="mentor_to_mentee",
                author_id=pair.mentor.user_id,
                text="You ask precise questions; trust them in meetings too.",
                created_at=meetings[1][0] + dt.timedelta(hours=2),
            )
        if kind in CHECK_INS and (index % 2 == 0 or kind == "droop"):
            days, note = CHECK_INS[kind]
            FollowUp.objects.create(
                pair=pair,
                manager=manager,
                held_on=calendar.today - dt.timedelta(days=days),
                channel="phone",
                note=note,
                created_at=calendar.days_ago(days, 15),
            )
