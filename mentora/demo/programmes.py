"""Demo programmes: a running graduate onboarding programme and a two-way cross-organisation
exchange that starts in a few weeks.

Every date is relative to the day the demo is first seeded (see `DemoCalendar`), so the
demo tells the same story whichever day it is built. Deterministic and idempotent: a second
run finds everything in place and changes nothing, whatever the day. Participants are
written directly, with their history, rather than through the services, so that seeding
sends no e-mail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import transaction

from mentora.accounts import services as account_services
from mentora.accounts.models import Organisation, User
from mentora.demo.calendar import DemoCalendar
from mentora.demo.participants import THEMES, free_staff, participant_add
from mentora.events import services as event_services
from mentora.events.models import RequiredFor
from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.programmes.models import (
    GoalMeasure,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.programmes.services import design as design_services
from mentora.programmes.services import questionnaire
from mentora.programmes.services.goals import goal_add

S = ParticipantStatus
# Demo programmes are named after the year they start in, e.g. "Graduate onboarding 2026".
GRADUATE = "Graduate onboarding"
EXCHANGE = "Nordic leadership exchange"
EVALUATED = "Graduate programme"
# The goals of the running programmes, set at design time.
DESIGNED_GOALS: list[dict[str, Any]] = [
    {
        "text": "85% of graduates still with us after two years",
        "measure": GoalMeasure.RETENTION,
        "target": Decimal(85),
        "horizon_months": 24,
        "primary": True,
    },
    {
        "text": "Every mentee meets their mentor at least eight times",
        "measure": GoalMeasure.PAIRS_MET,
        "min_meetings": 8,
        "target": Decimal(100),
    },
]
# The graduate programme is under way: who has not been matched is either a late applicant
# or someone from the first intake who stopped on the way.
LATE_STATUSES: list[str] = [S.INVITED, S.APPLIED, S.UNDER_REVIEW, S.NEEDS_LINE_MANAGER]
HELD_BACK_STATUSES: list[str] = [S.APPROVED, S.DECLINED, S.TRAINED, S.WITHDRAWN, S.LEFT]
# The exchange has not started: its participants are anywhere before a match.
EXCHANGE_STATUSES: list[str] = [
    S.INVITED,
    S.APPLIED,
    S.UNDER_REVIEW,
    S.NEEDS_LINE_MANAGER,
    S.APPROVED,
    S.DECLINED,
    S.TRAINED,
    S.READY,
    S.WITHDRAWN,
]
PARTNERS = [
    # slug, name, competes with the demo organisation
    ("fjordkraft", "Fjord Kraft AS", True),
    ("havnlogistik", "Havn Logistik A/S", False),
]
# Both partners' leadership development units have the same shape: a director, two team
# leads and their teams.
PARTNER_CHART: list[tuple[str, int, str]] = [
    # employee id suffix, level, manager suffix
    ("01", 8, ""),
    ("02", 6, "01"),
    ("03", 6, "01"),
    ("04", 4, "02"),
    ("05", 3, "02"),
    ("06", 2, "03"),
    ("07", 2, "03"),
    ("08", 5, "02"),
]
# Who holds each place of the chart, in the chart's order.
PARTNER_NAMES: dict[str, list[tuple[str, str]]] = {
    "fjordkraft": [
        ("Kari", "Nordmann"),
        ("Per", "Hansen"),
        ("Ingrid", "Lie"),
        ("Ola", "Berg"),
        ("Siri", "Dahl"),
        ("Jonas", "Moe"),
        ("Nora", "Vik"),
        ("Emil", "Strand"),
    ],
    "havnlogistik": [
        ("Birgitte", "Skov"),
        ("Niels", "Krogh"),
        ("Hanne", "Bech"),
        ("Jakob", "Lund"),
        ("Signe", "Friis"),
        ("Troels", "Vang"),
        ("Ditte", "Winther"),
        ("Kasper", "Bruun"),
    ],
}
# Partner employees have been with their company since before any demo programme.
PARTNER_HIRED_YEARS_AGO = 6


def find_programme(organisation: Organisation, title: str) -> Programme | None:
    """The demo programme called `title` and its year, whichever day it was seeded."""
    return (
        Programme.objects.filter(organisation=organisation, name__startswith=f"{title} ")
        .order_by("pk")
        .first()
    )


def design(
    programme: Programme,
    manager: User | None,
    *,
    mentor_preparation: dt.datetime,
    mentee_kickoff: dt.datetime,
) -> None:
    """Questionnaire, touchpoints and preparation workshops of a freshly created demo
    programme; touchpoints fall between its start and its end."""
    if programme.start_date is None or programme.end_date is None:
        raise ValueError("A demo programme has dates.")
    start, end = programme.start_date, programme.end_date
    for kind, day, title in (
        ("kickoff", start, "Kick-off"),
        ("training", start + dt.timedelta(days=14), "Feedback skills"),
        ("midway", start + (end - start) / 2, "Midway check-in"),
        ("evaluation", end - dt.timedelta(days=14), "Final evaluation"),
        ("closing", end, "Closing and diplomas"),
    ):
        questionnaire.touchpoint_add(
            programme=programme, kind=kind, date=day, title=title, actor=manager
        )
    questions: list[dict[str, Any]] = [
        {
            "role": "mentee",
            "text": "What do you want to learn?",
            "kind": "ranked_themes",
            "choices": THEMES,
            "maps_to": "themes",
            "required": True,
        },
        {
            "role": "mentee",
            "text": "What would you like to achieve?",
            "kind": "long_text",
            "maps_to": "goals",
        },
        {
            "role": "mentee",
            "text": "People I would like as a mentor",
            "kind": "preferred_mentors",
            "maps_to": "preferences",
        },
        {
            "role": "mentee",
            "text": "How do you prefer to meet?",
            "kind": "single_choice",
            "choices": ["In person", "Online", "Either"],
            "maps_to": "meeting_mode",
        },
        {
            "role": "mentor",
            "text": "Why do you want to be a mentor?",
            "kind": "long_text",
            "required": True,
        },
        {
            "role": "mentor",
            "text": "Which themes can you help with?",
            "kind": "multiple_choice",
            "choices": THEMES,
            "maps_to": "themes",
        },
        {
            "role": "mentor",
            "text": "How many hours a month can you give?",
            "kind": "short_text",
            "maps_to": "availability",
        },
    ]
    for question in questions:
        questionnaire.question_add(programme=programme, actor=manager, **question)
    event_services.event_create(
        programme=programme,
        title="Mentor preparation",
        starts_at=mentor_preparation,
        place="Copenhagen, room 4.1",
        capacity=30,
        required_for=RequiredFor.MENTOR,
        actor=manager,
    )
    event_services.event_create(
        programme=programme,
        title="Mentee kick-off",
        starts_at=mentee_kickoff,
        online_link="https://meet.example.org/kick-off",
        capacity=40,
        required_for=RequiredFor.MENTEE,
        actor=manager,
    )


def _programme(
    *,
    organisation: Organisation,
    title: str,
    start: dt.date,
    end: dt.date,
    kind: str,
    manager: User,
    sponsor: User | None,
    invited: dt.datetime,
    preparation: tuple[dt.datetime, dt.datetime],
    **values: Any,
) -> Programme:
    existing = find_programme(organisation, title)
    if existing is not None:
        return existing
    programme = design_services.programme_create(
        organisation=organisation,
        actor=manager,
        name=f"{title} {start.year}",
        kind=kind,
        delivery="hybrid" if kind == ProgrammeKind.CROSS_TWO_WAY else "in_person",
        purpose=(
            "Help new graduates find their feet, build a network and stay with us."
            if kind == ProgrammeKind.ONE_TO_ONE
            else "Develop tomorrow's leaders by exchanging mentors and mentees across companies."
        ),
        languages=["da", "en"],
        start_date=start,
        end_date=end,
        applications_open=True,
        **values,
    )
    # Designed a month before the first invitations went out.
    created = invited - dt.timedelta(days=30)
    Programme.objects.filter(pk=programme.pk).update(created_at=created)
    programme.refresh_from_db()
    programme.managers.add(manager)
    if sponsor is not None:
        programme.sponsors.add(sponsor)
    for values in DESIGNED_GOALS:
        goal_add(programme=programme, actor=manager, **values)
    design(programme, manager, mentor_preparation=preparation[0], mentee_kickoff=preparation[1])
    return programme


def _partner(slug: str, name: str, calendar: DemoCalendar) -> tuple[Organisation, list[Person]]:
    organisation = Organisation.objects.filter(slug=slug).first()
    if organisation is None:
        organisation = account_services.organisation_create(name=name, slug=slug, actor=None)
    unit, _ = OrgUnit.objects.get_or_create(
        organisation=organisation,
        parent=None,
        name="Leadership Development",
        defaults={"kind": OrgUnitKind.DIVISION},
    )
    people: dict[str, Person] = {}
    for (suffix, level, manager), (first, last) in zip(
        PARTNER_CHART, PARTNER_NAMES[slug], strict=True
    ):
        people[suffix] = partner_person(
            organisation,
            f"{slug[:3].upper()}{suffix}",
            calendar,
            first_name=first,
            last_name=last,
            email=f"{first}.{last}@{slug}.example".lower(),
            level=level,
            org_unit=unit,
            manager=people.get(manager),
            location="Oslo" if slug == "fjordkraft" else "Aarhus",
            timezone="Europe/Oslo" if slug == "fjordkraft" else "Europe/Copenhagen",
            languages=["no", "en"] if slug == "fjordkraft" else ["da", "en"],
        )
    return organisation, list(people.values())


def partner_person(
    organisation: Organisation, employee_id: str, calendar: DemoCalendar, **values: Any
) -> Person:
    """The partner's employee `employee_id` (created with `values` on the first run), with
    the company since before any demo programme."""
    hired = calendar.today.replace(day=1) - dt.timedelta(days=365 * PARTNER_HIRED_YEARS_AGO)
    person, _created = Person.objects.get_or_create(
        organisation=organisation,
        employee_id=employee_id,
        defaults={**values, "hire_date": hired},
    )
    return person


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


@transaction.atomic
def seed_programmes(*, organisation: Organisation, calendar: DemoCalendar | None = None) -> None:
    """Add the demo programmes to `organisation` (the demo organisation from `seed_demo`)."""
    calendar = calendar or DemoCalendar.for_today()
    manager = _user("manager@example.org")
    if manager is None:
        raise RuntimeError("Seed the demo organisation first: its personas are missing.")
    sponsor = _user("sponsor@example.org")

    # A one-to-one graduate programme under way: each mentor takes up to two graduates.
    graduate_start = calendar.graduate_start
    graduate = _programme(
        organisation=organisation,
        title=GRADUATE,
        start=graduate_start,
        end=calendar.graduate_end,
        kind=ProgrammeKind.ONE_TO_ONE,
        manager=manager,
        sponsor=sponsor,
        invited=calendar.graduate_invited,
        preparation=(
            calendar.at(graduate_start - dt.timedelta(days=14)),
            calendar.at(graduate_start - dt.timedelta(days=10)),
        ),
        max_mentees_per_mentor=2,
    )
    if not graduate.participants.exists():
        _graduate_pipeline(organisation, graduate, calendar, manager)

    # A two-way exchange between three organisations, two of which compete.
    partners = [(_partner(slug, name, calendar), competes) for slug, name, competes in PARTNERS]
    rivals = [org for (org, _people), competes in partners if competes]
    current = list(organisation.competitors.all())
    if any(rival not in current for rival in rivals):
        account_services.organisation_set_competitors(
            organisation=organisation,
            competitors=current + [r for r in rivals if r not in current],
            actor=None,
        )
    exchange = _programme(
        organisation=organisation,
        title=EXCHANGE,
        start=calendar.exchange_start,
        end=calendar.exchange_end,
        kind=ProgrammeKind.CROSS_TWO_WAY,
        manager=manager,
        sponsor=sponsor,
        invited=calendar.exchange_invited,
        # Joint preparation of all three organisations, held before the round ran.
        preparation=(calendar.days_ago(10), calendar.days_ago(6)),
    )
    if not exchange.contributions.exists():
        design_services.programme_set_organisations(
            programme=exchange,
            contributions=[(org, True, True) for (org, _people), _c in partners],
            actor=manager,
        )
    if not exchange.participants.exists():
        _exchange_pipeline(organisation, exchange, partners, calendar, manager)


def _graduate_pipeline(
    organisation: Organisation, graduate: Programme, calendar: DemoCalendar, manager: User
) -> None:
    """Participants stopped at every step before a match. The matched cohort is added by
    the matching round (rounds/demo.py)."""
    first_intake = free_staff(organisation, employed_on=calendar.graduate_invited.date())
    late_intake = free_staff(organisation, employed_on=calendar.late_invited.date())
    used: set[int] = set()
    cohort: list[tuple[Person, str, str, dt.datetime]] = []
    for role, levels in ((ParticipantRole.MENTEE, (1, 2)), (ParticipantRole.MENTOR, (4, 5))):
        steps = [(s, calendar.graduate_invited, first_intake) for s in HELD_BACK_STATUSES]
        steps += [(s, calendar.late_invited, late_intake) for s in LATE_STATUSES]
        for status, invited, pool in steps:
            # Only mentees wait for a line manager; only mentors are screened.
            if status == S.NEEDS_LINE_MANAGER and role != ParticipantRole.MENTEE:
                continue
            if status == S.UNDER_REVIEW and role != ParticipantRole.MENTOR:
                continue
            person = next((p for p in pool if (p.level or 0) in levels and p.pk not in used), None)
            if person is None:
                continue  # a very small demo organisation
            used.add(person.pk)
            cohort.append((person, role, status, invited))
    _pipeline_add(graduate, cohort, manager, first_index=0)
    # The demo logins: the mentee applied late and waits for the line manager; the mentor
    # was prepared with the first intake and is matched by the round.
    _persona_add(
        graduate,
        "mentee@example.org",
        manager,
        role=ParticipantRole.MENTEE,
        status=S.NEEDS_LINE_MANAGER,
        invited_at=calendar.days_ago(12),
        index=200,
    )
    _persona_add(
        graduate,
        "mentor@example.org",
        manager,
        role=ParticipantRole.MENTOR,
        status=S.READY,
        invited_at=calendar.graduate_invited,
        index=201,
    )


def _exchange_pipeline(
    organisation: Organisation,
    exchange: Programme,
    partners: list[tuple[tuple[Organisation, list[Person]], bool]],
    calendar: DemoCalendar,
    manager: User,
) -> None:
    staff = free_staff(organisation, employed_on=calendar.exchange_invited.date())
    home_mentees = [p for p in staff if (p.level or 0) <= 2][:4]
    home_mentors = [p for p in staff if (p.level or 0) in (4, 5)][:4]
    cohort: list[tuple[Person, str]] = [(p, ParticipantRole.MENTEE) for p in home_mentees]
    cohort += [(p, ParticipantRole.MENTOR) for p in home_mentors]
    for (_org, people), _c in partners:
        cohort += [(p, ParticipantRole.MENTOR) for p in people if (p.level or 0) >= 4]
        cohort += [(p, ParticipantRole.MENTEE) for p in people if (p.level or 0) < 4]
    stopped: list[tuple[Person, str, str, dt.datetime]] = []
    for index, (person, role) in enumerate(cohort):
        status = EXCHANGE_STATUSES[index % len(EXCHANGE_STATUSES)]
        if role == ParticipantRole.MENTOR and status == S.NEEDS_LINE_MANAGER:
            status = S.UNDER_REVIEW
        if role == ParticipantRole.MENTEE and status == S.UNDER_REVIEW:
            status = S.APPLIED
        stopped.append((person, role, status, calendar.exchange_invited))
    _pipeline_add(exchange, stopped, manager, first_index=300)
    _persona_add(
        exchange,
        "mentor@example.org",
        manager,
        role=ParticipantRole.MENTOR,
        status=S.APPROVED,
        invited_at=calendar.exchange_invited,
        index=400,
    )


def _pipeline_add(
    programme: Programme,
    cohort: Iterable[tuple[Person, str, str, dt.datetime]],
    manager: User,
    *,
    first_index: int,
) -> None:
    """Each (person, role, status, invitation) of `cohort` as a participant stopped at that
    status; the invitations of an intake went out over eight hours."""
    for n, (person, role, status, invited) in enumerate(cohort):
        participant_add(
            programme=programme,
            person=person,
            role=role,
            status=status,
            invited_at=invited + dt.timedelta(hours=n % 8),
            actor=manager,
            index=first_index + n,
        )


def _persona_add(programme: Programme, email: str, manager: User, **values: Any) -> None:
    """The demo login `email` as a participant, where seeding gave it an HR record."""
    person = Person.objects.filter(user__email=email).first()
    if person is not None:
        participant_add(programme=programme, person=person, actor=manager, **values)
