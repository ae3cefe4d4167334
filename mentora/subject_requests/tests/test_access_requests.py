"""Copies of a person's data: what they hold, who may fetch them, their progress and
expiry; the pages of requests and erasures, for every persona."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from conftest import audited
from mentora.subject_requests.collect import SECTIONS, WITHHELD
from mentora.subject_requests.models import RequestKind, RequestStatus, SubjectRequest
from mentora.subject_requests.services import requests as services
from tests.world import World, build_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _marker(world: World, what: str) -> str:
    return next(m.token for m in world.markers if m.what == what)


# Jo (the mentee persona) may read these; the others are someone else's.
JOS_OWN = [
    "mentee reflection on the meeting of pair A",
    "mentee agenda of held meeting of pair A",
    "feedback mentor_to_mentee in pair A",
    "feedback mentee_to_manager in pair A",
    "line manager feedback",
    "closing reflection of pair A",
    "survey free text of mentee",
    "story text of pair A",
]
NOT_JOS = [
    "mentor reflection on the meeting of pair A",
    "feedback mentor_to_manager in pair A",
    "follow-up note on pair A",
    "survey free text of mentee2",
    "mentee reflection on the meeting of pair B",
    "end reason of pair C",
]


def _ready(world: World, actor: Any = None) -> SubjectRequest:
    jo = world.personas.people["junior"]
    request = services.access_request_create(person=jo, actor=actor or world.personas.mentee)
    return services.access_request_run(request_id=request.pk)


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def test_the_persons_copy_holds_their_data_and_texts_and_nobody_elses(world: World) -> None:
    request = _ready(world)
    assert request.status == RequestStatus.READY
    assert request.sections_done == request.sections_total == len(SECTIONS)
    copy = json.loads(request.subject_json.read())
    assert {key for key, _heading, _collect in SECTIONS} <= set(copy)
    assert copy["profile"]["employee_id"] == "E3"
    assert copy["profile"]["account"]["email"] == "mentee@test.example"
    assert copy["organisation"]["reporting_line"][0]["name"] == "Lena Lead"
    assert {p["programme"] for p in copy["participations"]} == {"Graduates", "Experts"}
    assert copy["pairs"][0]["partner"] == "Mo Mentor"
    assert copy["survey_answers"], "Jo answered the midway survey"
    assert copy["audit_entries"]
    text = json.dumps(copy)
    missing = [what for what in JOS_OWN if _marker(world, what) not in text]
    leaked = [what for what in NOT_JOS if _marker(world, what) in text]
    assert (missing, leaked) == ([], [])
    pdf = _pdf_text(request.subject_pdf.read())
    assert _marker(world, "mentee reflection on the meeting of pair A") in pdf
    assert _marker(world, "mentor reflection on the meeting of pair A") not in pdf


def test_the_admins_copy_withholds_every_private_text(world: World) -> None:
    request = _ready(world, actor=world.personas.org_admin)
    assert not request.by_subject
    text = request.staff_json.read().decode() + _pdf_text(request.staff_pdf.read())
    shown = [m.what for m in world.markers if m.token in text]
    assert shown == []
    assert WITHHELD in text
    assert "E3" in text


def test_each_reader_gets_their_copy_and_the_download_is_audited(
    world: World, client_for: Any
) -> None:
    request = _ready(world)
    url = reverse("subject_request_download", args=[request.pk, "json"])
    own = client_for(world.personas.mentee).get(url)
    assert own.status_code == 200
    assert (
        _marker(world, "closing reflection of pair A") in b"".join(own.streaming_content).decode()
    )
    staff = client_for(world.personas.org_admin).get(url)
    assert staff.status_code == 200
    assert (
        _marker(world, "closing reflection of pair A")
        not in b"".join(staff.streaming_content).decode()
    )
    pdf = client_for(world.personas.mentee).get(url.replace(".json", ".pdf"))
    assert pdf["Content-Type"] == "application/pdf"
    assert audited("subject_requests.access.download") == [str(request.pk)] * 3


# Who may open a copy: the person and their organisation's admins; no one else, staff
# and partners included.
REQUEST_PAGE = {
    "admin": 200,
    "org_admin": 200,
    "mentee": 200,
    "manager": 404,
    "mentor": 404,
    "sponsor": 404,
    "line_manager": 404,
    "outsider": 404,
    "mentee2": 404,
}


@pytest.mark.parametrize("name", ["subject_request", "subject_request_download"])
def test_only_the_person_and_their_admins_open_a_copy(
    world: World, client_for: Any, name: str
) -> None:
    request = _ready(world)
    args = [request.pk] if name == "subject_request" else [request.pk, "pdf"]
    url = reverse(name, args=args)
    seen = {persona: client_for(user).get(url).status_code for persona, user in world.users.items()}
    assert seen == REQUEST_PAGE
    assert client_for(None).get(url).status_code == 302


# The organisation's list and the erasure page: its admins; staff who may only read get
# 403, other members 403, outsiders 404.
ADMIN_PAGE = {
    "admin": 200,
    "org_admin": 200,
    "manager": 403,
    "mentor": 403,
    "mentee": 403,
    "mentee2": 403,
    "sponsor": 403,
    "line_manager": 403,
    "outsider": 404,
}


@pytest.mark.parametrize("name", ["subject_requests", "person_erase"])
def test_only_organisation_admins_see_the_list_and_the_erasure_page(
    world: World, client_for: Any, name: str
) -> None:
    org = world.personas.organisation
    person = world.personas.people["junior"]
    args = [org.slug] if name == "subject_requests" else [org.slug, person.pk]
    url = reverse(name, args=args)
    seen = {persona: client_for(user).get(url).status_code for persona, user in world.users.items()}
    assert seen == ADMIN_PAGE


def test_the_person_asks_for_a_copy_and_sees_it_progress(world: World, client_for: Any) -> None:
    client = client_for(world.personas.mentee)
    assert client.get(reverse("my_data")).status_code == 200
    before = set(SubjectRequest.objects.values_list("pk", flat=True))
    response = client.post(reverse("my_data"))
    request = SubjectRequest.objects.exclude(pk__in=before).get(kind=RequestKind.ACCESS)
    assert response["Location"] == reverse("subject_request", args=[request.pk])
    assert request.by_subject and request.status == RequestStatus.QUEUED
    page = client.get(response["Location"])
    assert f"0 of {len(SECTIONS)} parts done" in page.content.decode()
    # While it runs, htmx fetches the bar alone.
    SubjectRequest.objects.filter(pk=request.pk).update(
        status=RequestStatus.RUNNING, sections_done=4
    )
    fragment = client.get(response["Location"], HTTP_HX_REQUEST="true").content.decode()
    assert f"4 of {len(SECTIONS)} parts done" in fragment
    assert "<h1>" not in fragment
    SubjectRequest.objects.filter(pk=request.pk).update(status=RequestStatus.QUEUED)
    services.access_request_run(request_id=request.pk)
    assert client.get(response["Location"], HTTP_HX_REQUEST="true")["HX-Refresh"] == "true"
    page = client.get(response["Location"]).content.decode()
    assert reverse("subject_request_download", args=[request.pk, "pdf"]) in page
    # A second request while one runs is refused.
    client.post(reverse("my_data"))
    client.post(reverse("my_data"))
    made = SubjectRequest.objects.exclude(pk__in=before)
    assert made.count() == 2
    requested = set(audited("subject_requests.access.request"))
    assert {str(pk) for pk in made.values_list("pk", flat=True)} <= requested
    assert str(request.pk) in audited("subject_requests.access.ready")


def test_a_copy_expires_and_its_files_are_deleted(world: World, client_for: Any) -> None:
    request = _ready(world)
    path = request.subject_json.path
    later = timezone.now() + dt.timedelta(days=15)
    assert services.access_requests_expire(now=later) >= 1
    request.refresh_from_db()
    assert request.status == RequestStatus.EXPIRED
    assert not request.subject_json and not request.staff_pdf
    import os

    assert not os.path.exists(path)
    url = reverse("subject_request_download", args=[request.pk, "json"])
    response = client_for(world.personas.mentee).get(url)
    assert response.status_code == 302


def test_the_admin_erases_a_person_after_confirming(world: World, client_for: Any) -> None:
    org = world.personas.organisation
    person = world.personas.people["junior"]
    client = client_for(world.personas.org_admin)
    url = reverse("person_erase", args=[org.slug, person.pk])
    page = client.get(url).content.decode()
    assert "cannot be undone" in page
    erasures = SubjectRequest.objects.filter(person=person, kind=RequestKind.ERASURE)
    client.post(url, {})
    assert not erasures.exists()
    response = client.post(url, {"confirm": "on"})
    assert response["Location"] == reverse("subject_requests", args=[org.slug])
    request = erasures.get()
    assert request.status == RequestStatus.QUEUED
    services.erasure_request_run(request_id=request.pk)
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    listing = client.get(response["Location"]).content.decode()
    assert "A former participant" in listing
    assert "Jo Junior" not in listing
    assert str(request.pk) in audited("subject_requests.erasure.request")
    assert str(request.pk) in audited("subject_requests.person.erase")
    # Asking again is refused: nothing is left to erase.
    client.post(url, {"confirm": "on"})
    assert erasures.count() == 1


def test_an_admin_cannot_erase_themselves(world: World, client_for: Any) -> None:
    org = world.personas.organisation
    maja = world.personas.manager.person
    from mentora.accounts.models import Membership, Role

    Membership.objects.create(user=world.personas.manager, organisation=org, role=Role.ORG_ADMIN)
    client = client_for(world.personas.manager)
    client.post(reverse("person_erase", args=[org.slug, maja.pk]), {"confirm": "on"})
    assert not SubjectRequest.objects.filter(person=maja).exists()
