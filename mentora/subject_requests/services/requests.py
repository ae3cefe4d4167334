"""Access and erasure requests: made, run by the worker, downloaded, expired. Every step
is audited with ids, states and counts, never with the personal data itself."""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from mentora.accounts.models import User
from mentora.core.audit import audit_log
from mentora.core.pdf import render_pdf
from mentora.people.models import Person
from mentora.subject_requests.collect import SECTIONS
from mentora.subject_requests.models import (
    RUNNING_STATUSES,
    RequestKind,
    RequestStatus,
    SubjectRequest,
)
from mentora.subject_requests.services.erasure import person_erase

logger = logging.getLogger(__name__)

PDF_STYLESHEET = "subject_requests/copy_pdf.css"


def is_erased(person: Person) -> bool:
    return SubjectRequest.objects.filter(
        person=person, kind=RequestKind.ERASURE, status=RequestStatus.DONE
    ).exists()


def _refuse_if_busy(person: Person, kind: str) -> None:
    if is_erased(person):
        raise ValidationError(_("This person was erased: Mentora holds nothing about them."))
    if SubjectRequest.objects.filter(
        person=person, kind=kind, status__in=RUNNING_STATUSES
    ).exists():
        raise ValidationError(_("A request of this kind is already running for this person."))


@transaction.atomic
def access_request_create(*, person: Person, actor: User) -> SubjectRequest:
    """Ask for a copy of everything Mentora holds about `person`: by the person, or by
    their organisation's admin for them. The worker gathers it."""
    from mentora.subject_requests.tasks import run_access_request

    _refuse_if_busy(person, RequestKind.ACCESS)
    request = SubjectRequest.objects.create(
        organisation=person.organisation,
        person=person,
        kind=RequestKind.ACCESS,
        requested_by=actor,
        by_subject=person.user_id is not None and person.user_id == actor.pk,
        sections_total=len(SECTIONS),
    )
    audit_log(
        actor=actor,
        action="subject_requests.access.request",
        obj=request,
        organisation=person.organisation,
        changes={"person_id": person.pk, "by_subject": request.by_subject},
    )
    transaction.on_commit(lambda: run_access_request.enqueue(request.pk))
    return request


def _mark(request: SubjectRequest, **values: Any) -> None:
    for name, value in values.items():
        setattr(request, name, value)
    SubjectRequest.objects.filter(pk=request.pk).update(**values)


def _copy(person: Person, *, private: bool, on_section: Any = None) -> dict[str, Any]:
    copy: dict[str, Any] = {
        "about": "Everything Mentora holds about one person",
        "made_at": timezone.now().isoformat(),
        "copy": "the person's own" if private else "for the organisation's admin",
    }
    for number, (key, _heading, collector) in enumerate(SECTIONS, start=1):
        copy[key] = collector(person, private)
        if on_section is not None:
            on_section(number)
    return copy


def _label(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _rows(value: Any, path: str = "") -> list[tuple[str, str]]:
    """A nested value as rows of (where, what) for the printed copy."""
    if isinstance(value, dict):
        rows = []
        for key, item in value.items():
            rows += _rows(item, f"{path} › {_label(key)}" if path else _label(key))
        return rows
    if isinstance(value, list):
        if not value:
            return [(path, "—")]
        if all(not isinstance(item, dict | list) for item in value):
            return [(path, ", ".join(str(item) for item in value))]
        rows = []
        for number, item in enumerate(value, start=1):
            rows += _rows(item, f"{path} {number}" if path else str(number))
        return rows
    return [(path, "—" if value in (None, "") else str(value))]


def _blocks(value: Any) -> list[list[tuple[str, str]]]:
    """A section as blocks of rows: one block per item of a list, else one."""
    if isinstance(value, list):
        return [_rows(item) for item in value]
    return [_rows(value)]


def _pdf(person: Person, copy: dict[str, Any]) -> bytes:
    language = person.user.language if person.user_id and person.user else "en"
    with translation.override(language):
        sections = [(heading, _blocks(copy[key])) for key, heading, _collector in SECTIONS]
        return render_pdf(
            "subject_requests/copy_pdf.html",
            {"person": person, "copy": copy, "sections": sections},
            stylesheet=PDF_STYLESHEET,
        )


def access_request_run(*, request_id: int, now: dt.datetime | None = None) -> SubjectRequest:
    """Gather the copy section by section (the status page shows how far), then write it
    as JSON and PDF: the person's own copy, and their admin's without private texts."""
    request = SubjectRequest.objects.select_related("person__user", "organisation").get(
        pk=request_id, kind=RequestKind.ACCESS
    )
    if request.status != RequestStatus.QUEUED:
        return request
    _mark(request, status=RequestStatus.RUNNING, sections_done=0, sections_total=len(SECTIONS))
    person = request.person
    try:
        own = _copy(person, private=True, on_section=lambda n: _mark(request, sections_done=n))
        staff = _copy(person, private=False)
        name = f"mentora-data-{request.pk}"
        for field, content in (
            (request.subject_json, json.dumps(own, cls=DjangoJSONEncoder, indent=2)),
            (request.staff_json, json.dumps(staff, cls=DjangoJSONEncoder, indent=2)),
        ):
            field.save(f"{name}.json", ContentFile(content.encode()), save=False)
        request.subject_pdf.save(f"{name}.pdf", ContentFile(_pdf(person, own)), save=False)
        request.staff_pdf.save(f"{name}.pdf", ContentFile(_pdf(person, staff)), save=False)
    except Exception as error:  # noqa: BLE001 - any failure ends the request as failed
        # The type only: a message could quote the data being gathered.
        logger.error("Access request %s failed: %s", request.pk, type(error).__name__)
        for stored in request.files:
            if stored:
                stored.delete(save=False)
        _mark(
            request,
            status=RequestStatus.FAILED,
            error=_("The copy could not be made. Ask for a new one."),
            finished_at=timezone.now(),
        )
        return request
    now = now or timezone.now()
    with transaction.atomic():
        request.status = RequestStatus.READY
        request.finished_at = now
        request.expires_at = request.expiry_from(now)
        request.save()
        audit_log(
            actor=None,
            action="subject_requests.access.ready",
            obj=request,
            organisation=request.organisation,
            changes={"person_id": person.pk, "expires_at": request.expires_at},
        )
    return request


def copy_for(request: SubjectRequest, reader: Any, fmt: str) -> Any:
    """Which file `reader` gets: the person their own, their admin the one without
    private texts."""
    own = request.person.user_id is not None and request.person.user_id == reader.pk
    if fmt == "json":
        return request.subject_json if own else request.staff_json
    return request.subject_pdf if own else request.staff_pdf


@transaction.atomic
def access_request_download(
    *, request: SubjectRequest, actor: User, fmt: str, now: dt.datetime | None = None
) -> Any:
    """The file to hand to `actor`, audited; refused once expired or before it is ready."""
    now = now or timezone.now()
    if request.status == RequestStatus.READY and request.expires_at and request.expires_at <= now:
        access_requests_expire(now=now)
        request.refresh_from_db()
    if request.status != RequestStatus.READY:
        raise ValidationError(_("This copy cannot be downloaded: it is not ready or has expired."))
    stored = copy_for(request, actor, fmt)
    audit_log(
        actor=actor,
        action="subject_requests.access.download",
        obj=request,
        organisation=request.organisation,
        changes={"format": fmt, "own_copy": request.person.user_id == actor.pk},
    )
    return stored


def access_requests_expire(*, now: dt.datetime | None = None) -> int:
    """Delete the files of every copy past its expiry; the request stays, as expired."""
    now = now or timezone.now()
    expired = 0
    for request in SubjectRequest.objects.filter(
        kind=RequestKind.ACCESS, status=RequestStatus.READY, expires_at__lte=now
    ):
        with transaction.atomic():
            for stored in request.files:
                if stored:
                    stored.delete(save=False)
            request.status = RequestStatus.EXPIRED
            request.save()
            audit_log(
                actor=None,
                action="subject_requests.access.expire",
                obj=request,
                organisation=request.organisation,
                changes={"person_id": request.person_id},
            )
            expired += 1
    return expired


@transaction.atomic
def erasure_request_create(*, person: Person, actor: User) -> SubjectRequest:
    """An organisation admin erases `person`; the worker does it, step by step."""
    from mentora.subject_requests.tasks import run_erasure_request

    if person.user_id is not None and person.user_id == actor.pk:
        raise ValidationError(_("You cannot erase yourself. Ask another administrator."))
    _refuse_if_busy(person, RequestKind.ERASURE)
    request = SubjectRequest.objects.create(
        organisation=person.organisation,
        person=person,
        kind=RequestKind.ERASURE,
        requested_by=actor,
        sections_total=5,
    )
    audit_log(
        actor=actor,
        action="subject_requests.erasure.request",
        obj=request,
        organisation=person.organisation,
        changes={"person_id": person.pk},
    )
    transaction.on_commit(lambda: run_erasure_request.enqueue(request.pk))
    return request


def erasure_request_run(*, request_id: int) -> SubjectRequest:
    """Run the erasure; a failure leaves the request failed, to be run again."""
    request = SubjectRequest.objects.select_related("requested_by").get(
        pk=request_id, kind=RequestKind.ERASURE
    )
    if request.status != RequestStatus.QUEUED:
        return request
    _mark(request, status=RequestStatus.RUNNING, error="")
    try:
        return person_erase(
            person_id=request.person_id,
            actor=request.requested_by,
            subject_request_id=request.pk,
        )
    except Exception as error:  # noqa: BLE001 - any failure ends the request as failed
        logger.error("Erasure request %s failed: %s", request.pk, type(error).__name__)
        _mark(
            request,
            status=RequestStatus.FAILED,
            error=_("The erasure stopped part-way. Run it again to finish it."),
            finished_at=timezone.now(),
        )
        return request


@transaction.atomic
def erasure_request_retry(*, request: SubjectRequest, actor: User) -> SubjectRequest:
    """Run a failed erasure again: each step can run twice, so it finishes the job."""
    from mentora.subject_requests.tasks import run_erasure_request

    if request.kind != RequestKind.ERASURE or request.status != RequestStatus.FAILED:
        raise ValidationError(_("Only an erasure that stopped part-way can be run again."))
    _mark(request, status=RequestStatus.QUEUED)
    audit_log(
        actor=actor,
        action="subject_requests.erasure.retry",
        obj=request,
        organisation=request.organisation,
        changes={"person_id": request.person_id},
    )
    transaction.on_commit(lambda: run_erasure_request.enqueue(request.pk))
    return request
