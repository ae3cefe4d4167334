"""A programme with generated answers at the start and the end, and HR dates for retention."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from mentora.people.models import Person
from mentora.programmes.models import Participant
from mentora.relationships.models import Pair
from mentora.surveys import services
from mentora.surveys.models import Invitation, Survey
from mentora.surveys.tests.conftest import World, add_participants, builtin, make_world, window


@dataclass
class Filled:
    world: World
    start: Survey
    end: Survey
    answers: dict[tuple[int, int], dict[int, Any]]  # (survey id, invitation id) -> answers


def random_answers(
    invitation: Invitation, rng: random.Random, blank: float = 0.05
) -> dict[int, Any]:
    result: dict[int, Any] = {}
    for q in invitation.survey.instrument.questions_for(invitation.role):
        if rng.random() < blank:
            continue  # left blank now and then
        if q.kind == "scale_1_5":
            result[q.pk] = str(rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5]))
        elif q.kind == "nps":
            result[q.pk] = str(rng.choice([2, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10]))
        elif q.kind == "single":
            result[q.pk] = rng.choice(q.choices)["value"]
        elif q.kind == "multiple":
            result[q.pk] = [c["value"] for c in q.choices if rng.random() < 0.5] or [
                q.choices[0]["value"]
            ]
        else:
            result[q.pk] = "Some words"
    return result


def close_surveys(*surveys: Survey) -> None:
    """Close the surveys now: a report publishes a survey's answers only once it has closed."""
    Survey.objects.filter(pk__in=[s.pk for s in surveys]).update(
        closes_at=timezone.now() - dt.timedelta(seconds=1)
    )
    for survey in surveys:
        survey.refresh_from_db()


def fill(
    world: World,
    *,
    mentees: int = 12,
    mentors: int = 8,
    seed: int = 1,
    answer_share: float = 0.9,
    roles: list[str] | None = None,
    offset: int = 0,
    close: bool = True,
    blank: float = 0.05,
    silent: int = 0,
) -> Filled:
    rng = random.Random(seed)
    add_participants(world, "mentee", mentees, start=offset + 100)
    add_participants(world, "mentor", mentors, start=offset + 300)
    # Mentors who are invited and never answer.
    quiet = {p.person_id for p in add_participants(world, "mentor", silent, start=offset + 500)}
    roles = roles or ["mentee", "mentor"]
    opens, closes = window()
    surveys = {}
    for wave in ("start", "end"):
        surveys[wave] = services.survey_schedule(
            programme=world.programme,
            instrument=builtin(wave),
            wave=wave,
            roles=roles,
            opens_at=opens,
            closes_at=closes,
            actor=world.personas.manager,
        )
    given: dict[tuple[int, int], dict[int, Any]] = {}
    for survey in surveys.values():
        for invitation in survey.invitations.select_related("survey__instrument"):
            if rng.random() > answer_share or invitation.person_id in quiet:
                continue
            answers = random_answers(invitation, rng, blank)
            services.response_submit(invitation=invitation, answers=answers, actor=None)
            given[(survey.pk, invitation.pk)] = answers
    if close:
        close_surveys(*surveys.values())
    return Filled(world, surveys["start"], surveys["end"], given)


def hr_dates(world: World, *, controls: int = 40, seed: int = 2) -> None:
    """Hire dates for everyone, leave dates for some, and colleagues outside the programme."""
    rng = random.Random(seed)
    programme = world.programme
    programme.start_date = timezone.localdate() - dt.timedelta(days=800)
    programme.end_date = programme.start_date + dt.timedelta(days=330)
    programme.save()
    # Everyone in the programme was taking part, and every pair matched, when it started.
    Participant.objects.filter(programme=programme).update(
        created_at=timezone.now() - dt.timedelta(days=900)
    )
    Pair.objects.filter(programme=programme).update(
        started_at=timezone.now() - dt.timedelta(days=790)
    )
    for i in range(controls):
        make_person(
            programme.organisation,
            f"C{i}",
            "Colleague",
            str(i),
            level=rng.choice([2, 3, 7]),
            hire_date=dt.date(2018 + i % 4, 1 + i % 12, 1 + i % 27),
        )
    for person in Person.objects.filter(organisation=programme.organisation):
        if person.hire_date is None:
            person.hire_date = dt.date(2019, 1 + person.pk % 12, 1)
        if rng.random() < 0.3:
            person.leave_date = programme.start_date + dt.timedelta(days=rng.randint(10, 700))
        person.save()


@pytest.fixture
def filled(personas: Any) -> Filled:
    return fill(make_world(personas))
