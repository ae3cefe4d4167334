"""A mentor's say over new mentees: the places they offer, the dates they can take someone
new, and "no more mentees". Every round and on-demand match reads them when it runs, so a
change takes effect at once; pairs already at work go on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log, values_assign, values_check
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus

AVAILABILITY_FIELDS = ("places", "available_from", "available_until", "takes_mentees")

# A participation that has ended offers nothing any more.
ENDED = (ParticipantStatus.DECLINED, ParticipantStatus.COMPLETED, ParticipantStatus.WITHDRAWN)


def availability_check(participant: Participant, values: dict[str, Any]) -> None:
    """Refuse, saying why, places or dates the mentor cannot set on this participation."""
    if participant.role != ParticipantRole.MENTOR:
        raise ValidationError(_("Only mentors offer places to mentees."), code="role")
    if participant.status in ENDED:
        raise ValidationError(_("This participation has ended."), code="ended")
    places = values.get("places", participant.places)
    maximum = participant.programme.max_mentees_per_mentor
    if places is not None and not 0 <= places <= maximum:
        raise ValidationError(
            _("Offer between 0 and %(n)s places: the programme allows %(n)s mentee(s) per mentor."),
            params={"n": maximum},
            code="places",
        )
    start: dt.date | None = values.get("available_from", participant.available_from)
    until: dt.date | None = values.get("available_until", participant.available_until)
    if start is not None and until is not None and until < start:
        raise ValidationError(
            _("The last day you are available must not come before the first."), code="dates"
        )


@transaction.atomic
def participant_availability_set(
    *, participant: Participant, actor: Any, **values: Any
) -> Participant:
    """Set a mentor's places, dates or "no more mentees" (any of `AVAILABILITY_FIELDS`);
    audited with the values that changed."""
    values_check(values, AVAILABILITY_FIELDS, what="an availability field")
    participant = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("programme")
        .get(pk=participant.pk)
    )
    availability_check(participant, values)
    changes = values_assign(participant, values, AVAILABILITY_FIELDS)
    if changes:
        participant.save(update_fields=list(changes))
        audit_log(
            actor=actor,
            action="programmes.participant.availability",
            obj=participant,
            programme=participant.programme,
            changes=changes,
        )
    return participant
