from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from mentora.core.models import AuditEntry
from mentora.programmes.models import Participant
from mentora.relationships.models import Pair
from mentora.rounds.models import MatchingRound, Proposal, RoundStatus
from mentora.rounds.quality import round_quality
from mentora.rounds.services import proposals, rounds
from mentora.rounds.tests.conftest import assign, run_round


def run(cohort: Any, previous: MatchingRound | None = None) -> MatchingRound:
    return run_round(cohort, previous=previous)


def pairs_of(matching_round: MatchingRound) -> dict[str, str]:
    return {
        p.mentee.person.first_name: p.mentor.person.first_name
        for p in matching_round.proposals.select_related("mentee__person", "mentor__person")
    }


def test_a_round_proposes_only_pairs_that_keep_the_hard_rules(cohort: Any) -> None:
    matching_round = run(cohort)
    assert matching_round.status == RoundStatus.DONE
    pairs = pairs_of(matching_round)
    assert pairs["Jo"] == "Mo"
    assert pairs["Eva"] in {"Tina", "Bo"}
    assert matching_round.report["violations"] == 0
    assert matching_round.report["certified_optimal"] is True


def test_every_proposal_carries_its_score_and_reasons(cohort: Any) -> None:
    proposal = run(cohort).proposals.get(mentee=cohort.junior)
    criteria = {c["criterion"] for c in proposal.contributions}
    assert {"themes", "mentee_preference"} <= criteria
    assert "leadership" in proposal.explanation
    assert proposal.preference_rank == 1


def test_a_round_needs_ready_mentees_and_mentors(cohort: Any) -> None:
    Participant.objects.filter(role="mentor").update(status="approved")
    with pytest.raises(ValidationError, match="No mentor is ready"):
        rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)


def test_a_cancelled_round_stores_nothing(cohort: Any) -> None:
    matching_round = rounds.round_start(programme=cohort.programme, actor=cohort.personas.manager)
    rounds.round_cancel(matching_round=matching_round, actor=cohort.personas.manager)
    rounds.round_run(round_id=matching_round.pk)
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.CANCELLED
    assert not matching_round.proposals.exists()


def test_matching_by_hand_refuses_a_pair_in_the_same_team_and_names_the_rule(cohort: Any) -> None:
    matching_round = run(cohort)
    with pytest.raises(ValidationError) as error:
        assign(cohort, matching_round, cohort.junior, cohort.tina)
    assert "same team" in " ".join(error.value.messages)
    assert pairs_of(matching_round)["Jo"] == "Mo"


def test_matching_by_hand_refuses_a_mentor_in_the_mentees_reporting_line(cohort: Any) -> None:
    matching_round = run(cohort)
    with pytest.raises(ValidationError, match="reporting line"):
        assign(cohort, matching_round, cohort.junior, cohort.bo)


def test_matching_by_hand_respects_the_mentors_capacity(cohort: Any) -> None:
    matching_round = run(cohort)
    taken = matching_round.proposals.get(mentee=cohort.eva).mentor
    other = cohort.bo if taken == cohort.tina else cohort.tina
    # Eva may move to the free mentor, but not to Mo, who is in her team and Jo's anyway.
    assign(cohort, matching_round, cohort.eva, other)
    with pytest.raises(ValidationError):
        assign(cohort, matching_round, cohort.eva, cohort.mo)


def test_a_pair_set_by_hand_is_locked_and_survives_a_rerun(cohort: Any) -> None:
    first = run(cohort)
    current = first.proposals.get(mentee=cohort.eva).mentor
    other = cohort.bo if current == cohort.tina else cohort.tina
    assign(cohort, first, cohort.eva, other)
    second = run(cohort, previous=first)
    kept = second.proposals.get(mentee=cohort.eva)
    assert kept.mentor == other and kept.locked
    assert second.report["locked"] == 1


def test_an_unlocked_pair_is_not_kept_by_force(cohort: Any) -> None:
    first = run(cohort)
    proposal = first.proposals.get(mentee=cohort.junior)
    proposals.proposal_lock(proposal=proposal, locked=True, actor=cohort.personas.manager)
    proposals.proposal_lock(proposal=proposal, locked=False, actor=cohort.personas.manager)
    second = run(cohort, previous=first)
    assert not second.proposals.filter(locked=True).exists()


def test_removing_a_proposal_leaves_the_mentee_unmatched_with_a_reason(cohort: Any) -> None:
    matching_round = run(cohort)
    proposals.proposal_remove(
        proposal=matching_round.proposals.get(mentee=cohort.eva), actor=cohort.personas.manager
    )
    assert matching_round.unmatched.get(participant=cohort.eva).reason_code == "removed"


def test_publishing_creates_pairs_marks_them_matched_and_is_audited(
    cohort: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    matching_round = run(cohort)
    with django_capture_on_commit_callbacks(execute=True):
        pairs = proposals.round_publish(
            matching_round=matching_round, actor=cohort.personas.manager
        )
    assert len(pairs) == 2
    assert set(Participant.objects.values_list("status", flat=True)) == {"matched", "ready"}
    assert Participant.objects.get(pk=cohort.junior.pk).status == "matched"
    assert Pair.objects.active().count() == 2
    matching_round.refresh_from_db()
    assert matching_round.status == RoundStatus.PUBLISHED
    tasks = set(DBTaskResult.objects.values_list("task_path", flat=True))
    assert "mentora.rounds.tasks.send_introductions" in tasks
    assert "mentora.programmes.tasks.send_line_manager_alignment" in tasks
    assert AuditEntry.objects.filter(action="rounds.round.publish").exists()
    with pytest.raises(ValidationError):
        assign(cohort, matching_round, cohort.eva, cohort.bo)


def test_publishing_refuses_a_pair_that_breaks_a_hard_rule_by_the_time_it_is_published(
    cohort: Any,
) -> None:
    matching_round = run(cohort)
    # Mo moves into Jo's team after the round was run: the proposal is no longer allowed.
    person = cohort.mo.person
    person.org_unit = cohort.junior.person.org_unit
    person.save()
    with pytest.raises(ValidationError, match="same team"):
        proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    assert not Pair.objects.exists()
    assert Participant.objects.get(pk=cohort.junior.pk).status == "ready"


def test_publishing_refuses_a_proposal_slipped_in_past_the_checks(cohort: Any) -> None:
    matching_round = run(cohort)
    Proposal.objects.filter(matching_round=matching_round, mentee=cohort.junior).update(
        mentor=cohort.bo
    )
    with pytest.raises(ValidationError, match="reporting line"):
        proposals.round_publish(matching_round=matching_round, actor=cohort.personas.manager)
    assert not Pair.objects.exists()


def test_the_introduction_is_written_in_each_persons_language(cohort: Any, smtp_sink: Any) -> None:
    from mentora.rounds.tasks import send_introductions

    cohort.personas.mentee.language = "da"
    cohort.personas.mentee.save()
    pairs = proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    jo_pair = next(p for p in pairs if p.mentee == cohort.junior)
    assert send_introductions.call(jo_pair.pk) == 2
    messages = {m["To"]: m for m in smtp_sink.wait_for(2)}
    assert "Mo Mentor" in messages["mentee@test.example"].get_body(("plain",)).get_content()
    assert "Din mentor" in messages["mentee@test.example"].get_body(("plain",)).get_content()
    assert "Your mentee" in messages["mentor@test.example"].get_body(("plain",)).get_content()


def test_ending_a_match_is_private_and_puts_both_back_in_the_pool(cohort: Any) -> None:
    pairs = proposals.round_publish(matching_round=run(cohort), actor=cohort.personas.manager)
    pair = next(p for p in pairs if p.mentee == cohort.junior)
    proposals.pair_end(pair=pair, actor=cohort.personas.mentee, reason="No chemistry")
    pair.refresh_from_db()
    assert not pair.is_active and pair.end_reason == "No chemistry"
    assert Participant.objects.get(pk=cohort.junior.pk).status == "ready"
    assert Participant.objects.get(pk=cohort.mo.pk).status == "ready"
    entry = AuditEntry.objects.get(action="relationships.pair.end")
    assert "No chemistry" not in str(entry.changes)
    # The manager can rematch from the pool at once, never with the mentor that just ended.
    rematch = run(cohort)
    assert rematch.unmatched.filter(participant=cohort.junior).exists()
    assert not rematch.proposals.filter(mentee=cohort.junior, mentor=cohort.mo).exists()


def test_the_quality_summary_counts_matches_choices_and_diversity(cohort: Any) -> None:
    quality = round_quality(run(cohort), include_gender=False)
    assert (quality.mentees, quality.matched) == (2, 2)
    assert quality.first_choice_share == 1.0
    assert "gender" not in quality.different
    assert quality.different["organisation"] == 0.0
