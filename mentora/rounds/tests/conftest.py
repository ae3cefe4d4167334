"""A programme at Acme with two ready mentees and three ready mentors.

Junior (the mentee persona) may only be matched with Mo: Tina is in Junior's team and
Bo is in Junior's management chain. Eva may not have Mo, who is in her team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design


@dataclass
class Cohort:
    personas: Any
    programme: Programme
    junior: Participant
    eva: Participant
    mo: Participant
    tina: Participant
    bo: Participant


def make_cohort(personas: Any) -> Cohort:
    org = personas.organisation
    sales = OrgUnit.objects.create(organisation=org, name="Sales", kind=OrgUnitKind.DIVISION)
    field = OrgUnit.objects.create(
        organisation=org, parent=sales, name="Field", kind=OrgUnitKind.TEAM
    )
    apps = OrgUnit.objects.get(organisation=org, name="Apps")
    mo = Person.objects.create(
        organisation=org,
        employee_id="M1",
        first_name="Mo",
        last_name="Mentor",
        org_unit=field,
        level=7,
        user=personas.mentor,
        languages=["en"],
    )
    tina = Person.objects.create(
        organisation=org,
        employee_id="M2",
        first_name="Tina",
        last_name="Teammate",
        org_unit=apps,
        level=5,
        languages=["en"],
    )
    eva = Person.objects.create(
        organisation=org,
        employee_id="E6",
        first_name="Eva",
        last_name="Extra",
        org_unit=field,
        level=2,
        languages=["en"],
    )
    programme = design.programme_create(
        organisation=org,
        actor=personas.manager,
        name="Graduates 2027",
        purpose="Keep our graduates.",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 11, 1),
    )
    programme.sponsors.add(personas.sponsor)

    def ready(person: Person, role: str, **profile: Any) -> Participant:
        return Participant.objects.create(
            programme=programme,
            person=person,
            user=person.user,
            role=role,
            status="ready",
            profile={
                "themes": [],
                "preferences": [],
                "capacity": 1 if role == "mentor" else None,
                **profile,
            },
        )

    return Cohort(
        personas=personas,
        programme=programme,
        junior=ready(
            personas.people["junior"], "mentee", themes=["leadership"], preferences=[str(mo.pk)]
        ),
        eva=ready(eva, "mentee", themes=["sales"]),
        mo=ready(mo, "mentor", themes=["leadership"]),
        tina=ready(tina, "mentor", themes=["sales"]),
        bo=ready(personas.people["boss"], "mentor"),
    )


@pytest.fixture
def cohort(personas: Any) -> Cohort:
    return make_cohort(personas)
