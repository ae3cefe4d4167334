"""Data protection: an organisation's retention schedule and its daily application,
and the consents people give and withdraw."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.accounts.models import Organisation
from mentora.core.audit import audit_log, values_assign, values_check
from mentora.core.models import AuditEntry
from mentora.people.models import Person
from mentora.people.services import import_files_sweep
from mentora.privacy.models import (
    Consent,
    ConsentPurpose,
    PrivacySettings,
    RetentionCategory,
    RetentionDone,
    RetentionRun,
)
from mentora.programmes.models import Participant, ParticipantStatus, Programme
from mentora.relationships.models import (
    Agreement,
    Closure,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    Recording,
    Story,
    StoryStatus,
)
from mentora.subject_requests.services import person_erase
from mentora.surveys.models import Answer, Invitation, QuestionKind

SETTINGS_FIELDS = (
    "pair_text_months",
    "survey_text_months",
    "leaver_years",
    "audit_years",
    "controller_name",
    "controller_contact",
    "dpo_contact",
    "processor_name",
    "processor_contact",
    "requests_contact",
)

# The texts a pair writes, blanked when the pair's retention ends. Feedback between the
# two, and stories never published, go as whole rows: they are nothing but their text.
PAIR_TEXT_FIELDS: dict[Any, tuple[str, ...]] = {
    Meeting: ("agenda", "notes", "follow_up", "mentee_reflection", "mentor_reflection"),
    Agreement: ("learning_goals", "ways_of_working", "after_end"),
    Goal: ("description",),
    Closure: ("mentee_reflection", "mentor_reflection", "mentee_thanks", "mentor_thanks"),
    FollowUp: ("note",),
}


def months_before(moment: dt.datetime, months: int) -> dt.datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter)."""
    year, month = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    month += 1
    return moment.replace(
        year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1])
    )


def months_after(day: dt.date, months: int) -> dt.date:
    """The calendar day `months` months after `day` (the month's last day when shorter)."""
    moment = dt.datetime.combine(day, dt.time())
    return months_before(moment, -months).date()


@transaction.atomic
def privacy_settings_update(
    *, organisation: Organisation, actor: Any, **values: Any
) -> PrivacySettings:
    """Save the organisation's retention schedule and data-protection contacts."""
    values_check(values, SETTINGS_FIELDS, what="data-protection settings")
    settings_row, _created = PrivacySettings.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    changes = values_assign(settings_row, values, SETTINGS_FIELDS)
    settings_row.updated_at = timezone.now()
    settings_row.full_clean()
    settings_row.save()
    audit_log(
        actor=actor,
        action="privacy.settings.update",
        obj=settings_row,
        organisation=organisation,
        # Periods are facts; contacts are the organisation's own public details.
        changes=changes,
    )
    return settings_row


# --- Retention -------------------------------------------------------------------------


def pair_texts_due(pair: Pair, schedule: PrivacySettings) -> dt.date | None:
    """The day a pair's own texts are deleted, or None while the pair runs."""
    if pair.ended_at is None:
        return None
    return months_after(timezone.localdate(pair.ended_at), schedule.pair_text_months)


def _pair_texts_erase(pair: Pair) -> None:
    for model, fields in PAIR_TEXT_FIELDS.items():
        rows = model.objects.filter(pair=pair)
        rows.update(**dict.fromkeys(fields, ""))
    Feedback.objects.filter(pair=pair).delete()
    Story.objects.filter(pair=pair).exclude(status=StoryStatus.APPROVED).delete()
    Pair.objects.filter(pk=pair.pk).update(end_reason="")


def _pair_texts_apply(
    organisation: Organisation, schedule: PrivacySettings, now: dt.datetime
) -> int:
    cutoff = months_before(now, schedule.pair_text_months)
    done = RetentionDone.objects.filter(category=RetentionCategory.PAIR_TEXTS).values("object_id")
    due = Pair.objects.filter(
        programme__organisation=organisation, ended_at__isnull=False, ended_at__lte=cutoff
    ).exclude(pk__in=done)
    count = 0
    for pair in due:
        _pair_texts_erase(pair)
        RetentionDone.objects.create(category=RetentionCategory.PAIR_TEXTS, object_id=pair.pk)
        count += 1
    return count


def _recording_erase(recording: Recording) -> None:
    """Delete a recording's file once committed; the row keeps only its dates."""
    if recording.file:
        name, storage = recording.file.name, recording.file.storage
        transaction.on_commit(lambda: storage.delete(name))
    recording.file = ""
    recording.deleted_at = recording.deleted_at or timezone.now()
    recording.save(update_fields=["file", "deleted_at"])


def _recordings_apply(organisation: Organisation, now: dt.datetime) -> int:
    """Recordings, and the consents to them, of programmes that have ended."""
    today = timezone.localdate(now)
    ended = Programme.objects.filter(organisation=organisation, end_date__lt=today)
    recordings = Recording.objects.filter(meeting__pair__programme__in=ended)
    count = 0
    for recording in recordings.exclude(deleted_at__isnull=False, file=""):
        _recording_erase(recording)
        count += 1
    consents = Consent.objects.filter(
        programme__in=ended, purpose=ConsentPurpose.RECORDING
    ).exclude(recording__isnull=False, recording__deleted_at__isnull=True)
    consents.delete()
    return count


def _survey_texts_apply(
    organisation: Organisation, schedule: PrivacySettings, now: dt.datetime
) -> int:
    cutoff = months_before(now, schedule.survey_text_months)
    due = (
        Answer.objects.filter(
            response__survey__programme__organisation=organisation,
            response__survey__closes_at__lte=cutoff,
            question__kind=QuestionKind.TEXT,
        )
        .exclude(text="")
        .values_list("pk", flat=True)
    )
    return Answer.objects.filter(pk__in=list(due)).update(text="")


def _leavers_apply(organisation: Organisation, schedule: PrivacySettings, now: dt.datetime) -> int:
    """Erase the people whose leave date is `leaver_years` behind: each one an erasure
    request of its own, with no actor, listed with the admin's requests."""
    today = timezone.localdate(now)
    cutoff = months_after(today, -12 * schedule.leaver_years)
    done = RetentionDone.objects.filter(category=RetentionCategory.LEAVERS).values("object_id")
    due = list(
        Person.objects.filter(organisation=organisation, leave_date__lte=cutoff)
        .exclude(pk__in=done)
        .values_list("pk", flat=True)
    )
    for person_id in due:
        person_erase(person_id=person_id, actor=None)
        RetentionDone.objects.create(category=RetentionCategory.LEAVERS, object_id=person_id)
    return len(due)


def _audit_apply(organisation: Organisation, schedule: PrivacySettings, now: dt.datetime) -> int:
    cutoff = months_before(now, 12 * schedule.audit_years)
    deleted, _by_model = AuditEntry.objects.filter(
        organisation=organisation, created_at__lt=cutoff
    ).delete()
    return deleted


@transaction.atomic
def retention_apply(*, organisation: Organisation, now: dt.datetime | None = None) -> RetentionRun:
    """Delete what the organisation's retention schedule says is due, and record how much
    of each kind went (never what). Running it again the same day removes nothing more."""
    now = now or timezone.now()
    schedule = PrivacySettings.of(organisation)
    files = import_files_sweep(now=now, organisation=organisation)
    counts = {
        RetentionCategory.PAIR_TEXTS.value: _pair_texts_apply(organisation, schedule, now),
        RetentionCategory.RECORDINGS.value: _recordings_apply(organisation, now),
        RetentionCategory.IMPORT_FILES.value: files["deleted"],
        RetentionCategory.SURVEY_TEXTS.value: _survey_texts_apply(organisation, schedule, now),
        RetentionCategory.LEAVERS.value: _leavers_apply(organisation, schedule, now),
        RetentionCategory.AUDIT.value: _audit_apply(organisation, schedule, now),
    }
    run = RetentionRun.objects.create(organisation=organisation, ran_at=now, counts=counts)
    audit_log(
        actor=None,
        action="privacy.retention.run",
        obj=run,
        organisation=organisation,
        changes={"counts": counts},
    )
    return run


def retention_apply_all(*, now: dt.datetime | None = None) -> list[RetentionRun]:
    """Apply every organisation's schedule (run daily: `manage.py apply_retention`)."""
    return [
        retention_apply(organisation=organisation, now=now)
        for organisation in Organisation.objects.order_by("pk")
    ]


# --- Consent ---------------------------------------------------------------------------


def consent_record(
    *,
    person: Person,
    purpose: str,
    programme: Programme,
    recording: Recording | None = None,
    story: Story | None = None,
) -> tuple[Consent, bool]:
    """Record a consent given through another app's service (which audits its own act),
    once: a consent already in force is returned as it is. (consent, created)."""
    found = (
        Consent.objects.in_force()
        .filter(
            person=person, purpose=purpose, programme=programme, recording=recording, story=story
        )
        .first()
    )
    if found is not None:
        return found, False
    consent = Consent.objects.create(
        person=person, purpose=purpose, programme=programme, recording=recording, story=story
    )
    return consent, True


@transaction.atomic
def consent_give(*, person: Person, purpose: str, programme: Programme, actor: Any) -> Consent:
    """Give (again) a consent that needs no object: follow-up surveys, the expert network."""
    if purpose not in (ConsentPurpose.FOLLOW_UP_SURVEYS, ConsentPurpose.EXPERT_NETWORK):
        raise ValidationError(_("This consent is given where the thing itself is made."))
    consent, created = consent_record(person=person, purpose=purpose, programme=programme)
    if created:
        audit_log(
            actor=actor,
            action="privacy.consent.give",
            obj=consent,
            programme=programme,
            changes={"purpose": purpose, "text_version": consent.text_version},
        )
    return consent


def _withdraw_recording(consent: Consent) -> None:
    recording = consent.recording
    if recording is None:
        return
    pair = recording.meeting.pair
    side = "mentee" if pair.mentee.person_id == consent.person_id else "mentor"
    setattr(recording, f"{side}_consent_at", None)
    recording.save(update_fields=[f"{side}_consent_at"])
    _recording_erase(recording)


def _withdraw_story(consent: Consent) -> None:
    if consent.story_id is not None:
        Story.objects.filter(pk=consent.story_id).update(status=StoryStatus.DECLINED)


def _withdraw_expert(consent: Consent) -> None:
    Participant.objects.filter(
        programme=consent.programme, person=consent.person, role="mentor"
    ).exclude(status=ParticipantStatus.LEFT).update(status=ParticipantStatus.WITHDRAWN)


def _withdraw_surveys(consent: Consent) -> None:
    # Invitations not yet answered, in surveys still to come or open, are taken back.
    Invitation.objects.filter(
        person=consent.person,
        survey__programme=consent.programme,
        answered_at__isnull=True,
        survey__closes_at__gt=timezone.now(),
    ).delete()


WITHDRAWAL_EFFECTS: dict[str, Callable[[Consent], None]] = {
    ConsentPurpose.RECORDING: _withdraw_recording,
    ConsentPurpose.STORY: _withdraw_story,
    ConsentPurpose.EXPERT_NETWORK: _withdraw_expert,
    ConsentPurpose.FOLLOW_UP_SURVEYS: _withdraw_surveys,
}


@transaction.atomic
def consent_withdraw(*, consent: Consent, actor: Any) -> Consent:
    """Withdraw a consent; what it allowed stops at once: the recording is deleted, the
    story unpublished, the expert leaves the network, the surveys stop."""
    consent = Consent.objects.select_for_update().get(pk=consent.pk)
    if consent.withdrawn_at is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    consent.withdrawn_at = timezone.now()
    consent.save(update_fields=["withdrawn_at"])
    WITHDRAWAL_EFFECTS[consent.purpose](consent)
    audit_log(
        actor=actor,
        action="privacy.consent.withdraw",
        obj=consent,
        programme=consent.programme,
        changes={"purpose": consent.purpose},
    )
    return consent


def survey_refusers(programme: Programme) -> set[int]:
    """The people of `programme` who withdrew their consent to follow-up surveys (and did
    not give it again): surveys leave them out."""
    withdrawn = set(
        Consent.objects.filter(
            programme=programme,
            purpose=ConsentPurpose.FOLLOW_UP_SURVEYS,
            withdrawn_at__isnull=False,
        ).values_list("person_id", flat=True)
    )
    given = set(
        Consent.objects.in_force()
        .filter(programme=programme, purpose=ConsentPurpose.FOLLOW_UP_SURVEYS)
        .values_list("person_id", flat=True)
    )
    return withdrawn - given


def consents_of(user: Any) -> Any:
    """The consents `user` has given, newest first."""
    if getattr(user, "pk", None) is None:
        return Consent.objects.none()
    return Consent.objects.filter(person__user_id=user.pk).select_related("programme")
