"""Demo participants with the history that led them where they are.

Each step of a participant's pipeline is dated: recruitment steps a few days apart from
the invitation, training after the preparation workshops, matching and what follows at
the moments the caller gives. Rows are written directly, so seeding sends no e-mail, and
a history that would run backwards or into the future is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mentora.accounts.models import Organisation, User
from mentora.events.models import Attendance, EventRegistration, RegistrationStatus
from mentora.people.models import Person
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantEvent,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    Question,
    ScreeningOutcome,
)
from mentora.programmes.services import questionnaire

S = ParticipantStatus
THEMES = [
    "Leadership",
    "Career planning",
    "Networking",
    "Stakeholder management",
    "Presenting",
    "Work-life balance",
]
# Days from a participant's invitation to each step of recruitment.
STEP_DAYS: dict[str, int] = {
    S.INVITED: 0,
    S.APPLIED: 4,
    S.UNDER_REVIEW: 5,
    S.NEEDS_LINE_MANAGER: 5,
    S.WITHDRAWN: 8,
    S.APPROVED: 10,
    S.DECLINED: 12,
    # Left the employer after approval, before the training: their HR leave date.
    S.LEFT: 20,
}
SCREENING_DAYS = 7


def free_staff(organisation: Organisation, *, employed_on: dt.date) -> list[Person]:
    """Staff in the HR tree, without a demo login, who worked here on `employed_on`, still
    do, and are in no programme yet, in a stable order."""
    taken = Participant.objects.filter(programme__organisation=organisation).values("person_id")
    return list(
        Person.objects.filter(
            organisation=organisation,
            org_unit__isnull=False,
            user__isnull=True,
            hire_date__lte=employed_on,
            leave_date__isnull=True,
        )
        .exclude(pk__in=taken)
        .order_by("employee_id")
    )


def _path(role: str, status: str) -> list[str]:
    """The statuses a participant passed through to reach `status`."""
    review = S.NEEDS_LINE_MANAGER if role == ParticipantRole.MENTEE else S.UNDER_REVIEW
    main: list[str] = [
        S.INVITED,
        S.APPLIED,
        review,
        S.APPROVED,
        S.TRAINED,
        S.READY,
        S.MATCHED,
        S.ACTIVE,
        S.COMPLETED,
    ]
    if status == S.DECLINED:
        return [S.INVITED, S.APPLIED, review, S.DECLINED]
    if status == S.WITHDRAWN:
        return [S.INVITED, S.APPLIED, S.WITHDRAWN]
    if status == S.LEFT:
        return [S.INVITED, S.APPLIED, review, S.APPROVED, S.LEFT]
    if status in (S.UNDER_REVIEW, S.NEEDS_LINE_MANAGER):
        return [S.INVITED, S.APPLIED, status]
    return main[: main.index(status) + 1] if status in main else [S.INVITED]


def _timeline(
    programme: Programme,
    role: str,
    path: list[str],
    invited_at: dt.datetime,
    fixed: dict[str, dt.datetime],
) -> list[dt.datetime]:
    """When each step of `path` happened: recruitment steps a few days apart, training the
    day after the last required workshop, ready two days later; matching and what follows
    at the moments given in `fixed`."""
    prepared = [
        w.starts_at + dt.timedelta(minutes=w.duration_minutes)
        for w in programme.events.all()
        if w.is_required_for(role)
    ]
    times: list[dt.datetime] = []
    for status in path:
        if status in fixed:
            moment = fixed[status]
        elif status in STEP_DAYS:
            moment = invited_at + dt.timedelta(days=STEP_DAYS[status])
        elif status == S.TRAINED:
            moment = max([times[-1], *prepared]) + dt.timedelta(days=1)
        elif status == S.READY:
            moment = times[-1] + dt.timedelta(days=2)
        else:
            raise ValueError(f"The demo gives no date for {status}.")
        if times and moment <= times[-1]:
            raise ValueError(f"The demo's history of {status} runs backwards.")
        times.append(moment)
    if times[-1] > timezone.now():
        raise ValueError(f"The demo dates {path[-1]} in the future.")
    return times


def participant_add(
    *,
    programme: Programme,
    person: Person,
    role: str,
    status: str,
    invited_at: dt.datetime,
    actor: User | None,
    index: int = 0,
    path: list[str] | None = None,
    at: dict[str, dt.datetime] | None = None,
    notes: dict[str, str] | None = None,
    profile: dict[str, Any] | None = None,
) -> Participant:
    """A participant with the history that led to `status`, dated from `invited_at` (see
    `_timeline`); `at` dates the steps recruitment does not (matched, active, ...) and
    `notes` explains steps. `profile` overrides parts of the matching profile built from
    the answers."""
    existing = Participant.objects.filter(programme=programme, person=person, role=role).first()
    if existing is not None:
        return existing
    path = path or _path(role, status)
    times = _timeline(programme, role, path, invited_at, at or {})
    moment = dict(zip(path, times, strict=True))
    questions = {q.maps_to or q.kind: q for q in programme.questions.filter(role=role)}
    themes = [THEMES[(index + k) % len(THEMES)] for k in range(2)]
    answers: dict[str, Any] = {}
    if status != S.INVITED:
        if "themes" in questions:
            answers[str(questions["themes"].pk)] = themes
        if "goals" in questions:
            answers[str(questions["goals"].pk)] = "Grow into a team lead within two years."
        if "long_text" in questions:
            answers[str(questions["long_text"].pk)] = "I had a mentor myself and want to give back."
    is_mentor = role == ParticipantRole.MENTOR
    passed = is_mentor and S.APPROVED in path
    screened = passed or (is_mentor and S.UNDER_REVIEW in path and status != S.WITHDRAWN)
    line_manager = person.manager.user if person.manager is not None else None
    approved_by_line = role == ParticipantRole.MENTEE and S.APPROVED in path
    participant = Participant.objects.create(
        programme=programme,
        person=person,
        user=person.user,
        role=role,
        status=path[-1],
        status_changed_at=times[-1],
        answers=answers,
        decline_reason="Not enough time this year." if status == S.DECLINED else "",
        screening_at=invited_at + dt.timedelta(days=SCREENING_DAYS) if screened else None,
        screening_outcome=ScreeningOutcome.PASSED if passed else "",
        screening_notes="Listens well; has time every other week." if passed else "",
        line_manager_decision=(
            LineManagerDecision.APPROVED
            if approved_by_line
            else LineManagerDecision.PENDING
            if status == S.NEEDS_LINE_MANAGER
            else ""
        ),
        line_manager_decided_by=line_manager if approved_by_line else None,
        line_manager_decided_at=moment[S.APPROVED] if approved_by_line else None,
        created_at=invited_at,
    )
    if path[-1] == S.LEFT:
        # Left the employer: the HR data says when, as the daily leave-date run found it.
        Person.objects.filter(pk=person.pk).update(leave_date=timezone.localdate(times[-1]))
    built = questionnaire.profile_build(
        participant=participant, questions=list(Question.objects.filter(programme=programme))
    )
    participant.profile = {**built, **(profile or {})}
    participant.save(update_fields=["profile"])
    previous = ""
    for to_status, when in zip(path, times, strict=True):
        ParticipantEvent.objects.create(
            participant=participant,
            from_status=previous,
            to_status=to_status,
            actor=actor,
            note=(notes or {}).get(to_status, ""),
            at=when,
        )
        previous = to_status
    if S.TRAINED in path:
        # Approved participants take a place at the preparation, attend, and are trained.
        for event in programme.events.all():
            if event.is_required_for(role):
                EventRegistration.objects.get_or_create(
                    event=event,
                    participant=participant,
                    defaults={
                        "status": RegistrationStatus.REGISTERED,
                        "registered_at": moment[S.APPROVED] + dt.timedelta(hours=2),
                    },
                )
                Attendance.objects.get_or_create(
                    event=event,
                    participant=participant,
                    defaults={
                        "recorded_at": event.starts_at
                        + dt.timedelta(minutes=event.duration_minutes)
                    },
                )
    return participant


def participant_step(
    participant: Participant, *, to_status: str, at: dt.datetime, actor: User | None, note: str = ""
) -> None:
    """One more step in a demo participant's history, at `at`."""
    if at < participant.status_changed_at or at > timezone.now():
        raise ValueError(f"The demo dates {to_status} out of order.")
    ParticipantEvent.objects.create(
        participant=participant,
        from_status=participant.status,
        to_status=to_status,
        actor=actor,
        note=note,
        at=at,
    )
    participant.status = to_status
    participant.status_changed_at = at
    participant.save(update_fields=["status", "status_changed_at"])
