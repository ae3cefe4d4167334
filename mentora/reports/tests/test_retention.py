"""Retention by intention to treat against colleagues matched within a caliper: the curves
and tests equal lifelines and statsmodels, and the page, PDF and workbook show them."""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from lifelines import CoxPHFitter, KaplanMeierFitter
from numpy.testing import assert_allclose
from openpyxl import load_workbook
from pypdf import PdfReader
from statsmodels.duration.survfunc import survdiff

from conftest import make_person
from mentora.people.models import Person
from mentora.programmes.models import Participant, ParticipantEvent
from mentora.programmes.services.pipeline import participant_transition
from mentora.relationships.models import Pair
from mentora.reports.retention import (
    DAYS_PER_MONTH,
    DAYS_PER_YEAR,
    Retention,
    retention,
    visible_curve,
)
from mentora.reports.retention_cohort import (
    CALIPER_DAYS,
    Cohort,
    Employee,
    Starter,
    _nearest,
    cohort,
    match,
    starters,
)
from mentora.reports.tests.conftest import Filled, hr_dates
from mentora.stats.tests.test_cox_regression import PRECISE
from mentora.surveys.tests.conftest import add_participants, make_world

TOL = 1e-9
# lifelines' Newton iterations stop short of ours (see mentora/stats/tests/test_cox_regression).
COX_TOL = 1e-7


def _follow(person: Person, index: dt.date, today: dt.date) -> tuple[float, bool]:
    left = person.leave_date is not None and person.leave_date <= today
    end = person.leave_date if left and person.leave_date else today
    return (end - index).days / DAYS_PER_MONTH, left


def _retention_and_cohort(filled: Filled) -> tuple[Retention, Cohort, dt.date, dt.date]:
    """With HR dates for everyone: the report's retention, and the matched cohort it rests on,
    followed from the programme's start (`origin`) until `today`."""
    hr_dates(filled.world, controls=80)
    programme = filled.world.programme
    today, origin = timezone.localdate(), programme.start_date
    return retention(programme), cohort(programme, origin, today), origin, today


def test_curves_bands_and_tests_within_matched_pairs_equal_lifelines_and_statsmodels(
    filled: Filled,
) -> None:
    result, found, origin, today = _retention_and_cohort(filled)
    people = Person.objects.in_bulk(
        [s.participant.employee.person_id for s in found.sets]
        + [s.control.person_id for s in found.sets]
    )
    mine = np.array(
        [_follow(people[s.participant.employee.person_id], origin, today) for s in found.sets]
    )
    theirs = np.array([_follow(people[s.control.person_id], origin, today) for s in found.sets])
    assert mine[:, 1].sum() > 0 and theirs[:, 1].sum() > 0
    assert result.started == len(found.starters) and result.participants.n == len(found.sets)
    for group, rows in ((result.participants, mine), (result.comparison, theirs)):
        curve = group.curve
        assert curve is not None
        fitter = KaplanMeierFitter().fit(rows[:, 0], rows[:, 1])
        assert_allclose(curve.times, fitter.survival_function_.index, atol=TOL, rtol=0)
        assert_allclose(curve.survival, fitter.survival_function_.iloc[:, 0], atol=TOL, rtol=0)
        assert_allclose(curve.ci_low, fitter.confidence_interval_.iloc[:, 0], atol=TOL, rtol=0)
        assert_allclose(curve.ci_high, fitter.confidence_interval_.iloc[:, 1], atol=TOL, rtol=0)
        assert list(curve.at_risk) == fitter.event_table["at_risk"].tolist()
        for month, at_risk in group.at_risk:
            direct = int((rows[:, 0] >= month).sum())
            assert at_risk == (direct if direct >= 5 else None)
    durations = np.r_[mine[:, 0], theirs[:, 0]]
    events = np.r_[mine[:, 1], theirs[:, 1]].astype(int)
    participant = np.r_[np.ones(len(found.sets)), np.zeros(len(found.sets))]
    sets = np.tile(np.arange(len(found.sets)), 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        statistic, p_value = survdiff(durations, events, participant, strata=sets)
    assert result.logrank is not None and result.logrank.strata == len(found.sets)
    assert math.isclose(result.logrank.statistic, float(statistic), rel_tol=0, abs_tol=TOL)
    assert math.isclose(result.logrank.p_value, float(p_value), rel_tol=0, abs_tol=TOL)
    frame = pd.DataFrame({"T": durations, "E": events, "participant": participant, "set": sets})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = CoxPHFitter().fit(frame, "T", "E", cluster_col="set", fit_options=PRECISE)
    hazard = result.hazard
    assert hazard is not None and result.cox is not None and result.cox.clusters == len(sets) // 2
    summary = reference.summary.loc["participant"]
    assert abs(hazard.coefficient - summary["coef"]) < COX_TOL
    assert abs(hazard.standard_error - summary["se(coef)"]) < COX_TOL
    assert abs(hazard.p_value - summary["p"]) < COX_TOL
    assert abs(hazard.ci_low - summary["exp(coef) lower 95%"]) < COX_TOL
    assert abs(hazard.ci_high - summary["exp(coef) upper 95%"]) < COX_TOL


def _twenty_mentees(personas: Any) -> tuple[Any, list[Participant]]:
    """A programme that began 400 days ago with twenty paired mentees hired in 2020, and
    thirty colleagues hired a day after them to compare with."""
    world = make_world(personas)
    mentees = [world.mentee, *add_participants(world, "mentee", 19)]
    programme = world.programme
    today = timezone.localdate()
    programme.start_date = today - dt.timedelta(days=400)
    programme.save()
    Participant.objects.filter(programme=programme).update(
        created_at=timezone.now() - dt.timedelta(days=500)
    )
    Pair.objects.filter(programme=programme).update(
        started_at=timezone.now() - dt.timedelta(days=395)
    )
    for i, mentee in enumerate(mentees):
        Person.objects.filter(pk=mentee.person_id).update(
            hire_date=dt.date(2020, 1 + i % 12, 1), level=3, leave_date=None
        )
    for i in range(30):
        make_person(
            programme.organisation,
            f"C{i}",
            "Colleague",
            str(i),
            level=2,
            hire_date=dt.date(2020, 1 + i % 12, 2),
        )
    return programme, mentees


def test_mentees_who_left_the_employer_and_withdrew_stay_in_by_intention_to_treat(
    personas: Any,
) -> None:
    programme, mentees = _twenty_mentees(personas)
    for k, mentee in enumerate(mentees[:5]):
        Person.objects.filter(pk=mentee.person_id).update(
            leave_date=programme.start_date + dt.timedelta(days=30 * (k + 1))
        )
        participant_transition(
            participant=mentee, to_status="withdrawn", actor=personas.manager, note="Left."
        )
    assert Participant.objects.filter(programme=programme, status="withdrawn").count() == 5
    row = retention(programme).by_role[0]
    assert row.participants.n == 20 and row.leavers == (5, 0)
    assert row.participants.curve is not None
    assert row.participants.curve.survival[-1] == pytest.approx(0.75, abs=1e-12)


def _queries(action: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured.captured_queries)


def test_retention_is_computed_again_only_when_what_it_reads_changes(personas: Any) -> None:
    programme, mentees = _twenty_mentees(personas)
    first = retention(programme)
    assert first.by_role[0].leavers == (0, 0) and first.started == 20
    # Unchanged: only the fingerprint's four aggregates are read, not the organisation.
    assert _queries(lambda: retention(programme)) == 4
    assert retention(programme).by_role[0].leavers == (0, 0)
    # A leave date written straight into the table, as an import does, is seen at once.
    Person.objects.filter(pk=mentees[0].person_id).update(
        leave_date=programme.start_date + dt.timedelta(days=30)
    )
    assert retention(programme).by_role[0].leavers == (1, 0)
    # So are a colleague hired, a step in someone's history and a new pair.
    for change in (
        lambda: make_person(
            programme.organisation, "C99", "Colleague", "99", hire_date=dt.date(2020, 5, 5)
        ),
        lambda: participant_transition(
            participant=mentees[1], to_status="withdrawn", actor=personas.manager, note="Moved."
        ),
        lambda: Pair.objects.filter(programme=programme).first().delete(),  # type: ignore[union-attr]
    ):
        change()
        assert _queries(lambda: retention(programme)) > 4
        assert _queries(lambda: retention(programme)) == 4
    # The labels follow the reader's language.
    with translation.override("da"):
        assert retention(programme).balance[0].attribute == "Anciennitet i år ved start"
    assert retention(programme).balance[0].attribute == "Years of service when starting"


def _participant(world: Any, name: str, *, status: str, created: dt.datetime) -> Participant:
    person = make_person(
        world.programme.organisation, name, name, "Test", level=3, hire_date=dt.date(2019, 5, 1)
    )
    return Participant.objects.create(
        programme=world.programme, person=person, role="mentee", status=status, created_at=created
    )


def _step(participant: Participant, old: str, new: str, at: dt.datetime) -> None:
    ParticipantEvent.objects.create(participant=participant, from_status=old, to_status=new, at=at)


def test_who_started_and_from_when_is_read_from_the_participants_history(personas: Any) -> None:
    world = make_world(personas)
    today = timezone.localdate()
    start = today - dt.timedelta(days=300)
    world.programme.start_date = start
    world.programme.save()
    at_start = timezone.now() - dt.timedelta(days=300)
    day = dt.timedelta(days=1)
    early = at_start - 100 * day
    # Applied, then withdrew before the start: never started.
    gone = _participant(world, "gone", status="withdrawn", created=early)
    _step(gone, "invited", "applied", early + day)
    _step(gone, "applied", "withdrawn", at_start - 20 * day)
    # Taking part at the start, withdrew later: started, followed from the start.
    left = _participant(world, "left", status="withdrawn", created=early)
    _step(left, "ready", "matched", at_start + 10 * day)
    _step(left, "active", "withdrawn", at_start + 60 * day)
    # Joined after the start and was matched: followed from the day of the match.
    late = _participant(world, "late", status="active", created=at_start + 30 * day)
    _step(late, "ready", "matched", at_start + 90 * day)
    # Joined after the start and is still waiting for a match: not started.
    waiting = _participant(world, "waiting", status="ready", created=at_start + 30 * day)
    _step(waiting, "approved", "ready", at_start + 40 * day)
    # Declined before the start: never started.
    declined = _participant(world, "declined", status="declined", created=early)
    mine = {p.person_id: p for p in (gone, left, late, waiting, declined)}
    found = {
        s.employee.person_id: s.index
        for s in starters(world.programme, start, today)
        if s.employee.person_id in mine
    }
    # The day of the match in the programme's time zone (not always the day it was in UTC).
    matched_on = timezone.localdate(at_start + 90 * day)
    assert found == {left.person_id: start, late.person_id: matched_on}


def test_matching_keeps_to_the_caliper_and_the_level_band_and_uses_a_colleague_once() -> None:
    start = dt.date(2024, 1, 1)

    def starter(pk: int, hired: dt.date, level: int) -> Starter:
        return Starter(Employee(pk, hired, None, level), start, frozenset({"mentee"}))

    near = starter(1, dt.date(2020, 1, 1), 3)
    senior = starter(4, dt.date(2020, 1, 5), 8)  # nobody in levels 7-9 hired near them
    second = starter(2, dt.date(2020, 1, 10), 3)
    alone = starter(3, dt.date(2022, 6, 1), 3)  # the nearest colleague is 183 days away
    pool = [
        Employee(10, dt.date(2020, 3, 1), None, 2),
        Employee(11, near.employee.hired + dt.timedelta(days=CALIPER_DAYS), None, 1),
        Employee(12, dt.date(2022, 12, 1), None, 3),
        Employee(13, dt.date(2022, 6, 1), None, 8),
        Employee(14, dt.date(2020, 1, 1), dt.date(2023, 12, 1), 3),  # gone by the start
    ]
    found = [near, senior, second, alone]
    sets = match(found, pool)
    assert [(s.participant.employee.person_id, s.control.person_id) for s in sets] == [
        (1, 10),
        (2, 11),
    ]
    assert Cohort(found, pool, sets).unmatched == 2


def _smd(a: list[float], b: list[float]) -> float:
    x, y = np.array(a, dtype=float), np.array(b, dtype=float)
    x, y = x[~np.isnan(x)], y[~np.isnan(y)]
    return float((x.mean() - y.mean()) / np.sqrt((x.var(ddof=1) + y.var(ddof=1)) / 2))


def test_the_balance_table_gives_standardised_differences_before_and_after_matching(
    filled: Filled,
) -> None:
    result, found, origin, today = _retention_and_cohort(filled)
    people = Person.objects.in_bulk()

    def years(pk: int, day: dt.date) -> float:
        return (day - people[pk].hire_date).days / DAYS_PER_YEAR

    def level(pk: int) -> float:
        return float("nan") if people[pk].level is None else float(people[pk].level)

    starting = [s.employee.person_id for s in found.starters]
    pool = [e.person_id for e in found.pool]
    pairs = [(s.participant.employee.person_id, s.control.person_id) for s in found.sets]
    expected = {
        "Years of service when starting": (
            _smd([years(p, origin) for p in starting], [years(p, origin) for p in pool]),
            _smd([years(p, origin) for p, _c in pairs], [years(c, origin) for _p, c in pairs]),
        ),
        "Level": (
            _smd([level(p) for p in starting], [level(p) for p in pool]),
            _smd([level(p) for p, _c in pairs], [level(c) for _p, c in pairs]),
        ),
    }
    assert [row.attribute for row in result.balance] == list(expected)
    for row in result.balance:
        before, after = expected[row.attribute]
        assert row.before.difference == pytest.approx(before, abs=1e-12)
        assert row.after.difference == pytest.approx(after, abs=1e-12)
        assert row.before.imbalanced == (abs(before) > 0.1)
        assert row.after.imbalanced == (abs(after) > 0.1)
    # Participants are all at level 3 and colleagues at 2, 3 or 7: matching in the band
    # removes most of the difference.
    level_row = result.balance[1]
    assert level_row.before.imbalanced and level_row.after.difference is not None
    assert abs(level_row.after.difference) < abs(level_row.before.difference or 0)


def test_the_page_pdf_and_workbook_show_bands_numbers_at_risk_tests_and_balance(
    filled: Filled, client_for: Any
) -> None:
    hr_dates(filled.world, controls=80)
    programme = filled.world.programme
    result = retention(programme)
    assert result.participants.curve is not None and result.hazard is not None
    client = client_for(filled.world.personas.manager)
    page = client.get(f"/programmes/{programme.pk}/report/").content.decode()
    first_at_risk = result.participants.at_risk[0][1]
    assert f"<td>{first_at_risk}</td>" in page
    assert "Log-rank test stratified on the matched pairs" in page
    assert f"{result.hazard.hazard_ratio:.2f}" in page and "clustered on the matched pairs" in page
    assert "Before matching" in page and f"{result.balance[1].before.difference:.2f}" in page
    assert f"{result.unmatched} found none within the caliper" in page
    chart_url = f"/programmes/{programme.pk}/report/charts/retention.svg"
    assert f'src="{chart_url}"' in page
    chart = client.get(chart_url)
    assert chart["Content-Type"] == "image/svg+xml"
    assert chart.content.decode().count("PolyCollection") >= 2  # a band per group

    pdf = client.get(f"/programmes/{programme.pk}/report.pdf").content
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "Numbers at risk" in text and "Log-rank test stratified" in text
    assert "Before matching" in text and "Hazard ratio" in text

    workbook = load_workbook(
        io.BytesIO(client.get(f"/programmes/{programme.pk}/report.xlsx").content)
    )
    sheet = workbook["Retention"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    curve_rows = [r for r in rows if r and r[0] == "Participants" and isinstance(r[1], int | float)]
    expected = visible_curve(result.participants.curve)
    assert len(curve_rows) == len(expected)
    for row, point in zip(curve_rows, expected, strict=True):
        assert_allclose(row[1:5], point[:4], atol=1e-9, rtol=0)
        assert row[5] == point[4] >= 5
    labels = {r[0]: r for r in rows if r and r[0]}
    hazard_row = labels[
        "Hazard ratio (Cox model, robust standard errors clustered on matched pairs)"
    ]
    assert hazard_row[1] == pytest.approx(result.hazard.hazard_ratio, abs=1e-9)
    assert labels[f"No match within {CALIPER_DAYS} days"][1] == result.unmatched
    assert labels["Level"][1] == pytest.approx(result.balance[1].before.difference, abs=1e-9)
    assert len(sheet._charts) == 1 and len(sheet._charts[0].series) == 6


def test_matched_colleagues_are_outside_the_programme_and_employed_when_it_started(
    filled: Filled,
) -> None:
    hr_dates(filled.world)
    programme = filled.world.programme
    found = cohort(programme, programme.start_date, timezone.localdate())
    involved = set(Participant.objects.filter(programme=programme).values_list("person", flat=True))
    ids = [s.control.person_id for s in found.sets]
    assert ids and len(ids) == len(set(ids)) and not set(ids) & involved
    for person in Person.objects.filter(pk__in=ids):
        assert person.hire_date is not None and person.hire_date <= programme.start_date
        assert person.leave_date is None or person.leave_date > programme.start_date


def test_no_leavers_gives_flat_curves_a_test_without_evidence_and_no_hazard_ratio(
    filled: Filled,
) -> None:
    hr_dates(filled.world)
    Person.objects.update(leave_date=None)
    result = retention(filled.world.programme)
    assert result.participants.curve is not None
    assert set(result.participants.curve.survival) == {1.0}
    assert result.logrank is not None and result.logrank.p_value == 1.0
    assert result.cox is not None and result.hazard is None


def test_the_nearest_colleague_is_the_one_a_full_search_finds() -> None:
    rng = random.Random(3)
    for _ in range(300):
        index = dt.date(2024, 1, 1)
        band = sorted(
            (
                (hired.toordinal(), pk, Employee(pk, hired, left, 2))
                for pk in rng.sample(range(1, 400), rng.randint(0, 40))
                for hired in [dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 400))]
                for left in [rng.choice([None, dt.date(2023, 6, 1), dt.date(2025, 1, 1)])]
            ),
            key=lambda row: (row[0], row[1]),
        )
        day = (dt.date(2020, 1, 1) + dt.timedelta(days=rng.randint(0, 400))).toordinal()
        low = next((i for i, row in enumerate(band) if row[0] >= day - CALIPER_DAYS), len(band))
        high = next((i for i, row in enumerate(band) if row[0] > day + CALIPER_DAYS), len(band))
        options = [i for i in range(low, high) if band[i][2].employed_on(index)]
        expected = (
            min(options, key=lambda i: (abs(band[i][0] - day), band[i][1])) if options else None
        )
        assert _nearest(band, low, high, day, index) == expected
