"""The review of a matching round: its quality, its proposals a page at a time with their
filters, those it left unmatched, and the lists to match by hand."""

from __future__ import annotations

import html
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.safestring import mark_safe
from django_htmx.http import HttpResponseClientRefresh

from mentora.accounts import access as accounts_access
from mentora.people.models import Person, label_related
from mentora.programmes.models import Participant, ParticipantRole
from mentora.rounds import access
from mentora.rounds.explain import explanation, has_reason, unmatched_text
from mentora.rounds.forms import HandSearchForm, ReviewFilterForm
from mentora.rounds.hand import HAND_OPTIONS, hand_candidates
from mentora.rounds.models import MatchingRound, Proposal, RoundStatus
from mentora.rounds.quality import (
    ScoreCuts,
    mentees_who_chose,
    round_quality,
    round_score_cuts,
    stated_wishes,
)
from mentora.rounds.views_bulk import proposal_actions


@login_required
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    programme = matching_round.programme
    if request.headers.get("HX-Request") == "true" and "progress" in request.GET:
        if not matching_round.is_running:
            return HttpResponseClientRefresh()
        return render(request, "rounds/round_detail.html#progress", {"round": matching_round})
    include_gender = accounts_access.can_see_sensitive_attributes(
        request.user, programme.organisation
    )
    filters = ReviewFilterForm(
        request.GET, matching_round=matching_round, include_gender=include_gender
    )
    # A filter given wrongly is named on the page; the others still apply.
    filters.is_valid()
    reviewed, cuts = _reviewed(matching_round, filters)
    # The page is counted and found among the proposals' ids, and only its own rows are
    # read with their people: an offset over rows joined to their people would read and
    # join every row before it, the whole round for its last page.
    page = Paginator(reviewed.values_list("pk", flat=True), REVIEW_PAGE).get_page(
        request.GET.get("page")
    )
    rows = [
        (
            p,
            explanation(p.contributions, include_gender=include_gender),
            cuts.band(p.score) if cuts else "",
        )
        for p in _proposals_shown(list(page.object_list))
    ]
    unmatched = [
        (u, unmatched_text(u.reason_code, u.reason))
        for u in matching_round.unmatched.select_related(*label_related("participant__person"))
    ]
    context = {
        "round": matching_round,
        "programme": programme,
        "rows": rows,
        "page": page,
        "unmatched": unmatched,
        "quality": round_quality(matching_round, include_gender=include_gender)
        if not matching_round.is_running
        else None,
        "filters": filters,
        "filtered": any(filters.value(name) for name in ("q", "organisation", "band", "rule")),
        **_hand(matching_round, HandSearchForm(request.GET)),
        "others": programme.rounds.exclude(pk=matching_round.pk).filter(
            status__in=[RoundStatus.DONE, RoundStatus.PUBLISHED]
        ),
        **_earlier(matching_round, include_gender=include_gender),
        "include_gender": include_gender,
        "mode": programme.influence_mode,
        "introductions": matching_round.introductions.select_related(
            *label_related("mentee__person"), *label_related("mentor__person")
        ),
        **_suggestion_context(matching_round),
        "bulk_actions": proposal_actions(matching_round),
        "published_some": matching_round.proposals.filter(pair__isnull=False).exists(),
    }
    return render(request, "rounds/round_detail.html", context)


def _hand(matching_round: MatchingRound, search: HandSearchForm) -> dict[str, Any]:
    """What "match by hand" lists on each side: those found by the search box (without
    JavaScript; with it, the people picker searches), else the round's unmatched."""
    # A search given wrongly (too long) is named on the page and lists the unmatched.
    valid = search.is_valid()
    found: dict[str, str] = {
        side: search.cleaned_data.get(f"{side}_q", "") if valid else ""
        for side in ("mentee", "mentor")
    }
    return {
        "hand_search": search,
        "hand_searched": any(found.values()),
        "hand_limit": HAND_OPTIONS,
        "mentee_options": _options(
            hand_candidates(matching_round, role=ParticipantRole.MENTEE, text=found["mentee"])
        ),
        "mentor_options": _options(
            hand_candidates(matching_round, role=ParticipantRole.MENTOR, text=found["mentor"])
        ),
    }


def _options(candidates: QuerySet[Participant]) -> str:
    """The `<option>`s of a few participants (`HAND_OPTIONS` at most), labelled as
    `Person.label` does, built from plain values."""
    rows = candidates[:HAND_OPTIONS].values_list(
        "pk",
        "person__first_name",
        "person__last_name",
        "person__organisation__name",
        "person__org_unit__name",
        "person__job_title",
    )
    # Escaped by hand: Django's format_html costs more than the query for 20,000.
    return mark_safe(  # noqa: S308
        "".join(
            f'<option value="{pk}">{html.escape(f"{first} {last}".strip() + _context(*rest))}'
            "</option>"
            for pk, first, last, *rest in rows
        )
    )


def _context(*parts: str | None) -> str:
    """What `Person.label` adds to a name: organisation, unit and job title."""
    shown = " · ".join(part for part in parts if part)
    return f" ({shown})" if shown else ""


def _reviewed(
    matching_round: MatchingRound, filters: ReviewFilterForm
) -> tuple[QuerySet[Proposal], ScoreCuts | None]:
    """The round's proposals that pass the review's filters, in its order, and where its
    scores split into bands. What a filter can ask of a column is asked of the database;
    only a reason read from a proposal's explanation or its mentee's wishes is decided
    here, and then only the ids of those that pass are kept, so that a page of a large
    round reads its own rows only."""
    proposals = matching_round.proposals.all()
    if query := filters.value("q"):
        # The people so named are found first, from the indexes on their names, rather
        # than every proposal's two people read to look for the name inside theirs.
        people = Person.objects.filter(organisation_id__in=filters.organisation_ids)
        named = Participant.objects.filter(
            programme_id=matching_round.programme_id, person__in=people.named(query)
        ).values("pk")
        proposals = proposals.filter(Q(mentee__in=named) | Q(mentor__in=named))
    if organisation := filters.value("organisation"):
        proposals = proposals.filter(
            Q(mentee__person__organisation=organisation)
            | Q(mentor__person__organisation=organisation)
        )
    cuts = round_score_cuts(matching_round)
    band = filters.value("band")
    if band and cuts:
        proposals = proposals.filter(**_band_range(band, cuts))
    elif band:
        proposals = proposals.none()
    reason = filters.value("rule")
    if reason in COLUMN_REASONS:
        proposals = proposals.filter(**COLUMN_REASONS[reason])
    elif reason:
        chosen = mentees_who_chose(matching_round) if reason == "wish_missed" else set()
        passing = [
            p.pk
            for p in proposals.select_related("mentee").only(
                "pk",
                "locked",
                "manual",
                "preference_rank",
                "contributions",
                "mentee",
                "mentee__profile",
            )
            if has_reason(p, reason, wished=stated_wishes(p.mentee, chosen))
        ]
        proposals = matching_round.proposals.filter(pk__in=passing)
    return proposals.order_by(filters.order, "pk"), cuts


def _proposals_shown(ids: list[int]) -> list[Proposal]:
    """The proposals of a page, with their people, in the order of their ids (any taken
    away since the page was found are left out)."""
    found = Proposal.objects.select_related(
        *label_related("mentee__person"), *label_related("mentor__person")
    ).in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


# The proposals on one page of a round's review.
REVIEW_PAGE = 50
# The review's reasons that are a column of the proposal (see `explain.has_reason`).
COLUMN_REASONS: dict[str, dict[str, Any]] = {
    "locked": {"locked": True},
    "manual": {"manual": True},
    "first_choice": {"preference_rank": 1},
    "wish_met": {"preference_rank__isnull": False},
}


def _band_range(band: str, cuts: ScoreCuts) -> dict[str, float]:
    """The scores of a band (`ScoreCuts.band`), as a filter."""
    if band == "strong":
        return {"score__gte": cuts.strong}
    if band == "good":
        return {"score__gte": cuts.good, "score__lt": cuts.strong}
    return {"score__lt": cuts.good}


def _earlier(matching_round: MatchingRound, *, include_gender: bool) -> dict[str, Any]:
    """The programme's round before this one and its quality, to compare with."""
    earlier = None if matching_round.is_running else matching_round.earlier_round()
    return {
        "earlier": earlier,
        "earlier_quality": round_quality(earlier, include_gender=include_gender)
        if earlier
        else None,
    }


def _suggestion_context(matching_round: MatchingRound) -> dict[str, Any]:
    if matching_round.kind != "suggestions" or matching_round.proposals.exists():
        return {"suggestion_rows": [], "chosen": 0, "suggested": 0}
    grouped: dict[int, tuple[Any, list[Any]]] = {}
    for s in matching_round.suggestions.select_related(
        *label_related("mentee__person"), *label_related("mentor__person")
    ):
        grouped.setdefault(s.mentee_id, (s.mentee, []))[1].append(s)
    rows = sorted(grouped.values(), key=lambda row: row[0].person.last_name)
    chosen = sum(1 for _mentee, items in rows if any(s.choice_rank for s in items))
    return {"suggestion_rows": rows, "chosen": chosen, "suggested": len(rows)}
