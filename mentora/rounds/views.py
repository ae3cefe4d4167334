"""The pages of a matching round: starting, adjusting and publishing it, each a thin view
over its service (its review page is `views_review`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mentora.accounts import access as accounts_access
from mentora.core.confirm import run_confirmed
from mentora.core.messages import Success, attempt, refusal, submit, valid
from mentora.people.models import label_related
from mentora.programmes import access as programme_access
from mentora.programmes.models import Participant
from mentora.relationships import access as pair_access
from mentora.relationships.models import GroupKind, Pair, PeerGroup
from mentora.relationships.services import groups as relationship_groups
from mentora.rounds import access
from mentora.rounds.cards import mentor_card
from mentora.rounds.explain import explanation
from mentora.rounds.forms import (
    AnswerForm,
    CompareForm,
    EndForm,
    GroupsForm,
    IntroduceForm,
    MenteeChoiceForm,
    PairChoiceForm,
    RankForm,
)
from mentora.rounds.intake import rolling_intake
from mentora.rounds.models import (
    Introduction,
    IntroductionStatus,
    MatchingRound,
    RoundStatus,
    Suggestion,
)
from mentora.rounds.quality import round_quality
from mentora.rounds.services import choices
from mentora.rounds.services import groups as rounds_groups
from mentora.rounds.services import introductions as introductions_services
from mentora.rounds.services import proposals as proposals_services
from mentora.rounds.services import rounds as rounds_services
from mentora.rounds.views_bulk import PAIR_ACTIONS


@login_required
def round_list(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    return render(
        request,
        "rounds/round_list.html",
        {
            "programme": programme,
            "rounds": programme.rounds.select_related(
                "created_by", *label_related("mentee__person")
            ),
            "intake": rolling_intake(programme) if programme.rolling else None,
        },
    )


@login_required
@require_POST
def round_start_on_demand(request: HttpRequest, programme_id: int) -> HttpResponse:
    """Match one ready mentee of a rolling programme now."""
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    form = MenteeChoiceForm(request.POST, programme=programme)
    back = redirect("round_list", programme_id=programme.pk)
    if not valid(request, form):
        return back
    try:
        matching_round = rounds_services.round_start_on_demand(
            mentee=form.cleaned_data["mentee"], actor=request.user
        )
    except ValidationError as error:
        refusal(request, error)
        return back
    return redirect("round_detail", round_id=matching_round.pk)


@login_required
@require_POST
def round_start(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    return _queue_round(
        request, redirect("round_list", programme_id=programme.pk), programme=programme
    )


def _queue_round(request: HttpRequest, back: HttpResponse, **arguments: Any) -> HttpResponse:
    """Queue a round and show it; a refusal is shown on ``back``, where the manager was."""
    try:
        matching_round = rounds_services.round_start(actor=request.user, **arguments)
    except ValidationError as error:
        refusal(request, error)
        return back
    return redirect("round_detail", round_id=matching_round.pk)


def _pair_chosen(matching_round: MatchingRound, data: Any) -> tuple[Participant, Participant]:
    """The mentee and the mentor chosen; anyone outside the round's programme is not found."""
    form = PairChoiceForm(data, matching_round=matching_round)
    if not form.is_valid():
        raise Http404
    return form.cleaned_data["mentee"], form.cleaned_data["mentor"]


@login_required
@require_POST
def round_cancel(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(request, round_id, rounds_services.round_cancel)


def _round_step(
    request: HttpRequest,
    round_id: int,
    service: Callable[..., Any],
    *,
    form: forms.BaseForm | None = None,
    success: Success = None,
) -> HttpResponse:
    """A confirmed step of a round the user manages: the service runs on the round (with
    ``form``'s data, if it has a form), and the round is shown again with the outcome."""
    matching_round = access.access_round(request.user, round_id)
    run_confirmed(
        request,
        service,
        form=form,
        success=success,
        matching_round=matching_round,
        actor=request.user,
    )
    return redirect("round_detail", round_id=round_id)


@login_required
@require_POST
def round_rerun(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    return _queue_round(
        request,
        redirect("round_detail", round_id=round_id),
        programme=matching_round.programme,
        previous=matching_round,
    )


@login_required
@require_POST
def round_publish(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(
        request, round_id, proposals_services.round_publish, success=_pairs_published
    )


def _pairs_published(pairs: list[Pair]) -> str:
    n = len(pairs)
    return ngettext(
        "%(n)s pair was published and introduced.", "%(n)s pairs were published and introduced.", n
    ) % {"n": n}


@login_required
@require_POST
def proposal_lock(request: HttpRequest, round_id: int, proposal_id: int) -> HttpResponse:
    proposal = access.access_proposal(request.user, round_id, proposal_id)
    attempt(
        request,
        proposals_services.proposal_lock,
        proposal=proposal,
        locked=request.POST.get("locked") == "1",
        actor=request.user,
    )
    return redirect("round_detail", round_id=round_id)


@login_required
@require_POST
def proposal_remove(request: HttpRequest, round_id: int, proposal_id: int) -> HttpResponse:
    proposal = access.access_proposal(request.user, round_id, proposal_id)
    run_confirmed(
        request, proposals_services.proposal_remove, proposal=proposal, actor=request.user
    )
    return redirect("round_detail", round_id=round_id)


@login_required
def round_check(request: HttpRequest, round_id: int) -> HttpResponse:
    """Live validation of a hand-made pair (htmx), also usable without JavaScript."""
    matching_round = access.access_round(request.user, round_id)
    mentee, mentor = _pair_chosen(matching_round, request.GET)
    check = proposals_services.check_pair(matching_round, mentee, mentor)
    include_gender = accounts_access.can_see_sensitive_attributes(
        request.user, matching_round.programme.organisation
    )
    return render(
        request,
        "rounds/_check.html",
        {
            "broken": check.broken,
            "score": check.score,
            "text": check.text(include_gender=include_gender),
            "round": matching_round,
        },
    )


@login_required
@require_POST
def round_assign(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    mentee, mentor = _pair_chosen(matching_round, request.POST)
    attempt(
        request,
        proposals_services.proposal_assign,
        matching_round=matching_round,
        mentee=mentee,
        mentor=mentor,
        actor=request.user,
        success=_matched_by_hand(mentee, mentor),
    )
    return redirect("round_detail", round_id=round_id)


def _matched_by_hand(mentee: Participant, mentor: Participant) -> str:

    return _("%(mentee)s and %(mentor)s were matched by hand and locked.") % {
        "mentee": mentee.person.full_name,
        "mentor": mentor.person.full_name,
    }


@login_required
def round_why_not(request: HttpRequest, round_id: int) -> HttpResponse:
    """Why were these two not matched? The rule that keeps them apart, or the scores."""
    matching_round = access.access_round(request.user, round_id)
    mentee, mentor = _pair_chosen(matching_round, request.GET)
    check = proposals_services.check_pair(matching_round, mentee, mentor)
    current = matching_round.proposals.filter(mentee=mentee).select_related(
        *label_related("mentor__person")
    )
    suggestion = matching_round.suggestions.filter(mentee=mentee, mentor=mentor).first()
    include_gender = accounts_access.can_see_sensitive_attributes(
        request.user, matching_round.programme.organisation
    )
    return render(
        request,
        "rounds/why_not.html",
        {
            "round": matching_round,
            "mentee": mentee,
            "mentor": mentor,
            "broken": check.broken,
            "score": check.score,
            "text": check.text(limit=6, include_gender=include_gender),
            "current": current.first(),
            "suggestion": suggestion,
            "suggested_others": suggestion is None
            and matching_round.suggestions.filter(mentee=mentee).exists(),
        },
    )


@login_required
def round_compare(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round = access.access_round(request.user, round_id)
    chosen = CompareForm(request.GET, matching_round=matching_round)
    if not chosen.is_valid():
        raise Http404
    other = access.access_round(request.user, chosen.cleaned_data["with"].pk)
    include_gender = accounts_access.can_see_sensitive_attributes(
        request.user, matching_round.programme.organisation
    )

    def by_mentee(r: MatchingRound) -> dict[int, Any]:
        return {
            p.mentee_id: p
            for p in r.proposals.select_related(
                *label_related("mentee__person"), *label_related("mentor__person")
            )
        }

    left, right = by_mentee(matching_round), by_mentee(other)
    mentees = {p.mentee_id: p.mentee for p in list(left.values()) + list(right.values())}
    rows = sorted(
        (
            (
                mentees[m],
                left.get(m),
                right.get(m),
                (left.get(m) and left[m].mentor_id) != (right.get(m) and right[m].mentor_id),
            )
            for m in mentees
        ),
        key=lambda row: (not row[3], row[0].person.last_name),
    )
    return render(
        request,
        "rounds/compare.html",
        {
            "round": matching_round,
            "other": other,
            "rows": rows,
            "changed": sum(1 for row in rows if row[3]),
            "quality": round_quality(matching_round, include_gender=include_gender),
            "other_quality": round_quality(other, include_gender=include_gender),
        },
    )


@login_required
@require_POST
def pair_end(request: HttpRequest, pair_id: int) -> HttpResponse:
    pair = pair_access.access_pair(request.user, pair_id)
    run_confirmed(
        request,
        proposals_services.pair_end,
        form=EndForm(request.POST),
        pair=pair,
        actor=request.user,
        success=_("The match has ended. Thank you for trying it."),
    )
    if programme_access.can_manage_programme(request.user, pair.programme):
        return redirect("programme_pairs", programme_id=pair.programme_id)
    return redirect("my_programmes")


@login_required
def programme_pairs(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    pairs = Pair.objects.filter(programme=programme).select_related(
        *label_related("mentee__person"), *label_related("mentor__person"), "ended_by"
    )
    return render(
        request,
        "rounds/pairs.html",
        {"programme": programme, "pairs": pairs, "bulk_actions": PAIR_ACTIONS},
    )


@login_required
@require_POST
def round_open_choosing(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(request, round_id, choices.round_open_choosing)


@login_required
@require_POST
def round_resolve(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(request, round_id, choices.round_resolve_choices)


@login_required
@require_POST
def round_introduce(request: HttpRequest, round_id: int) -> HttpResponse:
    return _round_step(
        request, round_id, introductions_services.round_introduce, form=IntroduceForm(request.POST)
    )


@login_required
def my_matching(request: HttpRequest) -> HttpResponse:
    """A participant's own suggestions to rank, introductions to answer and current matches."""

    user = request.user
    assert user.is_authenticated
    choosing = (
        Suggestion.objects.filter(mentee__user=user, matching_round__status=RoundStatus.CHOOSING)
        .select_related("matching_round__programme", *label_related("mentor__person"))
        .order_by("matching_round_id", "choice_rank", "rank")
    )
    rounds: dict[int, dict[str, Any]] = {}
    for suggestion in choosing:
        entry = rounds.setdefault(
            suggestion.matching_round_id,
            {"round": suggestion.matching_round, "suggestions": []},
        )
        entry["suggestions"].append(mentor_card(suggestion))
    introductions = Introduction.objects.filter(
        Q(mentee__user=user) | Q(mentor__user=user), status=IntroductionStatus.PENDING
    ).select_related(
        "matching_round__programme",
        *label_related("mentee__person"),
        *label_related("mentor__person"),
    )
    pairs = (
        Pair.objects.active()
        .filter(Q(mentee__user=user) | Q(mentor__user=user))
        .select_related(
            "programme", *label_related("mentee__person"), *label_related("mentor__person")
        )
    )
    return render(
        request,
        "rounds/my_matching.html",
        {
            "choosing": list(rounds.values()),
            "introductions": [
                (i, i.side_of(user), explanation(i.contributions, include_gender=False))
                for i in introductions
            ],
            "pairs": pairs,
            "groups": PeerGroup.objects.filter(published=True, members__user=user)
            .select_related("programme")
            .prefetch_related(*label_related("members__person"))
            .distinct(),
        },
    )


@login_required
@require_POST
def choice_submit(request: HttpRequest, round_id: int) -> HttpResponse:

    matching_round, mentee = access.access_own_suggestions(request.user, round_id)
    own = list(matching_round.suggestions.filter(mentee=mentee).values_list("mentor_id", flat=True))
    form = RankForm(request.POST, mentor_ids=own)
    if valid(request, form):
        attempt(
            request,
            choices.mentee_rank,
            matching_round=matching_round,
            mentee=mentee,
            mentor_ids=form.ranked_mentor_ids(),
            actor=request.user,
            success=_("Your choice is saved. You can change it until choosing closes."),
        )
    return redirect("my_matching")


@login_required
@require_POST
def introduction_answer(request: HttpRequest, introduction_id: int) -> HttpResponse:

    introduction = access.access_introduction(request.user, introduction_id, answer=True)
    form = AnswerForm(request.POST)
    if valid(request, form):
        attempt(
            request,
            introductions_services.introduction_answer,
            introduction=introduction,
            actor=request.user,
            accept=form.accepts,
            reason=form.cleaned_data["reason"],
            success=_("Thank you: you accepted.")
            if form.accepts
            else _("Thank you: you declined, without blame."),
        )
    return redirect("my_matching")


# Groups formed by the engine ---------------------------------------------------------------

FORMABLE = [(k, GroupKind(k).label) for k in rounds_groups.ROLE_FOR]


@login_required
def programme_groups(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    groups = PeerGroup.objects.filter(programme=programme).prefetch_related(
        *label_related("members__person")
    )
    return render(
        request,
        "relationships/groups.html",
        {"programme": programme, "groups": groups, "kinds": FORMABLE},
    )


@login_required
@require_POST
def groups_form(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    submit(
        request,
        GroupsForm(request.POST),
        rounds_groups.groups_form,
        programme=programme,
        actor=request.user,
        success=_groups_formed,
    )
    return redirect("programme_groups", programme_id=programme.pk)


def _groups_formed(formed: tuple[list[PeerGroup], list[Participant]]) -> str:
    groups, left_out = formed
    text = _("%(groups)s groups formed; %(left)s could not be placed without breaking a rule.")
    return text % {"groups": len(groups), "left": len(left_out)}


@login_required
@require_POST
def groups_publish(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    run_confirmed(
        request,
        relationship_groups.groups_publish,
        programme=programme,
        kind=request.POST.get("kind", ""),
        actor=request.user,
    )
    return redirect("programme_groups", programme_id=programme.pk)
