"""A programme at Acme with two ready mentees and three ready mentors.

Junior (the mentee persona) may only be matched with Mo: Tina is in Junior's team and
Bo is in Junior's management chain. Eva may not have Mo, who is in her team.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest

from conftest import make_person
from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design
from mentora.rounds.models import MatchingRound, Proposal
from mentora.rounds.services import proposals, rounds


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
    mo = make_person(
        org, "M1", "Mo", "Mentor", org_unit=field, level=7, user=personas.mentor, languages=["en"]
    )
    tina = make_person(org, "M2", "Tina", "Teammate", org_unit=apps, level=5, languages=["en"])
    eva = make_person(org, "E6", "Eva", "Extra", org_unit=field, level=2, languages=["en"])
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


def run_round(
    cohort: Cohort, mode: str | None = None, previous: MatchingRound | None = None
) -> MatchingRound:
    """A round the programme manager starts and the worker runs, in influence `mode` if given
    (re-running `previous`, if given)."""
    if mode is not None:
        cohort.programme.influence_mode = mode
        cohort.programme.save()
    matching_round = rounds.round_start(
        programme=cohort.programme, actor=cohort.personas.manager, previous=previous
    )
    return rounds.round_run(round_id=matching_round.pk)


def add_finn(cohort: Cohort, themes: list[str], employee_id: str = "F1") -> Participant:
    """Finn Fourth, one more ready mentee, in the Tech division above Jo's team."""
    finn = make_person(
        cohort.personas.organisation,
        employee_id,
        "Finn",
        "Fourth",
        level=2,
        org_unit=OrgUnit.objects.get(name="Tech"),
    )
    return Participant.objects.create(
        programme=cohort.programme,
        person=finn,
        role="mentee",
        status="ready",
        profile={"themes": themes},
    )


def assign(cohort: Cohort, matching_round: MatchingRound, mentee: Any, mentor: Any) -> Proposal:
    """The programme manager pairs `mentee` with `mentor` by hand."""
    return proposals.proposal_assign(
        matching_round=matching_round, mentee=mentee, mentor=mentor, actor=cohort.personas.manager
    )


@pytest.fixture
def cohort(personas: Any) -> Cohort:
    return make_cohort(personas)
