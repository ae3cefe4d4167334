"""Groups formed by the engine's groups mode: diverse peer groups, mentor supervision groups
and action-learning groups, each member never breaking a hard rule with another."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import form_groups
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
)
from mentora.relationships.models import (
    GroupKind,
    PeerGroup,
)
from mentora.rounds.problem import build_input

# Who is grouped for each kind of group.
ROLE_FOR: dict[str, str] = {
    GroupKind.MENTEE_PEERS: ParticipantRole.MENTEE,
    GroupKind.ACTION_LEARNING: ParticipantRole.MENTEE,
    GroupKind.MENTOR_SUPERVISION: ParticipantRole.MENTOR,
}

ELIGIBLE = [ParticipantStatus.READY, ParticipantStatus.MATCHED, ParticipantStatus.ACTIVE]


@transaction.atomic
def groups_form(
    *, programme: Programme, kind: str, min_size: int, max_size: int, actor: Any
) -> tuple[list[PeerGroup], list[Participant]]:
    """Form diverse groups that never break a hard rule between two members; replaces the
    unpublished groups of that kind. Returns the groups and who could not be placed."""
    if kind not in ROLE_FOR:
        raise ValidationError(_("Choose a kind of peer group."))
    if not 2 <= min_size <= max_size <= 12:
        raise ValidationError(_("Group sizes run from 2 to 12, the smallest first."))
    people = list(
        Participant.objects.filter(programme=programme, role=ROLE_FOR[kind], status__in=ELIGIBLE)
    )
    if len(people) < min_size:
        raise ValidationError(_("There are too few participants to form a group."))
    data = build_input(programme, participants=people)
    side = data.mentees if ROLE_FOR[kind] == ParticipantRole.MENTEE else data.mentors
    members = (
        data.problem.mentees if ROLE_FOR[kind] == ParticipantRole.MENTEE else (data.problem.mentors)
    )
    policy = dataclasses.replace(
        data.policy,
        groups=dataclasses.replace(
            data.policy.groups,
            min_size=min_size,
            max_size=max_size,
            one_per_organisation=kind == GroupKind.ACTION_LEARNING,
        ),
    )
    groups, left_out = form_groups(members=members, policy=policy, problem=data.problem)
    PeerGroup.objects.filter(programme=programme, kind=kind, published=False).delete()
    start = (
        PeerGroup.objects.filter(programme=programme, kind=kind)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    created = []
    for offset, group in enumerate(groups, start=1):
        peer_group = PeerGroup.objects.create(
            programme=programme, kind=kind, number=start + offset, explanation=group.explanation
        )
        peer_group.members.set([side[member_id].pk for member_id in group.member_ids])
        created.append(peer_group)
    audit_log(
        actor=actor,
        action="relationships.groups.form",
        obj=programme,
        organisation=programme.organisation,
        changes={"kind": kind, "groups": len(created), "left_out": len(left_out)},
    )
    by_pk = {participant.pk: participant for participant in people}
    return created, [by_pk[side[item.mentee_id].pk] for item in left_out]
