"""Scale benchmark of the matching engine.

Large: 180,000 mentees and 90,000 mentors (capacity 2) in an organisation of 270,000
people, with reporting-line, team and time-zone rules and 100 candidates per mentee.
Compared with a bare OR-Tools min-cost-flow solve of the same candidate graph, and with
greedy matching (each mentee in turn takes the best candidate with room).
Full graph: 5,000 mentees x 2,500 mentors on every feasible pair.
Stable: 36,000 mentees x 18,000 mentors (capacity 2) in stable mode where nobody ranks, 20
candidates per mentee, timed against the first, one-proposal-at-a-time implementation in
the same process (which must give the same pairs).

Usage: python benchmarks/matching_scale.py [--scale 1.0] [--skip-large] [--skip-stable]
The last line printed is JSON with the figures.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import sys
import time
from pathlib import Path
from unittest import mock

import numpy as np
from ortools.graph.python import min_cost_flow

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentora.matching import (  # noqa: E402
    Person,
    Policy,
    Problem,
    count_violations,
    engine,
    match,
)
from mentora.matching import candidates as cand  # noqa: E402
from mentora.matching.columns import compile_problem  # noqa: E402
from mentora.matching.solve import build_network  # noqa: E402
from mentora.matching.tests import reference_stable  # noqa: E402

THEMES = [
    "negotiation",
    "leadership",
    "strategy",
    "finance",
    "coaching",
    "data",
    "sales",
    "marketing",
    "operations",
    "hr",
    "legal",
    "innovation",
    "change",
    "communication",
    "sustainability",
    "product",
    "engineering",
    "design",
    "research",
    "customer",
    "risk",
    "compliance",
    "procurement",
    "logistics",
    "it",
    "security",
    "analytics",
    "project",
    "culture",
    "ethics",
]
ZONES = [
    "-08:00",
    "-05:00",
    "-03:00",
    "+00:00",
    "+01:00",
    "+02:00",
    "+03:00",
    "+05:30",
    "+08:00",
    "+09:00",
    "+10:00",
]
ZONE_WEIGHTS = np.array([4, 8, 3, 10, 30, 10, 4, 12, 10, 5, 4], dtype=float)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def organisation(n_people: int, n_mentees: int, n_mentors: int, seed: int) -> Problem:
    """A reporting tree with spans of control around 6-8, teams, zones, levels, themes."""
    rng = np.random.default_rng(seed)
    parent = np.full(n_people, -1, dtype=np.int64)
    depth = np.zeros(n_people, dtype=np.int64)
    # Breadth-first growth: each manager gets a span of 3-10 reports.
    next_free, frontier = 1, 0
    while next_free < n_people:
        span = int(rng.integers(3, 11))
        end = min(n_people, next_free + span)
        parent[next_free:end] = frontier
        depth[next_free:end] = depth[frontier] + 1
        next_free, frontier = end, frontier + 1
    level = np.clip(10 - depth + rng.integers(-1, 2, size=n_people), 1, 10)
    zone = rng.choice(len(ZONES), size=n_people, p=ZONE_WEIGHTS / ZONE_WEIGHTS.sum())
    # Teams share their manager and, mostly, the manager's zone.
    same = rng.random(n_people) < 0.8
    zone = np.where(same & (parent >= 0), zone[np.maximum(parent, 0)], zone)
    dept = rng.integers(0, 40, size=n_people)
    division = dept // 8
    location = rng.integers(0, 60, size=n_people)
    gender = rng.integers(0, 2, size=n_people)
    n_themes = rng.integers(1, 4, size=n_people)
    themes = rng.integers(0, len(THEMES), size=(n_people, 3))
    ids = [f"p{k}" for k in range(n_people)]
    people = tuple((ids[k], ids[p] if p >= 0 else "") for k, p in enumerate(parent.tolist()))
    order = rng.permutation(n_people)
    mentor_set = order[:n_mentors]
    mentee_set = order[n_mentors : n_mentors + n_mentees]
    # Mentors skew senior: swap in the most senior of a larger sample.
    mentor_set = np.sort(mentor_set)
    mentee_set = np.sort(mentee_set)
    tz_names = [ZONES[z] for z in zone.tolist()]
    lv = level.tolist()
    pa = parent.tolist()
    dp, dv, lc, gd = dept.tolist(), division.tolist(), location.tolist(), gender.tolist()
    th = [
        tuple(THEMES[t] for t in dict.fromkeys(row[:n]))
        for row, n in zip(themes.tolist(), n_themes.tolist(), strict=True)
    ]

    def person(k: int, capacity: int | None) -> Person:
        return Person(
            id=ids[k],
            team=f"t{pa[k]}",
            department=f"d{dp[k]}",
            division=f"v{dv[k]}",
            location=f"l{lc[k]}",
            timezone=tz_names[k],
            gender="fm"[gd[k]],
            level=float(lv[k]),
            themes=th[k],
            capacity=capacity,
        )

    mentees = tuple(person(k, None) for k in mentee_set.tolist())
    mentors = tuple(person(k, 2) for k in mentor_set.tolist())
    return Problem(mentees=mentees, mentors=mentors, people=people)


def policy(candidates: int) -> Policy:
    return Policy.from_dict(
        {
            "constraints": {
                "reporting_line": True,
                "same_team": True,
                "max_timezone_gap_hours": 3.0,
            },
            "matching": {"mode": "optimal", "candidates_per_mentee": candidates, "seed": 1},
        }
    )


def bare_solve(problem: Problem, pol: Policy) -> tuple[float, int]:
    """Build and solve OR-Tools min-cost flow on the engine's candidate graph: the largest
    flow of least cost, which is the engine's objective (most mentees, then best score)."""
    c = compile_problem(problem, capacity_cap=pol.matching.group_size)
    capacity = c.mentors.arrays["capacity"]
    graph = cand.generate(c, pol, mentees=np.arange(len(c.mentees)), mentor_capacity=capacity)
    net = build_network(graph, capacity, resolution=pol.matching.score_resolution)
    pairs = slice(net.pair_offset, net.pair_offset + net.n_pairs)
    n_arcs = net.tail.size - 1  # without the bypass for unmatched mentees
    tail, head = net.tail[:n_arcs].astype(np.int32), net.head[:n_arcs].astype(np.int32)
    capacity_arr, cost, supply = net.capacity[:n_arcs], net.cost[:n_arcs].copy(), net.supply
    cost[pairs] += net.big_m
    del net, c
    gc.collect()
    started = time.perf_counter()
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(tail, head, capacity_arr, cost)
    solver.set_nodes_supplies(np.arange(supply.size, dtype=np.int32), supply)
    status = solver.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - started
    assert status == solver.OPTIMAL
    greedy = greedy_matched(graph, capacity)
    return seconds, greedy


def greedy_matched(graph: cand.CandidateGraph, capacity: np.ndarray) -> int:
    """Each mentee in turn takes the best candidate who still has room."""
    left = capacity.astype(np.int64).tolist()
    starts = np.searchsorted(graph.mentee, np.arange(graph.n_mentees + 1)).tolist()
    mentor = graph.mentor
    matched = 0
    for i in range(graph.n_mentees):
        for j in mentor[starts[i] : starts[i + 1]].tolist():
            if left[j] > 0:
                left[j] -= 1
                matched += 1
                break
    return matched


def run_large(scale: float) -> dict[str, float]:
    n_mentees, n_mentors = int(180_000 * scale), int(90_000 * scale)
    started = time.perf_counter()
    problem = organisation(n_mentees + n_mentors, n_mentees, n_mentors, seed=7)
    print(
        f"generated {n_mentees} mentees, {n_mentors} mentors in "
        f"{time.perf_counter() - started:.1f} s",
        flush=True,
    )
    pol = policy(100)

    def progress(stage: str, fraction: float) -> None:
        if fraction in (0.0, 1.0):
            print(f"  {stage}: {fraction:.0%} at {time.perf_counter() - t0:.1f} s", flush=True)

    gc.collect()
    t0 = time.perf_counter()
    result = match(problem=problem, policy=pol, progress=progress)
    violations = count_violations(problem=problem, policy=pol, result=result)
    seconds = time.perf_counter() - t0
    peak = peak_rss_mb()
    print(
        f"engine: {seconds:.1f} s, peak RSS {peak:.0f} MB, matched {len(result.matches)}, "
        f"violations {violations}, certified {result.certified_optimal}, "
        f"stages {dict(result.stage_seconds)}",
        flush=True,
    )
    matched = len(result.matches)
    del result
    gc.collect()
    bare, greedy = bare_solve(problem, pol)
    print(
        f"bare OR-Tools solve of the same graph: {bare:.1f} s; greedy matched {greedy}", flush=True
    )
    return {
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak, 1),
        "ratio_to_bare_solver": round(seconds / bare, 2),
        "matched": matched,
        "greedy_matched": greedy,
    }


def run_full(scale: float) -> dict[str, float]:
    n_mentees, n_mentors = int(5_000 * scale), int(2_500 * scale)
    problem = organisation(n_mentees + n_mentors, n_mentees, n_mentors, seed=11)
    pol = policy(0)
    t0 = time.perf_counter()
    result = match(problem=problem, policy=pol)
    seconds = time.perf_counter() - t0
    print(
        f"full graph {n_mentees} x {n_mentors}: {seconds:.2f} s, arcs {result.candidate_arcs}, "
        f"matched {len(result.matches)}, certified {result.certified_optimal}, "
        f"stages {dict(result.stage_seconds)}",
        flush=True,
    )
    return {"seconds": round(seconds, 2)}


def run_stable(scale: float) -> dict[str, float]:
    """Stable mode where nobody ranks: the array implementation, then the reference."""
    n_mentees, n_mentors = int(36_000 * scale), int(18_000 * scale)
    problem = organisation(n_mentees + n_mentors, n_mentees, n_mentors, seed=7)
    data = policy(20).to_dict()
    data["matching"]["mode"] = "stable"
    pol = Policy.from_dict(data)
    gc.collect()
    t0 = time.perf_counter()
    result = match(problem=problem, policy=pol)
    seconds = time.perf_counter() - t0
    print(
        f"stable {n_mentees} x {n_mentors}: {seconds:.1f} s, matched {len(result.matches)}, "
        f"blocking pairs {len(result.blocking_pairs or ())}, stages {dict(result.stage_seconds)}",
        flush=True,
    )
    gc.collect()
    t0 = time.perf_counter()
    with mock.patch.dict(engine.PAIR_MODES, {"stable": reference_stable.match_stable}):
        before = match(problem=problem, policy=pol)
    reference_seconds = time.perf_counter() - t0
    same = [(m.mentee_id, m.mentor_id) for m in result.matches] == [
        (m.mentee_id, m.mentor_id) for m in before.matches
    ]
    speedup = reference_seconds / seconds
    solve_speedup = before.stage_seconds["solve"] / result.stage_seconds["solve"]
    print(
        f"reference (one proposal at a time): {reference_seconds:.1f} s, "
        f"stages {dict(before.stage_seconds)}; same pairs: {same}; "
        f"speed-up {speedup:.1f}x end to end, {solve_speedup:.1f}x on the solve stage",
        flush=True,
    )
    return {
        "seconds": round(seconds, 2),
        "reference_seconds": round(reference_seconds, 2),
        "speedup": round(speedup, 1),
        "solve_speedup": round(solve_speedup, 1),
        "same_pairs": same,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--skip-large", action="store_true")
    parser.add_argument("--skip-stable", action="store_true")
    args = parser.parse_args()
    full = run_full(1.0)
    stable = {} if args.skip_stable else run_stable(args.scale)
    large = {} if args.skip_large else run_large(args.scale)
    print(json.dumps({"large": large, "full_graph_5k": full, "stable": stable}))


if __name__ == "__main__":
    main()
