"""Stable matching with capacities: mentee-proposing deferred acceptance, and a checker.

The result is the mentee-optimal stable matching (hospitals/residents with mentees as
residents). Only mutually acceptable pairs count: a mentor who did not rank a mentee (or a
mentee who did not rank a mentor) never forms a pair or a blocking pair with them.

Everything is indices and numpy arrays. A mentee's list is a run of ``Entries``: the
mentor, whether that mentor accepts them at all, and the mentor's key for them (``rank``,
then ``tie``; smaller is better, distinct per mentor). Proposals go in rounds: every free
mentee proposes to their next choice at once, and each mentor keeps the best of what they
hold and what they are offered, up to their capacity. Deferred acceptance gives the same
matching in whatever order proposals come, so the rounds find the same mentee-optimal
matching as one proposal at a time.

Lists may be revealed lazily: ``more(mentees)`` hands over the next part of the lists of
the mentees who used up theirs, once nobody else is left to propose. Revealing a list's
tail only when it is reached is the same as having had it from the start; and a mentee
matched within the revealed part prefers their mentor to everyone in the tail, so the
checker needs the proposals made only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Entries:
    """List entries: each mentee's entries together, in the mentee's order of preference."""

    mentee: np.ndarray  # int64
    mentor: np.ndarray  # int64
    accepts: np.ndarray  # bool: the mentor accepts this mentee at all
    rank: np.ndarray  # float64: the mentor's key, smaller is better
    tie: np.ndarray  # int64: breaks ties of ``rank``

    @classmethod
    def empty(cls) -> Entries:
        return cls.build([], [], [], [], [])

    @classmethod
    def build(
        cls,
        mentee: Sequence[int] | np.ndarray,
        mentor: Sequence[int] | np.ndarray,
        accepts: Sequence[bool] | np.ndarray,
        rank: Sequence[float] | np.ndarray,
        tie: Sequence[int] | np.ndarray,
    ) -> Entries:
        return cls(
            np.asarray(mentee, dtype=np.int64),
            np.asarray(mentor, dtype=np.int64),
            np.asarray(accepts, dtype=bool),
            np.asarray(rank, dtype=np.float64),
            np.asarray(tie, dtype=np.int64),
        )

    def __len__(self) -> int:
        return int(self.mentee.size)

    def take(self, index: np.ndarray) -> Entries:
        return Entries(
            self.mentee[index],
            self.mentor[index],
            self.accepts[index],
            self.rank[index],
            self.tie[index],
        )

    @classmethod
    def concat(cls, parts: Sequence[Entries]) -> Entries:
        if not parts:
            return cls.empty()
        return cls(*(np.concatenate([getattr(p, name) for p in parts]) for name in _FIELDS))


@dataclasses.dataclass(frozen=True, eq=False)
class Outcome:
    """The matching (mentor per mentee, -1 when unmatched) and every proposal made."""

    partner: np.ndarray
    proposals: Entries


# Given the mentees who used up their lists and each mentor's worst key when full, the
# next part of their lists. It may leave out mentors who would turn a mentee down anyway.
More = Callable[[np.ndarray, np.ndarray], Entries]


def defer_accept(
    *, n_mentees: int, capacity: np.ndarray, lists: Entries, more: More | None = None
) -> Outcome:
    """Mentee-proposing deferred acceptance in rounds of simultaneous proposals.

    ``lists`` holds the mentees' lists (a mentee without entries never proposes until
    ``more`` gives them some); ``capacity`` is per mentor. Mentees who reach the end of
    their list wait; when nobody else is left to propose, ``more`` is asked for the next
    part of all their lists at once (an empty answer for a mentee means there is none)."""
    capacity = np.asarray(capacity, dtype=np.int64)
    grown = _Growing(lists)
    store = lists
    pos, end = _runs(store.mentee, n_mentees)
    free = np.flatnonzero(end > pos)
    waiting: list[np.ndarray] = [np.flatnonzero(end <= pos)]
    # What each mentor holds: a block of slots per mentor, as many as their places (no
    # more than there are mentees), empty slots last; so a round reads and writes only
    # the slots of the mentors proposed to.
    places = np.minimum(np.maximum(capacity, 0), n_mentees)
    base = np.concatenate([[0], np.cumsum(places)]).astype(np.int64)
    slot_mentee = np.full(int(base[-1]), -1, dtype=np.int64)
    slot_rank = np.full(int(base[-1]), np.inf)
    slot_tie = np.full(int(base[-1]), np.iinfo(np.int64).max, dtype=np.int64)
    made: list[np.ndarray] = []  # indices into ``store`` of every proposal
    while True:
        if free.size == 0:
            stuck = np.unique(np.concatenate([np.zeros(0, dtype=np.int64), *waiting]))
            waiting = []
            if more is None or stuck.size == 0:
                break
            # The worst key each mentor holds when full (+inf while they have room):
            # proposals it does not beat are turned down now and at every later point.
            worst = np.full(places.size, np.inf)
            has_places = places > 0
            worst[has_places] = np.maximum.reduceat(slot_rank, base[:-1][has_places])
            extra = more(stuck, worst)
            if len(extra) == 0:
                break
            offset = len(store)
            store = grown.append(extra)
            new_pos, new_end = _runs(extra.mentee, n_mentees)
            got = new_end > new_pos
            pos[got] = new_pos[got] + offset
            end[got] = new_end[got] + offset
            free = np.flatnonzero(got)
            continue
        if free.size < SEQUENTIAL_BELOW:
            # Few left to propose: rounds would be mostly overhead, so the rest of their
            # chains of rejections go one proposal at a time.
            slots = _Slots(slot_mentee, slot_rank, slot_tie, base, places)
            waiting.append(_one_at_a_time(free, store, pos, end, slots, made))
            free = np.zeros(0, dtype=np.int64)
            continue
        has = pos[free] < end[free]
        if not has.all():
            waiting.append(free[~has])
            free = free[has]
            if free.size == 0:
                continue
        e = pos[free]
        pos[free] += 1
        made.append(e)
        offer = store.take(e)
        ok = offer.accepts & (places[offer.mentor] > 0)
        retry = free[~ok]
        if not ok.any():
            free = retry
            continue
        o_mentor = offer.mentor[ok]
        mentors = np.unique(o_mentor)
        n_slots = places[mentors]
        slots_at = np.repeat(base[mentors] - np.cumsum(n_slots) + n_slots, n_slots) + np.arange(
            int(n_slots.sum())
        )
        c_mentee = np.concatenate([slot_mentee[slots_at], offer.mentee[ok]])
        c_mentor = np.concatenate([np.repeat(mentors, n_slots), o_mentor])
        c_rank = np.concatenate([slot_rank[slots_at], offer.rank[ok]])
        c_tie = np.concatenate([slot_tie[slots_at], offer.tie[ok]])
        order = np.lexsort((c_tie, c_rank, c_mentor))
        # Each mentor's slots, then their offers: sorted, the first ``places`` stay.
        counts = np.bincount(np.searchsorted(mentors, c_mentor), minlength=mentors.size)
        first = np.cumsum(counts) - counts
        place = np.arange(order.size) - np.repeat(first, counts)
        stays = place < np.repeat(n_slots, counts)
        keep = order[stays]
        slot_mentee[slots_at] = c_mentee[keep]
        slot_rank[slots_at] = c_rank[keep]
        slot_tie[slots_at] = c_tie[keep]
        out_mentee = c_mentee[order[~stays]]
        free = np.concatenate([retry, out_mentee[out_mentee >= 0]])
    held = slot_mentee >= 0
    held_mentee = slot_mentee[held]
    held_mentor = np.repeat(np.arange(places.size), places)[held]
    partner = np.full(n_mentees, -1, dtype=np.int64)
    partner[held_mentee] = held_mentor
    proposals = store.take(np.concatenate([np.zeros(0, dtype=np.int64), *made]))
    return Outcome(partner, proposals)


class _Growing:
    """Entries that grow by appending, in arrays that double when full: appending the
    lazily revealed tails copies each entry a bounded number of times, not once per part."""

    def __init__(self, first: Entries) -> None:
        self._parts = [np.array(getattr(first, name)) for name in _FIELDS]
        self._size = len(first)

    def append(self, extra: Entries) -> Entries:
        size = self._size + len(extra)
        if size > self._parts[0].size:
            room = max(size, 2 * self._parts[0].size)
            for k, old in enumerate(self._parts):
                grown = np.empty(room, dtype=old.dtype)
                grown[: self._size] = old[: self._size]
                self._parts[k] = grown
        for part, name in zip(self._parts, _FIELDS, strict=True):
            part[self._size : size] = getattr(extra, name)
        self._size = size
        return Entries(*(part[:size] for part in self._parts))


_FIELDS = ("mentee", "mentor", "accepts", "rank", "tie")


# Below this many free mentees a round of numpy calls costs more than proposing one at a
# time in Python.
SEQUENTIAL_BELOW = 48


@dataclasses.dataclass(frozen=True, eq=False)
class _Slots:
    mentee: np.ndarray
    rank: np.ndarray
    tie: np.ndarray
    base: np.ndarray
    places: np.ndarray


def _one_at_a_time(
    free: np.ndarray,
    store: Entries,
    pos: np.ndarray,
    end: np.ndarray,
    slots: _Slots,
    made: list[np.ndarray],
) -> np.ndarray:
    """Deferred acceptance one proposal at a time from ``free`` until nobody is left to
    propose; updates ``pos`` and the slots in place and returns who reached the end of
    their list. Slots need not stay sorted: the rounds sort what they read."""
    mentor, accepts, rank, tie = store.mentor, store.accepts, store.rank, store.tie
    s_mentee, s_rank, s_tie = slots.mentee, slots.rank, slots.tie
    stack = free.tolist()
    done: list[int] = []
    proposals: list[int] = []
    while stack:
        i = stack.pop()
        while True:
            e = int(pos[i])
            if e >= end[i]:
                done.append(i)
                break
            pos[i] = e + 1
            proposals.append(e)
            j = int(mentor[e])
            n = int(slots.places[j])
            if n <= 0 or not accepts[e]:
                continue
            start = int(slots.base[j])
            # The worst held (an empty slot is worse than anyone).
            worst = start
            for k in range(start + 1, start + n):
                if (s_rank[k], s_tie[k]) > (s_rank[worst], s_tie[worst]):
                    worst = k
            key = (rank[e], tie[e])
            if key >= (s_rank[worst], s_tie[worst]):
                continue
            out = int(s_mentee[worst])
            s_mentee[worst], s_rank[worst], s_tie[worst] = i, key[0], key[1]
            if out >= 0:
                i = out
                continue
            break
    made.append(np.array(proposals, dtype=np.int64))
    return np.array(done, dtype=np.int64)


def _runs(mentee: np.ndarray, n_mentees: int) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each mentee's run of entries (empty where there is none)."""
    counts = np.bincount(mentee, minlength=n_mentees)
    end = np.cumsum(counts)
    start = end - counts
    if mentee.size and np.any(mentee[1:] < mentee[:-1]):
        raise ValueError("entries must be grouped by mentee in ascending order")
    return start.astype(np.int64), end.astype(np.int64)


def unstable(*, partner: np.ndarray, capacity: np.ndarray, proposals: Entries) -> np.ndarray:
    """Indices of proposals that form blocking pairs, checked afresh from the matching.

    A mentee's proposals are every entry up to and including their mentor (all of them
    when unmatched); each one before their mentor is a pair the mentee would rather have.
    It blocks when the mentor accepts the mentee and has room or holds someone worse."""
    capacity = np.asarray(capacity, dtype=np.int64)
    matched = partner[proposals.mentee] == proposals.mentor
    # The key each mentor has for the mentees they hold, and the worst of those per mentor.
    held = proposals.take(np.flatnonzero(matched & proposals.accepts))
    order = np.lexsort((held.tie, held.rank, held.mentor))
    held = held.take(order)
    count = np.bincount(held.mentor, minlength=capacity.size)
    last = np.flatnonzero(np.append(held.mentor[1:] != held.mentor[:-1], len(held) > 0))
    worst_rank = np.full(capacity.size, np.inf)
    worst_tie = np.full(capacity.size, np.iinfo(np.int64).max)
    worst_rank[held.mentor[last]] = held.rank[last]
    worst_tie[held.mentor[last]] = held.tie[last]
    j = proposals.mentor
    room = count[j] < capacity[j]
    worse = (proposals.rank < worst_rank[j]) | (
        (proposals.rank == worst_rank[j]) & (proposals.tie < worst_tie[j])
    )
    blocking = ~matched & proposals.accepts & (capacity[j] > 0) & (room | worse)
    return np.flatnonzero(blocking)


def _ranked(
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> tuple[list[str], list[str], Entries, np.ndarray]:
    """Rank lists as indices: mentee ids, mentor ids, the entries and capacities."""
    mentees = list(mentee_prefs)
    mentors = list(dict.fromkeys([*capacities, *mentor_prefs]))
    for prefs in mentee_prefs.values():
        mentors.extend(m for m in prefs if m not in mentors)
    mentor_pos = {m: j for j, m in enumerate(mentors)}
    ranks = {
        m: {e: r for r, e in enumerate(dict.fromkeys(prefs))} for m, prefs in mentor_prefs.items()
    }
    rows: list[tuple[int, int, bool, float]] = []
    for i, (e, prefs) in enumerate(mentee_prefs.items()):
        for m in dict.fromkeys(prefs):
            r = ranks.get(m, {}).get(e)
            rows.append((i, mentor_pos[m], r is not None, float(r if r is not None else 0)))
    entries = Entries.build(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        [r[3] for r in rows],
        [0] * len(rows),
    )
    capacity = np.array([capacities.get(m, 1) for m in mentors], dtype=np.int64)
    return mentees, mentors, entries, capacity


def deferred_acceptance(
    *,
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> dict[str, str]:
    """Mentee-optimal stable matching of rank lists; mentee id -> mentor id when matched."""
    mentees, mentors, entries, capacity = _ranked(mentee_prefs, mentor_prefs, capacities)
    outcome = defer_accept(n_mentees=len(mentees), capacity=capacity, lists=entries)
    return {mentees[i]: mentors[j] for i, j in enumerate(outcome.partner.tolist()) if j >= 0}


def blocking_pairs(
    *,
    assignment: Mapping[str, str],
    mentee_prefs: Mapping[str, Sequence[str]],
    mentor_prefs: Mapping[str, Sequence[str]],
    capacities: Mapping[str, int],
) -> list[tuple[str, str]]:
    """Every mutually ranked pair that would both rather be together (checked afresh)."""
    mentees, mentors, entries, capacity = _ranked(mentee_prefs, mentor_prefs, capacities)
    mentor_pos = {m: j for j, m in enumerate(mentors)}
    partner = np.array([mentor_pos.get(assignment.get(e, ""), -1) for e in mentees], np.int64)
    # A mentee's list up to their mentor: what they would rather have, and the mentor.
    at = partner[entries.mentee] == entries.mentor
    first_at = np.full(len(mentees), np.iinfo(np.int64).max)
    np.minimum.at(first_at, entries.mentee[at], np.flatnonzero(at))
    upto = np.arange(len(entries)) <= first_at[entries.mentee]
    proposals = entries.take(np.flatnonzero(upto))
    found = unstable(partner=partner, capacity=capacity, proposals=proposals)
    return sorted(
        (mentees[int(proposals.mentee[k])], mentors[int(proposals.mentor[k])]) for k in found
    )
