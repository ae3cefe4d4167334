"""Optimal assignment as a min-cost flow, with an independent optimality certificate.

Network: source -> mentee (capacity 1) -> mentor (arc per candidate) -> sink (capacity =
free places), plus a source -> sink bypass for unmatched mentees. A matched arc costs
``-(M + w)`` where ``w`` is the score as an integer (``integer_weights``) shifted to be
at least 1 and ``M = n_max * max(w)``: one more matched mentee always outweighs any
difference in score, so cardinality comes first and score second, exactly.

With fairness bounds, mentees hang off one node per organisation (source -> org arc with
lower/upper bounds on matched mentees), and mentors feed one node per organisation (org ->
sink arc with bounds on the organisation's mentor load). A lower bound on an
organisation's used mentors gives each of its mentors a first-place arc (capacity 1) into
one more organisation node whose arc on carries the bound: every unit there is a distinct
mentor in use. Lower bounds are removed by the usual supply shift. An upper bound on used
mentors is not a flow constraint; those runs go to ``capped.solve_capped``.

The certificate does not trust the solver: it re-checks capacities and flow conservation,
then runs Bellman-Ford on the residual graph; a min-cost flow is optimal exactly when its
residual graph has no negative cycle.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike
from ortools.graph.python import min_cost_flow

from mentora.matching.candidates import CandidateGraph
from mentora.matching.model import MAX_CAPACITY, ProblemError, ProgressCallback

_SOURCE, _SINK = 0, 1
_COST_LIMIT = 2**62


class InfeasibleError(ProblemError):
    """No flow meets the bounds and locks on the network solved."""


@dataclass(frozen=True, eq=False)
class Bounds:
    """Lower/upper bounds per organisation code, already net of locked pairs.

    ``mentee_org`` and ``mentor_org`` give each person's organisation code. ``used_*``
    bound the organisation's mentors who take someone, counting only mentors without a
    locked pair (``unlocked``): those with one are in use already."""

    mentee_org: np.ndarray
    mentor_org: np.ndarray
    mentee_low: dict[int, int]
    mentee_high: dict[int, int]
    load_low: dict[int, int]
    load_high: dict[int, int]
    used_low: dict[int, int] = field(default_factory=dict)
    used_high: dict[int, int] = field(default_factory=dict)
    unlocked: np.ndarray | None = None


@dataclass(frozen=True, eq=False)
class Network:
    tail: np.ndarray
    head: np.ndarray
    capacity: np.ndarray
    cost: np.ndarray
    lower: np.ndarray
    supply: np.ndarray
    pair_offset: int
    n_pairs: int
    mentee0: int
    mentor0: int
    big_m: int = 0
    # True when the last arc is the only source -> sink bypass and no bounds shift supplies:
    # then "most flow first, then least cost" reaches the big-M optimum without the bonus.
    plain: bool = False


@dataclass(frozen=True, eq=False)
class FlowResult:
    chosen: np.ndarray  # indices of chosen candidate arcs
    certified: bool
    cost: int


def integer_weights(score: np.ndarray, resolution: float) -> np.ndarray:
    """Scores as positive integers that order every sum of pair scores exactly as the
    scores do, shifted so the smallest is 1.

    Where every score sits on a grid of ``1/d`` no finer than ``resolution`` (whole
    numbers, halves, thirds, hundredths), the unit is that grid: exact, and a smaller
    cost range, which the cost-scaling solver repays with fewer phases. Otherwise scores
    are rounded to units of ``resolution``. A common factor of the differences is divided
    out as well. Shifting and dividing are exact because every matching compared has the
    same number of pairs (cardinality comes first)."""
    if score.size == 0:
        return np.zeros(0, dtype=np.int64)
    d = score_grid(score, resolution)
    # In place where possible: fresh arrays of millions of arcs cost more than the arithmetic.
    scaled = np.multiply(score, d) if d else np.divide(score, resolution)
    if max(scaled.max(), -scaled.min()) > 2**52:
        raise ProblemError("scores too large for matching.score_resolution; raise it")
    np.rint(scaled, out=scaled)
    q = scaled.astype(np.int64)
    del scaled
    q -= q.min()
    step = int(np.gcd.reduce(np.unique(q[:: max(1, q.size // _GRID_SAMPLE)])))
    if step > 1 and not np.any(q % step):
        q //= step
    q += 1
    return q


_GRID_SAMPLE = 4096
# Far above the float noise of a sum of weighted criteria (about 1e-15 relative), far
# below any difference a score is meant to express.
_GRID_TOLERANCE = 1e-11
# Finer grids are left to ``resolution``, whose units hold them exactly when they divide.
_GRID_LIMIT = 1000
_GRID_CHUNK = 100


def score_grid(score: np.ndarray, resolution: float) -> int:
    """The smallest ``d`` with ``1/d`` no finer than ``resolution`` such that every score
    is a whole multiple of ``1/d`` (up to float noise in sums of weights); 0 when none is.

    Candidates come from a strided sample; the first that fits is checked on every score
    in slices, and values that break it join the sample for the next try."""
    limit = min(_GRID_LIMIT, int(np.floor(1.0 / resolution + 1e-9)))
    if limit < 1 or not np.all(np.isfinite(score)):
        return 0
    sample = np.unique(score[:: max(1, score.size // _GRID_SAMPLE)])
    for _ in range(4):
        d = _first_grid(sample, limit)
        if not d:
            return 0
        off = [part[~_on_grid(part * d)] for part in np.array_split(score, 1 + score.size // 2**20)]
        misfits = np.concatenate(off)
        if misfits.size == 0:
            return int(d)
        sample = np.union1d(sample, misfits[:_GRID_SAMPLE])
    return 0


def _first_grid(sample: np.ndarray, limit: int) -> float:
    """The smallest d <= limit that puts every sampled score on the 1/d grid, or 0; tried
    a chunk of grids at a time, which bounds the temporary arrays."""
    for low in range(1, limit + 1, _GRID_CHUNK):
        grids = np.arange(low, min(limit, low + _GRID_CHUNK - 1) + 1, dtype=np.float64)
        fits = _on_grid(sample[None, :] * grids[:, None]).all(axis=1)
        if fits.any():
            return float(grids[int(np.argmax(fits))])
    return 0.0


def _on_grid(values: np.ndarray) -> np.ndarray:
    return np.abs(values - np.rint(values)) <= _GRID_TOLERANCE * np.maximum(1.0, np.abs(values))


def lexicographic_m(w: np.ndarray, n_mentees: int, capacity: np.ndarray) -> int:
    """A bonus per matched pair large enough that cardinality always comes first."""
    n_max = int(min(n_mentees, int(capacity.sum())))
    return max(1, n_max) * int(w.max() if w.size else 1)


def build_network(
    graph: CandidateGraph,
    capacity: np.ndarray,
    *,
    resolution: float,
    bounds: Bounds | None = None,
    weights: np.ndarray | None = None,
    big_m: int | None = None,
) -> Network:
    n_a, n_b = graph.n_mentees, graph.n_mentors
    w = integer_weights(graph.score, resolution) if weights is None else weights
    active = np.flatnonzero(np.bincount(graph.mentee, minlength=graph.n_mentees))
    if big_m is None:
        big_m = lexicographic_m(w, active.size, capacity)
    orgs_a = sorted(set(bounds.mentee_low) | set(bounds.mentee_high)) if bounds else []
    orgs_b = sorted(set(bounds.load_low) | set(bounds.load_high)) if bounds else []
    orgs_u = sorted(bounds.used_low) if bounds else []
    base_a = 2
    base_b = base_a + len(orgs_a)
    base_u = base_b + len(orgs_b)
    mentee0 = base_u + len(orgs_u)
    mentor0 = mentee0 + n_a
    n_nodes = mentor0 + n_b
    tails: list[np.ndarray] = []
    heads: list[np.ndarray] = []
    caps: list[np.ndarray] = []
    costs: list[np.ndarray] = []
    lows: list[np.ndarray] = []

    def add(
        t: ArrayLike,
        h: ArrayLike,
        cap: ArrayLike,
        cost: ArrayLike,
        low: ArrayLike | None = None,
    ) -> None:
        tails.append(np.asarray(t, dtype=np.int32))
        heads.append(np.asarray(h, dtype=np.int32))
        caps.append(np.asarray(cap, dtype=np.int32))
        costs.append(np.asarray(cost, dtype=np.int64))
        lows.append(
            np.zeros(len(tails[-1]), np.int32) if low is None else np.asarray(low, np.int32)
        )

    # Source side.
    from_node = np.full(active.size, _SOURCE, dtype=np.int64)
    if orgs_a and bounds is not None:
        org_node = {org: base_a + k for k, org in enumerate(orgs_a)}
        codes = bounds.mentee_org[active]
        for org, node in org_node.items():
            from_node[codes == org] = node
        lo = [bounds.mentee_low.get(o, 0) for o in orgs_a]
        hi = [bounds.mentee_high.get(o, active.size) for o in orgs_a]
        add(np.full(len(orgs_a), _SOURCE), list(org_node.values()), hi, np.zeros(len(orgs_a)), lo)
    add(from_node, active + mentee0, np.ones(active.size), np.zeros(active.size))
    pair_offset = sum(len(t) for t in tails)
    add(graph.mentee + mentee0, graph.mentor + mentor0, np.ones(len(graph)), -(big_m + w))
    # Sink side.
    to_node = np.full(n_b, _SINK, dtype=np.int64)
    if orgs_b and bounds is not None:
        org_node_b = {org: base_b + k for k, org in enumerate(orgs_b)}
        for org, node in org_node_b.items():
            to_node[bounds.mentor_org == org] = node
        total = min(int(capacity.sum()), MAX_CAPACITY)  # arc capacities are 32-bit
        lo = [bounds.load_low.get(o, 0) for o in orgs_b]
        hi = [bounds.load_high.get(o, total) for o in orgs_b]
        add(list(org_node_b.values()), np.full(len(orgs_b), _SINK), hi, np.zeros(len(orgs_b)), lo)
    used = np.flatnonzero(capacity > 0)
    first = np.zeros(n_b, dtype=np.int64)
    if orgs_u and bounds is not None:
        # One first place per unlocked mentor of the organisation, through its used node.
        for k, org in enumerate(orgs_u):
            mine = used[bounds.mentor_org[used] == org]
            if bounds.unlocked is not None:
                mine = mine[bounds.unlocked[mine]]
            first[mine] = 1
            add(
                mine + mentor0,
                np.full(mine.size, base_u + k),
                np.ones(mine.size),
                np.zeros(mine.size),
            )
            org_sink = to_node[mine[0]] if mine.size else _SINK
            add([base_u + k], [org_sink], [mine.size], [0], [bounds.used_low[org]])
    rest = capacity[used] - first[used]
    used = used[rest > 0]
    add(used + mentor0, to_node[used], rest[rest > 0], np.zeros(used.size))
    add([_SOURCE], [_SINK], [active.size], [0])

    tail = np.concatenate(tails)
    head = np.concatenate(heads)
    lower = np.concatenate(lows)
    upper = np.concatenate(caps)
    cost = np.concatenate(costs)
    if np.any(upper < lower):
        raise ProblemError("fairness bounds: a lower bound exceeds its upper bound")
    supply = np.zeros(n_nodes, dtype=np.int64)
    supply[_SOURCE] = active.size
    supply[_SINK] = -active.size
    supply -= _sum_by(tail, lower, n_nodes)
    supply += _sum_by(head, lower, n_nodes)
    if cost.size and int(np.abs(cost).max()) >= _COST_LIMIT // max(n_nodes + 1, 1):
        raise ProblemError("score range too wide for the score resolution; raise it")
    return Network(
        tail,
        head,
        upper - lower,
        cost,
        lower,
        supply,
        pair_offset,
        len(graph),
        mentee0,
        mentor0,
        big_m=big_m,
        plain=not orgs_a and not orgs_b and not orgs_u,
    )


def solve_network(net: Network, progress: ProgressCallback | None = None) -> tuple[np.ndarray, int]:
    """Solve with OR-Tools; returns flows (with lower bounds added back) and the big-M cost.

    A plain network (no fairness bounds) is solved as the largest flow of least cost without
    the bypass arc and without the bonus: the same optimum, and about a third faster because
    the solver's cost range no longer carries the bonus."""
    solver = min_cost_flow.SimpleMinCostFlow()
    n_arcs = net.tail.size - 1 if net.plain else net.tail.size
    cost = net.cost[:n_arcs]
    if net.plain:
        cost = cost.copy()
        cost[net.pair_offset : net.pair_offset + net.n_pairs] += net.big_m
    solver.add_arcs_with_capacity_and_unit_cost(
        net.tail[:n_arcs].astype(np.int32, copy=False),
        net.head[:n_arcs].astype(np.int32, copy=False),
        net.capacity[:n_arcs].astype(np.int64),
        cost,
    )
    del cost
    solver.set_nodes_supplies(np.arange(net.supply.size, dtype=np.int32), net.supply)
    if progress:
        progress("solve", 0.1)
    status = solver.solve_max_flow_with_min_cost() if net.plain else solver.solve()
    if status == solver.INFEASIBLE:
        raise InfeasibleError("no assignment meets the fairness bounds and locks")
    if status != solver.OPTIMAL:
        raise ProblemError(f"the flow solver failed ({status})")
    flow = np.asarray(solver.flows(np.arange(n_arcs, dtype=np.int32)), dtype=np.int64)
    total = int(solver.optimal_cost())
    if net.plain:
        # The bypass carries every mentee left unmatched; the bonus is added back per pair.
        matched = int(solver.maximum_flow())
        flow = np.append(flow, int(net.supply[_SOURCE]) - matched)
        total -= net.big_m * matched
    del solver
    if progress:
        progress("solve", 1.0)
    flow += net.lower
    return flow, total


def is_feasible(net: Network, flow: np.ndarray) -> bool:
    """Bounds and flow conservation hold for every arc and node."""
    upper = net.capacity + net.lower
    if np.any(flow < net.lower) or np.any(flow > upper):
        return False
    n = net.supply.size
    balance = _sum_by(net.tail, flow, n) - _sum_by(net.head, flow, n)
    original_supply = net.supply + _sum_by(net.tail, net.lower, n)
    original_supply -= _sum_by(net.head, net.lower, n)
    return bool(np.array_equal(balance, original_supply))


def residual_potentials(net: Network, flow: np.ndarray) -> np.ndarray | None:
    """Shortest distances in the residual graph (valid dual potentials), or None when a
    negative cycle shows that the flow is not optimal."""
    fwd = flow < net.capacity + net.lower
    bwd = flow > net.lower
    # Sorted by tail one array at a time, dropping each unsorted copy at once: in large
    # runs this is the stage with the most arcs alive.
    tail = np.concatenate([net.tail[fwd], net.head[bwd]])
    order = np.argsort(tail, kind="stable")
    tail = tail[order]
    head = np.concatenate([net.head[fwd], net.tail[bwd]])[order]
    cost = np.concatenate([net.cost[fwd], -net.cost[bwd]])[order]
    del order, fwd, bwd
    return _distances_sorted(net.supply.size, tail, head, cost)


def certify(net: Network, flow: np.ndarray) -> bool:
    """Independent check: feasible flow and no negative cycle in the residual graph."""
    return is_feasible(net, flow) and residual_potentials(net, flow) is not None


def _sum_by(index: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """Integer sums of ``values`` per index (exact: flows and bounds stay far below 2^53).

    Flows and lower bounds are zero on most arcs of a large network, so only the nonzero
    entries are summed."""
    nonzero = np.flatnonzero(values)
    if nonzero.size == 0:
        return np.zeros(n, dtype=np.int64)
    sums = np.bincount(index[nonzero], weights=values[nonzero], minlength=n)
    return np.rint(sums).astype(np.int64)


def has_negative_cycle(n: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray) -> bool:
    return shortest_distances(n, tail, head, cost) is None


def shortest_distances(
    n: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray
) -> np.ndarray | None:
    """Bellman-Ford from a virtual root joined to every node at cost 0, relaxing only arcs
    that leave nodes whose distance changed in the previous round; None on a negative
    cycle."""
    order = np.argsort(tail, kind="stable")
    return _distances_sorted(n, tail[order], head[order], cost[order])


def _distances_sorted(
    n: int, tail: np.ndarray, head: np.ndarray, cost: np.ndarray
) -> np.ndarray | None:
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(tail, minlength=n), out=indptr[1:])
    dist = np.zeros(n, dtype=np.int64)
    # First round over every arc without gathering copies.
    better = cost < 0
    if not better.any():
        return dist
    np.minimum.at(dist, head[better], cost[better])
    frontier = _distinct(head[better], n)
    del better
    for _ in range(n):
        starts = indptr[frontier]
        counts = indptr[frontier + 1] - starts
        total = int(counts.sum())
        if total == 0:
            return dist
        idx = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(total)
        h = head[idx]
        cand = dist[tail[idx]] + cost[idx]
        better = cand < dist[h]
        if not better.any():
            return dist
        h, cand = h[better], cand[better]
        np.minimum.at(dist, h, cand)
        frontier = _distinct(h, n)
    return None


def _distinct(nodes: np.ndarray, n: int) -> np.ndarray:
    """The distinct node numbers, sorted: a mask is an order of magnitude faster than
    ``np.unique`` on the millions of arcs of the first round."""
    seen = np.zeros(n, dtype=bool)
    seen[nodes] = True
    return np.flatnonzero(seen)


def solve_optimal(
    graph: CandidateGraph,
    capacity: np.ndarray,
    *,
    resolution: float,
    bounds: Bounds | None = None,
    progress: ProgressCallback | None = None,
    # Measured on 5,000 x 2,500 full graphs with the windows below: 96 first arcs solve in
    # about 0.9 s, where 48 took 1.9 to 5.8 s (poor duals), 64 0.9 to 1.2 s and 128 1.1 s.
    first_arcs: int = 96,
    # Later rounds solve only the arcs of least reduced cost, this many per mentee (plus
    # the arcs in use and every arc that priced below zero); 8 and 16 both left one small
    # second round on the 5,000 x 2,500 full graph, 4 needed three.
    window_per_mentee: int = 8,
    window_rounds: int = 3,
) -> FlowResult:
    """Most mentees matched, then the highest total score, on the candidate graph.

    Dense graphs (more than twice ``first_arcs`` arcs per mentee on average) are solved by
    pricing, which is several times faster there. The first round takes each mentee's best
    ``first_arcs`` arcs. Dual potentials from Bellman-Ford on that round's residual graph
    then price every arc of the candidate graph. While some arc prices below zero, the
    next round solves the arcs in use, those that priced below zero and the
    ``window_per_mentee`` arcs per mentee of least reduced cost: the duals of a nearly
    complete round point at the few arcs that matter, so that round is small. After
    ``window_rounds`` such rounds, arcs only join (the round set never shrinks again), so
    the loop always ends. When no arc prices below zero, those potentials prove the flow
    optimal on the whole candidate graph, which is the certificate (computed here, not
    taken from the solver). A round whose arcs cannot meet the fairness lower bounds gives
    way to the whole graph, which alone can say that no assignment meets them.
    """
    lows = (bounds.mentee_low, bounds.load_low, bounds.used_low) if bounds else ()
    if len(graph) == 0 and not any(any(low.values()) for low in lows):
        return FlowResult(np.zeros(0, dtype=np.int64), True, 0)
    w = integer_weights(graph.score, resolution)
    active = np.flatnonzero(np.bincount(graph.mentee, minlength=graph.n_mentees))
    big_m = lexicographic_m(w, active.size, capacity)
    if len(graph) > 2 * first_arcs * active.size:
        # Arcs are sorted by mentee, best first: keep each mentee's leading run.
        degree = np.bincount(graph.mentee, minlength=graph.n_mentees)
        starts = np.cumsum(degree) - degree
        in_sub = np.arange(len(graph)) < (starts + first_arcs)[graph.mentee]
        del degree, starts
    else:
        in_sub = np.ones(len(graph), dtype=bool)
    certified = False
    rounds = 0
    while True:
        rounds += 1
        if in_sub.all():
            # The whole graph: no copies, which matters for memory in large runs.
            sub_idx = None
            sub, sub_w = graph, w
        else:
            sub_idx = np.flatnonzero(in_sub)
            sub = CandidateGraph(
                graph.mentee[sub_idx],
                graph.mentor[sub_idx],
                graph.score[sub_idx],
                graph.n_mentees,
                graph.n_mentors,
            )
            sub_w = w[sub_idx]
        net = build_network(
            sub,
            capacity,
            resolution=resolution,
            bounds=bounds,
            weights=sub_w,
            big_m=big_m,
        )
        del sub, sub_w
        if sub_idx is None:
            w = w[:0]  # no pricing round follows; free the weights before solving
        try:
            flow, cost = solve_network(net, progress)
        except InfeasibleError:
            if sub_idx is None:
                raise
            # Lower bounds can need arcs outside a round; only the whole graph decides.
            in_sub[:] = True
            continue
        if progress:
            progress("certificate", 0.0)
        dist = residual_potentials(net, flow) if is_feasible(net, flow) else None
        if dist is None or sub_idx is None:
            certified = dist is not None
            break
        # The reduced cost of a pair arc is pi_a - pi_b - (w + M); gathering per-node
        # tables over every arc at once keeps this to a few passes over the arc arrays.
        pi_a = dist[net.mentee0 : net.mentee0 + graph.n_mentees] - big_m
        pi_b = dist[net.mentor0 : net.mentor0 + graph.n_mentors]
        reduced = pi_a[graph.mentee] - pi_b[graph.mentor]
        reduced -= w
        violated = reduced < 0
        violated &= ~in_sub
        if not violated.any():
            certified = True
            break
        if rounds > window_rounds:
            in_sub |= violated
            continue
        used = np.zeros(len(graph), dtype=bool)
        used[_chosen_arcs(net, flow, sub_idx)] = True
        k = min(len(graph) - 1, window_per_mentee * active.size)
        in_sub = reduced <= np.partition(reduced, k)[k]
        in_sub |= violated
        in_sub |= used
        del reduced, violated, used
    if progress:
        progress("certificate", 1.0)
    return FlowResult(_chosen_arcs(net, flow, sub_idx), certified, cost)


def _chosen_arcs(net: Network, flow: np.ndarray, sub_idx: np.ndarray | None) -> np.ndarray:
    """Candidate-graph indices of the pair arcs that carry flow."""
    chosen = np.flatnonzero(flow[net.pair_offset : net.pair_offset + net.n_pairs] > 0)
    return chosen if sub_idx is None else sub_idx[chosen]
