"""Consents are recorded as they are given, listed on one page, and withdrawing one takes
effect at once."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from mentora.core.models import AuditEntry
from mentora.privacy import services as privacy_services
from mentora.privacy.models import Consent, ConsentPurpose
from mentora.programmes.models import Participant, ParticipantStatus
from mentora.programmes.services import design
from mentora.relationships.models import Meeting, Pair, Recording, Story, StoryStatus
from mentora.relationships.services import closure
from mentora.relationships.tests.test_workspace import SECRET, meeting, pair  # noqa: F401
from mentora.rounds.tests.conftest import cohort  # noqa: F401
from mentora.surveys import services as survey_services
from mentora.surveys.models import Instrument, Survey

pytestmark = pytest.mark.django_db


def _withdraw(client: Any, consent: Consent) -> Any:
    return client.post(reverse("consent_withdraw", args=[consent.pk]))


def test_withdrawing_consent_to_a_story_takes_it_down(
    cohort: Any, pair: Pair, client_for: Any
) -> None:
    story = closure.story_submit(
        pair=pair, actor=cohort.personas.mentee, title="Ours", text=SECRET, consent=True
    )
    closure.story_decide(story=story, actor=cohort.personas.manager, approve=True)
    consent = Consent.objects.get(story=story)
    assert (consent.person, consent.purpose) == (cohort.junior.person, ConsentPurpose.STORY)
    # The other member of the pair cannot withdraw it for the author.
    assert _withdraw(client_for(cohort.personas.mentor), consent).status_code == 404
    assert Story.objects.get(pk=story.pk).status == StoryStatus.APPROVED
    response = _withdraw(client_for(cohort.personas.mentee), consent)
    assert response.status_code == 302
    assert Story.objects.get(pk=story.pk).status == StoryStatus.DECLINED
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    entry = AuditEntry.objects.get(action="privacy.consent.withdraw")
    assert entry.object_id == str(consent.pk) and SECRET not in str(entry.changes)
    # Withdrawing twice is refused, and changes nothing.
    _withdraw(client_for(cohort.personas.mentee), consent)
    assert AuditEntry.objects.filter(action="privacy.consent.withdraw").count() == 1


def test_withdrawing_consent_to_a_recording_deletes_it_with_its_file(
    cohort: Any, pair: Pair, meeting: Meeting, client_for: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    recording = Recording.objects.create(
        meeting=meeting,
        delete_on=timezone.localdate() + dt.timedelta(days=30),
        mentee_consent_at=timezone.now(),
        mentor_consent_at=timezone.now(),
    )
    recording.file.save("talk.mp3", ContentFile(b"audio"))
    path = recording.file.path
    consent = Consent.objects.get(recording=recording, person=cohort.mo.person)
    with TestCase.captureOnCommitCallbacks(execute=True):
        _withdraw(client_for(cohort.personas.mentor), consent)
    recording.refresh_from_db()
    assert recording.deleted_at is not None and not recording.file
    assert recording.mentor_consent_at is None and recording.mentee_consent_at is not None
    assert not tmp_path.joinpath(path).exists()


def test_an_expert_who_withdraws_leaves_the_network(cohort: Any, client_for: Any) -> None:
    network = design.programme_create(
        organisation=cohort.personas.organisation,
        actor=cohort.personas.manager,
        name="Experts",
        purpose="Experts.",
        kind="expert_network",
        rolling=True,
        start_date=timezone.localdate(),
    )
    expert = Participant.objects.create(
        programme=network,
        person=cohort.mo.person,
        user=cohort.personas.mentor,
        role="mentor",
        status="ready",
        profile={"themes": ["energy"]},
    )
    consent = Consent.objects.get(programme=network, purpose=ConsentPurpose.EXPERT_NETWORK)
    page = client_for(cohort.personas.mentor).get(reverse("my_consents")).content.decode()
    assert "Appearing in the expert network" in page and "Experts" in page
    _withdraw(client_for(cohort.personas.mentor), consent)
    expert.refresh_from_db()
    assert expert.status == ParticipantStatus.WITHDRAWN
    # His participation in the mentoring programme is untouched.
    assert Participant.objects.get(pk=cohort.mo.pk).status == "ready"


def test_follow_up_surveys_are_no_longer_sent_after_withdrawal(
    cohort: Any, client_for: Any
) -> None:
    instrument = Instrument.objects.create(
        name="Ours", source="programme", programme=cohort.programme, licence_name="Own"
    )
    now = timezone.now()
    survey = Survey.objects.create(
        programme=cohort.programme,
        instrument=instrument,
        wave="end",
        roles=["mentee"],
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=15),
    )
    survey_services._invite_missing(survey)
    invited = set(survey.invitations.values_list("person_id", flat=True))
    assert cohort.junior.person_id in invited
    consent = Consent.objects.get(
        programme=cohort.programme,
        person=cohort.junior.person,
        purpose=ConsentPurpose.FOLLOW_UP_SURVEYS,
    )
    _withdraw(client_for(cohort.personas.mentee), consent)
    assert not survey.invitations.filter(person=cohort.junior.person).exists()
    # Asking again while the survey is open does not bring them back...
    assert survey_services._invite_missing(survey) == 0
    assert not survey.invitations.filter(person=cohort.junior.person).exists()
    # ...until they give their consent again.
    privacy_services.consent_give(
        person=cohort.junior.person,
        purpose=ConsentPurpose.FOLLOW_UP_SURVEYS,
        programme=cohort.programme,
        actor=cohort.personas.mentee,
    )
    assert survey_services._invite_missing(survey) == 1


def test_the_consents_page_lists_only_ones_own(cohort: Any, client_for: Any) -> None:
    page = client_for(cohort.personas.mentee).get(reverse("my_consents")).content.decode()
    assert "Graduates 2027" in page and "follow-up surveys" in page
    empty = client_for(cohort.personas.sponsor).get(reverse("my_consents")).content.decode()
    assert "No consents" in empty
    anonymous = client_for(None).get(reverse("my_consents"))
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
