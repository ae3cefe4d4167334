"""Guests: people outside the HR data, invited by e-mail or applying through the public
link, who get an account with a participant's access to one programme and nothing else."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from mentora.accounts.models import User
from mentora.notifications.models import OutboxMessage
from mentora.people.models import Person
from mentora.programmes import tasks
from mentora.programmes.guest_models import Guest, GuestStatus
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.programmes.services import guests

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-guest-password-42"


def guests_url(setup: Any) -> str:
    return reverse("programme_guests", args=[setup.programme.pk])


def invitation(setup: Any, email: str = "alumna@elsewhere.example") -> Guest:
    return guests.guest_invite(
        programme=setup.programme,
        email=email,
        full_name="Alma Alumna",
        role="mentor",
        language="en",
        actor=setup.personas.manager,
    )


def test_the_manager_invites_a_guest_who_gets_an_e_mail_with_a_link(
    setup: Any, client_for: Any, smtp_sink: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(setup.personas.manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            guests_url(setup),
            {
                "full_name": "Alma Alumna",
                "email": "Alumna@Elsewhere.example",
                "role": "mentor",
                "language": "en",
            },
        )
    assert response.status_code == 302
    guest = Guest.objects.get()
    assert (guest.email, guest.status) == ("alumna@elsewhere.example", GuestStatus.INVITED)
    # The person is marked external; no account exists until the guest accepts.
    assert guest.person is not None and guest.person.external
    assert not User.objects.filter(email="alumna@elsewhere.example").exists()
    tasks.send_guest_invitation.call(guest.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "alumna@elsewhere.example"
    assert "Graduate onboarding" in message["Subject"]
    assert f"/guest/{guest.token}/" in message.get_body(("plain",)).get_content()


def test_the_invitation_task_run_again_sends_no_second_e_mail(
    setup: Any, mailoutbox: list[Any]
) -> None:
    guest = invitation(setup)
    tasks.send_guest_invitation.call(guest.pk)
    tasks.send_guest_invitation.call(guest.pk)
    assert [m.to for m in mailoutbox] == [["alumna@elsewhere.example"]]
    assert guest.token not in OutboxMessage.objects.get().key


def test_accepting_creates_an_account_with_a_participants_access_only(
    setup: Any, client: Any
) -> None:
    guest = invitation(setup)
    url = reverse("guest_accept", args=[guest.token])
    assert client.get(url).status_code == 200

    response = client.post(url, {"password": PASSWORD, "password_again": PASSWORD})

    assert response.status_code == 302
    user = User.objects.get(email="alumna@elsewhere.example")
    assert client.session["_auth_user_id"] == str(user.pk)
    participant = Participant.objects.get(user=user)
    assert (participant.programme, participant.role) == (setup.programme, "mentor")
    assert participant.status == ParticipantStatus.INVITED
    assert set(user.memberships.values_list("role", flat=True)) == {"mentor"}
    # A participant's pages, and nothing of the organisation's staff pages.
    assert client.get(reverse("my_programmes")).status_code == 200
    assert client.get(reverse("participant_apply", args=[participant.pk])).status_code == 200
    assert client.get(reverse("people_directory", args=["acme"])).status_code == 403
    assert client.get(guests_url(setup)).status_code == 403
    # The link is used up.
    client.logout()
    assert client.get(url).status_code == 404


def test_mismatched_passwords_create_nothing(setup: Any, client: Any) -> None:
    guest = invitation(setup)
    response = client.post(
        reverse("guest_accept", args=[guest.token]),
        {"password": PASSWORD, "password_again": PASSWORD + "x"},
    )
    assert response.status_code == 400
    assert b"The two passwords differ" in response.content
    assert not User.objects.filter(email=guest.email).exists()


def test_an_existing_account_is_not_taken_over_by_an_invitation(setup: Any, client: Any) -> None:
    guest = invitation(setup, email="sponsor@test.example")
    response = client.post(
        reverse("guest_accept", args=[guest.token]),
        {"password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 400
    assert b"log in to it" in response.content
    assert not User.objects.get(email="sponsor@test.example").check_password(PASSWORD)


def test_someone_with_no_hr_record_applies_and_approval_creates_the_person(
    setup: Any, client_for: Any
) -> None:
    client = client_for(None)
    url = reverse("programme_guest_apply", args=[setup.programme.application_token])
    assert client.get(url).status_code == 200
    people = Person.objects.count()

    response = client.post(
        url,
        {
            "full_name": "Eve Expert",
            "email": "eve@partner.example",
            "role": "mentor",
            "language": "da",
        },
    )

    assert response.status_code == 200
    assert b"The programme team will look at your application" in response.content
    guest = Guest.objects.get()
    assert guest.status == GuestStatus.APPLIED
    assert Person.objects.count() == people
    page = client_for(setup.personas.manager).get(guests_url(setup))
    assert b"Eve Expert" in page.content

    response = client_for(setup.personas.manager).post(
        reverse("guest_approve", args=[setup.programme.pk, guest.pk])
    )

    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.status == GuestStatus.INVITED
    assert guest.person is not None and guest.person.external
    assert Person.objects.count() == people + 1


def test_a_declined_application_creates_no_one(setup: Any, client_for: Any) -> None:
    guest = guests.guest_apply(
        programme=setup.programme,
        email="eve@partner.example",
        full_name="Eve Expert",
        role="mentee",
        language="en",
    )
    response = client_for(setup.personas.manager).post(
        reverse("guest_decline", args=[setup.programme.pk, guest.pk])
    )
    assert response.status_code == 302
    guest.refresh_from_db()
    assert (guest.status, guest.person) == (GuestStatus.DECLINED, None)


def test_a_second_open_request_for_the_same_address_is_refused(setup: Any, client_for: Any) -> None:
    invitation(setup)
    response = client_for(setup.personas.manager).post(
        guests_url(setup),
        {"full_name": "A", "email": "alumna@elsewhere.example", "role": "mentee", "language": "en"},
    )
    assert response.status_code == 400
    assert b"has already been asked into this programme" in response.content
    assert Guest.objects.count() == 1


def test_who_may_see_and_decide_on_guests(setup: Any, client_for: Any) -> None:
    guest = guests.guest_apply(
        programme=setup.programme,
        email="eve@partner.example",
        full_name="Eve Expert",
        role="mentee",
        language="en",
    )
    approve = reverse("guest_approve", args=[setup.programme.pk, guest.pk])
    personas = setup.personas
    # Outsiders do not learn the programme exists.
    assert client_for(personas.outsider).get(guests_url(setup)).status_code == 404
    assert client_for(personas.outsider).post(approve).status_code == 404
    # The sponsor may read the programme, not decide.
    assert client_for(personas.sponsor).get(guests_url(setup)).status_code == 200
    assert client_for(personas.sponsor).post(approve).status_code == 403
    assert client_for(personas.mentee).post(approve).status_code == 403
    guest.refresh_from_db()
    assert guest.status == GuestStatus.APPLIED
    assert client_for(personas.manager).post(approve).status_code == 302
    guest.refresh_from_db()
    assert guest.status == GuestStatus.INVITED


def test_guests_never_sign_in_through_the_organisations_provider_nor_leave_with_hr_imports(
    setup: Any,
) -> None:
    guest = invitation(setup)
    from mentora.people.importer.plan import _existing_people

    assert guest.person is not None
    assert guest.person.employee_id not in _existing_people(setup.personas.organisation)
    assert re.match(r"guest-", guest.person.employee_id)


def test_someone_logged_in_as_another_person_cannot_accept(setup: Any, client_for: Any) -> None:
    guest = invitation(setup)
    client = client_for(setup.personas.sponsor)
    response = client.post(
        reverse("guest_accept", args=[guest.token]),
        {"password": PASSWORD, "password_again": PASSWORD},
    )
    assert response.status_code == 400
    assert b"log out first" in response.content
    assert client.session["_auth_user_id"] == str(setup.personas.sponsor.pk)
    assert not User.objects.filter(email=guest.email).exists()
