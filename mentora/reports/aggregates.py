"""Every figure of a programme's outcome report, computed from the data.

Pure aggregation: the statistics come from ``mentora.surveys.statistics`` and every count
of respondents passes ``mentora.surveys.anonymity`` first. Within one survey the groups are
the roles asked; one suppression pattern per survey decides, for every figure of that
survey, which groups may be shown, so no two differently suppressed tables of the same
people can be subtracted from each other.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Avg, Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora.programmes.models import Participant, Programme
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.surveys import statistics as st
from mentora.surveys.anonymity import TOTAL, Suppression, can_show, suppress
from mentora.surveys.models import (
    MINIMUM_GROUP,
    Answer,
    Audience,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
    Wave,
)
from mentora.surveys.services import TAKING_PART

DAYS_PER_MONTH = 30.44
AT_RISK_MONTHS = (0, 6, 12, 18, 24, 30, 36)
FAVOURABLE = 4


@dataclass
class RateRow:
    role: str
    invited: int
    responded: int | None
    rate: st.Proportion | None


@dataclass
class ItemResult:
    question: Question
    n: int
    distribution: st.ItemDistribution | None = None
    favourable: st.Proportion | None = None
    nps: st.NetPromoterScore | None = None
    choices: list[tuple[str, int]] | None = None
    percentile: float | None = None
    benchmark_programmes: int = 0

    @property
    def shown(self) -> bool:
        return can_show(self.n, MINIMUM_GROUP)


@dataclass
class ScaleResult:
    construct: str
    items: list[str]
    n: int
    mean: float | None
    sd: float | None
    alpha: st.CronbachAlpha | None


@dataclass
class SurveyResult:
    survey: Survey
    rates: list[RateRow]
    pattern: Suppression
    items: list[ItemResult]
    scales: list[ScaleResult]
    hidden_items: int


@dataclass
class ChangeResult:
    construct: str
    change: st.PairedChange | None
    n_pairs: int


@dataclass
class RetentionGroup:
    label: str
    n: int
    curve: st.SurvivalCurve | None
    at_risk: list[tuple[int, int | None]]


@dataclass
class RoleRetention:
    """Mentees (or mentors) against their own matched colleagues."""

    role: str
    participants: RetentionGroup
    comparison: RetentionGroup
    leavers: tuple[int, int] | None
    logrank: st.LogRank | None


@dataclass
class Retention:
    participants: RetentionGroup
    comparison: RetentionGroup
    logrank: st.LogRank | None
    origin: dt.date | None
    reason: str | None
    by_role: list[RoleRetention] = field(default_factory=list)


@dataclass
class PairActivity:
    pairs: int
    active: int
    ended_early: int
    mean_score: float | None
    with_meeting: int
    meetings: int
    goals: int
    goals_reached: int
    mean_progress: float | None


@dataclass
class Comparison:
    programme: Programme
    is_this: bool
    nps: st.NetPromoterScore | None
    scales: dict[str, tuple[int, float]]


@dataclass
class Report:
    programme: Programme
    surveys: list[SurveyResult]
    changes: list[ChangeResult]
    retention: Retention
    pairs: PairActivity
    goals: list[str]
    comparisons: list[Comparison] = field(default_factory=list)
    constructs: list[str] = field(default_factory=list)


# --- answers -----------------------------------------------------------------------------------


def _answers(programme: Programme) -> dict[int, list[tuple[int, str, str, int]]]:
    """{survey id: [(question id, key, role, number), ...]} for numeric answers."""
    rows = Answer.objects.filter(
        response__survey__programme=programme, number__isnull=False
    ).values_list("response__survey_id", "question_id", "response__key", "response__role", "number")
    by_survey: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for survey_id, question_id, key, role, number in rows.iterator(chunk_size=5000):
        if number is not None:
            by_survey[survey_id].append((question_id, key, role, number))
    return by_survey


def _visible(question: Question, survey: Survey, pattern: Suppression) -> bool:
    """Whether figures for a question may be shown under the survey's pattern.

    A question asked of every group of the survey is a figure about the total; one asked
    of some groups is about those groups, each of which must be shown.
    """
    asked = [r for r in survey.roles if r in question.audience]
    if not asked:
        return False
    if set(asked) == set(survey.roles):
        return pattern.shown(TOTAL)
    return all(pattern.shown(r) for r in asked)


def _rates(survey: Survey, invited: dict[str, int], pattern: Suppression) -> list[RateRow]:
    rows = []
    for role in [*survey.roles, TOTAL]:
        responded = pattern.value(role)
        n_invited = invited.get(role, 0) if role is not TOTAL else sum(invited.values())
        label = str(Audience(role).label) if role is not TOTAL else str(_("All groups"))
        rate = (
            st.response_rate(n_invited, responded)
            if responded is not None and n_invited >= responded
            else None
        )
        rows.append(RateRow(label, n_invited, responded, rate))
    return rows


def _scales(
    questions: list[Question], numbers: dict[tuple[int, str], int], keys: list[str]
) -> dict[str, tuple[list[Question], np.ndarray]]:
    """{construct: (items, respondents x items matrix with nan for missing)}."""
    by_construct: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.kind == QuestionKind.SCALE and q.construct:
            by_construct[q.construct].append(q)
    result = {}
    for construct, items in by_construct.items():
        matrix = np.array(
            [[numbers.get((q.pk, key), np.nan) for q in items] for key in keys], dtype=float
        )
        answered = ~np.all(np.isnan(matrix), axis=1) if matrix.size else np.array([], bool)
        result[construct] = (items, matrix[answered] if matrix.size else matrix)
    return result


def scale_scores(matrix: np.ndarray) -> np.ndarray:
    """Each complete respondent's scale score: the mean of their item answers."""
    if matrix.size == 0:
        return np.array([])
    complete = ~np.isnan(matrix).any(axis=1)
    return np.asarray(matrix[complete].mean(axis=1))


def survey_result(
    survey: Survey,
    answers: list[tuple[int, str, str, int]],
    respondents: dict[str, int],
    invited: dict[str, int],
    choice_answers: dict[int, list[list[str]]],
) -> SurveyResult:
    pattern = suppress({role: respondents.get(role, 0) for role in survey.roles})
    questions = list(survey.instrument.questions.all())
    values: dict[int, list[int]] = defaultdict(list)
    numbers: dict[tuple[int, str], int] = {}
    keys: list[str] = []
    seen: set[str] = set()
    for question_id, key, _role, number in answers:
        values[question_id].append(number)
        numbers[(question_id, key)] = number
        if key not in seen:
            seen.add(key)
            keys.append(key)
    items: list[ItemResult] = []
    hidden = 0
    for q in questions:
        if q.kind == QuestionKind.TEXT:
            continue
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = choice_answers.get(q.pk, [])
            n = len(picked)
            item = ItemResult(q, n)
            if _visible(q, survey, pattern) and item.shown:
                counts = {value: 0 for value, _label in q.choice_labels()}
                for chosen in picked:
                    for value in chosen:
                        counts[value] = counts.get(value, 0) + 1
                labels = dict(q.choice_labels())
                item.choices = [(labels.get(v, v), c) for v, c in counts.items()]
            else:
                item.n, hidden = 0, hidden + 1
            items.append(item)
            continue
        data = values.get(q.pk, [])
        item = ItemResult(q, len(data))
        if not (_visible(q, survey, pattern) and item.shown):
            item.n = 0
            hidden += 1
            items.append(item)
            continue
        if q.kind == QuestionKind.SCALE:
            item.distribution = st.item_distribution(data)
            item.favourable = st.share_favourable(data, threshold=FAVOURABLE)
        else:
            item.nps = st.nps(data)
        items.append(item)
    scales = []
    for construct, (scale_items, matrix) in _scales(questions, numbers, keys).items():
        scores = scale_scores(matrix)
        visible = all(_visible(q, survey, pattern) for q in scale_items)
        if not visible or not can_show(int(scores.size), MINIMUM_GROUP):
            continue
        scales.append(
            ScaleResult(
                construct=construct,
                items=[q.code for q in scale_items],
                n=int(scores.size),
                mean=float(scores.mean()),
                sd=float(scores.std(ddof=1)) if scores.size > 1 else None,
                alpha=st.cronbach_alpha(matrix),
            )
        )
    return SurveyResult(survey, _rates(survey, invited, pattern), pattern, items, scales, hidden)


def _construct_scores(
    survey: Survey, answers: list[tuple[int, str, str, int]]
) -> dict[str, dict[str, float]]:
    """{construct: {key: score}} for complete respondents of one survey."""
    questions = [
        q for q in survey.instrument.questions.all() if q.kind == QuestionKind.SCALE and q.construct
    ]
    numbers = {(q, k): n for q, k, _r, n in answers}
    keys = sorted({k for _q, k, _r, _n in answers})
    result: dict[str, dict[str, float]] = defaultdict(dict)
    by_construct: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        by_construct[q.construct].append(q)
    for construct, items in by_construct.items():
        for key in keys:
            row = [numbers.get((q.pk, key)) for q in items]
            complete = [v for v in row if v is not None]
            if len(complete) == len(row):
                result[construct][key] = float(np.mean(complete))
    return result


def paired_changes(
    surveys: list[Survey], answers: dict[int, list[tuple[int, str, str, int]]]
) -> list[ChangeResult]:
    """Change from the start to the end wave per scale, over people who answered both."""
    start = [s for s in surveys if s.wave == Wave.START]
    end = [s for s in surveys if s.wave == Wave.END]
    if not start or not end:
        return []
    before = _construct_scores(start[-1], answers.get(start[-1].pk, []))
    after = _construct_scores(end[-1], answers.get(end[-1].pk, []))
    results = []
    for construct in sorted(set(before) & set(after)):
        keys = sorted(set(before[construct]) & set(after[construct]))
        if not can_show(len(keys), MINIMUM_GROUP):
            results.append(ChangeResult(construct, None, len(keys)))
            continue
        change = st.paired_change(
            [before[construct][k] for k in keys], [after[construct][k] for k in keys]
        )
        results.append(ChangeResult(construct, change, len(keys)))
    return results


# --- retention ---------------------------------------------------------------------------------


def _band(level: int | None) -> int | None:
    # Levels 1-3, 4-6, 7-9 ...: close enough in seniority to compare staying on.
    return None if level is None else (level - 1) // 3


def _duration(origin: dt.date, leave: dt.date | None, today: dt.date) -> tuple[float, bool]:
    if leave is not None and leave <= today:
        return max(0.0, (leave - origin).days / DAYS_PER_MONTH), True
    return max(0.0, (today - origin).days / DAYS_PER_MONTH), False


def matched_comparison(
    programme: Programme, origin: dt.date, roles: tuple[str, ...] = ("mentee", "mentor")
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Participants and, for each, the non-participant hired nearest in time at a similar level.

    Both groups must have been employed on the programme's start date. Rows are
    (person id, hire date, leave date). Matching is without replacement.
    """
    participant_people = list(
        Participant.objects.filter(programme=programme, role__in=roles, status__in=TAKING_PART)
        .filter(person__hire_date__isnull=False, person__hire_date__lte=origin)
        .filter(Q(person__leave_date__isnull=True) | Q(person__leave_date__gt=origin))
        .values_list("person_id", "person__hire_date", "person__leave_date", "person__level")
        .distinct()
    )
    taking_part = set(
        Participant.objects.filter(programme=programme).values_list("person_id", flat=True)
    )
    candidates = [
        row
        for row in programme.organisation.people.filter(
            hire_date__isnull=False, hire_date__lte=origin
        )
        .filter(Q(leave_date__isnull=True) | Q(leave_date__gt=origin))
        .values_list("pk", "hire_date", "leave_date", "level")
        if row[0] not in taking_part
    ]
    # Per level band, candidates sorted by hire date: the nearest is found by bisection and
    # removed once chosen, so matching stays fast for thousands of participants.
    pools: dict[int | None, list[tuple[int, int, Any]]] = defaultdict(list)
    for pk, hired, left, level in candidates:
        if hired is not None:  # filtered in the query; narrows the type
            pools[_band(level)].append((hired.toordinal(), pk, left))
    for pool in pools.values():
        pool.sort()
    participants, controls = [], []
    seen: set[int] = set()
    for person_id, hired, left, level in sorted(participant_people, key=lambda r: (r[1], r[0])):
        if person_id in seen:
            continue
        seen.add(person_id)
        participants.append((person_id, hired, left))
        band = pools.get(_band(level))
        if not band or hired is None:
            continue
        pool = band
        day = hired.toordinal()
        at = bisect.bisect_left(pool, (day, -1))
        options = [i for i in (at - 1, at) if 0 <= i < len(pool)]
        best = min(options, key=lambda i: (abs(pool[i][0] - day), pool[i][1]))
        chosen_day, chosen_pk, chosen_left = pool.pop(best)
        controls.append((chosen_pk, dt.date.fromordinal(chosen_day), chosen_left))
    return participants, controls


def _group(
    label: str, rows: list[tuple[Any, ...]], origin: dt.date, today: dt.date
) -> tuple[RetentionGroup, np.ndarray, np.ndarray]:
    durations = np.array([_duration(origin, r[2], today)[0] for r in rows], dtype=float)
    events = np.array([_duration(origin, r[2], today)[1] for r in rows], dtype=bool)
    if not can_show(len(rows), MINIMUM_GROUP):
        return RetentionGroup(label, len(rows), None, []), durations, events
    horizon = float(durations.max()) if durations.size else 0.0
    grid = [m for m in AT_RISK_MONTHS if m <= horizon]
    curve = st.kaplan_meier(durations, events)
    at_risk_curve = st.kaplan_meier(durations, events, timeline=grid) if grid else None
    at_risk = []
    if at_risk_curve is not None:
        for month, n in zip(grid, at_risk_curve.at_risk, strict=True):
            at_risk.append((month, n if can_show(n, MINIMUM_GROUP) else None))
    return RetentionGroup(label, len(rows), curve, at_risk), durations, events


def retention(programme: Programme, today: dt.date | None = None) -> Retention:
    today = today or timezone.localdate()
    origin = programme.start_date
    empty = RetentionGroup("", 0, None, [])
    if origin is None or origin >= today:
        return Retention(empty, empty, None, origin, "the programme has not started")
    participants, controls = matched_comparison(programme, origin)
    p_group, p_d, p_e = _group("participants", participants, origin, today)
    c_group, c_d, c_e = _group("comparison", controls, origin, today)
    test = None
    reason = None
    if p_group.curve is not None and c_group.curve is not None:
        test = st.logrank_test(p_d, p_e, c_d, c_e)
    else:
        reason = "fewer than five people in a group"
    by_role = []
    for role in ("mentee", "mentor"):
        mine, theirs = matched_comparison(programme, origin, (role,))
        r_group, r_d, r_e = _group(role, mine, origin, today)
        m_group, m_d, m_e = _group("comparison", theirs, origin, today)
        shown = r_group.curve is not None and m_group.curve is not None
        by_role.append(
            RoleRetention(
                role=str(Audience(role).label),
                participants=r_group,
                comparison=m_group,
                leavers=(int(r_e.sum()), int(m_e.sum())) if shown else None,
                logrank=st.logrank_test(r_d, r_e, m_d, m_e) if shown else None,
            )
        )
    return Retention(p_group, c_group, test, origin, reason, by_role)


def visible_curve(curve: st.SurvivalCurve) -> list[tuple[float, float]]:
    """The curve's points while at least five people are at risk (small tails identify)."""
    return [
        (t, s)
        for t, s, r in zip(curve.times, curve.survival, curve.at_risk, strict=True)
        if r >= MINIMUM_GROUP
    ]


# --- pairs and goals ---------------------------------------------------------------------------


def pair_activity(programme: Programme, now: dt.datetime | None = None) -> PairActivity:
    now = now or timezone.now()
    pairs = Pair.objects.filter(programme=programme)
    ends = programme.end_date
    ended_early = pairs.filter(ended_at__isnull=False)
    if ends is not None:
        ended_early = ended_early.filter(ended_at__date__lt=ends)
    held = Meeting.objects.filter(pair__programme=programme, cancelled_at__isnull=True).filter(
        starts_at__lte=now
    )
    goals = Goal.objects.filter(pair__programme=programme)
    goal_stats = goals.aggregate(n=Count("pk"), mean=Avg("progress"))
    return PairActivity(
        pairs=pairs.count(),
        active=pairs.filter(ended_at__isnull=True).count(),
        ended_early=ended_early.count(),
        mean_score=pairs.aggregate(m=Avg("score"))["m"],
        with_meeting=held.values("pair").distinct().count(),
        meetings=held.count(),
        goals=goal_stats["n"],
        goals_reached=goals.filter(progress__gte=100).count(),
        mean_progress=goal_stats["mean"],
    )


# --- the whole report --------------------------------------------------------------------------


def _counts(model: Any, programme: Programme, **filters: Any) -> dict[int, dict[str, int]]:
    rows = (
        model.objects.filter(survey__programme=programme, **filters)
        .values_list("survey_id", "role")
        .annotate(n=Count("pk"))
    )
    result: dict[int, dict[str, int]] = defaultdict(dict)
    for survey_id, role, n in rows:
        result[survey_id][role] = n
    return result


def _choice_answers(programme: Programme) -> dict[int, list[list[str]]]:
    rows = Answer.objects.filter(
        response__survey__programme=programme,
        question__kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE],
    ).values_list("question_id", "choices")
    result: dict[int, list[list[str]]] = defaultdict(list)
    for question_id, choices in rows:
        if choices:
            result[question_id].append(list(choices))
    return result


def programme_summary(programme: Programme) -> Comparison:
    """NPS and end-wave scale means of one programme, for comparing cohorts."""
    surveys = list(
        Survey.objects.filter(programme=programme)
        .filter(wave=Wave.END)
        .select_related("instrument")
        .prefetch_related("instrument__questions")
        .order_by("opens_at")
    )
    answers = _answers(programme) if surveys else {}
    scales: dict[str, tuple[int, float]] = {}
    nps_result = None
    if surveys:
        survey = surveys[-1]
        data = answers.get(survey.pk, [])
        respondents = _counts(Response, programme).get(survey.pk, {})
        pattern = suppress({role: respondents.get(role, 0) for role in survey.roles})
        for construct, scores in _construct_scores(survey, data).items():
            items = [q for q in survey.instrument.questions.all() if q.construct == construct]
            if can_show(len(scores), MINIMUM_GROUP) and all(
                _visible(q, survey, pattern) for q in items
            ):
                scales[construct] = (len(scores), float(np.mean(list(scores.values()))))
        nps_questions = {
            q.pk: q for q in survey.instrument.questions.all() if q.kind == QuestionKind.NPS
        }
        nps_values = [n for q, _k, _r, n in data if q in nps_questions]
        if nps_questions and can_show(len(nps_values), MINIMUM_GROUP):
            if _visible(next(iter(nps_questions.values())), survey, pattern):
                nps_result = st.nps(nps_values)
    return Comparison(programme, False, nps_result, scales)


def build_report(programme: Programme, *, compare_with: list[Programme] | None = None) -> Report:
    surveys = list(
        Survey.objects.filter(programme=programme)
        .select_related("instrument")
        .prefetch_related("instrument__questions")
        .order_by("opens_at", "pk")
    )
    answers = _answers(programme)
    respondents = _counts(Response, programme)
    invited = _counts(Invitation, programme)
    choice_answers = _choice_answers(programme)
    results = [
        survey_result(
            survey,
            answers.get(survey.pk, []),
            respondents.get(survey.pk, {}),
            invited.get(survey.pk, {}),
            choice_answers,
        )
        for survey in surveys
    ]
    comparisons = []
    if compare_with:
        for other in [programme, *compare_with]:
            summary = programme_summary(other)
            summary.is_this = other.pk == programme.pk
            comparisons.append(summary)
    constructs = sorted({c for comp in comparisons for c in comp.scales})
    return Report(
        programme=programme,
        surveys=results,
        changes=paired_changes(surveys, answers),
        retention=retention(programme),
        pairs=pair_activity(programme),
        goals=programme.goal_list(),
        comparisons=comparisons,
        constructs=constructs,
    )
