from __future__ import annotations

import io
import json
import re
from typing import Any

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from openpyxl import load_workbook
from scipy import stats

from conftest import PERSONAS, READERS
from mentora.programmes.services import design
from mentora.reports import benchmark
from mentora.reports.aggregates import build_report
from mentora.reports.models import BenchmarkRow
from mentora.reports.tests.conftest import Filled, fill, hr_dates
from mentora.surveys.models import Answer
from mentora.surveys.tests.conftest import World, make_world


def _second_programme(world: World, seed: int) -> World:
    """Another cohort at the same organisation, with its own participants and answers."""
    programme = design.programme_create(
        organisation=world.personas.organisation,
        actor=world.personas.manager,
        name=f"Cohort {seed}",
    )
    other = World(world.personas, programme, world.mentee, world.mentor, world.pair)
    fill(other, mentees=8, mentors=6, seed=seed, answer_share=1.0, offset=seed * 1000)
    return other


def _share(programme: Any, wave: str, code: str) -> float:
    values = list(
        Answer.objects.filter(
            response__survey__programme=programme,
            response__survey__wave=wave,
            question__code=code,
        ).values_list("number", flat=True)
    )
    return float(np.mean([v >= 4 for v in values]))


def test_percentile_among_programmes_asking_the_same_item(filled: Filled) -> None:
    others = [_second_programme(filled.world, seed) for seed in (11, 12, 13, 14, 15)]
    result = benchmark.percentiles(filled.world.programme)
    key = ("end", "RQ1", "We meet as often as we agreed.")
    percentile, among = result[key]
    population = [_share(o.programme, "end", "RQ1") for o in others]
    mine = _share(filled.world.programme, "end", "RQ1")
    assert among == 5
    assert abs(percentile - stats.percentileofscore(population, mine, kind="mean")) < 1e-9


def test_no_percentile_among_fewer_than_five_programmes(filled: Filled) -> None:
    for seed in (41, 42, 43, 44):
        _second_programme(filled.world, seed)
    assert benchmark.percentiles(filled.world.programme)[
        ("end", "RQ1", "We meet as often as we agreed.")
    ] == (None, 4)


def test_an_item_in_other_wording_is_not_compared(filled: Filled) -> None:
    other = _second_programme(filled.world, 21)
    Answer.objects.filter(
        response__survey__programme=other.programme, question__code="RQ1"
    ).delete()
    assert benchmark.percentiles(filled.world.programme)[
        ("end", "RQ1", "We meet as often as we agreed.")
    ] == (None, 0)


def test_the_export_holds_no_names_and_no_group_under_five(filled: Filled) -> None:
    Answer.objects.filter(question__code="RD1").exclude(
        pk__in=Answer.objects.filter(question__code="RD1").values("pk")[:4]
    ).delete()
    data = benchmark.export([filled.world.programme])
    text = json.dumps(data)
    assert filled.world.programme.name not in text
    items = [item for group in data["groups"] for item in group["items"]]
    assert items and all(item["n"] >= 5 for item in items)
    assert "RD1" not in {item["code"] for item in items}


def test_another_installation_loads_the_export_and_benchmarks_against_it(
    filled: Filled, tmp_path: Any
) -> None:
    elsewhere = [_second_programme(filled.world, seed) for seed in (31, 32, 33, 34, 35)]
    exported = benchmark.export([w.programme for w in elsewhere])
    key = ("end", "RQ1", "We meet as often as we agreed.")
    shares = [_share(w.programme, *key[:2]) for w in elsewhere]
    path = tmp_path / "benchmark.json"
    path.write_text(json.dumps(exported))
    # As if on another installation: the programmes are gone, their figures remain.
    for w in elsewhere:
        w.programme.delete()
    assert benchmark.percentiles(filled.world.programme)[key] == (None, 0)
    call_command("load_benchmark", str(path), "--organisation", "acme", "--source", "Elsewhere")
    assert BenchmarkRow.objects.filter(source="Elsewhere").count() > 50
    percentile, among = benchmark.percentiles(filled.world.programme)[key]
    mine = _share(filled.world.programme, *key[:2])
    assert among == 5
    assert abs(percentile - stats.percentileofscore(shares, mine, kind="mean")) < 1e-6
    # Loading the same source again replaces it; another organisation never sees it.
    call_command("load_benchmark", str(path), "--organisation", "acme", "--source", "Elsewhere")
    assert benchmark.percentiles(filled.world.programme)[key][1] == 5
    assert not BenchmarkRow.objects.filter(organisation__slug="other").exists()


def test_a_file_that_is_not_an_export_is_refused(filled: Filled) -> None:
    with pytest.raises(ValidationError):
        benchmark.benchmark_load(
            organisation=filled.world.personas.organisation,
            source="X",
            data={"groups": []},
            actor=None,
        )


def test_the_export_command_prints_the_organisations_aggregates(
    filled: Filled, capsys: Any
) -> None:
    call_command("export_benchmark", "--organisation", "acme")
    data = json.loads(capsys.readouterr().out)
    assert data["format"] == benchmark.FORMAT and len(data["groups"]) == 1


def test_the_workbook_holds_the_figures_of_the_report(filled: Filled, client_for: Any) -> None:
    hr_dates(filled.world)
    programme = filled.world.programme
    response = client_for(filled.world.personas.sponsor).get(
        f"/programmes/{programme.pk}/report.xlsx"
    )
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert {
        "Response rates",
        "Items",
        "NPS",
        "Scales",
        "Start to end",
        "Retention",
        "Pairs",
    } <= set(workbook.sheetnames)
    assert len(workbook["Items"]._charts) == 1 and len(workbook["Retention"]._charts) == 1
    retention_rows = list(workbook["Retention"].iter_rows(min_row=2, values_only=True))
    # Curve rows: months (a number) and the number at risk (a whole number).
    curve_rows = [
        r for r in retention_rows if r and isinstance(r[1], float) and isinstance(r[5], int)
    ]
    assert {row[0] for row in curve_rows} == {
        "Participants",
        "Matched non-participants",
    }
    report = build_report(programme)
    end = next(r for r in report.surveys if r.survey.pk == filled.end.pk)
    rows = {
        row[1]: row
        for row in workbook["Items"].iter_rows(min_row=2, values_only=True)
        if row[0] == "End of the programme"
    }
    for item in end.items:
        if item.distribution is not None:
            row = rows[item.question.code]
            assert row[3] == item.distribution.n
            assert abs(row[4] - item.distribution.mean) < 1e-9
            assert abs(row[11] - item.favourable.estimate) < 1e-9


def test_the_pdf_is_a_pdf_with_the_charts(filled: Filled, client_for: Any) -> None:
    programme = filled.world.programme
    response = client_for(filled.world.personas.manager).get(
        f"/programmes/{programme.pk}/report.pdf"
    )
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_the_report_page_shows_charts_and_figures_in_danish(
    filled: Filled, client_for: Any
) -> None:
    manager = filled.world.personas.manager
    manager.language = "da"
    manager.save()
    response = client_for(manager).get(f"/programmes/{filled.world.programme.pk}/report/")
    assert response.status_code == 200
    charts = re.findall(
        rb'<img src="(/programmes/\d+/report/charts/[a-z0-9-]+\.svg)"', response.content
    )
    assert len(charts) >= 2
    for url in charts:
        chart = client_for(manager).get(url.decode())
        assert chart.status_code == 200 and chart["Content-Type"] == "image/svg+xml"
        assert chart.content.startswith(b"<?xml")
    # Question texts come from the Danish wording stored with each question.
    assert "Vi mødes så ofte, som vi aftalte.".encode() in response.content
    assert b"style=" not in response.content.split(b"<main")[1]


def test_the_workbook_holds_formula_like_names_as_quoted_text(
    filled: Filled, client_for: Any
) -> None:
    world = filled.world
    manager = world.personas.manager
    hostile = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)"]
    design.programme_update(programme=world.programme, actor=manager, name=hostile[0])
    for name in hostile[1:]:
        design.programme_create(organisation=world.personas.organisation, actor=manager, name=name)
    response = client_for(manager).get(f"/programmes/{world.programme.pk}/report.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    cells = [
        cell
        for sheet in workbook.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]
    assert all(cell.data_type != "f" for cell in cells)
    texts = {cell.value for cell in cells if cell.data_type == "s"}
    assert not [t for t in texts if t.startswith(("=", "+", "-", "@", "\t", "\r"))]
    assert {"'" + name for name in hostile} <= texts
    comparison = workbook["Comparison"]
    # The figures beside the names are still numbers.
    numbers = [c for row in comparison.iter_rows(min_row=2) for c in row[1:] if c.value is not None]
    assert numbers and all(c.data_type == "n" for c in numbers)


def test_the_page_and_workbook_give_intervals_reliability_and_the_design_of_the_change(
    personas: Any, client_for: Any
) -> None:
    filled = fill(make_world(personas), answer_share=1.0, blank=0.0)
    report = build_report(filled.world.programme)
    scale = next(s for r in report.surveys for s in r.scales if s.interval is not None)
    change = next(c for c in report.changes if c.change is not None)
    client = client_for(filled.world.personas.manager)
    page = client.get(f"/programmes/{filled.world.programme.pk}/report/").content.decode()
    interval = f"{scale.mean:.2f} ({scale.interval.low:.2f}–{scale.interval.high:.2f})"
    assert interval in page
    assert f"{change.n_pairs} ({change.answered_start} / {change.answered_end})" in page
    assert "Uncontrolled before and after:" in page
    workbook = load_workbook(
        io.BytesIO(client.get(f"/programmes/{filled.world.programme.pk}/report.xlsx").content)
    )
    rows = list(workbook["Scales"].iter_rows(values_only=True))
    assert rows[0][4:11] == ("Mean", "Lower bound", "Upper bound", "SD", "alpha") + (
        "Lower bound",
        "Upper bound",
    )
    assert any(row[3] == scale.n and abs(row[5] - scale.interval.low) < 1e-9 for row in rows[1:])


@pytest.mark.parametrize("who", PERSONAS)
def test_the_report_charts_follow_the_report_access(
    filled: Filled, client_for: Any, who: str
) -> None:
    programme = filled.world.programme
    client = client_for(filled.world.personas.all()[who])
    url = f"/programmes/{programme.pk}/report/charts/survey-{filled.end.pk}.svg"
    assert client.get(url).status_code == READERS[who], who


def test_a_chart_is_drawn_only_for_a_survey_of_the_programme(
    filled: Filled, client_for: Any
) -> None:
    programme = filled.world.programme
    client = client_for(filled.world.personas.manager)
    base = f"/programmes/{programme.pk}/report/charts"
    response = client.get(f"{base}/survey-{filled.end.pk}.svg")
    assert response["Content-Type"] == "image/svg+xml" and b"<svg" in response.content
    assert client.get(f"{base}/survey-{filled.end.pk + 999}.svg").status_code == 404
