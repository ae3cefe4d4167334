"""A matching round's run: queued, run by the engine in the worker, stored, cancelled."""

from __future__ import annotations

import dataclasses
import logging
import time
import traceback
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.core.audit import audit_log
from mentora.core.bulk_insert import bulk_insert, bulk_insert_values
from mentora.matching import (
    PolicyError,
    ProblemError,
    build_report,
    collection_paused,
    count_violations,
    match,
)
from mentora.programmes.models import Participant, ParticipantRole, ParticipantStatus, Programme
from mentora.rounds.models import (
    UNEXPECTED_FAILURE,
    MatchingRound,
    Proposal,
    RoundStatus,
    Suggestion,
    UnmatchedParticipant,
)
from mentora.rounds.problem import (
    ContributionsEncoder,
    Entrant,
    RoundInput,
    build_input,
    contributions_as_json,
    mentors_with_free_places,
)

logger = logging.getLogger(__name__)


class RoundCancelled(Exception):
    pass


class OrderCheckStatus:
    """Where a round's order check (`services/fairness.py`) stands."""

    QUEUED = "queued"
    DONE = "done"
    FAILED = "failed"


def quality_queue(matching_round: MatchingRound) -> None:
    """Hand the round's quality summary to the worker on commit."""
    from mentora.rounds import tasks

    transaction.on_commit(partial(tasks.store_round_quality.enqueue, matching_round.pk))


def order_check_queue(matching_round: MatchingRound) -> None:
    """Mark the round's order check queued and hand it to the worker on commit."""
    MatchingRound.objects.filter(pk=matching_round.pk).update(
        order_check={"status": OrderCheckStatus.QUEUED}
    )
    # Imported here: the tasks call these services (and the fairness services this module).
    from mentora.rounds import tasks

    transaction.on_commit(partial(tasks.check_round_order.enqueue, matching_round.pk))


@transaction.atomic
def round_start(
    *, programme: Programme, actor: Any, previous: MatchingRound | None = None
) -> MatchingRound:
    """Queue a round over the ready participants; a re-run keeps the previous round's locks
    (and an on-demand round's re-run matches the same mentee)."""

    if previous is not None and previous.mentee_id is not None:
        assert previous.mentee is not None
        return round_start_on_demand(mentee=previous.mentee, actor=actor, previous=previous)
    ready = Participant.objects.filter(programme=programme, status=ParticipantStatus.READY)
    if not ready.filter(role=ParticipantRole.MENTEE).exists():
        raise ValidationError(_("No mentee is ready to be matched."))
    if programme.rolling:
        if not mentors_with_free_places(programme):
            raise ValidationError(_("No mentor has a free place now."))
    elif not ready.filter(role=ParticipantRole.MENTOR).exists():
        raise ValidationError(_("No mentor is ready to be matched."))
    return _round_create(programme=programme, actor=actor, previous=previous)


def _round_create(
    *,
    programme: Programme,
    actor: Any,
    previous: MatchingRound | None,
    mentee: Participant | None = None,
) -> MatchingRound:
    """The next round of the programme, queued for the worker once this change commits."""
    number = (
        MatchingRound.objects.filter(programme=programme).aggregate(n=Max("number"))["n"] or 0
    ) + 1
    matching_round = MatchingRound.objects.create(
        programme=programme,
        number=number,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        policy=programme.matching_policy,
        previous=previous,
        kind="suggestions" if programme.influence_mode == "mentee_chooses" else "proposals",
        mentee=mentee,
    )
    audit_log(
        actor=actor,
        action="rounds.round.start_on_demand" if mentee else "rounds.round.start",
        obj=matching_round,
        programme=programme,
        changes={
            "previous": previous.number if previous else None,
            **({"mentee": mentee.pk} if mentee else {}),
        },
    )
    from mentora.rounds import tasks

    transaction.on_commit(partial(tasks.run_round.enqueue, matching_round.pk))
    return matching_round


@transaction.atomic
def round_start_on_demand(
    *, mentee: Participant, actor: Any, previous: MatchingRound | None = None
) -> MatchingRound:
    """Match one ready mentee of a rolling programme now, against every mentor with a free
    place, by the same engine, hard rules and explanations as a round: the mentee is
    offered suggestions to choose among, or the manager gets a proposal to publish, as the
    programme's influence mode says."""
    mentee = (
        Participant.objects.select_for_update(of=("self",))
        .select_related("programme", "person")
        .get(pk=mentee.pk)
    )
    programme = mentee.programme
    if not programme.rolling:
        raise ValidationError(
            _("Only a rolling programme matches one mentee at a time: start a round instead.")
        )
    if mentee.role != ParticipantRole.MENTEE or mentee.status != ParticipantStatus.READY:
        raise ValidationError(
            _("%(name)s is not a mentee ready to be matched.") % {"name": mentee.person.full_name}
        )
    if MatchingRound.objects.filter(
        mentee=mentee, status__in=[RoundStatus.QUEUED, RoundStatus.RUNNING]
    ).exists():
        raise ValidationError(
            _("%(name)s is being matched already.") % {"name": mentee.person.full_name}
        )
    if not mentors_with_free_places(programme):
        raise ValidationError(
            _("No mentor has a free place now: %(name)s waits until one has.")
            % {"name": mentee.person.full_name}
        )
    return _round_create(programme=programme, actor=actor, previous=previous, mentee=mentee)


def match_when_ready(sender: Any, *, participant: Participant, actor: Any, **kwargs: Any) -> None:
    """A mentee of a rolling programme who becomes ready is matched on demand at once. When
    no mentor has a free place the mentee waits, listed for the manager to match later."""
    if not participant.programme.rolling:
        return
    try:
        round_start_on_demand(mentee=participant, actor=actor)
    except ValidationError:
        pass


def _progress(matching_round: MatchingRound) -> Any:
    state = {"last": -1.0, "written": 0.0, "checked": time.monotonic()}

    def report(stage: str, fraction: float) -> None:
        # The progress bar asks once a second: a new stage is written at once, a step
        # within one at most twice a second.
        moved = fraction - state["last"] >= 0.02 and time.monotonic() - state["written"] >= 0.5
        if moved or stage != matching_round.stage:
            state["last"] = fraction
            state["written"] = time.monotonic()
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
    """The previous round's locked pairs, for a re-run to keep; those already published
    are pairs at work, no longer to be matched."""
    if matching_round.previous is None:
        return []
    return list(
        matching_round.previous.proposals.filter(locked=True, pair__isnull=True).values_list(
            "mentee_id", "mentor_id"
        )
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
    matching_round = MatchingRound.objects.select_related("programme", "previous", "mentee").get(
        pk=round_id
    )
    # A round still "running" was begun by a worker that stopped before it stored
    # anything (its task was taken over, `tasks_take_over`): it runs again from the start.
    if matching_round.status not in (RoundStatus.QUEUED, RoundStatus.RUNNING):
        return matching_round
    if matching_round.cancel_requested:
        MatchingRound.objects.filter(pk=round_id).update(status=RoundStatus.CANCELLED)
        return matching_round
    MatchingRound.objects.filter(pk=round_id).update(status=RoundStatus.RUNNING, stage="input")
    try:
        # A large round builds a few hundred thousand small objects (its input, the
        # engine's explanations, the proposals' rows) and none of them in a cycle:
        # collecting as they are made took longer than making them.
        with collection_paused():
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
    if matching_round.mentee_id is not None:
        # On demand: the one mentee, against the mentors with a free place as it runs.
        assert matching_round.mentee is not None
        mentors = [mentor for mentor, _free in mentors_with_free_places(programme)]
        data = build_input(programme, participants=[matching_round.mentee, *mentors])
    else:
        data = build_input(programme, locks=locks)
    policy = data.policy
    if matching_round.kind == "suggestions":
        policy = _in_mode(policy, "suggest")
    result = _run_engine(data, policy, matching_round)
    with transaction.atomic():
        # Stored once, whoever runs the round: a second run waits here for the first and
        # then finds the round done.
        current = MatchingRound.objects.select_for_update().only("status").get(pk=matching_round.pk)
        if current.status != RoundStatus.RUNNING:
            return

        def checked() -> dict[str, Any]:
            violations = count_violations(problem=data.problem, policy=policy, result=result)
            if violations:
                # Never expected: the engine certifies its own output. Refuse rather than
                # store.
                raise ProblemError(f"the engine produced {violations} rule violation(s)")
            return build_report(problem=data.problem, result=result, violations=violations)

        if matching_round.kind == "suggestions":
            _store_suggestions(matching_round, data, result)
            report = checked()
        else:
            report = _store(matching_round, data, result, locks, check=checked)
        MatchingRound.objects.filter(pk=matching_round.pk).update(
            status=RoundStatus.DONE,
            stage="",
            progress=1.0,
            finished_at=timezone.now(),
            report=report,
            pool={
                "mentees": [p.pk for p in data.mentees.values()],
                "mentors": [p.pk for p in data.mentors.values()],
            },
        )
        matching_round.refresh_from_db(fields=["policy", "kind"])
        # The review's quality summary is worked out by the worker once the proposals are
        # stored, so the round is ready as soon as they are; a review opened before that
        # works it out itself.
        quality_queue(matching_round)
        if matching_round.order_check_applies:
            # Every round is checked for a dependence on the order of its input, in the
            # worker after the round is ready, so review need not wait for it.
            order_check_queue(matching_round)


def _preference_rank(mentee: Participant | Entrant, mentor_person_id: str) -> int | None:
    preferences = [str(p) for p in (mentee.profile or {}).get("preferences") or []]
    return preferences.index(mentor_person_id) + 1 if mentor_person_id in preferences else None


T = TypeVar("T")


def _store(
    matching_round: MatchingRound,
    data: RoundInput,
    result: Any,
    locks: list[tuple[int, int]],
    *,
    check: Callable[[], T],
) -> T:
    """Store the round's proposals and unmatched mentees, and return what `check` (which
    must not use the database) returns: it runs while the database takes the proposals in,
    and if it fails, nothing is stored."""
    locked = set(locks)
    encoded = ContributionsEncoder()

    def proposals() -> Iterator[dict[str, Any]]:
        for found in result.matches:
            mentee = data.mentees[found.mentee_id]
            mentor = data.mentors[found.mentor_id]
            yield {
                "matching_round_id": matching_round.pk,
                "mentee_id": mentee.pk,
                "mentor_id": mentor.pk,
                "score": found.score,
                "explanation": found.explanation,
                "contributions": encoded(found.contributions),
                "locked": (mentee.pk, mentor.pk) in locked,
                "preference_rank": _preference_rank(mentee, found.mentor_id),
            }

    with bulk_insert(Proposal) as add:
        add(proposals())
        checked = check()
    bulk_insert_values(
        UnmatchedParticipant,
        [
            {
                "matching_round_id": matching_round.pk,
                "participant_id": data.mentees[item.mentee_id].pk,
                "reason_code": item.reason_code,
                "reason": item.reason,
            }
            for item in result.unmatched
        ],
    )
    return checked


def round_cancel(*, matching_round: MatchingRound, actor: Any) -> None:
    """Ask a queued or running round to stop; the worker stops at its next progress report."""
    if not matching_round.is_running:
        raise ValidationError(_("Only a queued or running round can be cancelled."))
    MatchingRound.objects.filter(pk=matching_round.pk).update(cancel_requested=True)
    audit_log(
        actor=actor,
        action="rounds.round.cancel",
        obj=matching_round,
        programme=matching_round.programme,
    )


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


def _round_move(
    matching_round: MatchingRound,
    to_status: str,
    *,
    actor: Any,
    action: str,
    changes: dict[str, Any],
) -> None:
    """Move a round, locked by `_editable` or read again under lock, on to ``to_status``,
    and log the step."""
    matching_round.status = to_status
    matching_round.save(update_fields=["status"])
    audit_log(
        actor=actor,
        action=action,
        obj=matching_round,
        programme=matching_round.programme,
        changes=changes,
    )


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


def _run_engine(data: RoundInput, policy: Any, matching_round: MatchingRound) -> Any:
    return match(problem=data.problem, policy=policy, progress=_progress(matching_round))


def _in_mode(policy: Any, mode: str) -> Any:
    """The policy, matching in ``mode`` ("suggest", "optimal") whatever the programme set."""
    return dataclasses.replace(policy, matching=dataclasses.replace(policy.matching, mode=mode))


def _store_suggestions(matching_round: MatchingRound, data: RoundInput, result: Any) -> None:
    Suggestion.objects.bulk_create(
        [
            Suggestion(
                matching_round=matching_round,
                mentee_id=data.mentees[s.mentee_id].pk,
                mentor_id=data.mentors[s.mentor_id].pk,
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
                participant_id=participant.pk,
                reason_code="no_feasible_mentor",
                reason="no feasible mentor",
            )
            for key, participant in data.mentees.items()
            if key not in suggested
        ]
    )
