"""What the review screen says about a round and a pair is true and says it once."""

from __future__ import annotations

import json
from typing import Any

from django.urls import reverse

from mentora.core.bulk_insert import EncodedJSON
from mentora.matching.model import Contribution
from mentora.rounds.explain import explanation
from mentora.rounds.models import MatchingRound
from mentora.rounds.problem import ContributionsEncoder, contributions_as_json
from mentora.rounds.quality import round_quality
from mentora.rounds.services import choices
from mentora.rounds.tests.conftest import run_round


def run(cohort: Any, mode: str = "manager_publishes") -> MatchingRound:
    return run_round(cohort, mode)


def test_why_not_for_a_proposed_pair_says_they_are_proposed(client_for: Any, cohort: Any) -> None:
    matching_round = run(cohort)
    proposal = matching_round.proposals.get(mentee=cohort.junior)
    page = (
        client_for(cohort.personas.manager)
        .get(
            reverse("round_why_not", args=[matching_round.pk]),
            {"mentee": cohort.junior.pk, "mentor": proposal.mentor_id},
        )
        .content.decode()
    )
    assert "are proposed together in this round" in page
    assert "the round as a whole scores higher" not in page
    assert "is not matched" not in page


def test_why_not_in_a_suggestion_round_says_the_mentor_was_suggested(
    client_for: Any, cohort: Any
) -> None:
    matching_round = run(cohort, "mentee_chooses")
    page = (
        client_for(cohort.personas.manager)
        .get(
            reverse("round_why_not", args=[matching_round.pk]),
            {"mentee": cohort.junior.pk, "mentor": cohort.mo.pk},
        )
        .content.decode()
    )
    assert "is among the mentors suggested to" in page
    assert "is not matched" not in page


def test_a_suggestion_round_counts_its_mentees_and_their_suggestions(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    quality = round_quality(matching_round, include_gender=False)
    assert (quality.mentees, quality.suggested, quality.matched) == (2, 2, 0)


def test_the_review_screen_of_a_suggestion_round_shows_who_has_suggestions(
    client_for: Any, cohort: Any
) -> None:
    matching_round = run(cohort, "mentee_chooses")
    page = (
        client_for(cohort.personas.manager)
        .get(reverse("round_detail", args=[matching_round.pk]))
        .content.decode()
    )
    assert "0 / 0" not in page
    assert "2 of 2 mentees have suggestions" in page


def test_mentees_who_ranked_their_suggestions_count_as_stating_preferences(
    client_for: Any, cohort: Any
) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    eva_mentors = [s.mentor_id for s in matching_round.suggestions.filter(mentee=cohort.eva)]
    choices.mentee_rank(
        matching_round=matching_round, mentee=cohort.eva, mentor_ids=eva_mentors, actor=None
    )
    choosing = round_quality(matching_round, include_gender=False)
    assert choosing.chosen == 1
    choices.round_resolve_choices(matching_round=matching_round, actor=cohort.personas.manager)
    settled = round_quality(matching_round, include_gender=False)
    assert (settled.mentees, settled.matched) == (2, 2)
    # Eva ranked and got her first choice; Jo named Mo in the questionnaire and got him.
    assert settled.first_choice_share == 1.0
    page = (
        client_for(cohort.personas.manager)
        .get(reverse("round_detail", args=[matching_round.pk]))
        .content.decode()
    )
    assert "No mentee stated preferences" not in page


def test_a_mentees_choice_is_given_once_in_the_explanation(cohort: Any) -> None:
    matching_round = run(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    # Jo named Mo in the questionnaire and now ranks him first as well.
    choices.mentee_rank(
        matching_round=matching_round, mentee=cohort.junior, mentor_ids=[cohort.mo.pk], actor=None
    )
    choices.round_resolve_choices(matching_round=matching_round, actor=cohort.personas.manager)
    proposal = matching_round.proposals.get(mentee=cohort.junior)
    criteria = [c["criterion"] for c in proposal.contributions]
    assert criteria.count("mentee_preference") == 1
    text = explanation(proposal.contributions, limit=6)
    assert text.count("the mentee's choice") == 1


def test_an_explanation_never_repeats_a_reason() -> None:
    twice = [
        {"criterion": "themes", "points": 5.0, "detail": {"themes": ["sales"]}},
        {"criterion": "mentee_preference", "points": 0.0, "detail": {"rank": 1}},
        {"criterion": "mentee_preference", "points": 20.0, "detail": {"rank": 1}},
        {"criterion": "different_department", "points": 1.0, "detail": {}},
    ]
    assert explanation(twice) == (
        "shares themes: sales; the mentee's choice no. 1; different departments"
    )


def test_contributions_encoded_once_each_read_as_encoding_each_pair_on_its_own() -> None:
    shared = Contribution("themes", 2.0, {"themes": ["leadership", "data"]}, "shares themes")
    pairs = [
        (shared, Contribution("progression", 1.0, {"levels": 1}, "mentor is 1 level above")),
        # Equal to the first by value, but a float: its JSON differs, so it is its own.
        (Contribution("progression", 1.0, {"levels": 1.0}, "mentor is 1 level above"),),
        (Contribution("themes", 2.0, {"themes": ["leadership", "data"]}, "shares themes"),),
        # A detail that cannot be a key is encoded on its own, every time.
        (Contribution("goals", 0.5, {"bits": {"a": 1}}, "similar goals"),) * 2,
        (),
    ]
    encoded = ContributionsEncoder()
    for contributions in pairs:
        text = encoded(contributions)
        assert isinstance(text, EncodedJSON)
        assert text == json.dumps(contributions_as_json(contributions))
        assert json.loads(text) == contributions_as_json(contributions)
    assert '"levels": 1}' in encoded(pairs[0]) and '"levels": 1.0}' in encoded(pairs[1])
