"""A finished demo programme with answered start and end surveys and HR leave dates.

Thirty mentees and thirty mentors, each a person of their own with their own HR record, and
120 colleagues hired at the same times who did not take part.

Answers are drawn the way real questionnaires behave: each respondent has a latent level
per scale (a general disposition plus a part specific to the scale), and each item is that
level plus noise, rounded to the 1-5 scale. Items of a scale therefore correlate (Cronbach's
alpha between 0.8 and 0.9) without copying each other, and the end wave shows a modest
gain that varies from person to person.

Deterministic and idempotent: a second run finds the programme and changes nothing. Rows
are written directly rather than through the services, so seeding sends no e-mail and
can answer surveys that closed long ago.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
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
# Mean answer per scale at each wave; the end wave is asked after ten months of mentoring.
MEANS: dict[str, tuple[float | None, float | None]] = {
    "readiness": (3.4, None),
    "career_confidence": (3.1, 3.65),
    "relationship_quality": (None, 3.8),
    "career_support": (None, 3.8),
    "psychosocial_support": (None, 3.75),
    "mentor_learning": (None, 3.7),
    "programme_design": (None, 3.8),
    "goals": (None, 3.7),
}
GENERAL_SD = 0.55  # how much people differ overall
SPECIFIC_SD = 0.6  # ... and scale by scale
ITEM_NOISE_SD = 0.45  # how much one answer strays from the person's level
GAIN_SD = 0.35  # how much the change from start to end differs between people


@dataclass
class Respondent:
    """One participant's latent levels, drawn once and used for both waves."""

    general: float
    specific: dict[str, float] = field(default_factory=dict)
    gain: dict[str, float] = field(default_factory=dict)

    @classmethod
    def draw(cls, rng: random.Random) -> Respondent:
        return cls(
            general=rng.gauss(0, GENERAL_SD),
            specific={c: rng.gauss(0, SPECIFIC_SD) for c in MEANS},
            gain={c: rng.gauss(0, GAIN_SD) for c in MEANS},
        )

    def level(self, construct: str, wave: str) -> float | None:
        start, end = MEANS.get(construct, (3.5, 3.5))
        mean = start if wave == "start" else end
        if mean is None:
            return None
        shift = self.gain.get(construct, 0.0) if wave == "end" else 0.0
        return mean + self.general + self.specific.get(construct, 0.0) + shift


def _rng(*parts: object) -> random.Random:
    """A generator of its own for one part of the demo (one person's answers), so that what
    is drawn for one never depends on what was drawn before it."""
    return random.Random("-".join(str(part) for part in ("demo", *parts)))


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


def _scale(value: float, low: int, high: int) -> int:
    return max(low, min(high, round(value)))


def _answer(
    question: Any, position: int, wave: str, respondent: Respondent, rng: random.Random
) -> dict[str, Any]:
    if question.kind == "scale_1_5":
        level = respondent.level(question.construct, wave)
        # Items of a scale differ a little in how easy they are to agree with.
        offset = (0.1, -0.15, 0.05)[position % 3]
        return {"number": _scale((level or 3.5) + offset + rng.gauss(0, ITEM_NOISE_SD), 1, 5)}
    if question.kind == "nps":
        return {"number": _scale(8.0 + 1.6 * respondent.general + rng.gauss(0, 1.2), 0, 10)}
    if question.kind == "single":
        quality = respondent.general + respondent.specific["relationship_quality"]
        value = "yes" if quality > 0 else "maybe" if quality > -0.8 else "no"
        values = [c["value"] for c in question.choices]
        return {"choices": [value if value in values else values[0]]}
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
            hired = dt.date(2023 if role == "mentee" else 2012, 1 + i % 12, 1 + i % 27)
            # The role in full: "EVAL-MENTEE-07" and "EVAL-MENTOR-07" are two people.
            person = _person(
                organisation,
                f"EVAL-{role.upper()}-{i:02d}",
                rng,
                level=level,
                hire_date=hired,
                leave_date=_leave(rng, leave_share),
                email=email,
            )
            user = person.user
            if user is None:
                user = User.objects.filter(email=email).first() or User.objects.create_user(
                    email=email, full_name=person.full_name, password=None
                )
                Person.objects.filter(pk=person.pk).update(user=user)
                person.user = user
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
    respondents = {
        p.pk: Respondent.draw(_rng("respondent", p.person.employee_id)) for p in everyone
    }
    for wave, opens in (("start", START), ("end", END - dt.timedelta(days=20))):
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
        position: dict[int, int] = {}
        for question in questions:
            same = [q for q in questions if q.construct and q.construct == question.construct]
            position[question.pk] = same.index(question) if question in same else 0
        for participant in everyone:
            assert participant.user is not None  # every demo participant has a login
            draws = _rng(wave, participant.person.employee_id)
            answered = draws.random() < 0.88
            Invitation.objects.create(
                survey=survey,
                user=participant.user,
                person=participant.person,
                participant=participant,
                role=participant.role,
                sent_at=_at(opens),
                answered_at=_at(opens + dt.timedelta(days=draws.randint(0, 20)))
                if answered
                else None,
            )
            if not answered:
                continue
            response = Response.objects.create(
                survey=survey,
                key=pseudonymous_key(programme.pk, participant.person_id),
                role=participant.role,
                language=draws.choice(["en", "da"]),
            )
            respondent = respondents[participant.pk]
            Answer.objects.bulk_create(
                Answer(
                    response=response,
                    question=q,
                    **_answer(q, position[q.pk], wave, respondent, draws),
                )
                for q in questions
                if participant.role in q.audience
            )
    return programme
