"""A running programme with a mentee, a mentor and the mentee's line manager, all with logins."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from conftest import make_person
from mentora.accounts.models import Membership, User
from mentora.programmes.models import Participant, Programme
from mentora.programmes.tests.conftest import make_setup
from mentora.relationships.models import Pair
from mentora.surveys.models import Instrument


@dataclass
class World:
    personas: Any
    programme: Programme
    mentee: Participant
    mentor: Participant
    pair: Pair


def make_world(personas: Any) -> World:
    setup = make_setup(personas)
    programme = setup.programme
    mentee = Participant.objects.create(
        programme=programme,
        person=personas.people["junior"],
        user=personas.mentee,
        role="mentee",
        status="active",
    )
    mentor = Participant.objects.create(
        programme=programme,
        person=setup.mentor_person,
        user=personas.mentor,
        role="mentor",
        status="active",
    )
    pair = Pair.objects.create(programme=programme, mentee=mentee, mentor=mentor, score=0.8)
    return World(personas, programme, mentee, mentor, pair)


def add_participants(world: World, role: str, count: int, *, start: int = 100) -> list[Participant]:
    """`count` more active participants in `role`, each with a login and an HR record."""
    made = []
    for i in range(start, start + count):
        user = User.objects.create_user(
            email=f"{role}{i}@test.example", password="pw", full_name=f"{role} {i}"
        )
        Membership.objects.create(user=user, organisation=world.programme.organisation, role=role)
        person = make_person(
            world.programme.organisation,
            f"X{i}",
            role,
            str(i),
            level=3,
            hire_date=dt.date(2020, 1 + i % 12, 1),
            user=user,
        )
        made.append(
            Participant.objects.create(
                programme=world.programme, person=person, user=user, role=role, status="active"
            )
        )
    return made


def builtin(wave: str) -> Instrument:
    return Instrument.objects.get(source="builtin", slug=f"mentora-{wave}")


def window() -> tuple[dt.datetime, dt.datetime]:
    now = timezone.now()
    return now - dt.timedelta(hours=1), now + dt.timedelta(days=14)


@pytest.fixture
def world(personas: Any) -> World:
    return make_world(personas)
