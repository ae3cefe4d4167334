"""A believable demo organisation: units, a full reporting-line tree, locations, time zones.

Deterministic (a fixed seed), so running it twice gives the same data: the
second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from mentora.accounts import services as account_services
from mentora.accounts.models import Organisation, Role, User
from mentora.people.models import OrgUnit, OrgUnitKind, Person

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


def _place_personas(rows: list[dict[str, object]]) -> dict[str, str]:
    """Give each persona an HR record: the first free row at its unit and level."""
    taken: set[str] = set()
    placed: dict[str, str] = {}
    for spec in PERSONAS:
        if spec.place is None:
            continue
        unit_name, level = spec.place
        in_unit = [
            r for r in rows if str(r["org_unit"]) == unit_name and r["employee_id"] not in taken
        ]
        exact = [r for r in in_unit if r["level"] == level]
        # In a small demo the unit may lack that level: promote or demote a team member.
        row = exact[0] if exact else next(r for r in in_unit if int(str(r["level"])) < 6)
        row["level"] = level
        row["job_title"] = TITLES[level] if level >= 6 else f"{TITLES[level]}, {unit_name}"
        first, _, last = spec.full_name.partition(" ")
        row.update(first_name=first, last_name=last, email=spec.email)
        taken.add(str(row["employee_id"]))
        placed[spec.email] = str(row["employee_id"])
    return placed


@dataclass
class DemoSummary:
    organisation: Organisation
    people: int
    created: int
    updated: int
    logins: list[tuple[str, str]]


def _units(organisation: Organisation) -> dict[str, list[OrgUnit]]:
    teams_by_division: dict[str, list[OrgUnit]] = {}
    for division_name, departments in STRUCTURE.items():
        division, _ = OrgUnit.objects.get_or_create(
            organisation=organisation,
            parent=None,
            name=division_name,
            defaults={"kind": OrgUnitKind.DIVISION},
        )
        teams_by_division[division_name] = []
        for department_name, teams in departments.items():
            department, _ = OrgUnit.objects.get_or_create(
                organisation=organisation,
                parent=division,
                name=department_name,
                defaults={"kind": OrgUnitKind.DEPARTMENT},
            )
            for team_name in teams:
                team, _ = OrgUnit.objects.get_or_create(
                    organisation=organisation,
                    parent=department,
                    name=team_name,
                    defaults={"kind": OrgUnitKind.TEAM},
                )
                teams_by_division[division_name].append(team)
    return teams_by_division


def _person_rows(
    organisation: Organisation, teams_by_division: dict[str, list[OrgUnit]], size: int
) -> list[dict[str, object]]:
    """Rows for the whole tree: a CEO, division heads, department heads, team leads, staff."""
    rng = random.Random(2026)
    rows: list[dict[str, object]] = []

    def add(level: int, unit: OrgUnit | None, manager: str | None) -> str:
        number = len(rows) + 1
        first, gender = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        location, tz, languages = rng.choices(LOCATIONS, weights=LOCATION_WEIGHTS)[0]
        hired = dt.date(2026, 9, 1) - dt.timedelta(days=rng.randint(30, 20 * 365))
        employee_id = f"N{number:05d}"
        rows.append(
            {
                "employee_id": employee_id,
                "first_name": first,
                "last_name": last,
                "email": f"{first}.{last}.{number}@nordlys.example".lower()
                .replace("æ", "ae")
                .replace("ø", "oe")
                .replace("å", "aa"),
                "job_title": TITLES[level] if level >= 6 else f"{TITLES[level]}, {unit}",
                "level": level,
                "manager": manager,
                "org_unit": unit,
                "location": location,
                "timezone": tz,
                "languages": languages,
                "hire_date": hired,
                "gender": gender,
            }
        )
        return employee_id

    ceo = add(9, None, None)
    team_leads: list[tuple[str, OrgUnit]] = []
    for teams in teams_by_division.values():
        division = teams[0].parent.parent  # type: ignore[union-attr]
        head = add(8, division, ceo)
        departments = sorted({t.parent for t in teams}, key=lambda u: u.name)  # type: ignore[union-attr]
        for department in departments:
            dept_head = add(7, department, head)
            for team in [t for t in teams if t.parent == department]:
                team_leads.append((add(6, team, dept_head), team))
    # Everyone else joins a team under its lead, round-robin so teams stay balanced.
    index = 0
    while len(rows) < size:
        lead, team = team_leads[index % len(team_leads)]
        add(rng.choices([1, 2, 3, 4, 5], weights=[10, 25, 30, 20, 15])[0], team, lead)
        index += 1
    return rows


@transaction.atomic
def seed_demo(*, people: int = 400) -> DemoSummary:
    """Build (or bring up to date) the demo organisation and one login per role."""
    departments = sum(len(d) for d in STRUCTURE.values())
    teams = sum(len(t) for d in STRUCTURE.values() for t in d.values())
    # Room for every leader and at least two members in each team.
    people = max(people, 1 + len(STRUCTURE) + departments + 3 * teams)
    organisation = Organisation.objects.filter(slug=ORGANISATION_SLUG).first()
    if organisation is None:
        organisation = account_services.organisation_create(
            name="Nordlys Energi A/S", slug=ORGANISATION_SLUG, actor=None
        )
    teams_by_division = _units(organisation)
    rows = _person_rows(organisation, teams_by_division, people)
    placed = _place_personas(rows)

    existing = {p.employee_id: p for p in Person.objects.filter(organisation=organisation)}
    fields = [
        "first_name",
        "last_name",
        "email",
        "job_title",
        "level",
        "org_unit",
        "location",
        "timezone",
        "languages",
        "hire_date",
        "gender",
    ]
    to_create, to_update = [], []
    for row in rows:
        person = existing.get(str(row["employee_id"]))
        values = {name: row[name] for name in fields}
        if person is None:
            to_create.append(
                Person(organisation=organisation, employee_id=str(row["employee_id"]), **values)
            )
        elif any(getattr(person, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(person, name, value)
            to_update.append(person)
    Person.objects.bulk_create(to_create, batch_size=2000)
    created_ids = {p.employee_id for p in to_create}
    Person.objects.bulk_update(to_update, fields, batch_size=2000)

    by_id = {p.employee_id: p for p in Person.objects.filter(organisation=organisation)}
    manager_changes = []
    for row in rows:
        person = by_id[str(row["employee_id"])]
        manager = by_id[str(row["manager"])] if row["manager"] else None
        if person.manager_id != (manager.pk if manager else None):
            person.manager = manager
            manager_changes.append(person)
    Person.objects.bulk_update(manager_changes, ["manager"], batch_size=2000)

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
    return DemoSummary(
        organisation=organisation,
        people=len(rows),
        created=len(to_create),
        updated=len(to_update)
        + sum(1 for p in manager_changes if p.employee_id not in created_ids),
        logins=logins,
    )
