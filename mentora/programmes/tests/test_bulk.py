"""Acting on many participants at once: the preview, one transaction through the single
services (one audit entry per person), skipping with reasons, refusing forged ids, undo."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from conftest import (
    MANAGERS_ONLY,
    PERSONAS,
    WRITE,
    another_programme,
    audited,
    make_person,
    undo_key,
)
from mentora.core.models import AuditEntry
from mentora.events import services as event_services
from mentora.events.models import EventRegistration
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.programmes.services import pipeline
from mentora.programmes.tests.conftest import applicant, invite

S = ParticipantStatus


def _url(name: str, setup: Any) -> str:
    return reverse(name, args=[setup.programme.pk])


def _statuses(*participants: Participant) -> list[str]:
    return [Participant.objects.get(pk=p.pk).status for p in participants]


def _apply(client: Any, setup: Any, ids: list[Any], action: str, **extra: Any) -> Any:
    return client.post(
        _url("participants_bulk_apply", setup),
        {"ids": [str(i) for i in ids], "action": action, **extra},
        follow=True,
    )


def _managed(client_for: Any, setup: Any, ids: list[Any], action: str, **extra: Any) -> str:
    """The page the manager returns to after applying `action` to `ids`."""
    page: str = _apply(
        client_for(setup.personas.manager), setup, ids, action, **extra
    ).content.decode()
    return page


def test_the_pipeline_list_has_a_labelled_checkbox_per_participant_for_managers(
    client_for: Any, setup: Any
) -> None:
    one = applicant(setup, 1)
    page = client_for(setup.personas.manager).get(_url("programme_pipeline", setup))
    html = page.content.decode()
    assert f'name="ids" value="{one.pk}" id="bulk-{one.pk}"' in html
    assert f'<label for="bulk-{one.pk}" class="visually-hidden">Choose Bea1 Bulk1</label>' in html
    sponsor_page = client_for(setup.personas.sponsor).get(_url("programme_pipeline", setup))
    assert 'name="ids"' not in sponsor_page.content.decode()


def test_the_preview_says_who_moves_and_who_is_skipped_and_writes_nothing(
    client_for: Any, setup: Any
) -> None:
    applied = [applicant(setup, n) for n in range(3)]
    invited = applicant(setup, 9, S.INVITED)
    before = AuditEntry.objects.count()
    response = client_for(setup.personas.manager).post(
        _url("participants_bulk_preview", setup),
        {"ids": [p.pk for p in [*applied, invited]], "action": "approve"},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "3 will be changed." in html and "1 will be skipped." in html
    assert "from “Applied” to “Approved”" in html
    assert "Bea9 Bulk9" in html and "cannot go from “Invited” to “Approved”" in html
    assert "Apply to 3 people" in html
    # The confirmation carries every chosen id on, unseen.
    for participant in [*applied, invited]:
        assert f'type="hidden" name="ids" value="{participant.pk}"' in html
    assert _statuses(*applied, invited) == [S.APPLIED] * 3 + [S.INVITED]
    assert AuditEntry.objects.count() == before


def test_approving_many_moves_each_through_the_service_with_one_audit_entry_and_email_each(
    client_for: Any, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    applied = [applicant(setup, n) for n in range(3)]
    invited = applicant(setup, 9, S.INVITED)
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        html = _managed(client_for, setup, [p.pk for p in [*applied, invited]], "approve")
    assert "3 approved." in html
    assert "1 skipped: Bea9 Bulk9: A participant cannot go from" in html
    assert _statuses(*applied, invited) == [S.APPROVED] * 3 + [S.INVITED]
    assert audited("programmes.participant.approved") == sorted(str(p.pk) for p in applied)
    # The same e-mail the single action sends: one "approved" e-mail each.
    assert DBTaskResult.objects.count() - queued == 3
    assert set(DBTaskResult.objects.order_by("-pk")[:3].values_list("task_path", flat=True)) == {
        "mentora.programmes.tasks.send_status_email"
    }


def test_next_moves_each_participant_to_their_own_next_status(client_for: Any, setup: Any) -> None:
    applied = applicant(setup, 1)
    reviewed = applicant(setup, 2, S.UNDER_REVIEW)
    approved = applicant(setup, 3, S.APPROVED)
    ready = applicant(setup, 4, S.READY)
    html = _managed(client_for, setup, [applied.pk, reviewed.pk, approved.pk, ready.pk], "next")
    # With no required workshop, an approved participant is ready without being trained.
    assert _statuses(applied, reviewed, approved, ready) == [
        S.UNDER_REVIEW,
        S.APPROVED,
        S.READY,
        S.READY,
    ]
    assert "3 moved to their next status." in html
    assert "Bea4 Bulk4: From “Ready to match” on, participants move on through matching" in html


def test_eight_approved_people_are_made_ready_in_one_go(client_for: Any, setup: Any) -> None:
    approved = [applicant(setup, n, S.APPROVED) for n in range(8)]
    applied = applicant(setup, 9)
    html = _managed(client_for, setup, [p.pk for p in [*approved, applied]], "ready")
    assert "8 ready to match." in html
    assert _statuses(*approved, applied) == [S.READY] * 8 + [S.APPLIED]
    assert "Bea9 Bulk9: A participant cannot go from" in html
    assert audited("programmes.participant.ready") == sorted(str(p.pk) for p in approved)


def test_a_decline_needs_a_reason_and_the_tick_and_keeps_the_reason_out_of_the_log(
    client_for: Any, setup: Any
) -> None:
    one, two = applicant(setup, 1), applicant(setup, 2)
    client = client_for(setup.personas.manager)
    ids = [one.pk, two.pk]
    no_reason = _apply(client, setup, ids, "decline", confirm="on")
    assert "Give a reason for declining" in no_reason.content.decode()
    no_tick = _apply(client, setup, ids, "decline", reason="Too few mentors SECRETREASON")
    assert "tick “I understand this cannot be undone”" in no_tick.content.decode()
    assert _statuses(one, two) == [S.APPLIED, S.APPLIED]
    preview = client.post(
        _url("participants_bulk_preview", setup),
        {"ids": ids, "action": "decline", "reason": "Too few mentors SECRETREASON"},
    ).content.decode()
    assert 'name="confirm"' in preview and "Reason for declining" in preview
    done = _apply(
        client, setup, ids, "decline", reason="Too few mentors SECRETREASON", confirm="on"
    )
    assert "2 declined." in done.content.decode()
    assert "Undo" not in done.content.decode()
    assert _statuses(one, two) == [S.DECLINED, S.DECLINED]
    assert Participant.objects.get(pk=one.pk).decline_reason == "Too few mentors SECRETREASON"
    assert audited("programmes.participant.declined") == sorted([str(one.pk), str(two.pk)])
    assert not any(
        "SECRETREASON" in str(changes)
        for changes in AuditEntry.objects.values_list("changes", flat=True)
    )


def test_withdrawing_asks_for_the_tick(client_for: Any, setup: Any) -> None:
    one = applicant(setup, 1, S.APPROVED)
    client = client_for(setup.personas.manager)
    _apply(client, setup, [one.pk], "withdraw")
    assert _statuses(one) == [S.APPROVED]
    _apply(client, setup, [one.pk], "withdraw", confirm="on")
    assert _statuses(one) == [S.WITHDRAWN]
    assert audited("programmes.participant.withdrawn") == [str(one.pk)]


def test_remind_queues_the_reminder_the_status_is_worth_and_skips_the_others(
    client_for: Any, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    invited = applicant(setup, 1, S.INVITED)
    approved = applicant(setup, 2, S.APPROVED)
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        html = _managed(client_for, setup, [invited.pk, approved.pk], "remind", confirm="on")
    assert "1 reminder sent." in html
    assert "Bea2 Bulk2: Nothing is waiting on “Approved”" in html
    assert DBTaskResult.objects.count() - queued == 1
    assert DBTaskResult.objects.order_by("-pk").first().task_path == (  # type: ignore[union-attr]
        "mentora.programmes.tasks.remind_applicant"
    )
    assert Participant.objects.get(pk=invited.pk).reminded_at is not None
    assert Participant.objects.get(pk=approved.pk).reminded_at is None
    assert audited("programmes.participant.remind") == [str(invited.pk)]


@pytest.mark.parametrize("forged", ["foreign", "missing", "not-a-number"])
def test_a_forged_or_foreign_id_refuses_the_whole_batch_and_writes_nothing(
    client_for: Any, setup: Any, forged: str
) -> None:
    mine = applicant(setup, 1)
    other_programme = another_programme(setup)
    stranger = pipeline.participant_invite(
        programme=other_programme,
        person=setup.mentor_person,
        role="mentor",
        actor=setup.personas.manager,
    )
    bad = {"foreign": stranger.pk, "missing": 999999, "not-a-number": "1x"}[forged]
    before = AuditEntry.objects.count()
    html = _managed(client_for, setup, [mine.pk, bad], "approve")
    assert "Nothing was changed: one of the chosen people is not on this list." in html
    assert _statuses(mine) == [S.APPLIED]
    assert AuditEntry.objects.count() == before


def test_a_failure_halfway_writes_nothing(
    client_for: Any, setup: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = applicant(setup, 1), applicant(setup, 2)
    real = pipeline.participant_transition
    calls = []

    def breaks_on_the_second(**arguments: Any) -> Participant:
        calls.append(arguments["participant"].pk)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(**arguments)

    monkeypatch.setattr(pipeline, "participant_transition", breaks_on_the_second)
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError):
        _apply(client_for(setup.personas.manager), setup, [first.pk, second.pk], "approve")
    assert len(calls) == 2
    assert _statuses(first, second) == [S.APPLIED, S.APPLIED]
    assert AuditEntry.objects.count() == before


def test_undo_restores_each_previous_status_through_the_service(
    client_for: Any, setup: Any
) -> None:
    one, two = applicant(setup, 1), applicant(setup, 2, S.UNDER_REVIEW)
    client = client_for(setup.personas.manager)
    done = _apply(client, setup, [one.pk, two.pk], "approve")
    assert 'class="undo-form"' in done.content.decode()
    assert _statuses(one, two) == [S.APPROVED, S.APPROVED]
    response = client.post(
        _url("participants_bulk_undo", setup), {"key": undo_key(client)}, follow=True
    )
    assert "2 are back at their previous status." in response.content.decode()
    assert _statuses(one, two) == [S.APPLIED, S.UNDER_REVIEW]
    assert audited("programmes.participant.undo") == sorted([str(one.pk), str(two.pk)])
    # Only once.
    again = client.post(_url("participants_bulk_undo", setup), {"key": "0" * 32}, follow=True)
    assert "There is nothing to undo" in again.content.decode()
    assert _statuses(one, two) == [S.APPLIED, S.UNDER_REVIEW]


def test_undo_leaves_whoever_has_moved_on_since(client_for: Any, setup: Any) -> None:
    one, two = applicant(setup, 1), applicant(setup, 2)
    client = client_for(setup.personas.manager)
    _apply(client, setup, [one.pk, two.pk], "approve")
    key = undo_key(client)
    # Someone moves the second on, one at a time, before the undo.
    pipeline.participant_transition(
        participant=two, to_status=S.READY, actor=setup.personas.manager
    )
    response = client.post(_url("participants_bulk_undo", setup), {"key": key}, follow=True)
    html = response.content.decode()
    assert "1 is back at their previous status." in html
    assert "Bea2 Bulk2: Their status has changed since (now “Ready to match”)" in html
    assert _statuses(one, two) == [S.APPLIED, S.READY]
    assert audited("programmes.participant.undo") == [str(one.pk)]


def test_undo_refuses_a_key_it_did_not_give(client_for: Any, setup: Any) -> None:
    one = applicant(setup, 1)
    client = client_for(setup.personas.manager)
    _apply(client, setup, [one.pk], "approve")
    response = client.post(_url("participants_bulk_undo", setup), {"key": "f" * 32}, follow=True)
    assert "There is nothing to undo" in response.content.decode()
    assert _statuses(one) == [S.APPROVED]


def test_irreversible_actions_offer_no_undo(client_for: Any, setup: Any) -> None:
    one = applicant(setup, 1, S.APPROVED)
    client = client_for(setup.personas.manager)
    _apply(client, setup, [one.pk], "withdraw", confirm="on")
    assert "bulk_undo" not in client.session


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_act_on_many(
    client_for: Any, setup: Any, who: str
) -> None:
    one = applicant(setup, 1)
    client = client_for(getattr(setup.personas, who))
    data = {"ids": [one.pk], "action": "approve"}
    preview = client.post(_url("participants_bulk_preview", setup), data)
    assert preview.status_code == MANAGERS_ONLY[who]
    applied = client.post(_url("participants_bulk_apply", setup), data)
    assert applied.status_code == WRITE[who]
    assert _statuses(one) == ([S.APPROVED] if WRITE[who] == 302 else [S.APPLIED])
    undo = client.post(_url("participants_bulk_undo", setup), {"key": "0" * 32})
    assert undo.status_code == WRITE[who]
    assert _statuses(one) == ([S.APPROVED] if WRITE[who] == 302 else [S.APPLIED])


# Registering many for a workshop ----------------------------------------------------------------


def _workshop(setup: Any, capacity: int | None) -> Any:
    return event_services.event_create(
        programme=setup.programme,
        title="Kick-off",
        starts_at=timezone.now() + dt.timedelta(days=10),
        capacity=capacity,
        actor=setup.personas.manager,
    )


def test_registering_many_fills_the_places_then_the_waiting_list_and_skips_with_reasons(
    client_for: Any, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    workshop = _workshop(setup, capacity=2)
    booked, a, b, c = (applicant(setup, n, S.APPROVED) for n in range(4))
    gone = applicant(setup, 5, S.APPROVED)
    pipeline.participant_transition(
        participant=gone, to_status=S.WITHDRAWN, actor=setup.personas.manager
    )
    event_services.event_register(event=workshop, participant=booked, actor=setup.personas.manager)
    client = client_for(setup.personas.manager)
    pipeline_page = client.get(_url("programme_pipeline", setup)).content.decode()
    assert f'formaction="{_url("event_register_many", setup)}"' in pipeline_page
    data = {"ids": [p.pk for p in (booked, a, b, c, gone)], "event": workshop.pk}
    preview = client.post(_url("event_register_many", setup), data).content.decode()
    assert preview.count("Takes a place.") == 1
    assert preview.count("Goes on the waiting list: the workshop is full.") == 2
    assert "Already registered (Registered)." in preview
    assert "Only current participants can register." in preview
    assert 'name="confirm"' in preview
    assert EventRegistration.objects.count() == 1
    # Without the tick, nothing is written.
    client.post(_url("event_register_many_apply", setup), data)
    assert EventRegistration.objects.count() == 1
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            _url("event_register_many_apply", setup), {**data, "confirm": "on"}, follow=True
        )
    html = done.content.decode()
    assert "3 registered for “Kick-off”, 2 of them on the waiting list." in html
    assert "2 skipped:" in html
    statuses = dict(EventRegistration.objects.values_list("participant_id", "status"))
    assert statuses == {
        booked.pk: "registered",
        a.pk: "registered",
        b.pk: "waitlisted",
        c.pk: "waitlisted",
    }
    assert audited("programmes.event.registered") == sorted(
        str(EventRegistration.objects.get(participant=p).pk) for p in (booked, a)
    )
    assert len(audited("programmes.event.waitlisted")) == 2
    # One e-mail each, as a single registration sends.
    assert DBTaskResult.objects.count() - queued == 3


def test_a_workshop_of_another_programme_is_refused(client_for: Any, setup: Any) -> None:
    one = applicant(setup, 1, S.APPROVED)
    other = another_programme(setup)
    elsewhere = event_services.event_create(
        programme=other,
        title="Elsewhere",
        starts_at=timezone.now() + dt.timedelta(days=3),
        actor=setup.personas.manager,
    )
    response = client_for(setup.personas.manager).post(
        _url("event_register_many_apply", setup),
        {"ids": [one.pk], "event": elsewhere.pk, "confirm": "on"},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert not EventRegistration.objects.exists()


@pytest.mark.parametrize("who", PERSONAS)
def test_only_those_running_the_programme_may_register_many(
    client_for: Any, setup: Any, who: str
) -> None:
    workshop = _workshop(setup, capacity=None)
    one = applicant(setup, 1, S.APPROVED)
    client = client_for(getattr(setup.personas, who))
    data = {"ids": [one.pk], "event": workshop.pk, "confirm": "on"}
    assert client.post(_url("event_register_many", setup), data).status_code == MANAGERS_ONLY[who]
    assert client.post(_url("event_register_many_apply", setup), data).status_code == WRITE[who]
    assert EventRegistration.objects.filter(participant=one).exists() == (WRITE[who] == 302)


# Inviting many from the people directory --------------------------------------------------------


def _people_url(name: str) -> str:
    return reverse(name, args=["acme"])


def test_the_directory_offers_organisation_admins_a_labelled_checkbox_per_person(
    client_for: Any, setup: Any
) -> None:
    junior = setup.personas.people["junior"]
    admin_page = client_for(setup.personas.org_admin).get(_people_url("people_directory"))
    html = admin_page.content.decode()
    assert f'<label for="bulk-{junior.pk}" class="visually-hidden">Choose Jo Junior</label>' in html
    assert "Invite the chosen people to a programme" in html
    manager_page = client_for(setup.personas.manager).get(_people_url("people_directory"))
    assert 'name="ids"' not in manager_page.content.decode()


def test_inviting_many_from_the_directory_previews_then_invites_each_once(
    client_for: Any, setup: Any, django_capture_on_commit_callbacks: Any
) -> None:
    p = setup.personas
    junior, boss = p.people["junior"], p.people["boss"]
    already = invite(setup, setup.mentor_person, "mentee")
    client = client_for(p.org_admin)
    data = {
        "ids": [junior.pk, boss.pk, setup.mentor_person.pk],
        "programme": setup.programme.pk,
        "role": "mentee",
    }
    preview = client.post(_people_url("people_invite_preview"), data).content.decode()
    assert preview.count("Invited as mentee") == 1
    assert "Bo Boss has no e-mail address in the people directory." in preview
    assert "Mo Mentor is already in this programme in that role." in preview
    assert Participant.objects.filter(programme=setup.programme).count() == 1
    queued = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            _people_url("people_invite_apply"), {**data, "confirm": "on"}, follow=True
        ).content.decode()
    assert "1 invited to Graduate onboarding." in done
    assert "2 skipped:" in done
    invited = Participant.objects.get(programme=setup.programme, person=junior)
    assert invited.status == S.INVITED
    assert audited("programmes.participant.invite") == sorted([str(already.pk), str(invited.pk)])
    assert DBTaskResult.objects.count() - queued == 1


def test_a_person_of_another_organisation_is_refused_with_nothing_written(
    client_for: Any, setup: Any
) -> None:
    p = setup.personas
    stranger = make_person(p.other_organisation, "X1", "Sam", "Stranger", email="s@x.example")
    response = client_for(p.org_admin).post(
        _people_url("people_invite_apply"),
        {
            "ids": [p.people["junior"].pk, stranger.pk],
            "programme": setup.programme.pk,
            "role": "mentee",
            "confirm": "on",
        },
        follow=True,
    )
    assert "Nothing was changed: one of the chosen people is not on this list." in (
        response.content.decode()
    )
    assert not Participant.objects.filter(programme=setup.programme).exists()


# Inviting from the directory is for organisation admins: programme managers read it (403 on
# the write), other members may not, outsiders do not learn it exists.
PEOPLE_INVITE = {**WRITE, "manager": 403}
PEOPLE_PREVIEW = {**MANAGERS_ONLY, "manager": 403}


@pytest.mark.parametrize("who", PERSONAS)
def test_only_organisation_admins_may_invite_many_from_the_directory(
    client_for: Any, setup: Any, who: str
) -> None:
    client = client_for(getattr(setup.personas, who))
    data = {
        "ids": [setup.personas.people["junior"].pk],
        "programme": setup.programme.pk,
        "role": "mentee",
        "confirm": "on",
    }
    assert (
        client.post(_people_url("people_invite_preview"), data).status_code == (PEOPLE_PREVIEW[who])
    )
    assert client.post(_people_url("people_invite_apply"), data).status_code == PEOPLE_INVITE[who]
    assert Participant.objects.filter(programme=setup.programme).exists() == (
        PEOPLE_INVITE[who] == 302
    )


def test_a_later_batch_forgets_the_undo_of_the_one_before(client_for: Any, setup: Any) -> None:
    one, two = applicant(setup, 1), applicant(setup, 2, S.APPROVED)
    client = client_for(setup.personas.manager)
    _apply(client, setup, [one.pk], "approve")
    key = undo_key(client)
    _apply(client, setup, [two.pk], "withdraw", confirm="on")
    response = client.post(_url("participants_bulk_undo", setup), {"key": key}, follow=True)
    assert "There is nothing to undo" in response.content.decode()
    assert _statuses(one, two) == [S.APPROVED, S.WITHDRAWN]
