from __future__ import annotations

from typing import Any

from mentora.demo.surveys import seed_surveys
from mentora.people.models import Person
from mentora.reports.aggregates import build_report
from mentora.surveys.models import Answer, Response


def test_the_demo_programme_has_a_full_report_and_seeding_twice_changes_nothing(
    personas: Any, client_for: Any
) -> None:
    programme = seed_surveys(organisation=personas.organisation)
    counts = (Response.objects.count(), Answer.objects.count(), Person.objects.count())
    assert seed_surveys(organisation=personas.organisation) == programme
    assert (Response.objects.count(), Answer.objects.count(), Person.objects.count()) == counts
    report = build_report(programme)
    assert all(any(i.distribution for i in s.items) for s in report.surveys)
    assert any(c.change is not None for c in report.changes)
    assert report.retention.logrank is not None
    assert report.pairs.pairs == 30
    page = client_for(personas.sponsor).get(f"/programmes/{programme.pk}/report/")
    assert page.status_code == 200 and b"Log-rank" in page.content
