"""Every kind of notification Mentora sends: one per e-mail template, each with a label.

A kind's key is its template's name without the `email/` folder
(`programmes/email/reminder_apply` is `programmes.reminder_apply`). Preferences are kept
per kind, so a new e-mail template needs a line here (a test checks that none is missing).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Kind:
    template: str
    label: str | Promise
    # Must reach the person: "off" is not offered. Invitations bring people in, and
    # without them nobody could start; a password reset is asked for by the person.
    must_reach: bool = False
    # The e-mail carries a secret link (a password token): it goes only by e-mail, at
    # once, and the inbox keeps the subject alone, never the link.
    secret_link: bool = False

    @property
    def key(self) -> str:
        return key_of(self.template)


def key_of(template: str) -> str:
    return template.replace("/email/", "/").replace("/", ".")


_KINDS = [
    Kind(
        "registration/password_reset",
        _("Password reset"),
        must_reach=True,
        secret_link=True,
    ),
    Kind(
        "accounts/email/invitation",
        _("Invitation to an organisation"),
        must_reach=True,
        secret_link=True,
    ),
    Kind("programmes/email/invitation", _("Invitation to a programme"), must_reach=True),
    # Sent before the guest has an account, so it has no inbox entry either.
    Kind(
        "programmes/email/guest_invitation",
        _("Invitation to a programme as a guest"),
        must_reach=True,
        secret_link=True,
    ),
    Kind("programmes/email/application_received", _("Application received")),
    Kind("programmes/email/approved", _("Approved for a programme")),
    Kind("programmes/email/declined", _("Application declined")),
    Kind("programmes/email/ready_to_match", _("Ready to be matched")),
    Kind("programmes/email/status_changed", _("Change in your participation")),
    Kind("programmes/email/line_manager_request", _("Line-manager approval asked")),
    Kind("programmes/email/line_manager_alignment", _("Talk with your mentee first")),
    Kind("programmes/email/screening_scheduled", _("Mentor interview planned")),
    Kind("programmes/email/reminder_apply", _("Reminder to apply")),
    Kind("programmes/email/reminder_line_manager", _("Reminder of an approval")),
    Kind("programmes/email/reminder_screening", _("Reminder of a screening interview")),
    Kind("events/email/event_registration", _("Event places and waiting lists")),
    Kind("rounds/email/introduction", _("Your match")),
    Kind("rounds/email/introduction_request", _("Introduction to accept or decline")),
    Kind("rounds/email/choose", _("Choose your mentor")),
    Kind("relationships/email/meeting", _("Mentoring meetings")),
    Kind("relationships/email/agenda_reminder", _("Agenda reminder")),
    Kind("relationships/email/nudge", _("Time for your next meeting")),
    Kind("relationships/email/checkin_request", _("How is your mentoring going?")),
    Kind("relationships/email/meeting_checkin", _("Did you meet?")),
    Kind("relationships/email/mentor_note", _("A personal note to the mentor")),
    Kind("relationships/email/pause", _("Your pair is paused")),
    Kind("relationships/email/group_welcome", _("Your group")),
    Kind("relationships/email/expert_connected", _("Connected with an expert or learner")),
    Kind("relationships/email/expert_quiet", _("Check-in with your learners")),
    Kind("relationships/email/partner_left", _("Your mentoring partner left the organisation")),
    Kind("relationships/email/participant_left", _("A participant left the organisation")),
    Kind("relationships/email/flash", _("Flash mentoring conversations")),
    Kind("relationships/email/flash_followup", _("Was your flash conversation useful?")),
    Kind("surveys/email/invitation", _("Survey invitation")),
    Kind("surveys/email/reminder", _("Survey reminder")),
]

KINDS: dict[str, Kind] = {kind.key: kind for kind in _KINDS}


def kind_for(template: str) -> Kind:
    """The kind of an e-mail template; an unknown template is a programming error."""
    return KINDS[key_of(template)]
