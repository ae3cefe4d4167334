"""Contributions of many pairs at once, the same as ``scoring.contributions_for`` gives
pair by pair.

A run explains tens of thousands of pairs, and their texts repeat: the same shared themes,
the same level gap, the same two time zones. So each criterion groups its pairs by what
its text is made of (read from the compiled columns), describes one pair of each group,
and copies that description to the others; points are rounded once per distinct value and
each pair's contributions are put in order per pattern of criteria, not one pair at a
time. Whatever cannot be grouped safely (a score that is not a finite number) goes the
pair-by-pair way.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator, Mapping, Sequence
from itertools import repeat

import numpy as np

from mentora.matching.columns import Compiled
from mentora.matching.model import Contribution, Person
from mentora.matching.scoring import CRITERIA, contributions_for, describe

Keys = Callable[
    [Compiled, Sequence[Person], Sequence[Person], np.ndarray, np.ndarray], list[np.ndarray]
]


@contextlib.contextmanager
def collection_paused() -> Iterator[None]:
    """No cyclic garbage collection inside: for building many small objects that hold no
    cycles. Left on, the collector walks every contribution built so far each time the
    allocations pass its thresholds, which took longer than building them; the garbage of
    other code waits until the block ends."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def rounded(values: np.ndarray, digits: int) -> list[float]:
    """``round(float(v), digits)`` for each value, rounding each distinct one once."""
    bits = np.ascontiguousarray(values, dtype=np.float64).view(np.int64)
    # By bit pattern, so -0.0 and 0.0 (or two NaNs) are each rounded as themselves.
    unique, inverse = np.unique(bits, return_inverse=True)
    table = [round(v, digits) for v in unique.view(np.float64).tolist()]
    return [table[k] for k in inverse.tolist()]


def contributions_one_by_one(
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
    values: Mapping[str, np.ndarray],
) -> list[tuple[Contribution, ...]]:
    """Each pair's contributions from its own row of points."""
    names = list(values)
    columns = [values[n].tolist() for n in names]
    out: list[tuple[Contribution, ...]] = []
    for k, (i, j) in enumerate(zip(ia.tolist(), jb.tolist(), strict=True)):
        row = {n: col[k] for n, col in zip(names, columns, strict=True)}
        out.append(contributions_for(mentees[i], mentors[j], row))
    return out


def contributions_of_pairs(
    compiled: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
    values: Mapping[str, np.ndarray],
) -> list[tuple[Contribution, ...]]:
    """Each pair's contributions, largest first, as ``contributions_for`` makes them."""
    n = ia.size
    columns: list[tuple[list[Contribution], np.ndarray]] = []
    points: list[np.ndarray] = []
    for name in CRITERIA:
        if name not in values:
            continue
        given = np.asarray(values[name], dtype=np.float64).reshape(n)
        kept = np.flatnonzero(~(given <= 0))
        if kept.size == 0:
            continue
        if not np.isfinite(given[kept]).all():
            return contributions_one_by_one(mentees, mentors, ia, jb, values)
        their_points = rounded(given[kept], 6)
        made = _made(name, compiled, mentees, mentors, ia[kept], jb[kept], their_points)
        at = np.full(n, -1, dtype=np.int64)
        at[kept] = np.arange(kept.size)
        shown = np.full(n, np.nan)
        shown[kept] = their_points
        columns.append((made, at))
        points.append(shown)
    return _in_order(columns, points, n)


def _in_order(
    columns: list[tuple[list[Contribution], np.ndarray]], points: list[np.ndarray], n: int
) -> list[tuple[Contribution, ...]]:
    """Per pair, its contributions by points, largest first, ties in the criteria's order
    (the columns come in that order and the sort is stable). ``columns`` holds each
    criterion's contributions and, per pair, where its own is among them."""
    out: list[tuple[Contribution, ...]] = [()] * n
    m = len(columns)
    if m == 0 or n == 0:
        return out
    table = np.stack(points, axis=1)
    shown = ~np.isnan(table)
    order = np.argsort(np.where(shown, -table, np.inf), axis=1, kind="stable")
    # Each pair's pattern (the columns it shows, in order) as one number in base m + 1.
    order = np.where(np.arange(m)[None, :] < shown.sum(axis=1)[:, None], order, m)
    code = (order * (m + 1) ** np.arange(m, dtype=np.int64)[None, :]).sum(axis=1)
    patterns, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    by_pattern = np.argsort(inverse, kind="stable")
    start = 0
    for p, end in enumerate(np.cumsum(np.bincount(inverse, minlength=patterns.size)).tolist()):
        rows = by_pattern[start:end]
        start = end
        shown_columns = [
            map(columns[c][0].__getitem__, columns[c][1][rows].tolist())
            for c in order[first[p]].tolist()
            if c < m
        ]
        if shown_columns:
            for k, row in zip(rows.tolist(), zip(*shown_columns, strict=True), strict=True):
                out[k] = row
    return out


def _made(
    name: str,
    compiled: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
    points: list[float],
) -> list[Contribution]:
    """The contributions of the pairs a criterion scores, each with its own detail dict."""
    group, first = _groups(_KEYS[name](compiled, mentees, mentors, ia, jb))
    ones = [
        describe(name, mentees[i], mentors[j])
        for i, j in zip(ia[first].tolist(), jb[first].tolist(), strict=True)
    ]
    details = [detail for detail, _ in ones]
    texts = [text for _, text in ones]
    groups = group.tolist()
    nested = any(isinstance(v, list) for detail in details for v in detail.values())
    copy: Callable[[dict[str, object]], dict[str, object]] = _fresh if nested else dict
    return list(
        map(
            Contribution,
            repeat(name),
            points,
            map(copy, map(details.__getitem__, groups)),
            map(texts.__getitem__, groups),
        )
    )


def _fresh(detail: Mapping[str, object]) -> dict[str, object]:
    """A copy that shares no list with ``detail``."""
    return {k: list(v) if isinstance(v, list) else v for k, v in detail.items()}


def _groups(keys: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Group number of each row of equal keys (compared bit for bit), and one row of
    each group."""
    group = np.zeros(keys[0].shape[0], dtype=np.int64)
    for key in keys:
        if key.dtype.kind == "f":
            key = np.ascontiguousarray(key, dtype=np.float64).view(np.int64)
        _, code = np.unique(key, return_inverse=True)
        _, group = np.unique(group * (int(code.max(initial=0)) + 1) + code, return_inverse=True)
    _, first = np.unique(group, return_index=True)
    return group, first


def _person_codes(
    people: Sequence[Person], index: np.ndarray, read: Callable[[Person], object]
) -> np.ndarray:
    """A number per distinct value read from ``people[index]``."""
    involved, at = np.unique(index, return_inverse=True)
    codes: dict[object, int] = {}
    found = [codes.setdefault(read(people[i]), len(codes)) for i in involved.tolist()]
    return np.array(found, dtype=np.int64)[at]


# What each criterion's description reads, as columns: two pairs with the same keys get
# the same detail and text.


def _theme_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    # The mentee's themes in their order, and which of them the mentor shares.
    own = _person_codes(mentees, ia, lambda p: tuple(p.themes))
    shared = c.mentees.arrays["themes"][ia] & c.mentors.arrays["themes"][jb]
    return [own, *shared.T]


def _level_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    # By type too: a level of 1 and one of 1.0 print differently.
    return [
        _person_codes(mentees, ia, lambda p: (type(p.level), p.level)),
        _person_codes(mentors, jb, lambda p: (type(p.level), p.level)),
    ]


def _code_keys(attr: str) -> Keys:
    def keys(
        c: Compiled,
        mentees: Sequence[Person],
        mentors: Sequence[Person],
        ia: np.ndarray,
        jb: np.ndarray,
    ) -> list[np.ndarray]:
        # A scored pair has both values, and equal codes are equal values.
        return [c.mentees.arrays[attr][ia], c.mentors.arrays[attr][jb]]

    return keys


def _timezone_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    # The text reads the two UTC offsets, which the columns hold.
    return [c.mentees.arrays["tz"][ia], c.mentors.arrays["tz"][jb]]


def _mentee_rank_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    return [c.mentee_rank.lookup(ia, jb, 0.0)]


def _mentor_rank_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    return [c.mentor_rank.lookup(ia, jb, 0.0)]


def _goal_keys(
    c: Compiled,
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    ia: np.ndarray,
    jb: np.ndarray,
) -> list[np.ndarray]:
    a, b = c.mentees.arrays["goals"][ia], c.mentors.arrays["goals"][jb]
    return [np.bitwise_count(a & b).sum(axis=1), np.bitwise_count(a | b).sum(axis=1)]


_KEYS: dict[str, Keys] = {
    "mentee_preference": _mentee_rank_keys,
    "mentor_preference": _mentor_rank_keys,
    "themes": _theme_keys,
    "progression": _level_keys,
    "goals": _goal_keys,
    "different_department": _code_keys("department"),
    "different_division": _code_keys("division"),
    "different_location": _code_keys("location"),
    "different_gender": _code_keys("gender"),
    "timezone_band": _timezone_keys,
}
