"""The demo tells the truth: its invariants, checked on a freshly seeded demo.

Every expected figure is computed here from the database rows, independently of the code
that seeded them and of the code that reports on them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import numpy as np
import pytest
from django.utils import timezone

from mentora.accounts.models import Organisation
from mentora.demo.seed import seed_demo
from mentora.events.models import Attendance, EventRegistration
from mentora.programmes.models import (
    Participant,
    ParticipantEvent,
    ParticipantStatus,
    Programme,
    ProgrammeKind,
)
from mentora.relationships.health import DROOP_WINDOW, QUIET_DAYS, programme_health, quiet_since
from mentora.relationships.models import (
    LADDER,
    Agreement,
    Escalation,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    SupportSettings,
)
from mentora.reports.aggregates import build_report
from mentora.rounds.models import MatchingRound
from mentora.surveys.models import Answer, Invitation, Response, Survey


@pytest.fixture
def demo(db: None) -> Organisation:
    return seed_demo(people=200).organisation


def _programme(organisation: Organisation, title: str) -> Programme:
    return Programme.objects.get(organisation=organisation, name__startswith=title)


def _running(organisation: Organisation) -> Programme:
    return _programme(organisation, "Graduate onboarding")


def _upcoming(organisation: Organisation) -> Programme:
    return _programme(organisation, "Nordic leadership exchange")


def _finished(organisation: Organisation) -> Programme:
    return _programme(organisation, "Graduate programme")


def _day_end(day: dt.date) -> dt.datetime:
    tz = timezone.get_current_timezone()
    return dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=tz)


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=timezone.get_current_timezone())


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


def test_nobody_in_a_programme_shares_a_name_with_someone_from_another_organisation(
    demo: Organisation,
) -> None:
    for programme in Programme.objects.all():
        organisations: dict[tuple[str, str], set[int]] = defaultdict(set)
        for first, last, organisation in programme.participants.values_list(
            "person__first_name", "person__last_name", "person__organisation"
        ):
            organisations[(first, last)].add(organisation)
        shared = [name for name, orgs in organisations.items() if len(orgs) > 1]
        assert shared == [], programme.name


def test_no_mentor_has_more_mentees_than_the_programme_or_they_allow(demo: Organisation) -> None:
    def limit(mentor: Participant) -> int:
        maximum = mentor.programme.max_mentees_per_mentor
        if mentor.places is not None:
            return min(maximum, mentor.places)
        return min(maximum, int((mentor.profile or {}).get("capacity") or maximum))

    pairs = Counter(Pair.objects.values_list("mentor_id", flat=True))
    for mentor in Participant.objects.filter(pk__in=pairs).select_related("programme"):
        assert pairs[mentor.pk] <= limit(mentor), (mentor.programme.name, str(mentor))
    for matching_round in MatchingRound.objects.filter(status="done"):
        proposed = Counter(matching_round.proposals.values_list("mentor_id", flat=True))
        for mentor in Participant.objects.filter(pk__in=proposed).select_related("programme"):
            assert proposed[mentor.pk] <= limit(mentor), (mentor.programme.name, str(mentor))


def test_people_join_programmes_while_employed(demo: Organisation) -> None:
    for participant in Participant.objects.select_related("person", "programme"):
        person = participant.person
        joined = timezone.localdate(participant.created_at)
        assert person.hire_date is not None and person.hire_date <= joined, str(participant)
        if person.leave_date is not None:
            assert person.leave_date > joined, str(participant)
            assert person.leave_date <= timezone.localdate(), str(participant)


# --- dates -------------------------------------------------------------------------------------


def test_the_programmes_are_running_about_to_start_and_finished(demo: Organisation) -> None:
    today = timezone.localdate()
    running, upcoming, finished = _running(demo), _upcoming(demo), _finished(demo)
    # Started some months ago, so its pairs are well into their agreements.
    assert running.start_date <= today - dt.timedelta(days=90) and today < running.end_date
    assert str(running.start_date.year) in running.name
    assert today < upcoming.start_date < upcoming.end_date
    assert str(upcoming.start_date.year) in upcoming.name
    assert MatchingRound.objects.get(programme=upcoming).status == "done"
    assert not Pair.objects.filter(programme=upcoming).exists()
    assert finished.end_date < today and str(finished.start_date.year) in finished.name
    assert not Pair.objects.filter(programme=finished, ended_at__isnull=True).exists()
    assert all(s.closes_at < timezone.now() for s in Survey.objects.filter(programme=finished))


def test_every_dated_thing_falls_inside_its_programme_and_its_pair(demo: Organisation) -> None:
    now = timezone.now()
    for programme in Programme.objects.filter(organisation=demo):
        # A rolling programme has no end: everything of it lies before now.
        start = _day_start(programme.start_date)
        end = _day_end(programme.end_date) if programme.end_date else now
        assert programme.created_at <= now
        for touchpoint in programme.touchpoints.all():
            assert programme.start_date <= touchpoint.date, touchpoint
            assert programme.end_date is None or touchpoint.date <= programme.end_date
        for event in programme.events.all():
            # Preparation comes before the start.
            assert event.starts_at < start, (programme.name, event.title)
        for attendance in Attendance.objects.filter(event__programme=programme):
            assert attendance.event.starts_at < attendance.recorded_at <= now
            # Whoever attended had a place: the workshop page counts places taken.
            registration = EventRegistration.objects.get(
                event=attendance.event, participant=attendance.participant
            )
            assert registration.participant.created_at <= registration.registered_at
            assert registration.registered_at < attendance.event.starts_at
        for matching_round in programme.rounds.all():
            assert matching_round.created_at <= now
            assert matching_round.finished_at is None or (
                matching_round.created_at <= matching_round.finished_at <= now
            )
        for survey in Survey.objects.filter(programme=programme):
            assert start <= survey.opens_at < survey.closes_at <= end, survey
            for invitation in survey.invitations.exclude(answered_at=None):
                assert survey.opens_at <= invitation.answered_at <= survey.closes_at
        for pair in Pair.objects.filter(programme=programme):
            pair_end = pair.ended_at or end
            assert start <= pair.started_at <= now, pair
            assert pair_end <= end, pair
            for meeting in pair.meetings.all():
                assert pair.started_at <= meeting.starts_at <= pair_end, meeting
                if meeting.mentee_rating or meeting.mentor_rating or meeting.notes:
                    assert meeting.starts_at < now, meeting
            for agreement in Agreement.objects.filter(pair=pair):
                assert pair.started_at <= agreement.created_at <= now
                assert programme.end_date is None or agreement.end_date <= programme.end_date
                for signed in (agreement.mentee_signed_at, agreement.mentor_signed_at):
                    assert signed is None or agreement.created_at <= signed <= now
            for goal in Goal.objects.filter(pair=pair):
                assert pair.started_at <= goal.updated_at <= min(now, pair_end), goal
            for feedback in Feedback.objects.filter(pair=pair):
                assert pair.started_at <= feedback.created_at <= min(now, pair_end)
            for follow_up in FollowUp.objects.filter(pair=pair):
                assert timezone.localdate(pair.started_at) <= follow_up.held_on
                assert follow_up.held_on <= timezone.localdate(min(now, pair_end))


def test_every_participants_history_runs_forward_and_ends_in_their_status(
    demo: Organisation,
) -> None:
    now = timezone.now()
    events: dict[int, list[ParticipantEvent]] = defaultdict(list)
    for event in ParticipantEvent.objects.order_by("at", "pk"):
        events[event.participant_id].append(event)
    for participant in Participant.objects.all():
        history = events[participant.pk]
        assert history, str(participant)
        assert participant.created_at <= history[0].at
        assert all(a.at <= b.at for a, b in zip(history, history[1:], strict=False))
        assert history[-1].at <= now
        assert [e.from_status for e in history[1:]] == [e.to_status for e in history[:-1]]
        assert history[-1].to_status == participant.status, str(participant)
        assert participant.status_changed_at == history[-1].at, str(participant)
    for pair in Pair.objects.select_related("mentee", "mentor"):
        for side in (pair.mentee, pair.mentor):
            matched = [e.at for e in events[side.pk] if e.to_status == "matched"]
            assert matched and min(abs((m - pair.started_at).total_seconds()) for m in matched) < 60


# --- the running programme's pairs ---------------------------------------------------------------


def test_pairs_flagged_at_risk_really_are_at_that_point(demo: Organisation) -> None:
    now = timezone.now()
    health = programme_health(_running(demo))
    assert {h.light for h in health} >= {"green", "amber", "red"}
    assert any(h.midway for h in health)
    for h in health:
        pair = h.pair
        agreement = Agreement.objects.filter(pair=pair).order_by("-version").first()
        if h.paused is not None:
            # A paused pair is not at risk, whatever its quiet days, until it is back.
            assert h.light == "green" and h.paused.until >= timezone.localdate(), str(pair)
            assert h.paused.starts_on <= timezone.localdate(), str(pair)
            continue
        held = sorted(
            m.starts_at for m in pair.meetings.filter(cancelled_at=None) if m.starts_at < now
        )
        quiet = (now - (held[-1] if held else pair.started_at)).days
        end = (
            dt.datetime.combine(agreement.end_date, dt.time(), tzinfo=dt.UTC)
            if agreement
            else pair.started_at + dt.timedelta(days=300)
        )
        elapsed = (now - pair.started_at) / (end - pair.started_at)
        droop = any("Midway droop" in r for r in h.reasons)
        if droop:
            assert DROOP_WINDOW[0] <= elapsed <= DROOP_WINDOW[1], str(pair)
            assert quiet >= 30, str(pair)
        if h.light == "green":
            assert quiet < 30 and agreement is not None and agreement.is_signed, str(pair)
            assert pair.meetings.filter(starts_at__gt=now).exists(), str(pair)
        else:
            assert quiet >= 30 or agreement is None, str(pair)
        if quiet >= QUIET_DAYS:
            assert f"No meeting for {quiet} days." in h.reasons, str(pair)
        # The status says what the pair does: active once the agreement is signed.
        status = "active" if agreement is not None and agreement.is_signed else "matched"
        assert pair.mentee.status == status, str(pair)


def test_quiet_pairs_stand_on_the_ladder_step_the_daily_run_would_have_reached(
    demo: Organisation,
) -> None:
    now = timezone.now()
    programme = _running(demo)
    ladder = SupportSettings.of(programme)
    health = programme_health(programme)
    steps: Counter[str] = Counter()
    for h in health:
        spell = list(Escalation.objects.filter(pair=h.pair).order_by("created_at"))
        if h.paused is not None or h.pair.meetings.filter(starts_at__gt=now).exists():
            assert spell == [], str(h.pair)
            continue
        since = quiet_since(h.pair, now)
        due, expected = since, []
        for step, days in zip(
            LADDER,
            (
                ladder.nudge_after_days,
                ladder.mentor_note_after_days,
                ladder.manager_alert_after_days,
            ),
            strict=True,
        ):
            due += dt.timedelta(days=days)
            if due <= now:
                expected.append((step, due))
        assert [(e.step, e.created_at) for e in spell] == expected, str(h.pair)
        assert all(e.quiet_since == since for e in spell)
        if spell:
            steps[spell[-1].step] += 1
    # Pairs at every step of the ladder, and the alerts are the dashboard's.
    assert set(steps) == set(LADDER), steps
    assert sum(1 for h in health if h.alerted) == steps["manager_alert"]
    assert sum(1 for h in health if h.paused is not None) == 1


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


def test_the_finished_programmes_retention_and_pairs_add_up(demo: Organisation) -> None:
    programme = _finished(demo)
    origin, today = programme.start_date, timezone.localdate()
    report = build_report(programme)
    retention = report.retention
    # Intention to treat: every participant of this programme was matched, so everyone
    # employed when it started is followed, including the mentees who withdrew.
    everybody = Participant.objects.filter(programme=programme)
    assert everybody.filter(status=ParticipantStatus.WITHDRAWN).exists()
    followed: dict[str, set[Any]] = {}
    for role in ("mentee", "mentor"):
        followed[role] = {
            p.person
            for p in everybody.filter(role=role).select_related("person")
            if p.person.hire_date <= origin
            and (p.person.leave_date is None or p.person.leave_date > origin)
        }
    everyone = followed["mentee"] | followed["mentor"]
    assert retention.started == len(everyone) >= 50
    # Colleagues were hired at the same times, so most find a match; long-serving mentors
    # spread over twelve years sometimes have nobody within the caliper.
    assert retention.participants.n == retention.comparison.n == len(everyone) - retention.unmatched
    assert retention.unmatched <= len(everyone) // 5
    assert sum(r.participants.n for r in retention.by_role) == retention.participants.n
    assert retention.participants.at_risk[0] == (0, retention.participants.n)
    withdrawn_leavers = 0
    for row, role in zip(retention.by_role, ("mentee", "mentor"), strict=True):
        left = {p for p in followed[role] if p.leave_date and p.leave_date <= today}
        assert row.leavers is not None and row.leavers[0] <= len(left)
        assert row.leavers[0] >= len(left) - retention.unmatched
        withdrawn_leavers += everybody.filter(
            role=role, status=ParticipantStatus.WITHDRAWN, person__in=left
        ).count()
    assert withdrawn_leavers > 0
    assert retention.logrank is not None and retention.logrank.strata == retention.participants.n
    assert all(abs(row.after.difference or 0) < 0.25 for row in retention.balance)

    pairs = Pair.objects.filter(programme=programme)
    held = Meeting.objects.filter(
        pair__programme=programme, cancelled_at=None, starts_at__lte=timezone.now()
    )
    activity = report.pairs
    assert activity.pairs == pairs.count() == 30
    assert activity.active == 0
    assert activity.ended_early == sum(
        1 for p in pairs if timezone.localdate(p.ended_at) < programme.end_date
    )
    assert activity.meetings == held.count() > 0
    assert activity.with_meeting == pairs.filter(meetings__in=held).distinct().count() == 30
    goals = Goal.objects.filter(pair__programme=programme)
    assert (
        activity.goals == goals.count()
        and activity.goals_reached == goals.filter(progress=100).count()
    )


# --- pages -------------------------------------------------------------------------------------


def test_a_programme_manager_reads_the_demo_pages_without_contradictions(
    demo: Organisation, client: Any
) -> None:
    from django.urls import reverse

    from mentora.accounts.models import User

    client.force_login(User.objects.get(email="manager@example.org"))
    finished, running = _finished(demo), _running(demo)
    report = client.get(reverse("programme_report", args=[finished.pk])).content.decode()
    assert "Cronbach" in report and "Log-rank" in report
    assert "nan" not in report and "0 / 0" not in report
    page = client.get(reverse("pair_health", args=[running.pk])).content.decode()
    at_risk = sum(1 for h in programme_health(running) if h.at_risk)
    pairs = Pair.objects.filter(programme=running, ended_at=None).count()
    assert f"{at_risk} / {pairs}" in " ".join(page.split())
    for programme in Programme.objects.filter(organisation=demo):
        for name in ("programme_detail", "programme_pipeline", "programme_health"):
            assert client.get(reverse(name, args=[programme.pk])).status_code == 200


# --- the rolling programme ------------------------------------------------------------------------


def test_the_rolling_programme_matches_on_demand_and_its_places_add_up(
    demo: Organisation, client: Any
) -> None:
    from django.urls import reverse

    from mentora.accounts.models import User
    from mentora.rounds.intake import rolling_intake

    today = timezone.localdate()
    rolling = _programme(demo, "New hire mentoring")
    assert rolling.rolling and rolling.end_date is None and rolling.start_date < today
    mentees = Participant.objects.filter(programme=rolling, role="mentee")
    mentors = Participant.objects.filter(programme=rolling, role="mentor")
    assert Counter(mentees.values_list("status", flat=True)) == {
        "matched": 2,
        "ready": 1,
        "approved": 1,
        "applied": 1,
    }
    pairs = Pair.objects.filter(programme=rolling, ended_at=None)
    # Each pair was matched on demand, for its own mentee, months apart.
    assert sorted(p.matching_round.mentee_id for p in pairs) == sorted(
        mentees.filter(status="matched").values_list("pk", flat=True)
    )
    assert len({p.started_at.date() for p in pairs}) == 2
    free = 0
    for mentor in mentors:
        places = rolling.max_mentees_per_mentor if mentor.places is None else mentor.places
        at_work = pairs.filter(mentor=mentor).count()
        assert at_work <= places
        available = (
            mentor.takes_mentees
            and (mentor.available_from is None or mentor.available_from <= today)
            and (mentor.available_until is None or today <= mentor.available_until)
        )
        free += max(0, places - at_work) if available else 0
    assert free == rolling_intake(rolling).free_places == 3
    # The mentee ready this week has a proposal waiting, with a mentor who has a free place.
    waiting = MatchingRound.objects.get(programme=rolling, status="done")
    assert waiting.mentee == mentees.get(status="ready")
    proposal = waiting.proposals.get()
    assert proposal.mentor.takes_mentees and proposal.mentor.available_from is None
    client.force_login(User.objects.get(email="manager@example.org"))
    page = client.get(reverse("round_list", args=[rolling.pk])).content.decode()
    assert "Rolling intake" in page and "Free places today" in page
