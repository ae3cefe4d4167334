"""Every list page makes as many database queries for many rows as for a few.

Each case draws a page, adds rows of what it lists, and draws it again: the number of
queries must not change (no query per row, the classic N+1).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from conftest import make_person
from mentora.accounts.models import Membership, Role, User
from mentora.core.audit import audit_log
from mentora.events.models import Event, RequiredFor
from mentora.notifications.models import Notification
from mentora.people.models import Person
from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import (
    ExpertConnection,
    FlashBooking,
    FlashSlot,
    FollowUp,
    Goal,
    Pair,
    Story,
)
from mentora.rounds.services import rounds
from tests.world import World, build_world

pytestmark = pytest.mark.django_db

_serial = itertools.count(1)


def _person(world: World, **extra: Any) -> Person:
    n = next(_serial)
    return make_person(world.personas.organisation, f"Q{n}", f"Quinn{n}", "Query", level=3, **extra)


def _participant(world: World, role: str, status: str = "ready", programme: Any = None) -> Any:
    person = _person(world)
    return Participant.objects.create(
        programme=programme or world.programme,
        person=person,
        role=role,
        status=status,
        profile={"themes": ["leadership"], "capacity": 1},
    )


def _pairs(world: World, k: int) -> None:
    for _ in range(k):
        pair = Pair.objects.create(
            programme=world.programme,
            mentee=_participant(world, "mentee", "active"),
            mentor=_participant(world, "mentor", "active"),
            started_at=timezone.now() - dt.timedelta(days=40),
        )
        Goal.objects.create(pair=pair, theme="Speaking up", progress=30)
        FollowUp.objects.create(pair=pair, held_on=timezone.localdate(), note="Called")


def _line_managed_pairs(world: World, k: int) -> None:
    lead = world.personas.people["lead"]
    for _ in range(k):
        mentee = Participant.objects.create(
            programme=world.programme,
            person=_person(world, manager=lead),
            role="mentee",
            status="active",
        )
        pair = Pair.objects.create(
            programme=world.programme, mentee=mentee, mentor=_participant(world, "mentor")
        )
        Goal.objects.create(pair=pair, theme="Speaking up", progress=30)


def _members(world: World, k: int) -> None:
    for _ in range(k):
        n = next(_serial)
        user = User.objects.create_user(email=f"member{n}@test.example", password="pw")
        Membership.objects.create(
            user=user, organisation=world.personas.organisation, role=Role.MENTOR
        )


def _programmes(world: World, k: int) -> None:
    for _ in range(k):
        programme = Programme.objects.create(
            organisation=world.personas.organisation, name=f"Programme {next(_serial)}"
        )
        programme.managers.add(world.personas.manager)


def _stories(world: World, k: int) -> None:
    pair = world.pairs["A"]
    for status in ["approved", "pending"] * k:
        Story.objects.create(
            pair=pair,
            author=world.personas.mentee,
            title=f"Story {next(_serial)}",
            text="It began",
            consent=True,
            status=status,
        )


def _connections(world: World, k: int) -> None:
    programme = world.expert_programme
    for _ in range(k):
        ExpertConnection.objects.create(
            programme=programme,
            learner=_participant(world, "mentee", programme=programme),
            expert=_participant(world, "mentor", programme=programme),
            theme="energy",
        )


def _flash_times(world: World, k: int) -> None:
    """Mo offers k more times; each other one is booked by a new learner."""
    programme = world.expert_programme
    expert = Participant.objects.get(programme=programme, user=world.personas.mentor)
    for number in range(k):
        slot = FlashSlot.objects.create(
            expert=expert,
            starts_at=timezone.now() + dt.timedelta(days=10 + number),
            place="Room 4",
        )
        if number % 2:
            FlashBooking.objects.create(
                slot=slot, learner=_participant(world, "mentee", programme=programme)
            )


def _audit_entries(world: World, k: int) -> None:
    for _ in range(k):
        audit_log(actor=world.personas.manager, action="tests.query.count", obj=world.programme)


def _participations(world: World, k: int) -> None:
    junior = world.personas.people["junior"]
    for _ in range(k):
        programme = Programme.objects.create(
            organisation=world.personas.organisation, name=f"Programme {next(_serial)}"
        )
        Participant.objects.create(
            programme=programme, person=junior, user=world.personas.mentee, role="mentee"
        )
        # A preparation workshop each, which the page lists under its programme.
        Event.objects.create(
            programme=programme,
            title=f"Kick-off {next(_serial)}",
            starts_at=timezone.now() + dt.timedelta(days=14),
            required_for=RequiredFor.MENTEE,
        )


def _notifications(world: World, k: int) -> None:
    for _ in range(k):
        Notification.objects.create(
            user=world.personas.mentee,
            kind="rounds.choose",
            subject=f"Notification {next(_serial)}",
            body="Choose",
            link=reverse("my_matching"),
            channel="email",
        )


def _approvals(world: World, k: int) -> None:
    lead = world.personas.people["lead"]
    for _ in range(k):
        Participant.objects.create(
            programme=world.programme,
            person=_person(world, manager=lead),
            role="mentee",
            status="needs_line_manager",
        )


def _surveys(world: World, k: int) -> None:
    """`k` more surveys, each with the first survey's invitations."""
    survey = world.programme.surveys.order_by("pk").first()
    assert survey is not None
    invitations = list(survey.invitations.all())
    assert invitations
    for _ in range(k):
        survey.pk = None
        survey.save()
        for invitation in invitations:
            invitation.pk, invitation.survey = None, survey
            invitation.token = f"t{next(_serial)}"
            invitation.save()


def _proposals(world: World, k: int) -> None:
    for _ in range(k):
        _participant(world, "mentee")
        _participant(world, "mentor")


@dataclass
class Case:
    persona: str
    url: Callable[[World], str]
    grow: Callable[[World, int], None]
    # A fresh round is run after growing, so the page shows the grown list.
    rerun_round: bool = False


CASES = {
    "people directory": Case(
        "org_admin",
        lambda w: reverse("people_directory", args=["acme"]),
        lambda w, k: [_person(w) for _ in range(k)],
    ),
    "people directory search": Case(
        "org_admin",
        lambda w: reverse("people_directory", args=["acme"]) + "?q=query",
        lambda w, k: [_person(w) for _ in range(k)],
    ),
    "members": Case(
        "org_admin", lambda w: reverse("organisation_members", args=["acme"]), _members
    ),
    "programmes": Case("manager", lambda w: reverse("programme_list"), _programmes),
    "participants": Case(
        "manager",
        lambda w: reverse("programme_pipeline", args=[w.programme.pk]),
        lambda w, k: [_participant(w, role) for role in ("mentee", "mentor") * k],
    ),
    "pairs": Case("manager", lambda w: reverse("programme_pairs", args=[w.programme.pk]), _pairs),
    "relationship health": Case(
        "manager", lambda w: reverse("pair_health", args=[w.programme.pk]), _pairs
    ),
    "team goals": Case("line_manager", lambda w: reverse("team_goals"), _line_managed_pairs),
    "stories": Case(
        "manager", lambda w: reverse("programme_stories", args=[w.programme.pk]), _stories
    ),
    "expert network": Case(
        "manager",
        lambda w: reverse("expert_network", args=[w.expert_programme.pk]),
        _connections,
    ),
    "flash times to book": Case("mentee", lambda w: reverse("my_experts"), _flash_times),
    "flash times offered": Case("mentor", lambda w: reverse("my_experts"), _flash_times),
    "approvals": Case("line_manager", lambda w: reverse("line_manager_approvals"), _approvals),
    "my programmes": Case("mentee", lambda w: reverse("my_programmes"), _participations),
    "audit log": Case("admin", lambda w: reverse("audit_log"), _audit_entries),
    "notifications": Case("mentee", lambda w: reverse("notification_inbox"), _notifications),
    "surveys": Case("manager", lambda w: reverse("survey_list", args=[w.programme.pk]), _surveys),
    "API pairs with health": Case(
        "manager", lambda w: f"/api/v1/programmes/{w.programme.pk}/pairs/", _pairs
    ),
    "API round with proposals": Case(
        "manager",
        lambda w: f"/api/v1/rounds/{w.programme.rounds.latest('number').pk}/",
        _proposals,
        rerun_round=True,
    ),
    "round review": Case(
        "manager",
        lambda w: reverse("round_detail", args=[w.programme.rounds.latest("number").pk]),
        _proposals,
        rerun_round=True,
    ),
    "round review, searched and filtered": Case(
        "manager",
        lambda w: (
            reverse("round_detail", args=[w.programme.rounds.latest("number").pk])
            + "?q=Query&band=strong&page=1"
        ),
        _proposals,
        rerun_round=True,
    ),
    "round fairness": Case(
        "manager",
        lambda w: reverse("round_fairness", args=[w.programme.rounds.latest("number").pk]),
        _proposals,
        rerun_round=True,
    ),
}


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def _run_round(world: World) -> None:
    rounds.round_run(
        round_id=rounds.round_start(programme=world.programme, actor=world.personas.manager).pk
    )


@pytest.mark.parametrize("name", list(CASES))
def test_a_list_page_makes_as_many_queries_for_many_rows_as_for_a_few(name: str) -> None:
    case = CASES[name]
    world = build_world()
    client = Client()
    client.force_login(world.users[case.persona])
    case.grow(world, 2)
    if case.rerun_round:
        _run_round(world)
    _queries(client, case.url(world))  # the first request also starts the session
    few = _queries(client, case.url(world))
    case.grow(world, 8)
    if case.rerun_round:
        _run_round(world)
        # A round's review works out its quality summary once (the worker does it when
        # it runs), as the first request above did for the first round.
        _queries(client, case.url(world))
    many = _queries(client, case.url(world))
    assert many == few, f"{name}: {few} queries for a few rows, {many} for more"
