"""The cohort of the rounds tests, and what its pairs' tests set up again and again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from mentora.accounts.models import Membership, Role
from mentora.programmes.models import Programme
from mentora.relationships.models import Meeting, Pair
from mentora.relationships.services import meetings
from mentora.rounds.tests.conftest import cohort  # noqa: F401


def hold_a_meeting(cohort: Any, pair: Pair) -> Meeting:
    """The programme has started and the pair has met once."""
    Programme.objects.filter(pk=cohort.programme.pk).update(
        start_date=timezone.localdate() - dt.timedelta(days=120),
        end_date=timezone.localdate() + dt.timedelta(days=120),
    )
    meeting = meetings.meeting_schedule(
        pair=pair, actor=cohort.personas.mentee, starts_at=timezone.now() + dt.timedelta(days=1)
    )
    Meeting.objects.filter(pk=meeting.pk).update(starts_at=timezone.now() - dt.timedelta(days=9))
    pair.refresh_from_db()
    return meeting


def mentor_also_manages(cohort: Any) -> None:
    """The pair's mentor also runs programmes in the organisation."""
    Membership.objects.create(
        user=cohort.personas.mentor,
        organisation=cohort.personas.organisation,
        role=Role.PROGRAMME_MANAGER,
    )
