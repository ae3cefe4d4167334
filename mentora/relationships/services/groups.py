"""Peer groups and mentoring groups: forming them, publishing them."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.programmes.models import (
    Programme,
)
from mentora.relationships import tasks
from mentora.relationships.models import (
    GroupKind,
    PeerGroup,
)


@transaction.atomic
def groups_publish(*, programme: Programme, kind: str, actor: Any) -> int:
    """Publish the draft groups of a kind and tell every member who is in their group."""

    drafts = list(PeerGroup.objects.filter(programme=programme, kind=kind, published=False))
    if not drafts:
        raise ValidationError(_("There are no draft groups to publish."))
    for group in drafts:
        group.published = True
        group.save(update_fields=["published"])
        transaction.on_commit(partial(tasks.send_group_welcome.enqueue, group.pk))
    audit_log(
        actor=actor,
        action="relationships.groups.publish",
        obj=programme,
        organisation=programme.organisation,
        changes={"kind": kind, "groups": len(drafts)},
    )
    return len(drafts)


def mentoring_groups_create(*, programme: Programme, pairs: list[Any]) -> list[PeerGroup]:
    """In a group programme, a mentor and the mentees just matched with them form a group."""
    by_mentor: dict[int, list[Any]] = {}
    for pair in pairs:
        by_mentor.setdefault(pair.mentor_id, []).append(pair)
    start = (
        PeerGroup.objects.filter(programme=programme, kind=GroupKind.MENTORING)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
        or 0
    )
    created = []
    for offset, mentor_pairs in enumerate(by_mentor.values(), start=1):
        group = PeerGroup.objects.create(
            programme=programme, kind=GroupKind.MENTORING, number=start + offset, published=True
        )
        group.members.set([mentor_pairs[0].mentor] + [p.mentee for p in mentor_pairs])
        created.append(group)
    return created
