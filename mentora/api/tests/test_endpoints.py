"""The API's endpoints answer each persona as the pages do, and change things only through
the pages' services: audited, by the same rules, with the same refusals."""

from __future__ import annotations

from typing import Any

import pytest

from conftest import audited
from mentora.api.tests.conftest import api, bearer  # noqa: F401
from mentora.programmes.models import ParticipantEvent, ParticipantStatus
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.rounds.tests.conftest import cohort, run_round  # noqa: F401
from mentora.webhooks.models import Delivery, Webhook, WebhookEvent

# Who may read what only those running a programme see (participants, rounds, pairs).
MANAGERS = {"admin": 200, "org_admin": 200, "manager": 200, "outsider": 404}
MEMBERS_REFUSED = dict.fromkeys(("sponsor", "mentor", "mentee", "line_manager"), 403)


@pytest.mark.parametrize("who, code", {**MANAGERS, **MEMBERS_REFUSED}.items())
def test_a_programmes_participants_are_for_those_running_it(
    cohort: Any, api: Any, who: str, code: int
) -> None:
    url = f"/api/v1/programmes/{cohort.programme.pk}/participants/"
    response = api("get", url, getattr(cohort.personas, who))
    assert response.status_code == code
    if code == 200:
        statuses = {row["id"]: row["status"] for row in response.json()["results"]}
        assert statuses[cohort.junior.pk] == "ready" and len(statuses) == 5


@pytest.mark.parametrize(
    "who, code", [("mentee", 200), ("manager", 200), ("mentor", 403), ("outsider", 404)]
)
def test_a_participants_answers_are_read_by_them_and_the_managers(
    cohort: Any, api: Any, who: str, code: int
) -> None:
    cohort.junior.answers = {"999": "Something I answered"}
    cohort.junior.save()
    response = api(
        "get", f"/api/v1/participants/{cohort.junior.pk}/", getattr(cohort.personas, who)
    )
    assert response.status_code == code
    if code == 200:
        assert response.json()["answers"] == [
            {"question": None, "text": "", "answer": "Something I answered"}
        ]


@pytest.mark.parametrize("who, code", [("sponsor", 403), ("mentee", 403), ("outsider", 404)])
def test_only_those_running_the_programme_change_a_status(
    cohort: Any, api: Any, who: str, code: int
) -> None:
    url = f"/api/v1/participants/{cohort.junior.pk}/status/"
    response = api("post", url, getattr(cohort.personas, who), {"status": "withdrawn"})
    assert response.status_code == code
    cohort.junior.refresh_from_db()
    assert cohort.junior.status == ParticipantStatus.READY


def test_a_status_change_goes_through_the_pipeline_audited_and_told(cohort: Any, api: Any) -> None:
    webhook = Webhook.objects.create(
        organisation=cohort.personas.organisation,
        url="http://127.0.0.1:9/",
        events=[WebhookEvent.PARTICIPANT_STATUS_CHANGED],
    )
    url = f"/api/v1/participants/{cohort.junior.pk}/status/"
    response = api("post", url, cohort.personas.manager, {"status": "withdrawn", "note": "n"})
    assert response.status_code == 200
    assert response.json()["status"] == "withdrawn"
    cohort.junior.refresh_from_db()
    assert cohort.junior.status == ParticipantStatus.WITHDRAWN
    event = ParticipantEvent.objects.get(participant=cohort.junior)
    assert (event.actor, event.to_status) == (cohort.personas.manager, "withdrawn")
    assert audited("programmes.participant.withdrawn") == [str(cohort.junior.pk)]
    assert Delivery.objects.get().webhook == webhook


def test_a_refused_step_says_why_and_changes_nothing(cohort: Any, api: Any) -> None:
    url = f"/api/v1/participants/{cohort.junior.pk}/status/"
    manager = cohort.personas.manager
    refused = api("post", url, manager, {"status": "invited"})
    assert refused.status_code == 400
    assert "cannot go from" in str(refused.json()["detail"])
    not_a_status = api("post", url, manager, {"status": "promoted"})
    assert not_a_status.status_code == 400
    assert "status" in not_a_status.json()
    cohort.junior.refresh_from_db()
    assert cohort.junior.status == ParticipantStatus.READY
    assert not ParticipantEvent.objects.exists()


@pytest.mark.parametrize("who, code", [("sponsor", 403), ("mentor", 403), ("outsider", 404)])
def test_only_those_running_the_programme_start_or_publish_a_round(
    cohort: Any, api: Any, who: str, code: int
) -> None:
    user = getattr(cohort.personas, who)
    started = api("post", f"/api/v1/programmes/{cohort.programme.pk}/rounds/", user, {})
    assert started.status_code == code
    assert not MatchingRound.objects.exists()
    matching_round = run_round(cohort)
    published = api("post", f"/api/v1/rounds/{matching_round.pk}/publish/", user, {})
    assert published.status_code == code
    assert not Pair.objects.exists()


def test_a_manager_starts_a_round_follows_it_and_publishes_it(cohort: Any, api: Any) -> None:
    manager = bearer(cohort.personas.manager)
    started = api("post", f"/api/v1/programmes/{cohort.programme.pk}/rounds/", manager, {})
    assert started.status_code == 201
    matching_round = MatchingRound.objects.get(pk=started.json()["id"])
    assert audited("rounds.round.start") == [str(matching_round.pk)]
    # The worker's part, done here in the test's process.
    from mentora.rounds.services.rounds import round_run

    round_run(round_id=matching_round.pk)
    detail = api("get", f"/api/v1/rounds/{matching_round.pk}/", manager).json()
    assert detail["status"] == RoundStatus.DONE and detail["percent"] == 100
    proposals = {(p["mentee"], p["mentor"]): p for p in detail["proposals"]}
    assert (cohort.junior.pk, cohort.mo.pk) in proposals
    assert proposals[(cohort.junior.pk, cohort.mo.pk)]["explanation"]
    published = api("post", f"/api/v1/rounds/{matching_round.pk}/publish/", manager, {})
    assert published.status_code == 200
    pairs = published.json()
    assert {(p["mentee"], p["mentor"]) for p in pairs} == set(proposals)
    assert all(p["active"] and p["health"]["light"] in ("green", "amber", "red") for p in pairs)
    assert audited("rounds.round.publish") == [str(matching_round.pk)]
    again = api("post", f"/api/v1/rounds/{matching_round.pk}/publish/", manager, {})
    assert again.status_code == 400 and again.json()["detail"]


def test_a_pair_is_seen_by_its_members_and_managers_as_facts_only(cohort: Any, api: Any) -> None:
    matching_round = run_round(cohort)
    from mentora.rounds.services.proposals import round_publish

    round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    pair = Pair.objects.get(mentee=cohort.junior)
    pair.end_reason = "ZqPrivateReasonQz"
    pair.save()
    p = cohort.personas
    url = f"/api/v1/pairs/{pair.pk}/"
    codes = {
        who: api("get", url, getattr(p, who)).status_code
        for who in vars(p)
        if who in ("mentee", "mentor", "manager", "line_manager", "sponsor", "outsider")
    }
    assert codes == {
        "manager": 200,
        "sponsor": 403,
        "mentor": 200,
        "mentee": 200,
        "line_manager": 403,
        "outsider": 404,
    }
    body = api("get", url, p.mentee).json()
    assert set(body) == {
        "id",
        "programme",
        "mentee",
        "mentor",
        "matching_round",
        "score",
        "started_at",
        "ended_at",
        "active",
        "health",
    }
    listed = api("get", f"/api/v1/programmes/{cohort.programme.pk}/pairs/", p.manager)
    assert "Zq" not in listed.content.decode() and listed.json()["count"] == 2


def test_events_are_read_by_sponsors_and_places_only_by_managers(cohort: Any, api: Any) -> None:
    from django.utils import timezone

    from mentora.events.services import event_create

    event = event_create(
        programme=cohort.programme,
        title="Kick-off",
        starts_at=timezone.now(),
        place="Room 1",
        capacity=20,
        actor=cohort.personas.manager,
    )
    base = f"/api/v1/programmes/{cohort.programme.pk}/events/"
    sponsor, outsider = cohort.personas.sponsor, cohort.personas.outsider
    assert [e["title"] for e in api("get", base, sponsor).json()["results"]] == ["Kick-off"]
    assert api("get", base, outsider).status_code == 404
    places = f"{base}{event.pk}/registrations/"
    assert api("get", places, sponsor).status_code == 403
    assert api("get", places, cohort.personas.manager).json()["count"] == 0


def test_the_openapi_document_is_served_at_its_stable_address(client: Any) -> None:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/rounds/{round_id}/publish/" in document["paths"]
    assert document["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
