"""A believable demo organisation: units, a full reporting-line tree, locations, time zones.

Deterministic (a fixed seed), so running it twice gives the same data: the
second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
import random
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from mentora.accounts import services as account_services
from mentora.accounts.models import Organisation, Role, User
from mentora.core.spreadsheets import csv_writer
from mentora.demo.calendar import DemoCalendar
from mentora.demo.privacy import seed_privacy
from mentora.demo.programmes import seed_programmes
from mentora.demo.relationships import seed_pair_support
from mentora.demo.rolling import seed_rolling
from mentora.demo.rounds import seed_rounds
from mentora.demo.surveys import seed_surveys
from mentora.people.importer.plan import apply_plan, plan_import
from mentora.people.importer.rows import COLUMNS
from mentora.people.models import Person

DEMO_PASSWORD = "demo"
ORGANISATION_SLUG = "nordlys"

STRUCTURE: dict[str, dict[str, list[str]]] = {
    "Operations": {
        "Wind Power": ["Offshore Maintenance", "Onshore Maintenance", "Asset Planning"],
        "Grid Services": ["Grid Operations", "Field Service"],
        "Health and Safety": ["Safety Engineering", "Environment"],
    },
    "Technology": {
        "Software Engineering": ["Platform", "Customer Apps", "Data Engineering"],
        "Infrastructure": ["Cloud", "Security"],
        "Analytics": ["Forecasting", "Business Intelligence"],
    },
    "Commercial": {
        "Sales": ["Corporate Sales", "Public Sector"],
        "Marketing": ["Brand", "Digital Marketing"],
        "Customer Care": ["Service Desk", "Key Accounts"],
    },
    "Corporate Functions": {
        "Finance": ["Accounting", "Controlling"],
        "People and Culture": ["Talent Development", "Recruitment", "HR Operations"],
        "Legal": ["Contracts", "Compliance"],
    },
}

LOCATIONS = [
    ("Copenhagen", "Europe/Copenhagen", ["da", "en"]),
    ("Aarhus", "Europe/Copenhagen", ["da", "en"]),
    ("Esbjerg", "Europe/Copenhagen", ["da", "en"]),
    ("Oslo", "Europe/Oslo", ["no", "en"]),
    ("London", "Europe/London", ["en"]),
    ("Houston", "America/Chicago", ["en", "es"]),
    ("Singapore", "Asia/Singapore", ["en", "zh"]),
]
# Most people work at head office; the rest spread over the other sites.
LOCATION_WEIGHTS = [40, 20, 10, 10, 10, 5, 5]

FIRST_NAMES = [
    ("Anna", "female"),
    ("Mette", "female"),
    ("Sofie", "female"),
    ("Ida", "female"),
    ("Freja", "female"),
    ("Ingrid", "female"),
    ("Priya", "female"),
    ("Aisha", "female"),
    ("Mei", "female"),
    ("Laura", "female"),
    ("Camila", "female"),
    ("Nora", "female"),
    ("Emma", "female"),
    ("Karen", "female"),
    ("Lærke", "female"),
    ("Fatima", "female"),
    ("Lars", "male"),
    ("Mads", "male"),
    ("Søren", "male"),
    ("Jonas", "male"),
    ("Henrik", "male"),
    ("Ole", "male"),
    ("Ravi", "male"),
    ("Omar", "male"),
    ("Wei", "male"),
    ("James", "male"),
    ("Diego", "male"),
    ("Magnus", "male"),
    ("Rasmus", "male"),
    ("Tobias", "male"),
    ("Ahmed", "male"),
    ("Kenji", "male"),
    ("Alex", "non-binary"),
    ("Sam", "non-binary"),
]
LAST_NAMES = [
    "Jensen",
    "Nielsen",
    "Hansen",
    "Pedersen",
    "Andersen",
    "Christensen",
    "Larsen",
    "Sørensen",
    "Rasmussen",
    "Jørgensen",
    "Olsen",
    "Berg",
    "Haugen",
    "Johansen",
    "Smith",
    "Patel",
    "Khan",
    "Chen",
    "Tan",
    "Garcia",
    "Brown",
    "Lindqvist",
    "Mortensen",
    "Madsen",
    "Kristensen",
    "Iversen",
    "Dahl",
    "Holm",
    "Nguyen",
    "Okafor",
]
TITLES = {
    9: "Chief Executive Officer",
    8: "Executive Vice President",
    7: "Head of Department",
    6: "Team Lead",
    5: "Principal Specialist",
    4: "Senior Specialist",
    3: "Specialist",
    2: "Associate",
    1: "Graduate",
}


@dataclass
class PersonaSpec:
    email: str
    full_name: str
    role: str | None
    # Where the persona sits in the tree: (unit name, level), or None for no HR record.
    place: tuple[str, int] | None = None


PERSONAS = [
    PersonaSpec("admin@example.org", "Astrid Admin", None),
    PersonaSpec("orgadmin@example.org", "Oskar Organisation", Role.ORG_ADMIN, ("HR Operations", 4)),
    PersonaSpec(
        "manager@example.org", "Maja Manager", Role.PROGRAMME_MANAGER, ("Talent Development", 4)
    ),
    PersonaSpec("sponsor@example.org", "Sigrid Sponsor", Role.SPONSOR, ("Technology", 8)),
    PersonaSpec(
        "linemanager@example.org", "Lukas Linemanager", Role.LINE_MANAGER, ("Customer Apps", 6)
    ),
    # The mentee reports to the line manager; the mentor sits in another division.
    PersonaSpec("mentee@example.org", "Mira Mentee", Role.MENTEE, ("Customer Apps", 2)),
    PersonaSpec("mentor@example.org", "Morten Mentor", Role.MENTOR, ("Grid Operations", 5)),
    PersonaSpec("outsider@example.org", "Otto Outsider", None),
]


def _place_personas(rows: list[dict[str, str]]) -> dict[str, str]:
    """Give each persona an HR record: the first free row at its unit and level."""
    taken: set[str] = set()
    placed: dict[str, str] = {}
    for spec in PERSONAS:
        if spec.place is None:
            continue
        unit_name, level = spec.place
        in_unit = [r for r in rows if _unit_name(r) == unit_name and r["employee_id"] not in taken]
        exact = [r for r in in_unit if r["level"] == str(level)]
        # In a small demo the unit may lack that level: promote or demote a team member.
        row = exact[0] if exact else next(r for r in in_unit if int(r["level"]) < 6)
        row["level"] = str(level)
        row["job_title"] = TITLES[level] if level >= 6 else f"{TITLES[level]}, {unit_name}"
        first, _, last = spec.full_name.partition(" ")
        row.update(first_name=first, last_name=last, email=spec.email, leave_date="")
        taken.add(row["employee_id"])
        placed[spec.email] = row["employee_id"]
    return placed


@dataclass
class DemoSummary:
    organisation: Organisation
    people: int
    created: int
    updated: int
    logins: list[tuple[str, str]]


# Days of service on the day the demo is first seeded, by level: graduates and associates
# joined in the last few years, leaders long ago. Nobody joined in the last three months,
# so everyone in a demo programme was employed when they were invited.
SERVICE_DAYS = {1: (90, 3 * 365), 2: (90, 6 * 365)}
SERVICE_DAYS_SENIOR = (365, 25 * 365)
# Staff below team lead who have left in the last three years, by level: an HR export lists
# them with their leave date, and retention is measured against colleagues like them.
LEAVER_SHARE = {1: 0.15, 2: 0.15, 3: 0.15, 4: 0.08, 5: 0.08}
LEAVERS_WITHIN_DAYS = 3 * 365


def _person_rows(
    size: int, today: dt.date, known: dict[str, tuple[dt.date, dt.date | None]]
) -> list[dict[str, str]]:
    """Rows of an HR export for the whole tree: a chief executive, division heads, department heads,
    team leads and staff, in the importer's columns.

    Hire and leave dates count back from the first of `today`'s month; people in `known`
    keep the dates they already have, so seeding again on a later day changes nothing.
    """
    rng = random.Random(2026)
    # Turnover draws from a generator of its own, so names and places stay as they were.
    turnover = random.Random(2027)
    rows: list[dict[str, str]] = []
    anchor = today.replace(day=1)

    def leave(level: int, hired: dt.date) -> dt.date | None:
        if turnover.random() >= LEAVER_SHARE.get(level, 0.0):
            return None
        earliest = max(hired + dt.timedelta(days=90), anchor - dt.timedelta(LEAVERS_WITHIN_DAYS))
        latest = anchor - dt.timedelta(days=7)
        if earliest >= latest:
            return None
        return earliest + dt.timedelta(days=int(turnover.random() * (latest - earliest).days))

    def add(level: int, unit: tuple[str, ...], manager: str) -> str:
        number = len(rows) + 1
        first, gender = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        location, tz, languages = rng.choices(LOCATIONS, weights=LOCATION_WEIGHTS)[0]
        employee_id = f"N{number:05d}"
        served = rng.randint(*SERVICE_DAYS.get(level, SERVICE_DAYS_SENIOR))
        hire_date = anchor - dt.timedelta(days=served)
        leave_date = leave(level, hire_date)
        if employee_id in known:
            hire_date, leave_date = known[employee_id]
        email = f"{first}.{last}.{number}@nordlys.example".lower()
        for letter, plain in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
            email = email.replace(letter, plain)
        rows.append(
            {
                "employee_id": employee_id,
                "first_name": first,
                "last_name": last,
                "email": email,
                "manager_employee_id": manager,
                "division": unit[0] if len(unit) > 0 else "",
                "department": unit[1] if len(unit) > 1 else "",
                "team": unit[2] if len(unit) > 2 else "",
                "job_title": TITLES[level] if level >= 6 else f"{TITLES[level]}, {unit[-1]}",
                "level": str(level),
                "location": location,
                "timezone": tz,
                "languages": ";".join(languages),
                "hire_date": hire_date.isoformat(),
                "leave_date": leave_date.isoformat() if leave_date else "",
                "gender": gender,
            }
        )
        return employee_id

    ceo = add(9, (), "")
    team_leads: list[tuple[str, tuple[str, ...]]] = []
    for division, departments in STRUCTURE.items():
        head = add(8, (division,), ceo)
        for department, teams in departments.items():
            dept_head = add(7, (division, department), head)
            for team in teams:
                team_leads.append(
                    (add(6, (division, department, team), dept_head), (division, department, team))
                )
    # Everyone else joins a team under its lead, round-robin so teams stay balanced.
    index = 0
    while len(rows) < size:
        lead, team_path = team_leads[index % len(team_leads)]
        add(rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 30, 20, 15])[0], team_path, lead)
        index += 1
    return rows


def _unit_name(row: dict[str, str]) -> str:
    return row["team"] or row["department"] or row["division"]


def _as_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([row.get(column, "") for column in COLUMNS] for row in rows)
    return buffer.getvalue().encode()


def seed_demo(*, people: int = 400) -> DemoSummary:
    """Build (or bring up to date) the demo organisation and one login per role.

    Every date of the demo is relative to the day it is first seeded; a later run leaves
    what exists as it is. The demo sends no e-mail: whatever seeding queued for the worker
    (introductions, status changes) is dropped once the data is in.
    """

    started = timezone.now()
    summary = _seed(people=people, today=timezone.localdate())
    DBTaskResult.objects.ready().filter(enqueued_at__gte=started).delete()
    return summary


@transaction.atomic
def _seed(*, people: int, today: dt.date) -> DemoSummary:
    departments = sum(len(d) for d in STRUCTURE.values())
    teams = sum(len(t) for d in STRUCTURE.values() for t in d.values())
    # Room for every leader and at least two members in each team.
    people = max(people, 1 + len(STRUCTURE) + departments + 3 * teams)
    organisation = Organisation.objects.filter(slug=ORGANISATION_SLUG).first()
    if organisation is None:
        organisation = account_services.organisation_create(
            name="Nordlys Energi A/S", slug=ORGANISATION_SLUG, actor=None
        )
    known = {
        employee_id: (hired, left)
        for employee_id, hired, left in Person.objects.filter(
            organisation=organisation
        ).values_list("employee_id", "hire_date", "leave_date")
        if hired is not None
    }
    rows = _person_rows(people, today, known)
    placed = _place_personas(rows)
    # The demo goes through the same importer as a real HR export.
    plan = plan_import(
        organisation=organisation, name="nordlys.csv", stream=io.BytesIO(_as_csv(rows))
    )
    if not plan.ok:
        raise RuntimeError(f"The demo data does not import cleanly: {plan.problems[:3]}")
    counts = apply_plan(plan)
    by_id = {p.employee_id: p for p in Person.objects.filter(organisation=organisation)}

    logins = []
    for spec in PERSONAS:
        user = User.objects.filter(email=spec.email).first()
        if user is None:
            user = account_services.user_create(
                email=spec.email, full_name=spec.full_name, password=DEMO_PASSWORD, actor=None
            )
        elif not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        if spec.email == "admin@example.org" and not user.is_superuser:
            user.is_superuser = user.is_staff = True
            user.save(update_fields=["is_superuser", "is_staff"])
        if spec.role:
            membership = account_services.membership_grant(
                organisation=organisation, user=user, role=spec.role, actor=None
            )
            if spec.role == Role.PROGRAMME_MANAGER and not membership.sees_sensitive_attributes:
                membership.sees_sensitive_attributes = True
                membership.save(update_fields=["sees_sensitive_attributes"])
        if spec.email in placed:
            person = by_id[placed[spec.email]]
            if person.user_id != user.pk:
                Person.objects.filter(user=user).exclude(pk=person.pk).update(user=None)
                person.user = user
                person.save(update_fields=["user"])
        logins.append(
            (spec.email, spec.role or ("platform admin" if user.is_superuser else "none"))
        )
    # The programmes, matching rounds and pairs at work that the demo logins see.
    calendar = DemoCalendar(today)
    seed_programmes(organisation=organisation, calendar=calendar)
    seed_rounds(organisation=organisation, calendar=calendar)
    seed_pair_support(organisation=organisation, calendar=calendar)
    seed_surveys(organisation=organisation, calendar=calendar)
    seed_rolling(organisation=organisation, calendar=calendar)
    seed_privacy(organisation=organisation)
    return DemoSummary(
        organisation=organisation,
        people=len(rows),
        created=counts["created"],
        updated=counts["updated"],
        logins=logins,
    )
