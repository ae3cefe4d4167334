"""The round review's people, filters and comparison, and the mentee's mentor cards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import MANAGERS_ONLY, PERSONAS
from mentora.accounts.models import Membership, Role, User
from mentora.people.models import Person
from mentora.programmes.models import ProgrammeOrganisation
from mentora.rounds.cards import language_name, whole_years
from mentora.rounds.models import MatchingRound, Proposal
from mentora.rounds.quality import quality_forget, round_quality, score_cuts
from mentora.rounds.services import choices
from mentora.rounds.services import proposals as proposals_services
from mentora.rounds.tests.conftest import Cohort, run_round


@pytest.fixture
def done(cohort: Cohort) -> MatchingRound:
    return run_round(cohort)


def proposals_table(client: Any, r: MatchingRound, params: dict[str, str]) -> str:
    response = client.get(reverse("round_detail", args=[r.pk]), params)
    assert response.status_code == 200
    return response.content.decode().split('id="proposals-heading"')[1].split("</table>")[0]


def shown(table: str, cohort: Cohort) -> set[str]:
    return {name for name in ("Jo Junior", "Eva Extra") if name in table}


def scores(r: MatchingRound, cohort: Cohort, *, jo: float, eva: float) -> None:
    Proposal.objects.filter(matching_round=r, mentee=cohort.junior).update(score=jo)
    Proposal.objects.filter(matching_round=r, mentee=cohort.eva).update(score=eva)
    # Written behind the services' back: the round's stored quality summary must be told.
    quality_forget(round_id=r.pk)


# --- score bands and figures ------------------------------------------------------------------


def test_the_bands_split_a_rounds_scores_into_thirds() -> None:
    cuts = score_cuts([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0])
    assert cuts is not None
    # The cuts are at 3 and 5; a score on a cut belongs to the band above it.
    assert [cuts.band(s) for s in (7.0, 5.0, 4.0, 3.0, 2.9, 1.0)] == [
        "strong",
        "strong",
        "good",
        "good",
        "weak",
        "weak",
    ]
    single = score_cuts([2.5])
    assert single is not None and single.band(2.5) == "strong"
    assert score_cuts([]) is None


def test_the_quality_gives_the_mean_and_median_score_and_the_unmatched(
    cohort: Cohort, done: MatchingRound
) -> None:
    scores(done, cohort, jo=30.0, eva=10.0)
    proposals_services.proposal_remove(
        proposal=done.proposals.get(mentee=cohort.eva), actor=cohort.personas.manager
    )
    quality = round_quality(done, include_gender=False)
    assert (quality.mean_score, quality.median_score, quality.unmatched) == (30.0, 30.0, 1)


def test_language_codes_read_as_names_and_years_are_whole() -> None:
    assert language_name("da") == "Danish"
    assert language_name("xx-unknown") == "xx-unknown"
    assert whole_years(dt.date(2020, 6, 2), dt.date(2026, 6, 1)) == 5
    assert whole_years(dt.date(2020, 6, 1), dt.date(2026, 6, 1)) == 6
    assert whole_years(dt.date(2030, 1, 1), dt.date(2026, 6, 1)) is None


# --- the review: people, filters ------------------------------------------------------------


def test_each_proposed_person_is_a_chip_with_who_they_are(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    Person.objects.filter(pk=cohort.mo.person_id).update(job_title="Chief engineer")
    table = proposals_table(client_for(cohort.personas.manager), done, {})
    mo_row = next(row for row in table.split("<tr>") if "Jo Junior" in row)
    assert '<span class="avatar" aria-hidden="true">JJ</span>' in mo_row
    assert '<span class="avatar" aria-hidden="true">MM</span>' in mo_row
    assert "Acme Energy · Field · Chief engineer" in mo_row
    assert 'data-label="Mentor"' in mo_row


def test_the_score_filter_keeps_the_pairs_of_that_band(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    scores(done, cohort, jo=30.0, eva=10.0)
    client = client_for(cohort.personas.manager)
    assert shown(proposals_table(client, done, {"band": "strong"}), cohort) == {"Jo Junior"}
    assert shown(proposals_table(client, done, {"band": "weak"}), cohort) == {"Eva Extra"}
    good = proposals_table(client, done, {"band": "good"})
    assert shown(good, cohort) == set() and "No proposed pair passes these filters." in good
    assert shown(proposals_table(client, done, {}), cohort) == {"Jo Junior", "Eva Extra"}


def test_the_reason_filter_keeps_the_pairs_it_applies_to(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)
    # Jo asked for Mo and has Mo; Eva stated no wish.
    assert shown(proposals_table(client, done, {"rule": "first_choice"}), cohort) == {"Jo Junior"}
    assert shown(proposals_table(client, done, {"rule": "wish_met"}), cohort) == {"Jo Junior"}
    assert shown(proposals_table(client, done, {"rule": "wish_missed"}), cohort) == set()
    Proposal.objects.filter(matching_round=done, mentee=cohort.eva).update(
        contributions=[{"criterion": "goals", "points": 1.0, "detail": {"similarity": 0.5}}]
    )
    assert shown(proposals_table(client, done, {"rule": "themes"}), cohort) == {"Jo Junior"}
    assert shown(proposals_table(client, done, {"rule": "goals"}), cohort) == {"Eva Extra"}
    # Eva wished for someone she did not get.
    cohort.eva.profile = {**cohort.eva.profile, "preferences": [str(cohort.mo.person_id)]}
    cohort.eva.save()
    assert shown(proposals_table(client, done, {"rule": "wish_missed"}), cohort) == {"Eva Extra"}
    proposals_services.proposal_lock(
        proposal=done.proposals.get(mentee=cohort.eva), locked=True, actor=cohort.personas.manager
    )
    assert shown(proposals_table(client, done, {"rule": "locked"}), cohort) == {"Eva Extra"}
    assert shown(proposals_table(client, done, {"rule": "manual"}), cohort) == set()


def test_filters_combine_with_the_name_search_and_the_order(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    scores(done, cohort, jo=30.0, eva=10.0)
    client = client_for(cohort.personas.manager)
    low_first = proposals_table(client, done, {"sort": "-score"})
    assert low_first.index("Eva Extra") < low_first.index("Jo Junior")
    assert shown(proposals_table(client, done, {"q": "Extra", "band": "strong"}), cohort) == set()
    assert shown(proposals_table(client, done, {"q": "Extra", "band": "weak"}), cohort) == {
        "Eva Extra"
    }


def test_the_name_search_finds_each_word_at_the_beginning_of_a_name(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)

    def found(query: str) -> set[str]:
        # The rows only: the search box above them holds what was typed.
        return shown(proposals_table(client, done, {"q": query}).split("<tbody>")[1], cohort)

    # A whole name, or how a first or last name begins, whatever the case.
    for query in ("Eva Extra", "ext", "EVA"):
        assert found(query) == {"Eva Extra"}, query
    # A mentor's name finds the pairs they are proposed in.
    mentor = done.proposals.get(mentee=cohort.eva).mentor.person
    assert found(mentor.last_name) == {"Eva Extra"}
    # Every word names the same person.
    assert found("Eva Junior") == set()


def test_the_organisation_filter_is_for_programmes_of_several_organisations(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    client = client_for(cohort.personas.manager)
    other = cohort.personas.other_organisation
    page = client.get(reverse("round_detail", args=[done.pk])).content.decode()
    assert 'name="organisation"' not in page
    ProgrammeOrganisation.objects.create(programme=cohort.programme, organisation=other)
    Person.objects.filter(pk=cohort.eva.person_id).update(organisation=other)
    assert (
        'name="organisation"'
        in client.get(reverse("round_detail", args=[done.pk])).content.decode()
    )
    only_other = proposals_table(client, done, {"organisation": str(other.pk)})
    assert shown(only_other, cohort) == {"Eva Extra"}
    # A pair with someone of the organisation on either side is that organisation's too.
    acme = cohort.personas.organisation
    assert shown(proposals_table(client, done, {"organisation": str(acme.pk)}), cohort) == {
        "Jo Junior",
        "Eva Extra",
    }
    Person.objects.filter(pk=done.proposals.get(mentee=cohort.eva).mentor.person_id).update(
        organisation=other
    )
    assert shown(proposals_table(client, done, {"organisation": str(acme.pk)}), cohort) == {
        "Jo Junior"
    }


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"band": "excellent"}, "Choose strong, good or weak from the score list."),
        ({"rule": "'; DROP TABLE x"}, "Choose a reason from the list."),
        ({"sort": "password"}, "Choose an order from the list."),
        ({"q": "x" * 101}, "Search for a name of at most 100 characters."),
    ],
)
def test_a_filter_given_wrongly_is_named_and_filters_nothing(
    client_for: Any, cohort: Cohort, done: MatchingRound, params: dict[str, str], error: str
) -> None:
    client = client_for(cohort.personas.manager)
    response = client.get(reverse("round_detail", args=[done.pk]), params)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert shown(proposals_table(client, done, params), cohort) == {"Jo Junior", "Eva Extra"}


@pytest.mark.parametrize("value", ["abc", "1.5", "999999", str(2**70)])
def test_an_organisation_not_in_the_programme_is_refused_with_a_reason(
    client_for: Any, cohort: Cohort, done: MatchingRound, value: str
) -> None:
    ProgrammeOrganisation.objects.create(
        programme=cohort.programme, organisation=cohort.personas.other_organisation
    )
    client = client_for(cohort.personas.manager)
    page = client.get(reverse("round_detail", args=[done.pk]), {"organisation": value})
    assert page.status_code == 200
    assert (
        "Choose one of the programme&#x27;s organisations from the list." in page.content.decode()
    )
    assert shown(proposals_table(client, done, {"organisation": value}), cohort) == {
        "Jo Junior",
        "Eva Extra",
    }


# --- the review: comparison with the round before ---------------------------------------------


def test_a_round_is_compared_with_the_programmes_round_before(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    scores(done, cohort, jo=30.0, eva=10.0)
    client = client_for(cohort.personas.manager)
    first = client.get(reverse("round_detail", args=[done.pk])).content.decode()
    assert "Compared with round" not in first
    second = run_round(cohort)
    scores(second, cohort, jo=20.0, eva=20.0)
    proposals_services.proposal_remove(
        proposal=second.proposals.get(mentee=cohort.eva), actor=cohort.personas.manager
    )
    page = client.get(reverse("round_detail", args=[second.pk])).content.decode()
    assert "Compared with round 1" in page
    figures = page.split('class="stacked round-figures"')[1].split("</table>")[0]

    def row(name: str) -> list[str]:
        cells = figures.split(f'<th scope="row">{name}</th>')[1].split("</tr>")[0]
        return [cell.split(">", 1)[1] for cell in cells.split("</td>")[:2]]

    assert row("Pairs") == ["1", "2"]
    assert row("Mean score") == ["20.0", "20.0"]
    assert row("Median score") == ["20.0", "20.0"]
    assert row("Not matched") == ["1", "0"]
    assert row("Mentees given their first choice") == ["100%", "100%"]
    compare = reverse("round_compare", args=[second.pk]) + f"?with={done.pk}"
    assert compare in page
    # The pair-by-pair page shows the same figures.
    assert "Mean score" in client.get(compare).content.decode()


def test_a_failed_or_cancelled_round_is_not_compared_with(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    MatchingRound.objects.filter(pk=done.pk).update(status="cancelled")
    second = run_round(cohort)
    page = client_for(cohort.personas.manager).get(reverse("round_detail", args=[second.pk]))
    assert "Compared with round" not in page.content.decode()


@pytest.mark.parametrize("who", PERSONAS)
def test_the_filters_and_comparison_are_for_those_running_the_programme(
    client_for: Any, cohort: Cohort, done: MatchingRound, who: str
) -> None:
    second = run_round(cohort)
    response = client_for(getattr(cohort.personas, who)).get(
        reverse("round_detail", args=[second.pk]), {"band": "strong", "rule": "themes"}
    )
    assert response.status_code == MANAGERS_ONLY[who]
    content = response.content.decode()
    assert ("Compared with round 1" in content) == (MANAGERS_ONLY[who] == 200)
    assert ("Mo Mentor" in content) == (MANAGERS_ONLY[who] == 200)


# --- the mentee's mentor cards ----------------------------------------------------------------


@pytest.fixture
def choosing(cohort: Cohort) -> MatchingRound:
    Person.objects.filter(pk=cohort.mo.person_id).update(
        location="Aarhus",
        timezone="Europe/Copenhagen",
        languages=["da", "en"],
        hire_date=dt.date(2015, 1, 1),
    )
    # Mo would like Jo: the manager may see that, Jo may not.
    cohort.mo.profile = {
        **cohort.mo.profile,
        "themes": ["leadership", "energy markets"],
        "preferences": [str(cohort.junior.person_id)],
        "goals": "Mo's private goals",
    }
    cohort.mo.save()
    matching_round = run_round(cohort, "mentee_chooses")
    choices.round_open_choosing(matching_round=matching_round, actor=cohort.personas.manager)
    return matching_round


def card_of(page: str, name: str) -> str:
    cards = page.split('class="card mentor-card"')[1:]
    return next(card.split("</li>")[0] for card in cards if name in card)


def test_a_mentee_reads_a_profile_card_for_each_suggested_mentor(
    client_for: Any, cohort: Cohort, choosing: MatchingRound
) -> None:
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    card = card_of(page, "Mo Mentor")
    assert '<span class="avatar" aria-hidden="true">MM</span>' in card
    assert "Acme Energy · Field" in card
    assert "leadership, energy markets" in card
    assert "Level 7" in card and "years at Acme Energy" in card
    assert "Danish, English" in card
    assert "Aarhus" in card and "Europe/Copenhagen" in card
    assert "Why suggested" in card and "shares themes: leadership" in card
    assert "your wish no. 1" in card and "the mentee&#x27;s choice" not in card
    assert f'name="rank_{cohort.mo.pk}"' in card
    # Not the mentor's own wishes, answers or any score.
    assert "mentor&#x27;s choice" not in page and "private goals" not in page
    assert "score" not in card.lower()


def test_a_card_leaves_out_what_is_not_stored(
    client_for: Any, cohort: Cohort, choosing: MatchingRound
) -> None:
    Person.objects.filter(pk=cohort.mo.person_id).update(
        location="", timezone="", languages=[], hire_date=None, level=None
    )
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    card = card_of(page, "Mo Mentor")
    for label in ("Experience", "Languages", "Location", "Time zone"):
        assert f"<dt>{label}</dt>" not in card
    assert "<dt>Can help with</dt>" in card


def test_the_mentors_wish_scored_but_is_not_told_to_the_mentee(
    client_for: Any, cohort: Cohort, choosing: MatchingRound
) -> None:
    suggestion = choosing.suggestions.get(mentee=cohort.junior)
    assert "mentor_preference" in {c["criterion"] for c in suggestion.contributions}
    page = client_for(cohort.personas.mentee).get(reverse("my_matching")).content.decode()
    assert "the mentor&#x27;s choice" not in card_of(page, "Mo Mentor")


@pytest.mark.parametrize("who", PERSONAS)
def test_a_mentors_card_is_shown_only_to_the_mentee_offered_them(
    client_for: Any, cohort: Cohort, choosing: MatchingRound, who: str
) -> None:
    page = client_for(getattr(cohort.personas, who)).get(reverse("my_matching"))
    assert page.status_code == 200
    content = page.content.decode()
    assert ("mentor-card" in content) == (who == "mentee")
    assert ("Aarhus" in content) == (who == "mentee")


def test_another_mentee_of_the_round_sees_only_their_own_cards(
    client_for: Any, cohort: Cohort, choosing: MatchingRound
) -> None:
    eva_user = User.objects.create_user(email="eva@test.example", password="pw", full_name="Eva")
    Membership.objects.create(
        user=eva_user, organisation=cohort.personas.organisation, role=Role.MENTEE
    )
    Person.objects.filter(pk=cohort.eva.person_id).update(user=eva_user)
    cohort.eva.user = eva_user
    cohort.eva.save()
    page = client_for(eva_user).get(reverse("my_matching")).content.decode()
    assert "mentor-card" in page
    assert "Mo Mentor" not in page and "Aarhus" not in page and "Jo Junior" not in page
    # Nor can she rank Jo's mentor for Jo.
    response = client_for(eva_user).post(
        reverse("choice_submit", args=[choosing.pk]), {f"rank_{cohort.mo.pk}": "1"}
    )
    assert response.status_code == 302
    assert choosing.suggestions.get(mentee=cohort.junior).choice_rank is None


# --- a large round, a page at a time ------------------------------------------------------------


def _many_proposals(cohort: Cohort, r: MatchingRound, count: int) -> None:
    """`count` more mentees of the programme, each proposed to Bo Boss, the nth with the
    score n and the last ten locked."""
    from mentora.programmes.models import Participant

    people = Person.objects.bulk_create(
        Person(
            organisation=cohort.personas.organisation,
            employee_id=f"R{n:03d}",
            first_name=f"Rae{n:03d}",
            last_name="Roundly",
        )
        for n in range(count)
    )
    mentees = Participant.objects.bulk_create(
        Participant(programme=cohort.programme, person=person, role="mentee", status="ready")
        for person in people
    )
    Proposal.objects.bulk_create(
        Proposal(
            matching_round=r,
            mentee=mentee,
            mentor=cohort.bo,
            score=1000.0 + n,
            locked=n >= count - 10,
        )
        for n, mentee in enumerate(mentees)
    )


def _rows(table: str) -> list[str]:
    import re

    # A name is in its row's chip and in the label of its checkbox: each row once.
    return list(dict.fromkeys(re.findall(r"Rae([0-9]{3}) Roundly", table.split("<tbody>")[1])))


def test_the_review_shows_a_large_round_a_page_at_a_time(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    _many_proposals(cohort, done, 120)
    client = client_for(cohort.personas.manager)
    first = proposals_table(client, done, {})
    # The highest scores first, 50 to a page.
    assert _rows(first) == [f"{n:03d}" for n in range(119, 69, -1)]
    response = client.get(reverse("round_detail", args=[done.pk]), {"page": "3"})
    html = response.content.decode()
    third = html.split('id="proposals-heading"')[1].split("</table>")[0]
    # 122 pairs: the page after 100 of the new ones holds the last 20 and the round's own.
    assert _rows(third) == [f"{n:03d}" for n in range(19, -1, -1)]
    assert "Page 3 of 3" in html
    assert "122 pairs shown." in html


def test_a_filter_is_kept_from_page_to_page(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    _many_proposals(cohort, done, 120)
    client = client_for(cohort.personas.manager)
    url = reverse("round_detail", args=[done.pk])
    html = client.get(url, {"q": "Roundly", "sort": "-score"}).content.decode()
    assert "Page 1 of 3" in html
    assert "q=Roundly&amp;sort=-score&amp;page=2" in html
    second = client.get(url, {"q": "Roundly", "sort": "-score", "page": "2"}).content.decode()
    table = second.split('id="proposals-heading"')[1].split("</table>")[0]
    assert _rows(table) == [f"{n:03d}" for n in range(50, 100)]
    # A reason read from a column: only the ten locked pairs, on one page.
    locked = client.get(url, {"rule": "locked"}).content.decode()
    assert _rows(locked.split('id="proposals-heading"')[1].split("</table>")[0]) == [
        f"{n:03d}" for n in range(119, 109, -1)
    ]
    assert "Page 1 of" not in locked


def test_the_last_page_and_a_search_read_no_more_than_the_first_page(
    client_for: Any, cohort: Cohort, done: MatchingRound
) -> None:
    _many_proposals(cohort, done, 120)
    client = client_for(cohort.personas.manager)
    url = reverse("round_detail", args=[done.pk])
    client.get(url)  # The session, and the round's quality summary, are read once.
    pages = {
        "first page": {},
        "last page": {"page": "3"},
        "search": {"q": "Roundly"},
        "search, last page": {"q": "roundly RAE", "page": "3"},
    }
    counts = {}
    for name, params in pages.items():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url, params).status_code == 200
        counts[name] = len(captured)
        for query in captured.captured_queries:
            sql = query["sql"]
            # A page is found among the proposals' ids; only its own are read with their
            # people, never an offset's worth of rows before them.
            if 'FROM "rounds_proposal" INNER JOIN' in sql and '"people_person"."first_name"' in sql:
                assert "LIMIT" not in sql, (name, sql)
            # Names are looked up by how they begin, never searched inside.
            assert "%roundly%" not in sql.lower(), (name, sql)
    assert set(counts.values()) == {counts["first page"]}, counts
