"""The demo programmes: believable, complete, and safe to seed twice."""

from __future__ import annotations

from typing import Any

from mentora.accounts.models import Organisation
from mentora.core.models import AuditEntry
from mentora.demo.programmes import EXCHANGE, GRADUATE, find_programme, seed_programmes
from mentora.demo.seed import seed_demo
from mentora.events.models import Attendance, Event
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    ParticipantStatus,
    Programme,
    Question,
    Touchpoint,
)


def _state() -> tuple[Any, ...]:
    return (
        sorted(Programme.objects.values_list("name", "organisation__slug", "kind")),
        sorted(
            Participant.objects.values_list(
                "programme__name", "person__employee_id", "role", "status", "profile"
            ),
            key=str,
        ),
        ParticipantEvent.objects.count(),
        Question.objects.count(),
        Touchpoint.objects.count(),
        Event.objects.count(),
        Attendance.objects.count(),
        sorted(Organisation.objects.values_list("slug", flat=True)),
        AuditEntry.objects.count(),
    )


def test_seeding_the_programmes_twice_changes_nothing(db: None) -> None:
    summary = seed_demo(people=200)
    seed_programmes(organisation=summary.organisation)
    first = _state()
    seed_programmes(organisation=summary.organisation)
    assert _state() == first


def test_the_demo_programmes_show_every_status_and_a_rivalry(db: None) -> None:
    summary = seed_demo(people=200)
    seed_programmes(organisation=summary.organisation)
    graduate = find_programme(summary.organisation, GRADUATE)
    assert graduate is not None and graduate.kind == "one_to_one"
    # Under way, so nobody has completed it yet; the evaluated programme shows completion.
    statuses = set(graduate.participants.values_list("status", flat=True))
    assert statuses == set(ParticipantStatus.values) - {"completed"}
    assert graduate.managers.filter(email="manager@example.org").exists()
    assert graduate.sponsors.filter(email="sponsor@example.org").exists()
    mentee = graduate.participants.get(user__email="mentee@example.org")
    assert mentee.status == "needs_line_manager"
    assert mentee.person.manager.user.email == "linemanager@example.org"
    assert graduate.participants.get(user__email="mentor@example.org").role == "mentor"

    exchange = find_programme(summary.organisation, EXCHANGE)
    assert exchange is not None and exchange.kind == "cross_two_way"
    assert len(exchange.organisation_ids()) == 3
    assert summary.organisation.competitors.count() == 1
    organisations = set(exchange.participants.values_list("person__organisation", flat=True))
    assert organisations == exchange.organisation_ids()
    assert exchange.managers.filter(email="manager@example.org").exists()


def test_the_demo_logins_find_their_programmes(db: None, client: Any) -> None:
    from django.urls import reverse

    from mentora.accounts.models import User

    summary = seed_demo(people=200)
    seed_programmes(organisation=summary.organisation)
    graduate = find_programme(summary.organisation, GRADUATE)
    exchange = find_programme(summary.organisation, EXCHANGE)
    assert graduate is not None and exchange is not None

    def page(email: str, url: str) -> str:
        client.force_login(User.objects.get(email=email))
        response = client.get(url)
        assert response.status_code == 200, (email, url)
        return response.content.decode()

    assert exchange.name in page("manager@example.org", reverse("programme_list"))
    pipeline = page("manager@example.org", reverse("programme_pipeline", args=[graduate.pk]))
    assert "Ready to match" in pipeline
    page("sponsor@example.org", reverse("programme_health", args=[graduate.pk]))
    assert "Mira Mentee" in page("linemanager@example.org", reverse("line_manager_approvals"))
    assert graduate.name in page("mentee@example.org", reverse("my_programmes"))
    assert exchange.name in page("mentor@example.org", reverse("my_programmes"))
