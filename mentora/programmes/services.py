"""Writes about programmes and their participants. Each is atomic, audited, and mails on commit."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts import services as account_services
from mentora.accounts.models import Organisation, Role, User
from mentora.core.audit import audit_log, diff, snapshot
from mentora.core.forms import parse_id, parse_whole_number
from mentora.matching import Policy, PolicyError
from mentora.people.models import Person
from mentora.programmes.goals import goals_copy
from mentora.programmes.models import (
    GROUP_SIZE_RECOMMENDED,
    LineManagerDecision,
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    ProfileField,
    Programme,
    ProgrammeKind,
    ProgrammeOrganisation,
    Question,
    QuestionKind,
    ScreeningOutcome,
    Touchpoint,
)

S = ParticipantStatus

PROGRAMME_FIELDS = (
    "name",
    "kind",
    "delivery",
    "purpose",
    "languages",
    "start_date",
    "end_date",
    "max_mentees_per_mentor",
    "group_size_override_reason",
    "influence_mode",
    "applications_open",
)

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
}

# Days before a pending step is worth a reminder, and between two reminders.
REMINDER_AFTER_DAYS = 7
LINE_MANAGER_REMINDER_AFTER_DAYS = 3


def policy_validate(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy in the engine's canonical dict form, or a ValidationError naming the key."""
    try:
        return Policy.from_dict(policy).to_dict()
    except PolicyError as error:
        raise ValidationError(
            _("The matching policy is not valid: %(key)s %(reason)s"),
            params={"key": error.key, "reason": error.reason},
            code="policy",
        ) from None


def _check_group_size(programme: Programme) -> None:
    if (
        programme.kind == ProgrammeKind.GROUP
        and programme.max_mentees_per_mentor > GROUP_SIZE_RECOMMENDED
        and not programme.group_size_override_reason.strip()
    ):
        raise ValidationError(
            _("Give a reason for more than %(n)s mentees per mentor in group mentoring."),
            params={"n": GROUP_SIZE_RECOMMENDED},
            code="group_size",
        )
    if programme.start_date and programme.end_date and programme.end_date <= programme.start_date:
        raise ValidationError(_("The end date must be after the start date."), code="dates")


# Programme design -----------------------------------------------------------------------------


@transaction.atomic
def programme_create(*, organisation: Organisation, actor: Any, **values: Any) -> Programme:
    """Create a programme owned by `organisation`; the creator joins its manager team."""
    unknown = set(values) - set(PROGRAMME_FIELDS) - {"matching_policy"}
    if unknown:
        raise ValueError(f"Not a programme field: {', '.join(sorted(unknown))}")
    if "matching_policy" in values:
        values["matching_policy"] = policy_validate(values["matching_policy"])
    programme = Programme(organisation=organisation, **values)
    if programme.kind == ProgrammeKind.GROUP and "max_mentees_per_mentor" not in values:
        programme.max_mentees_per_mentor = GROUP_SIZE_RECOMMENDED
    _check_group_size(programme)
    programme.save()
    if isinstance(actor, User) and not actor.is_superuser:
        programme.managers.add(actor)
    audit_log(
        actor=actor,
        action="programmes.programme.create",
        obj=programme,
        programme=programme,
        changes=snapshot(programme, ("name", "kind", "delivery", "start_date", "end_date")),
    )
    return programme


@transaction.atomic
def programme_update(
    *,
    programme: Programme,
    actor: Any,
    sponsors: Iterable[User] | None = None,
    managers: Iterable[User] | None = None,
    **values: Any,
) -> Programme:
    """Change a programme's design; sponsors and managers are replaced when given."""
    unknown = set(values) - set(PROGRAMME_FIELDS)
    if unknown:
        raise ValueError(f"Not a programme field: {', '.join(sorted(unknown))}")
    before = snapshot(programme, PROGRAMME_FIELDS)
    for name, value in values.items():
        setattr(programme, name, value)
    try:
        _check_group_size(programme)
    except ValidationError:
        # Leave the caller's instance as it is stored, not half-changed.
        programme.refresh_from_db(fields=list(values))
        raise
    changes = diff(before, snapshot(programme, PROGRAMME_FIELDS))
    if changes:
        programme.save(update_fields=list(changes))
    for name, users in (("sponsors", sponsors), ("managers", managers)):
        if users is None:
            continue
        relation = getattr(programme, name)
        old = sorted(relation.values_list("pk", flat=True))
        users = list(users)
        new = sorted(u.pk for u in users)
        if old != new:
            relation.set(users)
            changes[name] = {"old": old, "new": new}
    if changes:
        audit_log(
            actor=actor,
            action="programmes.programme.update",
            obj=programme,
            programme=programme,
            changes=changes,
        )
    return programme


@transaction.atomic
def programme_set_policy(*, programme: Programme, policy: dict[str, Any], actor: Any) -> Programme:
    """Store the matching policy in the engine's form, after the engine has validated it."""
    clean = policy_validate(policy)
    if clean != programme.matching_policy:
        old = programme.matching_policy
        programme.matching_policy = clean
        programme.save(update_fields=["matching_policy"])
        audit_log(
            actor=actor,
            action="programmes.programme.policy",
            obj=programme,
            programme=programme,
            changes={"matching_policy": {"old": old, "new": clean}},
        )
    return programme


@transaction.atomic
def programme_set_organisations(
    *,
    programme: Programme,
    contributions: list[tuple[Organisation, bool, bool]],
    actor: Any,
) -> None:
    """Set the other organisations of a cross-organisation programme: (org, mentors, mentees)."""
    wanted = {org.pk: (org, mentors, mentees) for org, mentors, mentees in contributions}
    wanted.pop(programme.organisation_id, None)
    for _org_id, (_org, mentors, mentees) in wanted.items():
        if not (mentors or mentees):
            raise ValidationError(
                _("Each organisation must contribute mentors, mentees or both."),
                code="contribution",
            )
    old = sorted(
        programme.contributions.values_list(
            "organisation_id", "contributes_mentors", "contributes_mentees"
        )
    )
    programme.contributions.exclude(organisation_id__in=wanted).delete()
    for _org_id, (org, mentors, mentees) in wanted.items():
        ProgrammeOrganisation.objects.update_or_create(
            programme=programme,
            organisation=org,
            defaults={"contributes_mentors": mentors, "contributes_mentees": mentees},
        )
    new = sorted((k, m, e) for k, (_o, m, e) in wanted.items())
    if [tuple(row) for row in old] != new:
        audit_log(
            actor=actor,
            action="programmes.programme.organisations",
            obj=programme,
            programme=programme,
            changes={"organisations": {"old": old, "new": new}},
        )


@transaction.atomic
def programme_copy(
    *, programme: Programme, actor: Any, name: str = "", shift_days: int = 365
) -> Programme:
    """Start the next cohort with the same design: dates move on, participants stay behind."""
    shift = dt.timedelta(days=shift_days)
    values = {name_: getattr(programme, name_) for name_ in PROGRAMME_FIELDS}
    values.update(
        name=name or _("%(name)s (copy)") % {"name": programme.name},
        start_date=programme.start_date + shift if programme.start_date else None,
        end_date=programme.end_date + shift if programme.end_date else None,
        # A new cohort opens its applications when its manager decides to.
        applications_open=False,
    )
    copy = Programme(
        organisation=programme.organisation,
        matching_policy=programme.matching_policy,
        copied_from=programme,
        **values,
    )
    copy.save()
    copy.sponsors.set(programme.sponsors.all())
    copy.managers.set(programme.managers.all())
    for contribution in programme.contributions.all():
        ProgrammeOrganisation.objects.create(
            programme=copy,
            organisation=contribution.organisation,
            contributes_mentors=contribution.contributes_mentors,
            contributes_mentees=contribution.contributes_mentees,
        )
    for touchpoint in programme.touchpoints.all():
        Touchpoint.objects.create(
            programme=copy,
            kind=touchpoint.kind,
            title=touchpoint.title,
            date=touchpoint.date + shift,
        )
    goals_copy(source=programme, target=copy)
    for question in programme.questions.all():
        Question.objects.create(
            programme=copy,
            role=question.role,
            position=question.position,
            text=question.text,
            kind=question.kind,
            choices=question.choices,
            maps_to=question.maps_to,
            required=question.required,
        )
    # Events sit a layer above programmes: they are copied through the reverse relation.
    for event in programme.events.all():
        copy.events.create(
            title=event.title,
            starts_at=event.starts_at + shift,
            place=event.place,
            online_link=event.online_link,
            capacity=event.capacity,
            required_for=event.required_for,
        )
    audit_log(
        actor=actor,
        action="programmes.programme.copy",
        obj=copy,
        programme=copy,
        changes={"copied_from": programme.pk, "name": copy.name},
    )
    return copy


@transaction.atomic
def touchpoint_add(
    *, programme: Programme, kind: str, date: dt.date, actor: Any, title: str = ""
) -> Touchpoint:
    """Plan a kick-off, training, midway follow-up, evaluation or closing."""
    touchpoint = Touchpoint.objects.create(programme=programme, kind=kind, date=date, title=title)
    audit_log(
        actor=actor,
        action="programmes.touchpoint.add",
        obj=touchpoint,
        programme=programme,
        changes=snapshot(touchpoint, ("kind", "date", "title")),
    )
    return touchpoint


@transaction.atomic
def touchpoint_delete(*, touchpoint: Touchpoint, actor: Any) -> None:
    """Remove a planned touchpoint."""
    audit_log(
        actor=actor,
        action="programmes.touchpoint.delete",
        obj=touchpoint,
        programme=touchpoint.programme,
        changes=snapshot(touchpoint, ("kind", "date", "title")),
    )
    touchpoint.delete()


# Questionnaire ------------------------------------------------------------------------------


CHOICE_KINDS = {
    QuestionKind.SINGLE_CHOICE,
    QuestionKind.MULTIPLE_CHOICE,
    QuestionKind.RANKED_THEMES,
}


@transaction.atomic
def question_add(
    *,
    programme: Programme,
    role: str,
    text: str,
    kind: str,
    actor: Any,
    choices: list[str] | None = None,
    maps_to: str = "",
    required: bool = False,
) -> Question:
    """Add a question to the questionnaire for one role."""
    choices = [c.strip() for c in (choices or []) if c.strip()]
    if kind in CHOICE_KINDS and len(choices) < 2:
        raise ValidationError(_("A choice question needs at least two choices."), code="choices")
    if kind not in CHOICE_KINDS:
        choices = []
    last = programme.questions.filter(role=role).order_by("-position").first()
    question = Question.objects.create(
        programme=programme,
        role=role,
        text=text,
        kind=kind,
        choices=choices,
        maps_to=maps_to,
        required=required,
        position=(last.position + 1) if last else 1,
    )
    audit_log(
        actor=actor,
        action="programmes.question.add",
        obj=question,
        programme=programme,
        changes=snapshot(question, ("role", "text", "kind", "choices", "maps_to", "required")),
    )
    return question


@transaction.atomic
def question_delete(*, question: Question, actor: Any) -> None:
    """Remove a question; answers already given stay in the participants' records."""
    audit_log(
        actor=actor,
        action="programmes.question.delete",
        obj=question,
        programme=question.programme,
        changes=snapshot(question, ("role", "text", "kind")),
    )
    question.delete()


def _as_list(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value if str(v).strip()]
    return [part.strip() for part in str(value).replace("\n", ",").split(",") if part.strip()]


def profile_build(*, participant: Participant, questions: Iterable[Question]) -> dict[str, Any]:
    """The matching profile the engine reads, from the participant's answers.

    Preferred mentors are stored as people's ids, the identifiers the engine matches on.
    """
    profile: dict[str, Any] = {
        "themes": [],
        "goals": "",
        "preferences": [],
        "exclusions": [],
        "availability": "",
        "meeting_mode": "",
        "capacity": participant.programme.max_mentees_per_mentor
        if participant.role == ParticipantRole.MENTOR
        else None,
    }
    for question in questions:
        answer = participant.answers.get(str(question.pk))
        if answer in (None, "", []) or not question.maps_to:
            continue
        if question.kind == QuestionKind.PREFERRED_MENTORS:
            people = Participant.objects.filter(
                pk__in=[pk for pk in map(parse_id, _as_list(answer)) if pk is not None],
                programme=participant.programme,
            ).values_list("person_id", flat=True)
            values = [str(pk) for pk in people]
        else:
            values = _as_list(answer)
        target = question.maps_to
        if target in (ProfileField.THEMES, ProfileField.PREFERENCES, ProfileField.EXCLUSIONS):
            key = "exclusions" if target == ProfileField.EXCLUSIONS else target
            profile[key] = [*profile[key], *[v for v in values if v not in profile[key]]]
        elif target == ProfileField.GOALS:
            profile["goals"] = "\n".join(filter(None, [profile["goals"], str(answer)]))
        elif target == ProfileField.CAPACITY:
            numbers = [parse_whole_number(v, minimum=0, maximum=100) for v in values]
            if numbers and numbers[0] is not None:
                profile["capacity"] = max(1, numbers[0])
        else:
            profile[target] = ", ".join(values)
    return profile


# Participants -------------------------------------------------------------------------------


def _enqueue_status_email(event: ParticipantEvent) -> None:
    from mentora.programmes.tasks import send_status_email

    if event.participant.user_id is not None:
        transaction.on_commit(partial(send_status_email.enqueue, event.pk))


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


def _line_manager_user(participant: Participant) -> User | None:
    manager = participant.person.manager
    return manager.user if manager is not None and manager.user is not None else None


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
        if _line_manager_user(participant) is None:
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
            and _line_manager_user(participant) is not None
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
    *, participant: Participant, to_status: str, actor: Any, note: str = "", reason: str = ""
) -> Participant:
    """Move a participant along the pipeline; audited, recorded in their history, e-mailed."""
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
    from mentora.programmes import tasks

    if to_status == S.NEEDS_LINE_MANAGER:
        transaction.on_commit(partial(tasks.send_line_manager_request.enqueue, participant.pk))
    elif to_status == S.MATCHED and participant.role == ParticipantRole.MENTEE:
        if _line_manager_user(participant) is not None:
            transaction.on_commit(
                partial(tasks.send_line_manager_alignment.enqueue, participant.pk)
            )
    if to_status != S.NEEDS_LINE_MANAGER:
        _enqueue_status_email(event)
    return participant


def _ensure_user(person: Person, role: str, actor: Any) -> User:
    """The person's account, created (and given the role) if HR knows them only."""
    user: User | None = person.user
    if user is None:
        if not person.email:
            raise ValidationError(
                _("%(name)s has no e-mail address in the people directory."),
                params={"name": person.full_name},
                code="email",
            )
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


@transaction.atomic
def participant_invite(
    *, programme: Programme, person: Person, role: str, actor: Any
) -> Participant:
    """Invite someone from the people directory; they get an account if they have none."""
    _check_organisation(programme, person, role)
    if Participant.objects.filter(programme=programme, person=person, role=role).exists():
        raise ValidationError(
            _("%(name)s is already in this programme in that role."),
            params={"name": person.full_name},
            code="duplicate",
        )
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
    *, programme: Programme, identifiers: Iterable[str], role: str, actor: Any
) -> InviteOutcome:
    """Invite people named by e-mail address or employee id (from a list or a CSV file).

    Each invitation is its own transaction, so one unknown name does not stop the rest.
    """
    outcome = InviteOutcome()
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
        people = Person.objects.current().filter(organisation_id__in=organisation_ids)
        person = (
            people.filter(email__iexact=identifier).first()
            or people.filter(employee_id=identifier).first()
        )
        if person is None:
            outcome.problems.append(
                _("%(id)s: nobody in the people directory.") % {"id": identifier}
            )
            continue
        try:
            outcome.invited.append(
                participant_invite(programme=programme, person=person, role=role, actor=actor)
            )
        except ValidationError as error:
            outcome.problems.append(f"{identifier}: {' '.join(error.messages)}")
    return outcome


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
    if role == ParticipantRole.MENTEE and _line_manager_user(participant) is not None:
        participant = participant_transition(
            participant=participant, to_status=S.NEEDS_LINE_MANAGER, actor=actor
        )
    return participant


@transaction.atomic
def screening_schedule(*, participant: Participant, at: dt.datetime, actor: Any) -> Participant:
    """Book a mentor's screening interview; the application moves under review."""
    if participant.role != ParticipantRole.MENTOR:
        raise ValidationError(_("Only mentors have a screening interview."), code="role")
    old = participant.screening_at
    participant.screening_at = at
    participant.save(update_fields=["screening_at"])
    audit_log(
        actor=actor,
        action="programmes.participant.screening_schedule",
        obj=participant,
        programme=participant.programme,
        changes={"screening_at": {"old": old, "new": at}},
    )
    if participant.status == S.APPLIED:
        participant = participant_transition(
            participant=participant, to_status=S.UNDER_REVIEW, actor=actor
        )
    from mentora.programmes.tasks import send_screening_invitation

    transaction.on_commit(partial(send_screening_invitation.enqueue, participant.pk))
    return participant


@transaction.atomic
def screening_record(
    *, participant: Participant, outcome: str, notes: str, actor: Any
) -> Participant:
    """Record the screening interview's notes and outcome (notes are for managers only)."""
    if participant.role != ParticipantRole.MENTOR:
        raise ValidationError(_("Only mentors have a screening interview."), code="role")
    if outcome not in ScreeningOutcome.values:
        raise ValidationError(_("Unknown screening outcome."), code="outcome")
    before = snapshot(participant, ("screening_outcome", "screening_notes"))
    participant.screening_outcome = outcome
    participant.screening_notes = notes
    participant.save(update_fields=["screening_outcome", "screening_notes"])
    changes = diff(before, snapshot(participant, ("screening_outcome", "screening_notes")))
    if "screening_notes" in changes:
        # Notes are confidential; the log says they changed, not what they say.
        changes["screening_notes"] = {"old": "…", "new": "…"}
    audit_log(
        actor=actor,
        action="programmes.participant.screening_record",
        obj=participant,
        programme=participant.programme,
        changes=changes,
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


# Reminders ----------------------------------------------------------------------------------


def pending_reminders(now: dt.datetime | None = None) -> list[tuple[int, str]]:
    """(participant id, kind) for every pending step that has waited long enough.

    Kinds: `apply` (invited, not applied), `line_manager` (approval pending),
    `screening` (a mentor waiting for an interview, sent to the programme managers).
    """
    now = now or timezone.now()
    due = now - dt.timedelta(days=REMINDER_AFTER_DAYS)
    due_manager = now - dt.timedelta(days=LINE_MANAGER_REMINDER_AFTER_DAYS)
    pending: list[tuple[int, str]] = []
    participants = Participant.objects.filter(
        Q(reminded_at__isnull=True) | Q(reminded_at__lte=due_manager)
    )
    for pk in participants.filter(status=S.INVITED, status_changed_at__lte=due).values_list(
        "pk", flat=True
    ):
        pending.append((pk, "apply"))
    for pk in (
        participants.awaiting_line_manager()
        .filter(status_changed_at__lte=due_manager)
        .values_list("pk", flat=True)
    ):
        pending.append((pk, "line_manager"))
    for pk in participants.filter(
        role=ParticipantRole.MENTOR,
        status__in=[S.APPLIED, S.UNDER_REVIEW],
        screening_outcome="",
        status_changed_at__lte=due,
    ).values_list("pk", flat=True):
        pending.append((pk, "screening"))
    return pending


def manager_users(programme: Programme) -> list[User]:
    """Who hears about a programme's pending work: its manager team, else the owner's."""
    managers = list(programme.managers.filter(is_active=True))
    if managers:
        return managers
    return list(
        User.objects.filter(
            is_active=True,
            memberships__organisation=programme.organisation,
            memberships__role=Role.PROGRAMME_MANAGER,
        ).distinct()
    )
