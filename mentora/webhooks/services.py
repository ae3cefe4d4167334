"""Webhooks: set up and removed by an organisation's administrators, fed by `emit` from the
services of every app below, delivered by the task worker with retries."""

from __future__ import annotations

import datetime as dt
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.audit import audit_log
from mentora.webhooks import signing
from mentora.webhooks.addresses import opener, private_address_problem
from mentora.webhooks.models import (
    SUBSCRIBABLE,
    Delivery,
    DeliveryStatus,
    Webhook,
    WebhookEvent,
)

# What the log keeps of a receiver's answer.
RESPONSE_KEPT = 2000


def emit(*, organisation_ids: Iterable[int | None], event: str, payload: dict[str, Any]) -> int:
    """Queue `event` for every active webhook of the organisations that asked for it.

    Called inside the service's transaction: the deliveries are written with the change
    and sent once it commits, so a change rolled back tells nobody. `payload` carries ids
    and statuses only, never what a pair wrote nor a sensitive attribute. Returns how many
    deliveries were queued."""
    if event not in WebhookEvent.values:
        raise ValueError(f"Not a webhook event: {event}")
    wanted = {pk for pk in organisation_ids if pk is not None}
    hooks = [
        hook
        for hook in Webhook.objects.filter(organisation_id__in=wanted, active=True)
        if event in hook.events or event == WebhookEvent.TEST
    ]
    if not hooks:
        return 0
    body = json.loads(json.dumps(payload, cls=DjangoJSONEncoder))
    deliveries = Delivery.objects.bulk_create(
        [Delivery(webhook=hook, event=event, payload=body) for hook in hooks]
    )
    from mentora.webhooks import tasks

    for delivery in deliveries:
        transaction.on_commit(partial(tasks.deliver.enqueue, delivery.pk))
    return len(deliveries)


def _check_url(url: str) -> str:
    url = url.strip()
    if not url.lower().startswith(("https://", "http://")):
        raise ValidationError(_("The address must start with https:// or http://."))
    return url


@transaction.atomic
def webhook_create(
    *, organisation: Organisation, actor: Any, url: str, events: list[str]
) -> Webhook:
    """Add a webhook to the organisation; its signing secret is made here."""
    if not events or not set(events) <= set(SUBSCRIBABLE):
        raise ValidationError(_("Choose at least one of the events listed."))
    webhook = Webhook.objects.create(
        organisation=organisation, url=_check_url(url), events=sorted(set(events))
    )
    # The address is the organisation's own system; the secret never goes in the log.
    audit_log(
        actor=actor,
        action="webhooks.webhook.create",
        obj=webhook,
        organisation=organisation,
        changes={"events": webhook.events},
    )
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook, actor: Any) -> None:
    """Remove a webhook and its delivery log; nothing more is sent to it."""
    audit_log(
        actor=actor,
        action="webhooks.webhook.delete",
        obj=webhook,
        organisation=webhook.organisation,
    )
    webhook.delete()


@transaction.atomic
def webhook_send_test(*, webhook: Webhook, actor: Any) -> Delivery:
    """Send a test event to one webhook, to check the receiver and its signature check."""
    if not webhook.active:
        raise ValidationError(_("This webhook is switched off."))
    delivery = Delivery.objects.create(
        webhook=webhook,
        event=WebhookEvent.TEST,
        payload={"organisation": webhook.organisation.slug, "webhook_id": webhook.pk},
    )
    audit_log(
        actor=actor,
        action="webhooks.webhook.test",
        obj=webhook,
        organisation=webhook.organisation,
        changes={"delivery": delivery.pk},
    )
    from mentora.webhooks import tasks

    transaction.on_commit(partial(tasks.deliver.enqueue, delivery.pk))
    return delivery


def retry_delay(attempts: int) -> dt.timedelta:
    """Exponential back-off: the base, then twice as long after each failure."""
    return dt.timedelta(seconds=settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1))


def _body(delivery: Delivery) -> bytes:
    envelope = {
        "id": delivery.pk,
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "data": delivery.payload,
    }
    return json.dumps(envelope, sort_keys=True).encode("utf-8")


def _post(delivery: Delivery) -> tuple[int | None, str, str]:
    """Send one attempt: the receiver's status and the start of its answer, or an error."""
    body = _body(delivery)
    timestamp = int(time.time())
    request = urllib.request.Request(
        delivery.webhook.url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "Mentora-Webhooks/1",
            signing.TIMESTAMP_HEADER: str(timestamp),
            signing.SIGNATURE_HEADER: signing.signature(delivery.webhook.secret, timestamp, body),
            signing.EVENT_HEADER: delivery.event,
            signing.DELIVERY_HEADER: str(delivery.pk),
        },
    )
    refused = private_address_problem(delivery.webhook.url)
    if refused:
        return None, "", refused
    try:
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            return response.status, response.read(RESPONSE_KEPT).decode("utf-8", "replace"), ""
    except urllib.error.HTTPError as error:
        return error.code, error.read(RESPONSE_KEPT).decode("utf-8", "replace"), ""
    except (OSError, ValueError) as error:
        return None, "", str(error)[:300]


def delivery_attempt(*, delivery_id: int) -> str:
    """Try one delivery once; on failure, queue the next try after the back-off, until the
    last try is spent. Returns the delivery's status afterwards."""
    delivery = Delivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != DeliveryStatus.PENDING:
        return "skipped"
    # The receiver is called outside any transaction: it may take its time.
    status, text, error = _post(delivery)
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        delivery.attempts += 1
        delivery.last_attempt_at = now
        delivery.response_status = status
        delivery.response_body = text
        delivery.error = error
        delivery.next_attempt_at = None
        if status is not None and 200 <= status < 300:
            delivery.status = DeliveryStatus.DELIVERED
        elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            from mentora.webhooks import tasks

            transaction.on_commit(
                partial(
                    tasks.deliver.using(run_after=delivery.next_attempt_at).enqueue, delivery.pk
                )
            )
        delivery.save()
    return str(delivery.status)
