"""A round whose worker died is run again by another worker, and stored exactly once."""

from __future__ import annotations

from typing import Any

from mentora.rounds.models import MatchingRound, Proposal, RoundStatus
from mentora.rounds.services import rounds


def test_a_round_left_running_by_a_stopped_worker_runs_again_and_is_stored_once(
    cohort: Any,
) -> None:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    # The first worker marked it running, then was killed before storing anything.
    MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.RUNNING)

    rounds.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.DONE
    stored = Proposal.objects.filter(matching_round=matching_round).count()
    assert stored == 2

    # The task run once more (taken over twice) changes nothing.
    rounds.round_run(round_id=matching_round.pk)
    assert Proposal.objects.filter(matching_round=matching_round).count() == stored


def test_a_round_another_worker_finished_meanwhile_is_not_stored_again(
    cohort: Any, monkeypatch: Any
) -> None:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    engine = rounds._run_engine

    def finished_elsewhere(*args: Any, **kwargs: Any) -> Any:
        result = engine(*args, **kwargs)
        MatchingRound.objects.filter(pk=matching_round.pk).update(status=RoundStatus.DONE)
        return result

    monkeypatch.setattr(rounds, "_run_engine", finished_elsewhere)
    rounds.round_run(round_id=matching_round.pk)
    assert not Proposal.objects.filter(matching_round=matching_round).exists()
