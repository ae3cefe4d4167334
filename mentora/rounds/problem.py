"""From a programme's participants to the engine's input, and back.

The engine knows people by their HR person id (as text), the same id the
reporting forest and the participants' stated preferences use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from mentora.accounts.models import Organisation
from mentora.core.forms import parse_id
from mentora.matching import Person as EnginePerson
from mentora.matching import Policy, Problem
from mentora.people.models import OrgUnit, OrgUnitKind, Person
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus, Programme
from mentora.relationships.models import Pair


@dataclass
class RoundInput:
    problem: Problem
    policy: Policy
    # engine id -> participant, per side
    mentees: dict[str, Participant]
    mentors: dict[str, Participant]


def _unit_lookup(organisation_ids: Iterable[int]) -> dict[int, dict[str, str]]:
    """For each unit: the ids of its team, department and division (itself or above)."""
    units = {
        pk: (parent, kind)
        for pk, parent, kind in OrgUnit.objects.filter(
            organisation_id__in=list(organisation_ids)
        ).values_list("pk", "parent_id", "kind")
    }
    names: dict[str, str] = {
        OrgUnitKind.TEAM: "team",
        OrgUnitKind.DEPARTMENT: "department",
        OrgUnitKind.DIVISION: "division",
    }
    lookup: dict[int, dict[str, str]] = {}
    for pk in units:
        found: dict[str, str] = {}
        current: int | None = pk
        seen: set[int] = set()
        while current is not None and current not in seen:
            seen.add(current)
            parent, kind = units[current]
            key = names.get(kind)
            if key and key not in found:
                found[key] = f"u{current}"
            current = parent
        lookup[pk] = found
    return lookup


def pairs_at_work(mentor_ids: Iterable[int], *, outside: Any = None) -> Counter[int]:
    """How many active pairs each mentor already has (leaving out those of the round
    `outside`): places taken before a round proposes anyone."""
    pairs = Pair.objects.active().filter(mentor_id__in=list(mentor_ids))
    if outside is not None:
        pairs = pairs.exclude(matching_round=outside)
    return Counter(pairs.values_list("mentor_id", flat=True))


# A mentor in one of these may take one more mentee while they have a free place.
MENTOR_POOL_STATUSES = (
    ParticipantStatus.READY,
    ParticipantStatus.MATCHED,
    ParticipantStatus.ACTIVE,
)


def mentors_with_free_places(
    programme: Programme, *, today: dt.date | None = None
) -> list[tuple[Participant, int]]:
    """The programme's mentors who could take one more mentee on `today`, each with their
    free places: ready or already at work, available that day (not "no more mentees", within
    their dates), and with fewer pairs at work than the places they offer."""
    today = today or timezone.localdate()
    mentors = [
        mentor
        for mentor in Participant.objects.filter(
            programme=programme, role=ParticipantRole.MENTOR, status__in=MENTOR_POOL_STATUSES
        ).select_related("programme", "person")
        if mentor.available_on(today)
    ]
    taken = pairs_at_work(m.pk for m in mentors)
    free = [(mentor, mentor.mentee_capacity - taken[mentor.pk]) for mentor in mentors]
    return [(mentor, places) for mentor, places in free if places > 0]


def engine_person(
    participant: Participant,
    *,
    units: dict[int, dict[str, str]],
    include_gender: bool,
    taken: int = 0,
    today: dt.date | None = None,
) -> EnginePerson:
    person = participant.person
    profile = participant.profile or {}
    unit = units.get(person.org_unit_id or 0, {})
    capacity = None
    if participant.role == ParticipantRole.MENTOR:
        capacity = max(0, participant.mentee_capacity - taken)
        # "No more mentees", or outside the dates they gave: no place for anyone new.
        if not participant.available_on(today or timezone.localdate()):
            capacity = 0
    own_id = str(person.pk)
    return EnginePerson(
        id=own_id,
        name=person.full_name,
        organisation=person.organisation.slug,
        team=unit.get("team", ""),
        department=unit.get("department", ""),
        division=unit.get("division", ""),
        location=person.location,
        timezone=person.timezone,
        gender=person.gender if include_gender else "",
        level=float(person.level) if person.level is not None else None,
        languages=tuple(person.languages or ()),
        themes=tuple(str(t) for t in profile.get("themes") or ()),
        goals=str(profile.get("goals") or ""),
        preferences=tuple(str(p) for p in profile.get("preferences") or () if str(p) != own_id),
        exclude=tuple(str(e) for e in profile.get("exclusions") or () if parse_id(e) is not None),
        capacity=capacity,
        manager_id=str(person.manager_id) if person.manager_id else "",
    )


def build_input(
    programme: Programme,
    *,
    participants: Iterable[Participant] | None = None,
    locks: Iterable[tuple[int, int]] = (),
    today: dt.date | None = None,
) -> RoundInput:
    """The engine's problem for `participants` (default: those ready to match; in a rolling
    programme, the ready mentees and every mentor with a free place), as of `today`."""
    policy = Policy.from_dict(programme.matching_policy)
    today = today or timezone.localdate()
    if participants is None:
        participants = default_participants(programme, today=today)
    chosen = list(
        Participant.objects.filter(pk__in=[p.pk for p in participants]).select_related(
            "person__organisation", "programme"
        )
    )
    organisation_ids = set(programme.organisation_ids())
    units = _unit_lookup(organisation_ids)
    include_gender = policy.weights.different_gender > 0
    mentees: dict[str, Participant] = {}
    mentors: dict[str, Participant] = {}
    for participant in chosen:
        side = mentees if participant.role == ParticipantRole.MENTEE else mentors
        side[str(participant.person_id)] = participant
    mentee_people = tuple(
        engine_person(p, units=units, include_gender=include_gender) for p in mentees.values()
    )
    # A mentor already at work with a pair has that many places fewer.
    taken = pairs_at_work(p.pk for p in mentors.values())
    mentor_people = tuple(
        engine_person(p, units=units, include_gender=include_gender, taken=taken[p.pk], today=today)
        for p in mentors.values()
    )
    ended = ended_partners(programme, mentees.values())
    if ended:
        mentee_people, mentor_people, policy = _keep_ended_pairs_apart(
            mentee_people, mentor_people, policy, ended
        )
    # The whole reporting forest of the organisations, people outside the programme included.
    forest = tuple(
        (str(pk), str(manager) if manager else "")
        for pk, manager in Person.objects.filter(organisation_id__in=organisation_ids).values_list(
            "pk", "manager_id"
        )
    )
    competitors = _competitor_pairs(organisation_ids)
    by_participant = {p.pk: str(p.person_id) for p in chosen}
    lock_ids = tuple(
        (by_participant[mentee], by_participant[mentor])
        for mentee, mentor in locks
        if mentee in by_participant
        and mentor in by_participant
        and by_participant[mentor] not in ended.get(by_participant[mentee], ())
    )
    problem = Problem(
        mentees=mentee_people,
        mentors=mentor_people,
        people=forest,
        competitors=competitors,
        locks=lock_ids,
    )
    return RoundInput(problem=problem, policy=policy, mentees=mentees, mentors=mentors)


def default_participants(programme: Programme, *, today: dt.date) -> list[Participant]:
    """Who a round over the whole programme matches: everyone ready; in a rolling programme,
    where mentors keep mentoring while new mentees join, the ready mentees and every mentor
    with a free place."""
    ready = Participant.objects.filter(programme=programme, status=ParticipantStatus.READY)
    if not programme.rolling:
        return list(ready)
    mentees = list(ready.filter(role=ParticipantRole.MENTEE))
    return mentees + [mentor for mentor, _free in mentors_with_free_places(programme, today=today)]


def ended_partners(
    programme: Programme, mentees: Iterable[Participant]
) -> dict[str, frozenset[str]]:
    """For each mentee (by person id): the mentors (by person id) of their pairs in this
    programme that have ended. A match that ended is not proposed again."""
    found: dict[str, set[str]] = {}
    for mentee_id, mentor_id in Pair.objects.filter(
        programme=programme,
        ended_at__isnull=False,
        mentee__person_id__in=[p.person_id for p in mentees],
    ).values_list("mentee__person_id", "mentor__person_id"):
        found.setdefault(str(mentee_id), set()).add(str(mentor_id))
    return {mentee: frozenset(mentors) for mentee, mentors in found.items()}


def _keep_ended_pairs_apart(
    mentees: tuple[EnginePerson, ...],
    mentors: tuple[EnginePerson, ...],
    policy: Policy,
    ended: dict[str, frozenset[str]],
) -> tuple[tuple[EnginePerson, ...], tuple[EnginePerson, ...], Policy]:
    """Exclude every ended pair through the engine's exclusion rule. A programme that
    ignores participants' own exclusions still never repeats an ended pair: their own
    exclusions are then left out and only the ended pairs are excluded."""
    own = policy.constraints.exclude

    def mentee(p: EnginePerson) -> EnginePerson:
        stated = p.exclude if own else ()
        extra = tuple(sorted(ended.get(p.id, frozenset()) - set(stated)))
        return dataclasses.replace(p, exclude=stated + extra)

    def mentor(p: EnginePerson) -> EnginePerson:
        return p if own else dataclasses.replace(p, exclude=())

    policy = dataclasses.replace(
        policy, constraints=dataclasses.replace(policy.constraints, exclude=True)
    )
    return tuple(mentee(p) for p in mentees), tuple(mentor(p) for p in mentors), policy


def _competitor_pairs(organisation_ids: set[int]) -> tuple[tuple[str, str], ...]:

    pairs = set()
    for organisation in Organisation.objects.filter(pk__in=organisation_ids).prefetch_related(
        "competitors"
    ):
        for other in organisation.competitors.all():
            if other.pk in organisation_ids:
                pairs.add(tuple(sorted((organisation.slug, other.slug))))
    return tuple(sorted(pairs))  # type: ignore[arg-type]


def contributions_as_json(contributions: Iterable[Any]) -> list[dict[str, Any]]:
    return [
        {"criterion": c.criterion, "points": c.points, "detail": dict(c.detail), "text": c.text}
        for c in contributions
    ]
