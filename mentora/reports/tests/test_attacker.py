"""No figure a manager or a sponsor can download pins down a respondent's answer or the
total of a group of fewer than five: the seven leaks once reproduced, and random
programmes, each attacked with an exact solver (see attacker.py)."""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from mentora.reports.tests.attacker import Attacker, Downloads, count_leaks, download
from mentora.reports.tests.conftest import close_surveys
from mentora.surveys import services
from mentora.surveys.models import Invitation, Question, Survey
from mentora.surveys.tests.conftest import World, add_participants, builtin, make_world, window

Choose = Callable[[Invitation, Question], Any]
Who = Callable[[int, Invitation], bool]


def _random(seed: int, blank: float = 0.0) -> Choose:
    rng = random.Random(seed)

    def choose(invitation: Invitation, q: Question) -> Any:
        if rng.random() < blank:
            return None
        if q.kind == "scale_1_5":
            return str(rng.choice([1, 2, 3, 3, 4, 4, 4, 5, 5]))
        if q.kind == "nps":
            return str(rng.choice([2, 5, 6, 7, 7, 8, 8, 9, 9, 10, 10]))
        if q.kind == "single":
            return rng.choice(q.choices)["value"]
        if q.kind == "multiple":
            return [c["value"] for c in q.choices if rng.random() < 0.5] or [q.choices[0]["value"]]
        return None

    return choose


def _everyone(index: int, invitation: Invitation) -> bool:
    return True


def _world(personas: Any, mentees: int, mentors: int) -> World:
    """A programme with `mentees` and `mentors` in all (the two personas among them)."""
    world = make_world(personas)
    add_participants(world, "mentee", mentees - 1, start=100)
    add_participants(world, "mentor", mentors - 1, start=300)
    return world


def _survey(world: World, wave: str, roles: list[str], *, instrument: str | None = None) -> Survey:
    opens, closes = window()
    return services.survey_schedule(
        programme=world.programme,
        instrument=builtin(instrument or wave),
        wave=wave,
        roles=roles,
        opens_at=opens,
        closes_at=closes,
        actor=world.personas.manager,
    )


def _answer(survey: Survey, choose: Choose, who: Who = _everyone) -> list[Invitation]:
    answered = []
    invitations = survey.invitations.select_related("survey__instrument").order_by("pk")
    for index, invitation in enumerate(invitations):
        if not who(index, invitation):
            continue
        answers = {}
        for q in survey.instrument.questions_for(invitation.role):
            value = choose(invitation, q)
            if value is not None:
                answers[q.pk] = value
        services.response_submit(invitation=invitation, answers=answers, actor=None)
        answered.append(invitation)
    return answered


def _attack(world: World, client_for: Any) -> tuple[Attacker, list[Downloads]]:
    attacker = Attacker(world.programme)
    seen = []
    for reader in (world.personas.manager, world.personas.sponsor):
        downloads = download(client_for(reader), world.programme)
        attacker.read(downloads)
        seen.append(downloads)
        assert count_leaks(downloads, world.programme) == []
    return attacker, seen


def _paired(personas: Any, mentees: int, unpaired: int) -> World:
    world = _world(personas, mentees, 1)
    start = _survey(world, "start", ["mentee"])
    _answer(start, _random(1))
    end = _survey(world, "end", ["mentee"])
    _answer(end, _random(2), lambda index, _inv: index >= unpaired)
    close_surveys(start, end)
    return world


@pytest.mark.parametrize(("mentees", "unpaired"), [(26, 3), (8, 1)])
def test_paired_change_beside_the_scale_gives_no_one_away(
    personas: Any, client_for: Any, mentees: int, unpaired: int
) -> None:
    world = _paired(personas, mentees, unpaired)
    attacker, [downloads, _] = _attack(world, client_for)
    assert [c.change for c in downloads.report.changes if c.change] == []
    assert all(c.overlap for c in downloads.report.changes)
    assert attacker.figures > 0 and attacker.leaks() == []


def test_a_published_paired_change_and_its_signed_rank_p_give_no_one_away(
    personas: Any, client_for: Any
) -> None:
    # Everyone answered both waves: the paired table shares its respondents with the scale
    # and is published, signed-rank p included.
    world = _paired(personas, 12, 0)
    attacker, [downloads, _] = _attack(world, client_for)
    published = [c.change for c in downloads.report.changes if c.change]
    assert published and all(c.wilcoxon_p_value is not None for c in published)
    assert attacker.signed_ranks == 2 * len(published)  # read by manager and sponsor
    assert attacker.leaks() == []


def test_the_attacker_finds_the_unpaired_when_the_paired_means_are_published(
    personas: Any, client_for: Any
) -> None:
    # The report as it was: the start mean of the 7 paired beside the scale of all 8.
    world = _paired(personas, 8, 1)
    attacker, _ = _attack(world, client_for)
    start, end = attacker.surveys
    first = {r.key: r.pk for r in attacker.responses[start.pk]}
    paired = [first[r.key] for r in attacker.responses[end.pk]]
    items = attacker.items(start, "career_confidence")
    total = sum(attacker.truth[(r, q.pk)] for r in paired for q in items)
    attacker._publish(start, paired)
    attacker.model.add(sum(attacker.rowsum(r, items) for r in paired) == total)
    leaks = attacker.leaks()
    assert any("total of career_confidence" in leak for leak in leaks)


def test_an_item_answered_alone_is_not_recovered_from_its_scale(
    personas: Any, client_for: Any
) -> None:
    world = _world(personas, 12, 1)
    start = _survey(world, "start", ["mentee"])
    base = _random(3)
    alone = start.invitations.order_by("pk").first()

    def choose(invitation: Invitation, q: Question) -> Any:
        if invitation == alone and q.construct == "career_confidence" and q.code != "CC1":
            return None  # answered one item of the scale only
        return base(invitation, q)

    _answer(start, choose)
    close_surveys(start)
    attacker, [downloads, _] = _attack(world, client_for)
    [result] = downloads.report.surveys
    cc1 = next(i for i in result.items if i.question.code == "CC1")
    assert cc1.n == 11 and cc1.distribution is not None and cc1.distribution.n == 11
    assert attacker.leaks() == []


def test_the_benchmark_export_holds_only_what_the_report_shows(
    personas: Any, client_for: Any
) -> None:
    # 21 mentees (20 answer) and 3 mentors: the report hides both groups, shows the total.
    world = _world(personas, 21, 3)
    surveys = [_survey(world, wave, ["mentee", "mentor"]) for wave in ("start", "end")]
    for survey in surveys:
        _answer(survey, _random(4), lambda index, _inv: index != 0)
    close_surveys(*surveys)
    attacker, [downloads, _] = _attack(world, client_for)
    exported = {item["code"] for g in downloads.benchmark["groups"] for item in g["items"]}
    assert exported and not exported & {"CC1", "CC2", "CC3", "CS1", "ML1"}
    assert attacker.leaks() == []


def test_a_reused_instrument_counts_each_surveys_own_choices(
    personas: Any, client_for: Any
) -> None:
    world = _world(personas, 12, 8)
    end = _survey(world, "end", ["mentee", "mentor"])
    _answer(end, _random(5))
    follow_up = _survey(world, "custom", ["mentee"], instrument="end")
    everyone_yes = _random(6)
    _answer(follow_up, everyone_yes, lambda index, _inv: index < 3)
    close_surveys(end, follow_up)
    attacker, [downloads, _] = _attack(world, client_for)
    first, second = downloads.report.surveys
    assert second.items == [] or all(not i.choices and i.n == 0 for i in second.items)
    single = next(i for i in first.items if i.question.kind == "single" and i.choices)
    assert sum(count for _label, count in single.choices if count) == single.n
    assert single.n == end.responses.filter(answers__question=single.question).count()
    assert attacker.leaks() == []


def test_an_open_survey_publishes_counts_only_so_two_downloads_tell_nothing(
    personas: Any, client_for: Any
) -> None:
    world = _world(personas, 14, 1)
    start = _survey(world, "start", ["mentee"])
    _answer(start, _random(7))
    close_surveys(start)
    end = _survey(world, "end", ["mentee"])
    _answer(end, _random(8), lambda index, _inv: index < 10)
    before = download(client_for(world.personas.manager), world.programme)
    _answer(end, _random(9), lambda index, _inv: index == 10)
    attacker, [after, _] = _attack(world, client_for)
    for downloads in (before, after):
        [_start, open_result] = downloads.report.surveys
        assert not open_result.published
        assert open_result.items == [] and open_result.scales == []
        assert all(
            item["wave"] != "end" for g in downloads.benchmark["groups"] for item in g["items"]
        )
    assert [r.responded for r in after.report.surveys[1].rates] == [11, 11]
    page = client_for(world.personas.sponsor).get(f"/programmes/{world.programme.pk}/report/")
    assert b"published when the survey closes" in page.content
    attacker.read(before)
    assert attacker.leaks() == []


def test_a_role_nobody_was_invited_in_completes_no_subtraction(
    personas: Any, client_for: Any
) -> None:
    world = _world(personas, 13, 3)
    survey = _survey(world, "end", ["mentee", "mentor", "line_manager"])
    Invitation.objects.filter(survey=survey, role="line_manager").delete()
    # One mentee does not answer: 12 mentees and 3 mentors answer.
    _answer(survey, _random(10), lambda index, inv: not (inv.role == "mentee" and index == 0))
    close_surveys(survey)
    attacker, [downloads, _] = _attack(world, client_for)
    [result] = downloads.report.surveys
    assert [(r.role, r.invited, r.responded) for r in result.rates] == [
        ("Mentors", 3, None),
        ("Mentees", 13, None),
        ("All groups", 16, 15),
    ]
    assert attacker.leaks() == []


def _same(invitation: Invitation, q: Question) -> Any:
    if q.kind == "scale_1_5":
        return "5"
    if q.kind == "nps":
        return "10"
    if q.kind in ("single", "multiple"):
        return q.choices[0]["value"]
    return None


def test_five_people_answering_alike_show_no_distribution(personas: Any, client_for: Any) -> None:
    world = _world(personas, 5, 1)
    surveys = [_survey(world, wave, ["mentee"]) for wave in ("start", "end")]
    for survey in surveys:
        _answer(survey, _same)
    close_surveys(*surveys)
    attacker, [downloads, _] = _attack(world, client_for)
    for result in downloads.report.surveys:
        shown = [i for i in result.items if i.n]
        multiple = [i for i in shown if i.question.kind == "multiple"]
        assert shown and all(i.too_alike for i in shown if i not in multiple)
        assert all(i.distribution is None and i.nps is None for i in shown)
        # Each option of a multiple choice is chosen by all or by none: no count printed.
        assert all(count is None for i in multiple for _label, count in i.choices or [])
        assert result.scales == []
    assert attacker.leaks() == []


def test_the_attacker_finds_answers_in_a_distribution_too_alike(
    personas: Any, client_for: Any
) -> None:
    world = _world(personas, 5, 1)
    survey = _survey(world, "start", ["mentee"])
    _answer(survey, _same)
    close_surveys(survey)
    attacker, _ = _attack(world, client_for)
    # The distribution as the report once printed it: five answers of 5.
    q = attacker.question(survey, "CC1")
    attacker.item_counts(survey, q, {5: 5}, 5)
    assert len(attacker.leaks()) == 5


@pytest.mark.parametrize("seed", [21, 22, 23])
def test_random_programmes_give_nothing_away(personas: Any, client_for: Any, seed: int) -> None:
    rng = random.Random(seed)
    world = _world(personas, rng.randint(4, 14), rng.randint(2, 9))
    share, blank = rng.uniform(0.6, 1.0), rng.uniform(0.0, 0.12)
    start = _survey(world, "start", ["mentee", "mentor"])
    answered = {
        inv.person_id
        for inv in _answer(start, _random(seed, blank), lambda _i, _inv: rng.random() < share)
    }
    end = _survey(world, "end", ["mentee", "mentor"])
    subset = rng.random() < 0.5  # at the end, only some of the start's respondents

    def at_end(_index: int, invitation: Invitation) -> bool:
        return (invitation.person_id in answered or not subset) and rng.random() < share

    _answer(end, _random(seed + 100, blank), at_end)
    close_surveys(start, end)
    attacker, _ = _attack(world, client_for)
    assert attacker.leaks() == []
