"""Survey operations: schedule, send, remind, answer, add questions, load instruments.

Every write is atomic and audited; no answer content ever reaches the audit log. E-mails
go out from tasks enqueued on commit, with primary keys only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.notifications.services import notify
from mentora.programmes.models import Participant, ParticipantStatus, Programme, TouchpointKind
from mentora.relationships.models import SupportSettings
from mentora.surveys.models import (
    CHOICE_KINDS,
    Answer,
    Audience,
    Instrument,
    InstrumentSource,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    Wave,
    pseudonymous_key,
)
from mentora.surveys.own_questions import own_question_checked
from mentora.webhooks.services import emit

S = ParticipantStatus
# Participants who are (or were) in the programme proper and so have something to evaluate.
TAKING_PART = [S.APPROVED, S.TRAINED, S.READY, S.MATCHED, S.ACTIVE, S.COMPLETED]
MAX_TEXT = 5000


def _invitees(programme: Programme, roles: Iterable[str]) -> list[tuple[Any, Any, Any, str]]:
    """(user, person, participant or None, role) for everyone a survey for `roles` asks."""
    roles = set(roles)
    participants = list(
        Participant.objects.filter(
            programme=programme, status__in=TAKING_PART, user__isnull=False
        ).select_related("user", "person__manager__user")
    )
    found: list[tuple[Any, Any, Any, str]] = []
    for participant in participants:
        if participant.role in roles:
            found.append((participant.user, participant.person, participant, participant.role))
    if Audience.LINE_MANAGER in roles:
        seen: set[int] = set()
        for participant in participants:
            manager = participant.person.manager
            # Line managers are asked about their mentees' participation, once each.
            if (
                participant.role == "mentee"
                and manager is not None
                and manager.user is not None
                and manager.pk not in seen
            ):
                seen.add(manager.pk)
                found.append((manager.user, manager, None, Audience.LINE_MANAGER.value))
    return found


# Apps above may leave people out of a programme's surveys: each callable names the ids
# of people not to ask (data protection registers those who withdrew their consent).
INVITEE_EXCLUSIONS: list[Callable[[Programme], set[int]]] = []


def _invite_missing(survey: Survey) -> int:
    """Invite everyone the survey asks who has no invitation yet: at scheduling, and again
    while it is open, so that people who join the programme later are asked too."""
    invited = set(survey.invitations.values_list("person_id", "role"))
    for exclusion in INVITEE_EXCLUSIONS:
        invited |= {
            (person_id, role)
            for person_id in exclusion(survey.programme)
            for role in Audience.values
        }
    missing = [
        Invitation(survey=survey, user=user, person=person, participant=participant, role=role)
        for user, person, participant, role in _invitees(survey.programme, survey.roles)
        if (person.pk, role) not in invited
    ]
    Invitation.objects.bulk_create(missing)
    return len(missing)


def instruments_for(programme: Programme) -> Any:
    """The instruments a programme may use: the library, its organisation's, its own."""
    return Instrument.objects.filter(
        Q(source=InstrumentSource.BUILTIN)
        | Q(source=InstrumentSource.ORGANISATION, organisation=programme.organisation)
        | Q(source=InstrumentSource.PROGRAMME, programme=programme)
    )


@transaction.atomic
def survey_close(*, survey: Survey, actor: Any, now: dt.datetime | None = None) -> Survey:
    """Close an open survey now, before its closing time: nobody can answer any more, no
    reminder goes out, and its results are published (as they would be at the set time).
    """
    now = now or timezone.now()
    survey = Survey.objects.select_for_update().get(pk=survey.pk)
    if survey.closes_at <= now:
        raise ValidationError(_("This survey has already closed."))
    if survey.opens_at >= now:
        raise ValidationError(
            _("This survey has not opened yet; change its dates or schedule it again.")
        )
    planned = survey.closes_at
    survey.closes_at = now
    survey.closed_announced_at = now
    survey.save(update_fields=["closes_at", "closed_announced_at"])
    audit_log(
        actor=actor,
        action="surveys.survey.close",
        obj=survey,
        programme=survey.programme,
        changes={"closes_at": now, "planned": planned},
    )
    emit(
        organisation_ids=survey.programme.organisation_ids(),
        event="survey.closed",
        payload={"survey_id": survey.pk, "programme_id": survey.programme_id, "closed_at": now},
    )
    return survey


@transaction.atomic
def survey_schedule(
    *,
    programme: Programme,
    instrument: Instrument,
    wave: str,
    roles: list[str],
    opens_at: dt.datetime,
    closes_at: dt.datetime,
    actor: Any,
    reminder_days: int | None = None,
) -> Survey:
    """Schedule a survey and invite everyone in `roles`; it is e-mailed once it opens.

    A survey that opens now or earlier is sent at once (on commit); later ones are sent by
    the daily `send_survey_reminders` run.
    """
    if not instruments_for(programme).filter(pk=instrument.pk).exists():
        raise ValidationError(_("This instrument is not available to the programme."))
    roles = [r for r in Audience.values if r in set(roles)]
    if not roles:
        raise ValidationError(_("Choose at least one group to ask."))
    if wave not in Wave.values:
        raise ValidationError(_("Choose a wave."))
    if closes_at <= opens_at:
        raise ValidationError(_("The survey must close after it opens."))
    if reminder_days is None:
        # The programme's own interval, set with its other reminders.
        reminder_days = SupportSettings.of(programme).survey_reminder_days
    if reminder_days < 1:
        raise ValidationError(_("Reminders need at least one day between them."))
    survey = Survey.objects.create(
        programme=programme,
        instrument=instrument,
        wave=wave,
        roles=roles,
        opens_at=opens_at,
        closes_at=closes_at,
        reminder_days=reminder_days,
    )
    _invite_missing(survey)
    audit_log(
        actor=actor,
        action="surveys.survey.schedule",
        obj=survey,
        programme=programme,
        changes={
            "instrument": instrument.pk,
            "wave": wave,
            "roles": roles,
            "opens_at": opens_at,
            "closes_at": closes_at,
            "invited": survey.invitations.count(),
        },
    )
    if opens_at <= timezone.now():
        # Imported here: mentora.surveys.tasks imports this module.
        from mentora.surveys.tasks import send_survey

        transaction.on_commit(partial(send_survey.enqueue, survey.pk))
    return survey


def suggested_window(programme: Programme, wave: str) -> tuple[dt.datetime, dt.datetime] | None:
    """When a wave's survey should open and close, from the programme's phases.

    Start: the programme's first day; midway: its midway touchpoint (else the middle);
    end: its evaluation touchpoint (else two weeks before the end). Open for two weeks.
    """
    start, end = programme.start_date, programme.end_date
    touchpoints = {t.kind: t.date for t in programme.touchpoints.order_by("-date")}
    day: dt.date | None = None
    if wave == Wave.START:
        day = touchpoints.get(TouchpointKind.KICKOFF) or start
    elif wave == Wave.MIDWAY:
        day = touchpoints.get(TouchpointKind.MIDWAY) or (
            start + (end - start) / 2 if start and end else None
        )
    elif wave == Wave.END:
        day = touchpoints.get(TouchpointKind.EVALUATION) or (
            end - dt.timedelta(days=14) if end else None
        )
    if day is None:
        return None
    opens = timezone.make_aware(dt.datetime.combine(day, dt.time(8, 0)))
    return opens, opens + dt.timedelta(days=14)


def _answer_path(invitation: Invitation) -> str:
    return reverse("survey_answer", args=[invitation.token])


def _email_invitee(survey: Survey, invitation: Invitation, template: str) -> None:
    # The invitation and the reminder say the same things: which survey, and where to answer.
    notify(
        user=invitation.user,
        template=f"surveys/email/{template}",
        context={
            "survey": survey,
            "programme": survey.programme,
            "answer_path": _answer_path(invitation),
        },
        link=_answer_path(invitation),
    )


def _log_mailing(survey: Survey, action: str, **counts: int) -> None:
    # The system mails, not a person: no actor, and how many were written to, never who.
    audit_log(
        actor=None,
        action=action,
        obj=survey,
        organisation=survey.programme.organisation,
        changes=counts,
    )


def survey_send(*, survey: Survey, now: dt.datetime | None = None) -> int:
    """E-mail every invitee not yet e-mailed, each in their own language; returns how many.

    Marks each invitation as sent as it goes, so a retried run never sends twice.
    """
    now = now or timezone.now()
    sent = 0
    pending = survey.invitations.filter(sent_at__isnull=True, answered_at__isnull=True)
    for invitation in pending.select_related("user", "survey__programme"):
        _email_invitee(survey, invitation, "invitation")
        Invitation.objects.filter(pk=invitation.pk).update(sent_at=now)
        sent += 1
    if sent or survey.sent_at is None:
        Survey.objects.filter(pk=survey.pk).update(sent_at=survey.sent_at or now)
        _log_mailing(survey, "surveys.survey.send", sent=sent)
    return sent


def surveys_announce_closed(*, now: dt.datetime | None = None) -> int:
    """Tell the webhooks of every survey that has reached its closing time, once each (a
    survey a manager closed early was told then). Returns how many were announced."""
    now = now or timezone.now()
    announced = 0
    with transaction.atomic():
        closed = (
            Survey.objects.select_for_update(skip_locked=True)
            .filter(closes_at__lte=now, closed_announced_at__isnull=True)
            .select_related("programme")
        )
        for survey in closed:
            Survey.objects.filter(pk=survey.pk).update(closed_announced_at=now)
            emit(
                organisation_ids=survey.programme.organisation_ids(),
                event="survey.closed",
                payload={
                    "survey_id": survey.pk,
                    "programme_id": survey.programme_id,
                    "closed_at": survey.closes_at,
                },
            )
            announced += 1
    return announced


def survey_remind(*, now: dt.datetime | None = None) -> int:
    """Send surveys that have opened, and remind those who have not answered an open one.

    An invitee is reminded at most every `reminder_days` days. Returns the e-mails sent.
    """
    now = now or timezone.now()
    sent = 0
    due = Survey.objects.filter(sent_at__isnull=True, opens_at__lte=now, closes_at__gt=now)
    for survey in due.select_related("programme__organisation"):
        sent += survey_send(survey=survey, now=now)
    open_surveys = Survey.objects.filter(
        sent_at__isnull=False, opens_at__lte=now, closes_at__gt=now
    ).select_related("programme__organisation")
    for survey in open_surveys:
        if _invite_missing(survey):
            sent += survey_send(survey=survey, now=now)
        cutoff = now - dt.timedelta(days=survey.reminder_days)
        waiting = survey.invitations.filter(
            answered_at__isnull=True, sent_at__isnull=False, sent_at__lte=cutoff
        ).filter(Q(reminded_at__isnull=True) | Q(reminded_at__lte=cutoff))
        reminded = 0
        for invitation in waiting.select_related("user"):
            _email_invitee(survey, invitation, "reminder")
            Invitation.objects.filter(pk=invitation.pk).update(reminded_at=now)
            reminded += 1
        if reminded:
            _log_mailing(survey, "surveys.survey.remind", reminded=reminded)
        sent += reminded
    return sent


def _clean_answer(question: Question, raw: Any) -> dict[str, Any] | None:
    """The stored form of one answer, None when left blank; ValidationError when invalid."""
    if raw is None or raw == "" or raw == []:
        if question.required:
            raise ValidationError(_("Please answer every required question."))
        return None
    if question.kind in (QuestionKind.SCALE, QuestionKind.NPS):
        low, high = (1, 5) if question.kind == QuestionKind.SCALE else (0, 10)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            raise ValidationError(_("An answer is not on the scale.")) from None
        if str(raw).strip() != str(number) or not low <= number <= high:
            raise ValidationError(_("An answer is not on the scale."))
        return {"number": number}
    if question.kind in CHOICE_KINDS:
        allowed = {str(c["value"]) for c in question.choices}
        picked = [raw] if isinstance(raw, str) else list(raw)
        if question.kind == QuestionKind.SINGLE and len(picked) != 1:
            raise ValidationError(_("Choose one answer."))
        if not picked or any(str(p) not in allowed for p in picked):
            raise ValidationError(_("An answer is not one of the choices."))
        return {"choices": sorted({str(p) for p in picked})}
    text = str(raw).strip()
    if len(text) > MAX_TEXT:
        raise ValidationError(_("An answer is too long."))
    return {"text": text} if text else None


def response_submit(
    *, invitation: Invitation, answers: Mapping[int, Any], actor: Any, language: str = "en"
) -> Response:
    """Store one invitee's answers under their pseudonymous key, once.

    Every answer is validated before anything is written. The response row holds the key,
    the role and the language, never the user or the person; the invitation only learns
    that it was answered.
    """
    survey = invitation.survey
    if invitation.answered_at is not None:
        raise ValidationError(_("You have already answered this survey."))
    if not survey.is_open():
        raise ValidationError(_("This survey is not open."))
    questions = {q.pk: q for q in survey.instrument.questions_for(invitation.role)}
    unknown = set(answers) - set(questions)
    if unknown:
        raise ValidationError(_("An answer does not belong to this survey."))
    cleaned = {pk: _clean_answer(q, answers.get(pk)) for pk, q in questions.items()}
    try:
        with transaction.atomic():
            # Locks the invitation so two tabs cannot both answer.
            locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
            if locked.answered_at is not None:
                raise ValidationError(_("You have already answered this survey."))
            response = Response.objects.create(
                survey=survey,
                key=pseudonymous_key(survey.programme_id, invitation.person_id),
                role=invitation.role,
                language=language[:2],
            )
            Answer.objects.bulk_create(
                Answer(response=response, question_id=pk, **value)
                for pk, value in cleaned.items()
                if value is not None
            )
            locked.answered_at = timezone.now()
            locked.save(update_fields=["answered_at"])
            # Who answered is already on the invitation; what they answered never goes here.
            audit_log(
                actor=actor,
                action="surveys.response.submit",
                obj=survey,
                programme=survey.programme,
                changes={
                    "answered": sum(1 for v in cleaned.values() if v is not None),
                },
            )
    except IntegrityError:
        raise ValidationError(_("You have already answered this survey.")) from None
    invitation.answered_at = locked.answered_at
    return response


def response_of(invitation: Invitation) -> Response | None:
    """The invitee's own response, found again through their pseudonymous key."""
    return (
        Response.objects.filter(
            survey=invitation.survey, key=invitation.key(), role=invitation.role
        )
        .prefetch_related("answers__question")
        .first()
    )


def programme_instrument(programme: Programme) -> Instrument:
    """The programme's own instrument, where its managers add questions of their own."""
    instrument, _created = Instrument.objects.get_or_create(
        source=InstrumentSource.PROGRAMME,
        programme=programme,
        defaults={
            "slug": f"programme-{programme.pk}",
            "name": _("Own questions: %(programme)s") % {"programme": programme.name},
            "languages": ["en", "da"],
            "licence_name": "",
            "licence_holder": programme.organisation.name,
        },
    )
    return instrument


@transaction.atomic
def custom_question_add(
    *,
    programme: Programme,
    kind: str,
    text_en: str,
    text_da: str,
    audience: list[str],
    actor: Any,
    choices: list[dict[str, str]] | None = None,
    construct: str = "",
    required: bool = False,
) -> Question:
    """Add a manager's own question to the programme's instrument."""
    # A new choice is kept when it has a value.
    valued = [c for c in (choices or []) if str(c.get("value", "")).strip()]
    audience, choices = own_question_checked(kind, audience, valued)
    instrument = programme_instrument(programme)
    position = instrument.questions.count() + 1
    question = Question.objects.create(
        instrument=instrument,
        code=f"OWN{position}",
        kind=kind,
        text_en=text_en.strip(),
        text_da=text_da.strip() or text_en.strip(),
        choices=choices,
        construct=construct,
        audience=audience,
        required=required,
        position=position,
    )
    audit_log(
        actor=actor,
        action="surveys.question.add",
        obj=question,
        programme=programme,
        changes={
            "kind": kind,
            "text_en": question.text_en,
            "audience": audience,
        },
    )
    return question


REQUIRED_LICENCE = ("name", "holder")


@transaction.atomic
def instrument_import(*, organisation: Any, data: Mapping[str, Any], actor: Any) -> Instrument:
    """Load an instrument the organisation holds a licence for; only it will see it.

    `data` is {"slug", "name", "wave", "languages", "licence": {"name", "holder", "url",
    "may_redistribute"}, "questions": [{"code", "kind", "text_en", "text_da", "audience",
    "construct", "choices"}]}. Loading the same slug again replaces its questions.
    """
    if not isinstance(data, Mapping):
        raise ValidationError(_("The file is not an instrument."))
    licence = data.get("licence") or {}
    if not isinstance(licence, Mapping) or not all(
        str(licence.get(k, "")).strip() for k in REQUIRED_LICENCE
    ):
        raise ValidationError(_("An instrument needs its licence's name and holder."))
    questions = data.get("questions")
    if not isinstance(questions, list) or not questions:
        raise ValidationError(_("An instrument needs at least one question."))
    name = str(data.get("name", "")).strip()
    slug = slugify(str(data.get("slug") or name))
    if not name or not slug:
        raise ValidationError(_("An instrument needs a name."))
    wave = str(data.get("wave") or Wave.CUSTOM)
    if wave not in Wave.values:
        raise ValidationError(_("Choose a wave."))
    instrument, _created = Instrument.objects.update_or_create(
        source=InstrumentSource.ORGANISATION,
        organisation=organisation,
        slug=slug,
        defaults={
            "name": name,
            "wave": wave,
            "languages": list(data.get("languages") or ["en"]),
            "licence_name": str(licence["name"]).strip(),
            "licence_holder": str(licence["holder"]).strip(),
            "licence_url": str(licence.get("url", "")).strip(),
            "may_redistribute": bool(licence.get("may_redistribute", False)),
        },
    )
    instrument.questions.all().delete()
    codes: set[str] = set()
    for position, spec in enumerate(questions, start=1):
        if not isinstance(spec, Mapping):
            raise ValidationError(_("Question %(n)s is not valid.") % {"n": position})
        code = str(spec.get("code", "")).strip()
        kind = str(spec.get("kind", ""))
        text_en = str(spec.get("text_en", "")).strip()
        audience = [a for a in spec.get("audience") or [] if a in Audience.values]
        choices = spec.get("choices") or []
        if (
            not code
            or code in codes
            or kind not in QuestionKind.values
            or not text_en
            or not audience
            or (kind in CHOICE_KINDS and len(choices) < 2)
        ):
            raise ValidationError(_("Question %(n)s is not valid.") % {"n": position})
        codes.add(code)
        Question.objects.create(
            instrument=instrument,
            code=code,
            kind=kind,
            text_en=text_en,
            text_da=str(spec.get("text_da", "")).strip() or text_en,
            choices=choices if kind in CHOICE_KINDS else [],
            construct=str(spec.get("construct", "")),
            audience=audience,
            required=bool(spec.get("required", False)),
            position=position,
        )
    audit_log(
        actor=actor,
        action="surveys.instrument.import",
        obj=instrument,
        organisation=organisation,
        changes={"slug": slug, "licence": instrument.licence_name, "questions": len(questions)},
    )
    return instrument
