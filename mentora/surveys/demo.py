"""A finished demo programme with answered start and end surveys and HR leave dates.

Deterministic and idempotent: a second run finds the programme and changes nothing. Rows
are written directly rather than through the services, so seeding sends no e-mail and
can answer surveys that closed long ago.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from mentora.accounts.models import Membership, Organisation, Role, User
from mentora.people.models import Person
from mentora.programmes.models import Participant, ParticipantStatus, Programme
from mentora.relationships.models import Goal, Pair
from mentora.surveys.models import (
    Answer,
    Instrument,
    Invitation,
    Response,
    Survey,
    pseudonymous_key,
)

NAME = "Graduate programme 2024 (evaluated)"
START = dt.date(2024, 9, 2)
END = dt.date(2025, 6, 27)
PAIRS = 30
COMPARISON = 120
FIRST_NAMES = ["Anna", "Bo", "Clara", "Dan", "Emma", "Frej", "Gry", "Hans", "Ida", "Jens"]
LAST_NAMES = ["Holm", "Lund", "Berg", "Krogh", "Dahl", "Vinter", "Skov", "Bech", "Falk", "Juhl"]


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


def _person(
    organisation: Organisation, employee_id: str, rng: random.Random, **values: Any
) -> Person:
    person, _created = Person.objects.get_or_create(
        organisation=organisation,
        employee_id=employee_id,
        defaults={
            "first_name": rng.choice(FIRST_NAMES),
            "last_name": rng.choice(LAST_NAMES),
            **values,
        },
    )
    return person


def _leave(rng: random.Random, share: float) -> dt.date | None:
    if rng.random() >= share:
        return None
    return START + dt.timedelta(days=rng.randint(30, 640))


def _scale(rng: random.Random, centre: float) -> int:
    return max(1, min(5, round(rng.gauss(centre, 0.9))))


def _answer(question: Any, rng: random.Random, lift: float) -> dict[str, Any]:
    if question.kind == "scale_1_5":
        return {"number": _scale(rng, 3.3 + lift)}
    if question.kind == "nps":
        return {"number": max(0, min(10, round(rng.gauss(8.2, 1.6))))}
    if question.kind == "single":
        return {"choices": [rng.choice(question.choices)["value"]]}
    if question.kind == "multiple":
        picked = [c["value"] for c in question.choices if rng.random() < 0.45]
        return {"choices": picked or [question.choices[0]["value"]]}
    return {"text": rng.choice(["", "To ask for feedback early.", "At tage ordet på møder."])}


@transaction.atomic
def seed_surveys(*, organisation: Organisation) -> Programme:
    """Build (once) a finished programme with a full outcome report for the demo."""
    existing = Programme.objects.filter(organisation=organisation, name=NAME).first()
    if existing is not None:
        return existing
    rng = random.Random(2024)
    programme = Programme.objects.create(
        organisation=organisation,
        name=NAME,
        purpose="Keep and develop the graduates we hire.",
        goals="80% of graduates still with us two years after the start\n"
        "Graduates feel sure about their next step",
        start_date=START,
        end_date=END,
        languages=["en", "da"],
    )
    for membership in Membership.objects.filter(organisation=organisation, role=Role.SPONSOR):
        programme.sponsors.add(membership.user)

    participants: dict[str, list[Participant]] = {"mentee": [], "mentor": []}
    for role, level, leave_share in (("mentee", 2, 0.12), ("mentor", 7, 0.08)):
        for i in range(1, PAIRS + 1):
            email = f"eval-{role}-{i:02d}@example.org"
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, full_name=f"{role} {i}", password=None)
            hired = dt.date(2023 if role == "mentee" else 2012, 1 + i % 12, 1 + i % 27)
            person = _person(
                organisation,
                f"EVAL-{role[:3].upper()}-{i:02d}",
                rng,
                level=level,
                hire_date=hired,
                leave_date=_leave(rng, leave_share),
                email=email,
                user=user,
            )
            participants[role].append(
                Participant.objects.create(
                    programme=programme,
                    person=person,
                    user=user,
                    role=role,
                    status=ParticipantStatus.COMPLETED,
                )
            )
    # Colleagues who did not take part, hired at the same times, for the retention comparison.
    for i in range(1, COMPARISON + 1):
        mentee_like = i % 2 == 0
        _person(
            organisation,
            f"EVAL-CMP-{i:03d}",
            rng,
            level=2 if mentee_like else 7,
            hire_date=dt.date(2023 if mentee_like else 2012, 1 + i % 12, 1 + (i * 7) % 27),
            leave_date=_leave(rng, 0.25 if mentee_like else 0.12),
        )

    for mentee, mentor in zip(participants["mentee"], participants["mentor"], strict=True):
        pair = Pair.objects.create(
            programme=programme,
            mentee=mentee,
            mentor=mentor,
            score=round(rng.uniform(0.55, 0.95), 2),
            started_at=_at(START + dt.timedelta(days=20)),
            ended_at=_at(END if rng.random() > 0.1 else START + dt.timedelta(days=150)),
        )
        for theme in ("Presenting", "Networking"):
            Goal.objects.create(pair=pair, theme=theme, progress=rng.choice([50, 75, 100, 100]))

    everyone = participants["mentee"] + participants["mentor"]
    for wave, opens, lift in (("start", START, 0.0), ("end", END - dt.timedelta(days=20), 0.5)):
        instrument = Instrument.objects.get(source="builtin", slug=f"mentora-{wave}")
        survey = Survey.objects.create(
            programme=programme,
            instrument=instrument,
            wave=wave,
            roles=["mentor", "mentee"],
            opens_at=_at(opens),
            closes_at=_at(opens + dt.timedelta(days=21)),
            sent_at=_at(opens),
        )
        questions = list(instrument.questions.all())
        for participant in everyone:
            assert participant.user is not None  # every demo participant has a login
            answered = rng.random() < 0.88
            Invitation.objects.create(
                survey=survey,
                user=participant.user,
                person=participant.person,
                participant=participant,
                role=participant.role,
                sent_at=_at(opens),
                answered_at=_at(opens + dt.timedelta(days=rng.randint(0, 20)))
                if answered
                else None,
            )
            if not answered:
                continue
            response = Response.objects.create(
                survey=survey,
                key=pseudonymous_key(programme.pk, participant.person_id),
                role=participant.role,
                language=rng.choice(["en", "da"]),
            )
            Answer.objects.bulk_create(
                Answer(response=response, question=q, **_answer(q, rng, lift))
                for q in questions
                if participant.role in q.audience
            )
    return programme
