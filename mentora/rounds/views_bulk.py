"""Acting on many proposals of a round, or many pairs of a programme, at once: a preview,
then one transaction through the single-row services (`mentora.core.bulk`).

Locking, unlocking and removing proposals can be undone; publishing pairs, nudging pairs
and asking them how it is going tell people something at once, so those ask for the tick.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mentora.core import bulk
from mentora.people.models import label_related
from mentora.programmes import access as programme_access
from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import Pair
from mentora.relationships.services import support
from mentora.rounds import access
from mentora.rounds.models import MatchingRound, Proposal
from mentora.rounds.services import proposals as proposals_services

# Refusals that speak of pairs, not of people.
PAIR_ERRORS = {
    "required": gettext_lazy("Choose at least one pair from the list."),
    "invalid_choice": gettext_lazy(
        "Nothing was changed: one of the chosen pairs is not on this list."
    ),
    "invalid_pk_value": gettext_lazy(
        "Nothing was changed: one of the chosen pairs is not on this list."
    ),
}
PAIRS_TOO_MANY = gettext_lazy("Choose at most %(n)s pairs at a time.")


def _apply_label(preview: bulk.BulkPreview) -> str:
    n = len(preview.ready)
    return ngettext("Apply to %(n)s pair", "Apply to %(n)s pairs", n) % {"n": n}


def _names(mentee: Participant, mentor: Participant) -> str:
    return _("%(mentee)s and %(mentor)s") % {
        "mentee": mentee.person.full_name,
        "mentor": mentor.person.full_name,
    }


def _preview_page(
    request: HttpRequest,
    template: str,
    *,
    preview: bulk.BulkPreview,
    **context: Any,
) -> HttpResponse:
    return render(
        request,
        template,
        {
            **context,
            "preview": preview,
            "apply_label": _apply_label(preview),
            "nothing_label": _("No pair on the list can be changed this way."),
        },
    )


# Proposals of a round ----------------------------------------------------------------------

PROPOSAL_ACTIONS = [
    ("lock", gettext_lazy("Lock")),
    ("unlock", gettext_lazy("Unlock")),
    ("remove", gettext_lazy("Remove")),
    ("publish", gettext_lazy("Publish the selected pairs")),
]
# Publishing tells people at once; the other changes to a proposal can be taken back.
PROPOSALS_REVERSIBLE = frozenset({"lock", "unlock", "remove"})


def proposal_actions(matching_round: MatchingRound) -> list[tuple[str, Any]]:
    """The actions the review offers: where both sides opt in, nothing is published."""
    if matching_round.programme.influence_mode == "mutual_opt_in":
        return [(key, label) for key, label in PROPOSAL_ACTIONS if key != "publish"]
    return PROPOSAL_ACTIONS


class ProposalBulkForm(bulk.BulkForm):
    id_errors = PAIR_ERRORS
    too_many = PAIRS_TOO_MANY

    def __init__(self, data: Any = None, *, matching_round: MatchingRound) -> None:
        proposals = matching_round.proposals.select_related(
            "mentee__person", "mentor__person", "matching_round__programme"
        ).order_by("-score", "pk")
        super().__init__(data, queryset=proposals, actions=PROPOSAL_ACTIONS)


def _proposal_label(proposal: Proposal) -> str:
    return _names(proposal.mentee, proposal.mentor)


def _proposal_check(action: str) -> Callable[[Proposal], str]:
    """What the action will do to one proposal, or the refusal that skips it."""

    def check(proposal: Proposal) -> str:
        if action in ("lock", "unlock"):
            proposals_services.proposal_lock_check(proposal, locked=action == "lock")
            return _("Locked: a re-run keeps this pair.") if action == "lock" else _("Unlocked.")
        if proposal.is_published:
            raise ValidationError(_("This pair is already published."))
        if action == "remove":
            return _("Removed: the mentee becomes unmatched in this round.")
        proposals_services.proposal_publish_check(proposal)
        rules = proposals_services.check_pair(
            proposal.matching_round, proposal.mentee, proposal.mentor, ignore=proposal
        )
        if rules.broken:
            raise ValidationError("; ".join(rules.broken))
        return _("Published: both, and the mentee's line manager, are told.")

    return check


def _proposal_apply(action: str, actor: Any) -> Callable[[Proposal], Any]:
    """The single-proposal service for the action; what it returns is what an undo needs
    (ids and flags only)."""

    def apply(proposal: Proposal) -> Any:
        if action in ("lock", "unlock"):
            proposals_services.proposal_lock(
                proposal=proposal, locked=action == "lock", actor=actor
            )
            return [action, proposal.pk]
        if action == "remove":
            item = [
                action,
                proposal.mentee_id,
                proposal.mentor_id,
                proposal.locked,
                proposal.manual,
            ]
            proposals_services.proposal_remove(proposal=proposal, actor=actor)
            return item
        return proposals_services.proposal_publish(proposal=proposal, actor=actor)

    return apply


def _proposal_done(action: str, n: int) -> str:
    texts = {
        "lock": ngettext("%(n)s pair locked.", "%(n)s pairs locked.", n),
        "unlock": ngettext("%(n)s pair unlocked.", "%(n)s pairs unlocked.", n),
        "remove": ngettext("%(n)s pair removed.", "%(n)s pairs removed.", n),
        "publish": ngettext(
            "%(n)s pair was published and introduced.",
            "%(n)s pairs were published and introduced.",
            n,
        ),
    }
    return texts[action] % {"n": n}


def _proposal_form(
    request: HttpRequest, round_id: int
) -> tuple[MatchingRound, ProposalBulkForm | None]:
    """The round, and the choice to parse if the user may still change the round; None
    (with the refusal shown) otherwise."""
    matching_round = access.access_round(request.user, round_id)
    if not matching_round.is_editable:
        messages.error(request, _("This round can no longer be changed."))
        return matching_round, None
    return matching_round, ProposalBulkForm(request.POST, matching_round=matching_round)


def _proposal_preview(form: ProposalBulkForm) -> bulk.BulkPreview:
    return bulk.bulk_preview(
        form.cleaned_data["ids"],
        label=_proposal_label,
        check=_proposal_check(form.cleaned_data["action"]),
    )


@login_required
@require_POST
def proposals_bulk_preview(request: HttpRequest, round_id: int) -> HttpResponse:
    matching_round, form = _proposal_form(request, round_id)

    def context(form: ProposalBulkForm) -> dict[str, Any]:
        action = form.cleaned_data["action"]
        return {
            "action_label": dict(PROPOSAL_ACTIONS)[action],
            "reversible": action in PROPOSALS_REVERSIBLE,
        }

    return bulk.show_preview(
        request,
        form,
        back=reverse("round_detail", kwargs={"round_id": round_id}),
        preview=_proposal_preview,
        page=partial(
            _preview_page,
            request,
            "rounds/proposals_bulk.html",
            round=matching_round,
            programme=matching_round.programme,
        ),
        context=context,
    )


@login_required
@require_POST
def proposals_bulk_apply(request: HttpRequest, round_id: int) -> HttpResponse:
    _round, form = _proposal_form(request, round_id)
    return bulk.run_batch(
        request,
        form,
        back=reverse("round_detail", kwargs={"round_id": round_id}),
        preview=_proposal_preview,
        apply=lambda form: _proposal_apply(form.cleaned_data["action"], request.user),
        done=lambda form, outcome: _proposal_done(form.cleaned_data["action"], len(outcome.done)),
        undo_url=lambda form: (
            reverse("proposals_bulk_undo", args=[round_id])
            if form.cleaned_data["action"] in PROPOSALS_REVERSIBLE
            else ""
        ),
        undo_item=lambda _proposal, item: item,
    )


def _undo_one(
    matching_round: MatchingRound, people: dict[int, Participant], actor: Any
) -> Callable[[list[Any]], Any]:
    """Take back one change of the last batch, through the single services, which refuse
    (and so skip) a proposal that has changed since."""

    def undo(item: list[Any]) -> Any:
        if item[0] == "remove":
            _action, mentee_id, mentor_id, locked, manual = item
            if mentee_id not in people or mentor_id not in people:
                raise ValidationError(_("The mentee or the mentor has left the programme."))
            return proposals_services.proposal_restore(
                matching_round=matching_round,
                mentee=people[mentee_id],
                mentor=people[mentor_id],
                locked=bool(locked),
                manual=bool(manual),
                actor=actor,
            )
        proposal = matching_round.proposals.filter(pk=item[1]).first()
        if proposal is None:
            raise ValidationError(_("This pair is no longer proposed in the round."))
        # A lock is taken back by unlocking, and the other way round.
        locked = item[0] == "unlock"
        proposals_services.proposal_lock_check(proposal, locked=locked)
        return proposals_services.proposal_lock(proposal=proposal, locked=locked, actor=actor)

    return undo


def _undo_label(people: dict[int, Participant]) -> Callable[[list[Any]], str]:
    def label(item: list[Any]) -> str:
        if item[0] == "remove":
            mentee, mentor = people.get(item[1]), people.get(item[2])
            return _names(mentee, mentor) if mentee and mentor else _("A pair")
        proposal = Proposal.objects.filter(pk=item[1]).select_related(
            "mentee__person", "mentor__person"
        )
        found = proposal.first()
        return _proposal_label(found) if found else _("A pair")

    return label


@login_required
@require_POST
def proposals_bulk_undo(request: HttpRequest, round_id: int) -> HttpResponse:
    """Take back the last batch of locks, unlocks or removals, for each proposal that has
    not changed since; what to take back is read from the session, never the page."""
    matching_round = access.access_round(request.user, round_id)
    items = bulk.undo_take(request, reverse("proposals_bulk_undo", args=[round_id]))
    if items is None:
        return redirect("round_detail", round_id=round_id)
    ids = {int(i) for item in items if item[0] == "remove" for i in item[1:3]}
    people = {
        p.pk: p
        for p in matching_round.programme.participants.filter(pk__in=ids).select_related(
            *label_related("person")
        )
    }
    undo = _undo_one(matching_round, people, request.user)

    def check(item: list[Any]) -> str:
        return ""

    outcome = bulk.bulk_apply(
        bulk.bulk_preview(items, label=_undo_label(people), check=check), undo
    )
    bulk.bulk_report(
        request,
        outcome,
        done=lambda n: (
            ngettext("%(n)s pair is as it was.", "%(n)s pairs are as they were.", n) % {"n": n}
        ),
    )
    return redirect("round_detail", round_id=round_id)


# Pairs of a programme ------------------------------------------------------------------------

PAIR_ACTIONS = [
    ("nudge", gettext_lazy("Send a nudge to meet")),
    ("checkin", gettext_lazy("Ask how it is going")),
]


class PairBulkForm(bulk.BulkForm):
    id_errors = PAIR_ERRORS
    too_many = PAIRS_TOO_MANY

    def __init__(self, data: Any = None, *, programme: Programme) -> None:
        pairs = (
            Pair.objects.filter(programme=programme)
            .select_related("programme", "mentee__person", "mentor__person")
            .order_by("pk")
        )
        super().__init__(data, queryset=pairs, actions=PAIR_ACTIONS)


def _pair_check(action: str) -> Callable[[Pair], str]:
    def check(pair: Pair) -> str:
        support.pair_support_check(pair)
        if action == "nudge":
            return _("Both get a friendly reminder to meet.")
        return _("Both are asked to tell the programme team how it is going.")

    return check


def _pair_apply(action: str, actor: Any) -> Callable[[Pair], Any]:
    service = support.pair_nudge if action == "nudge" else support.pair_checkin_request

    def apply(pair: Pair) -> Any:
        return service(pair=pair, actor=actor)

    return apply


def _pair_done(action: str, n: int) -> str:
    if action == "nudge":
        return ngettext("%(n)s pair nudged.", "%(n)s pairs nudged.", n) % {"n": n}
    return ngettext(
        "%(n)s pair asked how it is going.", "%(n)s pairs asked how it is going.", n
    ) % {"n": n}


def _pair_form(request: HttpRequest, programme_id: int) -> tuple[Programme, PairBulkForm]:
    programme = programme_access.access_programme(request.user, programme_id, write=True)
    return programme, PairBulkForm(request.POST, programme=programme)


def _pair_preview(form: PairBulkForm) -> bulk.BulkPreview:
    return bulk.bulk_preview(
        form.cleaned_data["ids"],
        label=lambda pair: _names(pair.mentee, pair.mentor),
        check=_pair_check(form.cleaned_data["action"]),
    )


@login_required
@require_POST
def pairs_bulk_preview(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, form = _pair_form(request, programme_id)
    return bulk.show_preview(
        request,
        form,
        back=reverse("programme_pairs", kwargs={"programme_id": programme.pk}),
        preview=_pair_preview,
        page=partial(_preview_page, request, "rounds/pairs_bulk.html", programme=programme),
        context=lambda form: {
            "action_label": dict(PAIR_ACTIONS)[form.cleaned_data["action"]],
            "reversible": False,
        },
    )


@login_required
@require_POST
def pairs_bulk_apply(request: HttpRequest, programme_id: int) -> HttpResponse:
    programme, form = _pair_form(request, programme_id)
    return bulk.run_batch(
        request,
        form,
        back=reverse("programme_pairs", kwargs={"programme_id": programme.pk}),
        preview=_pair_preview,
        apply=lambda form: _pair_apply(form.cleaned_data["action"], request.user),
        done=lambda form, outcome: _pair_done(form.cleaned_data["action"], len(outcome.done)),
    )
