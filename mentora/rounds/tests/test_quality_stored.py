"""The round's quality summary is stored, and stays equal to the one computed from its
proposals after every kind of change."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mentora.rounds import quality as quality_module
from mentora.rounds.models import MatchingRound
from mentora.rounds.quality import (
    Quality,
    quality_compute,
    quality_forget,
    round_quality,
    round_score_cuts,
)
from mentora.rounds.services import choices, introductions
from mentora.rounds.services import proposals as proposals_services
from mentora.rounds.tasks import store_round_quality
from mentora.rounds.tests.conftest import Cohort, assign, run_round


def stored(matching_round: MatchingRound) -> Quality:
    """The summary as the review page reads it, checked against a fresh computation."""
    quality = round_quality(matching_round, include_gender=True)
    computed, cuts = quality_compute(matching_round)
    assert quality == computed
    assert round_score_cuts(matching_round) == cuts
    assert MatchingRound.objects.get(pk=matching_round.pk).quality is not None
    return quality


def test_the_worker_stores_the_summary_after_the_result_and_it_is_read_without_the_proposals(
    cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        matching_round = run_round(cohort)
    # The round is done before its summary: the worker's task stores it next.
    assert MatchingRound.objects.get(pk=matching_round.pk).quality is None
    queued = [c for c in callbacks if "store_round_quality" in repr(c)]
    assert len(queued) == 1
    store_round_quality.call(matching_round.pk)
    assert MatchingRound.objects.get(pk=matching_round.pk).quality is not None
    with CaptureQueriesContext(connection) as queries:
        first = round_quality(matching_round, include_gender=True)
        round_score_cuts(matching_round)
    assert first == quality_compute(matching_round)[0]
    assert first.matched == 2
    assert len(queries) == 2
    assert not any("rounds_proposal" in q["sql"] for q in queries.captured_queries)


def test_the_gender_figure_is_left_out_for_a_reader_who_may_not_see_it(cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    assert "gender" in stored(matching_round).different
    without = round_quality(matching_round, include_gender=False)
    assert "gender" not in without.different
    assert set(without.different) == {"department", "location", "organisation"}


def test_locking_and_unlocking_a_pair_updates_the_summary(cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    assert stored(matching_round).locked == 0
    proposal = matching_round.proposals.get(mentee=cohort.junior)
    manager = cohort.personas.manager
    proposals_services.proposal_lock(proposal=proposal, locked=True, actor=manager)
    assert stored(matching_round).locked == 1
    proposals_services.proposal_lock(proposal=proposal, locked=False, actor=manager)
    assert stored(matching_round).locked == 0


def test_removing_and_restoring_a_pair_updates_the_summary(cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    before = stored(matching_round)
    proposal = matching_round.proposals.get(mentee=cohort.eva)
    mentor = proposal.mentor
    manager = cohort.personas.manager
    proposals_services.proposal_remove(proposal=proposal, actor=manager)
    removed = stored(matching_round)
    assert (removed.matched, removed.unmatched) == (before.matched - 1, before.unmatched + 1)
    proposals_services.proposal_restore(
        matching_round=matching_round,
        mentee=cohort.eva,
        mentor=mentor,
        locked=False,
        manual=False,
        actor=manager,
    )
    restored = stored(matching_round)
    assert (restored.matched, restored.unmatched) == (before.matched, before.unmatched)


def test_a_pair_made_by_hand_updates_the_summary(cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    assert stored(matching_round).manual == 0
    taken = {p.mentor_id for p in matching_round.proposals.all()}
    free = next(m for m in (cohort.mo, cohort.tina, cohort.bo) if m.pk not in taken)
    assign(cohort, matching_round, cohort.eva, free)
    after = stored(matching_round)
    assert after.manual == 1


def test_ranking_and_settling_choices_updates_the_summary(cohort: Cohort) -> None:
    matching_round = run_round(cohort, "mentee_chooses")
    manager = cohort.personas.manager
    choices.round_open_choosing(matching_round=matching_round, actor=manager)
    assert stored(matching_round).chosen == 0
    eva_mentors = [s.mentor_id for s in matching_round.suggestions.filter(mentee=cohort.eva)]
    choices.mentee_rank(
        matching_round=matching_round, mentee=cohort.eva, mentor_ids=eva_mentors, actor=None
    )
    assert stored(matching_round).chosen == 1
    choices.round_resolve_choices(matching_round=matching_round, actor=manager)
    assert stored(matching_round).matched == 2


def test_a_mentee_left_without_mentors_in_introductions_updates_the_summary(
    cohort: Cohort, django_capture_on_commit_callbacks: Any
) -> None:
    matching_round = run_round(cohort, "mutual_opt_in")
    with django_capture_on_commit_callbacks(execute=True):
        introductions.round_introduce(
            matching_round=matching_round, actor=cohort.personas.manager, days=5
        )
    assert stored(matching_round).unmatched == 0
    introductions.introduction_answer(
        introduction=matching_round.introductions.get(mentee=cohort.junior),
        actor=cohort.personas.mentor,
        accept=False,
    )
    assert stored(matching_round).unmatched == 1


def test_a_summary_computed_before_a_change_is_not_stored_after_it(cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    MatchingRound.objects.filter(pk=matching_round.pk).update(quality=None)
    # A change lands between reading the version and storing the summary: the summary
    # computed from the old proposals must not be kept.
    original = quality_compute

    def change_meanwhile(r: MatchingRound) -> Any:
        result = original(r)
        quality_forget(round_id=r.pk)
        return result

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(quality_module, "quality_compute", change_meanwhile)
        round_quality(matching_round, include_gender=True)
    assert MatchingRound.objects.get(pk=matching_round.pk).quality is None


def test_the_review_page_shows_the_stored_figures(client_for: Any, cohort: Cohort) -> None:
    matching_round = run_round(cohort)
    client = client_for(cohort.personas.manager)
    client.get(reverse("round_detail", args=[matching_round.pk]))
    proposal = matching_round.proposals.get(mentee=cohort.eva)
    proposals_services.proposal_remove(proposal=proposal, actor=cohort.personas.manager)
    response = client.get(reverse("round_detail", args=[matching_round.pk]))
    shown = response.context["quality"]
    computed = quality_compute(matching_round)[0]
    if "gender" not in shown.different:
        computed.different.pop("gender")
    assert shown == computed
    assert shown.unmatched == 1
