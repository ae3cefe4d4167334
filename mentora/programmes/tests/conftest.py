"""A programme at Acme with a questionnaire, an event, and a mentor with an HR record."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from mentora.events import services as event_services
from mentora.events.models import Event
from mentora.people.models import Person
from mentora.programmes.models import GoalMeasure, Participant, Programme, Question
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
    mentor_person = Person.objects.create(
        organisation=personas.organisation,
        employee_id="E4",
        first_name="Mo",
        last_name="Mentor",
        email="mentor@test.example",
        level=7,
        user=personas.mentor,
    )
    Person.objects.create(
        organisation=personas.organisation,
        employee_id="E5",
        first_name="Hanne",
        last_name="Hronly",
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
    themes = questionnaire.question_add(
        programme=programme,
        role="mentee",
        text="What do you want to learn?",
        kind="ranked_themes",
        choices=["Leadership", "Networking", "Career"],
        maps_to="themes",
        actor=personas.manager,
    )
    goals = questionnaire.question_add(
        programme=programme,
        role="mentee",
        text="Your goals",
        kind="long_text",
        maps_to="goals",
        actor=personas.manager,
    )
    preferred = questionnaire.question_add(
        programme=programme,
        role="mentee",
        text="Who would you like as a mentor?",
        kind="preferred_mentors",
        maps_to="preferences",
        actor=personas.manager,
    )
    motivation = questionnaire.question_add(
        programme=programme,
        role="mentor",
        text="Why do you want to be a mentor?",
        kind="long_text",
        actor=personas.manager,
    )
    return Setup(personas, programme, themes, goals, preferred, motivation, mentor_person)


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
    p = setup.personas
    participant = pipeline.participant_invite(
        programme=setup.programme, person=p.people["junior"], role="mentee", actor=p.manager
    )
    return pipeline.participant_apply(
        programme=setup.programme,
        person=p.people["junior"],
        role="mentee",
        answers={
            setup.themes.pk: themes if themes is not None else ["Leadership", "Career"],
            setup.goals.pk: "Lead a team",
        },
        actor=participant.user,
    )
