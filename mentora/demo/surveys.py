"""A finished demo programme with answered start and end surveys, pairs that met, and HR
leave dates, so that its outcome report is full.

Dates come from the demo calendar: the programme started more than two years before the
demo was seeded (two years of retention to report) and ended over a year before. Thirty
mentees and thirty mentors, each a person of their own with their own HR record, and 120
colleagues hired at the same times who did not take part.

Answers are drawn the way real questionnaires behave: each respondent has a latent level
per scale (a general disposition plus a part specific to the scale), and each item is that
level plus noise, rounded to the 1-5 scale. Items of a scale therefore correlate (Cronbach's
alpha of about 0.8 to 0.9) without copying each other, and the end wave shows a modest
gain that varies from person to person.

Deterministic and idempotent: a second run finds the programme and changes nothing. Rows
are written directly rather than through the services, so seeding sends no e-mail and
can answer surveys that closed long ago.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from mentora.accounts.models import Membership, Organisation, Role, User
from mentora.demo.calendar import DemoCalendar
from mentora.demo.participants import participant_add
from mentora.demo.programmes import EVALUATED, design, find_programme
from mentora.demo.relationships import agreement_add
from mentora.people.models import Person
from mentora.programmes.models import (
    GoalMeasure,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeGoal,
)
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.surveys.models import (
    Answer,
    Instrument,
    Invitation,
    Response,
    Survey,
    pseudonymous_key,
)

S = ParticipantStatus
PAIRS = 30
COMPARISON = 120
FIRST_NAMES = ["Anna", "Bo", "Clara", "Dan", "Emma", "Frej", "Gry", "Hans", "Ida", "Jens"]
LAST_NAMES = ["Holm", "Lund", "Berg", "Krogh", "Dahl", "Vinter", "Skov", "Bech", "Falk", "Juhl"]
# Employee ids say the role in full: "EVAL-MENTEE-07" and "EVAL-MENTOR-07" are two people.
ROLES = (
    # role, level, share who leave the company by the time of the demo
    (ParticipantRole.MENTEE, 2, 0.12),
    (ParticipantRole.MENTOR, 7, 0.08),
)
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
MEETING_EVERY_DAYS = 28
# Set at design time, the first as the primary outcome; the report shows which were met.
EVALUATED_GOALS: list[dict[str, Any]] = [
    {
        "text": "85% of participants still with us two years after the start",
        "measure": GoalMeasure.RETENTION,
        "target": Decimal(85),
        "horizon_months": 24,
        "primary": True,
    },
    {
        "text": "Graduates feel sure about their next step (career confidence 3.5 or more)",
        "measure": GoalMeasure.SCALE_MEAN,
        "construct": "career_confidence",
        "target": Decimal("3.5"),
    },
    {
        "text": "Participants recommend the programme (NPS of 10 or more)",
        "measure": GoalMeasure.NPS,
        "target": Decimal(10),
    },
    {
        "text": "Nine in ten pairs meet at least eight times",
        "measure": GoalMeasure.PAIRS_MET,
        "min_meetings": 8,
        "target": Decimal(90),
    },
]


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


# Share of the invited who answer each wave (at the end, of those who answered the start).
ANSWER_RATE = {"start": 0.88, "end": 0.8}


def _rng(*parts: object) -> random.Random:
    """A generator of its own for one part of the demo (one person's answers, one pair's
    meetings), so that what is drawn for one never depends on what was drawn before it, nor
    on the day the demo is seeded."""
    return random.Random("-".join(str(part) for part in ("demo", *parts)))


def _leave(rng: random.Random, share: float, earliest: dt.date, latest: dt.date) -> dt.date | None:
    if rng.random() >= share:
        return None
    # A share of the window rather than a number of days: the same people leave, at the
    # same point of their story, whichever day the demo is seeded.
    return earliest + dt.timedelta(days=int(rng.random() * (latest - earliest).days))


def _person(
    organisation: Organisation, employee_id: str, rng: random.Random, **values: Any
) -> Person:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    person, _created = Person.objects.get_or_create(
        organisation=organisation,
        employee_id=employee_id,
        defaults={"first_name": first, "last_name": last, **values},
    )
    return person


def _hired(rng: random.Random, start: dt.date, role: str) -> dt.date:
    """Graduates joined in the year before the programme; mentors are long-serving."""
    days = rng.randint(60, 420) if role == ParticipantRole.MENTEE else rng.randint(1460, 5840)
    return start - dt.timedelta(days=days)


@transaction.atomic
def seed_surveys(*, organisation: Organisation, calendar: DemoCalendar | None = None) -> Programme:
    """Build (once) a finished programme with a full outcome report for the demo."""
    existing = find_programme(organisation, EVALUATED)
    if existing is not None:
        return existing
    calendar = calendar or DemoCalendar.for_today()
    start, end = calendar.evaluated_start, calendar.evaluated_end
    # HR leave dates lie between the start (everyone was employed then) and last week.
    last_leave = calendar.today - dt.timedelta(days=7)
    rng = random.Random(2024)
    manager = (
        User.objects.filter(
            memberships__organisation=organisation, memberships__role=Role.PROGRAMME_MANAGER
        )
        .order_by("pk")
        .first()
    )
    invited = calendar.at(start - dt.timedelta(days=60))
    programme = Programme.objects.create(
        organisation=organisation,
        name=f"{EVALUATED} {start.year} (evaluated)",
        purpose="Keep and develop the graduates we hire.",
        start_date=start,
        end_date=end,
        languages=["en", "da"],
        created_at=invited - dt.timedelta(days=30),
    )
    ProgrammeGoal.objects.bulk_create(
        ProgrammeGoal(programme=programme, position=position, **values)
        for position, values in enumerate(EVALUATED_GOALS)
    )
    if manager is not None:
        programme.managers.add(manager)
    for membership in Membership.objects.filter(organisation=organisation, role=Role.SPONSOR):
        programme.sponsors.add(membership.user)
    design(
        programme,
        manager,
        mentor_preparation=calendar.at(start - dt.timedelta(days=14)),
        mentee_kickoff=calendar.at(start - dt.timedelta(days=10)),
    )

    people: dict[str, list[Person]] = {}
    for role, level, leave_share in ROLES:
        people[role] = []
        for i in range(1, PAIRS + 1):
            email = f"eval-{role}-{i:02d}@example.org"
            # Mentors stayed at least until the programme ended; a graduate may leave sooner.
            earliest = start if role == ParticipantRole.MENTEE else end
            person = _person(
                organisation,
                f"EVAL-{role.upper()}-{i:02d}",
                rng,
                level=level,
                hire_date=_hired(rng, start, role),
                leave_date=_leave(rng, leave_share, earliest + dt.timedelta(days=30), last_leave),
                email=email,
            )
            if person.user is None:
                user = User.objects.filter(email=email).first() or User.objects.create_user(
                    email=email, full_name=person.full_name, password=None
                )
                Person.objects.filter(pk=person.pk).update(user=user)
                person.user = user
            people[role].append(person)
    # Colleagues who did not take part, hired at the same times, for the retention comparison.
    for i in range(1, COMPARISON + 1):
        role = ParticipantRole.MENTEE if i % 2 == 0 else ParticipantRole.MENTOR
        _person(
            organisation,
            f"EVAL-CMP-{i:03d}",
            rng,
            level=2 if role == ParticipantRole.MENTEE else 7,
            hire_date=_hired(rng, start, role),
            leave_date=_leave(
                rng,
                0.25 if role == ParticipantRole.MENTEE else 0.12,
                start + dt.timedelta(days=30),
                last_leave,
            ),
        )

    matched = calendar.at(start + dt.timedelta(days=10))
    closed = calendar.at(end, 15)
    respondents: dict[int, Respondent] = {}
    participants = []
    for n, (mentee_person, mentor_person) in enumerate(
        zip(people["mentee"], people["mentor"], strict=True)
    ):
        # A graduate who left the company during the programme withdrew on their last day.
        left = mentee_person.leave_date
        withdrew = left is not None and left < end - dt.timedelta(days=14)
        pair_end = calendar.at(left, 15) if withdrew and left else closed
        first_meeting = matched + dt.timedelta(days=8, hours=1)
        steps: dict[str, dt.datetime] = {
            S.MATCHED: matched,
            S.ACTIVE: first_meeting + dt.timedelta(hours=1),
        }
        mentor = participant_add(
            programme=programme,
            person=mentor_person,
            role=ParticipantRole.MENTOR,
            status=S.COMPLETED,
            invited_at=invited + dt.timedelta(minutes=10 * n),
            actor=manager,
            index=n,
            at={**steps, S.COMPLETED: closed},
        )
        mentee = participant_add(
            programme=programme,
            person=mentee_person,
            role=ParticipantRole.MENTEE,
            status=S.WITHDRAWN if withdrew else S.COMPLETED,
            invited_at=invited + dt.timedelta(minutes=10 * n + 5),
            actor=manager,
            index=n,
            path=[
                S.INVITED,
                S.APPLIED,
                S.NEEDS_LINE_MANAGER,
                S.APPROVED,
                S.TRAINED,
                S.READY,
                S.MATCHED,
                S.ACTIVE,
                S.WITHDRAWN if withdrew else S.COMPLETED,
            ],
            at={**steps, S.WITHDRAWN: pair_end - dt.timedelta(hours=6), S.COMPLETED: closed},
            notes={S.WITHDRAWN: "Left the company."},
        )
        pair = Pair.objects.create(
            programme=programme,
            mentee=mentee,
            mentor=mentor,
            score=round(rng.uniform(0.55, 0.95), 2),
            started_at=matched,
            ended_at=pair_end,
        )
        draws = _rng("pair", n)
        together = Respondent.draw(draws)
        agreement_add(
            pair,
            at=first_meeting,
            end_date=end,
            meeting_frequency="Every fourth week",
            learning_goals="Find my feet; build a network.",
            ways_of_working="We meet at the office; the mentee sends the agenda.",
        )
        meeting = last_meeting = first_meeting
        while meeting < pair_end - dt.timedelta(days=3):
            rating = together.general + together.specific["relationship_quality"]
            Meeting.objects.create(
                pair=pair,
                starts_at=meeting,
                mode="in_person",
                mentee_rating=_scale(4.1 + rating + draws.gauss(0, 0.5), 1, 5),
                mentor_rating=_scale(4.0 + rating + draws.gauss(0, 0.5), 1, 5),
                created_at=meeting - dt.timedelta(days=7),
            )
            last_meeting = meeting
            meeting += dt.timedelta(days=MEETING_EVERY_DAYS)
        for theme in ("Presenting", "Networking"):
            progress = draws.choice([25, 50]) if withdrew else draws.choice([50, 75, 100, 100])
            Goal.objects.create(pair=pair, theme=theme, progress=progress, updated_at=last_meeting)
        respondents[mentee.pk] = Respondent.draw(_rng("respondent", mentee_person.employee_id))
        respondents[mentor.pk] = Respondent.draw(_rng("respondent", mentor_person.employee_id))
        participants += [mentee, mentor]

    for wave, opens, closes in (
        ("start", calendar.at(start), calendar.at(start + dt.timedelta(days=21), 17)),
        (
            "end",
            calendar.at(end - dt.timedelta(days=28)),
            calendar.at(end - dt.timedelta(days=7), 17),
        ),
    ):
        instrument = Instrument.objects.get(source="builtin", slug=f"mentora-{wave}")
        survey = Survey.objects.create(
            programme=programme,
            instrument=instrument,
            wave=wave,
            roles=["mentor", "mentee"],
            opens_at=opens,
            closes_at=closes,
            sent_at=opens,
            created_at=opens - dt.timedelta(days=7),
        )
        questions = list(instrument.questions.all())
        position: dict[int, int] = {}
        for question in questions:
            same = [q for q in questions if q.construct and q.construct == question.construct]
            position[question.pk] = same.index(question) if question in same else 0
        for participant in participants:
            if participant.status_changed_at < opens and participant.status == S.WITHDRAWN:
                continue  # left the company before the survey was sent
            assert participant.user is not None  # every evaluated participant has a login
            draws = _rng(wave, participant.person.employee_id)
            answered = draws.random() < ANSWER_RATE[wave]
            if wave == "end":
                # Who ignored the start survey ignores the end one too: the end wave's
                # respondents are some of the start's, as in most programmes' attrition.
                answered = (
                    answered
                    and _rng("start", participant.person.employee_id).random()
                    < (ANSWER_RATE["start"])
                )
            Invitation.objects.create(
                survey=survey,
                user=participant.user,
                person=participant.person,
                participant=participant,
                role=participant.role,
                sent_at=opens,
                answered_at=opens
                + dt.timedelta(days=draws.randint(0, 13), hours=draws.randint(0, 7))
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
