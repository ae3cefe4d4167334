"""Consents given on the pages of the apps below are recorded as they are given: a story
submitted, a member's consent to a recording, an expert joining the network, anyone
joining a programme (who may then be asked for follow-up surveys)."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_save

from mentora.privacy.models import ConsentPurpose
from mentora.programmes.models import Participant, ProgrammeKind
from mentora.relationships.models import Recording, Story
from mentora.surveys import services as survey_services


def _story_saved(sender: Any, instance: Story, created: bool, **kwargs: Any) -> None:
    from mentora.privacy.services import consent_record

    if not created or kwargs.get("raw"):
        return
    pair = instance.pair
    author = pair.mentee if pair.mentee.user_id == instance.author_id else pair.mentor
    consent_record(
        person=author.person,
        purpose=ConsentPurpose.STORY,
        programme=pair.programme,
        story=instance,
    )


def _recording_saved(sender: Any, instance: Recording, **kwargs: Any) -> None:
    from mentora.privacy.services import consent_record

    if kwargs.get("raw"):
        return
    pair = instance.meeting.pair
    for side in ("mentee", "mentor"):
        if getattr(instance, f"{side}_consent_at") is not None:
            member = getattr(pair, side)
            consent_record(
                person=member.person,
                purpose=ConsentPurpose.RECORDING,
                programme=pair.programme,
                recording=instance,
            )


def _participant_saved(sender: Any, instance: Participant, created: bool, **kwargs: Any) -> None:
    from mentora.privacy.services import consent_record

    if not created or kwargs.get("raw"):
        return
    programme = instance.programme
    expert = programme.kind == ProgrammeKind.EXPERT_NETWORK and instance.role == "mentor"
    purpose = ConsentPurpose.EXPERT_NETWORK if expert else ConsentPurpose.FOLLOW_UP_SURVEYS
    consent_record(person=instance.person, purpose=purpose, programme=programme)


def _survey_refusers(programme: Any) -> set[int]:
    from mentora.privacy.services import survey_refusers

    return survey_refusers(programme)


def connect() -> None:
    post_save.connect(_story_saved, sender=Story, dispatch_uid="privacy_story_consent")
    post_save.connect(_recording_saved, sender=Recording, dispatch_uid="privacy_recording")
    post_save.connect(_participant_saved, sender=Participant, dispatch_uid="privacy_participant")
    if _survey_refusers not in survey_services.INVITEE_EXCLUSIONS:
        survey_services.INVITEE_EXCLUSIONS.append(_survey_refusers)
