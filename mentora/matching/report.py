"""The run report, and an independent re-check of the final assignment.

``count_violations`` does not reuse the solver's data: it re-reads capacities from the
profiles, re-applies every hard rule with the plain per-pair check, confirms locks and
re-counts every organisation's fairness bounds.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from typing import Any

import numpy as np

from mentora.matching.explaining import organisation_counts
from mentora.matching.model import MatchResult, Problem
from mentora.matching.policy import Policy
from mentora.matching.rules import RuleContext, pair_broken_rules


def count_violations(*, problem: Problem, policy: Policy, result: MatchResult) -> int:
    """Number of broken hard rules, capacities and locks in the result (must be 0)."""
    mentees = {p.id: p for p in problem.mentees}
    mentors = {p.id: p for p in problem.mentors}
    violations = 0
    if result.mode == "groups":
        return _group_violations(problem, policy, result)
    seen = Counter(m.mentee_id for m in result.matches)
    violations += sum(n - 1 for n in seen.values() if n > 1)
    load = Counter(m.mentor_id for m in result.matches)
    for mentor_id, n in load.items():
        mentor = mentors.get(mentor_id)
        if mentor is None:
            violations += n
            continue
        capacity = 1 if mentor.capacity is None else mentor.capacity
        capacity = min(capacity, policy.matching.group_size)
        violations += max(0, n - capacity)
    chosen = {(m.mentee_id, m.mentor_id) for m in result.matches}
    violations += sum(1 for lock in problem.locks if tuple(lock) not in chosen)
    if result.mode == "optimal":
        violations += _fairness_violations(problem, policy, result)
    if problem.pairs is not None:
        pr = problem.pairs
        ids_a = [p.id for p in problem.mentees]
        ids_b = [p.id for p in problem.mentors]
        allowed = set(
            zip(
                (ids_a[i] for i in pr.mentee_index.tolist()),
                (ids_b[j] for j in pr.mentor_index.tolist()),
                strict=True,
            )
        )
        violations += sum(1 for pair in chosen if pair not in allowed)
        return violations
    context = RuleContext.build(
        problem.people, problem.mentees + problem.mentors, problem.competitors
    )
    for mentee_id, mentor_id in chosen:
        if mentee_id not in mentees or mentor_id not in mentors:
            violations += 1
            continue
        broken = pair_broken_rules(
            mentees[mentee_id],
            mentors[mentor_id],
            constraints=policy.constraints,
            context=context,
        )
        violations += len(broken)
    return violations


def _fairness_violations(problem: Problem, policy: Policy, result: MatchResult) -> int:
    """How far the result falls outside each organisation's fairness bounds, summed."""
    counts = organisation_counts(problem, result.matches)
    outside = 0
    for bound in policy.fairness:
        row = counts.get(bound.organisation, {})
        for quantity, column in (
            ("mentees", "mentees_matched"),
            ("mentor_load", "mentor_load"),
            ("mentors_used", "mentors_used"),
        ):
            n = row.get(column, 0)
            low, high = getattr(bound, f"min_{quantity}"), getattr(bound, f"max_{quantity}")
            outside += max(0, (low or 0) - n) + (max(0, n - high) if high is not None else 0)
    return outside


def _group_violations(problem: Problem, policy: Policy, result: MatchResult) -> int:
    people = {p.id: p for p in problem.mentees + problem.mentors}
    context = RuleContext.build(problem.people, people.values(), problem.competitors)
    constraints = policy.constraints
    if policy.groups.one_per_organisation:
        constraints = dataclasses.replace(constraints, same_organisation=True)
    violations = 0
    for group in result.groups:
        if not policy.groups.min_size <= len(group.member_ids) <= policy.groups.max_size:
            violations += 1
        for k, a in enumerate(group.member_ids):
            for b in group.member_ids[k + 1 :]:
                pa, pb = people[a], people[b]
                violations += len(
                    pair_broken_rules(pa, pb, constraints=constraints, context=context)
                )
                violations += len(
                    pair_broken_rules(pb, pa, constraints=constraints, context=context)
                )
    return violations


def build_report(*, problem: Problem, result: MatchResult, violations: int) -> dict[str, Any]:
    """The REPORT.json content."""
    report: dict[str, Any] = {
        "mode": result.mode,
        "mentees": len(problem.mentees),
        "mentors": len(problem.mentors),
        # Every mode carries the pair fields; null where the mode has no such figure.
        **dict.fromkeys(
            (
                "matched",
                "unmatched",
                "objective",
                "certified_optimal",
                "blocking_pairs",
                "locked",
                "first_choice_share",
                "top3_choice_share",
            )
        ),
        "organisations": {},
    }
    if result.mode == "groups":
        report.update(
            groups=len(result.groups),
            grouped=sum(len(g.member_ids) for g in result.groups),
            ungrouped=len(result.ungrouped),
            diversity=round(sum(g.diversity for g in result.groups), 6),
            violations=violations,
            seconds=dict(result.stage_seconds),
        )
        return report
    if result.mode == "suggest":
        appearances = Counter(s.mentor_id for s in result.suggestions)
        report.update(
            suggested_mentees=len({s.mentee_id for s in result.suggestions}),
            suggestions=len(result.suggestions),
            distinct_mentors_suggested=len(appearances),
            max_appearances=max(appearances.values(), default=0),
            matched=len(result.matches),  # locked pairs: nothing is suggested for them
            locked=len(result.matches),
            unmatched=len(result.unmatched),
            organisations=organisation_counts(problem, result.matches),
            candidate_arcs=result.candidate_arcs,
            violations=violations,
            seconds=dict(result.stage_seconds),
        )
        return report
    partner = {m.mentee_id: m.mentor_id for m in result.matches}
    ranked = [p for p in problem.mentees if p.preferences]
    first = sum(1 for p in ranked if partner.get(p.id) == p.preferences[0])
    top3 = sum(1 for p in ranked if partner.get(p.id) in p.preferences[:3])
    report.update(
        matched=len(result.matches),
        unmatched=len(result.unmatched),
        objective=result.objective,
        certified_optimal=result.certified_optimal,
        violations=violations,
        blocking_pairs=None if result.blocking_pairs is None else len(result.blocking_pairs),
        locked=sum(1 for m in result.matches if m.locked),
        candidate_arcs=result.candidate_arcs,
        mentees_with_preferences=len(ranked),
        first_choice_share=round(first / len(ranked), 6) if ranked else 0.0,
        top3_choice_share=round(top3 / len(ranked), 6) if ranked else 0.0,
        mean_score=round(float(np.mean([m.score for m in result.matches])), 6)
        if result.matches
        else 0.0,
        organisations={k: dict(v) for k, v in result.organisations.items()},
        seconds=dict(result.stage_seconds),
    )
    if result.blocking_pairs:
        report["blocking_pair_list"] = [list(p) for p in result.blocking_pairs[:100]]
    return report
