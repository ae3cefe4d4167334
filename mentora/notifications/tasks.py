"""The daily digest and the outbox's delivery. Every argument is a primary key."""

from __future__ import annotations

from django_tasks import task

from mentora.accounts.models import User
from mentora.notifications.services import (
    digest_send,
    outbox_deliver,
    users_awaiting_digest,
)


@task()
def send_digest(user_id: int) -> int:
    """E-mail one person their digest of what waited for it."""
    return digest_send(user=User.objects.get(pk=user_id))


@task()
def send_digests() -> int:
    """Queue one digest for every person with something waiting; returns how many."""
    user_ids = users_awaiting_digest()
    for user_id in user_ids:
        send_digest.enqueue(user_id)
    return len(user_ids)


@task()
def deliver_outbox() -> int:
    """Send the e-mails due in the outbox; returns how many went out."""
    return outbox_deliver()
