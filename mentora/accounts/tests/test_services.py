from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from conftest import invite_member
from mentora.accounts import services
from mentora.accounts.models import Membership, Role, User
from mentora.core.models import AuditEntry


def test_inviting_a_new_person_creates_the_account_the_role_and_queues_the_email(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True):
        membership = invite_member(
            personas, "Ny.Person@Test.Example", Role.MENTEE, full_name="Ny Person", language="da"
        )
    user = User.objects.get(email="ny.person@test.example")
    assert membership.user == user and membership.role == Role.MENTEE
    assert not user.has_usable_password()
    assert user.language == "da"
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "mentora.accounts.tasks.send_invitation"
    assert queued.args_kwargs["args"] == [membership.pk]
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["accounts.user.create", "accounts.membership.grant"]


def test_a_failed_invitation_sends_nothing(
    personas: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        invite_member(personas, "x@test.example", "wizard")
    assert not DBTaskResult.objects.exists()
    assert not User.objects.filter(email="x@test.example").exists()


def test_the_invitation_email_is_written_in_the_invitees_language(
    personas: Any, smtp_sink: Any
) -> None:
    from mentora.accounts.tasks import send_invitation

    membership = invite_member(personas, "dansk@test.example", Role.MENTOR, language="da")
    send_invitation.call(membership.pk)
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "dansk@test.example"
    assert "Acme Energy" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Mentor" in body
    assert "/password/reset/" in body
    assert "Vælg din adgangskode" in body


def test_the_last_organisation_admin_cannot_be_removed(personas: Any) -> None:
    membership = Membership.objects.get(user=personas.org_admin)
    with pytest.raises(ValidationError):
        services.membership_revoke(membership=membership, actor=personas.admin)
    assert Membership.objects.filter(pk=membership.pk).exists()


def test_revoking_a_role_is_audited(personas: Any) -> None:
    membership = Membership.objects.get(user=personas.mentor)
    services.membership_revoke(membership=membership, actor=personas.org_admin)
    entry = AuditEntry.objects.get(action="accounts.membership.revoke")
    assert entry.actor == personas.org_admin
    assert entry.organisation == personas.organisation
    assert entry.changes == {"user": "mentor@test.example", "role": "mentor"}


def test_changing_preferences_records_only_the_fields_that_changed(personas: Any) -> None:
    services.user_update_preferences(
        user=personas.mentee,
        actor=personas.mentee,
        language="da",
        full_name=personas.mentee.full_name,
    )
    entry = AuditEntry.objects.get(action="accounts.user.update")
    assert entry.changes == {"language": {"old": "en", "new": "da"}}
    services.user_update_preferences(user=personas.mentee, actor=personas.mentee, language="da")
    assert AuditEntry.objects.filter(action="accounts.user.update").count() == 1


def test_an_unknown_language_is_refused(personas: Any) -> None:
    with pytest.raises(ValidationError):
        services.user_update_preferences(user=personas.mentee, actor=None, language="xx")


def test_a_duplicate_email_is_refused_whatever_its_case(personas: Any) -> None:
    with pytest.raises(ValidationError):
        services.user_create(email="MENTOR@test.example")


def test_competitors_are_symmetric_and_never_the_organisation_itself(personas: Any) -> None:
    services.organisation_set_competitors(
        organisation=personas.organisation,
        competitors=[personas.other_organisation],
        actor=personas.admin,
    )
    assert list(personas.other_organisation.competitors.all()) == [personas.organisation]
    with pytest.raises(ValidationError):
        services.organisation_set_competitors(
            organisation=personas.organisation,
            competitors=[personas.organisation],
            actor=personas.admin,
        )


def test_login_is_by_email_whatever_its_case(client: Any, personas: Any) -> None:
    response = client.post(reverse("login"), {"username": "MENTEE@Test.Example", "password": "pw"})
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard")


def test_password_reset_sends_a_working_link(client: Any, personas: Any, smtp_sink: Any) -> None:
    client.post(reverse("password_reset"), {"email": "mentee@test.example"})
    [message] = smtp_sink.wait_for(1)
    link = next(
        line
        for line in message.get_body(("plain",)).get_content().splitlines()
        if "/password/reset/" in line
    )
    path = link.split("://", 1)[1].split("/", 1)[1]
    form_page = client.get("/" + path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-Long-new-pass-42", "new_password2": "a-Long-new-pass-42"},
    )
    assert done.status_code == 302
    personas.mentee.refresh_from_db()
    assert personas.mentee.check_password("a-Long-new-pass-42")


def test_the_invite_form_reports_a_bad_address(client_for: Any, personas: Any) -> None:
    response = client_for(personas.org_admin).post(
        reverse("member_invite", args=["acme"]),
        {"email": "not-an-address", "role": Role.MENTOR, "language": "en"},
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.content.decode()
