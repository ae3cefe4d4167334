"""Erasure of a person: what identifies them is removed or replaced by a pseudonym, their
own private texts are deleted, and what others wrote stays with its authors.

The person's row stays, emptied, so that everything counted through it (participants,
pairs, survey responses under their pseudonymous key, retention through hire and leave
dates and level) still adds up to the figures already published. Each step commits on
its own and can run again, so an erasure that fails half-way is finished by running it
again; the step that empties the person's row comes last, because the ones before it
read the identifiers from it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from mentora.accounts.models import Membership, User
from mentora.core.audit import audit_log
from mentora.core.fields import EncryptedTextField
from mentora.people.models import Person
from mentora.programmes.models import Guest, Participant, ParticipantEvent
from mentora.relationships.models import Closure, Feedback, Meeting, Pair, Story
from mentora.rounds.models import Introduction
from mentora.subject_requests.models import RequestKind, RequestStatus, SubjectRequest
from mentora.surveys.models import Answer, pseudonymous_key

# What replaces the name wherever it was written (inboxes, explanations, the audit log).
# Stored text has one language; pages show the person's name translated (`Person.full_name`).
FORMER_PARTICIPANT = "A former participant"

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Identifiers:
    """What identifies the person, and what replaces each of them."""

    names: tuple[str, ...]
    emails: tuple[str, ...]
    employee_id: str
    pseudonym: str

    @property
    def email_pseudonym(self) -> str:
        return f"{self.pseudonym}@erased.invalid"

    def needles(self) -> list[str]:
        found = [*self.names, *self.emails]
        if len(self.employee_id) >= 2 and self.employee_id != self.pseudonym:
            found.append(self.employee_id)
        return [needle for needle in found if needle]

    def replace(self, text: str) -> str:
        for email in self.emails:
            text = re.sub(re.escape(email), self.email_pseudonym, text, flags=re.IGNORECASE)
        for name in self.names:
            text = re.sub(rf"(?<!\w){re.escape(name)}(?!\w)", FORMER_PARTICIPANT, text)
        if self.employee_id and self.employee_id != self.pseudonym:
            text = re.sub(
                rf"(?<![\w-]){re.escape(self.employee_id)}(?![\w-])", self.pseudonym, text
            )
        return text


def pseudonym_for(person: Person) -> str:
    return f"erased-{person.pk}"


def _identifiers(person: Person) -> Identifiers:
    names: list[str] = []
    for first, last in ((person.first_name, person.last_name),):
        if first and last:
            names += [f"{first} {last}", f"{last}, {first}", f"{last} {first}"]
    user = person.user
    if user is not None and user.full_name and user.full_name != FORMER_PARTICIPANT:
        names.append(user.full_name)
    guest = Guest.objects.filter(person=person).first()
    if guest is not None and guest.full_name != FORMER_PARTICIPANT:
        names.append(guest.full_name)
    pseudonym = pseudonym_for(person)
    emails = {person.email, getattr(user, "email", ""), getattr(guest, "email", "")}
    emails = {e for e in emails if e and not e.startswith(f"{pseudonym}@")}
    # Only whole names (two words at least): a single word such as a first name, or an
    # account named after its role, is too common to replace in other people's texts.
    # Longest first, so a longer form is replaced before a shorter one inside it.
    whole = {n.strip() for n in names if len(n.split()) >= 2}
    return Identifiers(
        names=tuple(sorted(whole, key=len, reverse=True)),
        emails=tuple(sorted(emails)),
        employee_id=person.employee_id,
        pseudonym=pseudonym,
    )


def _participants(person: Person) -> models.QuerySet[Participant]:
    return Participant.objects.filter(person=person)


def _delete_private_texts(person: Person) -> dict[str, int]:
    """The person's own private texts: reflections, closing words, feedback and stories
    they wrote, reasons they gave, their application and free-text survey answers. What
    the pair wrote together (agenda, notes, follow-up, agreement, goals) and what the
    partner wrote stay with the partner."""
    counts: dict[str, int] = {}
    participant_ids = list(_participants(person).values_list("pk", flat=True))
    user_id = person.user_id
    counts["meeting_reflections"] = Meeting.objects.filter(
        pair__mentee_id__in=participant_ids
    ).update(mentee_reflection="") + Meeting.objects.filter(
        pair__mentor_id__in=participant_ids
    ).update(mentor_reflection="")
    counts["closing_texts"] = Closure.objects.filter(pair__mentee_id__in=participant_ids).update(
        mentee_reflection="", mentee_thanks=""
    ) + Closure.objects.filter(pair__mentor_id__in=participant_ids).update(
        mentor_reflection="", mentor_thanks=""
    )
    if user_id is not None:
        counts["feedback"] = Feedback.objects.filter(author_id=user_id).delete()[0]
        counts["stories"] = Story.objects.filter(author_id=user_id).delete()[0]
        counts["end_reasons"] = Pair.objects.filter(ended_by_id=user_id).update(end_reason="")
    counts["decline_reasons"] = Introduction.objects.filter(
        Q(mentee_id__in=participant_ids, mentee_answer="declined")
        | Q(mentor_id__in=participant_ids, mentor_answer="declined")
    ).update(decline_reason="")
    counts["applications"] = _participants(person).update(
        answers={}, decline_reason="", screening_notes=""
    )
    ParticipantEvent.objects.filter(participant_id__in=participant_ids).update(note="")
    keys = {
        pseudonymous_key(programme_id, person.pk)
        for programme_id in _participants(person).values_list("programme_id", flat=True)
    }
    # Scale and choice answers stay: they are counted, pseudonymously, in published results.
    counts["survey_texts"] = (
        Answer.objects.filter(response__key__in=keys).exclude(text="").update(text="")
    )
    return counts


def _text_fields(model: type[models.Model]) -> Iterator[models.Field[Any, Any]]:
    for field in model._meta.concrete_fields:
        if field.primary_key or field.choices:
            continue
        # Private texts are stored encrypted and cannot be searched; the person's own are
        # deleted, and what others wrote stays theirs, readable only by them.
        if isinstance(field, EncryptedTextField):
            continue
        if isinstance(field, models.CharField | models.TextField | models.JSONField):
            yield field


def _rows_holding(model: type[models.Model], field: Any, needles: list[str]) -> Any:
    """The rows of `model` whose `field` may hold one of `needles` (checked exactly later)."""
    if isinstance(field, models.JSONField):
        # JSON is searched as its text, where a name may be written with \\u escapes.
        forms = {form for n in needles for form in (n, json.dumps(n)[1:-1])}
        condition = Q()
        for form in forms:
            condition |= Q(_as_text__icontains=form)
        return model._default_manager.annotate(_as_text=Cast(field.name, TextField())).filter(
            condition
        )
    condition = Q()
    for needle in needles:
        condition |= Q(**{f"{field.name}__icontains": needle})
    return model._default_manager.filter(condition)


def _replace_identifiers(person: Person, ids: Identifiers) -> dict[str, int]:
    """Every other text of the database that names the person (an inbox entry to the
    partner, a matching round's explanations, the audit log, a failed log-in's record)
    gets the pseudonym instead."""
    needles = ids.needles()
    changed = 0
    if not needles:
        return {"texts_rewritten": 0}
    for model in apps.get_models():
        # Their own rows are emptied by the steps after this one; a namesake's are theirs.
        if model._meta.proxy or not model._meta.managed or model in (Person, User, Guest):
            continue
        for field in _text_fields(model):
            for pk, value in _rows_holding(model, field, needles).values_list("pk", field.name):
                if value is None:
                    continue
                if isinstance(field, models.JSONField):
                    text = json.dumps(value, ensure_ascii=False)
                    new_text = ids.replace(text)
                    new_value: Any = json.loads(new_text)
                else:
                    new_text = new_value = ids.replace(value)
                    text = value
                if new_text != text:
                    model._default_manager.filter(pk=pk).update(**{field.name: new_value})
                    changed += 1
    return {"texts_rewritten": changed}


def _remove_notifications(person: Person) -> dict[str, int]:
    from mentora.notifications.models import Notification, NotificationPreference, OutboxMessage

    if person.user_id is None:
        return {"notifications": 0, "emails": 0}
    NotificationPreference.objects.filter(user_id=person.user_id).delete()
    # E-mails to them, sent or still waiting: none goes out after the erasure.
    emails = OutboxMessage.objects.filter(user_id=person.user_id).delete()[0]
    return {
        "notifications": Notification.objects.filter(user_id=person.user_id).delete()[0],
        "emails": emails,
    }


def _close_account(person: Person, ids: Identifiers) -> dict[str, int]:
    """The log-in account is kept (what others wrote to the pair points at it) but can no
    longer sign in or use its API tokens, and no longer says who it was."""
    from mentora.accounts.models import CalendarFeed
    from mentora.scim.models import ScimIdentity

    ScimIdentity.objects.filter(person=person).delete()
    Guest.objects.filter(person=person).update(
        full_name=FORMER_PARTICIPANT, email=ids.email_pseudonym
    )
    user = person.user
    if user is None:
        return {"accounts": 0}
    memberships = Membership.objects.filter(user=user).delete()[0]
    CalendarFeed.objects.filter(user=user).delete()
    # Their API tokens stop working with the account (the API refuses inactive users);
    # the API sits above this app, so its rows are left to it.
    for device_model in _otp_devices():
        device_model._default_manager.filter(user=user).delete()
    user.email = ids.email_pseudonym
    user.full_name = FORMER_PARTICIPANT
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.set_unusable_password()
    user.save()
    return {"accounts": 1, "memberships": memberships}


def _otp_devices() -> list[type[models.Model]]:
    from django_otp.models import Device

    return [
        model
        for model in apps.get_models()
        if issubclass(model, Device) and not model._meta.abstract and not model._meta.proxy
    ]


def _empty_person(person: Person, ids: Identifiers) -> dict[str, int]:
    """The person's own row: everything that says who they are goes; hire and leave dates
    and level stay, as the retention figures count them."""
    Person.objects.filter(pk=person.pk).update(
        first_name="",
        last_name="",
        email="",
        employee_id=ids.pseudonym,
        job_title="",
        location="",
        timezone="",
        languages=[],
        gender="",
        manager=None,
        org_unit=None,
    )
    # The copies of their data made for access requests go too.
    files = 0
    for earlier in SubjectRequest.objects.filter(person=person, kind=RequestKind.ACCESS):
        for stored in earlier.files:
            if stored:
                stored.delete(save=False)
                files += 1
        SubjectRequest.objects.filter(pk=earlier.pk).update(
            subject_json="",
            subject_pdf="",
            staff_json="",
            staff_pdf="",
            status=RequestStatus.EXPIRED
            if earlier.status == RequestStatus.READY
            else earlier.status,
        )
    return {"people": 1, "access_files": files}


# The steps of an erasure, in order; each is one transaction.
STEPS = ("private_texts", "identifiers", "notifications", "account", "person")


def person_erase(
    *,
    person_id: int,
    actor: User | None,
    subject_request_id: int | None = None,
    progress: Progress | None = None,
) -> SubjectRequest:
    """Erase the person `person_id`: identifying data is removed or replaced by a
    pseudonym, their own private texts are deleted, their account is closed and their
    inbox emptied; their partners keep their own texts, and published figures stay as
    they were. Every step is audited with ids and counts only.

    Runs the erasure request `subject_request_id`, or records a new one (as the
    retention schedule does, with no actor). Safe to run again after a failure."""
    person = Person.objects.select_related("user", "organisation").get(pk=person_id)
    if subject_request_id is None:
        request = SubjectRequest.objects.create(
            organisation=person.organisation,
            person=person,
            kind=RequestKind.ERASURE,
            status=RequestStatus.RUNNING,
            requested_by=actor,
            sections_total=len(STEPS),
        )
    else:
        request = SubjectRequest.objects.get(pk=subject_request_id, kind=RequestKind.ERASURE)
    ids = _identifiers(person)
    counts: dict[str, int] = dict(request.counts)
    for number, step in enumerate(STEPS, start=1):
        with transaction.atomic():
            person.refresh_from_db()
            if step == "private_texts":
                counts.update(_delete_private_texts(person))
            elif step == "identifiers":
                counts.update(_replace_identifiers(person, ids))
            elif step == "notifications":
                counts.update(_remove_notifications(person))
            elif step == "account":
                counts.update(_close_account(person, ids))
            else:
                counts.update(_empty_person(person, ids))
            SubjectRequest.objects.filter(pk=request.pk).update(
                sections_done=number, sections_total=len(STEPS), counts=counts
            )
        if progress is not None:
            progress(number, len(STEPS))
    with transaction.atomic():
        request.refresh_from_db()
        request.status = RequestStatus.DONE
        request.finished_at = timezone.now()
        request.error = ""
        request.save()
        audit_log(
            actor=actor,
            action="subject_requests.person.erase",
            obj=request,
            organisation=person.organisation,
            changes={"person_id": person.pk, "pseudonym": ids.pseudonym, **counts},
        )
    return request
