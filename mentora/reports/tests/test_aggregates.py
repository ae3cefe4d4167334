"""The figures of the report equal the same figures computed directly from the answers
the test gave, with independent implementations (scipy, statsmodels, lifelines)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pytest
from django.utils import timezone
from lifelines import KaplanMeierFitter
from lifelines.statistics import logrank_test
from scipy import stats
from statsmodels.stats.proportion import proportion_confint

from mentora.people.models import Person
from mentora.programmes.models import Participant
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.reports.aggregates import build_report, pair_activity
from mentora.reports.retention import DAYS_PER_MONTH, matched_comparison, retention
from mentora.reports.tests.conftest import Filled, hr_dates
from mentora.surveys.models import Invitation, Question, Survey

TOL = 1e-9


def given(filled: Filled, survey: Survey) -> dict[Invitation, dict[int, Any]]:
    return {
        Invitation.objects.select_related("person").get(pk=inv): answers
        for (survey_id, inv), answers in filled.answers.items()
        if survey_id == survey.pk
    }


def numbers(filled: Filled, survey: Survey, question: Question) -> list[int]:
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
    items = list(survey.instrument.questions.filter(construct=construct).order_by("position"))
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
            if scale.alpha is not None and scale.alpha.alpha is not None:
                assert abs(scale.alpha.alpha - _alpha(matrix)) < TOL
                checked += 1
    assert checked >= 3


def test_change_from_start_to_end_equals_scipys_paired_tests(filled: Filled) -> None:
    report = build_report(filled.world.programme)
    changes = {c.construct: c for c in report.changes}
    before = _scale_rows(filled, filled.start, "career_confidence")
    after = _scale_rows(filled, filled.end, "career_confidence")
    people = sorted(set(before) & set(after))
    x = np.array([np.mean(before[p]) for p in people])
    y = np.array([np.mean(after[p]) for p in people])
    change = changes["career_confidence"].change
    assert change is not None and change.n_pairs == len(people) >= 5
    expected = stats.ttest_rel(y, x)
    assert abs(change.t - expected.statistic) < TOL
    assert abs(change.p_value - expected.pvalue) < TOL
    assert abs(change.mean_difference - float((y - x).mean())) < TOL
    assert abs(change.cohens_dz - float((y - x).mean() / (y - x).std(ddof=1))) < TOL
    wilcoxon = stats.wilcoxon(
        y, x, zero_method="wilcox", method="exact" if len(people) <= 13 else "approx"
    )
    assert abs(change.wilcoxon_statistic - wilcoxon.statistic) < TOL


def test_nps_equals_direct_computation(filled: Filled) -> None:
    report = build_report(filled.world.programme)
    end = next(r for r in report.surveys if r.survey.pk == filled.end.pk)
    item = next(i for i in end.items if i.nps is not None)
    data = np.array(numbers(filled, filled.end, item.question))
    promoters, detractors = (data >= 9).mean(), (data <= 6).mean()
    score = 100 * (promoters - detractors)
    se = np.sqrt((promoters + detractors - (promoters - detractors) ** 2) / data.size)
    z = stats.norm.ppf(0.975)
    assert abs(item.nps.score - score) < TOL
    assert abs(item.nps.low - max(-100, score - 100 * z * se)) < TOL
    assert abs(item.nps.high - min(100, score + 100 * z * se)) < TOL


def test_retention_curves_and_log_rank_equal_lifelines(filled: Filled) -> None:
    hr_dates(filled.world)
    programme = filled.world.programme
    result = retention(programme)
    today = timezone.localdate()
    origin = programme.start_date
    participants, controls = matched_comparison(programme, origin)

    def survival_data(rows: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        people = Person.objects.in_bulk([r[0] for r in rows])
        durations, events = [], []
        for person in people.values():
            left = person.leave_date is not None and person.leave_date <= today
            end = person.leave_date if left else today
            durations.append((end - origin).days / DAYS_PER_MONTH)
            events.append(left)
        return np.array(durations), np.array(events)

    p_d, p_e = survival_data(participants)
    c_d, c_e = survival_data(controls)
    assert p_e.sum() > 0 and c_e.sum() > 0
    for group, durations, events in (
        (result.participants, p_d, p_e),
        (result.comparison, c_d, c_e),
    ):
        assert group.curve is not None and group.n == durations.size
        fitter = KaplanMeierFitter().fit(durations, events)
        expected = fitter.survival_function_at_times(list(group.curve.times)).to_numpy()
        assert np.allclose(group.curve.survival, expected, atol=TOL, rtol=0)
        for month, at_risk in group.at_risk:
            direct = int((durations >= month).sum())
            assert at_risk == (direct if direct >= 5 else None)
    test = logrank_test(p_d, c_d, event_observed_A=p_e, event_observed_B=c_e)
    assert result.logrank is not None
    assert abs(result.logrank.statistic - test.test_statistic) < TOL
    assert abs(result.logrank.p_value - test.p_value) < TOL


def test_mentees_and_mentors_each_against_their_own_matches_equal_lifelines(
    filled: Filled,
) -> None:
    hr_dates(filled.world, controls=80)
    programme = filled.world.programme
    today = timezone.localdate()
    origin = programme.start_date
    result = retention(programme)
    assert [r.role for r in result.by_role] == ["Mentees", "Mentors"]
    mentees = result.by_role[0]
    mine, theirs = matched_comparison(programme, origin, ("mentee",))

    def survival(rows: list[Any]) -> tuple[np.ndarray, np.ndarray]:
        left = [r[2] is not None and r[2] <= today for r in rows]
        ends = [r[2] if gone else today for r, gone in zip(rows, left, strict=True)]
        return (
            np.array([(e - origin).days / DAYS_PER_MONTH for e in ends]),
            np.array(left),
        )

    m_d, m_e = survival(mine)
    c_d, c_e = survival(theirs)
    assert mentees.logrank is not None and mentees.leavers == (int(m_e.sum()), int(c_e.sum()))
    expected = logrank_test(m_d, c_d, event_observed_A=m_e, event_observed_B=c_e)
    assert abs(mentees.logrank.p_value - expected.p_value) < TOL
    assert {p[0] for p in mine} == set(
        Participant.objects.filter(programme=programme, role="mentee").values_list(
            "person_id", flat=True
        )
    )


def test_matched_non_participants_are_outside_the_programme_and_similar(filled: Filled) -> None:
    hr_dates(filled.world)
    programme = filled.world.programme
    participants, controls = matched_comparison(programme, programme.start_date)
    in_programme = set(
        Participant.objects.filter(programme=programme).values_list("person", flat=True)
    )
    ids = [c[0] for c in controls]
    assert len(ids) == len(set(ids))  # nobody used twice
    assert not set(ids) & in_programme
    people = Person.objects.in_bulk(ids + [p[0] for p in participants])
    for person_id in ids:
        person = people[person_id]
        assert person.hire_date <= programme.start_date
        assert person.leave_date is None or person.leave_date > programme.start_date


def test_no_events_gives_a_flat_curve_and_no_test(filled: Filled) -> None:
    hr_dates(filled.world)
    Person.objects.update(leave_date=None)
    result = retention(filled.world.programme)
    assert result.participants.curve is not None
    assert set(result.participants.curve.survival) == {1.0}
    assert result.logrank is not None and result.logrank.p_value == 1.0


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
