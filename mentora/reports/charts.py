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

from django.utils.translation import gettext as _  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from mentora.reports.aggregates import ItemResult  # noqa: E402
from mentora.reports.retention import Retention, visible_curve  # noqa: E402

plt.rcParams["svg.fonttype"] = "none"
plt.rcParams["font.size"] = 9


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", bbox_inches="tight")
    plt.close(figure)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def favourable_chart(items: list[ItemResult], language: str) -> str | None:
    """Share favourable per item with its Wilson interval."""
    shown = [i for i in items if i.favourable is not None and i.favourable.estimate is not None]
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
    return _data_uri(figure)


def retention_chart(result: Retention) -> str | None:
    """Kaplan-Meier curves of participants and matched non-participants, each with its 95
    per cent confidence band, drawn while at least five people remain at risk."""
    groups = [
        (result.participants, _("Participants"), "#2f6f8f", "-"),
        (result.comparison, _("Matched non-participants"), "#b5651d", "--"),
    ]
    if any(group.curve is None for group, *_rest in groups):
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
    return _data_uri(figure)


def charts_for(report: Any, language: str) -> dict[str, Any]:
    return {
        "surveys": {
            result.survey.pk: favourable_chart(result.items, language) for result in report.surveys
        },
        "retention": retention_chart(report.retention),
    }
