"""From a programme's participants to the engine's input, and back.

The engine knows people by their HR person id (as text), the same id the
reporting forest and the participants' stated preferences use.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from mentora.accounts.models import Organisation
from mentora.core.bulk_insert import EncodedJSON
from mentora.core.forms import parse_id
from mentora.matching import Person as EnginePerson
from mentora.matching import Policy, Problem
from mentora.people.models import OrgUnit, OrgUnitKind, Person, person_name
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
    capacity_offered,
    takes_someone_new,
)
from mentora.relationships.models import Pair


@dataclass(frozen=True, slots=True)
class Entrant:
    """A participant as a round reads them: what its proposals are stored with. A round
    of 20,000 reads them as values; making as many model instances took longer than the
    matching itself."""

    pk: int
    person_id: int
    role: str
    profile: dict[str, Any]


@dataclass
class RoundInput:
    problem: Problem
    policy: Policy
    # engine id -> participant, per side
    mentees: dict[str, Entrant]
    mentors: dict[str, Entrant]


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


# Beyond this many ids, a query asks for a programme's rows and keeps the ids wanted in
# Python: a list of thousands of ids costs more to send than the rows it leaves out.
MANY_IDS = 500


def pairs_at_work(
    mentor_ids: Iterable[int], *, outside: Any = None, programme: Programme | None = None
) -> Counter[int]:
    """How many active pairs each mentor already has (leaving out those of the round
    `outside`): places taken before a round proposes anyone. Given the `programme` that
    the mentors take part in, a large round asks for its pairs rather than for thousands
    of mentors by id."""
    wanted = set(mentor_ids)
    pairs = Pair.objects.active()
    if programme is not None and len(wanted) > MANY_IDS:
        pairs = pairs.filter(mentor__programme=programme)
    else:
        pairs = pairs.filter(mentor_id__in=wanted)
    if outside is not None:
        pairs = pairs.exclude(matching_round=outside)
    return Counter(pk for pk in pairs.values_list("mentor_id", flat=True) if pk in wanted)


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
    taken = pairs_at_work((m.pk for m in mentors), programme=programme)
    free = [(mentor, mentor.mentee_capacity - taken[mentor.pk]) for mentor in mentors]
    return [(mentor, places) for mentor, places in free if places > 0]


# What a round reads of each participant and their person, in this order.
ENTRANT_VALUES = (
    "pk",
    "person_id",
    "role",
    "profile",
    "places",
    "takes_mentees",
    "available_from",
    "available_until",
    "person__first_name",
    "person__last_name",
    "person__organisation__slug",
    "person__org_unit_id",
    "person__location",
    "person__timezone",
    "person__gender",
    "person__level",
    "person__languages",
    "person__manager_id",
)


def _engine_person(
    row: tuple[Any, ...],
    *,
    units: dict[int, dict[str, str]],
    include_gender: bool,
    maximum: int,
    taken: int = 0,
    today: dt.date,
) -> EnginePerson:
    """The engine's person for one row of `ENTRANT_VALUES`."""
    (
        _pk,
        person_id,
        role,
        profile,
        places,
        takes_mentees,
        available_from,
        available_until,
        first_name,
        last_name,
        organisation,
        org_unit_id,
        location,
        time_zone,
        gender,
        level,
        languages,
        manager_id,
    ) = row
    profile = profile or {}
    unit = units.get(org_unit_id or 0, {})
    capacity = None
    if role == ParticipantRole.MENTOR:
        capacity = max(0, capacity_offered(places, profile, maximum) - taken)
        # "No more mentees", or outside the dates they gave: no place for anyone new.
        if not takes_someone_new(takes_mentees, available_from, available_until, today):
            capacity = 0
    own_id = str(person_id)
    return EnginePerson(
        id=own_id,
        name=person_name(first_name, last_name),
        organisation=organisation,
        team=unit.get("team", ""),
        department=unit.get("department", ""),
        division=unit.get("division", ""),
        location=location,
        timezone=time_zone,
        gender=gender if include_gender else "",
        level=float(level) if level is not None else None,
        languages=tuple(languages or ()),
        themes=tuple(str(t) for t in profile.get("themes") or ()),
        goals=str(profile.get("goals") or ""),
        preferences=tuple(str(p) for p in profile.get("preferences") or () if str(p) != own_id),
        exclude=tuple(str(e) for e in profile.get("exclusions") or () if parse_id(e) is not None),
        capacity=capacity,
        manager_id=str(manager_id) if manager_id else "",
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
    if participants is None and not programme.rolling:
        # Everyone ready, read once.
        chosen = _ready(programme)
    else:
        if participants is None:
            participants = default_participants(programme, today=today)
        chosen = Participant.objects.filter(pk__in=[p.pk for p in participants])
    rows = list(chosen.values_list(*ENTRANT_VALUES))
    organisation_ids = set(programme.organisation_ids())
    units = _unit_lookup(organisation_ids)
    include_gender = policy.weights.different_gender > 0
    mentees: dict[str, Entrant] = {}
    mentors: dict[str, Entrant] = {}
    mentee_rows: list[tuple[Any, ...]] = []
    mentor_rows: list[tuple[Any, ...]] = []
    for row in rows:
        entrant = Entrant(pk=row[0], person_id=row[1], role=row[2], profile=row[3] or {})
        if entrant.role == ParticipantRole.MENTEE:
            mentees[str(entrant.person_id)] = entrant
            mentee_rows.append(row)
        else:
            mentors[str(entrant.person_id)] = entrant
            mentor_rows.append(row)
    maximum = programme.max_mentees_per_mentor
    mentee_people = tuple(
        _engine_person(
            row, units=units, include_gender=include_gender, maximum=maximum, today=today
        )
        for row in mentee_rows
    )
    # A mentor already at work with a pair has that many places fewer.
    taken = pairs_at_work((p.pk for p in mentors.values()), programme=programme)
    mentor_people = tuple(
        _engine_person(
            row,
            units=units,
            include_gender=include_gender,
            maximum=maximum,
            taken=taken[row[0]],
            today=today,
        )
        for row in mentor_rows
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
    by_participant = {row[0]: str(row[1]) for row in rows}
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


def _ready(programme: Programme) -> Any:
    return Participant.objects.filter(programme=programme, status=ParticipantStatus.READY)


def default_participants(programme: Programme, *, today: dt.date) -> list[Participant]:
    """Who a round over the whole programme matches: everyone ready; in a rolling programme,
    where mentors keep mentoring while new mentees join, the ready mentees and every mentor
    with a free place."""
    ready = _ready(programme)
    if not programme.rolling:
        return list(ready)
    mentees = list(ready.filter(role=ParticipantRole.MENTEE))
    return mentees + [mentor for mentor, _free in mentors_with_free_places(programme, today=today)]


def ended_partners(
    programme: Programme, mentees: Iterable[Participant | Entrant]
) -> dict[str, frozenset[str]]:
    """For each mentee (by person id): the mentors (by person id) of their pairs in this
    programme that have ended. A match that ended is not proposed again."""
    found: dict[str, set[str]] = {}
    wanted = {p.person_id for p in mentees}
    ended = Pair.objects.filter(programme=programme, ended_at__isnull=False)
    if len(wanted) <= MANY_IDS:
        ended = ended.filter(mentee__person_id__in=wanted)
    for mentee_id, mentor_id in ended.values_list("mentee__person_id", "mentor__person_id"):
        if mentee_id in wanted:
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


class ContributionsEncoder:
    """Contributions as the JSON text of `contributions_as_json`, each distinct one encoded
    once: the proposals of a large round share a few hundred distinct contributions among
    tens of thousands, and encoding them one by one took longer than storing them."""

    def __init__(self) -> None:
        self._encoded: dict[tuple[Any, ...], str] = {}

    def __call__(self, contributions: Iterable[Any]) -> EncodedJSON:
        encoded = self._encoded
        parts = []
        for c in contributions:
            values = tuple(c.detail.values())
            # By type as well as value: 1 and 1.0 are equal keys but different JSON.
            types = tuple(map(type, values))
            if list in types:  # the themes two people share, say
                values = tuple(
                    (tuple(v), tuple(map(type, v))) if type(v) is list else v for v in values
                )
            key: tuple[Any, ...] = (
                c.criterion,
                c.points,
                type(c.points),
                c.text,
                tuple(c.detail),
                values,
                types,
            )
            try:
                part = encoded.get(key)
            except TypeError:  # a detail that cannot be a key: encoded on its own
                key, part = (), None
            if part is None:
                part = json.dumps(contributions_as_json([c])[0])
                if key:
                    encoded[key] = part
            parts.append(part)
        return EncodedJSON(f"[{', '.join(parts)}]")
