"""Two-way feedback, the conversation toolbox and recordings with consent."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from mentora.relationships.models import Feedback, Meeting, Pair, Tool
from mentora.relationships.services import feedback, meetings
from mentora.relationships.tests.test_workspace import meeting, pair  # noqa: F401
from mentora.relationships.toolbox import LIBRARY, phase_of, tools_for


def test_feedback_is_read_by_its_author_and_recipient_only(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    for who, direction, text in [
        ("mentor", "mentor_to_mentee", "Your questions were sharp"),
        ("mentee", "mentee_to_manager", "The kick-off was too long"),
        ("line_manager", "line_manager_to_mentee", "I see you leading more"),
    ]:
        feedback.feedback_give(
            pair=pair, actor=getattr(cohort.personas, who), direction=direction, text=text
        )
    mentee_page = (
        client_for(cohort.personas.mentee)
        .get(reverse("pair_workspace", args=[pair.pk]))
        .content.decode()
    )
    assert "Your questions were sharp" in mentee_page
    assert "I see you leading more" in mentee_page
    assert "The kick-off was too long" in mentee_page  # the mentee's own
    mentor_page = (
        client_for(cohort.personas.mentor)
        .get(reverse("pair_workspace", args=[pair.pk]))
        .content.decode()
    )
    assert "The kick-off was too long" not in mentor_page
    assert "I see you leading more" not in mentor_page
    health = (
        client_for(cohort.personas.manager)
        .get(reverse("pair_health", args=[cohort.programme.pk]))
        .content.decode()
    )
    assert "The kick-off was too long" in health
    assert "Your questions were sharp" not in health
    assert "I see you leading more" not in health


def test_feedback_must_come_from_the_one_the_direction_names(cohort: Any, pair: Pair) -> None:
    with pytest.raises(ValidationError):
        feedback.feedback_give(
            pair=pair, actor=cohort.personas.mentee, direction="mentor_to_mentee", text="x"
        )
    with pytest.raises(ValidationError):
        feedback.feedback_give(
            pair=pair, actor=cohort.personas.sponsor, direction="line_manager_to_mentee", text="x"
        )


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("mentee", 302),
        ("mentor", 302),
        ("line_manager", 302),
        ("manager", 403),
        ("sponsor", 403),
        ("outsider", 404),
    ],
)
def test_who_may_post_feedback(
    client_for: Any, cohort: Any, pair: Pair, who: str, expected: int
) -> None:
    response = client_for(getattr(cohort.personas, who)).post(
        reverse("feedback_give", args=[pair.pk]),
        {"direction": "line_manager_to_mentee", "text": "Good", "submission": uuid.uuid4()},
    )
    assert response.status_code == expected
    # Only the line manager writes in the line manager's direction; the pair is refused.
    assert Feedback.objects.filter(pair=pair).exists() == (who == "line_manager")


def test_the_library_ships_the_situational_roles_in_both_languages(db: None) -> None:
    roles = set(
        Tool.objects.filter(programme__isnull=True, kind="role").values_list("code", flat=True)
    )
    assert {
        "role-coach",
        "role-adviser",
        "role-sparring",
        "role-storyteller",
        "role-networker",
    } <= roles
    assert Tool.objects.filter(programme__isnull=True).count() == len(LIBRARY)
    assert all(t.title_da and t.body_da for t in Tool.objects.all())


def test_pairs_see_the_tools_of_their_phase_and_the_programmes_own_version(
    cohort: Any, pair: Pair
) -> None:
    assert phase_of(0.1) == "start" and phase_of(0.5) == "middle" and phase_of(0.9) == "end"
    start = {t.code for t in tools_for(cohort.programme, "start")}
    assert "questions-start" in start and "questions-end" not in start
    coach = Tool.objects.get(code="role-coach")
    feedback.tool_save(
        programme=cohort.programme,
        actor=cohort.personas.manager,
        replaces=coach,
        kind="role",
        phase="any",
        title_en="Our coach",
        title_da="Vores coach",
        body_en="Ask.",
        body_da="Spørg.",
    )
    titles = [t.title_en for t in tools_for(cohort.programme)]
    assert "Our coach" in titles and "The coach" not in titles


@pytest.mark.parametrize("who", ["admin", "org_admin", "manager", "sponsor", "mentor", "outsider"])
def test_the_toolbox_is_edited_by_those_running_the_programme(
    client_for: Any, cohort: Any, who: str
) -> None:
    expected = {"admin": 200, "org_admin": 200, "manager": 200, "outsider": 404}.get(who, 403)
    client = client_for(getattr(cohort.personas, who))
    url = reverse("programme_toolbox", args=[cohort.programme.pk])
    assert client.get(url).status_code == expected
    data = {
        "kind": "questions",
        "phase": "any",
        "title_en": "T",
        "title_da": "T",
        "body_en": "B",
        "body_da": "B",
    }
    assert client.post(url, data).status_code == (302 if expected == 200 else expected)
    # The tool is added for those who may, and for nobody else.
    added = Tool.objects.filter(programme=cohort.programme, title_en="T").exists()
    assert added == (expected == 200)


def test_a_recording_needs_both_consents_and_is_deleted_on_the_agreed_date(
    cohort: Any, meeting: Meeting, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    delete_on = timezone.localdate() + dt.timedelta(days=30)
    meetings.recording_consent(meeting=meeting, actor=cohort.personas.mentee, delete_on=delete_on)
    with pytest.raises(ValidationError, match="consent"):
        meetings.recording_upload(
            meeting=meeting,
            actor=cohort.personas.mentee,
            uploaded=SimpleUploadedFile("m.m4a", b"audio"),
        )
    meetings.recording_consent(meeting=meeting, actor=cohort.personas.mentor, delete_on=delete_on)
    recording = meetings.recording_upload(
        meeting=meeting,
        actor=cohort.personas.mentor,
        uploaded=SimpleUploadedFile("m.m4a", b"audio"),
    )
    path = recording.file.path
    assert meetings.recordings_purge(today=delete_on - dt.timedelta(days=1)) == 0
    assert meetings.recordings_purge(today=delete_on) == 1
    recording.refresh_from_db()
    assert recording.deleted_at is not None and not recording.file
    import os

    assert not os.path.exists(path)


def test_changing_the_deletion_date_asks_for_consent_again(cohort: Any, meeting: Meeting) -> None:
    first = timezone.localdate() + dt.timedelta(days=30)
    meetings.recording_consent(meeting=meeting, actor=cohort.personas.mentee, delete_on=first)
    meetings.recording_consent(meeting=meeting, actor=cohort.personas.mentor, delete_on=first)
    recording = meetings.recording_consent(
        meeting=meeting, actor=cohort.personas.mentor, delete_on=first + dt.timedelta(days=30)
    )
    assert not recording.has_consent


def test_the_workspace_title_names_the_page_and_never_the_feedback(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    import re

    feedback.feedback_give(
        pair=pair, actor=cohort.personas.mentor, direction="mentor_to_mentee", text="Sharp"
    )
    page = (
        client_for(cohort.personas.mentee)
        .get(reverse("pair_workspace", args=[pair.pk]))
        .content.decode()
    )
    title = re.search(r"<title>(.*?)</title>", page, re.S)
    assert title is not None
    assert "Sharp" not in title.group(1)
    assert "<" not in title.group(1)
    # The feedback and the toolbox are on the page once, in its body.
    assert page.count('id="feedback-heading"') == 1
    assert page.count('id="toolbox-heading"') == 1
