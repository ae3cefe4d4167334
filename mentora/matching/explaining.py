"""Explanations: why each pair was chosen, why a mentee was left out, why two people were
not matched, and the counts per organisation."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

import numpy as np

from mentora.matching import candidates as cand
from mentora.matching.columns import SparsePairs, compile_problem
from mentora.matching.contributions import (
    collection_paused,
    contributions_of_pairs,
    rounded,
)
from mentora.matching.model import (
    Contribution,
    Match,
    MatchResult,
    Person,
    Problem,
    ProblemError,
    Suggestion,
    Unmatched,
    WhyNot,
)
from mentora.matching.policy import Policy
from mentora.matching.prepare import Prepared, pair_scores
from mentora.matching.rules import RuleContext, pair_broken_rules
from mentora.matching.scoring import (
    contributions_for,
    explain,
    given_score_contribution,
    score_pairs,
)


def _contributions(
    prep: Prepared, ia: np.ndarray, jb: np.ndarray
) -> tuple[np.ndarray, list[tuple[Contribution, ...]]]:
    scores, values = pair_scores(prep, ia, jb)
    if prep.explicit is not None:
        rank = _rank_among_given(prep.explicit, ia, scores)
        return scores, [
            given_score_contribution(s, r) for s, r in zip(scores.tolist(), rank, strict=True)
        ]
    assert prep.compiled is not None
    problem = prep.problem
    return scores, contributions_of_pairs(
        prep.compiled, problem.mentees, problem.mentors, ia, jb, values
    )


def _rank_among_given(given: SparsePairs, ia: np.ndarray, scores: np.ndarray) -> list[int]:
    """1 + how many of the mentee's given pairs score higher: their rank among all the
    mentors the input names for them, whether or not those have room left."""
    out: list[int] = []
    for i, s in zip(ia.tolist(), scores.tolist(), strict=True):
        theirs = given.values[given.indptr[i] : given.indptr[i + 1]]
        out.append(1 + int(np.count_nonzero(theirs > s)))
    return out


def explained_matches(
    prep: Prepared, ia: np.ndarray, jb: np.ndarray, locked: np.ndarray
) -> tuple[Match, ...]:
    problem = prep.problem
    with collection_paused():
        scores, contributions = _contributions(prep, ia, jb)
        return tuple(
            Match(
                mentee_id=problem.mentees[i].id,
                mentor_id=problem.mentors[j].id,
                score=score,
                contributions=contribs,
                explanation=("locked by the programme manager; " if fixed else "")
                + explain(contribs),
                locked=fixed,
            )
            for i, j, fixed, score, contribs in zip(
                ia.tolist(),
                jb.tolist(),
                locked[ia].tolist(),
                rounded(scores, 9),
                contributions,
                strict=True,
            )
        )


def explained_unmatched(
    prep: Prepared,
    matched: np.ndarray,
    partners: np.ndarray,
    graph: cand.CandidateGraph,
    mode: str,
) -> tuple[Unmatched, ...]:
    has_arc = np.zeros(len(prep.problem.mentees), dtype=bool)
    has_arc[graph.mentee] = True
    is_matched = np.zeros(len(prep.problem.mentees), dtype=bool)
    is_matched[matched] = True
    # A candidate with room left: only fairness bounds keep an optimal run from using it.
    room = prep.capacity > np.bincount(partners, minlength=prep.capacity.size)
    near_room = np.zeros(len(prep.problem.mentees), dtype=bool)
    if mode == "optimal" and prep.policy.fairness:
        near_room[graph.mentee[room[graph.mentor]]] = True
    out = []
    for i in np.flatnonzero(~is_matched).tolist():
        mentee_id = prep.problem.mentees[i].id
        if not has_arc[i]:
            out.append(
                Unmatched(
                    mentee_id,
                    "no_feasible_mentor",
                    "no mentor with free capacity passes the hard rules",
                )
            )
        elif mode == "stable":
            out.append(
                Unmatched(
                    mentee_id, "no_stable_partner", "no mutually ranked mentor had room for them"
                )
            )
        elif near_room[i]:
            out.append(
                Unmatched(
                    mentee_id,
                    "fairness_bounds",
                    "a feasible mentor had room, but the organisations' fairness bounds "
                    "left no place for this mentee",
                )
            )
        else:
            out.append(
                Unmatched(
                    mentee_id,
                    "capacity_exhausted",
                    "every feasible mentor's places were needed by other mentees",
                )
            )
    return tuple(out)


def explained_suggestions(
    prep: Prepared, graph: cand.CandidateGraph, picked: Mapping[int, list[int]]
) -> tuple[Suggestion, ...]:
    arcs = np.array([a for i in sorted(picked) for a in picked[i]], dtype=np.int64)
    ia, jb = graph.mentee[arcs], graph.mentor[arcs]
    out: list[Suggestion] = []
    rank = 0
    previous = -1
    with collection_paused():
        scores, contributions = _contributions(prep, ia, jb)
        for i, j, score, contribs in zip(
            ia.tolist(), jb.tolist(), rounded(scores, 9), contributions, strict=True
        ):
            rank = rank + 1 if i == previous else 1
            previous = i
            out.append(
                Suggestion(
                    prep.problem.mentees[i].id,
                    rank,
                    prep.problem.mentors[j].id,
                    score,
                    contribs,
                    explain(contribs),
                )
            )
    return tuple(out)


def organisation_counts(problem: Problem, matches: tuple[Match, ...]) -> dict[str, dict[str, int]]:
    """Per organisation: mentees (total, matched) and mentors (total, used, load)."""
    org_of_mentee = {p.id: p.organisation for p in problem.mentees}
    org_of_mentor = {p.id: p.organisation for p in problem.mentors}
    counts: dict[str, dict[str, int]] = {}

    def row(org: str) -> dict[str, int]:
        return counts.setdefault(
            org or "(none)",
            {"mentees": 0, "mentees_matched": 0, "mentors": 0, "mentors_used": 0, "mentor_load": 0},
        )

    for p in problem.mentees:
        row(p.organisation)["mentees"] += 1
    for p in problem.mentors:
        row(p.organisation)["mentors"] += 1
    used: set[str] = set()
    for m in matches:
        row(org_of_mentee[m.mentee_id])["mentees_matched"] += 1
        row(org_of_mentor[m.mentor_id])["mentor_load"] += 1
        if m.mentor_id not in used:
            used.add(m.mentor_id)
            row(org_of_mentor[m.mentor_id])["mentors_used"] += 1
    return dict(sorted(counts.items()))


def why_not(
    *,
    problem: Problem,
    policy: Policy,
    mentee_id: str,
    mentor_id: str,
    result: MatchResult | None = None,
) -> WhyNot:
    """Which hard rules exclude the pair; if none, its score and why it was not chosen."""
    mentee = next((p for p in problem.mentees if p.id == mentee_id), None)
    mentor = next((p for p in problem.mentors if p.id == mentor_id), None)
    if mentee is None or mentor is None:
        raise ProblemError(f"unknown mentee {mentee_id!r} or mentor {mentor_id!r}")
    score: float | None
    contributions: tuple[Contribution, ...] = ()
    if problem.pairs is not None:
        pr = problem.pairs
        i, j = problem.mentees.index(mentee), problem.mentors.index(mentor)
        hit = np.flatnonzero((pr.mentee_index == i) & (pr.mentor_index == j))
        if hit.size == 0:
            return WhyNot(
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                feasible=False,
                broken=(),
                score=None,
                contributions=(),
                reason="not allowed: the pair is not in the candidate pairs",
            )
        score = float(pr.score[hit[0]])
        contributions = given_score_contribution(score, None)
        broken: tuple = ()
    else:
        context = RuleContext.build(
            problem.people, problem.mentees + problem.mentors, problem.competitors
        )
        broken = tuple(
            pair_broken_rules(mentee, mentor, constraints=policy.constraints, context=context)
        )
        if broken:
            return WhyNot(
                mentee_id=mentee_id,
                mentor_id=mentor_id,
                feasible=False,
                broken=broken,
                score=None,
                contributions=(),
                reason="not allowed: " + "; ".join(b.text for b in broken),
            )
        score, contributions = _single_pair_score(policy, mentee, mentor)
    reason = f"feasible, score {score:g}"
    if result is not None:
        partner = {m.mentee_id: m for m in result.matches}
        load = [m for m in result.matches if m.mentor_id == mentor_id]
        mine = partner.get(mentee_id)
        if mine is not None and mine.mentor_id == mentor_id:
            reason = f"they are matched (score {score:g})"
        elif mine is not None:
            reason += (
                f"; {mentee_id} was matched with {mine.mentor_id} "
                f"(score {mine.score:g}), which served the whole assignment better"
            )
        else:
            reason += f"; {mentee_id} is unmatched"
        capacity = (
            1 if mentor.capacity is None else min(mentor.capacity, policy.matching.group_size)
        )
        if len(load) >= capacity and (mine is None or mine.mentor_id != mentor_id):
            reason += f"; {mentor_id}'s places went to " + ", ".join(m.mentee_id for m in load)
    return WhyNot(
        mentee_id=mentee_id,
        mentor_id=mentor_id,
        feasible=True,
        broken=broken,
        score=score,
        contributions=contributions,
        reason=reason,
    )


def _single_pair_score(
    policy: Policy, mentee: Person, mentor: Person
) -> tuple[float, tuple[Contribution, ...]]:
    # Scoring needs no reporting lines; compiling just the two keeps "why not?" cheap.
    solo = Problem(
        mentees=(dataclasses.replace(mentee, manager_id=""),),
        mentors=(dataclasses.replace(mentor, manager_id=""),),
    )
    c = compile_problem(solo)
    zero = np.zeros(1, dtype=np.int64)
    scores, values = score_pairs(c, zero, zero, policy.weights, policy.bands)
    row = {k: float(v[0]) for k, v in values.items()}
    return round(float(scores[0]), 9), contributions_for(mentee, mentor, row)
