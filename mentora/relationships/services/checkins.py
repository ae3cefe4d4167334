"""'Did you meet?': the day after each planned meeting both members are asked, in the app
and by e-mail through a signed link that needs no log-in. The answer is a fact for the
pair's health; nothing the pair wrote is asked for or shown."""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.programmes.models import Participant
from mentora.relationships import tasks
from mentora.relationships.checkin_links import LINK_VALID_DAYS
from mentora.relationships.models import CheckIn, CheckInAnswer, Meeting
from mentora.relationships.services.meetings import meeting_move

# Meetings older than this when the daily run first sees them are not asked about.
ASK_WITHIN_DAYS = 7


def checkin_is_open(meeting: Meeting, participant: Participant) -> bool:
    """Whether `participant` may still answer for this version of the meeting."""
    return (
        meeting.cancelled_at is None
        and meeting.pair.is_active
        and meeting.starts_at <= timezone.now()
        and not CheckIn.objects.filter(
            meeting=meeting, participant=participant, sequence=meeting.sequence
        ).exists()
    )


def checkins_due(*, now: dt.datetime | None = None) -> int:
    """Ask 'Did you meet?' about every meeting planned before today that nobody has been
    asked about yet (run daily, so it comes the day after); returns how many meetings."""
    now = now or timezone.now()
    today = timezone.make_aware(
        dt.datetime.combine(timezone.localdate(now), dt.time()), timezone.get_current_timezone()
    )
    due = Meeting.objects.filter(
        cancelled_at__isnull=True,
        checkin_sent_at__isnull=True,
        happened__isnull=True,
        starts_at__lt=today,
        starts_at__gte=today - dt.timedelta(days=ASK_WITHIN_DAYS),
        pair__ended_at__isnull=True,
    )
    count = 0
    for meeting_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            Meeting.objects.filter(pk=meeting_id).update(checkin_sent_at=now)
            transaction.on_commit(partial(tasks.send_meeting_checkin.enqueue, meeting_id))
        count += 1
    return count


@transaction.atomic
def checkin_record(
    *,
    meeting: Meeting,
    participant: Participant,
    answer: str,
    moved_to: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> CheckIn:
    """Record a member's answer for the meeting as planned now. "We met" marks it held,
    "it did not happen" marks it missed unless the other said they met, and "we moved it"
    moves it (the calendar invitation is updated, and they are asked again afterwards)."""
    now = now or timezone.now()
    meeting = (
        Meeting.objects.select_for_update().select_related("pair__programme").get(pk=meeting.pk)
    )
    pair = meeting.pair
    if participant.pk not in (pair.mentee_id, pair.mentor_id) or participant.user is None:
        raise ValidationError(_("Only the mentee and the mentor can answer."))
    if meeting.cancelled_at is not None or not pair.is_active:
        raise ValidationError(_("This meeting is no longer open for a check-in."))
    if meeting.starts_at > now:
        raise ValidationError(_("You can answer once the meeting time has passed."))
    if answer not in CheckInAnswer.values:
        raise ValidationError(_("Choose whether you met, moved the meeting or it did not happen."))
    if CheckIn.objects.filter(
        meeting=meeting, participant=participant, sequence=meeting.sequence
    ).exists():
        raise ValidationError(_("You have already answered for this meeting. Thank you."))
    if answer == CheckInAnswer.MOVED:
        if moved_to is None:
            raise ValidationError(_("Give the new date and time of the meeting."))
        if moved_to <= now:
            raise ValidationError(_("The new time must be in the future."))
    checkin = CheckIn.objects.create(
        meeting=meeting,
        participant=participant,
        sequence=meeting.sequence,
        answer=answer,
        moved_to=moved_to,
        answered_at=now,
    )
    audit_log(
        actor=participant.user,
        action="relationships.meeting.checkin",
        obj=meeting,
        programme=pair.programme,
        changes={"answer": answer, "sequence": meeting.sequence},
    )
    if answer == CheckInAnswer.MET and meeting.happened is not True:
        Meeting.objects.filter(pk=meeting.pk).update(happened=True)
    elif answer == CheckInAnswer.NOT_HELD and meeting.happened is None:
        Meeting.objects.filter(pk=meeting.pk).update(happened=False)
    elif answer == CheckInAnswer.MOVED and moved_to is not None:
        meeting_move(meeting=meeting, actor=participant.user, starts_at=moved_to)
    return checkin


def participant_of(meeting: Meeting, user: Any) -> Participant | None:
    """The member of the meeting's pair who is `user`, if any."""
    for member in (meeting.pair.mentee, meeting.pair.mentor):
        if user.is_authenticated and member.user_id == user.pk:
            return member
    return None


def checkins_open_for(pair: Any, user: Any, *, now: dt.datetime | None = None) -> list[Meeting]:
    """The pair's recent meetings that `user` has not answered 'Did you meet?' for yet."""
    now = now or timezone.now()
    member = next(
        (m for m in (pair.mentee, pair.mentor) if user.is_authenticated and m.user_id == user.pk),
        None,
    )
    if member is None or not pair.is_active:
        return []
    meetings = pair.meetings.filter(
        cancelled_at__isnull=True,
        starts_at__lte=now,
        starts_at__gte=now - dt.timedelta(days=LINK_VALID_DAYS),
    ).order_by("starts_at")
    answered = set(
        CheckIn.objects.filter(participant=member, meeting__in=meetings).values_list(
            "meeting_id", "sequence"
        )
    )
    return [m for m in meetings if (m.pk, m.sequence) not in answered]
