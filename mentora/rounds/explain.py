"""The engine's reasons in the reader's language.

The engine returns stable codes with parameters next to its English text; these
functions turn the codes into translated sentences, so a Danish manager reads
Danish reasons.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentora.matching.fairness import OTHER, UNKNOWN


def contribution_text(criterion: str, detail: Mapping[str, Any], *, to_mentee: bool = False) -> str:
    """One criterion of a pair in words; `to_mentee` words it for the mentee reading it."""
    if criterion == "themes":
        return _("shares themes: %(themes)s") % {"themes": ", ".join(detail.get("themes", []))}
    if criterion == "progression":
        gap = float(detail.get("levels", 0))
        n = abs(int(gap)) if gap == int(gap) else abs(gap)
        if gap > 0:
            return ngettext("mentor is %(n)s level above", "mentor is %(n)s levels above", n) % {
                "n": n
            }
        if gap < 0:
            return ngettext("mentor is %(n)s level below", "mentor is %(n)s levels below", n) % {
                "n": n
            }
        return _("same level")
    simple = {
        "different_department": _("different departments"),
        "different_division": _("different divisions"),
        "different_location": _("different locations"),
        "different_gender": _("different genders"),
    }
    if criterion in simple:
        return simple[criterion]
    if criterion == "timezone_band":
        return _("time zones %(hours)s h apart") % {"hours": detail.get("hours", "?")}
    if criterion == "mentee_preference" and to_mentee:
        return _("your wish no. %(rank)s") % {"rank": detail.get("rank", "?")}
    if criterion == "mentee_preference":
        return _("the mentee's choice no. %(rank)s") % {"rank": detail.get("rank", "?")}
    if criterion == "mentor_preference":
        return _("the mentor's choice no. %(rank)s") % {"rank": detail.get("rank", "?")}
    if criterion == "goals":
        share = round(float(detail.get("similarity", 0)) * 100)
        return _("similar goals (%(share)s%% of words shared)") % {"share": share}
    return _("score %(score)s") % {"score": detail.get("score", "?")}


# What a mentee reads of why a mentor is suggested: not the mentor's own wishes, nobody's
# gender and no score.
NOT_FOR_MENTEES = frozenset({"mentor_preference", "different_gender", "given_score"})


def explanation(
    contributions: Iterable[Mapping[str, Any]],
    *,
    limit: int = 3,
    include_gender: bool = True,
    leave_out: Collection[str] = (),
    to_mentee: bool = False,
) -> str:
    """The top contributing criteria of a pair, as one translated line; each criterion is
    given once (the first, most important, mention wins); criteria in `leave_out` are not
    told, and `to_mentee` words it for the mentee reading it."""
    parts: list[str] = []
    seen: set[str] = set(leave_out)
    for c in contributions:
        criterion = c["criterion"]
        if criterion in seen or (criterion == "different_gender" and not include_gender):
            continue
        seen.add(criterion)
        text = contribution_text(criterion, c.get("detail", {}), to_mentee=to_mentee)
        if text not in parts:
            parts.append(text)
    return "; ".join(parts[:limit])


def has_reason(proposal: Any, reason: str, *, wished: bool) -> bool:
    """Whether `reason` (a filter of the review: how the pair was set, how it met the
    mentee's wishes, or a criterion that scored for it) applies to a proposal; `wished`
    says whether its mentee stated wishes."""
    if reason == "locked":
        return bool(proposal.locked)
    if reason == "manual":
        return bool(proposal.manual)
    if reason == "first_choice":
        return proposal.preference_rank == 1
    if reason == "wish_met":
        return proposal.preference_rank is not None
    if reason == "wish_missed":
        return wished and proposal.preference_rank is None
    return any(c.get("criterion") == reason for c in proposal.contributions or ())


def rule_text(rule: str, *, mentee: str, mentor: str) -> str:
    names = {"mentee": mentee, "mentor": mentor}
    texts = {
        "same_person": _("%(mentee)s cannot mentor themselves."),
        "reporting_line": _("%(mentor)s and %(mentee)s are in the same reporting line."),
        "same_team": _("%(mentor)s and %(mentee)s are in the same team."),
        "competitors": _("%(mentor)s and %(mentee)s work for competing organisations."),
        "same_organisation": _(
            "%(mentor)s and %(mentee)s are from the same organisation, and this programme "
            "matches across organisations."
        ),
        "timezone_gap": _("The time zones of %(mentor)s and %(mentee)s are too far apart."),
        "shared_language": _("%(mentor)s and %(mentee)s have no language in common."),
        "exclude": _("One of %(mentor)s and %(mentee)s asked not to be matched with the other."),
        "ended_pair": _(
            "%(mentor)s and %(mentee)s were matched in this programme and the match ended; "
            "the same two are not matched again."
        ),
    }
    return texts.get(rule, _("A hard rule (%(rule)s) excludes this pair.") % {"rule": rule}) % names


def unmatched_text(code: str, fallback: str) -> str:
    texts = {
        "no_feasible_mentor": _("No mentor with free places passes the hard rules."),
        "no_stable_partner": _("No mentor who ranked this mentee had room."),
        "capacity_exhausted": _("Every suitable mentor's places went to other mentees."),
        "removed": _("Removed from the proposals by the programme manager."),
    }
    return texts.get(code, fallback)


# The fairness report ------------------------------------------------------------------------


def attribute_label(attribute: str) -> str:
    """A breakdown of the fairness report, as a heading."""
    return {
        "organisation": _("Organisation"),
        "department": _("Department"),
        "location": _("Location"),
        "level_band": _("Level band"),
        "gender": _("Gender"),
    }.get(attribute, attribute)


def group_label(group: str) -> str:
    """A group of a breakdown: its own value, or the words for "not known" and "others"."""
    if group == OTHER:
        return _("Smaller groups together")
    if group == UNKNOWN:
        return _("Not known")
    return group


def criterion_label(criterion: str) -> str:
    """A criterion of the score, as a column heading."""
    return {
        "themes": _("Shared themes"),
        "progression": _("Level progression"),
        "goals": _("Similar goals"),
        "different_department": _("Different departments"),
        "different_division": _("Different divisions"),
        "different_location": _("Different locations"),
        "different_gender": _("Different genders"),
        "timezone_band": _("Time zones"),
        "mentee_preference": _("Mentee's choice"),
        "mentor_preference": _("Mentor's choice"),
        "given_score": _("Given score"),
    }.get(criterion, criterion)


def reason_label(code: str) -> str:
    """Why mentees were left out, in a few words."""
    return {
        "no_feasible_mentor": _("no mentor the hard rules allow"),
        "no_stable_partner": _("no mentor who ranked them had room"),
        "capacity_exhausted": _("suitable mentors' places ran out"),
        "fairness_bounds": _("the organisations' fairness bounds"),
        "removed": _("removed by hand"),
    }.get(code, _("not matched"))


def _cause(driver: str | None, measure: str, gap: float | None, weights: Mapping[str, Any]) -> str:
    """What to look at: the rule or weight behind the gap."""
    if driver is None:
        return _("No single rule or weight stands out; look at the pairs themselves.")
    if measure == "matched_share":
        return {
            "no_feasible_mentor": _(
                "Most of the gap is mentees no mentor may take under the hard rules: look at "
                "the rules (same team, reporting line, organisations, time zones, languages) "
                "and whether there are mentors who suit them."
            ),
            "capacity_exhausted": _(
                "Most of the gap is mentees whose suitable mentors' places ran out: more "
                "mentors, or more places for them, would help."
            ),
            "fairness_bounds": _(
                "Most of the gap comes from the organisations' fairness bounds in the policy."
            ),
            "removed": _("Most of the gap is pairs removed by hand."),
            "no_stable_partner": _(
                "Most of the gap is mentees no mentor with room ranked: stable matching "
                "keeps only pairs both sides accept."
            ),
        }.get(driver, _("Look at why these mentees were not matched."))
    return _(
        "Most of the gap is %(criterion)s (%(gap)s points less per pair): the weight of "
        "this criterion (%(weight)s in the policy) drives it."
    ) % {
        "criterion": criterion_label(driver).lower(),
        "gap": f"{gap or 0:.1f}",
        "weight": weights.get(driver, "—"),
    }


def finding_text(finding: Any, weights: Mapping[str, Any]) -> str:
    """A group that falls clearly below the rest, in words, with what drives it."""
    names = {
        "group": group_label(finding.group),
        "attribute": attribute_label(finding.attribute).lower(),
    }
    if finding.measure == "matched_share":
        said = _(
            "%(group)s (%(attribute)s): %(value)s%% of these mentees were matched, against "
            "%(rest)s%% of the others."
        ) % {**names, "value": round(finding.value * 100), "rest": round(finding.rest * 100)}
    else:
        said = _(
            "%(group)s (%(attribute)s): these mentees' pairs score %(value)s on average, "
            "against %(rest)s for the others."
        ) % {**names, "value": f"{finding.value:.1f}", "rest": f"{finding.rest:.1f}"}
    return f"{said} {_cause(finding.driver, finding.measure, finding.gap, weights)}"
