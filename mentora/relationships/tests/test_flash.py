"""Flash mentoring: slots, race-safe booking, invitations, the one-question follow-up and
what staff see of its answers."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from conftest import PERSONAS, make_person, make_personas, post_at_once
from mentora.core.models import AuditEntry
from mentora.programmes.models import Participant
from mentora.relationships import tasks
from mentora.relationships.models import FlashBooking, FlashSlot
from mentora.relationships.services import flash
from mentora.relationships.tests.test_experts import Network, network  # noqa: F401


def offer(network: Network, days: float = 3, **overrides: Any) -> FlashSlot:
    values: dict[str, Any] = {
        "expert": network.expert,
        "actor": network.personas.mentor,
        "starts_at": timezone.now() + dt.timedelta(days=days),
        "duration_minutes": 30,
        "place": "Room 4",
    }
    return flash.flash_slot_publish(**{**values, **overrides})


def book(network: Network, slot: FlashSlot) -> FlashBooking:
    return flash.flash_book(slot=slot, learner=network.learner, actor=network.personas.mentee)


def held(booking: FlashBooking, days_ago: int = 2) -> FlashBooking:
    """The conversation took place `days_ago`."""
    FlashSlot.objects.filter(pk=booking.slot_id).update(
        starts_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    return FlashBooking.objects.select_related("slot").get(pk=booking.pk)


def invitation(booking: FlashBooking, mailoutbox: list[Any]) -> tuple[Calendar, Any]:
    """Send the booking's invitation now; the calendar both got and its one entry."""
    mailoutbox.clear()
    assert tasks.send_flash_invitation.call(booking.pk) == 2
    assert sorted(m.to[0] for m in mailoutbox) == ["mentee@test.example", "mentor@test.example"]
    name, content, mimetype = mailoutbox[0].attachments[0]
    calendar = Calendar.from_ical(content)
    assert mimetype.startswith("text/calendar")
    (entry,) = calendar.walk("VEVENT")
    return calendar, entry


# Slots --------------------------------------------------------------------------------------


def test_an_expert_or_a_manager_offers_a_time(network: Network) -> None:
    slot = offer(network, link="https://meet.example/mo")
    assert slot.expert == network.expert and slot.link == "https://meet.example/mo"
    offer(network, actor=network.personas.manager)
    assert FlashSlot.objects.count() == 2
    assert AuditEntry.objects.filter(action="relationships.flash.publish").count() == 2


@pytest.mark.parametrize("who", ["mentee", "sponsor", "line_manager", "outsider"])
def test_no_one_else_offers_an_experts_time(network: Network, who: str) -> None:
    with pytest.raises(ValidationError, match="Only the expert"):
        offer(network, actor=getattr(network.personas, who))
    assert not FlashSlot.objects.exists()


def test_a_time_must_be_ahead_say_where_and_have_a_sensible_length(network: Network) -> None:
    with pytest.raises(ValidationError, match="in the future"):
        offer(network, days=-1)
    with pytest.raises(ValidationError, match="place or an online link"):
        offer(network, place=" ")
    with pytest.raises(ValidationError, match="from 10 to 240 minutes"):
        offer(network, duration_minutes=600)
    with pytest.raises(ValidationError, match="Only an expert"):
        offer(network, expert=network.learner, actor=network.personas.manager)
    assert not FlashSlot.objects.exists()


def test_the_database_refuses_a_slot_with_neither_place_nor_link(network: Network) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashSlot.objects.create(expert=network.expert, starts_at=timezone.now())


# Booking ------------------------------------------------------------------------------------


def test_a_learner_books_a_free_time_once(network: Network) -> None:
    slot = offer(network)
    booking = book(network, slot)
    assert booking.learner == network.learner and booking.sequence == 0
    with pytest.raises(ValidationError, match="just booked"):
        book(network, slot)
    assert FlashBooking.objects.filter(slot=slot).count() == 1


def test_the_database_holds_one_active_booking_per_slot(network: Network) -> None:
    slot = offer(network)
    book(network, slot)
    with pytest.raises(IntegrityError), transaction.atomic():
        FlashBooking.objects.create(slot=slot, learner=network.other_learner)


def test_a_cancelled_booking_frees_the_time_again(network: Network) -> None:
    slot = offer(network)
    first = book(network, slot)
    flash.flash_booking_cancel(booking=first, actor=network.personas.mentee)
    again = book(network, slot)
    assert again.pk != first.pk and again.uid != first.uid


def test_only_learners_of_the_same_network_book_future_open_times(network: Network) -> None:
    slot = offer(network)
    with pytest.raises(ValidationError, match="for themselves"):
        flash.flash_book(slot=slot, learner=network.learner, actor=network.personas.mentor)
    Participant.objects.filter(pk=network.learner.pk).update(status="withdrawn")
    network.learner.refresh_from_db()
    with pytest.raises(ValidationError, match="Only a learner"):
        book(network, slot)
    Participant.objects.filter(pk=network.learner.pk).update(status="active")
    network.learner.refresh_from_db()
    flash.flash_slot_cancel(slot=slot, actor=network.personas.mentor)
    with pytest.raises(ValidationError, match="cancelled"):
        book(network, slot)
    past = offer(network)
    FlashSlot.objects.filter(pk=past.pk).update(starts_at=timezone.now() - dt.timedelta(hours=1))
    with pytest.raises(ValidationError, match="passed"):
        book(network, FlashSlot.objects.get(pk=past.pk))
    assert not FlashBooking.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_bookings_of_one_time_give_one_booking() -> None:
    personas = make_personas()
    from mentora.programmes.services import design

    programme = design.programme_create(
        organisation=personas.organisation, actor=personas.manager, name="N", kind="expert_network"
    )
    expert = Participant.objects.create(
        programme=programme,
        person=make_person(personas.organisation, "X1", "Mo", "M", user=personas.mentor),
        user=personas.mentor,
        role="mentor",
        status="active",
    )
    Participant.objects.create(
        programme=programme,
        person=personas.people["junior"],
        user=personas.mentee,
        role="mentee",
        status="active",
    )
    slot = flash.flash_slot_publish(
        expert=expert,
        actor=personas.mentor,
        starts_at=timezone.now() + dt.timedelta(days=2),
        place="Room 4",
    )
    answers = post_at_once(personas.mentee, reverse("flash_book", args=[slot.pk]), {}, times=2)
    assert [status for status, _said in answers] == [302, 302]
    assert FlashBooking.objects.filter(slot=slot).count() == 1
    assert sum(any("just booked" in s for s in said) for _status, said in answers) == 1


# Invitations --------------------------------------------------------------------------------


def test_booking_moving_and_cancelling_send_invitations_with_a_rising_sequence(
    network: Network, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    from django_tasks_db.models import DBTaskResult

    slot = offer(network, link="https://meet.example/mo")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(network, slot)
    assert DBTaskResult.objects.filter(
        task_path="mentora.relationships.tasks.send_flash_invitation"
    ).exists()
    calendar, entry = invitation(booking, mailoutbox)
    assert calendar["METHOD"] == "REQUEST"
    assert entry["UID"] == f"{booking.uid}@mentora" and entry["SEQUENCE"] == 0
    assert entry["STATUS"] == "CONFIRMED" and entry["URL"] == "https://meet.example/mo"
    assert "Mo Mentor" in entry["SUMMARY"] and "Jo Junior" in entry["SUMMARY"]
    assert "Flash conversation with Mo Mentor" in next(
        m.subject for m in mailoutbox if m.to == ["mentee@test.example"]
    )

    later = timezone.now() + dt.timedelta(days=4)
    flash.flash_slot_move(
        slot=slot, actor=network.personas.mentor, starts_at=later, duration_minutes=45
    )
    booking.refresh_from_db()
    calendar, entry = invitation(booking, mailoutbox)
    assert calendar["METHOD"] == "REQUEST" and entry["SEQUENCE"] == 1
    assert entry["UID"] == f"{booking.uid}@mentora"
    assert entry.decoded("DTSTART") == later.replace(microsecond=0).astimezone(dt.UTC)
    assert entry.decoded("DTEND") - entry.decoded("DTSTART") == dt.timedelta(minutes=45)
    assert mailoutbox[0].subject.startswith("Moved:")

    flash.flash_booking_cancel(booking=booking, actor=network.personas.mentee)
    booking.refresh_from_db()
    calendar, entry = invitation(booking, mailoutbox)
    assert calendar["METHOD"] == "CANCEL" and entry["SEQUENCE"] == 2
    assert entry["STATUS"] == "CANCELLED" and entry["UID"] == f"{booking.uid}@mentora"
    assert mailoutbox[0].subject.startswith("Cancelled:")


def test_withdrawing_a_booked_time_cancels_the_booking(network: Network) -> None:
    slot = offer(network)
    booking = book(network, slot)
    flash.flash_slot_cancel(slot=slot, actor=network.personas.manager)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None and booking.sequence == 1
    with pytest.raises(ValidationError, match="cancelled"):
        flash.flash_slot_move(
            slot=slot,
            actor=network.personas.mentor,
            starts_at=timezone.now() + dt.timedelta(days=9),
            duration_minutes=30,
        )


# The one question after ----------------------------------------------------------------------


def test_the_learner_is_asked_once_after_the_conversation(
    network: Network, django_capture_on_commit_callbacks: Any, mailoutbox: list[Any]
) -> None:
    coming = book(network, offer(network))
    done = held(book(network, offer(network, days=5)))
    with django_capture_on_commit_callbacks(execute=True):
        assert flash.flash_followups_send() == 1
    assert flash.flash_followups_send() == 0
    done.refresh_from_db()
    coming.refresh_from_db()
    assert done.followup_sent_at is not None and coming.followup_sent_at is None
    assert tasks.send_flash_followup.call(done.pk) is True
    (message,) = mailoutbox
    assert message.to == ["mentee@test.example"]
    assert "Mo Mentor" in message.subject and reverse("my_experts") in message.body


def test_only_the_learner_answers_once_after_the_conversation(network: Network) -> None:
    booking = book(network, offer(network))
    with pytest.raises(ValidationError, match="once the conversation has taken place"):
        flash.flash_followup_answer(booking=booking, actor=network.personas.mentee, usefulness=4)
    booking = held(booking)
    with pytest.raises(ValidationError, match="Only the learner"):
        flash.flash_followup_answer(booking=booking, actor=network.personas.mentor, usefulness=5)
    with pytest.raises(ValidationError, match="from 1 to 5"):
        flash.flash_followup_answer(booking=booking, actor=network.personas.mentee, usefulness=6)
    flash.flash_followup_answer(booking=booking, actor=network.personas.mentee, usefulness=4)
    with pytest.raises(ValidationError, match="answered already"):
        flash.flash_followup_answer(booking=booking, actor=network.personas.mentee, usefulness=1)
    booking.refresh_from_db()
    assert booking.usefulness == 4
    # The answer stays out of the audit log.
    entry = AuditEntry.objects.get(action="relationships.flash.answer")
    assert "4" not in str(entry.changes or "")


def answered(network: Network, answers: list[int]) -> None:
    """Learners had a conversation each and answered as given."""
    for number, value in enumerate(answers):
        learner = Participant.objects.create(
            programme=network.programme,
            person=make_person(network.personas.organisation, f"L{number}", "L", str(number)),
            role="mentee",
            status="active",
        )
        slot = offer(network, days=1 + number)
        booking = FlashBooking.objects.create(slot=slot, learner=learner)
        FlashSlot.objects.filter(pk=slot.pk).update(starts_at=timezone.now() - dt.timedelta(days=1))
        FlashBooking.objects.filter(pk=booking.pk).update(usefulness=value)


def test_staff_see_no_counts_before_five_answers(network: Network) -> None:
    answered(network, [5, 4, 4, 2])
    counts = flash.flash_usefulness_counts(network.programme)
    assert counts.conversations == 4 and counts.answers is None and counts.counts == []


def test_staff_see_counts_with_small_ones_hidden(network: Network) -> None:
    answered(network, [5] * 6 + [4] * 5 + [2])
    counts = flash.flash_usefulness_counts(network.programme)
    assert counts.answers == 12
    shown = dict(counts.counts)
    assert shown[5] == 6 and shown[4] == 5
    # 2 had one answer: hidden, and the empty 1 and 3 are hidden with it, so that the
    # total less the shown counts does not give it away.
    assert shown[2] is None and [shown[1], shown[3]].count(None) >= 1


def test_a_one_sided_distribution_is_hidden_whole(network: Network) -> None:
    answered(network, [5] * 7 + [4])
    counts = flash.flash_usefulness_counts(network.programme)
    assert counts.answers == 8 and counts.counts == []


# Pages and access ---------------------------------------------------------------------------

BOOK = {
    **dict.fromkeys(("admin", "org_admin", "manager", "sponsor", "mentor", "line_manager"), 403),
    "mentee": 302,
    "outsider": 404,
}
# The platform admin belongs to no organisation: like any outsider to the network, 404.
BOOK["admin"] = 404


@pytest.mark.parametrize(("who", "status"), BOOK.items())
def test_only_a_learner_of_the_network_books_through_the_page(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    slot = offer(network)
    response = client_for(network.personas.all()[who]).post(reverse("flash_book", args=[slot.pk]))
    assert response.status_code == status
    assert FlashBooking.objects.filter(slot=slot).exists() == (status == 302)


SLOT_WRITE = {
    "admin": 302,
    "org_admin": 302,
    "manager": 302,
    "mentor": 302,
    "mentee": 403,
    "sponsor": 403,
    "line_manager": 403,
    "outsider": 404,
}


@pytest.mark.parametrize(("who", "status"), SLOT_WRITE.items())
def test_the_expert_or_a_manager_withdraws_a_time_through_the_page(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    slot = offer(network)
    response = client_for(network.personas.all()[who]).post(
        reverse("flash_slot_cancel", args=[slot.pk]), {"confirm": "on"}
    )
    assert response.status_code == status
    slot.refresh_from_db()
    assert (slot.cancelled_at is not None) == (status == 302)


@pytest.mark.parametrize(("who", "status"), SLOT_WRITE.items())
def test_the_expert_or_a_manager_moves_a_time_through_the_page(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    slot = offer(network)
    day = timezone.localdate() + dt.timedelta(days=10)
    response = client_for(network.personas.all()[who]).post(
        reverse("flash_slot_move", args=[slot.pk]),
        {"date": day.isoformat(), "time": "09:30", "duration_minutes": "20"},
    )
    assert response.status_code == status
    slot.refresh_from_db()
    assert (slot.duration_minutes == 20) == (status == 302)


def test_the_expert_offers_a_time_through_the_page_and_bad_input_is_named(
    network: Network, client_for: Any
) -> None:
    client = client_for(network.personas.mentor)
    day = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    data = {"expert": network.expert.pk, "date": day, "time": "14:00", "duration_minutes": "30"}
    response = client.post(reverse("flash_slot_publish"), {**data, "place": "Café"}, follow=True)
    assert "The time is offered" in response.content.decode()
    assert FlashSlot.objects.get().place == "Café"
    response = client.post(reverse("flash_slot_publish"), data, follow=True)
    assert "Give a place or an online link" in response.content.decode()
    response = client.post(
        reverse("flash_slot_publish"), {**data, "date": "9999-12-31", "place": "x"}, follow=True
    )
    assert "Give a date between" in response.content.decode()
    # Someone else's participation is no choice.
    response = client.post(
        reverse("flash_slot_publish"), {**data, "expert": network.other_expert.pk, "place": "x"}
    )
    assert FlashSlot.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), SLOT_WRITE.items())
def test_cancelling_a_booking_through_the_page(
    network: Network, client_for: Any, who: str, status: int
) -> None:
    booking = book(network, offer(network))
    response = client_for(network.personas.all()[who]).post(
        reverse("flash_booking_cancel", args=[booking.pk]), {"confirm": "on"}
    )
    expected = 302 if who == "mentee" else status
    assert response.status_code == expected
    booking.refresh_from_db()
    assert (booking.cancelled_at is not None) == (expected == 302)


@pytest.mark.parametrize("who", PERSONAS)
def test_only_the_learner_answers_through_the_page(
    network: Network, client_for: Any, who: str
) -> None:
    booking = held(book(network, offer(network)))
    response = client_for(network.personas.all()[who]).post(
        reverse("flash_followup", args=[booking.pk]), {"usefulness": "5"}
    )
    booking.refresh_from_db()
    assert (booking.usefulness == 5) == (who == "mentee")
    assert response.status_code in (302, 403, 404)
    if who == "outsider":
        assert response.status_code == 404


def test_my_experts_shows_times_to_book_and_the_experts_own_times(
    network: Network, client_for: Any
) -> None:
    slot = offer(network)
    page = client_for(network.personas.mentee).get(reverse("my_experts")).content.decode()
    assert reverse("flash_book", args=[slot.pk]) in page
    page = client_for(network.personas.mentor).get(reverse("my_experts")).content.decode()
    assert reverse("flash_slot_cancel", args=[slot.pk]) in page
    assert reverse("flash_book", args=[slot.pk]) not in page
    booking = held(book(network, slot))
    page = client_for(network.personas.mentee).get(reverse("my_experts")).content.decode()
    assert reverse("flash_followup", args=[booking.pk]) in page
    page = client_for(network.personas.line_manager).get(reverse("my_experts")).content.decode()
    assert "flash-heading" not in page


def test_the_network_page_shows_staff_counts_never_an_answer(
    network: Network, client_for: Any
) -> None:
    answered(network, [5, 3])
    page = (
        client_for(network.personas.manager)
        .get(reverse("expert_network", args=[network.programme.pk]))
        .content.decode()
    )
    assert "Flash mentoring" in page and "Shown once at least 5 learners have answered" in page
