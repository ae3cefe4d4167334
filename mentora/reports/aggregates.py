"""Every figure of a programme's outcome report, computed from the data.

Pure aggregation: the statistics come from ``mentora.stats`` and every figure passes the
disclosure control of docs/evaluation.md first: a survey is published only once closed
(``mentora.surveys.disclosure``); within it the groups are the roles with invitees, and one
suppression pattern per survey decides which groups may be shown, so no two differently
suppressed tables of the same people can be subtracted from each other; a scale and its
items share one respondent set; a distribution too alike is hidden; paired change is hidden
when the unpaired are too few. Pages, charts, PDF, workbook, cohort comparisons and the
benchmark export all read the published figures built here, never the answers.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Avg, Count, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from mentora import stats as st
from mentora.programmes.models import Programme, ProgrammeGoal
from mentora.relationships.models import Agreement, Goal, Meeting, Pair
from mentora.reports.retention import Retention, retention
from mentora.stats.anonymity import TOTAL, Suppression, can_show, nested_sets_safe, too_alike
from mentora.surveys.disclosure import groups_asked, is_published, response_pattern
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
    choices: list[tuple[str, int | None]] | None = None
    percentile: float | None = None
    benchmark_programmes: int = 0
    # Shown n, but the answers fall (nearly) all in one category: nothing else is shown.
    too_alike: bool = False

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
    # The mean's t interval, over the same respondents as the mean and alpha.
    interval: st.MeanInterval | None = None
    # Each respondent's score by pseudonymous key, for pairing waves; never printed.
    scores: dict[str, float] = field(default_factory=dict, repr=False)


@dataclass
class SurveyResult:
    survey: Survey
    rates: list[RateRow]
    pattern: Suppression
    items: list[ItemResult]
    scales: list[ScaleResult]
    hidden_items: int
    # False while the survey is open: then only invited and answered counts are shown.
    published: bool = True


@dataclass
class ChangeResult:
    construct: str
    change: st.PairedChange | None
    n_pairs: int
    # Hidden because the unpaired people of a wave would be few enough to single out.
    overlap: bool = False
    # Attrition: how many the scale was published for at the start and at the end (both
    # already shown in each wave's scale table, so nothing new can be subtracted).
    answered_start: int = 0
    answered_end: int = 0


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
    # Each response's survey, key and role once, rather than again on each of its answers.
    responses = {
        pk: (survey_id, key, role)
        for pk, survey_id, key, role in Response.objects.filter(
            survey__programme=programme
        ).values_list("pk", "survey_id", "key", "role")
    }
    rows = Answer.objects.filter(
        response__survey__programme=programme, number__isnull=False
    ).values_list("response_id", "question_id", "number")
    by_survey: dict[int, list[tuple[int, str, str, int]]] = defaultdict(list)
    for response_id, question_id, number in rows.iterator(chunk_size=5000):
        if number is not None:
            survey_id, key, role = responses[response_id]
            by_survey[survey_id].append((question_id, key, role, number))
    return by_survey


def _visible(question: Question, groups: list[str], pattern: Suppression) -> bool:
    """Whether figures for a question may be shown under the survey's pattern.

    A question asked of every group of the survey is a figure about the total; one asked
    of some groups is about those groups, each of which must be shown.
    """
    asked = [r for r in groups if r in question.audience]
    if not asked:
        return False
    if set(asked) == set(groups):
        return pattern.shown(TOTAL)
    return all(pattern.shown(r) for r in asked)


def _rates(groups: list[str], invited: dict[str, int], pattern: Suppression) -> list[RateRow]:
    rows = []
    for role in [*groups, TOTAL]:
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


def _constructs(questions: list[Question]) -> dict[str, list[Question]]:
    by_construct: dict[str, list[Question]] = defaultdict(list)
    for q in questions:
        if q.kind == QuestionKind.SCALE and q.construct:
            by_construct[q.construct].append(q)
    return dict(by_construct)


def _complete(
    items: list[Question], numbers: dict[tuple[int, str], int], keys: list[str]
) -> list[str]:
    """The respondents who answered every item of a scale: the one respondent set of the
    scale's table and of its items' rows."""
    ids = [q.pk for q in items]  # read once: a model's pk is a property
    return [key for key in keys if all((i, key) in numbers for i in ids)]


def scale_scores(matrix: np.ndarray) -> np.ndarray:
    """Each complete respondent's scale score: the mean of their item answers."""
    if matrix.size == 0:
        return np.array([])
    complete = ~np.isnan(matrix).any(axis=1)
    return np.asarray(matrix[complete].mean(axis=1))


def _numeric_item(item: ItemResult, data: list[int]) -> None:
    """Fill a shown numeric item, unless its answers are too alike to show (keeps n)."""
    q = item.question
    if q.kind == QuestionKind.SCALE:
        distribution = st.item_distribution(data)
        if too_alike(distribution.counts, MINIMUM_GROUP):
            item.too_alike = True
            return
        item.distribution = distribution
        item.favourable = st.share_favourable(data, threshold=FAVOURABLE)
        return
    # The adjusted Wald interval keeps its width and coverage with few people and at +/-100.
    score = st.nps(data, method="adjusted_wald")
    if too_alike([score.promoters, score.passives, score.detractors], MINIMUM_GROUP):
        item.too_alike = True
        return
    item.nps = score


def _choice_item(item: ItemResult, picked: list[list[str]]) -> None:
    """Counts per choice: a single choice as one distribution, a multiple choice as one
    chosen/not chosen distribution per option (an option too alike prints no count)."""
    q = item.question
    counts = {value: 0 for value, _label in q.choice_labels()}
    for chosen in picked:
        for value in chosen:
            counts[value] = counts.get(value, 0) + 1
    labels = dict(q.choice_labels())
    if q.kind == QuestionKind.SINGLE:
        if too_alike(list(counts.values()), MINIMUM_GROUP):
            item.too_alike = True
            return
        item.choices = [(labels.get(v, v), c) for v, c in counts.items()]
        return
    item.choices = [
        (labels.get(v, v), None if too_alike([c, item.n - c], MINIMUM_GROUP) else c)
        for v, c in counts.items()
    ]


def survey_result(
    survey: Survey,
    answers: list[tuple[int, str, str, int]],
    respondents: dict[str, int],
    invited: dict[str, int],
    choice_answers: dict[int, list[list[str]]],
    *,
    now: dt.datetime | None = None,
) -> SurveyResult:
    """The published figures of one survey (docs/evaluation.md, "Disclosure control").

    ``choice_answers`` are this survey's own, by question.
    """
    groups = groups_asked(survey.roles, invited)
    pattern = response_pattern(groups, invited, respondents)
    rates = _rates(groups, invited, pattern)
    if not is_published(survey, now):
        return SurveyResult(survey, rates, pattern, [], [], 0, published=False)
    questions = list(survey.instrument.questions.all())
    numbers: dict[tuple[int, str], int] = {}
    keys: list[str] = []
    seen: set[str] = set()
    for question_id, key, _role, number in answers:
        numbers[(question_id, key)] = number
        if key not in seen:
            seen.add(key)
            keys.append(key)
    constructs = _constructs(questions)
    complete = {c: _complete(items, numbers, keys) for c, items in constructs.items()}
    items: list[ItemResult] = []
    hidden = 0
    for q in questions:
        if q.kind == QuestionKind.TEXT or not any(r in q.audience for r in groups):
            continue  # free text is never a figure; a question for nobody asked is none
        visible = _visible(q, groups, pattern)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = choice_answers.get(q.pk, [])
            item = ItemResult(q, len(picked))
            if visible and item.shown:
                _choice_item(item, picked)
            else:
                item.n, hidden = 0, hidden + 1
            items.append(item)
            continue
        # A scale's items are counted over the scale's respondents, so an item's figures
        # and the scale's never differ by a partial answer.
        among = complete[q.construct] if q.construct in complete else keys
        question_id = q.pk
        data = [numbers[(question_id, key)] for key in among if (question_id, key) in numbers]
        item = ItemResult(q, len(data))
        if visible and item.shown:
            _numeric_item(item, data)
        else:
            item.n, hidden = 0, hidden + 1
        items.append(item)
    scales = []
    for construct, scale_items in constructs.items():
        people = complete[construct]
        if not all(_visible(q, groups, pattern) for q in scale_items):
            continue
        if not can_show(len(people), MINIMUM_GROUP):
            continue
        ids = [q.pk for q in scale_items]
        matrix = np.array([[numbers[(i, key)] for i in ids] for key in people], dtype=float)
        sums = Counter(int(total) for total in matrix.sum(axis=1))
        if too_alike(list(sums.values()), MINIMUM_GROUP):
            continue
        scores = matrix.mean(axis=1)
        scales.append(
            ScaleResult(
                construct=construct,
                items=[q.code for q in scale_items],
                n=len(people),
                mean=float(scores.mean()),
                sd=float(scores.std(ddof=1)) if scores.size > 1 else None,
                alpha=st.cronbach_alpha(matrix),
                interval=st.scale_mean(matrix),
                favourable=st.share_favourable(scores, threshold=FAVOURABLE),
                scores=dict(zip(people, scores.tolist(), strict=True)),
            )
        )
    return SurveyResult(survey, rates, pattern, items, scales, hidden)


def paired_changes(results: list[SurveyResult]) -> list[ChangeResult]:
    """Change from the start to the end wave per published scale, over people in both.

    Only scales published in both waves take part, so only shown groups do. The paired
    figures are hidden when fewer than five people answered both, or when the people of a
    wave's scale who are not paired are between one and four (their total would be the
    scale's total minus the paired one).
    """
    start = [r for r in results if r.survey.wave == Wave.START and r.published]
    end = [r for r in results if r.survey.wave == Wave.END and r.published]
    if not start or not end:
        return []
    before = {s.construct: s for s in start[-1].scales}
    after = {s.construct: s for s in end[-1].scales}
    changes = []
    for construct in sorted(set(before) & set(after)):
        first, last = before[construct], after[construct]
        keys = sorted(set(first.scores) & set(last.scores))
        if not can_show(len(keys), MINIMUM_GROUP):
            changes.append(ChangeResult(construct, None, len(keys)))
            continue
        if not (
            nested_sets_safe(first.n, len(keys), MINIMUM_GROUP)
            and nested_sets_safe(last.n, len(keys), MINIMUM_GROUP)
        ):
            changes.append(ChangeResult(construct, None, len(keys), overlap=True))
            continue
        change = st.paired_change(
            [first.scores[k] for k in keys],
            [last.scores[k] for k in keys],
            items=len(first.items),
        )
        changes.append(
            ChangeResult(construct, change, len(keys), answered_start=first.n, answered_end=last.n)
        )
    return changes


# --- pairs and goals ---------------------------------------------------------------------------


def pair_activity(programme: Programme, now: dt.datetime | None = None) -> PairActivity:
    now = now or timezone.now()
    pairs = Pair.objects.filter(programme=programme)
    ends = programme.end_date
    ended_early = pairs.filter(ended_at__isnull=False)
    if ends is not None:
        ended_early = ended_early.filter(ended_at__date__lt=ends)
    elif programme.rolling:
        # A rolling programme never ends; each pair's agreement sets its own formal end,
        # and a pair ended early if it ended before that day (or before agreeing one).
        agreed_end = Agreement.objects.filter(pair=OuterRef("pk")).order_by("-version")
        ended_early = ended_early.annotate(
            agreed_end=Subquery(agreed_end.values("end_date")[:1])
        ).filter(Q(agreed_end__isnull=True) | Q(ended_at__date__lt=F("agreed_end")))
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


def _choice_answers(programme: Programme) -> dict[int, dict[int, list[list[str]]]]:
    """{survey id: {question id: [choices, ...]}}: an instrument may serve several surveys."""
    rows = Answer.objects.filter(
        response__survey__programme=programme,
        question__kind__in=[QuestionKind.SINGLE, QuestionKind.MULTIPLE],
    ).values_list("response__survey_id", "question_id", "choices")
    result: dict[int, dict[int, list[list[str]]]] = defaultdict(lambda: defaultdict(list))
    for survey_id, question_id, choices in rows:
        if choices:
            result[survey_id][question_id].append(list(choices))
    return result


def published_surveys(
    programme: Programme, *, wave: str | None = None, now: dt.datetime | None = None
) -> list[SurveyResult]:
    """The published figures of every survey of a programme (of one wave if given): the
    one source of every page, chart, PDF, workbook, comparison and benchmark export."""
    query = (
        Survey.objects.filter(programme=programme)
        .select_related("instrument")
        .prefetch_related("instrument__questions")
        .order_by("opens_at", "pk")
    )
    surveys = list(query if wave is None else query.filter(wave=wave))
    if not surveys:
        return []
    answers = _answers(programme)
    respondents = _counts(Response, programme)
    invited = _counts(Invitation, programme)
    choice_answers = _choice_answers(programme)
    return [
        survey_result(
            survey,
            answers.get(survey.pk, []),
            respondents.get(survey.pk, {}),
            invited.get(survey.pk, {}),
            choice_answers.get(survey.pk, {}),
            now=now,
        )
        for survey in surveys
    ]


def _summary(programme: Programme, results: list[SurveyResult]) -> Comparison:
    """NPS and scale means of the programme's last published end-wave survey."""
    ends = [r for r in results if r.survey.wave == Wave.END and r.published]
    if not ends:
        return Comparison(programme, False, None, {})
    last = ends[-1]
    scales = {s.construct: (s.n, s.mean) for s in last.scales if s.mean is not None}
    nps_result = next((i.nps for i in last.items if i.nps is not None), None)
    return Comparison(programme, False, nps_result, scales)


def programme_summary(programme: Programme) -> Comparison:
    """NPS and end-wave scale means of one programme, for comparing cohorts."""
    return _summary(programme, published_surveys(programme, wave=Wave.END))


def build_report(programme: Programme, *, compare_with: list[Programme] | None = None) -> Report:
    results = published_surveys(programme)
    comparisons = []
    if compare_with:
        mine = _summary(programme, results)
        mine.is_this = True
        comparisons = [mine, *(programme_summary(other) for other in compare_with)]
    constructs = sorted({c for comp in comparisons for c in comp.scales})
    return Report(
        programme=programme,
        surveys=results,
        changes=paired_changes(results),
        retention=retention(programme),
        pairs=pair_activity(programme),
        goals=list(programme.goals.all()),
        comparisons=comparisons,
        constructs=constructs,
    )
