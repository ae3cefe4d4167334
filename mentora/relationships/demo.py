"""Demo pairs at work: agreements, meetings with notes, goals and feedback; some pairs
healthy, some at risk. Deterministic and idempotent (pairs that have an agreement are
left as they are)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mentora.accounts.models import Organisation
from mentora.programmes.demo import GRADUATE
from mentora.relationships.models import (
    Agreement,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
)

NOTES = [
    "Talked about the first month: who to know, and how to ask for help without apology.",
    "Prepared the stakeholder map for the grid project; homework: two coffee meetings.",
    "Practised the presentation for the steering group; slow down on the key message.",
    "Looked back at the learning themes; networking moved most, presenting least.",
]


@transaction.atomic
def seed_pair_support(*, organisation: Organisation) -> None:
    now = timezone.now()
    pairs = Pair.objects.filter(
        programme__organisation=organisation, programme__name=GRADUATE
    ).order_by("pk")
    for index, pair in enumerate(pairs):
        if pair.agreements.exists():
            continue
        started = now - dt.timedelta(days=120)
        Pair.objects.filter(pk=pair.pk).update(started_at=started)
        Agreement.objects.create(
            pair=pair,
            version=1,
            meeting_frequency="Every third week",
            planned_meetings=10,
            learning_goals="Build a network; present with confidence.",
            ways_of_working="Alternate between the office and walks; the mentee sends the agenda.",
            confidentiality=True,
            not_recruitment=True,
            end_date=(started + dt.timedelta(days=300)).date(),
            after_end="Decide at the closing meeting.",
            mentee_signed_at=started + dt.timedelta(days=7),
            mentor_signed_at=started + dt.timedelta(days=8),
        )
        healthy = index % 3 != 2
        days_ago = [110, 85, 60, 35, 12] if healthy else [110, 95]
        for n, days in enumerate(days_ago):
            Meeting.objects.create(
                pair=pair,
                starts_at=now - dt.timedelta(days=days),
                mode="in_person",
                place="Canteen, 2nd floor",
                agenda="Themes for today, see the plan.",
                notes=NOTES[n % len(NOTES)],
                follow_up="Two coffee meetings before next time.",
                mentee_rating=5 - (n % 2) if healthy else 4 - n,
                mentor_rating=4 + (n % 2) if healthy else 3 - n,
            )
        if healthy:
            Meeting.objects.create(
                pair=pair,
                starts_at=now + dt.timedelta(days=9),
                mode="online",
                link="https://meet.example/nordlys",
            )
        for theme, progress in (
            ("Networking", 60 if healthy else 10),
            ("Presenting", 35 if healthy else 0),
        ):
            Goal.objects.create(
                pair=pair,
                theme=theme,
                progress=progress,
                updated_at=now - dt.timedelta(days=14 if healthy else 100),
            )
        if pair.mentor.user_id and index % 2 == 0:
            Feedback.objects.create(
                pair=pair,
                direction="mentor_to_mentee",
                author_id=pair.mentor.user_id,
                text="You ask precise questions; trust them in meetings too.",
            )
        if index % 2 == 0:
            FollowUp.objects.create(
                pair=pair,
                held_on=(now - dt.timedelta(days=30)).date(),
                channel="phone",
                note="Both positive; no action needed.",
            )
