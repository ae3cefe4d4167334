"""Flash mentoring in the expert network: an expert publishes slots, a learner books one
for a single conversation, both get calendar invitations, and afterwards the learner
answers one question ("Was it useful?")."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Hashable
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.programmes.access import can_manage_programme
from mentora.programmes.models import Participant, ParticipantRole, Programme, ProgrammeKind
from mentora.relationships import tasks
from mentora.relationships.models import FlashBooking, FlashSlot
from mentora.relationships.services.experts import NOT_TAKING_PART
from mentora.stats.anonymity import Suppression, can_show, suppress, too_alike

SHORTEST_MINUTES = 10
LONGEST_MINUTES = 240
# The answers to "Was it useful?", from not at all to very.
USEFULNESS = range(1, 6)
# No count of answers is shown for fewer people than this (as in survey reports).
MINIMUM_ANSWERS = 5


def _takes_part_as(participant: Participant, role: str) -> bool:
    return (
        participant.programme.kind == ProgrammeKind.EXPERT_NETWORK
        and participant.role == role
        and participant.status not in NOT_TAKING_PART
    )


def _is_expert_or_manager(actor: Any, expert: Participant) -> bool:
    return actor is not None and (
        (actor.pk is not None and actor.pk == expert.user_id)
        or can_manage_programme(actor, expert.programme)
    )


def _check_time(starts_at: dt.datetime, duration_minutes: int) -> None:
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must carry its time zone")
    if starts_at <= timezone.now():
        raise ValidationError(_("Offer a time in the future."))
    if not SHORTEST_MINUTES <= duration_minutes <= LONGEST_MINUTES:
        raise ValidationError(
            _("A flash conversation lasts from %(low)s to %(high)s minutes.")
            % {"low": SHORTEST_MINUTES, "high": LONGEST_MINUTES}
        )


def _announce(booking: FlashBooking) -> None:
    """Send both the invitation as it now stands: a REQUEST, or a CANCEL once cancelled."""
    transaction.on_commit(partial(tasks.send_flash_invitation.enqueue, booking.pk))


def _active_booking(slot: FlashSlot) -> FlashBooking | None:
    return slot.bookings.filter(cancelled_at__isnull=True).select_related("learner").first()


def _audit(actor: Any, action: str, obj: Any, programme: Programme, **changes: Any) -> None:
    audit_log(
        actor=actor,
        action=f"relationships.flash.{action}",
        obj=obj,
        programme=programme,
        changes=changes or None,
    )


@transaction.atomic
def flash_slot_publish(
    *,
    expert: Participant,
    actor: Any,
    starts_at: dt.datetime,
    duration_minutes: int = 30,
    place: str = "",
    link: str = "",
) -> FlashSlot:
    """Offer a time for one flash conversation: by the expert, or a manager for them."""
    if not _is_expert_or_manager(actor, expert):
        raise ValidationError(_("Only the expert or the programme manager can offer times."))
    if not _takes_part_as(expert, ParticipantRole.MENTOR):
        raise ValidationError(_("Only an expert taking part in an expert network offers times."))
    _check_time(starts_at, duration_minutes)
    place, link = place.strip(), link.strip()
    if not place and not link:
        raise ValidationError(_("Give a place or an online link."))
    slot = FlashSlot.objects.create(
        expert=expert,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place,
        link=link,
    )
    _audit(
        actor,
        "publish",
        slot,
        expert.programme,
        starts_at=starts_at.isoformat(),
        duration_minutes=duration_minutes,
    )
    return slot


@transaction.atomic
def flash_slot_move(
    *, slot: FlashSlot, actor: Any, starts_at: dt.datetime, duration_minutes: int
) -> FlashSlot:
    """Move a slot; a learner who booked it gets the updated invitation (same UID, a
    higher sequence)."""
    slot = FlashSlot.objects.select_for_update().select_related("expert__programme").get(pk=slot.pk)
    if not _is_expert_or_manager(actor, slot.expert):
        raise ValidationError(_("Only the expert or the programme manager can move a time."))
    if slot.cancelled_at is not None:
        raise ValidationError(_("This time was cancelled."))
    _check_time(starts_at, duration_minutes)
    slot.starts_at = starts_at
    slot.duration_minutes = duration_minutes
    slot.save(update_fields=["starts_at", "duration_minutes"])
    _audit(
        actor,
        "move",
        slot,
        slot.expert.programme,
        starts_at=starts_at.isoformat(),
        duration_minutes=duration_minutes,
    )
    booking = _active_booking(slot)
    if booking is not None:
        booking.sequence += 1
        booking.save(update_fields=["sequence"])
        _announce(booking)
    return slot


@transaction.atomic
def flash_slot_cancel(*, slot: FlashSlot, actor: Any) -> FlashSlot:
    """Withdraw a slot; a booking of it is cancelled, and both get the cancellation."""
    slot = FlashSlot.objects.select_for_update().select_related("expert__programme").get(pk=slot.pk)
    if not _is_expert_or_manager(actor, slot.expert):
        raise ValidationError(_("Only the expert or the programme manager can cancel a time."))
    if slot.cancelled_at is not None:
        raise ValidationError(_("This time was cancelled."))
    booking = _active_booking(slot)
    now = timezone.now()
    slot.cancelled_at = now
    slot.save(update_fields=["cancelled_at"])
    _audit(actor, "withdraw", slot, slot.expert.programme)
    if booking is not None:
        booking.cancelled_at = now
        booking.sequence += 1
        booking.save(update_fields=["cancelled_at", "sequence"])
        _audit(actor, "cancel", booking, slot.expert.programme)
        _announce(booking)
    return slot


@transaction.atomic
def flash_book(*, slot: FlashSlot, learner: Participant, actor: Any) -> FlashBooking:
    """Book a free slot for one conversation; both get a calendar invitation.

    The slot's row is locked while it is checked, and the database holds one active
    booking per slot, so two learners booking at once cannot both get it."""
    slot = FlashSlot.objects.select_for_update().select_related("expert__programme").get(pk=slot.pk)
    if actor is None or actor.pk != learner.user_id:
        raise ValidationError(_("Learners book conversations for themselves."))
    if learner.programme_id != slot.expert.programme_id or not _takes_part_as(
        learner, ParticipantRole.MENTEE
    ):
        raise ValidationError(_("Only a learner in the expert's programme can book this time."))
    if learner.person_id == slot.expert.person_id:
        raise ValidationError(_("You cannot book a conversation with yourself."))
    if slot.cancelled_at is not None:
        raise ValidationError(_("This time was cancelled."))
    if slot.starts_at <= timezone.now():
        raise ValidationError(_("This time has passed."))
    if slot.bookings.filter(cancelled_at__isnull=True).exists():
        raise ValidationError(_("Someone has just booked this time. Choose another one."))
    try:
        with transaction.atomic():
            booking = FlashBooking.objects.create(slot=slot, learner=learner)
    except IntegrityError as error:
        raise ValidationError(
            _("Someone has just booked this time. Choose another one.")
        ) from error
    _audit(actor, "book", booking, slot.expert.programme, slot=slot.pk)
    _announce(booking)
    return booking


@transaction.atomic
def flash_booking_cancel(*, booking: FlashBooking, actor: Any) -> FlashBooking:
    """Cancel a booked conversation (the learner, the expert or a manager); the slot is
    free again, and both get the cancellation."""
    booking = (
        FlashBooking.objects.select_for_update()
        .select_related("slot__expert__programme", "learner")
        .get(pk=booking.pk)
    )
    allowed = actor is not None and (
        actor.pk == booking.learner.user_id or _is_expert_or_manager(actor, booking.slot.expert)
    )
    if not allowed:
        raise ValidationError(
            _("Only the learner, the expert or the programme manager can cancel it.")
        )
    if booking.cancelled_at is not None:
        raise ValidationError(_("This conversation was cancelled."))
    if booking.slot.ends_at <= timezone.now():
        raise ValidationError(_("This conversation has taken place."))
    booking.cancelled_at = timezone.now()
    booking.sequence += 1
    booking.save(update_fields=["cancelled_at", "sequence"])
    _audit(actor, "cancel", booking, booking.slot.expert.programme)
    _announce(booking)
    return booking


@transaction.atomic
def flash_followup_answer(*, booking: FlashBooking, actor: Any, usefulness: int) -> FlashBooking:
    """The learner's one answer after the conversation: was it useful (1-5)? The answer
    stays out of the audit log: staff see it only counted with others."""
    booking = FlashBooking.objects.select_for_update().select_related("slot").get(pk=booking.pk)
    if actor is None or actor.pk != booking.learner.user_id:
        raise ValidationError(_("Only the learner answers this question."))
    if not booking.is_active:
        raise ValidationError(_("This conversation was cancelled."))
    if booking.slot.ends_at > timezone.now():
        raise ValidationError(_("You can answer once the conversation has taken place."))
    if booking.usefulness is not None:
        raise ValidationError(_("You have answered already. Thank you."))
    if usefulness not in USEFULNESS:
        raise ValidationError(_("Choose an answer from 1 to 5."))
    booking.usefulness = usefulness
    booking.answered_at = timezone.now()
    booking.save(update_fields=["usefulness", "answered_at"])
    _audit(actor, "answer", booking, booking.slot.expert.programme)
    return booking


def flash_followups_send(*, now: dt.datetime | None = None) -> int:
    """Ask each learner, once, whether a conversation that has ended was useful (run
    daily). Returns how many were asked."""
    now = now or timezone.now()
    due = FlashBooking.objects.filter(
        cancelled_at__isnull=True,
        slot__cancelled_at__isnull=True,
        followup_sent_at__isnull=True,
        slot__starts_at__lt=now,
    ).select_related("slot")
    count = 0
    for booking in due:
        if booking.slot.ends_at > now:
            continue
        with transaction.atomic():
            sent = FlashBooking.objects.filter(pk=booking.pk, followup_sent_at__isnull=True).update(
                followup_sent_at=now
            )
            if sent:
                transaction.on_commit(partial(tasks.send_flash_followup.enqueue, booking.pk))
                count += 1
    return count


@dataclasses.dataclass(frozen=True)
class UsefulnessCounts:
    """How learners answered "Was it useful?" in a programme, as staff may see it."""

    conversations: int
    answers: int | None
    # (answer, count or None where hidden), from 1 to 5; empty when the whole
    # distribution is hidden.
    counts: list[tuple[int, int | None]]
    reason: str


def flash_usefulness_counts(programme: Programme) -> UsefulnessCounts:
    """The answers of a programme's learners, counted per answer and put through the
    disclosure control: no count below MINIMUM_ANSWERS, none that the others and the
    total give away, and no distribution so one-sided that it tells each answer."""
    bookings = FlashBooking.objects.filter(
        slot__expert__programme=programme,
        cancelled_at__isnull=True,
        slot__cancelled_at__isnull=True,
    )
    held = bookings.filter(slot__starts_at__lt=timezone.now()).count()
    answers = list(bookings.exclude(usefulness=None).values_list("usefulness", flat=True))
    table: dict[Hashable, int] = {value: answers.count(value) for value in USEFULNESS}
    if not can_show(len(answers), MINIMUM_ANSWERS):
        return UsefulnessCounts(
            held,
            None,
            [],
            _("Shown once at least %(n)s learners have answered.") % {"n": MINIMUM_ANSWERS},
        )
    if too_alike(list(table.values()), MINIMUM_ANSWERS):
        return UsefulnessCounts(
            held,
            len(answers),
            [],
            _("Hidden: the answers are so alike that they would tell each learner's answer."),
        )
    pattern: Suppression = suppress(table, minimum=MINIMUM_ANSWERS)
    return UsefulnessCounts(
        held,
        len(answers),
        [(value, pattern.value(value)) for value in USEFULNESS],
        _("Counts below %(n)s are hidden.") % {"n": MINIMUM_ANSWERS},
    )
