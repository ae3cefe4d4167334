from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Model
from django.utils import timezone

from mentora.accounts.models import Membership, Role, User
from mentora.demo.seed import seed_demo
from mentora.events.models import Attendance, Event
from mentora.people.models import OrgUnit, Person
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    Programme,
    Touchpoint,
)
from mentora.relationships.models import Agreement, Feedback, FollowUp, Goal, Meeting, Pair
from mentora.rounds.models import MatchingRound, Proposal
from mentora.surveys.models import Answer, Invitation, Response, Survey

DEMO_MODELS: list[type[Model]] = [
    Person,
    User,
    Programme,
    Participant,
    ParticipantEvent,
    Touchpoint,
    Event,
    Attendance,
    MatchingRound,
    Proposal,
    Pair,
    Agreement,
    Meeting,
    Goal,
    Feedback,
    FollowUp,
    Survey,
    Invitation,
    Response,
    Answer,
]


def _state() -> tuple:
    return (
        sorted(
            Person.objects.values_list(
                "employee_id",
                "first_name",
                "manager__employee_id",
                "org_unit__name",
                "timezone",
                "user__email",
            )
        ),
        sorted(User.objects.values_list("email", "is_superuser")),
        sorted(Membership.objects.values_list("user__email", "role")),
        OrgUnit.objects.count(),
    )


def _everything() -> dict[str, Any]:
    """Every row the demo writes, by model, with the dates that tell its story."""
    return {
        "counts": {model.__name__: model.objects.count() for model in DEMO_MODELS},
        "people": sorted(Person.objects.values_list("employee_id", "hire_date", "leave_date")),
        "programmes": sorted(Programme.objects.values_list("name", "start_date", "end_date")),
        "participants": sorted(
            Participant.objects.values_list("person__employee_id", "role", "status"), key=str
        ),
        "pairs": sorted(Pair.objects.values_list("mentee_id", "mentor_id", "started_at")),
        "meetings": sorted(Meeting.objects.values_list("pair_id", "starts_at")),
    }


def test_seeding_twice_changes_nothing(db: None) -> None:
    seed_demo(people=120)
    first = _state()
    everything = _everything()
    summary = seed_demo(people=120)
    assert summary.created == 0 and summary.updated == 0
    assert _state() == first
    assert _everything() == everything


def test_seeding_again_on_a_later_day_changes_nothing(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_demo(people=120)
    everything = _everything()
    later = timezone.localdate() + dt.timedelta(days=45)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: later)
    summary = seed_demo(people=120)
    assert summary.created == 0 and summary.updated == 0
    assert _everything() == everything


def test_the_demo_has_one_login_per_role_with_the_demo_password(db: None) -> None:
    call_command("seed_demo", people=120)
    for email in ["admin", "manager", "sponsor", "mentor", "mentee", "linemanager", "outsider"]:
        assert User.objects.get(email=f"{email}@example.org").check_password("demo")
    assert User.objects.get(email="admin@example.org").is_superuser
    roles = dict(Membership.objects.values_list("user__email", "role"))
    assert roles["manager@example.org"] == Role.PROGRAMME_MANAGER
    assert roles["linemanager@example.org"] == Role.LINE_MANAGER
    assert "outsider@example.org" not in roles


def test_the_demo_organisation_is_believable(db: None) -> None:
    seed_demo(people=150)
    # The HR tree as imported; the finished evaluation cohort is added beside it.
    people = Person.objects.filter(organisation__slug="nordlys").exclude(
        employee_id__startswith="EVAL-"
    )
    assert people.count() == 150
    # One root; everyone else reaches it through a chain of managers.
    [ceo] = people.filter(manager__isnull=True)
    assert all(p.management_chain()[-1] == ceo for p in people.exclude(pk=ceo.pk))
    assert set(OrgUnit.objects.values_list("kind", flat=True)) == {"division", "department", "team"}
    assert people.values("timezone").distinct().count() >= 4
    assert people.values("location").distinct().count() >= 5
    mentee = Person.objects.get(user__email="mentee@example.org")
    line_manager = Person.objects.get(user__email="linemanager@example.org")
    mentor = Person.objects.get(user__email="mentor@example.org")
    assert mentee.manager == line_manager
    assert mentor not in mentee.management_chain()
    assert mentor.org_unit.parent.parent != mentee.org_unit.parent.parent
    # Like a real HR export, it lists the staff who left lately; nobody with reports left,
    # and no demo login belongs to someone who left.
    leavers = people.filter(leave_date__isnull=False)
    today = timezone.localdate()
    assert 0.03 * people.count() <= leavers.count() <= 0.2 * people.count()
    assert not leavers.filter(reports__isnull=False).exists()
    assert not leavers.filter(user__isnull=False).exists()
    for person in leavers:
        assert person.hire_date < person.leave_date < today
        assert person.leave_date >= today - dt.timedelta(days=3 * 365 + 31)
