from __future__ import annotations

from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS, make_person
from mentora.accounts.models import Organisation
from mentora.programmes.models import Participant, ProgrammeOrganisation
from mentora.relationships.models import PeerGroup
from mentora.relationships.services import groups as groups_services
from mentora.rounds.services import groups as rounds_groups
from mentora.rounds.services import proposals, rounds


def add_mentees(cohort: Any, count: int, organisation: Any = None, prefix: str = "P") -> list[Any]:
    made = []
    for n in range(count):
        person = make_person(
            organisation or cohort.personas.organisation,
            f"{prefix}{n}",
            f"{prefix}{n}",
            "Peer",
            level=2,
            location=["Aarhus", "Oslo", "London"][n % 3],
        )
        made.append(
            Participant.objects.create(
                programme=cohort.programme, person=person, role="mentee", status="ready"
            )
        )
    return made


def test_peer_groups_never_put_a_manager_and_their_report_together(cohort: Any) -> None:
    # Jo's line manager Lena joins as a mentee too: they must end up in different groups.
    lena = Participant.objects.create(
        programme=cohort.programme,
        person=cohort.personas.people["lead"],
        role="mentee",
        status="ready",
    )
    add_mentees(cohort, 6)
    groups, left_out = rounds_groups.groups_form(
        programme=cohort.programme, kind="mentee_peers", min_size=3, max_size=4, actor=None
    )
    assert groups and not left_out
    for group in groups:
        members = set(group.members.values_list("pk", flat=True))
        assert not {lena.pk, cohort.junior.pk} <= members
        assert 3 <= len(members) <= 4


def test_action_learning_groups_take_one_member_per_organisation(cohort: Any) -> None:
    others = [Organisation.objects.create(name=f"Org {n}", slug=f"org{n}") for n in range(2)]
    for organisation in others:
        ProgrammeOrganisation.objects.create(programme=cohort.programme, organisation=organisation)
    for n, organisation in enumerate(others):
        add_mentees(cohort, 2, organisation=organisation, prefix=f"O{n}_")
    add_mentees(cohort, 0)
    groups, _left = rounds_groups.groups_form(
        programme=cohort.programme, kind="action_learning", min_size=2, max_size=3, actor=None
    )
    assert groups
    for group in groups:
        orgs = list(group.members.values_list("person__organisation_id", flat=True))
        assert len(orgs) == len(set(orgs))


def test_group_sizes_are_checked(cohort: Any) -> None:
    with pytest.raises(ValidationError):
        rounds_groups.groups_form(
            programme=cohort.programme, kind="mentee_peers", min_size=5, max_size=3, actor=None
        )


def test_publishing_groups_tells_every_member(
    cohort: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    add_mentees(cohort, 4)
    rounds_groups.groups_form(
        programme=cohort.programme, kind="mentee_peers", min_size=3, max_size=3, actor=None
    )
    with django_capture_on_commit_callbacks(execute=True):
        published = groups_services.groups_publish(
            programme=cohort.programme, kind="mentee_peers", actor=None
        )
    assert published == PeerGroup.objects.filter(published=True).count() == 2
    assert (
        DBTaskResult.objects.filter(
            task_path="mentora.relationships.tasks.send_group_welcome"
        ).count()
        == 2
    )


def test_a_group_programme_publishes_one_group_per_mentor(cohort: Any) -> None:
    cohort.programme.kind = "group"
    cohort.programme.save()
    matching_round = rounds.round_run(
        round_id=rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager).pk
    )
    proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    groups = PeerGroup.objects.filter(kind="mentoring")
    assert groups.count() == 2
    assert all(g.members.filter(role="mentor").count() == 1 for g in groups)


@pytest.mark.parametrize("who", PERSONAS)
def test_the_groups_page_is_for_those_running_the_programme(
    client_for: Any, cohort: Any, who: str
) -> None:
    url = reverse("programme_groups", args=[cohort.programme.pk])
    assert client_for(getattr(cohort.personas, who)).get(url).status_code == MANAGERS_ONLY[who]


@pytest.mark.parametrize("endpoint", ["groups_form", "groups_publish"])
@pytest.mark.parametrize("who", PERSONAS)
def test_forming_and_publishing_groups_is_for_those_running_the_programme(
    client_for: Any, cohort: Any, who: str, endpoint: str
) -> None:
    add_mentees(cohort, 4)
    url = reverse(endpoint, args=[cohort.programme.pk])
    if endpoint == "groups_publish":
        rounds_groups.groups_form(
            programme=cohort.programme, kind="mentee_peers", min_size=3, max_size=3, actor=None
        )
    response = client_for(getattr(cohort.personas, who)).post(
        url, {"kind": "mentee_peers", "min_size": 3, "max_size": 3, "confirm": "on"}
    )
    assert response.status_code == (302 if MANAGERS_ONLY[who] == 200 else MANAGERS_ONLY[who])
    groups = PeerGroup.objects.filter(programme=cohort.programme, kind="mentee_peers")
    if endpoint == "groups_form":
        assert groups.exists() == (MANAGERS_ONLY[who] == 200)
    else:
        assert groups.filter(published=True).exists() == (MANAGERS_ONLY[who] == 200)


def test_forming_groups_says_how_many_were_formed_and_left_out(
    client_for: Any, cohort: Any
) -> None:
    add_mentees(cohort, 5)
    response = client_for(cohort.personas.manager).post(
        reverse("groups_form", args=[cohort.programme.pk]),
        {"kind": "mentee_peers", "min_size": 3, "max_size": 3},
    )
    groups = PeerGroup.objects.filter(programme=cohort.programme, kind="mentee_peers").count()
    placed = sum(g.members.count() for g in PeerGroup.objects.filter(programme=cohort.programme))
    left = Participant.objects.filter(programme=cohort.programme, role="mentee").count() - placed
    said = [str(m) for m in get_messages(response.wsgi_request)]
    assert said == [f"{groups} groups formed; {left} could not be placed without breaking a rule."]


def test_members_see_their_published_group(client_for: Any, cohort: Any) -> None:
    add_mentees(cohort, 2)
    rounds_groups.groups_form(
        programme=cohort.programme, kind="mentee_peers", min_size=2, max_size=4, actor=None
    )
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    assert "Your groups" not in page
    groups_services.groups_publish(programme=cohort.programme, kind="mentee_peers", actor=None)
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    assert "Your groups" in page


def test_the_groups_page_says_who_each_member_is(client_for: Any, cohort: Any) -> None:
    add_mentees(cohort, 6)
    rounds_groups.groups_form(
        programme=cohort.programme, kind="mentee_peers", min_size=3, max_size=4, actor=None
    )
    page = (
        client_for(cohort.personas.manager)
        .get(reverse("programme_groups", args=[cohort.programme.pk]))
        .content.decode()
    )
    assert '<span class="person-context">Acme Energy · Apps</span>' in page
