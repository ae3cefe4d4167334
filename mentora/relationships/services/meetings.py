"""A pair's meetings: planning, moving, cancelling, their texts, ratings and recordings."""

from __future__ import annotations

import datetime as dt
import uuid
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.submissions import submission_claim
from mentora.relationships import tasks
from mentora.relationships.models import (
    Meeting,
    MeetingMode,
    Pair,
    Recording,
)
from mentora.relationships.services.workspace import _member_side

MEETING_TEXTS = ("agenda", "notes", "follow_up", "reflection")


def _announce(meeting: Meeting, *, cancelled: bool = False) -> None:

    transaction.on_commit(partial(tasks.send_meeting_invitation.enqueue, meeting.pk, cancelled))


def _meeting_save(meeting: Meeting, actor: Any, change: str, fields: list[str]) -> Meeting:
    """Save the changed `fields` and log which `change` it was; what was written stays out."""
    meeting.save(update_fields=fields)
    audit_log(
        actor=actor,
        action=f"relationships.meeting.{change}",
        obj=meeting,
        programme=meeting.pair.programme,
    )
    return meeting


@transaction.atomic
def meeting_schedule(
    *,
    pair: Pair,
    actor: Any,
    starts_at: dt.datetime,
    duration_minutes: int = 60,
    mode: str = MeetingMode.IN_PERSON,
    place: str = "",
    link: str = "",
    submission: uuid.UUID | None = None,
) -> Meeting:
    """Plan a meeting; both get a calendar invitation in their own language."""
    _member_side(pair, actor)
    submission_claim(token=submission, user=actor)
    if timezone.is_naive(starts_at):
        raise ValueError("starts_at must carry its time zone")
    if mode == MeetingMode.ONLINE and not link:
        raise ValidationError(_("An online meeting needs a link."))
    meeting = Meeting.objects.create(
        pair=pair,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        mode=mode,
        place=place,
        link=link,
    )
    audit_log(
        actor=actor, action="relationships.meeting.schedule", obj=meeting, programme=pair.programme
    )
    _announce(meeting)
    return meeting


@transaction.atomic
def meeting_move(
    *, meeting: Meeting, actor: Any, starts_at: dt.datetime, duration_minutes: int | None = None
) -> Meeting:
    """Move a meeting; the calendar invitation is updated (same UID, a higher sequence)."""
    _member_side(meeting.pair, actor)
    if meeting.cancelled_at:
        raise ValidationError(_("This meeting was cancelled."))
    meeting.starts_at = starts_at
    if duration_minutes:
        meeting.duration_minutes = duration_minutes
    meeting.sequence += 1
    # The moved meeting is a new one to ask "Did you meet?" about.
    meeting.checkin_sent_at = None
    meeting.happened = None
    _meeting_save(
        meeting,
        actor,
        "move",
        ["starts_at", "duration_minutes", "sequence", "checkin_sent_at", "happened"],
    )
    _announce(meeting)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, actor: Any) -> Meeting:
    _member_side(meeting.pair, actor)
    meeting.cancelled_at = timezone.now()
    meeting.sequence += 1
    _meeting_save(meeting, actor, "cancel", ["cancelled_at", "sequence"])
    _announce(meeting, cancelled=True)
    return meeting


@transaction.atomic
def meeting_write(*, meeting: Meeting, actor: Any, part: str, text: str) -> Meeting:
    """The mentee writes the agenda; both write notes and the follow-up; each their own
    reflection. Only the fact of the change is logged, never the text."""
    side = _member_side(meeting.pair, actor)
    if part not in MEETING_TEXTS:
        raise ValueError(f"Not a part of a meeting: {part}")
    if part == "agenda" and side != "mentee":
        raise ValidationError(_("The mentee owns the agenda."))
    if part == "reflection" and not meeting.is_past:
        raise ValidationError(_("You can reflect on a meeting once it has taken place."))
    field = f"{side}_reflection" if part == "reflection" else part
    setattr(meeting, field, text.strip())
    return _meeting_save(meeting, actor, part, [field])


@transaction.atomic
def meeting_rate(*, meeting: Meeting, actor: Any, rating: int) -> Meeting:
    side = _member_side(meeting.pair, actor)
    if not 1 <= rating <= 5:
        raise ValidationError(_("Rate the meeting from 1 to 5."))
    if not meeting.is_past:
        raise ValidationError(_("A meeting can be rated once it has taken place."))
    field = f"{side}_rating"
    setattr(meeting, field, rating)
    return _meeting_save(meeting, actor, "rate", [field])


def agenda_reminders(*, now: dt.datetime | None = None, days_before: int = 3) -> int:
    """Remind mentees a few days before a meeting that has no agenda yet; once a meeting."""

    now = now or timezone.now()
    due = Meeting.objects.filter(
        cancelled_at__isnull=True,
        agenda="",
        agenda_reminded_at__isnull=True,
        starts_at__gt=now,
        starts_at__lte=now + dt.timedelta(days=days_before),
        pair__ended_at__isnull=True,
    )
    count = 0
    for meeting_id in list(due.values_list("pk", flat=True)):
        Meeting.objects.filter(pk=meeting_id).update(agenda_reminded_at=now)
        tasks.send_agenda_reminder.enqueue(meeting_id)
        count += 1
    return count


@transaction.atomic
def recording_consent(*, meeting: Meeting, actor: Any, delete_on: dt.date) -> Recording:
    """Consent to recording a meeting, with the date the recording is deleted. Changing the
    date asks the other person for consent again."""
    side = _member_side(meeting.pair, actor)
    if delete_on <= timezone.localdate():
        raise ValidationError(_("The deletion date must be in the future."))
    recording, created = Recording.objects.get_or_create(
        meeting=meeting, defaults={"delete_on": delete_on}
    )
    if not created and recording.delete_on != delete_on:
        recording.delete_on = delete_on
        recording.mentee_consent_at = recording.mentor_consent_at = None
    setattr(recording, f"{side}_consent_at", timezone.now())
    recording.save()
    audit_log(
        actor=actor,
        action="relationships.recording.consent",
        obj=recording,
        programme=meeting.pair.programme,
        changes={"delete_on": delete_on.isoformat()},
    )
    return recording


@transaction.atomic
def recording_upload(*, meeting: Meeting, actor: Any, uploaded: Any) -> Recording:
    _member_side(meeting.pair, actor)
    recording = Recording.objects.filter(meeting=meeting).first()
    if recording is None or not recording.has_consent:
        raise ValidationError(_("A recording needs both participants' consent first."))
    recording.file = uploaded
    recording.save(update_fields=["file"])
    audit_log(
        actor=actor,
        action="relationships.recording.upload",
        obj=recording,
        programme=meeting.pair.programme,
    )
    return recording


def recordings_purge(*, today: dt.date | None = None) -> int:
    """Delete every recording whose agreed deletion date has come (run daily)."""
    today = today or timezone.localdate()
    count = 0
    for recording in Recording.objects.filter(delete_on__lte=today, deleted_at__isnull=True):
        if recording.file:
            recording.file.delete(save=False)
        recording.file = ""
        recording.deleted_at = timezone.now()
        recording.save(update_fields=["file", "deleted_at"])
        audit_log(
            actor=None,
            action="relationships.recording.delete",
            obj=recording,
            organisation=recording.meeting.pair.programme.organisation,
        )
        count += 1
    return count
