"""Matching rounds: run the engine, review, adjust by hand, publish, end a pair without blame.

Every write is atomic and audited. No pair that breaks a hard rule is ever stored as a
proposal or published: manual changes are checked by the engine's own rules, and
publication checks every pair again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import time
import traceback
from functools import partial
from typing import Any

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.matching import (
    Policy,
    PolicyError,
    ProblemError,
    build_report,
    count_violations,
    match,
    why_not,
)
from mentora.programmes import services as programme_services
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus, Programme
from mentora.relationships.models import Pair
from mentora.rounds.explain import explanation, rule_text
from mentora.rounds.models import (
    UNEXPECTED_FAILURE,
    Answer,
    Introduction,
    IntroductionStatus,
    MatchingRound,
    Proposal,
    RoundStatus,
    Suggestion,
    UnmatchedParticipant,
)
from mentora.rounds.problem import (
    RoundInput,
    build_input,
    contributions_as_json,
    ended_partners,
    pairs_at_work,
)

logger = logging.getLogger(__name__)


class RoundCancelled(Exception):
    pass


def _audit(actor: Any, action: str, obj: Any, programme: Programme, **changes: Any) -> None:
    audit_log(
        actor=actor, action=action, obj=obj, organisation=programme.organisation, changes=changes
    )


@transaction.atomic
def round_start(
    *, programme: Programme, actor: Any, previous: MatchingRound | None = None
) -> MatchingRound:
    """Queue a round over the ready participants; a re-run keeps the previous round's locks."""
    from mentora.rounds import tasks

    ready = Participant.objects.filter(programme=programme, status=ParticipantStatus.READY)
    if not ready.filter(role=ParticipantRole.MENTEE).exists():
        raise ValidationError(_("No mentee is ready to be matched."))
    if not ready.filter(role=ParticipantRole.MENTOR).exists():
        raise ValidationError(_("No mentor is ready to be matched."))
    number = (
        MatchingRound.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    matching_round = MatchingRound.objects.create(
        programme=programme,
        number=number,
        created_by=actor,
        policy=programme.matching_policy,
        previous=previous,
        kind="suggestions" if programme.influence_mode == "mentee_chooses" else "proposals",
    )
    _audit(
        actor,
        "rounds.round.start",
        matching_round,
        programme,
        previous=previous.number if previous else None,
    )
    transaction.on_commit(partial(tasks.run_round.enqueue, matching_round.pk))
    return matching_round


def _progress(matching_round: MatchingRound) -> Any:
    state = {"last": -1.0, "checked": time.monotonic()}

    def report(stage: str, fraction: float) -> None:
        if fraction - state["last"] >= 0.02 or stage != matching_round.stage:
            state["last"] = fraction
            matching_round.stage = stage
            MatchingRound.objects.filter(pk=matching_round.pk).update(
                stage=stage, progress=fraction
            )
        # A manager may cancel while the engine works; look at most twice a second.
        if time.monotonic() - state["checked"] > 0.5:
            state["checked"] = time.monotonic()
            if MatchingRound.objects.filter(pk=matching_round.pk, cancel_requested=True).exists():
                raise RoundCancelled

    return report


def _locks(matching_round: MatchingRound) -> list[tuple[int, int]]:
    if matching_round.previous is None:
        return []
    return list(
        matching_round.previous.proposals.filter(locked=True).values_list("mentee_id", "mentor_id")
    )


def _fail(round_id: int, error: str) -> MatchingRound:
    MatchingRound.objects.filter(pk=round_id).update(
        status=RoundStatus.FAILED, error=error, stage="", finished_at=timezone.now()
    )
    return MatchingRound.objects.get(pk=round_id)


def round_run(*, round_id: int) -> MatchingRound:
    """Run the engine for a queued round and store every proposal with its explanation.

    Whatever goes wrong ends the round as failed, with a reason for the manager, so that
    no round is left "running" for ever; nothing of a failed round is stored."""
    matching_round = MatchingRound.objects.select_related("programme", "previous").get(pk=round_id)
    if matching_round.status != RoundStatus.QUEUED:
        return matching_round
    if matching_round.cancel_requested:
        MatchingRound.objects.filter(pk=round_id).update(status=RoundStatus.CANCELLED)
        return matching_round
    MatchingRound.objects.filter(pk=round_id).update(status=RoundStatus.RUNNING, stage="input")
    try:
        _run_and_store(matching_round)
    except RoundCancelled:
        MatchingRound.objects.filter(pk=round_id).update(
            status=RoundStatus.CANCELLED, finished_at=timezone.now()
        )
    except (ProblemError, PolicyError) as error:
        # The engine's own refusal names what the manager can change (a lock, a bound).
        return _fail(round_id, str(error))
    except Exception as error:
        _log_failure(round_id, error)
        return _fail(round_id, UNEXPECTED_FAILURE)
    except BaseException as error:
        # The worker is stopping: the round cannot finish, so it must not look as if it runs.
        _log_failure(round_id, error)
        _fail(round_id, UNEXPECTED_FAILURE)
        raise
    return MatchingRound.objects.get(pk=round_id)


def _log_failure(round_id: int, error: BaseException) -> None:
    """Where it failed goes to the server log: the kind of error and the code it ran
    through, never the error's message, which may quote participants' answers."""
    where = "".join(traceback.format_tb(error.__traceback__))
    logger.error("Matching round %s failed with %s:\n%s", round_id, type(error).__name__, where)


def _run_and_store(matching_round: MatchingRound) -> None:
    programme = matching_round.programme
    locks = _locks(matching_round)
    data = build_input(programme, locks=locks)
    policy = data.policy
    if matching_round.kind == "suggestions":
        policy = _suggest_policy(policy)
    result = _run_engine(data, policy, matching_round)
    with transaction.atomic():
        if matching_round.kind == "suggestions":
            _store_suggestions(matching_round, data, result)
        else:
            _store(matching_round, data, result, locks)
        violations = count_violations(problem=data.problem, policy=policy, result=result)
        if violations:
            # Never expected: the engine certifies its own output. Refuse rather than store.
            raise ProblemError(f"the engine produced {violations} rule violation(s)")
        report = build_report(
            problem=data.problem, policy=policy, result=result, violations=violations
        )
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.DONE,
            stage="",
            progress=1.0,
            finished_at=timezone.now(),
            report=_jsonable(report),
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, float | int | str | bool) or value is None:
        return value
    return str(value)


def _preference_rank(mentee: Participant, mentor_person_id: str) -> int | None:
    preferences = [str(p) for p in (mentee.profile or {}).get("preferences") or []]
    return preferences.index(mentor_person_id) + 1 if mentor_person_id in preferences else None


def _store(
    matching_round: MatchingRound, data: RoundInput, result: Any, locks: list[tuple[int, int]]
) -> None:
    locked = set(locks)
    proposals = []
    for found in result.matches:
        mentee = data.mentees[found.mentee_id]
        mentor = data.mentors[found.mentor_id]
        proposals.append(
            Proposal(
                matching_round=matching_round,
                mentee=mentee,
                mentor=mentor,
                score=found.score,
                explanation=found.explanation,
                contributions=contributions_as_json(found.contributions),
                locked=(mentee.pk, mentor.pk) in locked,
                preference_rank=_preference_rank(mentee, found.mentor_id),
            )
        )
    Proposal.objects.bulk_create(proposals, batch_size=2000)
    UnmatchedParticipant.objects.bulk_create(
        [
            UnmatchedParticipant(
                matching_round=matching_round,
                participant=data.mentees[item.mentee_id],
                reason_code=item.reason_code,
                reason=item.reason,
            )
            for item in result.unmatched
        ],
        batch_size=2000,
    )


def round_cancel(*, matching_round: MatchingRound, actor: Any) -> None:
    """Ask a queued or running round to stop; the worker stops at its next progress report."""
    if not matching_round.is_running:
        raise ValidationError(_("Only a queued or running round can be cancelled."))
    MatchingRound.objects.filter(pk=matching_round.pk).update(cancel_requested=True)
    _audit(actor, "rounds.round.cancel", matching_round, matching_round.programme)


def _editable(matching_round: MatchingRound) -> MatchingRound:
    """The round, locked for this transaction and read again, if it may still be changed:
    of two changes at once the second waits and sees what the first did."""
    matching_round = (
        MatchingRound.objects.select_for_update(of=("self",))
        .select_related("programme__organisation", "previous")
        .get(pk=matching_round.pk)
    )
    if not matching_round.is_editable:
        raise ValidationError(_("This round can no longer be changed."))
    return matching_round


def _current(proposal: Proposal) -> Proposal:
    """The proposal as it is now, in a round locked by `_editable`."""
    current = (
        Proposal.objects.filter(pk=proposal.pk)
        .select_related("mentee__person", "mentor__person", "matching_round__programme")
        .first()
    )
    if current is None:
        raise ValidationError(_("This pair is no longer proposed in the round."))
    return current


@transaction.atomic
def proposal_lock(*, proposal: Proposal, locked: bool, actor: Any) -> Proposal:
    """Fix a pair so that re-runs keep it (or release it)."""
    _editable(proposal.matching_round)
    proposal = _current(proposal)
    if proposal.locked != locked:
        proposal.locked = locked
        proposal.save(update_fields=["locked"])
        _audit(
            actor,
            "rounds.proposal.lock" if locked else "rounds.proposal.unlock",
            proposal,
            proposal.matching_round.programme,
            mentee=proposal.mentee_id,
            mentor=proposal.mentor_id,
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
    check = check_pair(matching_round, mentee, mentor)
    if check.broken:
        raise ValidationError(
            _("This pair breaks a hard rule: %(rules)s") % {"rules": "; ".join(check.broken)}
        )
    Proposal.objects.filter(matching_round=matching_round, mentee=mentee).delete()
    UnmatchedParticipant.objects.filter(matching_round=matching_round, participant=mentee).delete()
    proposal = Proposal.objects.create(
        matching_round=matching_round,
        mentee=mentee,
        mentor=mentor,
        score=check.score or 0.0,
        explanation=check.text() or _("Matched by hand."),
        contributions=check.contributions,
        locked=True,
        manual=True,
        preference_rank=_preference_rank(mentee, str(mentor.person_id)),
    )
    _audit(
        actor,
        "rounds.proposal.assign",
        proposal,
        matching_round.programme,
        mentee=mentee.pk,
        mentor=mentor.pk,
    )
    return proposal


@transaction.atomic
def proposal_remove(*, proposal: Proposal, actor: Any) -> None:
    """Take a proposed pair out of the round; the mentee becomes unmatched."""
    matching_round = _editable(proposal.matching_round)
    proposal = _current(proposal)
    UnmatchedParticipant.objects.create(
        matching_round=matching_round,
        participant=proposal.mentee,
        reason_code="removed",
        reason=_("Removed from the proposals by the programme manager."),
    )
    _audit(
        actor,
        "rounds.proposal.remove",
        proposal,
        matching_round.programme,
        mentee=proposal.mentee_id,
        mentor=proposal.mentor_id,
    )
    proposal.delete()


def _checked_proposals(matching_round: MatchingRound, *, empty: str, broken: str) -> list[Proposal]:
    """Every proposal of the round, each checked against the hard rules once more: a
    pair is never published or introduced if anything changed that breaks a rule."""
    proposals = list(matching_round.proposals.select_related("mentee__person", "mentor__person"))
    if not proposals:
        raise ValidationError(empty)
    for proposal in proposals:
        rules = check_pair(matching_round, proposal.mentee, proposal.mentor, ignore=proposal)
        if rules.broken:
            raise ValidationError(
                broken % {"pair": str(proposal), "rules": "; ".join(rules.broken)}
            )
    return proposals


@transaction.atomic
def round_publish(*, matching_round: MatchingRound, actor: Any) -> list[Pair]:
    """Publish every proposal: create the pairs, mark both matched, tell them and the line
    manager. Every pair is checked against the hard rules again first; one broken pair
    stops the whole publication."""
    from mentora.rounds import tasks

    matching_round = _editable(matching_round)
    if matching_round.programme.influence_mode == "mutual_opt_in":
        raise ValidationError(
            _("In this programme both sides opt in: send introductions instead of publishing.")
        )
    proposals = _checked_proposals(
        matching_round,
        empty=_("There is nothing to publish."),
        broken=_("%(pair)s cannot be published: %(rules)s"),
    )
    pairs = []
    for proposal in proposals:
        for participant in (proposal.mentee, proposal.mentor):
            fresh = Participant.objects.get(pk=participant.pk)
            if fresh.status == ParticipantStatus.READY:
                programme_services.participant_transition(
                    participant=fresh,
                    to_status=ParticipantStatus.MATCHED,
                    actor=actor,
                    note=_("Matched in round %(n)s.") % {"n": matching_round.number},
                )
        pair = Pair.objects.create(
            programme=matching_round.programme,
            mentee=proposal.mentee,
            mentor=proposal.mentor,
            matching_round=matching_round,
            score=proposal.score,
            explanation=proposal.explanation,
        )
        pairs.append(pair)
        transaction.on_commit(partial(tasks.send_introductions.enqueue, pair.pk))
    if matching_round.programme.kind == "group":
        from mentora.relationships.services import mentoring_groups_create

        mentoring_groups_create(programme=matching_round.programme, pairs=pairs)
    matching_round.status = RoundStatus.PUBLISHED
    matching_round.save(update_fields=["status"])
    _audit(
        actor, "rounds.round.publish", matching_round, matching_round.programme, pairs=len(pairs)
    )
    return pairs


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
    for participant in (pair.mentee, pair.mentor):
        fresh = Participant.objects.get(pk=participant.pk)
        if fresh.status == ParticipantStatus.MATCHED:
            programme_services.participant_transition(
                participant=fresh,
                to_status=ParticipantStatus.READY,
                actor=actor,
                note=_("The match ended; ready to be matched again."),
            )
    # The reason stays out of the audit log's changes: it is for the manager's eyes only.
    _audit(actor, "relationships.pair.end", pair, pair.programme)
    return pair


# Participant influence ----------------------------------------------------------------------
#
# "Mentee chooses": the round suggests a few mentors to each mentee; each ranks them;
# the engine then settles contention for the same mentors. "Mutual opt-in": each
# proposal is an introduction both must accept; a decline or silence brings the next one.


def _run_engine(data: RoundInput, policy: Any, matching_round: MatchingRound) -> Any:
    return match(problem=data.problem, policy=policy, progress=_progress(matching_round))


def _suggest_policy(policy: Any) -> Any:
    return dataclasses.replace(
        policy, matching=dataclasses.replace(policy.matching, mode="suggest")
    )


def _store_suggestions(matching_round: MatchingRound, data: RoundInput, result: Any) -> None:
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                matching_round=matching_round,
                mentee=data.mentees[s.mentee_id],
                mentor=data.mentors[s.mentor_id],
                rank=s.rank,
                score=s.score,
                contributions=contributions_as_json(s.contributions),
            )
            for s in result.suggestions
        ],
        batch_size=2000,
    )
    suggested = {s.mentee_id for s in result.suggestions}
    UnmatchedParticipant.objects.bulk_create(
        [
            UnmatchedParticipant(
                matching_round=matching_round,
                participant=participant,
                reason_code="no_feasible_mentor",
                reason="no feasible mentor",
            )
            for key, participant in data.mentees.items()
            if key not in suggested
        ]
    )


@transaction.atomic
def round_open_choosing(*, matching_round: MatchingRound, actor: Any) -> int:
    """Show each mentee their own suggestions and ask them to choose; returns mentees asked."""
    from mentora.rounds import tasks

    matching_round = _editable(matching_round)
    if matching_round.kind != "suggestions" or not matching_round.suggestions.exists():
        raise ValidationError(_("This round has no suggestions to choose from."))
    if matching_round.proposals.exists():
        raise ValidationError(_("The mentees' choices have already been settled."))
    matching_round.status = RoundStatus.CHOOSING
    matching_round.save(update_fields=["status"])
    mentee_ids = sorted(set(matching_round.suggestions.values_list("mentee_id", flat=True)))
    for mentee_id in mentee_ids:
        transaction.on_commit(
            partial(tasks.send_choice_invitation.enqueue, matching_round.pk, mentee_id)
        )
    _audit(
        actor,
        "rounds.round.open_choosing",
        matching_round,
        matching_round.programme,
        mentees=len(mentee_ids),
    )
    return len(mentee_ids)


@transaction.atomic
def mentee_rank(
    *, matching_round: MatchingRound, mentee: Participant, mentor_ids: list[int], actor: Any
) -> None:
    """Record a mentee's ranking of their own suggestions (most wanted first)."""
    # Read the round again under lock: the manager may have closed choosing meanwhile.
    matching_round = MatchingRound.objects.select_for_update().get(pk=matching_round.pk)
    if matching_round.status != RoundStatus.CHOOSING:
        raise ValidationError(_("Choosing is closed for this round."))
    own = {s.mentor_id: s for s in matching_round.suggestions.filter(mentee=mentee)}
    if not mentor_ids or len(set(mentor_ids)) != len(mentor_ids) or set(mentor_ids) - set(own):
        raise ValidationError(_("Choose among the mentors suggested to you, each once."))
    for suggestion in own.values():
        suggestion.choice_rank = None
    for position, mentor_id in enumerate(mentor_ids, start=1):
        own[mentor_id].choice_rank = position
    Suggestion.objects.bulk_update(list(own.values()), ["choice_rank"])
    # Which mentors a mentee ranked is theirs and the manager's; the log keeps only the fact.
    _audit(
        actor,
        "rounds.choice.rank",
        matching_round,
        matching_round.programme,
        mentee=mentee.pk,
        ranked=len(mentor_ids),
    )


@transaction.atomic
def round_resolve_choices(*, matching_round: MatchingRound, actor: Any) -> MatchingRound:
    """Settle contention: as many mentees as possible get a mentor, each as high on their
    own list as the others allow. Mentees who did not choose keep the engine's order.

    The round's row is locked first and its status read again: of two managers settling
    at once, the second waits, then is told the choices are already settled."""
    from mentora.matching import ExplicitPairs, Problem

    matching_round = (
        MatchingRound.objects.select_for_update(of=("self",))
        .select_related("programme__organisation")
        .get(pk=matching_round.pk)
    )
    if matching_round.status != RoundStatus.CHOOSING:
        if matching_round.kind == "suggestions" and matching_round.proposals.exists():
            raise ValidationError(_("The mentees' choices have already been settled."))
        raise ValidationError(_("Only a round in which mentees are choosing can be settled."))
    suggestions = list(matching_round.suggestions.select_related("mentee", "mentor"))
    data = build_input(
        matching_round.programme,
        participants={*[s.mentee for s in suggestions], *[s.mentor for s in suggestions]},
    )
    mentee_ids = list(data.mentees)
    mentor_ids = list(data.mentors)
    index_of_mentee = {k: i for i, k in enumerate(mentee_ids)}
    index_of_mentor = {k: i for i, k in enumerate(mentor_ids)}
    longest = max((s.rank for s in suggestions), default=1) + 1
    rows, cols, scores = [], [], []
    for s in suggestions:
        position = s.choice_rank or (longest + s.rank)
        rows.append(index_of_mentee[str(s.mentee.person_id)])
        cols.append(index_of_mentor[str(s.mentor.person_id)])
        # Rank dominates; the engine's own score only breaks ties between equal ranks.
        scores.append(1000.0 * (2 * longest - position) + s.score)
    problem = Problem(
        mentees=data.problem.mentees,
        mentors=data.problem.mentors,
        pairs=ExplicitPairs(np.array(rows), np.array(cols), np.array(scores, dtype=float)),
    )
    policy = dataclasses.replace(
        data.policy, matching=dataclasses.replace(data.policy.matching, mode="optimal")
    )
    result = match(problem=problem, policy=policy)
    by_pair = {(s.mentee_id, s.mentor_id): s for s in suggestions}
    proposals = []
    for found in result.matches:
        mentee, mentor = data.mentees[found.mentee_id], data.mentors[found.mentor_id]
        s = by_pair[(mentee.pk, mentor.pk)]
        contributions = list(s.contributions)
        if s.choice_rank:
            # The mentee's own ranking replaces the questionnaire's: one choice, said once.
            contributions = [
                {
                    "criterion": "mentee_preference",
                    "points": 0.0,
                    "detail": {"rank": s.choice_rank},
                    "text": "",
                },
                *[c for c in contributions if c["criterion"] != "mentee_preference"],
            ]
        proposals.append(
            Proposal(
                matching_round=matching_round,
                mentee=mentee,
                mentor=mentor,
                score=s.score,
                explanation="",
                contributions=contributions,
                # Who did not rank keeps the preferences stated in the questionnaire.
                preference_rank=s.choice_rank or _preference_rank(mentee, str(mentor.person_id)),
            )
        )
    Proposal.objects.bulk_create(proposals)
    UnmatchedParticipant.objects.bulk_create(
        [
            UnmatchedParticipant(
                matching_round=matching_round,
                participant=data.mentees[u.mentee_id],
                reason_code="capacity_exhausted",
                reason=u.reason,
            )
            for u in result.unmatched
        ],
        ignore_conflicts=True,
    )
    matching_round.status = RoundStatus.DONE
    matching_round.save(update_fields=["status"])
    _audit(
        actor,
        "rounds.round.resolve_choices",
        matching_round,
        matching_round.programme,
        matched=len(proposals),
    )
    return matching_round


@transaction.atomic
def round_introduce(*, matching_round: MatchingRound, actor: Any, days: int = 7) -> int:
    """Mutual opt-in: introduce every proposed pair to both; nothing stands until both accept."""
    from mentora.rounds import tasks

    matching_round = _editable(matching_round)
    if not 1 <= days <= 60:
        raise ValidationError(_("Give between 1 and 60 days to answer."))
    proposals = _checked_proposals(
        matching_round,
        empty=_("There is nothing to introduce."),
        broken=_("%(pair)s cannot be introduced: %(rules)s"),
    )
    matching_round.answer_within_days = days
    matching_round.status = RoundStatus.INTRODUCING
    matching_round.save(update_fields=["answer_within_days", "status"])
    for proposal in proposals:
        introduction = Introduction.objects.create(
            matching_round=matching_round,
            mentee=proposal.mentee,
            mentor=proposal.mentor,
            score=proposal.score,
            contributions=proposal.contributions,
            expires_at=timezone.now() + dt.timedelta(days=days),
        )
        transaction.on_commit(partial(tasks.send_introduction_request.enqueue, introduction.pk))
    _audit(
        actor,
        "rounds.round.introduce",
        matching_round,
        matching_round.programme,
        introductions=len(proposals),
        days=days,
    )
    return len(proposals)


def _mentor_load(matching_round: MatchingRound, mentor: Participant) -> int:
    waiting = matching_round.introductions.filter(
        mentor=mentor, status__in=[IntroductionStatus.PENDING, IntroductionStatus.ACCEPTED]
    ).count()
    return waiting + pairs_at_work([mentor.pk], outside=matching_round)[mentor.pk]


def _introduce_next(matching_round: MatchingRound, mentee: Participant) -> Introduction | None:
    """After a decline or silence: the best remaining mentor for this mentee, if any."""
    from mentora.rounds import tasks

    tried = set(
        matching_round.introductions.filter(mentee=mentee).values_list("mentor_id", flat=True)
    )
    capacity_of = {}
    for mentor in (
        Participant.objects.filter(
            programme=matching_round.programme,
            role=ParticipantRole.MENTOR,
            status__in=[ParticipantStatus.READY, ParticipantStatus.MATCHED],
        )
        .exclude(pk__in=tried)
        .select_related("programme")
    ):
        free = mentor.mentee_capacity - _mentor_load(matching_round, mentor)
        if free > 0:
            capacity_of[mentor.pk] = (mentor, free)
    if capacity_of:
        data = build_input(
            matching_round.programme,
            participants=[mentee, *[m for m, _free in capacity_of.values()]],
        )
        mentors = tuple(
            dataclasses.replace(p, capacity=capacity_of[data.mentors[p.id].pk][1])
            for p in data.problem.mentors
        )
        problem = dataclasses.replace(data.problem, mentors=mentors)
        policy = dataclasses.replace(
            data.policy, matching=dataclasses.replace(data.policy.matching, mode="optimal")
        )
        result = match(problem=problem, policy=policy)
        if result.matches:
            found = result.matches[0]
            introduction = Introduction.objects.create(
                matching_round=matching_round,
                mentee=mentee,
                mentor=data.mentors[found.mentor_id],
                score=found.score,
                contributions=contributions_as_json(found.contributions),
                expires_at=timezone.now() + dt.timedelta(days=matching_round.answer_within_days),
            )
            transaction.on_commit(partial(tasks.send_introduction_request.enqueue, introduction.pk))
            return introduction
    UnmatchedParticipant.objects.update_or_create(
        matching_round=matching_round,
        participant=mentee,
        defaults={
            "reason_code": "no_more_mentors",
            "reason": "every suitable mentor declined, expired or is full",
        },
    )
    return None


def _finish_if_settled(matching_round: MatchingRound) -> None:
    if not matching_round.introductions.filter(status=IntroductionStatus.PENDING).exists():
        MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.PUBLISHED)


@transaction.atomic
def introduction_answer(
    *, introduction: Introduction, actor: Any, accept: bool, reason: str = ""
) -> Introduction:
    """One side accepts or declines. Both accepting makes the pair; a decline (its reason
    kept for the manager alone) brings the mentee's next proposal."""
    from mentora.rounds import tasks

    introduction = (
        Introduction.objects.select_for_update()
        .select_related("mentee__person", "mentor__person", "matching_round__programme")
        .get(pk=introduction.pk)
    )
    side = introduction.side_of(actor)
    if side is None:
        raise ValidationError(_("Only the two people introduced can answer."))
    if introduction.status != IntroductionStatus.PENDING:
        raise ValidationError(_("This introduction has already been settled."))
    answer = Answer.ACCEPTED if accept else Answer.DECLINED
    setattr(introduction, f"{side}_answer", answer)
    matching_round = introduction.matching_round
    if not accept:
        introduction.status = IntroductionStatus.DECLINED
        introduction.decline_reason = reason.strip()
        introduction.save()
        _audit(
            actor, "rounds.introduction.decline", introduction, matching_round.programme, side=side
        )
        _introduce_next(matching_round, introduction.mentee)
        _finish_if_settled(matching_round)
        return introduction
    introduction.save()
    _audit(actor, "rounds.introduction.accept", introduction, matching_round.programme, side=side)
    if introduction.mentee_answer == introduction.mentor_answer == Answer.ACCEPTED:
        for participant in (introduction.mentee, introduction.mentor):
            fresh = Participant.objects.get(pk=participant.pk)
            if fresh.status == ParticipantStatus.READY:
                programme_services.participant_transition(
                    participant=fresh,
                    to_status=ParticipantStatus.MATCHED,
                    actor=actor,
                    note=_("Both accepted the introduction."),
                )
        pair = Pair.objects.create(
            programme=matching_round.programme,
            mentee=introduction.mentee,
            mentor=introduction.mentor,
            matching_round=matching_round,
            score=introduction.score,
        )
        introduction.status = IntroductionStatus.ACCEPTED
        introduction.pair = pair
        introduction.save(update_fields=["status", "pair"])
        transaction.on_commit(partial(tasks.send_introductions.enqueue, pair.pk))
        _finish_if_settled(matching_round)
    return introduction


def introductions_sweep(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Remind those who have not answered a day or two before the deadline; expire the rest
    and bring the next proposal. Run it daily (`manage.py sweep_introductions`)."""
    from mentora.rounds import tasks

    now = now or timezone.now()
    counts = {"reminded": 0, "expired": 0}
    pending = Introduction.objects.filter(status=IntroductionStatus.PENDING)
    for introduction in pending.filter(expires_at__lte=now).select_related("matching_round"):
        with transaction.atomic():
            introduction.status = IntroductionStatus.EXPIRED
            introduction.save(update_fields=["status"])
            _audit(
                None,
                "rounds.introduction.expire",
                introduction,
                introduction.matching_round.programme,
            )
            _introduce_next(introduction.matching_round, introduction.mentee)
            _finish_if_settled(introduction.matching_round)
        counts["expired"] += 1
    remind_before = now + dt.timedelta(days=2)
    for introduction in pending.filter(
        expires_at__gt=now, expires_at__lte=remind_before, reminded_at__isnull=True
    ):
        Introduction.objects.filter(pk=introduction.pk).update(reminded_at=now)
        tasks.send_introduction_request.enqueue(introduction.pk, True)
        counts["reminded"] += 1
    return counts
