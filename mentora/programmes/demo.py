"""Demo programmes: a graduate onboarding programme and a two-way cross-organisation one.

Deterministic and idempotent: a second run finds everything in place and changes nothing.
Participants are written directly, with their history, rather than through the services,
so that seeding sends no e-mail.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from mentora.accounts import services as account_services
from mentora.accounts.models import Organisation, User
from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.programmes import services
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
    Question,
    ScreeningOutcome,
    Workshop,
    WorkshopAttendance,
)

S = ParticipantStatus
GRADUATE = "Graduate onboarding 2027"
EXCHANGE = "Nordic leadership exchange 2027"
THEMES = [
    "Leadership",
    "Career planning",
    "Networking",
    "Stakeholder management",
    "Presenting",
    "Work-life balance",
]
# Every status of the pipeline, so the demo shows each column of the board.
STATUSES: list[str] = [
    S.INVITED,
    S.APPLIED,
    S.UNDER_REVIEW,
    S.NEEDS_LINE_MANAGER,
    S.APPROVED,
    S.DECLINED,
    S.TRAINED,
    S.READY,
    S.MATCHED,
    S.ACTIVE,
    S.COMPLETED,
    S.WITHDRAWN,
]
PARTNERS = [
    # slug, name, competes with the demo organisation
    ("fjordkraft", "Fjord Kraft AS", True),
    ("havnlogistik", "Havn Logistik A/S", False),
]
PARTNER_PEOPLE = [
    # employee id suffix, first, last, level, manager suffix
    ("01", "Kari", "Nordmann", 8, ""),
    ("02", "Per", "Hansen", 6, "01"),
    ("03", "Ingrid", "Lie", 6, "01"),
    ("04", "Ola", "Berg", 4, "02"),
    ("05", "Siri", "Dahl", 3, "02"),
    ("06", "Jonas", "Moe", 2, "03"),
    ("07", "Nora", "Vik", 2, "03"),
    ("08", "Emil", "Strand", 5, "02"),
]


def _path(role: str, status: str) -> list[str]:
    """The statuses a participant passed through to reach `status`."""
    review = S.NEEDS_LINE_MANAGER if role == ParticipantRole.MENTEE else S.UNDER_REVIEW
    main: list[str] = [
        S.INVITED,
        S.APPLIED,
        review,
        S.APPROVED,
        S.TRAINED,
        S.READY,
        S.MATCHED,
        S.ACTIVE,
    ]
    main.append(S.COMPLETED)
    if status == S.DECLINED:
        return [S.INVITED, S.APPLIED, review, S.DECLINED]
    if status == S.WITHDRAWN:
        return [S.INVITED, S.APPLIED, S.WITHDRAWN]
    if status in (S.UNDER_REVIEW, S.NEEDS_LINE_MANAGER):
        return [S.INVITED, S.APPLIED, status]
    return main[: main.index(status) + 1] if status in main else [S.INVITED]


def _design(programme: Programme, manager: User) -> None:
    """Questionnaire, touchpoints and workshops of a freshly created demo programme."""
    start = programme.start_date or dt.date(2027, 1, 1)
    for kind, days, title in (
        ("kickoff", 0, "Kick-off"),
        ("training", 14, "Feedback skills"),
        ("midway", 150, "Midway check-in"),
        ("evaluation", 290, "Final evaluation"),
        ("closing", 300, "Closing and diplomas"),
    ):
        services.touchpoint_add(
            programme=programme,
            kind=kind,
            date=start + dt.timedelta(days=days),
            title=title,
            actor=manager,
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
        services.question_add(programme=programme, actor=manager, **question)
    moment = dt.datetime.combine(start, dt.time(9, 0), tzinfo=dt.UTC)
    services.workshop_create(
        programme=programme,
        title="Mentor preparation",
        starts_at=moment - dt.timedelta(days=14),
        place="Copenhagen, room 4.1",
        capacity=30,
        required_for="mentor",
        actor=manager,
    )
    services.workshop_create(
        programme=programme,
        title="Mentee kick-off",
        starts_at=moment - dt.timedelta(days=10),
        online_link="https://meet.example.org/kick-off",
        capacity=40,
        required_for="mentee",
        actor=manager,
    )


def _programme(
    *,
    organisation: Organisation,
    name: str,
    kind: str,
    manager: User,
    sponsor: User | None,
    **values: Any,
) -> Programme:
    existing = Programme.objects.filter(organisation=organisation, name=name).first()
    if existing is not None:
        return existing
    programme = services.programme_create(
        organisation=organisation,
        actor=manager,
        name=name,
        kind=kind,
        delivery="hybrid" if kind == ProgrammeKind.CROSS_TWO_WAY else "in_person",
        purpose=(
            "Help new graduates find their feet, build a network and stay with us."
            if kind == ProgrammeKind.ONE_TO_ONE
            else "Develop tomorrow's leaders by exchanging mentors and mentees across companies."
        ),
        goals="85% of graduates still with us after two years\n"
        "Every mentee meets their mentor at least eight times",
        languages=["da", "en"],
        start_date=dt.date(2027, 1, 15),
        end_date=dt.date(2027, 11, 15),
        applications_open=True,
        **values,
    )
    programme.managers.add(manager)
    if sponsor is not None:
        programme.sponsors.add(sponsor)
    _design(programme, manager)
    return programme


def _participant(
    *, programme: Programme, person: Person, role: str, status: str, index: int, actor: User
) -> None:
    if Participant.objects.filter(programme=programme, person=person, role=role).exists():
        return
    path = _path(role, status)
    base = dt.datetime(2026, 9, 1, 9, 0, tzinfo=dt.UTC) + dt.timedelta(hours=index)
    questions = {q.maps_to or q.kind: q for q in programme.questions.filter(role=role)}
    themes = [THEMES[(index + k) % len(THEMES)] for k in range(2)]
    answers: dict[str, Any] = {}
    if status != S.INVITED:
        if "themes" in questions:
            answers[str(questions["themes"].pk)] = themes
        if "goals" in questions:
            answers[str(questions["goals"].pk)] = "Grow into a team lead within two years."
        if "long_text" in questions:
            answers[str(questions["long_text"].pk)] = "I had a mentor myself and want to give back."
    passed = role == ParticipantRole.MENTOR and S.APPROVED in path
    participant = Participant.objects.create(
        programme=programme,
        person=person,
        user=person.user,
        role=role,
        status=status,
        status_changed_at=base + dt.timedelta(days=len(path)),
        answers=answers,
        decline_reason="Not enough time this year." if status == S.DECLINED else "",
        screening_at=base + dt.timedelta(days=3) if passed or status == S.UNDER_REVIEW else None,
        screening_outcome=ScreeningOutcome.PASSED if passed else "",
        screening_notes="Listens well; has time every other week." if passed else "",
        line_manager_decision=(
            LineManagerDecision.APPROVED
            if role == ParticipantRole.MENTEE and S.APPROVED in path
            else LineManagerDecision.PENDING
            if status == S.NEEDS_LINE_MANAGER
            else ""
        ),
        created_at=base,
    )
    participant.profile = services.profile_build(
        participant=participant, questions=list(Question.objects.filter(programme=programme))
    )
    participant.save(update_fields=["profile"])
    previous = ""
    for step, to_status in enumerate(path):
        ParticipantEvent.objects.create(
            participant=participant,
            from_status=previous,
            to_status=to_status,
            actor=actor,
            at=base + dt.timedelta(days=step + 1),
        )
        previous = to_status
    if S.TRAINED in path:
        for workshop in Workshop.objects.filter(programme=programme):
            if workshop.is_required_for(role):
                WorkshopAttendance.objects.get_or_create(workshop=workshop, participant=participant)


def _partner(slug: str, name: str) -> tuple[Organisation, list[Person]]:
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
    for suffix, first, last, level, manager in PARTNER_PEOPLE:
        person, _ = Person.objects.get_or_create(
            organisation=organisation,
            employee_id=f"{slug[:3].upper()}{suffix}",
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}@{slug}.example".lower(),
                "level": level,
                "org_unit": unit,
                "manager": people.get(manager),
                "location": "Oslo" if slug == "fjordkraft" else "Aarhus",
                "timezone": "Europe/Oslo" if slug == "fjordkraft" else "Europe/Copenhagen",
                "languages": ["no", "en"] if slug == "fjordkraft" else ["da", "en"],
            },
        )
        people[suffix] = person
    return organisation, list(people.values())


def _user(email: str) -> User | None:
    return User.objects.filter(email=email).first()


@transaction.atomic
def seed_programmes(*, organisation: Organisation) -> None:
    """Add the demo programmes to `organisation` (the demo organisation from `seed_demo`)."""
    manager = _user("manager@example.org")
    if manager is None:
        raise RuntimeError("Seed the demo organisation first: its personas are missing.")
    sponsor = _user("sponsor@example.org")
    staff = list(Person.objects.filter(organisation=organisation, user__isnull=True))
    staff.sort(key=lambda p: p.employee_id)
    juniors = [p for p in staff if (p.level or 0) <= 2]
    seniors = [p for p in staff if (p.level or 0) in (4, 5)]

    # A one-to-one graduate programme with a participant at every status; each mentor
    # takes up to two graduates.
    graduate = _programme(
        organisation=organisation,
        name=GRADUATE,
        kind=ProgrammeKind.ONE_TO_ONE,
        manager=manager,
        sponsor=sponsor,
        max_mentees_per_mentor=2,
    )
    mentee_statuses = [s for s in STATUSES if s != S.UNDER_REVIEW]
    mentor_statuses = [s for s in STATUSES if s != S.NEEDS_LINE_MANAGER]
    for index, (person, status) in enumerate(zip(juniors, mentee_statuses, strict=False)):
        _participant(
            programme=graduate,
            person=person,
            role=ParticipantRole.MENTEE,
            status=status,
            index=index,
            actor=manager,
        )
    for index, (person, status) in enumerate(zip(seniors, mentor_statuses, strict=False)):
        _participant(
            programme=graduate,
            person=person,
            role=ParticipantRole.MENTOR,
            status=status,
            index=100 + index,
            actor=manager,
        )
    # The demo logins: the mentee waits for the line manager, the mentor is ready to match.
    mentee = Person.objects.filter(user__email="mentee@example.org").first()
    mentor = Person.objects.filter(user__email="mentor@example.org").first()
    if mentee is not None:
        _participant(
            programme=graduate,
            person=mentee,
            role=ParticipantRole.MENTEE,
            status=S.NEEDS_LINE_MANAGER,
            index=200,
            actor=manager,
        )
    if mentor is not None:
        _participant(
            programme=graduate,
            person=mentor,
            role=ParticipantRole.MENTOR,
            status=S.READY,
            index=201,
            actor=manager,
        )

    # A two-way exchange between three organisations, two of which compete.
    partners = [(_partner(slug, name), competes) for slug, name, competes in PARTNERS]
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
        name=EXCHANGE,
        kind=ProgrammeKind.CROSS_TWO_WAY,
        manager=manager,
        sponsor=sponsor,
    )
    if not exchange.contributions.exists():
        services.programme_set_organisations(
            programme=exchange,
            contributions=[(org, True, True) for (org, _people), _c in partners],
            actor=manager,
        )
    home_mentees = juniors[len(mentee_statuses) : len(mentee_statuses) + 4]
    home_mentors = seniors[len(mentor_statuses) : len(mentor_statuses) + 4]
    cohort: list[tuple[Person, str]] = [(p, ParticipantRole.MENTEE) for p in home_mentees]
    cohort += [(p, ParticipantRole.MENTOR) for p in home_mentors]
    for (_org, people), _c in partners:
        cohort += [(p, ParticipantRole.MENTOR) for p in people if (p.level or 0) >= 4]
        cohort += [(p, ParticipantRole.MENTEE) for p in people if (p.level or 0) < 4]
    for index, (person, role) in enumerate(cohort):
        status = STATUSES[index % len(STATUSES)]
        if role == ParticipantRole.MENTOR and status == S.NEEDS_LINE_MANAGER:
            status = S.UNDER_REVIEW
        if role == ParticipantRole.MENTEE and status == S.UNDER_REVIEW:
            status = S.APPLIED
        _participant(
            programme=exchange,
            person=person,
            role=role,
            status=status,
            index=300 + index,
            actor=manager,
        )
    if mentor is not None:
        _participant(
            programme=exchange,
            person=mentor,
            role=ParticipantRole.MENTOR,
            status=S.APPROVED,
            index=400,
            actor=manager,
        )
