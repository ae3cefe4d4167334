"""Notify: the inbox entry, the e-mail as preferred, the HTML and plain-text parts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from mentora.core.models import AuditEntry
from mentora.notifications import services, tasks
from mentora.notifications.kinds import KINDS, key_of
from mentora.notifications.models import Channel, Notification, NotificationPreference

TRICKY = "O'Brien & Co <x>"


def _invite_context(programme_name: str = "Graduate onboarding") -> dict[str, Any]:
    return {
        "programme": {"name": programme_name, "organisation": {"name": "Acme"}, "purpose": ""},
        "participant": {"get_role_display": "mentee"},
        "apply_path": "/participants/7/apply/",
    }


def _notify(user: Any, template: str = "programmes/email/invitation", **context: Any) -> Any:
    return services.notify(
        user=user,
        template=template,
        context=context or _invite_context(),
        link="/participants/7/apply/",
    )


def _prefer(user: Any, kind: str, channel: str) -> None:
    NotificationPreference.objects.create(user=user, kind=kind, channel=channel)


def test_every_email_template_is_a_kind_with_a_label() -> None:
    templates = Path(settings.BASE_DIR) / "templates"
    names = [str(path.relative_to(templates)) for path in templates.rglob("*_subject.txt")]
    found = {
        key_of(name.removesuffix("_subject.txt"))
        for name in names
        if not name.startswith("notifications/")
    }
    assert found == set(KINDS)
    assert all(str(kind.label) for kind in KINDS.values())


def test_plain_text_arrives_verbatim_and_the_html_part_escaped(
    personas: Any, smtp_sink: Any
) -> None:
    personas.mentee.full_name = TRICKY
    personas.mentee.save()
    _notify(personas.mentee, **_invite_context(TRICKY))
    [message] = smtp_sink.wait_for(1)
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Hello {TRICKY.split()[0]}" in text
    assert TRICKY in text
    assert TRICKY in message["Subject"]
    assert "O&#x27;Brien &amp; Co &lt;x&gt;" in html
    assert TRICKY not in html


def test_the_html_part_is_in_the_recipients_language_with_a_button_and_preferences(
    personas: Any, smtp_sink: Any
) -> None:
    personas.mentee.language = "da"
    personas.mentee.save()
    _notify(personas.mentee)
    [message] = smtp_sink.wait_for(1)
    html = message.get_body(("html",)).get_content()
    assert '<html lang="da">' in html
    assert f'href="{settings.SITE_ROOT}/participants/7/apply/"' in html
    assert f'href="{settings.SITE_ROOT}/notifications/preferences/"' in html
    assert "Åbn i Mentora" in html
    assert message.get_body(("plain",)).get_content().startswith("Hej")


def test_every_email_is_mirrored_in_the_inbox_with_its_link(personas: Any, mailoutbox: Any) -> None:
    notification = _notify(personas.mentee)
    [message] = mailoutbox
    assert Notification.objects.get() == notification
    assert notification.user == personas.mentee
    assert notification.kind == "programmes.invitation"
    assert notification.subject == message.subject
    assert notification.body == message.body
    assert notification.link == "/participants/7/apply/"
    assert notification.read_at is None
    assert notification.emailed_at is not None


def test_inbox_only_writes_the_entry_and_sends_no_mail(personas: Any, mailoutbox: Any) -> None:
    _prefer(personas.mentee, "rounds.choose", Channel.IN_APP)
    _notify(personas.mentee, "rounds/email/choose", programme={"name": "Cohort"}, count=2)
    assert mailoutbox == []
    notification = Notification.objects.get(user=personas.mentee)
    assert notification.channel == Channel.IN_APP
    assert "2 mentors have been suggested" in notification.body


def test_a_kind_turned_off_writes_and_sends_nothing(personas: Any, mailoutbox: Any) -> None:
    _prefer(personas.mentee, "rounds.choose", Channel.OFF)
    result = _notify(personas.mentee, "rounds/email/choose", programme={"name": "C"}, count=1)
    assert result is None
    assert mailoutbox == []
    assert not Notification.objects.exists()


def test_invitations_cannot_be_turned_off_nor_kept_to_the_inbox(personas: Any) -> None:
    for channel in (Channel.OFF, Channel.IN_APP):
        with pytest.raises(ValidationError):
            services.preferences_update(
                user=personas.mentee,
                actor=personas.mentee,
                channels={"programmes.invitation": channel},
            )
    assert not NotificationPreference.objects.exists()


def test_a_preference_left_over_from_before_does_not_silence_a_must_reach_kind(
    personas: Any, mailoutbox: Any
) -> None:
    _prefer(personas.mentee, "programmes.invitation", Channel.OFF)
    _notify(personas.mentee)
    assert len(mailoutbox) == 1


def test_a_password_reset_keeps_neither_its_text_nor_its_link_in_the_inbox(
    client: Any, personas: Any, mailoutbox: Any
) -> None:
    _prefer(personas.mentee, "registration.password_reset", Channel.DIGEST)
    client.post("/password/reset/", {"email": "mentee@test.example"})
    [message] = mailoutbox
    assert "/password/reset/" in message.body
    [html, _mime] = message.alternatives[0]
    assert "/password/reset/" in html
    notification = Notification.objects.get(user=personas.mentee)
    assert notification.subject == message.subject
    assert (notification.body, notification.link) == ("", "")


def test_changing_preferences_is_audited_without_text(personas: Any) -> None:
    changed = services.preferences_update(
        user=personas.mentee,
        actor=personas.mentee,
        channels={"rounds.choose": Channel.DIGEST, "surveys.reminder": Channel.EMAIL},
    )
    assert changed == 1
    assert NotificationPreference.objects.get().channel == Channel.DIGEST
    entry = AuditEntry.objects.get(action="notifications.preference.set")
    assert entry.changes["kind"] == "rounds.choose"


def test_a_digest_sends_one_mail_with_all_items_next_day_and_then_nothing(
    personas: Any, mailoutbox: Any
) -> None:
    for kind in ("rounds.choose", "surveys.invitation"):
        _prefer(personas.mentee, kind, Channel.DIGEST)
    _notify(personas.mentee, "rounds/email/choose", programme={"name": "Cohort A"}, count=1)
    survey = {"closes_at": None}
    _notify(
        personas.mentee,
        "surveys/email/invitation",
        programme={"name": "Cohort B"},
        survey=survey,
        answer_path="/surveys/answer/t/",
    )
    _notify(personas.mentor)  # by e-mail at once, never in a digest
    assert [m.to for m in mailoutbox] == [["mentor@test.example"]]

    assert tasks.send_digests.call() == 1
    assert tasks.send_digest.call(personas.mentee.pk) == 2
    digest = mailoutbox[1]
    assert digest.to == ["mentee@test.example"]
    assert "2 notifications" in digest.subject
    assert "Choose your mentor in Cohort A" in digest.body
    assert "Tell us how Cohort B is going" in digest.body
    assert "Choose your mentor in Cohort A" in digest.alternatives[0][0]
    assert not Notification.objects.awaiting_digest().exists()
    assert tasks.send_digest.call(personas.mentee.pk) == 0
    assert len(mailoutbox) == 2


def test_the_daily_command_queues_the_digest_run(personas: Any) -> None:
    from django_tasks_db.models import DBTaskResult

    call_command("send_digests")
    assert DBTaskResult.objects.filter(task_path__endswith="send_digests").count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_digest(smtp_sink: Any, run_worker: Any) -> None:
    from conftest import make_personas

    personas = make_personas()
    _prefer(personas.mentee, "rounds.choose", Channel.DIGEST)
    _notify(personas.mentee, "rounds/email/choose", programme={"name": "Cohort A"}, count=1)
    call_command("send_digests")
    run_worker({"EMAIL_HOST": smtp_sink.host, "EMAIL_PORT": str(smtp_sink.port)})
    [message] = smtp_sink.wait_for(1)
    assert message["To"] == "mentee@test.example"
    assert "Choose your mentor in Cohort A" in message.get_body(("plain",)).get_content()
    assert Notification.objects.get().emailed_at is not None
