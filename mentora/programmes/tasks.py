"""Background e-mail for the participant pipeline. Every argument is a primary key."""

from __future__ import annotations

import hashlib
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from mentora.accounts.models import User
from mentora.notifications import mail
from mentora.notifications.services import email_queue, notify
from mentora.programmes.guest_models import Guest
from mentora.programmes.models import Participant, ParticipantEvent, ParticipantStatus
from mentora.programmes.services.reminders import manager_users, pending_reminders

S = ParticipantStatus

# Which e-mail a participant receives on reaching a status; others get the generic one.
STATUS_TEMPLATES: dict[str, str] = {
    S.INVITED: "invitation",
    S.APPLIED: "application_received",
    S.APPROVED: "approved",
    S.DECLINED: "declined",
    S.READY: "ready_to_match",
}


def _participant(participant_id: int) -> Participant:
    return Participant.objects.select_related(
        "programme__organisation", "person__manager__user", "user"
    ).get(pk=participant_id)


def _tell(
    user: User, participant: Participant, template: str, *, link: str, **context: Any
) -> None:
    # Every e-mail of the pipeline speaks of one participation in one programme.
    notify(
        user=user,
        template=f"programmes/email/{template}",
        context={"participant": participant, "programme": participant.programme, **context},
        link=link,
    )


@task()
def send_status_email(event_id: int) -> str:
    """Tell a participant about a step in their participation, in their language."""
    event = ParticipantEvent.objects.select_related("participant").get(pk=event_id)
    participant = _participant(event.participant_id)
    if participant.user is None:
        return ""
    template = STATUS_TEMPLATES.get(event.to_status, "status_changed")
    _tell(
        participant.user,
        participant,
        template,
        link=reverse("participant_apply", args=[participant.pk])
        if event.to_status == S.INVITED
        else reverse("my_programmes"),
        event=event,
        status=S(event.to_status).label,
        my_programmes_path=reverse("my_programmes"),
        apply_path=reverse("participant_apply", args=[participant.pk]),
    )
    return participant.user.email


def _tell_line_manager(participant_id: int, template: str) -> str:
    # The line manager's e-mails show the mentee's learning themes and link to the approvals.
    participant = _participant(participant_id)
    manager = participant.line_manager_user()
    if manager is None:
        return ""
    _tell(
        manager,
        participant,
        template,
        link=reverse("line_manager_approvals"),
        themes=participant.themes(),
        approvals_path=reverse("line_manager_approvals"),
    )
    return manager.email


@task()
def send_line_manager_request(participant_id: int) -> str:
    """Ask the mentee's line manager to approve, showing the learning themes."""
    return _tell_line_manager(participant_id, "line_manager_request")


@task()
def send_line_manager_alignment(participant_id: int) -> str:
    """Before the first mentor meeting: remind the line manager to align expectations."""
    return _tell_line_manager(participant_id, "line_manager_alignment")


@task()
def send_screening_invitation(participant_id: int) -> str:
    """Tell a mentor when their screening interview is."""
    participant = _participant(participant_id)
    if participant.user is None or participant.screening_at is None:
        return ""
    _tell(participant.user, participant, "screening_scheduled", link=reverse("my_programmes"))
    return participant.user.email


def _remind(participant_id: int, kind: str) -> list[str]:
    """One reminder about a pending step: `apply`, `line_manager` or `screening`."""
    participant = _participant(participant_id)
    if kind == "apply":
        recipients = [participant.user] if participant.user else []
    elif kind == "line_manager":
        manager = participant.line_manager_user()
        recipients = [manager] if manager is not None else []
    else:
        recipients = manager_users(participant.programme)
    links = {
        "apply": reverse("participant_apply", args=[participant.pk]),
        "line_manager": reverse("line_manager_approvals"),
        "screening": reverse("participant_detail", args=[participant.programme_id, participant.pk]),
    }
    for user in recipients:
        _tell(
            user,
            participant,
            f"reminder_{kind}",
            link=links[kind],
            themes=participant.themes(),
            apply_path=reverse("participant_apply", args=[participant.pk]),
            approvals_path=reverse("line_manager_approvals"),
            participant_path=reverse(
                "participant_detail", args=[participant.programme_id, participant.pk]
            ),
        )
    return [user.email for user in recipients if user is not None]


@task()
def remind_applicant(participant_id: int) -> list[str]:
    """Remind an invited person to fill in the application form."""
    return _remind(participant_id, "apply")


@task()
def remind_line_manager(participant_id: int) -> list[str]:
    """Remind a line manager that a mentee's approval is waiting."""
    return _remind(participant_id, "line_manager")


@task()
def remind_managers_of_screening(participant_id: int) -> list[str]:
    """Remind the programme managers that a mentor is waiting for a screening interview."""
    return _remind(participant_id, "screening")


REMINDER_TASKS = {
    "apply": remind_applicant,
    "line_manager": remind_line_manager,
    "screening": remind_managers_of_screening,
}


@task()
def send_reminders() -> int:
    """Find every pending step that has waited long enough and queue one reminder each."""
    pending = pending_reminders()
    now = timezone.now()
    for participant_id, kind in pending:
        REMINDER_TASKS[kind].enqueue(participant_id)
    Participant.objects.filter(pk__in=[pk for pk, _kind in pending]).update(reminded_at=now)
    return len(pending)


@task()
def send_guest_invitation(guest_id: int) -> str:
    """E-mail a guest their invitation link. They have no account yet, so there is no
    inbox to note it in: the e-mail goes straight out, in the language they were
    invited in."""
    guest = Guest.objects.select_related("programme__organisation").get(pk=guest_id)
    # The addressee as the mail helpers expect one; never saved.
    addressee = User(email=guest.email, full_name=guest.full_name, language=guest.language)
    link = reverse("guest_accept", args=[guest.token])
    message = mail.render_message(
        user=addressee,
        template="programmes/email/guest_invitation",
        context={"guest": guest, "programme": guest.programme, "accept_path": link},
    )
    email_queue(
        user=addressee,
        kind="programmes.guest_invitation",
        # One e-mail per invitation: a new token is a new invitation. The token itself is
        # a secret, so the key holds only a digest of it.
        key=f"guest-invitation:{guest.pk}:{hashlib.sha256(guest.token.encode()).hexdigest()[:32]}",
        subject=message.subject,
        text=message.text,
        html_template="notifications/email/message.html",
        html_context={"text": message.text, "link": mail.absolute(link)},
    )
    return guest.email
