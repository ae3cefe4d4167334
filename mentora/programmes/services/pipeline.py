"""The participant pipeline (long: every step from invitation to leaving, with its guards):
transitions, invitations, applications and the line manager's decision. Each write is
atomic, audited, and mails on commit."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts import services as account_services
from mentora.accounts.models import User
from mentora.core.audit import audit_log
from mentora.people.models import Person
from mentora.programmes import signals, tasks
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    ScreeningOutcome,
)
from mentora.programmes.services.questionnaire import profile_build
from mentora.programmes.services.reminders import reminder_kind
from mentora.webhooks.services import emit

S = ParticipantStatus

# The participant pipeline. Anything not listed is refused with a clear message.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.INVITED: frozenset({S.APPLIED, S.DECLINED, S.WITHDRAWN}),
    S.APPLIED: frozenset(
        {S.UNDER_REVIEW, S.NEEDS_LINE_MANAGER, S.APPROVED, S.DECLINED, S.WITHDRAWN}
    ),
    S.UNDER_REVIEW: frozenset({S.NEEDS_LINE_MANAGER, S.APPROVED, S.DECLINED, S.WITHDRAWN}),
    S.NEEDS_LINE_MANAGER: frozenset({S.APPROVED, S.DECLINED, S.WITHDRAWN}),
    S.APPROVED: frozenset({S.TRAINED, S.READY, S.WITHDRAWN}),
    # Trained or ready go back to approved only when a required workshop's attendance was
    # unticked.
    S.TRAINED: frozenset({S.APPROVED, S.READY, S.WITHDRAWN}),
    S.READY: frozenset({S.APPROVED, S.MATCHED, S.WITHDRAWN}),
    # A match that does not work out sends both back to the pool, without blame.
    S.MATCHED: frozenset({S.ACTIVE, S.READY, S.WITHDRAWN}),
    S.ACTIVE: frozenset({S.COMPLETED, S.WITHDRAWN}),
    S.DECLINED: frozenset(),
    S.COMPLETED: frozenset(),
    S.WITHDRAWN: frozenset(),
    # Reached only through `participant_leave`, when the HR leave date arrives.
    S.LEFT: frozenset(),
}


def _enqueue_status_email(event: ParticipantEvent) -> None:
    if event.participant.user_id is not None:
        transaction.on_commit(partial(tasks.send_status_email.enqueue, event.pk))


def _record(
    participant: Participant, from_status: str, to_status: str, actor: Any, note: str = ""
) -> ParticipantEvent:
    return ParticipantEvent.objects.create(
        participant=participant,
        from_status=from_status,
        to_status=to_status,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        note=note,
    )


def _required_events(participant: Participant) -> list[Any]:
    # Events sit a layer above programmes, so the rule reads them through the reverse
    # relations (`programme.events`, `participant.attendance`) and never imports them.
    return [e for e in participant.programme.events.all() if e.is_required_for(participant.role)]


def has_attended_required_events(participant: Participant) -> bool:
    """Whether the participant attended every event required for their role."""
    required = {e.pk for e in _required_events(participant)}
    attended = set(participant.attendance.filter(attended=True).values_list("event_id", flat=True))
    return required <= attended


def _guard(participant: Participant, to_status: str, reason: str) -> None:
    """Refuse a transition the pipeline does not allow, with a message the manager can act on."""
    current = participant.status
    if to_status not in TRANSITIONS.get(current, frozenset()):
        raise ValidationError(
            _("A participant cannot go from “%(old)s” to “%(new)s”."),
            params={"old": S(current).label, "new": S(to_status).label},
            code="transition",
        )
    is_mentee = participant.role == ParticipantRole.MENTEE
    if to_status == S.NEEDS_LINE_MANAGER:
        if not is_mentee:
            raise ValidationError(
                _("Only mentees need their line manager's approval."), code="line_manager"
            )
        if participant.line_manager_user() is None:
            raise ValidationError(
                _("This mentee has no line manager with a Mentora account."), code="line_manager"
            )
    if to_status == S.APPROVED and current in (S.TRAINED, S.READY):
        if has_attended_required_events(participant):
            raise ValidationError(
                _("The participant has attended every required workshop and stays prepared."),
                code="training",
            )
    elif to_status == S.APPROVED:
        if (
            participant.role == ParticipantRole.MENTOR
            and participant.screening_outcome != ScreeningOutcome.PASSED
        ):
            raise ValidationError(
                _("A mentor is approved only after a screening interview found them suitable."),
                code="screening",
            )
        if (
            is_mentee
            and participant.line_manager_user() is not None
            and participant.line_manager_decision != LineManagerDecision.APPROVED
        ):
            raise ValidationError(
                _("This mentee's line manager has not approved yet."), code="line_manager"
            )
    if to_status == S.DECLINED and not reason.strip():
        raise ValidationError(
            _("Give a reason for declining; only programme managers see it."), code="reason"
        )
    if to_status == S.TRAINED and not (
        _required_events(participant) and has_attended_required_events(participant)
    ):
        raise ValidationError(
            _("The participant has not attended every required workshop."), code="training"
        )
    if (
        to_status == S.READY
        and current == S.APPROVED
        and _required_events(participant)
        and not has_attended_required_events(participant)
    ):
        raise ValidationError(
            _("The participant has not attended every required workshop."), code="training"
        )


def transition_check(participant: Participant, to_status: str, *, reason: str = "") -> None:
    """Refuse, as `participant_transition` would, a move the pipeline does not allow now."""
    _guard(participant, to_status, reason)


def allowed_transitions(participant: Participant) -> list[str]:
    """The statuses the participant may move to now, all guards considered."""
    allowed = []
    for status in S.values:
        try:
            _guard(participant, status, reason="x")
        except ValidationError:
            continue
        allowed.append(status)
    return allowed


@transaction.atomic
def participant_transition(
    *,
    participant: Participant,
    to_status: str,
    actor: Any,
    note: str = "",
    reason: str = "",
    mail: bool = True,
) -> Participant:
    """Move a participant along the pipeline; audited, recorded in their history, e-mailed
    (unless ``mail`` is false, when the caller tells them in a message of its own)."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    _guard(participant, to_status, reason)
    old = participant.status
    participant.status = to_status
    participant.status_changed_at = timezone.now()
    fields = ["status", "status_changed_at"]
    if to_status == S.DECLINED:
        participant.decline_reason = reason.strip()
        fields.append("decline_reason")
    if to_status == S.NEEDS_LINE_MANAGER:
        participant.line_manager_decision = LineManagerDecision.PENDING
        fields.append("line_manager_decision")
    participant.save(update_fields=fields)
    event = _record(participant, old, to_status, actor, note)
    audit_log(
        actor=actor,
        action=f"programmes.participant.{to_status}",
        obj=participant,
        programme=participant.programme,
        changes={"status": {"old": old, "new": to_status}, "note": note},
    )
    # The programme's organisation and the participant's employer hear of it; ids only.
    emit(
        organisation_ids=[
            participant.programme.organisation_id,
            participant.person.organisation_id,
        ],
        event="participant.status_changed",
        payload={
            "participant_id": participant.pk,
            "programme_id": participant.programme_id,
            "person_id": participant.person_id,
            "employee_id": participant.person.employee_id,
            "role": participant.role,
            "from_status": old,
            "to_status": to_status,
        },
    )
    if to_status == S.NEEDS_LINE_MANAGER:
        transaction.on_commit(partial(tasks.send_line_manager_request.enqueue, participant.pk))
    elif to_status == S.MATCHED and participant.role == ParticipantRole.MENTEE:
        if participant.line_manager_user() is not None:
            transaction.on_commit(
                partial(tasks.send_line_manager_alignment.enqueue, participant.pk)
            )
    if to_status != S.NEEDS_LINE_MANAGER and mail:
        _enqueue_status_email(event)
    if to_status == S.READY and participant.role == ParticipantRole.MENTEE:
        signals.mentee_ready.send(sender=Participant, participant=participant, actor=actor)
    return participant


# Where a participation still runs: anything but its ends.
OPEN_STATUSES = tuple(
    s for s in S.values if s not in (S.DECLINED, S.COMPLETED, S.WITHDRAWN, S.LEFT)
)


@transaction.atomic
def participant_leave(*, participant: Participant, note: str) -> Participant | None:
    """End a participation because the person left the organisation (their HR leave date
    has come): the status says so, recorded and audited, without blame and without an
    e-mail to someone who has gone. Returns None when it had already ended."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.status not in OPEN_STATUSES:
        return None
    old = participant.status
    participant.status = S.LEFT
    participant.status_changed_at = timezone.now()
    participant.save(update_fields=["status", "status_changed_at"])
    _record(participant, old, S.LEFT, None, note)
    audit_log(
        actor=None,
        action="programmes.participant.left",
        obj=participant,
        programme=participant.programme,
        changes={"status": {"old": old, "new": S.LEFT}},
    )
    return participant


def _ensure_user(person: Person, role: str, actor: Any) -> User:
    """The person's account, created (and given the role) if HR knows them only."""
    user: User | None = person.user
    if user is None:
        _check_reachable(person)
        user = User.objects.filter(email__iexact=person.email).first()
        if user is None:
            user = account_services.user_create(
                email=person.email, full_name=person.full_name, actor=actor
            )
        person.user = user
        person.save(update_fields=["user"])
    account_services.membership_grant(
        organisation=person.organisation, user=user, role=role, actor=actor
    )
    return user


def _check_reachable(person: Person) -> None:
    if person.user_id is None and not person.email:
        raise ValidationError(
            _("%(name)s has no e-mail address in the people directory."),
            params={"name": person.full_name},
            code="email",
        )


def _check_organisation(programme: Programme, person: Person, role: str) -> None:
    if person.organisation_id == programme.organisation_id:
        return
    contribution = programme.contributions.filter(organisation_id=person.organisation_id).first()
    contributes = contribution is not None and (
        contribution.contributes_mentors
        if role == ParticipantRole.MENTOR
        else contribution.contributes_mentees
    )
    if not contributes:
        raise ValidationError(
            _("%(name)s's organisation does not contribute this role to the programme."),
            params={"name": person.full_name},
            code="organisation",
        )


def invite_check(*, programme: Programme, person: Person, role: str) -> None:
    """Refuse, as `participant_invite` would, an invitation the programme cannot take."""
    _check_organisation(programme, person, role)
    if Participant.objects.filter(programme=programme, person=person, role=role).exists():
        raise ValidationError(
            _("%(name)s is already in this programme in that role."),
            params={"name": person.full_name},
            code="duplicate",
        )
    _check_reachable(person)


@transaction.atomic
def participant_invite(
    *, programme: Programme, person: Person, role: str, actor: Any
) -> Participant:
    """Invite someone from the people directory; they get an account if they have none."""
    invite_check(programme=programme, person=person, role=role)
    user = _ensure_user(person, role, actor)
    participant = Participant.objects.create(
        programme=programme, person=person, user=user, role=role, status=S.INVITED
    )
    event = _record(participant, "", S.INVITED, actor)
    audit_log(
        actor=actor,
        action="programmes.participant.invite",
        obj=participant,
        programme=programme,
        changes={"person": person.pk, "role": role},
    )
    _enqueue_status_email(event)
    return participant


@dataclass
class InviteOutcome:
    invited: list[Participant] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


# The longest e-mail address a mail server accepts; employee ids are shorter.
MAX_IDENTIFIER_LENGTH = 254


def participants_invite_many(
    *,
    programme: Programme,
    identifiers: Iterable[str],
    role: str,
    actor: Any,
    people: Iterable[Person] = (),
) -> InviteOutcome:
    """Invite `people` chosen in the directory, and people named by e-mail address or
    employee id (from a list or a CSV file).

    Each invitation is its own transaction, so one unknown name does not stop the rest.
    """
    outcome = InviteOutcome()
    for person in people:
        _invite_one(outcome, programme=programme, person=person, role=role, actor=actor)
    organisation_ids = programme.organisation_ids()
    for identifier in identifiers:
        identifier = identifier.strip()
        if not identifier:
            continue
        if len(identifier) > MAX_IDENTIFIER_LENGTH:
            outcome.problems.append(
                _("%(id)s…: too long for an e-mail address or an employee id.")
                % {"id": identifier[:40]}
            )
            continue
        current = Person.objects.current().filter(organisation_id__in=organisation_ids)
        named = (
            current.filter(email__iexact=identifier).first()
            or current.filter(employee_id=identifier).first()
        )
        if named is None:
            outcome.problems.append(
                _("%(id)s: nobody in the people directory.") % {"id": identifier}
            )
            continue
        _invite_one(
            outcome, programme=programme, person=named, role=role, actor=actor, name=identifier
        )
    return outcome


def _invite_one(
    outcome: InviteOutcome,
    *,
    programme: Programme,
    person: Person,
    role: str,
    actor: Any,
    name: str = "",
) -> None:
    try:
        outcome.invited.append(
            participant_invite(programme=programme, person=person, role=role, actor=actor)
        )
    except ValidationError as error:
        outcome.problems.append(f"{name or person.full_name}: {' '.join(error.messages)}")


def identifiers_from_csv(text: str) -> list[str]:
    """E-mail addresses or employee ids from CSV text: an `email` or `employee_id` column,
    or else the first column of every row."""
    if "\x00" in text:
        raise ValidationError(_("The list is not a text file."))
    try:
        rows = list(csv.reader(io.StringIO(text)))
    except csv.Error as error:
        raise ValidationError(
            _("The list could not be read as CSV: %(error)s"), params={"error": error}
        ) from None
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    for column in ("email", "e-mail", "employee_id"):
        if column in header:
            index = header.index(column)
            return [row[index].strip() for row in rows[1:] if len(row) > index]
    return [row[0].strip() for row in rows if row and row[0].strip()]


@transaction.atomic
def participant_apply(
    *,
    programme: Programme,
    person: Person,
    role: str,
    answers: dict[str, Any],
    actor: Any,
) -> Participant:
    """Send the application: answers are stored, the matching profile built, and a mentee
    with a line manager goes straight to that manager for approval."""
    _check_organisation(programme, person, role)
    participant = (
        Participant.objects.select_for_update()
        .filter(programme=programme, person=person, role=role)
        .first()
    )
    if participant is None:
        if not programme.applications_open:
            raise ValidationError(_("Applications to this programme are closed."), code="closed")
        user = _ensure_user(person, role, actor)
        participant = Participant.objects.create(
            programme=programme, person=person, user=user, role=role, status=S.INVITED
        )
        _record(participant, "", S.INVITED, actor, note="application link")
    elif participant.status != S.INVITED:
        raise ValidationError(_("You have already applied to this programme."), code="applied")
    participant.answers = {str(k): v for k, v in answers.items()}
    questions = programme.questions.filter(role=role)
    participant.profile = profile_build(participant=participant, questions=questions)
    participant.save(update_fields=["answers", "profile"])
    audit_log(
        actor=actor,
        action="programmes.participant.answers",
        obj=participant,
        programme=programme,
        # The answers themselves are personal; the log records that they changed.
        changes={"answers": sorted(participant.answers)},
    )
    participant = participant_transition(participant=participant, to_status=S.APPLIED, actor=actor)
    if role == ParticipantRole.MENTEE and participant.line_manager_user() is not None:
        participant = participant_transition(
            participant=participant, to_status=S.NEEDS_LINE_MANAGER, actor=actor
        )
    return participant


@transaction.atomic
def line_manager_decide(
    *, participant: Participant, approve: bool, actor: Any, note: str = ""
) -> Participant:
    """The mentee's line manager approves or declines their taking part."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if (
        participant.status != S.NEEDS_LINE_MANAGER
        or participant.line_manager_decision != LineManagerDecision.PENDING
    ):
        raise ValidationError(_("There is no approval waiting for this mentee."), code="state")
    participant.line_manager_decision = (
        LineManagerDecision.APPROVED if approve else LineManagerDecision.DECLINED
    )
    participant.line_manager_decided_by = actor
    participant.line_manager_decided_at = timezone.now()
    participant.save(
        update_fields=[
            "line_manager_decision",
            "line_manager_decided_by",
            "line_manager_decided_at",
        ]
    )
    audit_log(
        actor=actor,
        action="programmes.participant.line_manager_decide",
        obj=participant,
        programme=participant.programme,
        changes={"line_manager_decision": participant.line_manager_decision, "note": note},
    )
    if approve:
        return participant_transition(
            participant=participant, to_status=S.APPROVED, actor=actor, note=note
        )
    return participant_transition(
        participant=participant,
        to_status=S.DECLINED,
        actor=actor,
        note=note,
        reason=_("Declined by the line manager.") + (f" {note}" if note else ""),
    )


# Statuses a participant leaves by their own step or another page's, never by "next".
_NOT_NEXT = frozenset({S.DECLINED, S.WITHDRAWN})
# From ready on, a matching round and the pair's own work move people along.
_MOVED_ON_ELSEWHERE = frozenset({S.READY, S.MATCHED, S.ACTIVE})


def next_status(participant: Participant) -> str:
    """The participant's next status in the pipeline: the first forward step their guards
    allow. A refusal says why there is none (the first step's guard, or the end)."""
    if participant.status == S.INVITED:
        raise ValidationError(
            _("An invited person moves on by sending their application."), code="next"
        )
    if participant.status in _MOVED_ON_ELSEWHERE:
        raise ValidationError(
            _("From “%(status)s” on, participants move on through matching and their pair."),
            params={"status": S(participant.status).label},
            code="next",
        )
    order = list(S.values)
    here = order.index(participant.status)
    forward = [
        status
        for status in order[here + 1 :]
        if status in TRANSITIONS[participant.status] and status not in _NOT_NEXT
    ]
    if not forward:
        raise ValidationError(
            _("“%(status)s” has no next step to move to."),
            params={"status": S(participant.status).label},
            code="next",
        )
    first_refusal = None
    for status in forward:
        try:
            _guard(participant, status, reason="")
        except ValidationError as error:
            first_refusal = first_refusal or error
            continue
        return status
    assert first_refusal is not None
    raise first_refusal


@transaction.atomic
def participant_transition_undo(
    *, participant: Participant, event_id: int, actor: Any
) -> Participant:
    """Take back the step recorded as `event_id`, if it is still the participant's last:
    they return to the status they had before it. Audited, recorded and e-mailed like a
    step, so the participant hears of the correction."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    last = participant.events.order_by("-pk").first()
    if last is None or last.pk != event_id or last.to_status != participant.status:
        raise ValidationError(
            _("Their status has changed since (now “%(status)s”), so it was left as it is."),
            params={"status": participant.get_status_display()},
            code="moved_on",
        )
    old, previous = participant.status, last.from_status
    participant.status = previous
    participant.status_changed_at = timezone.now()
    participant.save(update_fields=["status", "status_changed_at"])
    event = _record(participant, old, previous, actor, note="undo")
    audit_log(
        actor=actor,
        action="programmes.participant.undo",
        obj=participant,
        programme=participant.programme,
        changes={"status": {"old": old, "new": previous}, "undoes": event_id},
    )
    _enqueue_status_email(event)
    return participant


def reminder_check(participant: Participant) -> str:
    """The reminder the participant's pending step is worth now (see
    `reminders.reminder_kind`), or a refusal saying that nothing waits for one."""
    kind = reminder_kind(participant)
    if kind is None:
        raise ValidationError(
            _("Nothing is waiting on “%(status)s” that a reminder could help with."),
            params={"status": participant.get_status_display()},
            code="remind",
        )
    return kind


@transaction.atomic
def participant_remind(*, participant: Participant, actor: Any) -> str:
    """Send now the reminder the participant's pending step is worth; audited. The kind
    of reminder sent."""
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    kind = reminder_check(participant)
    participant.reminded_at = timezone.now()
    participant.save(update_fields=["reminded_at"])
    audit_log(
        actor=actor,
        action="programmes.participant.remind",
        obj=participant,
        programme=participant.programme,
        changes={"kind": kind},
    )
    transaction.on_commit(partial(tasks.REMINDER_TASKS[kind].enqueue, participant.pk))
    return kind
