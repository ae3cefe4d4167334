"""The demo tells the truth: its invariants, checked on a freshly seeded demo.

Every expected figure is computed here from the database rows, independently of the code
that seeded them and of the code that reports on them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from mentora.accounts.models import Organisation
from mentora.core.demo import seed_demo
from mentora.programmes.models import (
    Participant,
    Programme,
    ProgrammeKind,
)
from mentora.relationships.models import Pair
from mentora.reports.aggregates import build_report
from mentora.rounds.models import MatchingRound
from mentora.surveys.models import Answer, Invitation, Response, Survey
from mentora.surveys.services import TAKING_PART


@pytest.fixture
def demo(db: None) -> Organisation:
    return seed_demo(people=200).organisation


def _programme(organisation: Organisation, title: str) -> Programme:
    return Programme.objects.get(organisation=organisation, name__startswith=title)


def _finished(organisation: Organisation) -> Programme:
    return _programme(organisation, "Graduate programme")


# --- people ------------------------------------------------------------------------------------


def test_every_participant_is_a_distinct_person_and_never_on_both_sides(demo: Organisation) -> None:
    for programme in Programme.objects.all():
        rows = list(programme.participants.values_list("person_id", "user_id", "role"))
        assert len({person for person, _user, _role in rows}) == len(rows), programme.name
        users = [user for _person, user, _role in rows if user is not None]
        assert len(set(users)) == len(users), programme.name
        mentors = {person for person, _user, role in rows if role == "mentor"}
        mentees = {person for person, _user, role in rows if role == "mentee"}
        if programme.kind != ProgrammeKind.PEER:
            assert not mentors & mentees, programme.name
    for pair in Pair.objects.select_related("mentee", "mentor"):
        assert pair.mentee.person_id != pair.mentor.person_id
        assert pair.mentee.role == "mentee" and pair.mentor.role == "mentor"
        assert pair.mentee.programme_id == pair.mentor.programme_id == pair.programme_id


def test_no_mentor_has_more_mentees_than_the_programme_or_they_allow(demo: Organisation) -> None:
    def limit(mentor: Participant) -> int:
        maximum = mentor.programme.max_mentees_per_mentor
        return min(maximum, int((mentor.profile or {}).get("capacity") or maximum))

    pairs = Counter(Pair.objects.values_list("mentor_id", flat=True))
    for mentor in Participant.objects.filter(pk__in=pairs).select_related("programme"):
        assert pairs[mentor.pk] <= limit(mentor), (mentor.programme.name, str(mentor))
    for matching_round in MatchingRound.objects.filter(status="done"):
        proposed = Counter(matching_round.proposals.values_list("mentor_id", flat=True))
        for mentor in Participant.objects.filter(pk__in=proposed).select_related("programme"):
            assert proposed[mentor.pk] <= limit(mentor), (mentor.programme.name, str(mentor))


# --- the finished programme's outcome report ---------------------------------------------------


def _alpha(matrix: np.ndarray) -> float:
    """Cronbach's alpha from its textbook formula, over complete rows."""
    items = matrix.shape[1]
    item_variances = matrix.var(axis=0, ddof=1).sum()
    total_variance = matrix.sum(axis=1).var(ddof=1)
    return float(items / (items - 1) * (1 - item_variances / total_variance))


def _scale_rows(survey: Survey) -> dict[str, dict[str, dict[str, int]]]:
    """{construct: {response key: {item code: answer}}} from the answer rows."""
    rows: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    answers = Answer.objects.filter(
        response__survey=survey, number__isnull=False, question__kind="scale_1_5"
    ).exclude(question__construct="")
    for construct, key, code, number in answers.values_list(
        "question__construct", "response__key", "question__code", "number"
    ):
        rows[construct][key][code] = number
    return rows


def test_the_finished_programmes_response_counts_add_up(demo: Organisation) -> None:
    programme = _finished(demo)
    report = build_report(programme)
    assert len(report.surveys) == 2
    for result in report.surveys:
        survey = result.survey
        *by_role, total = result.rates
        assert sum(r.invited for r in by_role) == total.invited
        assert total.invited == Invitation.objects.filter(survey=survey).count()
        assert sum(r.responded or 0 for r in by_role) == total.responded
        assert total.responded == Response.objects.filter(survey=survey).count()
        assert total.responded == survey.invitations.exclude(answered_at=None).count()
        for row, role in zip(by_role, survey.roles, strict=True):
            assert row.invited == Invitation.objects.filter(survey=survey, role=role).count()
            assert row.responded == Response.objects.filter(survey=survey, role=role).count()
            assert row.rate is not None and 0 < row.rate.estimate <= 1
        # One response per person: keys never collide.
        keys = list(Response.objects.filter(survey=survey).values_list("key", flat=True))
        assert len(set(keys)) == len(keys)


def test_the_finished_programmes_scales_are_reliable_and_change_plausibly(
    demo: Organisation,
) -> None:
    programme = _finished(demo)
    report = build_report(programme)
    shown = 0
    for result in report.surveys:
        rows = _scale_rows(result.survey)
        for scale in result.scales:
            if len(scale.items) < 2:
                continue
            complete = [
                [answers[code] for code in scale.items]
                for answers in rows[scale.construct].values()
                if all(code in answers for code in scale.items)
            ]
            matrix = np.array(complete, dtype=float)
            alpha = _alpha(matrix)
            assert scale.n == len(complete)
            assert scale.alpha is not None and scale.alpha.alpha == pytest.approx(alpha)
            assert 0.7 <= alpha < 0.95, (result.survey.wave, scale.construct, alpha)
            # Correlated like a real scale, not the same answer copied across items.
            assert (matrix.std(axis=1) > 0).mean() > 0.3, scale.construct
            shown += 1
    assert shown >= 5
    start, end = (Survey.objects.get(programme=programme, wave=w) for w in ("start", "end"))

    def scores(survey: Survey) -> dict[str, float]:
        return {
            k: float(np.mean(list(v.values())))
            for k, v in _scale_rows(survey)["career_confidence"].items()
            if len(v) == 3
        }

    before, after = scores(start), scores(end)
    both = sorted(set(before) & set(after))
    differences = [after[k] - before[k] for k in both]
    [change] = [c for c in report.changes if c.construct == "career_confidence"]
    assert change.change is not None and change.n_pairs == len(both) >= 15
    assert change.change.mean_difference == pytest.approx(float(np.mean(differences)))
    # A programme helps, but no scale jumps from "disagree" to "strongly agree".
    assert 0.2 <= float(np.mean(differences)) <= 1.0
    assert 0 < sum(d < 0 for d in differences) < len(differences) / 2


def test_the_finished_programmes_retention_adds_up(demo: Organisation) -> None:
    programme = _finished(demo)
    origin, today = programme.start_date, timezone.localdate()
    report = build_report(programme)
    retention = report.retention
    taking_part = Participant.objects.filter(programme=programme, status__in=TAKING_PART)
    followed: dict[str, set[Any]] = {}
    for role in ("mentee", "mentor"):
        followed[role] = {
            p.person
            for p in taking_part.filter(role=role).select_related("person")
            if p.person.hire_date <= origin
            and (p.person.leave_date is None or p.person.leave_date > origin)
        }
    everyone = followed["mentee"] | followed["mentor"]
    assert retention.participants.n == len(everyone) >= 50
    assert retention.comparison.n == len(everyone)
    assert sum(r.participants.n for r in retention.by_role) == retention.participants.n
    assert retention.participants.at_risk[0] == (0, len(everyone))
    for row, role in zip(retention.by_role, ("mentee", "mentor"), strict=True):
        assert row.participants.n == len(followed[role])
        leavers = sum(1 for p in followed[role] if p.leave_date and p.leave_date <= today)
        assert row.leavers is not None and row.leavers[0] == leavers
    assert retention.logrank is not None
