"""A participant's history as a timeline: each change of status, when, and by whom."""

from __future__ import annotations

from mentora.core.timeline import Event
from mentora.programmes.models import Participant, ParticipantStatus

STATUS_TONES: dict[str, str] = {
    ParticipantStatus.DECLINED: "bad",
    ParticipantStatus.WITHDRAWN: "bad",
    # Leaving the organisation ends a participation without anyone's fault.
    ParticipantStatus.LEFT: "info",
    ParticipantStatus.UNDER_REVIEW: "warn",
    ParticipantStatus.NEEDS_LINE_MANAGER: "warn",
    ParticipantStatus.APPROVED: "ok",
    ParticipantStatus.MATCHED: "ok",
    ParticipantStatus.ACTIVE: "ok",
    ParticipantStatus.COMPLETED: "ok",
}


def participant_history(participant: Participant) -> list[Event]:
    """The participant's changes of status, oldest first, for the timeline."""
    return [
        Event(
            at=event.at,
            label=event.get_to_status_display(),
            tone=STATUS_TONES.get(event.to_status, "info"),
            who=event.actor.get_full_name() if event.actor else "",
            text=event.note,
        )
        for event in participant.events.select_related("actor")
    ]
