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
