"""Every figure of a programme's outcome report, computed from the data.

Pure aggregation: the statistics come from ``mentora.stats`` and every count
of respondents passes ``mentora.stats.anonymity`` first. Within one survey the groups are
the roles asked; one suppression pattern per survey decides, for every figure of that
survey, which groups may be shown, so no two differently suppressed tables of the same
people can be subtracted from each other.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora import stats as st
from mentora.programmes.models import Programme, ProgrammeGoal
from mentora.relationships.models import Goal, Meeting, Pair
from mentora.reports.retention import Retention, retention
from mentora.stats.anonymity import TOTAL, Suppression, can_show, suppress
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
    favourable: st.Proportion | None = None


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
    # Held meetings of each pair, for goals such as "every pair meets eight times".
    meetings_per_pair: tuple[int, ...] = ()


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
    goals: list[ProgrammeGoal]
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
                favourable=st.share_favourable(scores, threshold=FAVOURABLE),
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
    held_by_pair = dict(held.values_list("pair").annotate(n=Count("pk")).order_by())
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
        meetings_per_pair=tuple(
            sorted(held_by_pair.get(pk, 0) for pk in pairs.values_list("pk", flat=True))
        ),
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
        goals=list(programme.goals.all()),
        comparisons=comparisons,
        constructs=constructs,
    )
