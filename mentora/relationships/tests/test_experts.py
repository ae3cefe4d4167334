"""Expert networks: connecting learners with experts, activity, and the quiet check."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from conftest import MANAGERS_ONLY, PERSONAS, make_person
from mentora.people.models import Person
from mentora.programmes.models import Participant, Programme
from mentora.programmes.services import design
from mentora.relationships import tasks
from mentora.relationships.models import ExpertActivity, ExpertConnection
from mentora.relationships.services import experts


@dataclass
class Network:
    personas: Any
    programme: Programme
    learner: Participant
    other_learner: Participant
    expert: Participant
    other_expert: Participant


@pytest.fixture
def network(personas: Any) -> Network:
    """Jo (the mentee persona) and Eva learn; Mo (the mentor persona) and Tina are experts."""
    org = personas.organisation
    programme = design.programme_create(
        organisation=org, actor=personas.manager, name="Energy experts", kind="expert_network"
    )
    programme.sponsors.add(personas.sponsor)
    mo = make_person(org, "X1", "Mo", "Mentor", user=personas.mentor)
    tina = make_person(org, "X2", "Tina", "Turbine")
    eva = make_person(org, "X3", "Eva", "E")

    def take_part(person: Person, role: str, themes: list[str]) -> Participant:
        return Participant.objects.create(
            programme=programme,
            person=person,
            user=person.user,
            role=role,
            status="active",
            profile={"themes": themes},
        )

    return Network(
        personas=personas,
        programme=programme,
        learner=take_part(personas.people["junior"], "mentee", ["wind"]),
        other_learner=take_part(eva, "mentee", []),
        expert=take_part(mo, "mentor", ["Wind Power", "Grids"]),
        other_expert=take_part(tina, "mentor", ["Wind Power"]),
    )


def connect(network: Network, **overrides: Any) -> ExpertConnection:
    values: dict[str, Any] = {
        "programme": network.programme,
        "learner": network.learner,
        "expert": network.expert,
        "theme": "wind power",
        "actor": network.personas.manager,
    }
    return experts.expert_connect(**{**values, **overrides})


def days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def record_activity(connection: Any, actor: Any, kind: str, days: int) -> ExpertActivity:
    """`actor` records activity of `kind` between the two of `connection`, `days` ago."""
    return experts.expert_activity_record(
        connection=connection, actor=actor, kind=kind, happened_on=days_ago(days)
    )


def age(connection: ExpertConnection, days: int) -> None:
    ExpertConnection.objects.filter(pk=connection.pk).update(
        created_at=timezone.now() - dt.timedelta(days=days)
    )


# Connecting ---------------------------------------------------------------------------------


def test_it_connects_a_learner_with_an_expert_on_the_experts_own_theme(network: Network) -> None:
    connection = connect(network, theme="  WIND power ")
    assert connection.theme == "Wind Power"
    assert connection.created_by == network.personas.manager
    assert connection.is_open


def another_programme(network: Network, kind: str) -> tuple[Programme, Participant, Participant]:
    """A second programme of `kind` in which the same two people take part."""
    programme = design.programme_create(
        organisation=network.personas.organisation,
        actor=network.personas.manager,
        name=f"Another {kind}",
        kind=kind,
    )

    def copy(participant: Participant) -> Participant:
        return Participant.objects.create(
            programme=programme,
            person=participant.person,
            user=participant.user,
            role=participant.role,
            status="active",
            profile=participant.profile,
        )

    return programme, copy(network.learner), copy(network.expert)


def test_it_connects_only_in_expert_network_programmes(network: Network) -> None:
    programme, learner, expert = another_programme(network, "one_to_one")
    with pytest.raises(ValidationError, match="only in expert networks"):
        connect(network, programme=programme, learner=learner, expert=expert)


def test_it_rejects_a_learner_or_expert_in_the_wrong_role(network: Network) -> None:
    with pytest.raises(ValidationError, match="Choose a learner"):
        connect(network, learner=network.other_expert)
    with pytest.raises(ValidationError, match="Choose an expert"):
        connect(network, expert=network.other_learner)


def test_it_rejects_participants_of_another_programme(network: Network) -> None:
    _programme, learner, expert = another_programme(network, "expert_network")
    with pytest.raises(ValidationError, match="Choose a learner"):
        connect(network, learner=learner)
    with pytest.raises(ValidationError, match="Choose an expert"):
        connect(network, expert=expert)


def test_it_rejects_participants_who_no_longer_take_part(network: Network) -> None:
    Participant.objects.filter(pk=network.expert.pk).update(status="withdrawn")
    network.expert.refresh_from_db()
    with pytest.raises(ValidationError, match="Choose an expert"):
        connect(network)


def test_it_rejects_a_theme_that_is_not_among_the_experts(network: Network) -> None:
    with pytest.raises(ValidationError, match="one of the expert's themes"):
        connect(network, theme="solar")
    assert not ExpertConnection.objects.exists()


def test_a_learner_may_have_several_experts_but_each_once_per_theme(network: Network) -> None:
    connect(network)
    connect(network, expert=network.other_expert)
    connect(network, theme="grids")
    assert network.learner.expert_connections_as_learner.count() == 3
    with pytest.raises(ValidationError, match="already connected"):
        connect(network, theme="Wind power")


def test_connecting_tells_both_by_e_mail(
    network: Network, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        connection = connect(network)
    assert DBTaskResult.objects.filter(
        task_path="mentora.relationships.tasks.send_expert_connected"
    ).exists()
    assert tasks.send_expert_connected.call(connection.pk) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["mentee@test.example", "mentor@test.example"]
    to_learner = next(m for m in mailoutbox if m.to == ["mentee@test.example"])
    assert "Mo Mentor" in to_learner.subject
    assert reverse("my_experts") in to_learner.body


# Activity -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentee", "mentor", "manager"])
def test_the_learner_the_expert_and_a_manager_record_activity(network: Network, who: str) -> None:
    connection = connect(network)
    actor = getattr(network.personas, who)
    activity = experts.expert_activity_record(
        connection=connection, actor=actor, kind="session", happened_on=days_ago(1), note=" Q&A "
    )
    assert activity.recorded_by == actor
    assert activity.note == "Q&A"


@pytest.mark.parametrize("who", ["sponsor", "line_manager", "outsider"])
def test_others_may_not_record_activity(network: Network, who: str) -> None:
    connection = connect(network)
    with pytest.raises(ValidationError, match="Only the learner"):
        record_activity(connection, getattr(network.personas, who), "contact", 1)


def test_it_rejects_unknown_kinds_future_dates_and_closed_connections(network: Network) -> None:
    connection = connect(network)
    record = {"connection": connection, "actor": network.personas.mentee}
    with pytest.raises(ValidationError, match="kind of activity"):
        experts.expert_activity_record(**record, kind="party", happened_on=days_ago(0))
    with pytest.raises(ValidationError, match="has happened"):
        experts.expert_activity_record(**record, kind="contact", happened_on=days_ago(-1))
    connection.closed_at = timezone.now()
    connection.save()
    with pytest.raises(ValidationError, match="closed"):
        experts.expert_activity_record(**record, kind="contact", happened_on=days_ago(0))
    assert not ExpertActivity.objects.exists()


def test_the_summary_counts_activity_per_expert_and_flags_the_quiet(network: Network) -> None:
    busy = connect(network)
    quiet = connect(network, expert=network.other_expert)
    age(busy, 200)
    age(quiet, 100)
    for days in (10, 40, 100):
        record_activity(busy, network.personas.mentor, "contact", days)
    record_activity(quiet, network.personas.manager, "other", 60)
    rows = {row.expert.pk: row for row in experts.expert_activity_summary(network.programme)}
    mo, tina = rows[network.expert.pk], rows[network.other_expert.pk]
    assert (mo.connections, mo.activities_30, mo.activities_90) == (1, 1, 2)
    assert mo.last_activity == days_ago(10)
    assert not mo.quiet
    assert (tina.connections, tina.activities_30, tina.activities_90) == (1, 0, 1)
    assert tina.last_activity == days_ago(60)
    assert tina.quiet


def test_a_fresh_connection_is_not_quiet_and_an_expert_without_connections_never_is(
    network: Network,
) -> None:
    connect(network)
    rows = {row.expert.pk: row for row in experts.expert_activity_summary(network.programme)}
    assert not rows[network.expert.pk].quiet
    assert rows[network.other_expert.pk].connections == 0
    assert not rows[network.other_expert.pk].quiet


# The quiet check ----------------------------------------------------------------------------


def test_quiet_experts_are_asked_once_per_period(
    network: Network, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from django_tasks_db.models import DBTaskResult

    connection = connect(network)
    connect(network, expert=network.other_expert)
    age(connection, experts.QUIET_DAYS + 1)
    with django_capture_on_commit_callbacks(execute=True):
        assert experts.experts_check_quiet() == 1
    assert experts.experts_check_quiet() == 0
    connection.refresh_from_db()
    assert connection.quiet_check_sent_at is not None
    assert DBTaskResult.objects.filter(
        task_path="mentora.relationships.tasks.send_expert_quiet_check"
    ).exists()
    # A period later, still quiet: asked again.
    later = timezone.now() + dt.timedelta(days=experts.QUIET_DAYS + 1)
    assert experts.experts_check_quiet(now=later) == 2
    assert tasks.send_expert_quiet_check.call(network.expert.pk)
    assert [m.to for m in mailoutbox] == [["mentor@test.example"]]
    assert reverse("my_experts") in mailoutbox[0].body
    assert "Jo Junior" in mailoutbox[0].body


def test_recent_activity_keeps_an_expert_from_being_asked(network: Network) -> None:
    connection = connect(network)
    age(connection, 100)
    record_activity(connection, network.personas.mentor, "contact", 3)
    assert experts.experts_check_quiet() == 0


def test_the_daily_command_asks_quiet_experts(network: Network) -> None:
    from io import StringIO

    age(connect(network), 100)
    out = StringIO()
    call_command("send_pair_reminders", stdout=out)
    assert "1 quiet expert(s) asked" in out.getvalue()


# Pages and access ---------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), MANAGERS_ONLY.items())
def test_the_expert_network_page_is_for_managers(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    connection = connect(network)
    record_activity(connection, network.personas.mentor, "session", 2)
    response = client_for(network.personas.all()[who]).get(
        reverse("expert_network", args=[network.programme.pk])
    )
    assert response.status_code == status
    if status == 200:
        page = response.content.decode()
        assert "Tina Turbine" in page and "Jo Junior" in page
        assert reverse("expert_connect", args=[network.programme.pk]) in page


@pytest.mark.parametrize(("who", "status"), MANAGERS_ONLY.items())
def test_connecting_through_the_page_is_for_managers(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    response = client_for(network.personas.all()[who]).post(
        reverse("expert_connect", args=[network.programme.pk]),
        {"learner": network.learner.pk, "expert": network.expert.pk, "theme": "Grids"},
    )
    assert response.status_code == (302 if status == 200 else status)
    assert ExpertConnection.objects.exists() == (status == 200)


def test_the_connect_form_shows_the_rule_it_breaks(network: Network, client_for: Any) -> None:
    client = client_for(network.personas.manager)
    url = reverse("expert_connect", args=[network.programme.pk])
    response = client.post(
        url,
        {"learner": network.learner.pk, "expert": network.other_expert.pk, "theme": "Grids"},
        follow=True,
    )
    assert "one of the expert&#x27;s themes" in response.content.decode()
    response = client.post(url, {"learner": "x", "expert": network.expert.pk}, follow=True)
    assert "Choose a learner and an expert" in response.content.decode()
    assert not ExpertConnection.objects.exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_my_experts_shows_only_ones_own_connections(
    network: Network, client_for: Any, who: str
) -> None:
    connect(network)
    response = client_for(network.personas.all()[who]).get(reverse("my_experts"))
    assert response.status_code == 200
    page = response.content.decode()
    shown = reverse("expert_activity", args=[ExpertConnection.objects.get().pk]) in page
    assert shown == (who in {"mentee", "mentor"})


def test_my_experts_needs_a_login(client_for: Any, db: None) -> None:
    assert client_for(None).get(reverse("my_experts")).status_code == 302


EXPECTED_ACTIVITY = {
    "admin": 302,
    "org_admin": 302,
    "manager": 302,
    "mentor": 302,
    "mentee": 302,
    "sponsor": 403,
    "line_manager": 403,
    "outsider": 404,
}


@pytest.mark.parametrize(("who", "status"), EXPECTED_ACTIVITY.items())
def test_recording_activity_is_for_the_two_and_managers(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    connection = connect(network)
    response = client_for(network.personas.all()[who]).post(
        reverse("expert_activity", args=[connection.pk]),
        {
            "kind": "contact",
            "happened_on": days_ago(1).isoformat(),
            "note": "Phone call",
            "submission": str(uuid.uuid4()),
        },
    )
    assert response.status_code == status
    assert ExpertActivity.objects.filter(connection=connection).exists() == (status == 302)
    if who in {"mentor", "mentee"}:
        assert response["Location"] == reverse("my_experts")


def test_activity_on_a_missing_connection_is_404(network: Network, client_for: Any) -> None:
    response = client_for(network.personas.manager).post(
        reverse("expert_activity", args=[999]), {"kind": "contact"}
    )
    assert response.status_code == 404
    assert not ExpertActivity.objects.exists()


def test_a_bad_date_is_reported_not_recorded(network: Network, client_for: Any) -> None:
    connection = connect(network)
    response = client_for(network.personas.mentee).post(
        reverse("expert_activity", args=[connection.pk]),
        {"kind": "contact", "happened_on": "soon"},
        follow=True,
    )
    assert "Give the date of the activity" in response.content.decode()
    assert not ExpertActivity.objects.exists()


def test_the_programme_nav_links_to_the_expert_network(network: Network, client_for: Any) -> None:
    response = client_for(network.personas.manager).get(
        reverse("pair_health", args=[network.programme.pk])
    )
    assert reverse("expert_network", args=[network.programme.pk]) in response.content.decode()


@pytest.mark.parametrize(("who", "status"), EXPECTED_ACTIVITY.items())
def test_a_connection_is_ended_by_the_two_or_a_manager_and_keeps_its_activity(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    connection = connect(network)
    record_activity(connection, network.personas.manager, "contact", 2)
    response = client_for(network.personas.all()[who]).post(
        reverse("expert_close", args=[connection.pk]), {"confirm": "on"}
    )
    assert response.status_code == status
    connection.refresh_from_db()
    assert (connection.closed_at is not None) == (status == 302)
    assert ExpertActivity.objects.filter(connection=connection).count() == 1


def test_a_closed_connection_cannot_be_closed_again(network: Network) -> None:
    connection = connect(network)
    experts.expert_disconnect(connection=connection, actor=network.personas.manager)
    with pytest.raises(ValidationError, match="closed"):
        experts.expert_disconnect(connection=connection, actor=network.personas.manager)


def test_the_network_page_tells_apart_two_experts_of_the_same_name(
    client_for: Any, network: Network
) -> None:
    Person.objects.filter(pk=network.expert.person_id).update(job_title="Wind engineer")
    twin = make_person(
        network.personas.other_organisation, "T1", "Mo", "Mentor", job_title="Grid planner"
    )
    Participant.objects.create(
        programme=network.programme,
        person=twin,
        role="mentor",
        status="active",
        profile={"themes": ["Grids"]},
    )
    connect(network)
    page = (
        client_for(network.personas.manager)
        .get(reverse("expert_network", args=[network.programme.pk]))
        .content.decode()
    )
    assert ">Mo Mentor (Acme Energy · Wind engineer): Wind Power, Grids</option>" in page
    assert ">Mo Mentor (Other Works · Grid planner): Grids</option>" in page
    assert '<span class="person-context">Acme Energy · Wind engineer</span>' in page
    assert '<span class="person-context">Other Works · Grid planner</span>' in page


def test_ending_a_connection_waits_for_the_tick(client_for: Any, network: Network) -> None:
    connection = connect(network)
    client = client_for(network.personas.mentor)
    page = client.get(reverse("my_experts")).content.decode()
    assert 'name="confirm"' in page
    refused = client.post(reverse("expert_close", args=[connection.pk]), follow=True)
    assert "Nothing was changed: tick" in refused.content.decode()
    connection.refresh_from_db()
    assert connection.is_open
    client.post(reverse("expert_close", args=[connection.pk]), {"confirm": "on"})
    connection.refresh_from_db()
    assert not connection.is_open


def test_activity_sent_twice_is_recorded_once(client_for: Any, network: Network) -> None:
    connection = connect(network)
    client = client_for(network.personas.mentor)
    data = {
        "kind": "session",
        "happened_on": days_ago(1).isoformat(),
        "submission": str(uuid.uuid4()),
    }
    client.post(reverse("expert_activity", args=[connection.pk]), data)
    again = client.post(reverse("expert_activity", args=[connection.pk]), data, follow=True)
    assert "This was already sent, so it was saved only once." in again.content.decode()
    assert ExpertActivity.objects.filter(connection=connection).count() == 1
