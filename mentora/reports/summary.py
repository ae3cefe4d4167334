"""The executive summary of an outcome report: each goal, its result, and whether it was met.

Read only from a built :class:`~mentora.reports.aggregates.Report`, never from the
database: every figure here has already passed the report's disclosure control, so the
summary cannot show what the report hides. One line per goal: the result with the
interval the statistics library gives (Wilson for shares, t for means, the Kaplan-Meier
band for retention, adjusted Wald for the NPS) and a verdict. The goal marked as the
primary outcome comes first; its test, if it has one, is confirmatory. Every other test of
the report (other scales, subgroups) is exploratory, and those are Holm-adjusted together.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mentora import stats as st
from mentora.programmes.models import GoalMeasure, ProgrammeGoal
from mentora.reports.aggregates import Report, SurveyResult
from mentora.stats.anonymity import can_show
from mentora.surveys.builtin_instruments import scale_name
from mentora.surveys.models import MINIMUM_GROUP, Wave

DAYS_PER_MONTH = 30.44
RETENTION_TEST = "retention"


class Verdict(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    TOO_EARLY = "too_early"
    TOO_FEW = "too_few"
    NOT_MEASURED = "not_measured"

    @property
    def label(self) -> str:
        return {
            Verdict.MET: _("met"),
            Verdict.NOT_MET: _("not met"),
            Verdict.TOO_EARLY: _("too early to tell"),
            Verdict.TOO_FEW: _("not enough answers to tell"),
            Verdict.NOT_MEASURED: _("not measured in Mentora"),
        }[self]


Unit = Literal["percent", "mean", "nps"]


@dataclass(frozen=True)
class Result:
    """A goal's figure in its own unit (per cent for shares) with its interval."""

    estimate: float
    low: float | None
    high: float | None
    n: int
    unit: Unit
    method: str

    @property
    def text(self) -> str:
        return _format(self)

    @property
    def unit_label(self) -> str:
        return {"percent": _("per cent"), "mean": _("mean on 1-5"), "nps": _("NPS points")}[
            self.unit
        ]


@dataclass(frozen=True)
class GoalLine:
    goal: ProgrammeGoal
    role: Literal["primary", "exploratory", "descriptive"]
    verdict: Verdict
    result: Result | None = None
    test: st.AdjustedTest | None = None

    @property
    def role_label(self) -> str:
        return {
            "primary": _("Primary outcome"),
            "exploratory": _("Exploratory"),
            "descriptive": _("Not measured"),
        }[self.role]

    @property
    def result_text(self) -> str:
        return "—" if self.result is None else self.result.text

    @property
    def sentence(self) -> str:
        """ "85% of graduates still with us after two years: 88% (80–93%), met"."""
        if self.result is None:
            return f"{self.goal.text}: {self.verdict.label}"
        return f"{self.goal.text}: {self.result_text}, {self.verdict.label}"


@dataclass(frozen=True)
class Summary:
    lines: list[GoalLine]
    tests: list[tuple[str, st.AdjustedTest]] = field(default_factory=list)

    @property
    def measured(self) -> int:
        return sum(1 for line in self.lines if line.goal.is_measured)

    @property
    def met(self) -> int:
        return sum(1 for line in self.lines if line.verdict == Verdict.MET)

    @property
    def primary(self) -> GoalLine | None:
        return next((line for line in self.lines if line.role == "primary"), None)


# --- formatting --------------------------------------------------------------------------------


def _number(value: float, places: int) -> str:
    return formats.number_format(round(value, places), places, use_l10n=True)


def _format(result: Result) -> str:
    if result.unit == "percent":
        value = _("%(value)s%%") % {"value": _number(result.estimate, 0)}
        if result.low is None or result.high is None:
            return value
        return _("%(value)s (%(low)s–%(high)s%%)") % {
            "value": value,
            "low": _number(result.low, 0),
            "high": _number(result.high, 0),
        }
    places = 1 if result.unit == "mean" else 0
    value = _number(result.estimate, places)
    if result.low is None or result.high is None:
        return value
    return _("%(value)s (%(low)s to %(high)s)") % {
        "value": value,
        "low": _number(result.low, places),
        "high": _number(result.high, places),
    }


def test_name(key: str) -> str:
    """The plain-language name of one of the report's tests."""
    if key == RETENTION_TEST:
        return _("Retention of participants against matched colleagues")
    kind, _sep, what = key.partition(":")
    if kind == "retention":
        return _("Retention of %(group)s against matched colleagues") % {"group": what.lower()}
    return _("Change in %(scale)s from the start to the end") % {"scale": scale_name(what)}


# --- the figures of each measure ---------------------------------------------------------------


def _end_survey(report: Report) -> SurveyResult | None:
    ends = [result for result in report.surveys if result.survey.wave == Wave.END]
    return ends[-1] if ends else None


def _proportion(share: st.Proportion | None, method: str) -> Result | None:
    if share is None or share.estimate is None or not can_show(share.n, MINIMUM_GROUP):
        return None
    low = None if share.low is None else 100 * share.low
    high = None if share.high is None else 100 * share.high
    return Result(100 * share.estimate, low, high, share.n, "percent", method)


def retention_at(report: Report, months: float, today: dt.date) -> Result | Verdict:
    """Participants still employed ``months`` after the start, with the Kaplan-Meier band."""
    origin = report.retention.origin
    horizon = float(months)
    if origin is None or (today - origin).days / DAYS_PER_MONTH < horizon:
        return Verdict.TOO_EARLY
    curve = report.retention.participants.curve
    if curve is None:
        return Verdict.TOO_FEW
    followed = [i for i, t in enumerate(curve.times) if t >= horizon]
    if not followed:
        return Verdict.TOO_EARLY
    # The curve is only shown while five or more people remain at risk; so is this figure.
    if curve.at_risk[followed[0]] < MINIMUM_GROUP:
        return Verdict.TOO_FEW
    at = max(i for i, t in enumerate(curve.times) if t <= horizon)
    return Result(
        100 * curve.survival[at],
        100 * curve.ci_low[at],
        100 * curve.ci_high[at],
        curve.n,
        "percent",
        "kaplan_meier",
    )


def _survey_figure(goal: ProgrammeGoal, report: Report, now: dt.datetime) -> Result | Verdict:
    end = _end_survey(report)
    if end is None or end.survey.closes_at > now:
        return Verdict.TOO_EARLY
    if goal.measure == GoalMeasure.RESPONSE_RATE:
        total = end.rates[-1].rate if end.rates else None
        return _proportion(total, "wilson") or Verdict.TOO_FEW
    if goal.measure == GoalMeasure.NPS:
        return _nps(end)
    scale = next((s for s in end.scales if s.construct == goal.construct), None)
    if scale is None:
        return Verdict.TOO_FEW
    if goal.measure == GoalMeasure.SCALE_FAVOURABLE:
        return _proportion(scale.favourable, "wilson") or Verdict.TOO_FEW
    if scale.mean is None or scale.interval is None:
        return Verdict.TOO_FEW
    return Result(scale.mean, scale.interval.low, scale.interval.high, scale.n, "mean", "t")


def _nps(end: SurveyResult) -> Result | Verdict:
    scores = [item.nps for item in end.items if item.nps is not None and item.shown]
    if not scores:
        return Verdict.TOO_FEW
    shown = scores[0]
    # The same published counts, with the interval that holds up in small groups.
    answers = [10] * shown.promoters + [7] * shown.passives + [0] * shown.detractors
    adjusted = st.nps(answers, method="adjusted_wald")
    if adjusted.score is None:
        return Verdict.TOO_FEW
    return Result(adjusted.score, adjusted.low, adjusted.high, adjusted.n, "nps", "adjusted_wald")


def end_nps(report: Report, now: dt.datetime) -> Result | Verdict:
    """The NPS of the closed end-wave survey, with the adjusted Wald interval."""
    end = _end_survey(report)
    if end is None or end.survey.closes_at > now:
        return Verdict.TOO_EARLY
    return _nps(end)


def _pair_figure(goal: ProgrammeGoal, report: Report, today: dt.date) -> Result | Verdict:
    pairs = report.pairs
    if goal.measure == GoalMeasure.PAIRS_MET:
        minimum = goal.min_meetings or 1
        n = len(pairs.meetings_per_pair)
        successes = sum(1 for m in pairs.meetings_per_pair if m >= minimum)
    else:
        n, successes = pairs.goals, pairs.goals_reached
    if not can_show(n, MINIMUM_GROUP):
        return Verdict.TOO_FEW
    low, high = st.wilson_interval(successes, n)
    result = Result(
        100 * successes / n,
        None if low is None else 100 * low,
        None if high is None else 100 * high,
        n,
        "percent",
        "wilson",
    )
    programme = report.programme
    # Meetings and reached goals only add up while pairs are at work: a shortfall before
    # the end is not yet a miss. A rolling programme has no end to wait for: it is judged
    # once it has run for twelve months.
    if programme.rolling:
        began = programme.began_on()
        waiting = began is None or today < began + dt.timedelta(days=365)
    else:
        waiting = programme.end_date is None or programme.end_date > today
    if waiting and not _meets(goal, result):
        return Verdict.TOO_EARLY
    return result


def _meets(goal: ProgrammeGoal, result: Result) -> bool:
    return goal.target is not None and result.estimate >= float(goal.target)


def goal_figure(goal: ProgrammeGoal, report: Report, now: dt.datetime) -> Result | Verdict:
    """The published figure that decides the goal, or why there is none yet."""
    today = timezone.localtime(now).date()
    if goal.measure == GoalMeasure.NONE:
        return Verdict.NOT_MEASURED
    if goal.measure == GoalMeasure.RETENTION:
        return retention_at(report, goal.horizon_months or 0, today)
    if goal.measure in (GoalMeasure.PAIRS_MET, GoalMeasure.PAIR_GOALS):
        return _pair_figure(goal, report, today)
    return _survey_figure(goal, report, now)


# --- tests and their adjustment ----------------------------------------------------------------


def report_tests(report: Report) -> dict[str, float | None]:
    """Every test the report shows, by key: retention overall and by role, change per scale."""
    tests: dict[str, float | None] = {}
    if report.retention.logrank is not None:
        tests[RETENTION_TEST] = report.retention.logrank.p_value
    for role in report.retention.by_role:
        if role.logrank is not None:
            tests[f"retention:{role.role}"] = role.logrank.p_value
    for change in report.changes:
        if change.change is not None:
            tests[f"change:{change.construct}"] = change.change.p_value
    return tests


def _test_key(goal: ProgrammeGoal) -> str | None:
    if goal.measure == GoalMeasure.RETENTION:
        return RETENTION_TEST
    if goal.measure in (GoalMeasure.SCALE_MEAN, GoalMeasure.SCALE_FAVOURABLE):
        return f"change:{goal.construct}"
    return None


def summarise(report: Report, *, now: dt.datetime | None = None) -> Summary:
    """One line per goal, the primary outcome first, and the report's tests, Holm-adjusted."""
    now = now or timezone.now()
    goals = sorted(report.goals, key=lambda g: (not g.primary, g.position, g.pk or 0))
    tests = report_tests(report)
    primary = next((g for g in goals if g.primary), None)
    primary_key = _test_key(primary) if primary is not None else None
    adjusted = st.adjust_for_multiplicity(
        tests, primary=primary_key if primary_key in tests else ()
    )
    lines = []
    for goal in goals:
        figure = goal_figure(goal, report, now)
        key = _test_key(goal)
        test = adjusted.get(key) if key else None
        role: Literal["primary", "exploratory", "descriptive"] = (
            "primary" if goal.primary else "exploratory" if goal.is_measured else "descriptive"
        )
        if isinstance(figure, Verdict):
            lines.append(GoalLine(goal, role, figure, None, test))
        else:
            verdict = Verdict.MET if _meets(goal, figure) else Verdict.NOT_MET
            lines.append(GoalLine(goal, role, verdict, figure, test))
    return Summary(lines, [(test_name(key), adjusted[key]) for key in tests])


# --- the XLSX sheet ----------------------------------------------------------------------------


def summary_sheet(workbook: Any, summary: Summary) -> None:
    """The summary as the workbook's first sheet, so it is what opens."""
    sheet = workbook.create_sheet(_("Summary")[:31], 0)
    sheet.append(
        [
            _("Goal"),
            _("Role"),
            _("Result"),
            _("Estimate"),
            _("Lower bound"),
            _("Upper bound"),
            _("Unit"),
            _("Target"),
            _("Verdict"),
            _("p-value"),
            _("Holm-adjusted p-value"),
        ]
    )
    for line in summary.lines:
        result, test = line.result, line.test
        sheet.append(
            [
                line.goal.text,
                line.role_label,
                line.result_text if result else None,
                _round(result.estimate) if result else None,
                _round(result.low) if result else None,
                _round(result.high) if result else None,
                result.unit_label if result else None,
                float(line.goal.target) if line.goal.target is not None else None,
                line.verdict.label,
                _round(test.p_value) if test else None,
                _round(test.adjusted_p_value) if test else None,
            ]
        )
    workbook.active = 0


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 6)
