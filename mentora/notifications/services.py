"""Notify people: an entry in their inbox, and an e-mail at once or in a daily digest.

Every e-mail Mentora sends goes through `notify`, so the inbox mirrors all of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.notifications import mail
from mentora.notifications.kinds import KINDS, Kind, kind_for
from mentora.notifications.models import Channel, Notification, NotificationPreference


def channels_for(kind: Kind) -> list[Channel]:
    """The deliveries a person may choose for `kind`."""
    if kind.secret_link:
        return [Channel.EMAIL]
    if kind.must_reach:
        # Both of these still send an e-mail: the person may not be using Mentora yet.
        return [Channel.EMAIL, Channel.DIGEST]
    return list(Channel)


def preferences_of(user: Any) -> dict[str, str]:
    """Every kind's delivery for `user`: their choice, or e-mail where they made none."""
    chosen = dict(user.notification_preferences.values_list("kind", "channel"))
    return {
        key: chosen[key] if chosen.get(key) in channels_for(kind) else Channel.EMAIL
        for key, kind in KINDS.items()
    }


def notify(
    *,
    user: Any,
    template: str,
    context: dict[str, Any],
    link: str = "",
    attachments: list[mail.Attachment] | None = None,
) -> Notification | None:
    """Write `user` an inbox entry from the e-mail `template`, and send the e-mail as they
    prefer: at once (with `attachments`), in the next daily digest, or not at all. `link` is
    the path where they act on it. Nothing at all when they turned the kind off."""
    kind = kind_for(template)
    channel = preferences_of(user)[kind.key]
    if channel == Channel.OFF:
        return None
    message = mail.render_message(user=user, template=template, context=context)
    # One transaction: if the e-mail cannot be sent, the task is retried without leaving
    # a second inbox entry behind.
    with transaction.atomic():
        notification = Notification.objects.create(
            user=user,
            kind=kind.key,
            subject=message.subject,
            # A secret link (a password token) must not wait in the database.
            body="" if kind.secret_link else message.text,
            link="" if kind.secret_link else link,
            channel=channel,
        )
        if channel == Channel.EMAIL:
            mail.send(
                user=user,
                subject=message.subject,
                text=message.text,
                html_template="notifications/email/message.html",
                html_context={"text": message.text, "link": mail.absolute(link)},
                attachments=attachments,
            )
            notification.emailed_at = timezone.now()
            notification.save(update_fields=["emailed_at"])
    return notification


def digest_send(*, user: Any, now: dt.datetime | None = None) -> int:
    """E-mail `user` one digest of the inbox entries waiting for it; returns how many."""
    now = now or timezone.now()
    with transaction.atomic():
        items = list(
            Notification.objects.select_for_update()
            .filter(user=user)
            .awaiting_digest()
            .order_by("created_at", "pk")
        )
        if not items:
            return 0
        context = {
            "user": user,
            "items": [(item, mail.absolute(item.link)) for item in items],
            "count": len(items),
            "site_root": settings.SITE_ROOT,
            "inbox_url": mail.absolute(reverse("notification_inbox")),
        }
        with translation.override(mail.language_of(user)):
            subject = mail.one_line(
                mail.render_text("notifications/email/digest_subject.txt", context)
            )
            text = mail.render_text("notifications/email/digest_body.txt", context)
        mail.send(
            user=user,
            subject=subject,
            text=text,
            html_template="notifications/email/digest.html",
            html_context=context,
        )
        Notification.objects.filter(pk__in=[item.pk for item in items]).update(emailed_at=now)
    return len(items)


def users_awaiting_digest() -> list[int]:
    return sorted(set(Notification.objects.awaiting_digest().values_list("user_id", flat=True)))


def preferences_update(*, user: Any, actor: Any, channels: Mapping[str, str]) -> int:
    """Set how `user` receives each kind in `channels`; returns how many changed."""
    current = preferences_of(user)
    changed = 0
    with transaction.atomic():
        for key, channel in channels.items():
            kind = KINDS.get(key)
            if kind is None or channel not in channels_for(kind):
                raise ValidationError(_("That delivery cannot be chosen for this kind."))
            if current[key] == channel:
                continue
            preference, _created = NotificationPreference.objects.update_or_create(
                user=user, kind=key, defaults={"channel": channel}
            )
            audit_log(
                actor=actor,
                action="notifications.preference.set",
                obj=preference,
                changes={"kind": key, "channel": {"old": current[key], "new": channel}},
            )
            changed += 1
    return changed


def notifications_mark_read(
    *, user: Any, notification: Notification | None = None, now: dt.datetime | None = None
) -> int:
    """Mark one of `user`'s notifications read, or all of them; returns how many.

    Not audited: whether someone has read their own inbox is theirs, and no change to
    anything they share."""
    unread = Notification.objects.filter(user=user).unread()
    if notification is not None:
        unread = unread.filter(pk=notification.pk)
    return unread.update(read_at=now or timezone.now())
