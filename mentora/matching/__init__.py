"""Mentora's matching engine: pure Python with numpy and OR-Tools, no Django.

Typical use from the web app::

    policy = Policy.from_dict(programme.matching_policy)
    result = match(problem=Problem(mentees=..., mentors=..., people=...), policy=policy)
    answer = why_not(problem=problem, policy=policy, mentee_id="e1", mentor_id="m7",
                     result=result)
"""

from mentora.matching.contributions import collection_paused
from mentora.matching.engine import match
from mentora.matching.explaining import organisation_counts, why_not
from mentora.matching.groups import form_groups
from mentora.matching.model import (
    Contribution,
    ExplicitPairs,
    Group,
    Match,
    MatchResult,
    Person,
    Problem,
    ProblemError,
    ProgressCallback,
    RuleBreak,
    Suggestion,
    Unmatched,
    WhyNot,
)
from mentora.matching.policy import (
    Bands,
    Constraints,
    FairnessBound,
    GroupSettings,
    MatchingSettings,
    Policy,
    PolicyError,
    Weights,
)
from mentora.matching.report import build_report, count_violations
from mentora.matching.stable import blocking_pairs, deferred_acceptance

__all__ = [
    "Bands",
    "Constraints",
    "Contribution",
    "ExplicitPairs",
    "FairnessBound",
    "Group",
    "GroupSettings",
    "Match",
    "MatchResult",
    "MatchingSettings",
    "Person",
    "Policy",
    "PolicyError",
    "Problem",
    "ProblemError",
    "ProgressCallback",
    "RuleBreak",
    "Suggestion",
    "Unmatched",
    "WhyNot",
    "Weights",
    "blocking_pairs",
    "build_report",
    "collection_paused",
    "count_violations",
    "deferred_acceptance",
    "form_groups",
    "match",
    "organisation_counts",
    "why_not",
]
