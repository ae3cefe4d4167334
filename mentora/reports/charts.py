"""Charts for the report page and the PDF, drawn with matplotlib as SVG data URIs.

Labels are translated at drawing time, so a chart reads in the viewer's language.
"""

from __future__ import annotations

import base64
import io
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")

from django.urls import reverse  # noqa: E402
from django.utils.translation import gettext as _  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mentora.reports.aggregates import ItemResult  # noqa: E402
from mentora.reports.retention import Retention, visible_curve  # noqa: E402

plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["font.size"] = 9


def svg(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    return buffer.getvalue()


def _data_uri(figure: Figure | None) -> str | None:
    if figure is None:
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(svg(figure)).decode("ascii")


def _favourable_shown(items: list[ItemResult]) -> list[ItemResult]:
    return [i for i in items if i.favourable is not None and i.favourable.estimate is not None]


def _retention_drawn(result: Retention) -> bool:
    return result.participants.curve is not None and result.comparison.curve is not None


def favourable_chart(items: list[ItemResult], language: str) -> Figure | None:
    """Share favourable per item with its Wilson interval."""
    shown = _favourable_shown(items)
    if not shown:
        return None
    figure, axes = plt.subplots(figsize=(7, 0.45 * len(shown) + 0.8))
    labels = [
        "\n".join(textwrap.wrap(f"{i.question.code} {i.question.text(language)}", 60))
        for i in shown
    ]
    estimates = [100 * (i.favourable.estimate or 0) for i in shown if i.favourable]
    low = [
        100 * ((i.favourable.estimate or 0) - (i.favourable.low or 0))
        for i in shown
        if i.favourable
    ]
    high = [
        100 * ((i.favourable.high or 0) - (i.favourable.estimate or 0))
        for i in shown
        if i.favourable
    ]
    positions = list(range(len(shown)))[::-1]
    axes.barh(positions, estimates, xerr=[low, high], color="#2f6f8f", ecolor="#222", capsize=3)
    axes.set_yticks(positions, labels)
    axes.set_xlim(0, 100)
    axes.set_xlabel(_("Share agreeing (4 or 5) in per cent, with 95 per cent interval"))
    return figure


def retention_chart(result: Retention) -> Figure | None:
    """Kaplan-Meier curves of participants and matched non-participants, each with its 95
    per cent confidence band, drawn while at least five people remain at risk."""
    groups = [
        (result.participants, _("Participants"), "#2f6f8f", "-"),
        (result.comparison, _("Matched non-participants"), "#b5651d", "--"),
    ]
    if not _retention_drawn(result):
        return None
    figure, axes = plt.subplots(figsize=(7, 3.6))
    for group, label, colour, style in groups:
        assert group.curve is not None
        points = visible_curve(group.curve)
        if points:
            times, survival, low, high, _at_risk = zip(*points, strict=True)
            axes.fill_between(times, low, high, step="post", color=colour, alpha=0.18, lw=0)
            axes.step(times, survival, where="post", label=label, color=colour, linestyle=style)
    axes.set_ylim(0, 1.02)
    axes.set_xlabel(_("Months since starting in the programme"))
    axes.set_ylabel(_("Share still employed (95 per cent band)"))
    axes.legend(loc="lower left")
    return figure


def charts_for(report: Any, language: str) -> dict[str, Any]:
    """Every chart of the report drawn into it, for the PDF."""
    return {
        "surveys": {
            result.survey.pk: _data_uri(favourable_chart(result.items, language))
            for result in report.surveys
        },
        "retention": _data_uri(retention_chart(report.retention)),
    }


def chart_links(report: Any) -> dict[str, Any]:
    """Where the page finds each chart it has: drawn on request (``views.report_chart``), so
    the page itself comes without waiting for them."""
    programme = report.programme.pk
    return {
        "surveys": {
            result.survey.pk: reverse("report_chart_survey", args=[programme, result.survey.pk])
            for result in report.surveys
            if _favourable_shown(result.items)
        },
        "retention": reverse("report_chart_retention", args=[programme])
        if _retention_drawn(report.retention)
        else None,
    }
