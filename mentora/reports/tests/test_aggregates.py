"""The figures of the report equal the same figures computed directly from the answers
the test gave, with independent implementations (scipy, statsmodels, lifelines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from mentora import stats as st
from mentora.programmes.models import Participant
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.reports.aggregates import build_report, pair_activity
from mentora.reports.tests.conftest import Filled, fill
from mentora.surveys.models import Invitation, Question, Survey
from mentora.surveys.tests.conftest import make_world

TOL = 1e-9


def given(filled: Filled, survey: Survey) -> dict[Invitation, dict[int, Any]]:
    return {
        Invitation.objects.select_related("person").get(pk=inv): answers
        for (survey_id, inv), answers in filled.answers.items()
        if survey_id == survey.pk
    }


def numbers(filled: Filled, survey: Survey, question: Question) -> list[int]:
    """The item's answers; for an item of a scale, of those who answered the whole scale."""
    if question.kind == "scale_1_5" and question.construct:
        rows = _scale_rows(filled, survey, question.construct)
        items = list(survey.instrument.questions.filter(construct=question.construct))
        position = [q.pk for q in sorted(items, key=lambda q: (q.position, q.pk))]
        return [row[position.index(question.pk)] for row in rows.values()]
    return [int(a[question.pk]) for a in given(filled, survey).values() if question.pk in a]


def test_response_rates_equal_the_invitations_and_wilson_intervals(filled: Filled) -> None:
    report = build_report(filled.world.programme)
    for result in report.surveys:
        answered = given(filled, result.survey)
        for role, row in zip([*result.survey.roles, None], result.rates, strict=True):
            invited = result.survey.invitations.filter(**({"role": role} if role else {})).count()
            responded = sum(1 for inv in answered if role is None or inv.role == role)
            assert (row.invited, row.responded) == (invited, responded)
            low, high = proportion_confint(responded, invited, alpha=0.05, method="wilson")
            assert row.rate is not None
            assert abs(row.rate.estimate - responded / invited) < TOL
            assert abs(row.rate.low - low) < TOL and abs(row.rate.high - high) < TOL


def test_item_distributions_and_share_favourable_equal_direct_computation(
    filled: Filled,
) -> None:
    report = build_report(filled.world.programme)
    checked = 0
    for result in report.surveys:
        for item in result.items:
            if item.distribution is None:
                continue
            data = numbers(filled, result.survey, item.question)
            assert item.distribution.n == len(data)
            assert list(item.distribution.counts) == [data.count(k) for k in range(1, 6)]
            assert abs(item.distribution.mean - float(np.mean(data))) < TOL
            assert abs(item.distribution.sd - float(np.std(data, ddof=1))) < TOL
            favourable = sum(1 for v in data if v >= 4)
            low, high = proportion_confint(favourable, len(data), alpha=0.05, method="wilson")
            assert item.favourable is not None
            assert abs(item.favourable.estimate - favourable / len(data)) < TOL
            assert abs(item.favourable.low - low) < TOL
            assert abs(item.favourable.high - high) < TOL
            checked += 1
    assert checked >= 15


def _alpha(matrix: np.ndarray) -> float:
    k = matrix.shape[1]
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / matrix.sum(axis=1).var(ddof=1))


def _scale_rows(filled: Filled, survey: Survey, construct: str) -> dict[int, list[int]]:
    """{person id: item answers} of people who answered every item of the scale."""
    items = list(survey.instrument.questions.filter(construct=construct).order_by("position", "pk"))
    rows = {}
    for invitation, answers in given(filled, survey).items():
        if all(q.pk in answers for q in items):
            rows[invitation.person_id] = [int(answers[q.pk]) for q in items]
    return rows


def test_scale_scores_and_cronbachs_alpha_equal_direct_computation(filled: Filled) -> None:
    report = build_report(filled.world.programme)
    checked = 0
    for result in report.surveys:
        for scale in result.scales:
            rows = _scale_rows(filled, result.survey, scale.construct)
            matrix = np.array(list(rows.values()), dtype=float)
            assert scale.n == len(rows)
            assert abs(scale.mean - float(matrix.mean(axis=1).mean())) < TOL
            # The mean's t interval, over the same respondents.
            scores = matrix.mean(axis=1)
            low, high = stats.t.interval(
                0.95, len(scores) - 1, loc=scores.mean(), scale=stats.sem(scores)
            )
            assert scale.interval is not None and scale.interval.n == scale.n
            assert abs(scale.interval.low - low) < TOL and abs(scale.interval.high - high) < TOL
            if scale.alpha is not None and scale.alpha.alpha is not None:
                assert abs(scale.alpha.alpha - _alpha(matrix)) < TOL
                assert scale.alpha.ci_low is not None and scale.alpha.ci_high is not None
                assert scale.alpha.ci_low <= scale.alpha.alpha <= scale.alpha.ci_high
                checked += 1
    assert checked >= 3


def test_change_from_start_to_end_equals_scipys_paired_tests(personas: Any) -> None:
    # Everyone answers everything, so the paired people are each wave's scale respondents.
    filled = fill(make_world(personas), answer_share=1.0, blank=0.0)
    report = build_report(filled.world.programme)
    changes = {c.construct: c for c in report.changes}
    before = _scale_rows(filled, filled.start, "career_confidence")
    after = _scale_rows(filled, filled.end, "career_confidence")
    people = sorted(set(before) & set(after))
    x = np.array([np.mean(before[p]) for p in people])
    y = np.array([np.mean(after[p]) for p in people])
    change = changes["career_confidence"].change
    assert change is not None and change.n_pairs == len(people) >= 5
    # Attrition is shown beside the pairs: how many each wave's scale was published for.
    assert (
        changes["career_confidence"].answered_start,
        changes["career_confidence"].answered_end,
    ) == (
        len(before),
        len(after),
    )
    assert change.design == "uncontrolled_pre_post"
    expected = stats.ttest_rel(y, x)
    assert abs(change.t - expected.statistic) < TOL
    assert abs(change.p_value - expected.pvalue) < TOL
    assert abs(change.mean_difference - float((y - x).mean())) < TOL
    assert abs(change.cohens_dz - float((y - x).mean() / (y - x).std(ddof=1))) < TOL
    # Ranked on the integer sums of the answers, so true ties are ties.
    k = len(before[people[0]])
    wilcoxon = stats.wilcoxon(
        np.rint(y * k),
        np.rint(x * k),
        zero_method="wilcox",
        method="exact" if len(people) <= 13 else "approx",
    )
    assert abs(change.wilcoxon_statistic - wilcoxon.statistic) < TOL


def test_nps_equals_direct_computation(filled: Filled) -> None:
    report = build_report(filled.world.programme)
    end = next(r for r in report.surveys if r.survey.pk == filled.end.pk)
    item = next(i for i in end.items if i.nps is not None)
    data = np.array(numbers(filled, filled.end, item.question))
    promoters, detractors = (data >= 9).mean(), (data <= 6).mean()
    score = 100 * (promoters - detractors)
    assert abs(item.nps.score - score) < TOL
    # The report uses the adjusted Wald interval, which keeps its coverage with few people
    # and at +/-100 (checked against weighted pseudo-answers in the statistics tests).
    assert item.nps.method == "adjusted_wald"
    assert item.nps == st.nps(data, method="adjusted_wald")


def test_pair_activity_and_goals_count_what_happened(filled: Filled) -> None:
    world = filled.world
    now = timezone.now()
    Meeting.objects.create(pair=world.pair, starts_at=now - dt.timedelta(days=3), mode="online")
    Meeting.objects.create(
        pair=world.pair, starts_at=now - dt.timedelta(days=2), mode="online", cancelled_at=now
    )
    Goal.objects.create(pair=world.pair, theme="Lead", progress=100)
    Goal.objects.create(pair=world.pair, theme="Network", progress=50)
    mentees = Participant.objects.filter(programme=world.programme, role="mentee")[1:3]
    Pair.objects.create(
        programme=world.programme,
        mentee=mentees[0],
        mentor=world.mentor,
        score=0.4,
        ended_at=now - dt.timedelta(days=1),
    )
    activity = pair_activity(world.programme)
    assert (activity.pairs, activity.active, activity.meetings, activity.with_meeting) == (
        2,
        1,
        1,
        1,
    )
    assert (activity.goals, activity.goals_reached, activity.mean_progress) == (2, 1, 75.0)
    assert activity.mean_score == pytest.approx(0.6)
