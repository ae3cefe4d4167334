"""Reviewing a round: locking, hand matching, checking a pair, removing (and restoring),
publishing the pairs, all at once or some ahead of the others, and ending a pair without
blame.

A round stays open for review while it has proposals that are not published: a manager may
publish some pairs first (`proposal_publish`), and the others stay proposals of the round,
to lock, remove or publish later. Once no proposal is left unpublished, the round is
published. A published proposal keeps its place in the round (and its mentor's place
counted), linked to its pair, and can no longer be locked, removed or published again."""

from __future__ import annotations

import dataclasses
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import (
    Policy,
    why_not,
)
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus
from mentora.programmes.services import pipeline
from mentora.relationships.models import Pair
from mentora.relationships.services.closure import pair_ended_emit
from mentora.relationships.services.groups import mentoring_groups_create
from mentora.rounds import tasks
from mentora.rounds.explain import explanation, rule_text
from mentora.rounds.models import (
    MatchingRound,
    Proposal,
    RoundStatus,
    UnmatchedParticipant,
)
from mentora.rounds.problem import (
    build_input,
    contributions_as_json,
    ended_partners,
    pairs_at_work,
)
from mentora.rounds.quality import quality_forget
from mentora.rounds.services.rounds import _current, _editable, _preference_rank, _round_move
from mentora.webhooks.services import emit


def _open(proposal: Proposal) -> Proposal:
    """The proposal as it is now, in a round locked by `_editable`, if it is not published."""
    proposal = _current(proposal)
    if proposal.is_published:
        raise ValidationError(_("This pair is already published."))
    return proposal


def proposal_lock_check(proposal: Proposal, *, locked: bool) -> None:
    """Refuse, saying why, a lock (or an unlock) that would change nothing."""
    if proposal.is_published:
        raise ValidationError(_("This pair is already published."))
    if proposal.locked == locked:
        raise ValidationError(
            _("This pair is locked already.") if locked else _("This pair is not locked.")
        )


@transaction.atomic
def proposal_lock(*, proposal: Proposal, locked: bool, actor: Any) -> Proposal:
    """Fix a pair so that re-runs keep it (or release it)."""
    _editable(proposal.matching_round)
    proposal = _open(proposal)
    if proposal.locked != locked:
        proposal.locked = locked
        proposal.save(update_fields=["locked"])
        quality_forget(round_id=proposal.matching_round_id)
        audit_log(
            actor=actor,
            action="rounds.proposal.lock" if locked else "rounds.proposal.unlock",
            obj=proposal,
            programme=proposal.matching_round.programme,
            changes={"mentee": proposal.mentee_id, "mentor": proposal.mentor_id},
        )
    return proposal


@dataclasses.dataclass
class PairCheck:
    """What the rules say about a pair in a round: the rules it breaks (empty if none), and
    its score and reasons as the engine gives them."""

    broken: list[str]
    score: float | None
    contributions: list[dict[str, Any]]

    def text(self, *, limit: int = 3, include_gender: bool = True) -> str:
        if self.broken:
            return ""
        return explanation(self.contributions, limit=limit, include_gender=include_gender)


def _stated_exclusion(mentee: Participant, mentor: Participant) -> bool:
    def excludes(who: Participant, other: Participant) -> bool:
        return str(other.person_id) in [str(e) for e in (who.profile or {}).get("exclusions") or []]

    return excludes(mentee, mentor) or excludes(mentor, mentee)


def check_pair(
    matching_round: MatchingRound,
    mentee: Participant,
    mentor: Participant,
    *,
    ignore: Proposal | None = None,
) -> PairCheck:
    """Check a pair against the hard rules of this round, the mentor's free places and the
    pairs that ended in the programme; each broken rule is said once, in words."""
    programme = matching_round.programme
    data = build_input(programme, participants=[mentee, mentor])
    answer = why_not(
        problem=data.problem,
        policy=data.policy,
        mentee_id=str(mentee.person_id),
        mentor_id=str(mentor.person_id),
    )
    names = {"mentee": mentee.person.full_name, "mentor": mentor.person.full_name}
    ended = str(mentor.person_id) in ended_partners(programme, [mentee]).get(
        str(mentee.person_id), frozenset()
    )
    broken: list[str] = []
    for rule in answer.broken:
        if rule.rule == "exclude" and ended:
            # The engine keeps an ended pair apart through its exclusions; say which.
            texts = [rule_text("ended_pair", **names)]
            if Policy.from_dict(programme.matching_policy).constraints.exclude and (
                _stated_exclusion(mentee, mentor)
            ):
                texts.append(rule_text("exclude", **names))
        else:
            texts = [rule_text(rule.rule, **names)]
        broken += [text for text in texts if text not in broken]
    capacity = mentor.mentee_capacity
    proposed = matching_round.proposals.filter(mentor=mentor).exclude(mentee=mentee)
    if ignore is not None:
        proposed = proposed.exclude(pk=ignore.pk)
    taken = proposed.count() + pairs_at_work([mentor.pk], outside=matching_round)[mentor.pk]
    if taken >= capacity:
        broken.append(
            _("The mentor already has %(taken)s mentee(s) and may have %(capacity)s at most.")
            % {"taken": taken, "capacity": capacity}
        )
    # The mentor's own "no more mentees" or dates count at once, on every path.
    if mentor.role == ParticipantRole.MENTOR and not mentor.available_on(timezone.localdate()):
        broken.append(_("%(mentor)s takes no new mentees now.") % names)
    # Matched meanwhile elsewhere (another round, or on demand): one mentor at a time.
    if Pair.objects.active().filter(mentee=mentee).exists():
        broken.append(_("%(mentee)s already has a mentor.") % names)
    if mentee.role != ParticipantRole.MENTEE or mentor.role != ParticipantRole.MENTOR:
        broken.append(_("A pair is one mentee and one mentor."))
    return PairCheck(
        broken=broken,
        score=answer.score,
        contributions=contributions_as_json(answer.contributions) if answer.feasible else [],
    )


@transaction.atomic
def proposal_assign(
    *, matching_round: MatchingRound, mentee: Participant, mentor: Participant, actor: Any
) -> Proposal:
    """Match two participants by hand; refused, naming the rule, if it breaks a hard rule."""
    matching_round = _editable(matching_round)
    if matching_round.proposals.filter(mentee=mentee, pair__isnull=False).exists():
        raise ValidationError(_("This mentee's pair is already published."))
    return _propose(
        matching_round,
        mentee,
        mentor,
        locked=True,
        manual=True,
        action="rounds.proposal.assign",
        actor=actor,
    )


def _propose(
    matching_round: MatchingRound,
    mentee: Participant,
    mentor: Participant,
    *,
    locked: bool,
    manual: bool,
    action: str,
    actor: Any,
) -> Proposal:
    """Propose the two in a round locked by `_editable`, in place of the mentee's proposal
    or place among the unmatched; refused, naming the rule, if it breaks a hard rule."""
    check = check_pair(matching_round, mentee, mentor)
    if check.broken:
        raise ValidationError(
            _("This pair breaks a hard rule: %(rules)s") % {"rules": "; ".join(check.broken)}
        )
    Proposal.objects.filter(matching_round=matching_round, mentee=mentee).delete()
    UnmatchedParticipant.objects.filter(matching_round=matching_round, participant=mentee).delete()
    quality_forget(round_id=matching_round.pk)
    proposal = Proposal.objects.create(
        matching_round=matching_round,
        mentee=mentee,
        mentor=mentor,
        score=check.score or 0.0,
        explanation=check.text() or _("Matched by hand."),
        contributions=check.contributions,
        locked=locked,
        manual=manual,
        preference_rank=_preference_rank(mentee, str(mentor.person_id)),
    )
    audit_log(
        actor=actor,
        action=action,
        obj=proposal,
        programme=matching_round.programme,
        changes={"mentee": mentee.pk, "mentor": mentor.pk},
    )
    return proposal


@transaction.atomic
def proposal_remove(*, proposal: Proposal, actor: Any) -> None:
    """Take a proposed pair out of the round; the mentee becomes unmatched."""
    matching_round = _editable(proposal.matching_round)
    proposal = _open(proposal)
    UnmatchedParticipant.objects.create(
        matching_round=matching_round,
        participant=proposal.mentee,
        reason_code="removed",
        reason=_("Removed from the proposals by the programme manager."),
    )
    audit_log(
        actor=actor,
        action="rounds.proposal.remove",
        obj=proposal,
        programme=matching_round.programme,
        changes={"mentee": proposal.mentee_id, "mentor": proposal.mentor_id},
    )
    proposal.delete()
    quality_forget(round_id=matching_round.pk)


@transaction.atomic
def proposal_restore(
    *,
    matching_round: MatchingRound,
    mentee: Participant,
    mentor: Participant,
    locked: bool,
    manual: bool,
    actor: Any,
) -> Proposal:
    """Propose again a pair that was removed from the round (an undo): refused if the
    mentee has been proposed or published with someone since, or if the pair now breaks
    a hard rule. Its score and reasons are worked out afresh."""
    matching_round = _editable(matching_round)
    if matching_round.proposals.filter(mentee=mentee).exists() or not (
        matching_round.unmatched.filter(participant=mentee, reason_code="removed").exists()
    ):
        raise ValidationError(_("The mentee has been matched in this round since."))
    return _propose(
        matching_round,
        mentee,
        mentor,
        locked=locked,
        manual=manual,
        action="rounds.proposal.restore",
        actor=actor,
    )


def _checked_proposals(
    matching_round: MatchingRound,
    *,
    empty: str,
    broken: str,
    only: Proposal | None = None,
) -> list[Proposal]:
    """Every proposal of the round not published yet (or `only` that one), each checked
    against the hard rules once more: a pair is never published or introduced if anything
    changed that breaks a rule."""
    waiting = matching_round.proposals.filter(pair__isnull=True)
    if only is not None:
        waiting = waiting.filter(pk=only.pk)
    proposals = list(waiting.select_related("mentee__person", "mentor__person"))
    if not proposals:
        raise ValidationError(empty)
    for proposal in proposals:
        rules = check_pair(matching_round, proposal.mentee, proposal.mentor, ignore=proposal)
        if rules.broken:
            raise ValidationError(
                broken % {"pair": str(proposal), "rules": "; ".join(rules.broken)}
            )
    return proposals


def _move_both(
    mentee: Participant,
    mentor: Participant,
    *,
    from_status: str,
    to_status: str,
    actor: Any,
    note: str,
) -> None:
    """Move each of the two, read afresh, along the pipeline if they still stand at
    ``from_status``; one who has moved on meanwhile is left where they are."""
    for participant in (mentee, mentor):
        fresh = Participant.objects.get(pk=participant.pk)
        if fresh.status == from_status:
            pipeline.participant_transition(
                participant=fresh, to_status=to_status, actor=actor, note=note
            )


def _pair_make(
    matching_round: MatchingRound,
    mentee: Participant,
    mentor: Participant,
    *,
    score: float,
    actor: Any,
    note: str,
    explanation: str = "",
) -> Pair:
    """Make a pair of the round: both ready people become matched (``note`` in their
    history), and both are introduced to each other once the change commits."""
    _move_both(
        mentee,
        mentor,
        from_status=ParticipantStatus.READY,
        to_status=ParticipantStatus.MATCHED,
        actor=actor,
        note=note,
    )
    pair = Pair.objects.create(
        programme=matching_round.programme,
        mentee=mentee,
        mentor=mentor,
        matching_round=matching_round,
        score=score,
        explanation=explanation,
    )
    transaction.on_commit(partial(tasks.send_introductions.enqueue, pair.pk))
    emit(
        organisation_ids=matching_round.programme.organisation_ids(),
        event="pair.started",
        payload={
            "pair_id": pair.pk,
            "programme_id": pair.programme_id,
            "round_id": matching_round.pk,
            "mentee_participant_id": mentee.pk,
            "mentor_participant_id": mentor.pk,
        },
    )
    return pair


def _publishable(matching_round: MatchingRound) -> MatchingRound:
    """The round, locked by `_editable`, if its programme publishes pairs."""
    matching_round = _editable(matching_round)
    if matching_round.programme.influence_mode == "mutual_opt_in":
        raise ValidationError(
            _("In this programme both sides opt in: send introductions instead of publishing.")
        )
    return matching_round


def _publish(matching_round: MatchingRound, proposal: Proposal, *, actor: Any) -> Pair:
    """Make the pair of a checked proposal and link the proposal to it."""
    proposal.pair = _pair_make(
        matching_round,
        proposal.mentee,
        proposal.mentor,
        score=proposal.score,
        explanation=proposal.explanation,
        actor=actor,
        note=_("Matched in round %(n)s.") % {"n": matching_round.number},
    )
    proposal.save(update_fields=["pair"])
    return proposal.pair


def _round_published(matching_round: MatchingRound, *, actor: Any) -> None:
    _round_move(
        matching_round,
        RoundStatus.PUBLISHED,
        actor=actor,
        action="rounds.round.publish",
        changes={"pairs": matching_round.proposals.filter(pair__isnull=False).count()},
    )
    emit(
        organisation_ids=matching_round.programme.organisation_ids(),
        event="round.published",
        payload={
            "round_id": matching_round.pk,
            "programme_id": matching_round.programme_id,
            "number": matching_round.number,
            "pairs": matching_round.proposals.filter(pair__isnull=False).count(),
        },
    )


@transaction.atomic
def round_publish(*, matching_round: MatchingRound, actor: Any) -> list[Pair]:
    """Publish every proposal not published yet: create the pairs, mark both matched, tell
    them and the line manager. Every pair is checked against the hard rules again first;
    one broken pair stops the whole publication."""

    matching_round = _publishable(matching_round)
    proposals = _checked_proposals(
        matching_round,
        empty=_("There is nothing to publish."),
        broken=_("%(pair)s cannot be published: %(rules)s"),
    )
    pairs = [_publish(matching_round, proposal, actor=actor) for proposal in proposals]
    if matching_round.programme.kind == "group":
        mentoring_groups_create(programme=matching_round.programme, pairs=pairs)
    _round_published(matching_round, actor=actor)
    return pairs


def proposal_publish_check(proposal: Proposal) -> None:
    """Refuse, saying why, to publish one pair ahead of the others where that is not done
    (the rules of the pair itself are checked when it is published)."""
    programme = proposal.matching_round.programme
    if proposal.is_published:
        raise ValidationError(_("This pair is already published."))
    if programme.influence_mode == "mutual_opt_in":
        raise ValidationError(
            _("In this programme both sides opt in: send introductions instead of publishing.")
        )
    if programme.kind == "group":
        raise ValidationError(
            _("In a group programme each mentor's group is formed at once: publish all pairs.")
        )


@transaction.atomic
def proposal_publish(*, proposal: Proposal, actor: Any) -> Pair:
    """Publish one proposed pair ahead of the rest of the round, by the same rules as
    `round_publish`: checked against the hard rules again, both marked matched, told, and
    their line manager too. The round's other proposals stay proposed, in a round still
    open for review, until they are published or removed; publishing the last one
    publishes the round."""
    matching_round = _publishable(proposal.matching_round)
    proposal = _current(proposal)
    proposal_publish_check(proposal)
    [checked] = _checked_proposals(
        matching_round,
        empty=_("This pair is no longer proposed in the round."),
        broken=_("%(pair)s cannot be published: %(rules)s"),
        only=proposal,
    )
    pair = _publish(matching_round, checked, actor=actor)
    audit_log(
        actor=actor,
        action="rounds.proposal.publish",
        obj=checked,
        programme=matching_round.programme,
        changes={"mentee": checked.mentee_id, "mentor": checked.mentor_id, "pair": pair.pk},
    )
    if not matching_round.proposals.filter(pair__isnull=True).exists():
        _round_published(matching_round, actor=actor)
    return pair


@transaction.atomic
def pair_end(*, pair: Pair, actor: Any, reason: str = "") -> Pair:
    """End a match without blame. Both go back to the pool so the manager can rematch them."""
    pair = Pair.objects.select_for_update().select_related("mentee", "mentor").get(pk=pair.pk)
    if not pair.is_active:
        raise ValidationError(_("This match has already ended."))
    pair.ended_at = timezone.now()
    pair.ended_by = actor
    pair.end_reason = reason.strip()
    pair.save(update_fields=["ended_at", "ended_by", "end_reason"])
    _move_both(
        pair.mentee,
        pair.mentor,
        from_status=ParticipantStatus.MATCHED,
        to_status=ParticipantStatus.READY,
        actor=actor,
        note=_("The match ended; ready to be matched again."),
    )
    # The reason stays out of the audit log's changes: it is for the manager's eyes only.
    audit_log(actor=actor, action="relationships.pair.end", obj=pair, programme=pair.programme)
    # ...and out of the webhook's payload, for the same reason.
    pair_ended_emit(pair=pair, completed=False)
    return pair
