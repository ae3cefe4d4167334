"""Profiles compiled into numpy columns so rules and scores run on whole blocks of pairs.

Categorical attributes become integer codes shared by both sides (-1 = unknown); sets
(themes, languages, goal words) become bitsets in uint64 words, compared with popcount.
Goal words are hashed into 512 buckets so that a single pair scores the same whether it is
compiled alone or with everyone else.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from mentora.matching.model import Person, Problem, ProblemError
from mentora.matching.reporting import ReportingForest, build_forest, managers_map
from mentora.matching.timezones import utc_offset_hours

GOAL_WORDS = 8  # 8 x 64 = 512 hashed buckets
_TOKEN = re.compile(r"[^\W\d_]{3,}", re.UNICODE)
_STOPWORDS = frozenset(
    "the and for with that this from have want learn learning more about into how what "
    "will would like get better become being make some other their them they our your".split()
)

_CODES = ("organisation", "team", "department", "division", "location", "gender")


class SparsePairs:
    """Values attached to a sparse set of (mentee index, mentor index) pairs."""

    def __init__(
        self, rows: np.ndarray, cols: np.ndarray, values: np.ndarray, n_rows: int, n_cols: int
    ) -> None:
        keys = rows.astype(np.int64) * max(n_cols, 1) + cols.astype(np.int64)
        order = np.argsort(keys, kind="stable")
        keys = keys[order]
        values = values[order]
        # First occurrence wins for duplicates (e.g. a person listed twice).
        keep = np.ones(keys.size, dtype=bool)
        keep[1:] = keys[1:] != keys[:-1]
        self.keys = keys[keep]
        self.values = values[keep]
        self.n_cols = max(n_cols, 1)
        self.rows = self.keys // self.n_cols
        self.cols = self.keys % self.n_cols
        self.indptr = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(self.rows, minlength=n_rows), out=self.indptr[1:])

    def __len__(self) -> int:
        return int(self.keys.size)

    def lookup(self, rows: np.ndarray, cols: np.ndarray, default: float) -> np.ndarray:
        """Values for broadcast index arrays (any shape); ``default`` where absent."""
        keys = rows.astype(np.int64) * self.n_cols + cols.astype(np.int64)
        out = np.full(keys.shape, default, dtype=np.float64)
        if self.keys.size == 0:
            return out
        pos = np.searchsorted(self.keys, keys)
        pos = np.minimum(pos, self.keys.size - 1)
        hit = self.keys[pos] == keys
        out[hit] = self.values[pos[hit]]
        return out

    def block(
        self, rows: np.ndarray, cols: np.ndarray, default: float, n_cols_total: int
    ) -> np.ndarray:
        """A dense ``len(rows) x len(cols)`` block, gathering only the listed pairs."""
        out = np.full((rows.size, cols.size), default, dtype=np.float64)
        if self.keys.size == 0 or rows.size == 0:
            return out
        starts = self.indptr[rows]
        counts = self.indptr[rows + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return out
        local_row = np.repeat(np.arange(rows.size), counts)
        offsets = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        idx = np.repeat(starts, counts) + offsets
        position = np.full(n_cols_total, -1, dtype=np.int64)
        position[cols] = np.arange(cols.size)
        local_col = position[self.cols[idx]]
        ok = local_col >= 0
        out[local_row[ok], local_col[ok]] = self.values[idx[ok]]
        return out


@dataclass(eq=False)
class Side:
    """One side's columns; ``view`` indexes and shapes them for broadcasting."""

    ids: tuple[str, ...]
    arrays: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.ids)

    def view(self, index: np.ndarray, axis: int | None) -> Mapping[str, np.ndarray]:
        return _View(self.arrays, index, axis)


class _View(Mapping[str, np.ndarray]):
    """The side's arrays at ``index``, shaped for broadcasting along ``axis`` (as they are
    when None). Each is gathered when first read: a rule or criterion that is switched
    off never pays for its columns."""

    def __init__(self, arrays: dict[str, np.ndarray], index: np.ndarray, axis: int | None):
        self._arrays = arrays
        self._index = index
        self._axis = axis
        self._taken: dict[str, np.ndarray] = {}

    def __getitem__(self, name: str) -> np.ndarray:
        taken = self._taken.get(name)
        if taken is None:
            taken = self._index if name == "index" else self._arrays[name][self._index]
            if self._axis is not None:
                taken = _shape(taken, self._axis)
            self._taken[name] = taken
        return taken

    def __iter__(self) -> Iterator[str]:
        return iter(["index", *self._arrays])

    def __len__(self) -> int:
        return len(self._arrays) + 1


def per_distinct_pair(
    func: Callable[[np.ndarray, np.ndarray], np.ndarray], a: np.ndarray, b: np.ndarray
) -> np.ndarray:
    """``func(a, b)`` for an elementwise ``func``. For a block (a column of rows against a
    row of columns) with few distinct values on each side, ``func`` is worked out once per
    pair of values and looked up: the same numbers, at a fraction of the cost."""
    if a.ndim == 2 and b.ndim == 2 and a.shape[1] == 1 and b.shape[0] == 1:
        ua, ia = np.unique(a, return_inverse=True)
        ub, ib = np.unique(b, return_inverse=True)
        if ua.size * ub.size <= 4096:
            table = func(ua[:, None], ub[None, :])
            return table[ia.reshape(a.shape), ib.reshape(b.shape)]
    return func(a, b)


def _shape(arr: np.ndarray, axis: int) -> np.ndarray:
    if axis == 0:
        return arr.reshape((arr.shape[0], 1) + arr.shape[1:])
    return arr.reshape((1, arr.shape[0]) + arr.shape[1:])


@dataclass(eq=False)
class Compiled:
    mentees: Side
    mentors: Side
    competitor: np.ndarray  # (n_org + 1) square, indexed by code + 1
    mentee_rank: SparsePairs
    mentor_rank: SparsePairs
    excluded: SparsePairs
    forest: ReportingForest
    theme_names: tuple[str, ...]
    org_names: tuple[str, ...]


def goal_bits(text: str) -> np.ndarray:
    words = np.zeros(GOAL_WORDS, dtype=np.uint64)
    for token in set(_TOKEN.findall(text.lower())):
        if token in _STOPWORDS:
            continue
        bucket = zlib.crc32(token.encode("utf-8")) % (GOAL_WORDS * 64)
        words[bucket // 64] |= np.uint64(1) << np.uint64(bucket % 64)
    return words


def _bitsets(lists: Iterable[Sequence[str]], vocab: dict[str, int], n: int) -> np.ndarray:
    width = max(1, (len(vocab) + 63) // 64)
    masks = [sum({1 << vocab[item] for item in items}) for items in lists]
    out = np.zeros((n, width), dtype=np.uint64)
    for w in range(width):
        shift = 64 * w
        out[:, w] = np.array([(m >> shift) & 0xFFFFFFFFFFFFFFFF for m in masks], dtype=np.uint64)
    return out


def compile_problem(problem: Problem, *, capacity_cap: int | None = None) -> Compiled:
    """Compile profiles; raises ProblemError on a bad time zone or reporting cycle."""
    mentees, mentors = problem.mentees, problem.mentors
    everyone = list(mentees) + list(mentors)
    managers = managers_map(problem.people, ((p.id, p.manager_id) for p in everyone))
    forest = build_forest(managers)

    vocab: dict[str, dict[str, int]] = {name: {} for name in _CODES}
    for pa, pb in problem.competitors:
        for org in (pa, pb):
            vocab["organisation"].setdefault(org, len(vocab["organisation"]))
    theme_vocab: dict[str, int] = {}
    lang_vocab: dict[str, int] = {}
    person_code: dict[str, int] = {}
    for p in everyone:
        for name in _CODES:
            value = getattr(p, name)
            if value:
                vocab[name].setdefault(value, len(vocab[name]))
        for t in p.themes:
            theme_vocab.setdefault(t, len(theme_vocab))
        for lang in p.languages:
            lang_vocab.setdefault(lang, len(lang_vocab))
        person_code.setdefault(p.id, len(person_code))

    def side(people: Sequence[Person], is_mentor: bool) -> Side:
        n = len(people)
        arrays: dict[str, np.ndarray] = {}
        arrays["pid"] = np.array([person_code[p.id] for p in people], dtype=np.int64)
        for name in _CODES:
            codes = vocab[name]
            arrays[name] = np.array(
                [codes.get(getattr(p, name), -1) for p in people], dtype=np.int64
            )
        arrays["level"] = np.array(
            [np.nan if p.level is None else float(p.level) for p in people], dtype=np.float64
        )
        tz = np.full(n, np.nan)
        for i, p in enumerate(people):
            if p.timezone:
                try:
                    tz[i] = utc_offset_hours(p.timezone)
                except ValueError as exc:
                    raise ProblemError(f"{p.id}: {exc}") from exc
        arrays["tz"] = tz
        entry = np.full(n, -1, dtype=np.int64)
        exit_ = np.full(n, -1, dtype=np.int64)
        for i, p in enumerate(people):
            j = forest.index.get(p.id)
            if j is not None:
                entry[i] = forest.entry[j]
                exit_[i] = forest.exit[j]
        arrays["entry"] = entry
        arrays["exit"] = exit_
        arrays["themes"] = _bitsets((p.themes for p in people), theme_vocab, n)
        arrays["n_themes"] = np.array([len(set(p.themes)) for p in people], dtype=np.float64)
        arrays["langs"] = _bitsets((p.languages for p in people), lang_vocab, n)
        arrays["has_langs"] = np.array([bool(p.languages) for p in people], dtype=bool)
        goals = np.zeros((n, GOAL_WORDS), dtype=np.uint64)
        for i, p in enumerate(people):
            if p.goals:
                goals[i] = goal_bits(p.goals)
        arrays["goals"] = goals
        arrays["n_goals"] = np.bitwise_count(goals).sum(axis=1).astype(np.float64)
        if is_mentor:
            cap = np.array([1 if p.capacity is None else p.capacity for p in people], np.int64)
            if capacity_cap is not None:
                cap = np.minimum(cap, capacity_cap)
            arrays["capacity"] = cap
        return Side(ids=tuple(p.id for p in people), arrays=arrays)

    a = side(mentees, False)
    b = side(mentors, True)
    n_org = len(vocab["organisation"])
    competitor = np.zeros((n_org + 1, n_org + 1), dtype=bool)
    for pa, pb in problem.competitors:
        if pa == pb:
            continue
        ca, cb = vocab["organisation"][pa] + 1, vocab["organisation"][pb] + 1
        competitor[ca, cb] = competitor[cb, ca] = True

    mentee_pos = {p.id: i for i, p in enumerate(mentees)}
    mentor_pos = {p.id: j for j, p in enumerate(mentors)}
    shape = (len(mentees), len(mentors))
    mentee_rank = _sparse(_listed(mentees, "preferences", mentor_pos, mentee_side=True), shape)
    mentor_rank = _sparse(_listed(mentors, "preferences", mentee_pos, mentee_side=False), shape)
    exclusions = _listed(mentees, "exclude", mentor_pos, mentee_side=True)
    exclusions += _listed(mentors, "exclude", mentee_pos, mentee_side=False)
    excluded = _sparse([(i, j, 1.0) for i, j, _ in exclusions], shape)
    org_names = tuple(sorted(vocab["organisation"], key=vocab["organisation"].__getitem__))
    theme_names = tuple(sorted(theme_vocab, key=theme_vocab.__getitem__))
    return Compiled(
        a, b, competitor, mentee_rank, mentor_rank, excluded, forest, theme_names, org_names
    )


def _listed(
    people: Sequence[Person], attribute: str, others: dict[str, int], *, mentee_side: bool
) -> list[tuple[int, int, float]]:
    """(mentee index, mentor index, rank) for each person of the other side that a list
    names; ranks count from 1 in list order, a repeated name keeps its first place and a
    name from outside the problem still takes its place."""
    pairs: list[tuple[int, int, float]] = []
    for own, p in enumerate(people):
        for rank, other_id in enumerate(dict.fromkeys(getattr(p, attribute)), start=1):
            other = others.get(other_id)
            if other is not None:
                pairs.append((own, other, rank) if mentee_side else (other, own, rank))
    return pairs


def _sparse(pairs: list[tuple[int, int, float]], shape: tuple[int, int]) -> SparsePairs:
    return SparsePairs(
        np.asarray([i for i, _, _ in pairs], dtype=np.int64),
        np.asarray([j for _, j, _ in pairs], dtype=np.int64),
        np.asarray([value for _, _, value in pairs], dtype=np.float64),
        *shape,
    )
