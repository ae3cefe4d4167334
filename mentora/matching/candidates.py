"""Candidate generation: block by hard rules, score in numpy chunks, keep the top k.

Up to ``exhaustive_pairs_limit`` pairs every mentee is scored against every mentor. Above
it a dense scan is out of reach (180,000 x 90,000 pairs), so mentees are grouped by their
first learning theme and time zone and each small chunk of a group is scored against its own
seeded sample of mentors who mostly share that theme and sit in a compatible time zone: the
top k are then the best of that sample, not of everyone. A mentee's own ranked choices are
always kept, and every mentor keeps at least ``min_candidates_per_mentor`` arcs where any
feasible mentee exists.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from mentora.matching.columns import Compiled
from mentora.matching.model import ProgressCallback
from mentora.matching.policy import Policy
from mentora.matching.pruning import left_out_codes, next_best_pruned, other_points
from mentora.matching.rules import infeasible, too_far_apart
from mentora.matching.scoring import criterion_values, score_pairs, total_score
from mentora.matching.timezones import circular_gaps

BLOCK_ELEMENTS = 1_000_000
WORKERS = max(1, min(4, os.cpu_count() or 1))
# Up to this many next mentors per row, scanning by shared themes first beats scoring
# every mentor: on the stable benchmark's first tails (limit 20) it takes a quarter less
# time, while from 40 on most levels are needed and it costs more than the plain scan.
PRUNE_LIMIT = 20


@dataclasses.dataclass(frozen=True, eq=False)
class CandidateGraph:
    """Feasible arcs sorted by mentee, best score first."""

    mentee: np.ndarray
    mentor: np.ndarray
    score: np.ndarray
    n_mentees: int
    n_mentors: int

    def __len__(self) -> int:
        return int(self.mentee.size)


@dataclasses.dataclass(frozen=True, eq=False)
class _Block:
    """Scored arcs of one block: each mentee's arcs form one run, best first."""

    mentee: np.ndarray
    mentor: np.ndarray
    score: np.ndarray


def score_block(c: Compiled, policy: Policy, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Scores of a rows x cols block with ``-inf`` where a hard rule is broken."""
    a = c.mentees.view(rows, 0)
    b = c.mentors.view(cols, 1)
    n_b = len(c.mentors)
    excl = c.excluded.block(rows, cols, 0.0, n_b) > 0 if len(c.excluded) else None
    bad = infeasible(c, a, b, policy.constraints, excl)
    ra = c.mentee_rank.block(rows, cols, 0.0, n_b) if len(c.mentee_rank) else None
    rb = c.mentor_rank.block(rows, cols, 0.0, n_b) if len(c.mentor_rank) else None
    values = criterion_values(a, b, policy.weights, policy.bands, ra, rb)
    total = total_score(values, (rows.size, cols.size))
    total[bad] = -np.inf
    return total


def next_best(
    c: Compiled,
    policy: Policy,
    rows: np.ndarray,
    cols: np.ndarray,
    after: Sequence[tuple[float, int] | None],
    skip: Sequence[np.ndarray],
    limit: int,
    floor: np.ndarray | None = None,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For each row, its next ``limit`` feasible columns of ``cols`` (sorted) in the order
    best score first, then lowest column: those after ``after[r]`` (a score and column
    already handed out, or None), leaving out the columns in ``skip[r]``, and, where
    ``floor`` is given (per column), the pairs scoring below their column's floor: the
    caller does not want them (and columns whose floor is above ``after[r]``'s score need
    not be scored at all). Returns the
    columns and scores per row. Under a time-zone rule each zone's rows are scored only
    against the columns that rule lets them meet (the others are infeasible anyway), in
    blocks on every core; the answer does not depend on the threads."""
    out: list[tuple[np.ndarray, np.ndarray]] = [(cols[:0], np.zeros(0))] * rows.size
    # Each zone's columns already keep the time-zone rule (an unknown zone never breaks
    # it), so the blocks need not check it again.
    zoned = dataclasses.replace(
        policy, constraints=dataclasses.replace(policy.constraints, max_timezone_gap_hours=None)
    )

    rest = other_points(c, zoned)

    def block(
        at: np.ndarray, zone_cols: np.ndarray, col_floor: np.ndarray | None
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        best = np.array([np.inf if after[r] is None else after[r][0] for r in at.tolist()])
        col = np.array([-1 if after[r] is None else after[r][1] for r in at.tolist()])
        if rest is not None and limit <= PRUNE_LIMIT:
            left_out = [skip[r] for r in at.tolist()]
            return next_best_pruned(
                c, zoned, rest, rows[at], zone_cols, best, col, left_out, limit, col_floor
            )
        score = score_block(c, zoned, rows[at], zone_cols)
        ok = np.isfinite(score)
        if col_floor is not None:
            ok &= score >= col_floor[None, :]
        ok &= (score < best[:, None]) | (
            (score == best[:, None]) & (zone_cols[None, :] > col[:, None])
        )
        # The columns to leave out, as positions in this block.
        ok.reshape(-1)[left_out_codes([skip[r] for r in at.tolist()], zone_cols)] = False
        value = np.where(ok, score, -np.inf)
        count = ok.sum(axis=1)
        if limit < zone_cols.size and np.any(count > limit):
            # Keep every column strictly above the limit-th best score, then fill from its
            # ties in column order.
            t = -np.partition(-value, limit - 1, axis=1)[:, limit - 1]
            above = ok & (value > t[:, None])
            tied = ok & (value == t[:, None])
            need = limit - above.sum(axis=1)
            ok = np.where(
                (count > limit)[:, None],
                above | (tied & (np.cumsum(tied, axis=1) <= need[:, None])),
                ok,
            )
        r_idx, c_idx = np.nonzero(ok)
        v = value[r_idx, c_idx]
        order = np.lexsort((c_idx, -v, r_idx))
        r_idx, c_idx, v = r_idx[order], c_idx[order], v[order]
        bounds = np.searchsorted(r_idx, np.arange(at.size + 1))
        return [
            (zone_cols[c_idx[a:b]], v[a:b])
            for a, b in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True)
        ]

    ceiling = np.array([np.inf if a is None else a[0] for a in after], dtype=np.float64)
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        futures = []
        for at_zone, zone_cols in _zones(c, policy, np.arange(rows.size), cols, rows):
            zone_floor = None
            if floor is not None:
                zone_floor = floor[np.searchsorted(cols, zone_cols)]
                # Rows by their last score, so that a block's rows want similar columns.
                at_zone = at_zone[np.argsort(ceiling[at_zone], kind="stable")]
            start = 0
            while start < at_zone.size:
                at, block_cols = _rows_block(at_zone[start:], zone_cols, zone_floor, ceiling)
                start += at.size
                if block_cols.size:
                    block_floor = None
                    if floor is not None:
                        block_floor = floor[np.searchsorted(cols, block_cols)]
                    futures.append((at, pool.submit(block, at, block_cols, block_floor)))
        for at, future in futures:
            for r, answer in zip(at.tolist(), future.result(), strict=True):
                out[r] = answer
    return out


def _rows_block(
    at: np.ndarray, cols: np.ndarray, floor: np.ndarray | None, ceiling: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The next block of rows (ordered by ceiling) and the columns they want: about
    ``BLOCK_ELEMENTS`` pairs, never more than the rows' columns allow."""
    if floor is None:
        return at[: max(1, BLOCK_ELEMENTS // max(cols.size, 1))], cols
    # As many rows as the first row's columns allow; their columns only grow with the
    # ceiling, so shrink the rows until the block fits.
    size = max(1, BLOCK_ELEMENTS // max(int((floor <= ceiling[at[0]]).sum()), 1))
    while True:
        rows = at[:size]
        wanted = cols[floor <= ceiling[rows].max()]
        if size == 1 or rows.size * wanted.size <= BLOCK_ELEMENTS:
            return rows, wanted
        size = max(1, BLOCK_ELEMENTS // max(wanted.size, 1))


def pairs_feasible(c: Compiled, policy: Policy, ia: np.ndarray, jb: np.ndarray) -> np.ndarray:
    a = c.mentees.view(ia, None)
    b = c.mentors.view(jb, None)
    excl = c.excluded.lookup(ia, jb, 0.0) > 0 if len(c.excluded) else None
    bad = infeasible(c, a, b, policy.constraints, excl)
    return ~np.broadcast_to(bad, ia.shape)


def _top(total: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows, columns and values of the best k finite entries per row (all when k == 0),
    row by row and best first within a row (ties in the order of selection). Sorting each
    row of the block is cheaper than sorting the gathered entries by value, then by row."""
    if k and k < total.shape[1]:
        cols = np.argpartition(-total, k - 1, axis=1)[:, :k]
        order = np.argsort(-np.take_along_axis(total, cols, axis=1), axis=1, kind="stable")
        cols = np.take_along_axis(cols, order, axis=1)
    else:
        cols = np.argsort(-total, axis=1, kind="stable")
    values = np.take_along_axis(total, cols, axis=1)
    keep = np.isfinite(values)
    rows = np.broadcast_to(np.arange(total.shape[0])[:, None], cols.shape)[keep]
    return rows, cols[keep], values[keep]


def _groups(
    c: Compiled,
    policy: Policy,
    mentees: np.ndarray,
    mentor_capacity: np.ndarray,
    rng: np.random.Generator,
    pool: int,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(mentee rows, mentor pool) per group of mentees sharing first theme and time zone."""
    themes_a = c.mentees.arrays["themes"][mentees]
    first = np.full(mentees.size, -1, dtype=np.int64)
    for w in range(themes_a.shape[1] - 1, -1, -1):
        word = themes_a[:, w]
        low = word & (~word + np.uint64(1))
        nz = word != 0
        bit = np.zeros(word.size, dtype=np.int64)
        bit[nz] = np.log2(low[nz].astype(np.float64)).astype(np.int64) + 64 * w
        first = np.where(nz, bit, first)
    gap = policy.constraints.max_timezone_gap_hours
    tz_a = c.mentees.arrays["tz"][mentees]
    # An unknown zone is a group of its own (-999), with or without a time-zone rule.
    known = np.round(tz_a * 2) / 2 if gap is not None else np.zeros_like(tz_a)
    tz_key = np.where(np.isnan(tz_a), -999.0, known)
    keys = np.stack([first, (tz_key * 2).astype(np.int64)], axis=1)
    uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
    order = np.argsort(inverse.ravel(), kind="stable")
    bounds = np.searchsorted(inverse.ravel()[order], np.arange(uniq.shape[0] + 1))
    mentor_themes = c.mentors.arrays["themes"]
    # The mentors' zones are few: each group measures its gap to each zone once.
    zones_b, zone_of_b = np.unique(c.mentors.arrays["tz"], return_inverse=True)
    unknown_b = np.isnan(c.mentors.arrays["tz"])
    open_b = mentor_capacity > 0
    chunk = max(16, pool // 4)
    for g in range(uniq.shape[0]):
        rows = mentees[order[bounds[g] : bounds[g + 1]]]
        theme, tzk = int(uniq[g, 0]), uniq[g, 1] / 2.0
        ok = open_b.copy()
        if gap is not None and tzk > -900:
            ok &= unknown_b | (circular_gaps(zones_b, tzk) <= gap + 0.5)[zone_of_b]
        if theme >= 0:
            has = (mentor_themes[:, theme // 64] >> np.uint64(theme % 64)) & np.uint64(1)
            preferred = np.flatnonzero(ok & (has == 1))
        else:
            preferred = np.flatnonzero(ok)
        rest = np.flatnonzero(ok)
        take = min(preferred.size, pool * 3 // 4 if theme >= 0 else pool)
        extra = min(rest.size, pool - take)
        # A fresh sample per small chunk spreads a large group over many mentors instead of
        # letting it compete for one pool's places.
        for start in range(0, rows.size, chunk):
            chosen = rng.choice(preferred, size=take, replace=False) if take else preferred[:0]
            filler = rng.choice(rest, size=extra, replace=False) if extra else rest[:0]
            yield rows[start : start + chunk], np.unique(np.concatenate([chosen, filler]))


def _zones(
    c: Compiled,
    policy: Policy,
    mentees: np.ndarray,
    open_mentors: np.ndarray,
    rows: np.ndarray | None = None,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(mentee rows, mentor columns) for the exhaustive scan. Under a time-zone rule the
    mentees go by time zone, each zone against only the mentors the rule lets it meet:
    every other pair is infeasible anyway, and with a 3-hour rule over a world-wide
    organisation that skips most of the scoring. With ``rows``, ``mentees`` are positions
    in it (what is yielded too), and the zones are those of the mentees ``rows`` names."""
    gap = policy.constraints.max_timezone_gap_hours
    if gap is None or mentees.size == 0:
        if mentees.size:
            yield mentees, open_mentors
        return
    tz_a = c.mentees.arrays["tz"][mentees if rows is None else rows[mentees]]
    tz_b = c.mentors.arrays["tz"][open_mentors]
    key = np.where(np.isnan(tz_a), np.inf, tz_a)  # unknown zones meet everyone
    order = np.argsort(key, kind="stable")
    zones, starts = np.unique(key[order], return_index=True)
    ends = np.append(starts[1:], order.size)
    for zone, start, end in zip(zones.tolist(), starts.tolist(), ends.tolist(), strict=True):
        cols = open_mentors
        if zone != np.inf:
            cols = open_mentors[~too_far_apart(tz_b, zone, gap)]
        if cols.size:
            yield mentees[order[start:end]], cols


def generate(
    c: Compiled,
    policy: Policy,
    *,
    mentees: np.ndarray,
    mentor_capacity: np.ndarray,
    progress: ProgressCallback | None = None,
) -> CandidateGraph:
    """Candidate arcs for the given (free) mentees towards mentors with capacity left."""
    m = policy.matching
    k = m.candidates_per_mentee
    n_a, n_b = len(c.mentees), len(c.mentors)
    open_mentors = np.flatnonzero(mentor_capacity > 0)
    rng = np.random.default_rng(m.seed)
    exhaustive = mentees.size * open_mentors.size <= m.exhaustive_pairs_limit

    def blocks() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        if exhaustive:
            for rows_all, cols in _zones(c, policy, mentees, open_mentors):
                chunk = max(1, BLOCK_ELEMENTS // max(cols.size, 1))
                for start in range(0, rows_all.size, chunk):
                    yield rows_all[start : start + chunk], cols
            return
        # Samples are drawn here, in order, so the result does not depend on the threads.
        pool = m.pool_size or max(4 * k, 400)
        for rows_all, pool_cols in _groups(c, policy, mentees, mentor_capacity, rng, pool):
            chunk = max(1, BLOCK_ELEMENTS // max(pool_cols.size, 1))
            for start in range(0, rows_all.size, chunk):
                yield rows_all[start : start + chunk], pool_cols

    def block(rows: np.ndarray, cols: np.ndarray) -> _Block:
        # Sorted here, in parallel: best first within each mentee's run.
        r, q, s = _top(score_block(c, policy, rows, cols), k)
        return _Block(rows[r].astype(np.int32), cols[q].astype(np.int32), s)

    # numpy releases the GIL in the heavy loops, so threads use the spare cores while this
    # thread draws the next samples; results are collected in block order (deterministic).
    scored: list[_Block] = []
    with ThreadPoolExecutor(max_workers=WORKERS) as pool_exec:
        futures = [(rows.size, pool_exec.submit(block, rows, cols)) for rows, cols in blocks()]
        done = 0
        for size, future in futures:
            scored.append(future.result())
            done += size
            if progress:
                progress("candidates", 0.9 * done / max(mentees.size, 1))
        del futures

    # A mentee's own ranked choices stay candidates whatever their score.
    extra: list[_Block] = []
    if len(c.mentee_rank):
        free = np.zeros(n_a, dtype=bool)
        free[mentees] = True
        sel = free[c.mentee_rank.rows] & (mentor_capacity[c.mentee_rank.cols] > 0)
        ia, jb = c.mentee_rank.rows[sel], c.mentee_rank.cols[sel]
        ok = pairs_feasible(c, policy, ia, jb)
        scores, _ = score_pairs(c, ia[ok], jb[ok], policy.weights, policy.bands)
        extra.append(_Block(ia[ok], jb[ok], scores))

    if extra:
        graph = _assemble(
            [b.mentee for b in scored + extra],
            [b.mentor for b in scored + extra],
            [b.score for b in scored + extra],
            n_a,
            n_b,
        )
    else:
        graph = _assemble_runs(scored, n_a, n_b)
    del scored, extra

    # No mentor may be left without arcs just because others outscored them everywhere.
    need = m.min_candidates_per_mentor
    if need and mentees.size and (k or not exhaustive):
        counts = np.bincount(graph.mentor, minlength=n_b)
        lonely = open_mentors[counts[open_mentors] < need]
        if lonely.size:
            pool_rows = mentees
            if mentees.size * lonely.size > m.exhaustive_pairs_limit:
                size = min(mentees.size, max(4 * need, 2000))
                pool_rows = np.sort(rng.choice(mentees, size=size, replace=False))
            chunk = max(1, BLOCK_ELEMENTS // max(pool_rows.size, 1))
            extra_i: list[np.ndarray] = []
            extra_j: list[np.ndarray] = []
            extra_s: list[np.ndarray] = []
            for start in range(0, lonely.size, chunk):
                cols = lonely[start : start + chunk]
                total = score_block(c, policy, pool_rows, cols).T
                r, q, s = _top(total, need)
                extra_i.append(pool_rows[q])
                extra_j.append(cols[r])
                extra_s.append(s)
            graph = _merge(graph, _assemble(extra_i, extra_j, extra_s, n_a, n_b), lonely)
    _return_freed_memory()
    if progress:
        progress("candidates", 1.0)
    return graph


def _return_freed_memory() -> None:
    """Hand the memory freed by the scoring threads back to the system. glibc keeps each
    thread's arena after the block arrays in it are freed (about 350 MB in the large
    benchmark), which would otherwise sit under the solver's peak. Where there is no
    ``malloc_trim`` (other C libraries), nothing happens."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, TypeError):  # no glibc, or no process handle
        return
    trim(0)


def _assemble(
    parts_i: list[np.ndarray],
    parts_j: list[np.ndarray],
    parts_s: list[np.ndarray],
    n_a: int,
    n_b: int,
) -> CandidateGraph:
    """Arcs from any number of parts: duplicates dropped, sorted by mentee, best first."""
    if parts_i:
        i = np.concatenate(parts_i).astype(np.int64, copy=False)
        j = np.concatenate(parts_j).astype(np.int64, copy=False)
        s = np.concatenate(parts_s).astype(np.float64, copy=False)
    else:
        i = j = np.zeros(0, dtype=np.int64)
        s = np.zeros(0, dtype=np.float64)
    key = i * max(n_b, 1) + j
    _, first = np.unique(key, return_index=True)
    i, j, s = i[first], j[first], s[first]
    # Two stable passes (score, then mentee) are much faster than a three-key lexsort.
    order = np.argsort(-s, kind="stable")
    order = order[np.argsort(i[order], kind="stable")]
    # int32 indices halve the memory of the largest arrays in a big run.
    return CandidateGraph(i[order].astype(np.int32), j[order].astype(np.int32), s[order], n_a, n_b)


def _assemble_runs(blocks: list[_Block], n_a: int, n_b: int) -> CandidateGraph:
    """Blocks in which every mentee appears once, as one run, moved whole to their places:
    no sort, no concatenation, block-sized passes that stay in cache. Falls back to
    ``_assemble`` if some mentee's arcs are split over blocks."""
    if not blocks:
        return _assemble([], [], [], n_a, n_b)
    degree = np.zeros(n_a, dtype=np.int64)
    runs: list[tuple[np.ndarray, np.ndarray]] = []
    for b in blocks:
        starts = np.flatnonzero(b.mentee[1:] != b.mentee[:-1]) + 1
        starts = np.concatenate([np.zeros(min(1, b.mentee.size), dtype=np.int64), starts])
        lengths = np.diff(np.append(starts, b.mentee.size))
        runs.append((starts, lengths))
        degree[b.mentee[starts]] += lengths
    if sum(r[0].size for r in runs) != np.count_nonzero(degree):
        return _assemble(
            [b.mentee for b in blocks],
            [b.mentor for b in blocks],
            [b.score for b in blocks],
            n_a,
            n_b,
        )
    firsts = [int(b.mentee[0]) for b in blocks if b.mentee.size]
    lasts = [int(b.mentee[-1]) for b in blocks if b.mentee.size]
    if all(np.all(np.diff(b.mentee) >= 0) for b in blocks) and all(
        last < first for last, first in zip(lasts, firsts[1:], strict=False)
    ):
        # Blocks of consecutive mentees (the exhaustive scan): already in place.
        graph = CandidateGraph(
            np.concatenate([b.mentee for b in blocks]),
            np.concatenate([b.mentor for b in blocks]),
            np.concatenate([b.score for b in blocks]),
            n_a,
            n_b,
        )
        blocks.clear()
        return graph
    offset = np.cumsum(degree) - degree
    total = int(degree.sum())
    mentee = np.empty(total, dtype=np.int32)
    mentor = np.empty(total, dtype=np.int32)
    score = np.empty(total, dtype=np.float64)
    # Consumed from the end so each block is freed once placed: a lower peak in big runs.
    blocks.reverse()
    runs.reverse()
    while blocks:
        b, (starts, lengths) = blocks.pop(), runs.pop()
        # Destination of each arc: its mentee's offset plus its place within the run.
        dest = np.repeat(offset[b.mentee[starts]] - starts, lengths)
        dest += np.arange(b.mentee.size)
        mentee[dest] = b.mentee
        mentor[dest] = b.mentor
        score[dest] = b.score
    return CandidateGraph(mentee, mentor, score, n_a, n_b)


def _merge(graph: CandidateGraph, extra: CandidateGraph, lonely: np.ndarray) -> CandidateGraph:
    """Add a few arcs to a sorted graph without re-sorting all of it."""
    if len(extra) == 0:
        return graph
    n_b = max(graph.n_mentors, 1)
    is_lonely = np.zeros(n_b, dtype=bool)
    is_lonely[lonely] = True
    touched = np.flatnonzero(is_lonely[graph.mentor])
    known = graph.mentee[touched].astype(np.int64) * n_b + graph.mentor[touched]
    new = ~np.isin(extra.mentee.astype(np.int64) * n_b + extra.mentor, known)
    e_i, e_j, e_s = extra.mentee[new], extra.mentor[new], extra.score[new]
    if e_i.size == 0:
        return graph
    # Insert each new arc after the mentee's arcs that score at least as much.
    positions = np.empty(e_i.size, dtype=np.int64)
    lo = np.searchsorted(graph.mentee, e_i, side="left")
    hi = np.searchsorted(graph.mentee, e_i, side="right")
    for k, (a, b, value) in enumerate(zip(lo.tolist(), hi.tolist(), e_s.tolist(), strict=True)):
        positions[k] = a + int(np.searchsorted(-graph.score[a:b], -value, side="right"))
    order = np.lexsort((-e_s, positions))
    positions, e_i, e_j, e_s = positions[order], e_i[order], e_j[order], e_s[order]
    return CandidateGraph(
        np.insert(graph.mentee, positions, e_i),
        np.insert(graph.mentor, positions, e_j),
        np.insert(graph.score, positions, e_s),
        graph.n_mentees,
        graph.n_mentors,
    )


def from_explicit(
    mentee: np.ndarray, mentor: np.ndarray, score: np.ndarray, n_a: int, n_b: int
) -> CandidateGraph:
    return _assemble([mentee], [mentor], [score], n_a, n_b)
