"""A programme at Acme with a questionnaire, an event, and a mentor with an HR record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from mentora.events import services as event_services
from mentora.events.models import Event
from mentora.people.models import Person
from mentora.programmes.models import (
    GoalMeasure,
    Participant,
    ParticipantStatus,
    Programme,
    Question,
)
from mentora.programmes.services import design, pipeline, questionnaire
from mentora.programmes.services.goals import goal_add


@dataclass
class Setup:
    personas: Any
    programme: Programme
    themes: Question
    goals: Question
    preferred: Question
    motivation: Question
    mentor_person: Person


def make_setup(personas: Any) -> Setup:
    """The programme every programmes test starts from (also used by the browser tests)."""
    org = personas.organisation
    mentor_person = make_person(
        org, "E4", "Mo", "Mentor", email="mentor@test.example", level=7, user=personas.mentor
    )
    make_person(
        org,
        "E5",
        "Hanne",
        "Hronly",
        email="hronly@test.example",
        level=3,
        manager=personas.people["lead"],
    )
    programme = design.programme_create(
        organisation=personas.organisation,
        actor=personas.manager,
        name="Graduate onboarding",
        purpose="Keep our graduates.",
        start_date=dt.date(2027, 1, 1),
        end_date=dt.date(2027, 11, 1),
        applications_open=True,
    )
    goal_add(
        programme=programme,
        actor=personas.manager,
        text="90% retention after two years",
        measure=GoalMeasure.RETENTION,
        target=Decimal(90),
        horizon_months=24,
    )
    programme.sponsors.add(personas.sponsor)

    def ask(role: str, text: str, kind: str, **extra: Any) -> Question:
        return questionnaire.question_add(
            programme=programme, role=role, text=text, kind=kind, actor=personas.manager, **extra
        )

    themes = ask(
        "mentee",
        "What do you want to learn?",
        "ranked_themes",
        choices=["Leadership", "Networking", "Career"],
        maps_to="themes",
    )
    goals = ask("mentee", "Your goals", "long_text", maps_to="goals")
    preferred = ask(
        "mentee", "Who would you like as a mentor?", "preferred_mentors", maps_to="preferences"
    )
    motivation = ask("mentor", "Why do you want to be a mentor?", "long_text")
    return Setup(personas, programme, themes, goals, preferred, motivation, mentor_person)


def invite(setup: Setup, person: Person, role: str) -> Participant:
    """The programme manager invites `person` to take part as `role`."""
    return pipeline.participant_invite(
        programme=setup.programme, person=person, role=role, actor=setup.personas.manager
    )


def apply(setup: Setup, role: str, answers: dict[int, Any]) -> Participant:
    """Jo (the mentee persona) applies as a mentee, or Mo (the mentor) as a mentor."""
    mentee = role == "mentee"
    return pipeline.participant_apply(
        programme=setup.programme,
        person=setup.personas.people["junior"] if mentee else setup.mentor_person,
        role=role,
        answers=answers,
        actor=setup.personas.mentee if mentee else setup.personas.mentor,
    )


@pytest.fixture
def setup(personas: Any) -> Setup:
    return make_setup(personas)


@pytest.fixture
def programme(setup: Setup) -> Programme:
    return setup.programme


@pytest.fixture
def event(setup: Setup) -> Event:
    """A preparation workshop required for mentors and mentees."""
    return event_services.event_create(
        programme=setup.programme,
        title="Kick-off",
        starts_at=timezone.now() + dt.timedelta(days=10),
        place="Room 1",
        capacity=20,
        actor=setup.personas.manager,
    )


def mentee_applies(setup: Any, themes: list[str] | None = None) -> Participant:
    """The junior colleague is invited as a mentee and applies: their line manager decides next."""
    invite(setup, setup.personas.people["junior"], "mentee")
    return apply(
        setup,
        "mentee",
        {
            setup.themes.pk: themes if themes is not None else ["Leadership", "Career"],
            setup.goals.pk: "Lead a team",
        },
    )


def applicant(setup: Any, n: int, status: str = ParticipantStatus.APPLIED) -> Participant:
    """A mentee with no line manager, moved to `status` by the manager one step at a time."""
    person = make_person(
        setup.personas.organisation, f"B{n}", f"Bea{n}", f"Bulk{n}", email=f"b{n}@test.example"
    )
    participant = invite(setup, person, "mentee")
    S = ParticipantStatus
    path = {
        S.INVITED: [],
        S.APPLIED: [S.APPLIED],
        S.UNDER_REVIEW: [S.APPLIED, S.UNDER_REVIEW],
        S.APPROVED: [S.APPLIED, S.APPROVED],
        S.READY: [S.APPLIED, S.APPROVED, S.READY],
    }[status]
    for step in path:
        participant = pipeline.participant_transition(
            participant=participant, to_status=step, actor=setup.personas.manager
        )
    return participant
