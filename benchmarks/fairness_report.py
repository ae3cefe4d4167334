"""How long a round's fairness report and its order check take, next to the run itself.

A programme of N mentees and N/2 mentors (capacity 2) in five organisations, twelve
locations and eight levels, with team rules, themes and stated choices; the engine runs in
optimal mode, then the report over all five breakdowns is computed from its result, then
the order check solves the round again in a shuffled order.

Usage: python benchmarks/fairness_report.py [--mentees 5000]
The last line printed is JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mentora.matching import Person, Policy, Problem, match  # noqa: E402
from mentora.matching.fairness import (  # noqa: E402
    facts_from_result,
    fairness_report,
    order_check,
)

THEMES = ("negotiation", "leadership", "strategy", "finance", "coaching", "data", "sales")


def problem(n_mentees: int, seed: int = 1) -> Problem:
    rng = random.Random(seed)
    n_mentors = max(1, n_mentees // 2)

    def person(pid: str, mentor: bool) -> Person:
        others = [f"m{k}" for k in rng.sample(range(n_mentors), k=min(3, n_mentors))]
        return Person(
            id=pid,
            organisation=f"org{rng.randrange(5)}",
            team=f"t{rng.randrange(400)}",
            department=f"d{rng.randrange(40)}",
            location=f"city{rng.randrange(12)}",
            gender=rng.choice(("f", "m", "x")),
            level=float(rng.randint(1, 8) + (3 if mentor else 0)),
            themes=tuple(rng.sample(THEMES, k=rng.randint(1, 3))),
            preferences=() if mentor or rng.random() < 0.5 else tuple(others),
            capacity=2 if mentor else None,
        )

    return Problem(
        mentees=tuple(person(f"e{k}", False) for k in range(n_mentees)),
        mentors=tuple(person(f"m{k}", True) for k in range(n_mentors)),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mentees", type=int, default=5000)
    args = parser.parse_args()
    prob, policy = problem(args.mentees), Policy()
    started = time.perf_counter()
    result = match(problem=prob, policy=policy)
    run = time.perf_counter() - started
    started = time.perf_counter()
    report = fairness_report(facts_from_result(prob, result))
    figures = time.perf_counter() - started
    started = time.perf_counter()
    check = order_check(problem=prob, policy=policy, result=result)
    checked = time.perf_counter() - started
    summary = {
        "mentees": len(prob.mentees),
        "mentors": len(prob.mentors),
        "matched": len(result.matches),
        "run_seconds": round(run, 3),
        "fairness_report_seconds": round(figures, 3),
        "order_check_seconds": round(checked, 3),
        "objective": check.objective,
        "shuffled_objective": check.shuffled_objective,
        "same_objective": check.same_objective,
        "pairs_differ": check.pairs_differ,
        "findings": len(report.findings),
    }
    print(
        f"run {run:.2f} s; fairness report {figures:.2f} s; order check {checked:.2f} s "
        f"({check.pairs_differ} of {len(prob.mentees)} mentees differ, same objective: "
        f"{check.same_objective})"
    )
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
