"""Leaving the organisation: when a person's HR leave date arrives, their participations
end, their pairs close with a neutral cause, and their partners and programme managers
are told. Run daily; running it again changes nothing."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.people.models import Person
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus
from mentora.programmes.services import pipeline
from mentora.relationships import tasks
from mentora.relationships.models import Pair, PairEndCause
from mentora.relationships.services.closure import pair_ended_emit


def leave_dates_apply(*, today: dt.date | None = None) -> int:
    """End the open participations of everyone whose leave date has come (today or
    earlier). A leave date still ahead does nothing yet, so a date an HR import moves
    later simply takes effect later. Returns how many participations ended."""
    today = today or timezone.localdate()
    people = (
        Person.objects.filter(
            leave_date__lte=today, participations__status__in=pipeline.OPEN_STATUSES
        )
        .order_by("pk")
        .distinct()
        .values_list("pk", flat=True)
    )
    return sum(person_leave(person_id=pk, today=today) for pk in list(people))


@transaction.atomic
def person_leave(*, person_id: int, today: dt.date) -> int:
    """End one person's open participations if their leave date has come: each active
    pair they are in closes with the cause "left the organisation", a partner who was
    matched goes back to the pool to be matched again, and the partner and the
    programme's managers are told. Returns how many participations ended."""
    person = Person.objects.select_for_update().get(pk=person_id)
    # Read under the lock: an import may have moved the date since the list was made.
    if person.leave_date is None or person.leave_date > today:
        return 0
    ended = 0
    participations = Participant.objects.filter(
        person=person, status__in=pipeline.OPEN_STATUSES
    ).select_related("programme")
    for participant in participations:
        for pair in Pair.objects.active().filter(Q(mentee=participant) | Q(mentor=participant)):
            _pair_close(pair, leaver=participant)
        if pipeline.participant_leave(
            participant=participant, note=_("Left the organisation (HR leave date).")
        ):
            ended += 1
            transaction.on_commit(partial(tasks.send_participant_left.enqueue, participant.pk))
    return ended


def _pair_close(pair: Pair, *, leaver: Participant) -> None:
    """Close the pair with a neutral cause; the partner who was matched may be matched
    again, and hears about it kindly."""
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    is_mentee = pair.mentee_id == leaver.pk
    pair.ended_at = timezone.now()
    pair.ended_by = None
    pair.end_cause = PairEndCause.MENTEE_LEFT if is_mentee else PairEndCause.MENTOR_LEFT
    pair.save(update_fields=["ended_at", "ended_by", "end_cause"])
    partner = Participant.objects.get(pk=pair.mentor_id if is_mentee else pair.mentee_id)
    # A mentor with other active pairs keeps their status; anyone else who was matched
    # goes back to the pool.
    others = Pair.objects.active().filter(mentor=partner).exists()
    if partner.status == ParticipantStatus.MATCHED and not (
        partner.role == ParticipantRole.MENTOR and others
    ):
        pipeline.participant_transition(
            participant=partner,
            to_status=ParticipantStatus.READY,
            actor=None,
            note=_("The match ended because the partner left the organisation."),
            mail=False,
        )
    audit_log(
        actor=None,
        action="relationships.pair.end",
        obj=pair,
        programme=pair.programme,
        changes={"cause": pair.end_cause},
    )
    pair_ended_emit(pair=pair, completed=False)
    transaction.on_commit(partial(tasks.send_partner_left.enqueue, pair.pk))
