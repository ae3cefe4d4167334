from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from mentora.core.audit import audit_log, diff, snapshot
from mentora.core.models import AuditEntry


def test_an_entry_records_who_what_which_object_and_the_changes(personas: Any) -> None:
    entry = audit_log(
        actor=personas.manager,
        action="accounts.organisation.update",
        obj=personas.organisation,
        changes={"name": {"old": "A", "new": "B"}},
    )
    entry.refresh_from_db()
    assert entry.actor_email == "manager@test.example"
    assert entry.object_type.model == "organisation"
    assert entry.object_id == str(personas.organisation.pk)
    assert entry.organisation == personas.organisation
    assert entry.changed_fields == ["name"]
    assert list(AuditEntry.objects.for_object(personas.organisation)) == [entry]


def test_actions_must_be_dotted_codes(personas: Any) -> None:
    with pytest.raises(ValueError):
        audit_log(actor=None, action="update")


def test_the_entry_keeps_naming_the_actor_after_the_user_is_deleted(personas: Any) -> None:
    entry = audit_log(actor=personas.sponsor, action="core.test.run")
    personas.sponsor.delete()
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_email == "sponsor@test.example"


def test_diff_keeps_only_changed_fields(personas: Any) -> None:
    before = snapshot(personas.mentee, ["full_name", "language"])
    personas.mentee.language = "da"
    assert diff(before, snapshot(personas.mentee, ["full_name", "language"])) == {
        "language": {"old": "en", "new": "da"}
    }


def test_platform_admins_browse_and_filter_the_log(client_for: Any, personas: Any) -> None:
    audit_log(actor=personas.org_admin, action="accounts.membership.grant")
    audit_log(actor=personas.manager, action="people.person.update")
    page = client_for(personas.admin).get(reverse("audit_log"), {"action": "accounts."})
    content = page.content.decode()
    assert "accounts.membership.grant" in content
    assert "people.person.update" not in content


def test_nobody_can_edit_or_delete_the_log_in_django_admin(client_for: Any, personas: Any) -> None:
    entry = audit_log(actor=personas.org_admin, action="core.test.run")
    client = client_for(personas.admin)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 200
    client.post(reverse("admin:core_auditentry_delete", args=[entry.pk]), {"post": "yes"})
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
