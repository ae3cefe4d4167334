"""The executive summary: each goal's result, its interval and verdict, the primary first."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from mentora import stats as st
from mentora.programmes.models import GoalMeasure, ProgrammeGoal
from mentora.reports.aggregates import build_report
from mentora.reports.summary import Verdict, report_tests, summarise
from mentora.reports.tests.conftest import Filled, fill
from mentora.surveys.models import Survey
from mentora.surveys.tests.conftest import make_world


@pytest.fixture
def closed(personas: Any) -> Filled:
    """The filled programme with both waves closed and four goals, NPS the primary.

    Everyone answers everything, so the paired people are each wave's scale respondents
    and the change from start to end is published.
    """
    filled = fill(make_world(personas), answer_share=1.0, blank=0.0)
    now = timezone.now()
    Survey.objects.filter(programme=filled.world.programme).update(
        opens_at=now - dt.timedelta(days=20), closes_at=now - dt.timedelta(days=1)
    )
    programme = filled.world.programme
    programme.goals.all().delete()
    for position, values in enumerate(
        [
            {"text": "Said to be worth it", "measure": GoalMeasure.NPS, "target": Decimal(-100)},
            {
                "text": "Confident at the end",
                "measure": GoalMeasure.SCALE_MEAN,
                "construct": "career_confidence",
                "target": Decimal(5),
            },
            {
                "text": "A scale nobody asked",
                "measure": GoalMeasure.SCALE_FAVOURABLE,
                "construct": "no_such_scale",
                "target": Decimal(50),
            },
            {"text": "Be a good place to learn", "measure": GoalMeasure.NONE},
        ]
    ):
        ProgrammeGoal.objects.create(programme=programme, position=position, **values)
    programme.goals.filter(measure=GoalMeasure.NPS).update(primary=True)
    return filled


def test_each_goal_gets_its_figure_interval_and_verdict(closed: Filled) -> None:
    summary = summarise(build_report(closed.world.programme))
    verdicts = {line.goal.text: line.verdict for line in summary.lines}
    assert verdicts == {
        "Said to be worth it": Verdict.MET,  # any NPS reaches -100
        "Confident at the end": Verdict.NOT_MET,  # a mean of 5 needs every answer at 5
        "A scale nobody asked": Verdict.TOO_FEW,
        "Be a good place to learn": Verdict.NOT_MEASURED,
    }
    nps = summary.lines[0].result
    assert nps is not None and nps.method == "adjusted_wald"
    assert nps.low is not None and nps.high is not None and nps.low <= nps.estimate <= nps.high
    assert (summary.measured, summary.met) == (3, 1)


def test_the_primary_outcome_comes_first_and_the_rest_are_exploratory(closed: Filled) -> None:
    summary = summarise(build_report(closed.world.programme))
    assert [line.role for line in summary.lines] == [
        "primary",
        "exploratory",
        "exploratory",
        "descriptive",
    ]


def test_exploratory_tests_are_holm_adjusted_together(closed: Filled) -> None:
    report = build_report(closed.world.programme)
    summary = summarise(report)
    tests = {key: p for key, p in report_tests(report).items() if p is not None}
    assert "change:career_confidence" in tests
    # The primary outcome (NPS) has no test, so every test of the report is exploratory.
    expected = dict(zip(tests, st.holm_adjust(list(tests.values())), strict=True))
    line = summary.lines[1]
    assert line.test is not None and line.test.role == "exploratory"
    assert line.test.adjusted_p_value == pytest.approx(expected["change:career_confidence"])
    assert len(summary.tests) == len(report_tests(report))


def test_a_survey_goal_is_too_early_to_tell_while_the_end_survey_is_open(
    closed: Filled,
) -> None:
    report = build_report(closed.world.programme)
    before = closed.end.opens_at + dt.timedelta(hours=1)
    Survey.objects.filter(pk=closed.end.pk).update(closes_at=timezone.now() + dt.timedelta(days=3))
    summary = summarise(build_report(closed.world.programme), now=before)
    assert {line.verdict for line in summary.lines if line.goal.is_measured} == {Verdict.TOO_EARLY}
    assert report.goals  # the same goals, read from the report


def test_the_summary_opens_the_page_and_the_workbook(closed: Filled, client_for: Any) -> None:
    client = client_for(closed.world.personas.manager)
    programme = closed.world.programme
    page = client.get(f"/programmes/{programme.pk}/report/").content.decode()
    assert page.index('id="summary"') < page.index('id="rates"')
    assert "Primary outcome:</strong> Said to be worth it:" in page
    workbook = load_workbook(
        io.BytesIO(client.get(f"/programmes/{programme.pk}/report.xlsx").content)
    )
    assert workbook.sheetnames[0] == "Summary"
    rows = list(workbook["Summary"].iter_rows(min_row=2, values_only=True))
    assert [(row[0], row[1], row[8]) for row in rows] == [
        ("Said to be worth it", "Primary outcome", "met"),
        ("Confident at the end", "Exploratory", "not met"),
        ("A scale nobody asked", "Exploratory", "not enough answers to tell"),
        ("Be a good place to learn", "Not measured", "not measured in Mentora"),
    ]


def test_the_summary_speaks_danish(closed: Filled, client_for: Any) -> None:
    manager = closed.world.personas.manager
    manager.language = "da"
    manager.save()
    page = client_for(manager).get(f"/programmes/{closed.world.programme.pk}/report/")
    assert "ikke nok svar til at afgøre" in page.content.decode()
