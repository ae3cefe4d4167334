# Long, at about 650 lines: every kind of published figure becomes its constraints here, and
# the model of what an attacker knows is only checkable as a whole.
"""An attacker with an exact solver, for the disclosure-control tests.

The attacker knows everything but the answers: who answered each survey, in which role,
which questions each person left blank, how start and end answers link, and the rules of
docs/evaluation.md by which each published figure picks its respondents. Every answer is
an unknown integer (a one-hot choice among its possible values), and every published
figure becomes a constraint: counts, sums (a mean times its n), sums of squares (from a
standard deviation), Cronbach's alpha, the paired means and the spread of the paired
differences, NPS categories and choice counts. Where a signed-rank p is published, the
attacker is told the whole multiset of the paired differences, which fixes that p and more.
The workbook gives figures to ten decimals, so they are taken as exact. Confidence
intervals (of means, alpha, NPS and the paired change) and benchmark percentiles add no
constraint of their own: each is a function of figures already read (n, mean and sd;
alpha, n and the item count; the NPS counts; the share favourable among other
programmes' published shares).

A value is *pinned* when no assignment that satisfies every constraint gives it another
value: then it is disclosed. The attacker asks OR-Tools CP-SAT, for each respondent's
answer and for the total of every group of one to four people (a small role, or the
difference between two published respondent sets), whether another value is possible.
Each solution found clears every check it already differs on, so few solves are needed.

(Longer than our modules usually are: the model, its reading of every download and the
attack must agree on each figure's respondents, so they are kept in one place.)
"""

from __future__ import annotations

import io
import json
import random
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from openpyxl import load_workbook
from ortools.sat.python import cp_model

from mentora.programmes.models import Programme
from mentora.surveys.builtin_instruments import scale_name
from mentora.surveys.models import (
    Answer,
    Audience,
    Invitation,
    Question,
    QuestionKind,
    Response,
    Survey,
)

MINIMUM = 5
Expr = Any


@dataclass
class Downloads:
    """Everything one reader downloaded: workbook, benchmark export, page and survey list."""

    workbook: bytes
    benchmark: dict[str, Any]
    report: Any  # the Report the HTML page and the PDF render
    survey_rows: list[tuple[Survey, list[dict[str, Any]]]]


def download(client: Any, programme: Programme) -> Downloads:
    base = f"/programmes/{programme.pk}"
    page = client.get(f"{base}/report/")
    surveys = client.get(f"{base}/surveys/")
    workbook = client.get(f"{base}/report.xlsx")
    benchmark = client.get(f"{base}/report/benchmark.json")
    for response in (page, surveys, workbook, benchmark):
        assert response.status_code == 200
    return Downloads(
        workbook=workbook.content,
        benchmark=json.loads(benchmark.content),
        report=page.context["report"],
        survey_rows=list(surveys.context["rows"]),
    )


def _close(value: float, tolerance: float = 1e-4) -> int:
    whole = round(value)
    assert abs(value - whole) < tolerance, f"{value} is not a whole number: the model is off"
    return int(whole)


@dataclass
class Attacker:
    programme: Programme
    model: cp_model.CpModel = field(default_factory=cp_model.CpModel)
    figures: int = 0

    def __post_init__(self) -> None:
        self.surveys = list(
            Survey.objects.filter(programme=self.programme)
            .select_related("instrument")
            .order_by("opens_at", "pk")
        )
        self.questions = {
            s.pk: list(s.instrument.questions.order_by("position", "pk")) for s in self.surveys
        }
        self.responses: dict[int, list[Response]] = defaultdict(list)
        for response in Response.objects.filter(survey__in=self.surveys).order_by("pk"):
            self.responses[response.survey_id].append(response)
        self.truth: dict[tuple[int, int], Any] = {}
        for answer in Answer.objects.filter(response__survey__in=self.surveys):
            q = answer.question
            if q.kind in (QuestionKind.SCALE, QuestionKind.NPS):
                self.truth[(answer.response_id, q.pk)] = answer.number
            elif q.kind == QuestionKind.SINGLE:
                self.truth[(answer.response_id, q.pk)] = answer.choices[0]
            elif q.kind == QuestionKind.MULTIPLE:
                self.truth[(answer.response_id, q.pk)] = frozenset(answer.choices)
        self.onehot: dict[tuple[int, int], dict[Any, Any]] = {}
        for (response_id, question_id), _value in self.truth.items():
            q = Question.objects.get(pk=question_id)
            options: list[Any] = (
                list(range(1, 6))
                if q.kind == QuestionKind.SCALE
                else list(range(11))
                if q.kind == QuestionKind.NPS
                else [c["value"] for c in q.choices]
            )
            bits = {o: self.model.new_bool_var(f"r{response_id}q{q.pk}={o}") for o in options}
            if q.kind == QuestionKind.MULTIPLE:
                self.model.add_bool_or(bits.values())  # the form needs one choice at least
            else:
                self.model.add_exactly_one(bits.values())
            self.onehot[(response_id, question_id)] = bits
        self.kind = {q.pk: q.kind for qs in self.questions.values() for q in qs}
        self.published_sets: dict[int, set[frozenset[int]]] = defaultdict(set)
        self._onehots: dict[str, dict[int, Any]] = {}
        self.signed_ranks = 0  # paired tables whose signed-rank p was read
        self.distributions: set[tuple[int, int]] = set()

    # --- the unknowns -----------------------------------------------------------------------

    def value(self, response_id: int, question_id: int) -> Expr:
        return sum(o * b for o, b in self.onehot[(response_id, question_id)].items())

    def square(self, response_id: int, question_id: int) -> Expr:
        return sum(o * o * b for o, b in self.onehot[(response_id, question_id)].items())

    def answered(self, response_id: int, question: Question) -> bool:
        return (response_id, question.pk) in self.truth

    def items(self, survey: Survey, construct: str) -> list[Question]:
        return [q for q in self.questions[survey.pk] if q.construct == construct]

    def rowsum(self, response_id: int, items: list[Question]) -> Expr:
        return sum(self.value(response_id, q.pk) for q in items)

    def _onehot(self, name: str, expr: Expr, low: int, high: int) -> dict[int, Any]:
        """A one-hot of expr's possible values, made once per name."""
        if name not in self._onehots:
            bits = {v: self.model.new_bool_var(f"{name}={v}") for v in range(low, high + 1)}
            self.model.add_exactly_one(bits.values())
            self.model.add(sum(v * b for v, b in bits.items()) == expr)
            self._onehots[name] = bits
        return self._onehots[name]

    def _onehot_square(self, name: str, expr: Expr, low: int, high: int) -> Expr:
        """expr squared, as a linear expression over a one-hot of expr's possible values."""
        return sum(v * v * b for v, b in self._onehot(name, expr, low, high).items())

    def _true_rowsum(self, response_id: int, items: list[Question]) -> int:
        return sum(int(self.truth[(response_id, q.pk)]) for q in items)

    # --- respondent sets, by the published rules --------------------------------------------

    def survey_by_wave(self, label: str, *, display: bool = True) -> Survey:
        found = [s for s in self.surveys if (s.get_wave_display() if display else s.wave) == label]
        assert found, label
        return found[-1]

    def scale_set(self, survey: Survey, construct: str) -> list[int]:
        items = self.items(survey, construct)
        return [
            r.pk for r in self.responses[survey.pk] if all(self.answered(r.pk, q) for q in items)
        ]

    def item_set(self, survey: Survey, question: Question) -> list[int]:
        if question.kind == QuestionKind.SCALE and question.construct:
            return self.scale_set(survey, question.construct)
        return [r.pk for r in self.responses[survey.pk] if self.answered(r.pk, question)]

    def question(self, survey: Survey, code: str) -> Question:
        return next(q for q in self.questions[survey.pk] if q.code == code)

    def _publish(self, survey: Survey, people: Iterable[int]) -> list[int]:
        people = list(people)
        self.published_sets[survey.pk].add(frozenset(people))
        self.figures += 1
        return people

    # --- constraints from figures -----------------------------------------------------------

    def item_counts(self, survey: Survey, q: Question, counts: dict[Any, int], n: int) -> None:
        people = self._publish(survey, self.item_set(survey, q))
        assert len(people) == n, (q.code, len(people), n)
        if len(counts) == len(self.onehot[(people[0], q.pk)]):
            # A whole distribution: every mean, spread and share of the item follows from it.
            self.distributions.add((survey.pk, q.pk))
        for option, count in counts.items():
            self.model.add(sum(self.onehot[(r, q.pk)][option] for r in people) == count)

    def item_moments(
        self, survey: Survey, q: Question, n: int, mean: float, sd: float | None
    ) -> None:
        people = self._publish(survey, self.item_set(survey, q))
        assert len(people) == n, (q.code, len(people), n)
        if (survey.pk, q.pk) in self.distributions:
            # Implied by the published distribution (checked, not added, to keep it fast).
            values = [self.truth[(r, q.pk)] for r in people]
            assert sum(values) == _close(mean * n)
            return
        self.model.add(sum(self.value(r, q.pk) for r in people) == _close(mean * n))
        if sd is not None:
            squares = _close((n - 1) * sd * sd + n * mean * mean)
            self.model.add(sum(self.square(r, q.pk) for r in people) == squares)

    def favourable(self, survey: Survey, q: Question, n: int, share: float) -> None:
        people = self._publish(survey, self.item_set(survey, q))
        if (survey.pk, q.pk) in self.distributions:
            return  # implied by the distribution
        agreeing = sum(self.onehot[(r, q.pk)][4] + self.onehot[(r, q.pk)][5] for r in people)
        self.model.add(agreeing == _close(share * n, 1e-3))

    def scale(
        self,
        survey: Survey,
        construct: str,
        n: int,
        mean: float,
        sd: float | None,
        alpha: float | None,
    ) -> None:
        items = self.items(survey, construct)
        k = len(items)
        people = self._publish(survey, self.scale_set(survey, construct))
        assert len(people) == n, (construct, len(people), n)
        self.model.add(sum(self.rowsum(r, items) for r in people) == _close(mean * n * k))
        if sd is None:
            return
        squares = [
            self._onehot_square(f"s{survey.pk}r{r}{construct}", self.rowsum(r, items), k, 5 * k)
            for r in people
        ]
        self.model.add(sum(squares) == _close(k * k * ((n - 1) * sd * sd + n * mean * mean)))
        if alpha is None or k < 2 or all((survey.pk, q.pk) in self.distributions for q in items):
            return  # with every item's distribution published, alpha follows from the spread
        # alpha = k/(k-1) (1 - sum of item variances / variance of the sums), so
        # sum over items of (n * sum of squares - sum squared) is published too.
        spread = n * (n - 1) * (1 - alpha * (k - 1) / k) * k * k * sd * sd
        terms = []
        for q in items:
            total = self.model.new_int_var(n, 5 * n, f"sum{survey.pk}q{q.pk}")
            self.model.add(total == sum(self.value(r, q.pk) for r in people))
            squared = self.model.new_int_var(n * n, 25 * n * n, f"sq{survey.pk}q{q.pk}")
            self.model.add_multiplication_equality(squared, [total, total])
            terms.append(n * sum(self.square(r, q.pk) for r in people) - squared)
        self.model.add(sum(terms) == _close(spread, 1e-3))

    def paired(
        self,
        start: Survey,
        end: Survey,
        construct: str,
        n: int,
        before: float,
        after: float,
        difference: float,
        dz: float | None,
        wilcoxon_p: float | None,
    ) -> None:
        first = {r.key: r.pk for r in self.responses[start.pk]}
        last = {r.key: r.pk for r in self.responses[end.pk]}
        in_start = set(self.scale_set(start, construct))
        in_end = set(self.scale_set(end, construct))
        keys = sorted(
            key for key in set(first) & set(last) if first[key] in in_start and last[key] in in_end
        )
        assert len(keys) == n, (construct, len(keys), n)
        self._publish(start, (first[key] for key in keys))
        self._publish(end, (last[key] for key in keys))
        items_start, items_end = self.items(start, construct), self.items(end, construct)
        k = len(items_start)
        self.model.add(
            sum(self.rowsum(first[key], items_start) for key in keys) == _close(before * n * k)
        )
        self.model.add(
            sum(self.rowsum(last[key], items_end) for key in keys) == _close(after * n * k)
        )
        differences = {
            key: self._onehot(
                f"d{start.pk}{key[:8]}{construct}",
                self.rowsum(last[key], items_end) - self.rowsum(first[key], items_start),
                -4 * k,
                4 * k,
            )
            for key in keys
        }
        if wilcoxon_p is not None:
            # The signed-rank p is a function of the differences' ranks, ties and signs,
            # all of which the multiset of the differences fixes. The attacker is told that
            # whole multiset (more than the p reveals), so finding nothing proves the p
            # discloses nothing either.
            truth = Counter(
                self._true_rowsum(last[key], items_end) - self._true_rowsum(first[key], items_start)
                for key in keys
            )
            for v in range(-4 * k, 4 * k + 1):
                self.model.add(sum(bits[v] for bits in differences.values()) == truth[v])
            self.signed_ranks += 1
        if not dz:
            return
        sd = difference / dz
        squares = [sum(v * v * b for v, b in bits.items()) for bits in differences.values()]
        spread = k * k * ((n - 1) * sd * sd + n * difference * difference)
        self.model.add(sum(squares) == _close(spread, 1e-3))

    def nps(self, survey: Survey, q: Question, n: int, counts: tuple[int, int, int]) -> None:
        people = self._publish(survey, self.item_set(survey, q))
        assert len(people) == n
        bands = ((9, 11), (7, 9), (0, 7))
        for (low, high), count in zip(bands, counts, strict=True):
            self.model.add(
                sum(self.onehot[(r, q.pk)][v] for r in people for v in range(low, high)) == count
            )

    # --- reading the downloads --------------------------------------------------------------

    def read(self, downloads: Downloads) -> None:
        workbook = load_workbook(io.BytesIO(downloads.workbook), read_only=True)
        sheets = {
            ws.title: [list(row) for row in ws.iter_rows(values_only=True)] for ws in workbook
        }
        for wave, code, _text, n, mean, sd, *rest in sheets["Items"][1:]:
            survey = self.survey_by_wave(wave)
            q = self.question(survey, code)
            self.item_counts(survey, q, dict(zip(range(1, 6), rest[:5], strict=True)), n)
            self.item_moments(survey, q, n, mean, sd)
            self.favourable(survey, q, n, rest[5])
        for wave, code, n, _score, _low, _high, promoters, passives, detractors in sheets["NPS"][
            1:
        ]:
            survey = self.survey_by_wave(wave)
            self.nps(survey, self.question(survey, code), n, (promoters, passives, detractors))
        for wave, _name, codes, n, mean, _low, _high, sd, alpha, *_alpha_bounds in sheets["Scales"][
            1:
        ]:
            survey = self.survey_by_wave(wave)
            construct = self.question(survey, codes.split(", ")[0]).construct
            self.scale(survey, construct, n, mean, sd, alpha)
        starts = [s for s in self.surveys if s.wave == "start"]
        ends = [s for s in self.surveys if s.wave == "end"]
        for row in sheets["Start to end"][1:]:
            name, n, _start, _end, before, after, difference, *_rest = row
            dz, wilcoxon_p = row[12], row[14]
            start, end = starts[-1], ends[-1]
            construct = next(
                q.construct for q in self.questions[start.pk] if scale_name(q.construct) == name
            )
            self.paired(start, end, construct, n, before, after, difference, dz, wilcoxon_p)
        if "Comparison" in sheets:
            header, *rows = sheets["Comparison"]
            for name, score, n, *means in rows:
                if name != self.programme.name:
                    continue
                end = ends[-1]
                if score is not None:
                    q = next(q for q in self.questions[end.pk] if q.kind == QuestionKind.NPS)
                    people = self._publish(end, self.item_set(end, q))
                    net = sum(self.onehot[(r, q.pk)][v] for r in people for v in (9, 10)) - sum(
                        self.onehot[(r, q.pk)][v] for r in people for v in range(7)
                    )
                    self.model.add(net == _close(score * n / 100))
                for label, mean in zip(header[3:], means, strict=True):
                    if mean is None:
                        continue
                    construct = next(
                        q.construct
                        for q in self.questions[end.pk]
                        if scale_name(q.construct) == label
                    )
                    items = self.items(end, construct)
                    people = self._publish(end, self.scale_set(end, construct))
                    total = sum(self.rowsum(r, items) for r in people)
                    self.model.add(total == _close(mean * len(people) * len(items)))
        for group in downloads.benchmark["groups"]:
            for item in group["items"]:
                survey = self.survey_by_wave(item["wave"], display=False)
                q = self.question(survey, item["code"])
                self.item_moments(survey, q, item["n"], item["mean"], None)
                self.favourable(survey, q, item["n"], item["favourable"])
        for result in downloads.report.surveys:
            for item in result.items:
                if not item.choices:
                    continue
                q = item.question
                people = self._publish(result.survey, self.item_set(result.survey, q))
                assert len(people) == item.n
                labels = dict(q.choice_labels())
                by_label = {labels[v]: v for v in labels}
                for label, count in item.choices:
                    if count is not None:
                        option = by_label[label]
                        self.model.add(sum(self.onehot[(r, q.pk)][option] for r in people) == count)

    # --- the attack -------------------------------------------------------------------------

    def _checks(self) -> list[Check]:
        checks: list[Check] = []
        for (response_id, question_id), truth in self.truth.items():
            bits = self.onehot[(response_id, question_id)]
            cells = [(response_id, question_id)]
            if isinstance(truth, frozenset):
                for option, bit in bits.items():
                    label = f"response {response_id} question {question_id} option {option}"
                    checks.append(Check(label, bit, int(option in truth), cells, {bit.index: 1}))
            else:
                label = f"response {response_id} question {question_id}"
                index = sum(i * b for i, b in enumerate(bits.values()))
                terms = {b.index: i for i, b in enumerate(bits.values())}
                checks.append(Check(label, index, list(bits).index(truth), cells, terms))
        for survey in self.surveys:
            for group in self._small_groups(survey):
                for q in self.questions[survey.pk]:
                    if self.kind[q.pk] not in (QuestionKind.SCALE, QuestionKind.NPS):
                        continue
                    members = [r for r in group if self.answered(r, q)]
                    if members:
                        checks.append(
                            Check(
                                f"group {sorted(group)} total of {q.code}",
                                sum(self.value(r, q.pk) for r in members),
                                sum(self.truth[(r, q.pk)] for r in members),
                                [(r, q.pk) for r in members],
                                self._terms((r, q.pk) for r in members),
                            )
                        )
                for construct in {q.construct for q in self.questions[survey.pk] if q.construct}:
                    items = self.items(survey, construct)
                    members = [r for r in group if all(self.answered(r, q) for q in items)]
                    if members:
                        checks.append(
                            Check(
                                f"group {sorted(group)} total of {construct}",
                                sum(self.rowsum(r, items) for r in members),
                                sum(self.truth[(r, q.pk)] for r in members for q in items),
                                [(r, q.pk) for r in members for q in items],
                                self._terms((r, q.pk) for r in members for q in items),
                            )
                        )
        return checks

    def _terms(self, cells: Iterable[tuple[int, int]]) -> dict[int, int]:
        """The coefficients of a sum of answers over their bits."""
        return {b.index: o for cell in cells for o, b in self.onehot[cell].items()}

    def _small_groups(self, survey: Survey) -> set[frozenset[int]]:
        """Groups of one to four people a reader could single out: a small role, or what
        lies between two published respondent sets of the survey."""
        groups: set[frozenset[int]] = set()
        by_role: dict[str, set[int]] = defaultdict(set)
        for r in self.responses[survey.pk]:
            by_role[r.role].add(r.pk)
        groups |= {frozenset(g) for g in by_role.values() if 1 <= len(g) < MINIMUM}
        sets = list(self.published_sets[survey.pk])
        for a in sets:
            for b in sets:
                difference = a - b
                if 1 <= len(difference) < MINIMUM and a & b:
                    groups.add(frozenset(difference))
        return groups

    def _solver(self) -> cp_model.CpSolver:
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.max_time_in_seconds = 60
        solver.parameters.random_seed = 1
        return solver

    def _true_bits(self) -> dict[int, int]:
        """{variable index: value} of every answer bit under the true answers."""
        bits = {}
        for (response_id, question_id), value in self.truth.items():
            for option, bit in self.onehot[(response_id, question_id)].items():
                hit = option in value if isinstance(value, frozenset) else option == value
                bits[bit.index] = int(hit)
        return bits

    def _components(self) -> dict[int, int]:
        """{variable index: component}: answers no published figure links are independent."""
        parent = list(range(len(self.model.proto.variables)))

        def root(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        for constraint in self.model.proto.constraints:
            indices = [abs(v) if v >= 0 else -v - 1 for v in _references(constraint)]
            for other in indices[1:]:
                parent[root(other)] = root(indices[0])
        return {i: root(i) for i in range(len(parent))}

    def _cells_bits(self, cells: Iterable[tuple[int, int]]) -> list[int]:
        return [bit.index for cell in cells for bit in self.onehot[cell].values()]

    def _swaps(self, truth: dict[int, int]) -> Iterable[dict[int, int]]:
        """The true answers with two people's answers exchanged, in every survey they both
        answered: solutions whenever the figures treat the two alike (each is checked)."""
        by_key: dict[str, dict[int, Response]] = defaultdict(dict)
        for responses in self.responses.values():
            for r in responses:
                by_key[r.key][r.survey_id] = r
        cells: dict[int, set[int]] = defaultdict(set)
        for response_id, question_id in self.truth:
            cells[response_id].add(question_id)
        keys = sorted(by_key)
        for i, a in enumerate(keys):
            for b in keys[i + 1 :]:
                if by_key[a].keys() != by_key[b].keys():
                    continue
                pairs = [(by_key[a][s], by_key[b][s]) for s in by_key[a]]
                if any(x.role != y.role or cells[x.pk] != cells[y.pk] for x, y in pairs):
                    continue
                candidate = dict(truth)
                for x, y in pairs:
                    for q in cells[x.pk]:
                        for bx, by in zip(
                            self.onehot[(x.pk, q)].values(),
                            self.onehot[(y.pk, q)].values(),
                            strict=True,
                        ):
                            candidate[bx.index], candidate[by.index] = (
                                truth[by.index],
                                truth[bx.index],
                            )
                yield candidate

    def leaks(self) -> list[str]:
        """What the figures pin down: values and small-group totals (empty when safe).

        Each check first looks for another value nearby: the check's people and a few
        others free, everyone else at their true answers (a solution found so is a real
        one). Only where that fails does it search the whole of the check's connected part
        of the model, the rest fixed at the truth (independent of it), which decides.
        """
        truth = self._true_bits()
        check = self.model.clone()
        for index, value in truth.items():
            _fix(check, index, value)
        # The true answers satisfy every published figure: the model is the report's.
        assert self._solver().solve(check) in (cp_model.OPTIMAL, cp_model.FEASIBLE)
        components = self._components()
        by_response: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for cell in self.truth:
            by_response[cell[0]].append(cell)
        survey_of = {r.pk: r.survey_id for rs in self.responses.values() for r in rs}
        rng = random.Random(1)
        pending = self._checks()
        for candidate in self._swaps(truth):
            if not any(c.differs(candidate) for c in pending):
                continue
            attempt = self.model.clone()
            for index, value in candidate.items():
                _fix(attempt, index, value)
            solver = self._solver()
            if solver.solve(attempt) in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                pending = [c for c in pending if solver.value(c.expr) == c.value]
        found: list[str] = []
        while pending:
            current = pending.pop()
            part = {components[i] for i in self._cells_bits(current.cells)}
            outside = {i: v for i, v in truth.items() if components[i] not in part}
            people = {r for r, _q in current.cells}
            neighbours = sorted(
                r for r in by_response if survey_of[r] in {survey_of[p] for p in people}
            )
            tries = [set(rng.sample(neighbours, min(len(neighbours), 6))) for _ in range(3)]
            solved = None
            for free in [*tries, None]:
                fixed = dict(outside)
                if free is not None:
                    for r in set(by_response) - people - free:
                        for i in self._cells_bits(by_response[r]):
                            fixed[i] = truth[i]
                attempt = self.model.clone()
                for index, value in fixed.items():
                    _fix(attempt, index, value)
                attempt.add(current.expr != current.value)
                solver = self._solver()
                status = solver.solve(attempt)
                if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                    solved = solver
                    break
                assert free is not None or status == cp_model.INFEASIBLE, (
                    f"undecided: {current.label}"
                )
            if solved is None:
                found.append(current.label)
                continue
            # This solution also clears every other check it gives another value.
            pending = [c for c in pending if solved.value(c.expr) == c.value]
        return found


def _references(constraint: Any) -> list[int]:
    refs = list(constraint.enforcement_literal)
    if constraint.has_linear():
        refs += list(constraint.linear.vars)
    elif constraint.has_bool_or():
        refs += list(constraint.bool_or.literals)
    elif constraint.has_exactly_one():
        refs += list(constraint.exactly_one.literals)
    elif constraint.has_int_prod():
        for expr in [*constraint.int_prod.exprs, constraint.int_prod.target]:
            refs += list(expr.vars)
    else:
        raise AssertionError(f"unexpected constraint {constraint}")
    return refs


def _fix(model: cp_model.CpModel, index: int, value: int) -> None:
    domain = model.proto.variables[index].domain
    domain[0] = domain[1] = value


@dataclass
class Check:
    """A value the attacker tries to pin: an answer, or the total of a small group."""

    label: str
    expr: Expr
    value: int
    cells: list[tuple[int, int]]
    # The check's value as a linear function of the answer bits, to evaluate quickly.
    terms: dict[int, int] = field(default_factory=dict)

    def differs(self, bits: dict[int, int]) -> bool:
        return sum(c * bits[i] for i, c in self.terms.items()) != self.value


def count_leaks(downloads: Downloads, programme: Programme) -> list[str]:
    """Whether the published counts pin the number of respondents of a hidden group."""
    found = []
    invited: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for survey_id, role in Invitation.objects.filter(survey__programme=programme).values_list(
        "survey_id", "role"
    ):
        invited[survey_id][role] += 1
    for result in downloads.report.surveys:
        survey = result.survey
        model = cp_model.CpModel()
        counts = {
            role: model.new_int_var(0, invited[survey.pk][role], role) for role in survey.roles
        }
        truth = {
            role: Response.objects.filter(survey=survey, role=role).count() for role in survey.roles
        }
        labels = {str(Audience(role).label): role for role in survey.roles}
        hidden: list[tuple[str, Expr, int]] = []
        for row in result.rates:
            role = labels.get(row.role)
            expr = counts[role] if role else sum(counts.values())
            value = truth[role] if role else sum(truth.values())
            if row.responded is None:
                hidden.append((f"{survey} {row.role}", expr, value))
            else:
                model.add(expr == row.responded)
        for listed, rows in downloads.survey_rows:
            if listed.pk == survey.pk:
                for row in rows:
                    if row["answered"] is not None:
                        model.add(counts[labels[str(row["role"])]] == row["answered"])
        for item in result.items:
            if item.n:
                asked = [r for r in survey.roles if r in item.question.audience]
                model.add(sum(counts[r] for r in asked) >= item.n)
        for label, expr, value in hidden:
            attempt = model.clone()
            attempt.add(expr != value)
            if cp_model.CpSolver().solve(attempt) == cp_model.INFEASIBLE:
                found.append(label)
    return found
