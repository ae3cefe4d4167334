"""Erasing a person: what identifies them goes, their own private texts go, their partner
keeps their own, and published figures stay as they were."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mentora.accounts.models import Membership, User
from mentora.core.models import AuditEntry
from mentora.notifications.models import Notification, OutboxMessage
from mentora.people.models import Person
from mentora.programmes.models import Participant
from mentora.relationships.models import Feedback, Meeting
from mentora.reports.aggregates import build_report
from mentora.reports.retention import retention
from mentora.reports.tests.conftest import Filled, fill, hr_dates
from mentora.subject_requests.models import RequestStatus, SubjectRequest
from mentora.subject_requests.services import person_erase
from mentora.surveys.models import Answer
from mentora.surveys.tests.conftest import make_world
from tests.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _marker(world: World, what: str) -> str:
    return next(m.token for m in world.markers if m.what == what)


def _jo(world: World) -> Person:
    return world.personas.people["junior"]


def _holds(text: str, person_name: str, email: str, employee_id: str) -> list[str]:
    found = []
    if person_name in text:
        found.append("name")
    if email.lower() in text.lower():
        found.append("e-mail")
    if re.search(rf"(?<![\w-]){re.escape(employee_id)}(?![\w-])", text):
        found.append("employee id")
    return found


def test_it_deletes_the_persons_own_texts_and_keeps_the_partners(world: World) -> None:
    jo = _jo(world)
    Notification.objects.create(
        user=world.personas.mentor, kind="test", subject="Jo Junior wrote to you", channel="inbox"
    )
    request = person_erase(person_id=jo.pk, actor=world.personas.org_admin)

    assert request.status == RequestStatus.DONE
    assert request.sections_done == request.sections_total == 5
    # Private texts are encrypted, so they are read back and searched here, not in SQL.
    mentor_marker = _marker(world, "mentor reflection on the meeting of pair A")
    (meeting,) = [
        m
        for m in Meeting.objects.filter(pair=world.pairs["A"])
        if mentor_marker in m.mentor_reflection
    ]
    # Jo's reflection is gone, Mo's stays; what they wrote together stays for Mo.
    assert meeting.mentee_reflection == ""
    assert _marker(world, "mentee agenda of held meeting of pair A") in meeting.agenda
    feedback = Feedback.objects.filter(pair=world.pairs["A"])
    assert not feedback.filter(author=world.personas.mentee).exists()
    assert feedback.filter(author=world.personas.mentor, direction="mentor_to_mentee").exists()
    # Jo's free-text survey answer is gone, Pia's stays.
    answers = [a.text for a in Answer.objects.exclude(text="")]
    assert not any(_marker(world, "survey free text of mentee") in t for t in answers)
    assert any(_marker(world, "survey free text of mentee2") in t for t in answers)

    jo.refresh_from_db()
    assert jo.full_name == "A former participant"
    assert (jo.email, jo.employee_id, jo.org_unit_id, jo.gender) == (
        "",
        f"erased-{jo.pk}",
        None,
        "",
    )
    user = User.objects.get(pk=world.personas.mentee.pk)
    assert not user.is_active
    assert not user.has_usable_password()
    assert user.email == f"erased-{jo.pk}@erased.invalid"
    assert not Membership.objects.filter(user=user).exists()
    assert not Notification.objects.filter(user=user).exists()
    # What others were told about Jo now names no one.
    assert Notification.objects.get(user=world.personas.mentor, kind="test").subject == (
        "A former participant wrote to you"
    )
    # Audited, with ids and counts only.
    entry = AuditEntry.objects.filter(action="subject_requests.person.erase").latest("pk")
    assert entry.changes["person_id"] == jo.pk
    assert entry.changes["feedback"] >= 1


def test_the_erased_person_is_found_nowhere_in_the_database(world: World) -> None:
    jo = _jo(world)
    name, email, employee_id = jo.full_name, world.personas.mentee.email, jo.employee_id
    assert (name, email, employee_id) == ("Jo Junior", "mentee@test.example", "E3")
    assert AuditEntry.objects.filter(actor_email=email).exists()
    # An e-mail to Jo still waiting to go out, and a partner's encrypted note naming her.
    OutboxMessage.objects.create(
        key="waiting-for-jo",
        message_id="<waiting-for-jo@test.example>",
        user=world.personas.mentee,
        to_address=email,
        kind="test",
        subject="Your next meeting",
    )
    meeting = Meeting.objects.filter(pair=world.pairs["A"]).first()
    assert meeting is not None
    meeting.notes = "Jo Junior asked about the move"
    meeting.save(update_fields=["notes"])
    person_erase(person_id=jo.pk, actor=world.personas.org_admin)

    assert not OutboxMessage.objects.filter(to_address__iexact=email).exists()
    assert not OutboxMessage.objects.filter(user=world.personas.mentee).exists()
    found = []
    for entry in AuditEntry.objects.all():
        text = f"{entry.actor_email} {entry.object_repr} {entry.changes}"
        found += [
            f"audit {entry.action}: {w} {text}" for w in _holds(text, name, email, employee_id)
        ]
    for person in Person.objects.all():
        text = f"{person.first_name} {person.last_name} {person.email} {person.employee_id}"
        found += [f"person {person.pk}: {w}" for w in _holds(text, name, email, employee_id)]
    for user in User.objects.all():
        found += [f"user {user.pk}: {w}" for w in _holds(f"{user} {user.email}", name, email, "-")]
    assert found == []
    assert not Person.objects.matching("Junior", organisation=jo.organisation).exists()
    assert not Person.objects.matching(email, organisation=jo.organisation).exists()


def test_the_partner_still_sees_the_pair_and_their_own_texts(world: World, client: Any) -> None:
    person_erase(person_id=_jo(world).pk, actor=world.personas.org_admin)
    client.force_login(world.personas.mentor)
    page = client.get(reverse("pair_workspace", args=[world.pairs["A"].pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "A former participant" in text
    assert "Jo Junior" not in text
    assert _marker(world, "feedback mentor_to_mentee in pair A") in text
    held = Meeting.objects.filter(pair=world.pairs["A"]).exclude(mentor_reflection="").get()
    text = client.get(reverse("meeting_detail", args=[held.pk])).content.decode()
    assert _marker(world, "mentor reflection on the meeting of pair A") in text
    assert _marker(world, "mentee agenda of held meeting of pair A") in text
    assert "Jo Junior" not in text


def test_an_erased_person_cannot_log_in(world: World, client: Any) -> None:
    client.post(reverse("login"), {"username": "mentee@test.example", "password": "pw"})
    assert "_auth_user_id" in client.session
    person_erase(person_id=_jo(world).pk, actor=world.personas.org_admin)
    # The session open at the time ends with the account.
    assert client.get(reverse("account_settings")).status_code == 302
    client.logout()
    for name in ("mentee@test.example", f"erased-{_jo(world).pk}@erased.invalid"):
        client.post(reverse("login"), {"username": name, "password": "pw"})
        assert "_auth_user_id" not in client.session


def test_erasing_twice_changes_nothing_more(world: World) -> None:
    jo = _jo(world)
    person_erase(person_id=jo.pk, actor=None)
    person_erase(person_id=jo.pk, actor=None)
    jo.refresh_from_db()
    assert jo.full_name == "A former participant"
    assert SubjectRequest.objects.filter(person=jo, status=RequestStatus.DONE).count() == 2


@pytest.fixture
def filled(personas: Any) -> Filled:
    return fill(make_world(personas))


def test_published_figures_are_the_same_after_an_erasure(filled: Filled) -> None:
    programme = filled.world.programme
    hr_dates(filled.world)
    before = (repr(build_report(programme)), repr(retention(programme)))
    answered = Participant.objects.filter(
        programme=programme, role="mentee", person__employee_id__startswith="X"
    )
    for participant in answered[:3]:
        person_erase(person_id=participant.person_id, actor=None)
    after = (repr(build_report(programme)), repr(retention(programme)))
    assert before[0] == after[0]
    assert before[1] == after[1]


def test_the_api_and_scim_no_longer_know_the_erased_person(world: World, client: Any) -> None:
    from mentora.api.tests.conftest import bearer
    from mentora.scim.services import token_create

    org = world.personas.organisation
    jo = _jo(world)
    api = bearer(world.personas.org_admin, organisation=org)
    _token, secret = token_create(organisation=org, name="IdP", actor=world.personas.org_admin)
    scim = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    urls = [
        (reverse("api_people", args=[org.slug]), api),
        (reverse("api_people", args=[org.slug]) + "?search=Junior", api),
        (reverse("scim_users", args=[org.slug]), scim),
        (
            reverse("scim_users", args=[org.slug]) + '?filter=userName eq "mentee@test.example"',
            scim,
        ),
        (reverse("scim_user", args=[org.slug, jo.pk]), scim),
    ]
    before = [client.get(url, **headers).content.decode() for url, headers in urls]
    assert "Junior" in before[0]
    jos_token = bearer(world.personas.mentee)
    assert client.get(reverse("api_organisations"), **jos_token).status_code == 200
    person_erase(person_id=jo.pk, actor=world.personas.org_admin)
    assert client.get(reverse("api_organisations"), **jos_token).status_code in (401, 403)
    for url, headers in urls:
        response = client.get(url, **headers)
        assert response.status_code < 500, url
        text = response.content.decode()
        assert _holds(text, "Jo Junior", "mentee@test.example", "E3") == [], url
        assert "Junior" not in text, url
    assert f"erased-{jo.pk}" in client.get(urls[0][0], **api).content.decode()
