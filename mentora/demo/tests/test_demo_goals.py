"""The finished demo programme's goals: measured, one primary, and verdicts that add up."""

from __future__ import annotations

from collections import Counter

import pytest
from django.utils import timezone

from mentora.demo.programmes import EVALUATED
from mentora.demo.seed import seed_demo
from mentora.programmes.models import Programme
from mentora.relationships.models import Meeting, Pair
from mentora.reports.aggregates import build_report
from mentora.reports.summary import Verdict, summarise


@pytest.mark.django_db
def test_the_evaluated_programme_reports_each_goal_against_its_target() -> None:
    organisation = seed_demo(people=200).organisation
    programme = Programme.objects.get(organisation=organisation, name__startswith=EVALUATED)
    summary = summarise(build_report(programme))
    assert [line.role for line in summary.lines] == ["primary"] + ["exploratory"] * 3
    assert [line.verdict for line in summary.lines] == [
        Verdict.MET,
        Verdict.NOT_MET,
        Verdict.MET,
        Verdict.MET,
    ]
    # Pairs that met eight times or more, counted here from the meetings themselves.
    held = Counter(
        Meeting.objects.filter(
            pair__programme=programme, cancelled_at__isnull=True, starts_at__lte=timezone.now()
        ).values_list("pair_id", flat=True)
    )
    pairs = Pair.objects.filter(programme=programme).values_list("pk", flat=True)
    share = 100 * sum(1 for pk in pairs if held[pk] >= 8) / len(pairs)
    met_eight_times = summary.lines[3].result
    assert met_eight_times is not None and met_eight_times.estimate == pytest.approx(share)
    for line in summary.lines:
        assert line.result is not None and line.goal.target is not None
        assert line.result.low is not None and line.result.high is not None
        assert line.result.low <= line.result.estimate <= line.result.high
        assert (line.result.estimate >= float(line.goal.target)) is (line.verdict == Verdict.MET)
