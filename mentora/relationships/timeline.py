"""A pair's timeline as facts: its start, meetings (when, and whether they took place),
check-in answers, pauses, the escalation ladder's steps, the programme team's follow-ups and
its end. Never what the pair or the team wrote."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora.core.timeline import Event
from mentora.relationships.models import CheckIn, CheckInAnswer, EscalationStep, Pair

ESCALATION_TONES: dict[str, str] = {
    EscalationStep.NUDGE: "info",
    EscalationStep.MENTOR_NOTE: "warn",
    EscalationStep.MANAGER_ALERT: "bad",
}
CHECKIN_TONES: dict[str, str] = {
    CheckInAnswer.MET: "ok",
    CheckInAnswer.MOVED: "info",
    CheckInAnswer.NOT_HELD: "warn",
}


def _meeting_label(meeting: object) -> tuple[str, str]:
    if getattr(meeting, "cancelled_at", None) is not None:
        return _("Meeting cancelled"), "none"
    happened = getattr(meeting, "happened", None)
    if happened is True:
        return _("Meeting held"), "ok"
    if happened is False:
        return _("Meeting did not happen"), "warn"
    return _("Meeting planned"), "info"


def pair_timeline(pair: Pair) -> list[Event]:
    """Every fact of the pair, newest first."""
    mentee, mentor = pair.mentee.person.full_name, pair.mentor.person.full_name
    names = {pair.mentee_id: mentee, pair.mentor_id: mentor}
    events = [Event(at=pair.started_at, label=_("Matched"), tone="ok")]
    for meeting in pair.meetings.only("pair_id", "starts_at", "cancelled_at", "happened"):
        label, tone = _meeting_label(meeting)
        events.append(Event(at=meeting.starts_at, label=label, tone=tone))
    for checkin in CheckIn.objects.filter(meeting__pair=pair):
        events.append(
            Event(
                at=checkin.answered_at,
                label=_("Did you meet? %(answer)s") % {"answer": checkin.get_answer_display()},
                tone=CHECKIN_TONES.get(checkin.answer, "info"),
                who=names.get(checkin.participant_id, ""),
            )
        )
    for pause in pair.pauses.all():
        text = _("From %(start)s, back on %(until)s (%(reason)s).") % {
            "start": formats.date_format(pause.starts_on),
            "until": formats.date_format(pause.until),
            "reason": pause.get_reason_display(),
        }
        events.append(
            Event(
                at=pause.created_at,
                label=_("Paused"),
                tone="info",
                who=names.get(pause.participant_id, ""),
                text=text,
            )
        )
        if pause.ended_at is not None:
            events.append(Event(at=pause.ended_at, label=_("Pause ended early"), tone="info"))
    for escalation in pair.escalations.all():
        events.append(
            Event(
                at=escalation.created_at,
                label=escalation.get_step_display(),
                tone=ESCALATION_TONES.get(escalation.step, "warn"),
                text=_("No meeting since %(date)s.")
                % {"date": formats.date_format(timezone.localdate(escalation.quiet_since))},
            )
        )
    for follow_up in pair.follow_ups.select_related("manager"):
        events.append(
            Event(
                at=follow_up.held_on,
                label=_("Follow-up by the programme team"),
                tone="info",
                who=follow_up.manager.get_full_name() if follow_up.manager else "",
            )
        )
    if pair.ended_at is not None:
        events.append(Event(at=pair.ended_at, label=_("Ended"), tone="none"))
    return sorted(events, key=_sort_key, reverse=True)


def _sort_key(event: Event) -> tuple[str]:
    # Days and moments together: a day sorts as its start.
    return (event.at.isoformat(),)
