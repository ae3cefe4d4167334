"""The report as a PDF (WeasyPrint, from the same HTML with its charts) and as an XLSX
workbook with one sheet per aggregate table."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from openpyxl.chart import BarChart, Reference, ScatterChart, Series

from mentora.core.pdf import REPORT_STYLESHEET, render_pdf
from mentora.core.spreadsheets import new_workbook, xlsx_bytes
from mentora.reports.aggregates import Report
from mentora.reports.retention import Retention, visible_curve
from mentora.reports.summary import Summary, summary_sheet
from mentora.surveys.builtin_instruments import scale_name


def _num(value: Any) -> Any:
    return None if value is None else round(float(value), 10)


def _charts(items: Any) -> None:
    """Native charts beside the tables, so the workbook reads without the report page."""
    if items.max_row > 1:
        bars = BarChart()
        bars.type = "bar"
        bars.title = _("Share agreeing")
        bars.y_axis.scaling.min = 0
        bars.y_axis.scaling.max = 1
        bars.add_data(
            Reference(items, min_col=12, min_row=1, max_row=items.max_row), titles_from_data=True
        )
        bars.set_categories(Reference(items, min_col=2, min_row=2, max_row=items.max_row))
        bars.height = max(7.5, 0.5 * items.max_row)
        items.add_chart(bars, "R2")


def _retention_chart(sheet: Any, ranges: list[tuple[str, int, int]]) -> None:
    """A native chart of each curve and its band, so the sheet reads without the page."""
    chart = ScatterChart()
    chart.title = _("Share still employed (95 per cent band)")
    chart.x_axis.title = _("Months since starting in the programme")
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = 1
    for label, first, last in ranges:
        x = Reference(sheet, min_col=2, min_row=first, max_row=last)
        for column, title in ((3, label), (4, _("lower bound")), (5, _("upper bound"))):
            y = Reference(sheet, min_col=column, min_row=first, max_row=last)
            name = title if column == 3 else f"{label}, {title}"
            series = Series(y, x, title=name)
            if column != 3:
                series.graphicalProperties.line.dashStyle = "dash"
            chart.series.append(series)
    sheet.add_chart(chart, "J2")


def _retention_sheet(sheet: Any, result: Retention) -> None:
    """Rows of times, survival, lower and upper bound and numbers at risk per group while
    at least five are at risk; then the matching, the tests and the balance table."""
    sheet.append(
        [
            _("Group"),
            _("Months"),
            _("Still employed"),
            _("Lower bound"),
            _("Upper bound"),
            _("At risk"),
        ]
    )
    names = {"participants": _("Participants"), "comparison": _("Matched non-participants")}
    ranges = []
    for group in (result.participants, result.comparison):
        if group.curve is None:
            continue
        first = sheet.max_row + 1
        for t, s, low, high, at_risk in visible_curve(group.curve):
            sheet.append([names[group.label], _num(t), _num(s), _num(low), _num(high), at_risk])
        if sheet.max_row >= first:
            ranges.append((names[group.label], first, sheet.max_row))
    if ranges:
        _retention_chart(sheet, ranges)
    if result.participants.curve is None or result.comparison.curve is None:
        return
    sheet.append([])
    sheet.append([_("Participants who started"), result.started])
    sheet.append([_("Matched"), result.participants.n])
    sheet.append(
        [_("No match within %(days)s days") % {"days": result.caliper_days}, result.unmatched]
    )
    if result.logrank is not None:
        test = result.logrank
        sheet.append(
            [
                _("Log-rank test stratified on the matched pairs"),
                "chi2",
                _num(test.statistic),
                "p",
                _num(test.p_value),
            ]
        )
    hazard = result.hazard
    if hazard is not None:
        sheet.append(
            [
                _("Hazard ratio (Cox model, robust standard errors clustered on matched pairs)"),
                _num(hazard.hazard_ratio),
                _num(hazard.ci_low),
                _num(hazard.ci_high),
                "p",
                _num(hazard.p_value),
            ]
        )
    sheet.append([])
    sheet.append([_("Attribute"), _("Before matching"), _("After matching")])
    for row in result.balance:
        sheet.append([row.attribute, _num(row.before.difference), _num(row.after.difference)])
    sheet.append([])
    for part in result.by_role:
        if part.logrank is not None and part.leavers is not None:
            sheet.append(
                [
                    part.role,
                    "n",
                    part.participants.n,
                    part.comparison.n,
                    _("Leavers"),
                    part.leavers[0],
                    part.leavers[1],
                    "p",
                    _num(part.logrank.p_value),
                ]
            )


def html_pdf(template: str, context: dict[str, Any]) -> bytes:
    """A report page's print version as a PDF, with the reports' stylesheet."""
    return render_pdf(template, context, stylesheet=REPORT_STYLESHEET)


def report_pdf(context: dict[str, Any]) -> bytes:
    return html_pdf("reports/report_pdf.html", context)


def report_xlsx(
    report: Report, benchmarks: dict[Any, Any], summary: Summary | None = None
) -> bytes:
    workbook = new_workbook()
    rates = workbook.active
    assert rates is not None
    rates.title = _("Response rates")[:31]
    rates.append(
        [
            _("Wave"),
            _("Group"),
            _("Invited"),
            _("Answered"),
            _("Response rate"),
            _("Lower bound"),
            _("Upper bound"),
        ]
    )
    items = workbook.create_sheet(_("Items")[:31])
    items.append(
        [
            _("Wave"),
            _("Code"),
            _("Question"),
            "n",
            _("Mean"),
            _("SD"),
            "1",
            "2",
            "3",
            "4",
            "5",
            _("Share agreeing"),
            _("Lower bound"),
            _("Upper bound"),
            _("Percentile"),
            _("Compared with"),
        ]
    )
    nps_sheet = workbook.create_sheet("NPS")
    nps_sheet.append(
        [
            _("Wave"),
            _("Code"),
            "n",
            "NPS",
            _("Lower bound"),
            _("Upper bound"),
            _("Promoters"),
            _("Passives"),
            _("Detractors"),
        ]
    )
    scales = workbook.create_sheet(_("Scales")[:31])
    scales.append(
        [
            _("Wave"),
            _("Scale"),
            _("Items"),
            "n",
            _("Mean"),
            _("Lower bound"),
            _("Upper bound"),
            _("SD"),
            "alpha",
            _("Lower bound"),
            _("Upper bound"),
        ]
    )
    for result in report.surveys:
        wave = result.survey.get_wave_display()
        for row in result.rates:
            rate = row.rate
            rates.append(
                [
                    wave,
                    row.role,
                    row.invited,
                    row.responded,
                    _num(rate.estimate) if rate else None,
                    _num(rate.low) if rate else None,
                    _num(rate.high) if rate else None,
                ]
            )
        for item in result.items:
            q = item.question
            if item.distribution is not None and item.favourable is not None:
                key = (result.survey.wave, q.code, q.text_en)
                percentile, among = benchmarks.get(key, (None, 0))
                d = item.distribution
                items.append(
                    [
                        wave,
                        q.code,
                        q.text_en,
                        d.n,
                        _num(d.mean),
                        _num(d.sd),
                        *d.counts,
                        _num(item.favourable.estimate),
                        _num(item.favourable.low),
                        _num(item.favourable.high),
                        _num(percentile),
                        among,
                    ]
                )
            if item.nps is not None:
                n = item.nps
                nps_sheet.append(
                    [
                        wave,
                        q.code,
                        n.n,
                        _num(n.score),
                        _num(n.low),
                        _num(n.high),
                        n.promoters,
                        n.passives,
                        n.detractors,
                    ]
                )
        for scale in result.scales:
            alpha, interval = scale.alpha, scale.interval
            scales.append(
                [
                    wave,
                    scale_name(scale.construct),
                    ", ".join(scale.items),
                    scale.n,
                    _num(scale.mean),
                    _num(interval.low if interval else None),
                    _num(interval.high if interval else None),
                    _num(scale.sd),
                    _num(alpha.alpha if alpha else None),
                    _num(alpha.ci_low if alpha else None),
                    _num(alpha.ci_high if alpha else None),
                ]
            )
    change = workbook.create_sheet(_("Start to end")[:31])
    change.append(
        [
            _("Scale"),
            _("Pairs"),
            _("Answered at the start"),
            _("Answered at the end"),
            _("Before"),
            _("After"),
            _("Difference"),
            _("Lower bound"),
            _("Upper bound"),
            "t",
            "df",
            "p",
            "d_z",
            "g_z",
            "Wilcoxon p",
        ]
    )
    for c in report.changes:
        if c.change is None:
            continue
        x = c.change
        change.append(
            [
                scale_name(c.construct),
                x.n_pairs,
                c.answered_start,
                c.answered_end,
                _num(x.mean_before),
                _num(x.mean_after),
                _num(x.mean_difference),
                _num(x.ci_low),
                _num(x.ci_high),
                _num(x.t),
                x.df,
                _num(x.p_value),
                _num(x.cohens_dz),
                _num(x.hedges_gz),
                _num(x.wilcoxon_p_value),
            ]
        )
    _retention_sheet(workbook.create_sheet(_("Retention")[:31]), report.retention)
    pairs = workbook.create_sheet(_("Pairs")[:31])
    activity = report.pairs
    for label, value in [
        (_("Pairs"), activity.pairs),
        (_("Still active"), activity.active),
        (_("Ended early"), activity.ended_early),
        (_("Mean match score"), _num(activity.mean_score)),
        (_("Pairs that have met"), activity.with_meeting),
        (_("Meetings held"), activity.meetings),
        (_("Goals"), activity.goals),
        (_("Goals reached"), activity.goals_reached),
        (_("Mean goal progress, per cent"), _num(activity.mean_progress)),
    ]:
        pairs.append([label, value])
    if report.comparisons:
        comparison = workbook.create_sheet(_("Comparison")[:31])
        comparison.append([_("Programme"), "NPS", "n", *map(scale_name, report.constructs)])
        for comp in report.comparisons:
            comparison.append(
                [
                    comp.programme.name,
                    _num(comp.nps.score) if comp.nps else None,
                    comp.nps.n if comp.nps else None,
                    *[
                        _num(comp.scales[c][1]) if c in comp.scales else None
                        for c in report.constructs
                    ],
                ]
            )
    _charts(items)
    if summary is not None:
        summary_sheet(workbook, summary)
    return xlsx_bytes(workbook)
