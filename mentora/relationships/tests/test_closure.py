"""Closing a pair: reflections, continuation, thanks, certificates, stories."""

from __future__ import annotations

import datetime as dt
import io
import uuid
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from conftest import PERSONAS
from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import Closure, Meeting, Pair, Story
from mentora.relationships.services import closure
from mentora.relationships.tests.conftest import hold_a_meeting, mentor_also_manages
from mentora.relationships.tests.test_workspace import pair  # noqa: F401


@pytest.fixture
def met(cohort: Any, pair: Pair) -> Pair:
    hold_a_meeting(cohort, pair)
    return pair


def close_as(
    cohort: Any, pair: Pair, who: str, reflection: str, thanks: str, continuation: str
) -> None:
    closure.closure_submit(
        pair=pair,
        actor=getattr(cohort.personas, who),
        reflection=reflection,
        continuation=continuation,
        thanks=thanks,
    )


def close_both(cohort: Any, pair: Pair) -> None:
    close_as(cohort, pair, "mentee", "I learned a lot", "Thank you, Mo!", "stay_in_touch")
    close_as(cohort, pair, "mentor", "Rewarding", "Thank you, Jo!", "stay_in_touch")


def test_when_both_close_the_pair_ends_and_both_complete(cohort: Any, met: Pair) -> None:
    pair = met
    close_as(cohort, pair, "mentee", "x", "Thanks", "clean_end")
    pair.refresh_from_db()
    assert pair.is_active
    close_as(cohort, pair, "mentor", "y", "Thanks too", "clean_end")
    pair.refresh_from_db()
    assert not pair.is_active
    assert pair.closure.agreed_continuation == "clean_end"
    assert set(
        Participant.objects.filter(pk__in=[cohort.junior.pk, cohort.mo.pk]).values_list(
            "status", flat=True
        )
    ) == {"completed"}


def test_each_reads_the_others_thanks_but_not_their_reflection(
    client_for: Any, cohort: Any, met: Pair
) -> None:
    pair = met
    close_both(cohort, pair)
    page = client_for(cohort.personas.mentee).get(reverse("pair_close", args=[pair.pk]))
    content = page.content.decode()
    assert "Thank you, Jo!" in content
    assert "Rewarding" not in content


def test_certificates_are_pdfs_in_the_participants_language(
    client_for: Any, cohort: Any, met: Pair
) -> None:
    pair = met
    cohort.personas.mentee.language = "da"
    cohort.personas.mentee.save()
    url = reverse("certificate", args=[pair.pk])
    assert client_for(cohort.personas.mentee).get(url).status_code == 404
    close_both(cohort, pair)
    response = client_for(cohort.personas.mentee).get(url)
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert client_for(cohort.personas.manager).get(url).status_code == 403


def test_a_story_needs_consent_and_the_managers_approval(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    with pytest.raises(ValidationError):
        closure.story_submit(
            pair=pair, actor=cohort.personas.mentee, title="T", text="S", consent=False
        )
    story = closure.story_submit(
        pair=pair,
        actor=cohort.personas.mentee,
        title="How I found my voice",
        text="It began...",
        consent=True,
    )
    stories = reverse("programme_stories", args=[cohort.programme.pk])
    assert (
        "How I found my voice"
        not in client_for(cohort.personas.sponsor).get(stories).content.decode()
    )
    response = client_for(cohort.personas.manager).post(
        reverse("story_decide", args=[story.pk]), {"decision": "approve", "confirm": "on"}
    )
    assert response.status_code == 302
    assert (
        "How I found my voice"
        in client_for(cohort.personas.line_manager).get(stories).content.decode()
    )


@pytest.mark.parametrize("who", PERSONAS)
def test_closing_is_for_the_pair_only(client_for: Any, cohort: Any, pair: Pair, who: str) -> None:
    expected = {"mentee": 200, "mentor": 200, "outsider": 404}.get(who, 403)
    client = client_for(getattr(cohort.personas, who))
    assert client.get(reverse("pair_close", args=[pair.pk])).status_code == expected
    response = client.post(
        reverse("story_submit", args=[pair.pk]),
        {"title": "t", "text": "x", "consent": "on", "submission": uuid.uuid4()},
    )
    assert response.status_code == (302 if expected == 200 else expected)
    assert Story.objects.filter(pair=pair).exists() == (expected == 200)


@pytest.mark.parametrize("who", PERSONAS)
def test_stories_are_read_inside_the_programme_and_decided_by_its_managers(
    client_for: Any, cohort: Any, pair: Pair, who: str
) -> None:
    story = Story.objects.create(
        pair=pair, author=cohort.personas.mentee, title="t", text="x", consent=True
    )
    client = client_for(getattr(cohort.personas, who))
    read = client.get(reverse("programme_stories", args=[cohort.programme.pk])).status_code
    assert read == (404 if who == "outsider" else 200)
    decide = client.post(
        reverse("story_decide", args=[story.pk]), {"decision": "approve", "confirm": "on"}
    )
    manages = who in {"admin", "org_admin", "manager"}
    assert decide.status_code == (302 if manages else 404 if who == "outsider" else 403)


def test_a_pair_cannot_close_before_the_programme_starts(cohort: Any, pair: Pair) -> None:
    hold_a_meeting(cohort, pair)
    Programme.objects.filter(pk=cohort.programme.pk).update(
        start_date=timezone.localdate() + dt.timedelta(days=30),
        end_date=timezone.localdate() + dt.timedelta(days=300),
    )
    pair.refresh_from_db()
    with pytest.raises(ValidationError, match="starts on"):
        close_both(cohort, pair)
    pair.refresh_from_db()
    assert pair.is_active
    assert not Closure.objects.exists()


def test_a_pair_cannot_close_before_it_has_met(cohort: Any, pair: Pair) -> None:
    meeting = hold_a_meeting(cohort, pair)
    # Planned, or cancelled, is not held.
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() + dt.timedelta(days=2))
    with pytest.raises(ValidationError, match="at least one meeting"):
        close_both(cohort, pair)
    Meeting.objects.filter(pk=meeting.pk).update(
        starts_at=timezone.now() - dt.timedelta(days=2), cancelled_at=timezone.now()
    )
    with pytest.raises(ValidationError, match="at least one meeting"):
        close_both(cohort, pair)
    pair.refresh_from_db()
    assert pair.is_active
    assert not Closure.objects.exists()


def test_the_closing_page_says_why_it_is_not_time_yet_and_gives_no_certificate(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    client = client_for(cohort.personas.mentee)
    page = client.get(reverse("pair_close", args=[pair.pk])).content.decode()
    assert "starts on" in page
    assert "at least one meeting" in page
    assert 'name="reflection"' not in page
    response = client.post(
        reverse("pair_close", args=[pair.pk]),
        {
            "reflection": "x",
            "continuation": "clean_end",
            "thanks": "t",
            "confirm": "on",
            "submission": uuid.uuid4(),
        },
        follow=True,
    )
    assert "at least one meeting" in response.content.decode()
    assert not Closure.objects.exists()
    assert client.get(reverse("certificate", args=[pair.pk])).status_code == 404


def test_a_manager_who_is_in_the_pair_neither_reads_nor_decides_its_waiting_story(
    client_for: Any, cohort: Any, pair: Pair
) -> None:
    mentor_also_manages(cohort)
    story = Story.objects.create(
        pair=pair, author=cohort.personas.mentee, title="My mentor and I", text="x", consent=True
    )
    stories = reverse("programme_stories", args=[cohort.programme.pk])
    as_mentor = client_for(cohort.personas.mentor)
    assert "My mentor and I" not in as_mentor.get(stories).content.decode()
    decide = as_mentor.post(
        reverse("story_decide", args=[story.pk]), {"decision": "approve", "confirm": "on"}
    )
    assert decide.status_code == 403
    story.refresh_from_db()
    assert story.status == "pending"
    assert "My mentor and I" in client_for(cohort.personas.manager).get(stories).content.decode()


def test_the_diploma_is_one_framed_landscape_page_with_the_name_programme_and_manager(
    cohort: Any, met: Pair
) -> None:
    pypdf = pytest.importorskip("pypdf")
    pair = met
    close_both(cohort, pair)
    pair.refresh_from_db()
    for side in ("mentee", "mentor"):
        pdf = pypdf.PdfReader(io.BytesIO(closure.certificate_pdf(pair=pair, side=side)))
        assert len(pdf.pages) == 1
        box = pdf.pages[0].mediabox
        # A4 landscape: 297 by 210 mm, in points.
        assert round(float(box.width)) == 842 and round(float(box.height)) == 595
        text = " ".join(pdf.pages[0].extract_text().split()).casefold()
        participant = pair.mentee if side == "mentee" else pair.mentor
        manager = pair.programme.managers.order_by("pk").first()
        assert manager is not None
        for words in (
            participant.person.full_name,
            pair.programme.name,
            pair.programme.organisation.name,
            "Programme manager",
            manager.get_full_name(),
            "Diploma" if side == "mentee" else "With thanks",
        ):
            assert words.casefold() in text
        # The reflections and thanks the pair wrote stay off the certificate.
        assert "i learned a lot" not in text and "rewarding" not in text
