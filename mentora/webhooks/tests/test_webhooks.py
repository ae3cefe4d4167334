"""Webhooks: who may set them up, what is queued and when, what a payload holds, and a real
worker delivering to a real receiver, signed, with retries after a failure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from conftest import MANAGERS_ONLY, audited, free_port
from mentora.core.models import AuditEntry
from mentora.programmes.models import ParticipantStatus
from mentora.programmes.services import pipeline
from mentora.programmes.tests.conftest import invite, setup  # noqa: F401
from mentora.webhooks import services, signing
from mentora.webhooks.models import Delivery, DeliveryStatus, Webhook, WebhookEvent
from mentora.webhooks.tests.receiver import webhook_receiver


def make_hook(organisation: Any, events: list[str], url: str = "http://127.0.0.1:9/hook") -> Any:
    return Webhook.objects.create(organisation=organisation, url=url, events=events)


# Signing ---------------------------------------------------------------------------------------


def test_a_signature_checks_out_only_for_its_own_body_secret_and_a_recent_time() -> None:
    body = b'{"event": "webhook.test"}'
    given = signing.signature("s3cret", 1_700_000_000, body)
    assert given.startswith("sha256=")
    assert signing.verify("s3cret", "1700000000", body, given, now=1_700_000_100)
    assert not signing.verify("s3cret", "1700000000", body + b" ", given, now=1_700_000_100)
    assert not signing.verify("other", "1700000000", body, given, now=1_700_000_100)
    # Replayed a day later: refused though the signature itself is right.
    assert not signing.verify("s3cret", "1700000000", body, given, now=1_700_086_400)
    assert not signing.verify("s3cret", "17000000OO", body, given, now=1_700_000_100)


# Emission --------------------------------------------------------------------------------------


def test_a_status_change_is_queued_for_the_hooks_that_asked_for_it_on_commit(
    setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    p = setup.personas
    wanted = make_hook(p.organisation, [WebhookEvent.PARTICIPANT_STATUS_CHANGED])
    make_hook(p.organisation, [WebhookEvent.ROUND_PUBLISHED])
    Webhook.objects.create(
        organisation=p.organisation,
        url="http://127.0.0.1:9/off",
        events=[WebhookEvent.PARTICIPANT_STATUS_CHANGED],
        active=False,
    )
    make_hook(p.other_organisation, [WebhookEvent.PARTICIPANT_STATUS_CHANGED])
    mentee = invite(setup, p.people["junior"], "mentee")
    Delivery.objects.all().delete()
    before = DBTaskResult.objects.filter(task_path__endswith="deliver").count()
    with django_capture_on_commit_callbacks(execute=True):
        pipeline.participant_transition(
            participant=mentee,
            to_status=ParticipantStatus.DECLINED,
            actor=p.manager,
            note="ZqManagerNoteQz",
            reason="ZqDeclineReasonQz",
        )
    [delivery] = Delivery.objects.all()
    assert delivery.webhook == wanted
    assert delivery.payload == {
        "participant_id": mentee.pk,
        "programme_id": setup.programme.pk,
        "person_id": p.people["junior"].pk,
        "employee_id": "E3",
        "role": "mentee",
        "from_status": "invited",
        "to_status": "declined",
    }
    assert "Zq" not in json.dumps(delivery.payload)
    assert DBTaskResult.objects.filter(task_path__endswith="deliver").count() == before + 1


def test_a_change_rolled_back_tells_nobody(setup: Any) -> None:
    from django.core.exceptions import ValidationError

    p = setup.personas
    make_hook(p.organisation, [WebhookEvent.PARTICIPANT_STATUS_CHANGED])
    mentee = invite(setup, p.people["junior"], "mentee")
    Delivery.objects.all().delete()
    with pytest.raises(ValidationError):
        # Invited straight to matched is not a step of the pipeline.
        pipeline.participant_transition(
            participant=mentee, to_status=ParticipantStatus.MATCHED, actor=p.manager
        )
    assert not Delivery.objects.exists()


def test_an_unknown_event_is_a_programming_error(personas: Any) -> None:
    with pytest.raises(ValueError, match="Not a webhook event"):
        services.emit(organisation_ids=[personas.organisation.pk], event="pair.gossip", payload={})


# Pages -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who, code", MANAGERS_ONLY.items())
def test_the_webhooks_page_is_for_the_organisations_staff(
    personas: Any, client_for: Any, who: str, code: int
) -> None:
    make_hook(personas.organisation, [WebhookEvent.PAIR_STARTED])
    user = getattr(personas, who)
    response = client_for(user).get(reverse("webhook_list", args=["acme"]))
    assert response.status_code == code
    if code == 200:
        assert "http://127.0.0.1:9/hook" in response.content.decode()


def test_an_organisation_admin_adds_a_webhook_and_it_is_audited(
    personas: Any, client_for: Any
) -> None:
    response = client_for(personas.org_admin).post(
        reverse("webhook_list", args=["acme"]),
        {"url": "https://hr.example/mentora", "events": ["pair.started", "person.left"]},
    )
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert webhook.organisation == personas.organisation
    assert webhook.events == ["pair.started", "person.left"]
    assert len(webhook.secret) > 30
    assert audited("webhooks.webhook.create") == [str(webhook.pk)]
    # The secret never goes into the audit log.
    assert webhook.secret not in json.dumps(list(AuditEntry.objects.values("changes")))


def test_a_webhook_needs_an_event_and_a_web_address(personas: Any, client_for: Any) -> None:
    client = client_for(personas.org_admin)
    url = reverse("webhook_list", args=["acme"])
    no_event = client.post(url, {"url": "https://hr.example/x", "events": []})
    not_web = client.post(url, {"url": "ftp://hr.example/x", "events": ["pair.started"]})
    test_only = client.post(url, {"url": "https://hr.example/x", "events": ["webhook.test"]})
    assert no_event.status_code == not_web.status_code == test_only.status_code == 200
    assert "This field is required." in no_event.content.decode()
    assert "must start with https:// or http://" in not_web.content.decode()
    assert "is not one of the available choices" in test_only.content.decode()
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("who, code", [("manager", 403), ("mentor", 403), ("outsider", 404)])
def test_only_an_organisation_admin_adds_tests_or_removes_a_webhook(
    personas: Any, client_for: Any, who: str, code: int
) -> None:
    webhook = make_hook(personas.organisation, [WebhookEvent.PAIR_STARTED])
    client = client_for(getattr(personas, who))
    add = client.post(
        reverse("webhook_list", args=["acme"]),
        {"url": "https://hr.example/x", "events": ["pair.started"]},
    )
    test = client.post(reverse("webhook_test", args=["acme", webhook.pk]))
    remove = client.post(reverse("webhook_delete", args=["acme", webhook.pk]), {"confirm": "on"})
    assert add.status_code == test.status_code == remove.status_code == code
    assert list(Webhook.objects.all()) == [webhook]
    assert not Delivery.objects.exists()


def test_the_send_test_button_queues_a_test_and_removing_asks_for_the_tick(
    personas: Any, client_for: Any
) -> None:
    webhook = make_hook(personas.organisation, [WebhookEvent.PAIR_STARTED])
    client = client_for(personas.org_admin)
    client.post(reverse("webhook_test", args=["acme", webhook.pk]))
    [delivery] = Delivery.objects.all()
    assert (delivery.webhook, delivery.event) == (webhook, "webhook.test")
    page = client.get(reverse("webhook_detail", args=["acme", webhook.pk])).content.decode()
    assert "A test sent by hand" in page and "Waiting to be sent" in page
    client.post(reverse("webhook_delete", args=["acme", webhook.pk]))
    assert Webhook.objects.filter(pk=webhook.pk).exists()
    client.post(reverse("webhook_delete", args=["acme", webhook.pk]), {"confirm": "on"})
    assert not Webhook.objects.filter(pk=webhook.pk).exists()
    assert audited("webhooks.webhook.delete") == [str(webhook.pk)]


def test_another_organisations_webhook_is_not_found(personas: Any, client_for: Any) -> None:
    theirs = make_hook(personas.other_organisation, [WebhookEvent.PAIR_STARTED])
    client = client_for(personas.org_admin)
    assert client.get(reverse("webhook_detail", args=["acme", theirs.pk])).status_code == 404
    assert client.post(reverse("webhook_test", args=["acme", theirs.pk])).status_code == 404


# Delivery --------------------------------------------------------------------------------------


def test_the_back_off_doubles_after_each_failure(settings: Any) -> None:
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    assert [services.retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]


def test_a_receiver_that_cannot_be_reached_is_logged_and_given_up_after_the_last_try(
    personas: Any, settings: Any
) -> None:
    settings.WEBHOOK_MAX_ATTEMPTS = 2
    webhook = make_hook(personas.organisation, [], url=f"http://127.0.0.1:{free_port()}/gone")
    delivery = services.webhook_send_test(webhook=webhook, actor=personas.org_admin)
    assert services.delivery_attempt(delivery_id=delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.attempts == 1 and delivery.next_attempt_at is not None
    assert delivery.response_status is None and delivery.error
    assert services.delivery_attempt(delivery_id=delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert (delivery.attempts, delivery.next_attempt_at) == (2, None)
    # A failed delivery is not tried again.
    assert services.delivery_attempt(delivery_id=delivery.pk) == "skipped"


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_delivers_signed_and_retries_after_the_receiver_answers_500(
    run_worker: Any,
) -> None:
    from conftest import make_personas

    personas = make_personas()
    with webhook_receiver(free_port()) as receiver:
        webhook = make_hook(personas.organisation, [], url=receiver.url)
        receiver.secret = webhook.secret
        receiver.answers = [500, 500]
        delivery = services.webhook_send_test(webhook=webhook, actor=personas.org_admin)
        # No wait between tries here: the back-off itself is checked above.
        run_worker({"WEBHOOK_RETRY_BASE_SECONDS": "0"}, timeout=180)
        delivery.refresh_from_db()
        assert [r.signed for r in receiver.received] == [True, True, True]
        assert {r.event for r in receiver.received} == {"webhook.test"}
        envelope = json.loads(receiver.received[-1].body)
        assert envelope["id"] == delivery.pk
        assert envelope["data"] == {"organisation": "acme", "webhook_id": webhook.pk}
        assert delivery.status == DeliveryStatus.DELIVERED
        assert (delivery.attempts, delivery.response_status) == (3, 200)
        assert delivery.response_body == "thanks"


@pytest.mark.django_db(transaction=True)
def test_a_receiver_with_the_wrong_secret_refuses_every_try_and_the_log_says_so(
    run_worker: Any,
) -> None:
    from conftest import make_personas

    personas = make_personas()
    with webhook_receiver(free_port()) as receiver:
        webhook = make_hook(personas.organisation, [], url=receiver.url)
        receiver.secret = "not-the-secret"
        delivery = services.webhook_send_test(webhook=webhook, actor=personas.org_admin)
        run_worker({"WEBHOOK_RETRY_BASE_SECONDS": "0", "WEBHOOK_MAX_ATTEMPTS": "2"}, timeout=180)
        delivery.refresh_from_db()
        assert [r.signed for r in receiver.received] == [False, False]
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)
        assert (delivery.response_status, delivery.response_body) == (401, "nope")


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/admin/",
        "http://169.254.169.254/latest/meta-data/",
        "https://10.1.2.3/hook",
        "http://[::1]/hook",
        "http://localhost:9200/",
    ],
)
def test_a_webhook_to_a_private_network_is_refused_with_the_reason(
    personas: Any, client_for: Any, settings: Any, url: str
) -> None:
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    response = client_for(personas.org_admin).post(
        reverse("webhook_list", args=["acme"]), {"url": url, "events": ["pair.started"]}
    )
    assert response.status_code == 200
    assert "inside a private network" in response.content.decode()
    assert not Webhook.objects.exists()


def test_a_delivery_never_calls_a_private_address_even_if_one_was_stored(
    personas: Any, settings: Any
) -> None:
    webhook = make_hook(personas.organisation, [], url=f"http://127.0.0.1:{free_port()}/hook")
    settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES = False
    delivery = services.webhook_send_test(webhook=webhook, actor=personas.org_admin)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.response_status is None
    assert "inside a private network" in delivery.error
