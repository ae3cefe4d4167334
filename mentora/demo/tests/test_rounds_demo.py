"""The demo shows real matches with explanations and pairs at work, some at risk."""

from __future__ import annotations

from mentora.demo.programmes import EXCHANGE, GRADUATE, find_programme
from mentora.demo.seed import seed_demo
from mentora.relationships.health import programme_health
from mentora.relationships.models import Meeting, Pair
from mentora.rounds.models import MatchingRound


def test_the_demo_has_a_published_round_and_one_waiting_for_review(db: None) -> None:
    organisation = seed_demo(people=200).organisation
    graduate = MatchingRound.objects.get(programme=find_programme(organisation, GRADUATE))
    exchange = MatchingRound.objects.get(programme=find_programme(organisation, EXCHANGE))
    assert graduate.status == "published" and exchange.status == "done"
    assert graduate.report["violations"] == exchange.report["violations"] == 0
    assert all(p.contributions for p in exchange.proposals.all())
    assert exchange.proposals.exists()
    assert Pair.objects.filter(programme=graduate.programme).count() == graduate.proposals.count()


def test_the_demo_pairs_include_healthy_ones_and_some_at_risk(db: None) -> None:
    organisation = seed_demo(people=200).organisation
    lights = {h.light for h in programme_health(find_programme(organisation, GRADUATE))}
    assert "green" in lights and lights & {"amber", "red"}
    assert Meeting.objects.exclude(notes="").exists()


def test_seeding_the_demo_twice_leaves_rounds_and_pairs_as_they_were(db: None) -> None:
    seed_demo(people=200)
    before = (MatchingRound.objects.count(), Pair.objects.count(), Meeting.objects.count())
    seed_demo(people=200)
    assert (MatchingRound.objects.count(), Pair.objects.count(), Meeting.objects.count()) == before
