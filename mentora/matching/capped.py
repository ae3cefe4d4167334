"""Optimal assignment when organisations cap how many of their mentors are used.

"At most 8 of our mentors take part" is not a flow constraint: whether a mentor is used
is a yes/no fact about all of their arcs at once. Such runs are solved as an integer
programme with OR-Tools' CP-SAT on the same candidate graph, with the same objective as
the flow (a bonus ``M`` per matched pair above the integer score, so cardinality comes
first), the same capacities and every other fairness bound.

The certificate here is CP-SAT's proof (its best bound equals the objective) together
with an independent re-count of every capacity and bound on the chosen arcs. The
residual-graph check of the flow solver does not apply: a cap on used mentors can make
an exchange that looks improving illegal.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from mentora.matching.candidates import CandidateGraph
from mentora.matching.model import ProblemError, ProgressCallback
from mentora.matching.solve import Bounds, FlowResult, integer_weights, lexicographic_m

# One worker keeps the run deterministic (same input and seed, same output); on the
# measured instances extra workers on a 2-core machine made it slower, not faster.
_WORKERS = 1
_SEED = 1


def solve_capped(
    graph: CandidateGraph,
    capacity: np.ndarray,
    *,
    resolution: float,
    bounds: Bounds | None,
    time_limit: float,
    progress: ProgressCallback | None = None,
) -> FlowResult:
    """Most mentees matched, then the highest total score, under every fairness bound.

    Stopped by ``time_limit`` (seconds) before proving optimality, the best assignment
    found so far is returned uncertified; with none found, ProblemError says so."""
    assert bounds is not None
    mentee_org, mentor_org = bounds.mentee_org, bounds.mentor_org
    w = integer_weights(graph.score, resolution)
    active = np.flatnonzero(np.bincount(graph.mentee, minlength=graph.n_mentees))
    big_m = lexicographic_m(w, active.size, capacity)
    unlocked = np.ones(graph.n_mentors, bool) if bounds.unlocked is None else bounds.unlocked

    model = cp_model.CpModel()
    arcs = [model.new_bool_var("") for _ in range(len(graph))]
    for run in _runs(graph.mentee, graph.n_mentees):
        model.add_at_most_one(arcs[e] for e in run)
    by_mentor = _runs(graph.mentor, graph.n_mentors)
    # Where a bound counts used mentors, mentor j takes anyone only if used[j] is true
    # (capacity times used[j] caps their arcs); under a minimum, used[j] also needs an arc.
    needs_used = np.zeros(graph.n_mentors, dtype=bool)
    for org in set(bounds.used_low) | set(bounds.used_high):
        needs_used |= mentor_org == org
    needs_used &= unlocked
    used: dict[int, cp_model.IntVar] = {}
    for j, run in enumerate(by_mentor):
        if run.size == 0:
            continue
        taken = sum(arcs[e] for e in run.tolist())
        if needs_used[j]:
            used[j] = model.new_bool_var("")
            model.add(taken <= int(capacity[j]) * used[j])
            if int(mentor_org[j]) in bounds.used_low:
                model.add(taken >= used[j])
        elif run.size > capacity[j]:
            model.add(taken <= int(capacity[j]))
    for low, high, terms in (
        (
            bounds.mentee_low,
            bounds.mentee_high,
            lambda org: _arcs_of(mentee_org[graph.mentee], org),
        ),
        (bounds.load_low, bounds.load_high, lambda org: _arcs_of(mentor_org[graph.mentor], org)),
    ):
        for org in sorted(set(low) | set(high)):
            chosen = sum(arcs[e] for e in terms(org).tolist())
            _bound(model, chosen, low.get(org, 0), high.get(org))
    for org in sorted(set(bounds.used_low) | set(bounds.used_high)):
        mine = sum(var for j, var in used.items() if mentor_org[j] == org)
        _bound(model, mine, bounds.used_low.get(org, 0), bounds.used_high.get(org))
    gain = (w + big_m).tolist()
    model.maximize(sum(g * x for g, x in zip(gain, arcs, strict=True)))

    if progress:
        progress("solve", 0.1)
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = _WORKERS
    solver.parameters.random_seed = _SEED
    solver.parameters.max_time_in_seconds = time_limit
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        raise ProblemError("no assignment meets the fairness bounds and locks")
    if status == cp_model.UNKNOWN:
        raise ProblemError(
            f"no assignment within the fairness bounds found in {time_limit:g} s; "
            "raise matching.cp_sat_time_limit_seconds"
        )
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise ProblemError(f"the CP-SAT solver failed ({solver.status_name(status)})")
    chosen = np.flatnonzero([solver.boolean_value(x) for x in arcs]).astype(np.int64)
    if progress:
        progress("solve", 1.0)
        progress("certificate", 0.0)
    total = int((w[chosen] + big_m).sum())
    proven = status == cp_model.OPTIMAL and round(solver.best_objective_bound) == total
    certified = proven and meets_bounds(graph, chosen, capacity, bounds)
    if progress:
        progress("certificate", 1.0)
    return FlowResult(chosen, certified, -total)


def meets_bounds(
    graph: CandidateGraph,
    chosen: np.ndarray,
    capacity: np.ndarray,
    bounds: Bounds,
) -> bool:
    """Re-count, from the chosen arcs alone, each mentee once, each capacity and bound."""
    mentees, mentors = graph.mentee[chosen], graph.mentor[chosen]
    if np.unique(mentees).size != mentees.size:
        return False
    load = np.bincount(mentors, minlength=graph.n_mentors)
    if np.any(load > capacity):
        return False
    unlocked = np.ones(graph.n_mentors, bool) if bounds.unlocked is None else bounds.unlocked
    in_use = (load > 0) & unlocked
    mentee_org, mentor_org = bounds.mentee_org, bounds.mentor_org
    for low, high, counts in (
        (bounds.mentee_low, bounds.mentee_high, lambda org: np.sum(mentee_org[mentees] == org)),
        (bounds.load_low, bounds.load_high, lambda org: np.sum(mentor_org[mentors] == org)),
        (bounds.used_low, bounds.used_high, lambda org: np.sum(in_use & (mentor_org == org))),
    ):
        for org in set(low) | set(high):
            n = int(counts(org))
            if n < low.get(org, 0) or n > high.get(org, n):
                return False
    return True


def _runs(index: np.ndarray, n: int) -> list[np.ndarray]:
    """Arc numbers per node, in arc order."""
    order = np.argsort(index, kind="stable")
    return np.split(order, np.cumsum(np.bincount(index, minlength=n))[:-1])


def _arcs_of(org_of_arc: np.ndarray, org: int) -> np.ndarray:
    return np.flatnonzero(org_of_arc == org)


def _bound(model: cp_model.CpModel, expr: object, low: int, high: int | None) -> None:
    if isinstance(expr, int):  # nothing of the organisation can be chosen
        if expr < low or (high is not None and expr > high):
            raise ProblemError("no assignment meets the fairness bounds and locks")
        return
    if low > 0:
        model.add(expr >= low)  # type: ignore[operator]
    if high is not None:
        model.add(expr <= high)  # type: ignore[operator]
