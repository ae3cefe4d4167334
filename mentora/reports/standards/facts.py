"""The facts the standards evidence pack scores: counts and dates from a programme's own
records, gathered in a few queries.

Only counts, dates and flags leave this module. Queries name the columns they read, so no
private text (agreements, notes, reflections, closure texts, stories, reasons) is ever
loaded, let alone shown. Survey respondents are counted per survey through the same
suppression pattern as the outcome report, and only once a survey has closed.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, Subquery, Value, When
from django.utils import timezone

from mentora.events.models import EventKind
from mentora.programmes.models import (
    LineManagerDecision,
    Participant,
    ParticipantRole,
    ParticipantStatus,
    ProfileField,
    Programme,
    QuestionKind,
    ScreeningOutcome,
    TouchpointKind,
)
from mentora.relationships.health import programme_health
from mentora.relationships.models import (
    Agreement,
    Closure,
    Feedback,
    FollowUp,
    Goal,
    Meeting,
    Pair,
    PeerGroup,
    Recording,
    Story,
    StoryStatus,
)
from mentora.stats.anonymity import TOTAL
from mentora.surveys.disclosure import groups_asked, response_pattern
from mentora.surveys.models import Invitation, Response, Survey
from mentora.surveys.services import TAKING_PART

S = ParticipantStatus
# Participants who have come through preparation: they should have attended a workshop.
PAST_PREPARATION = [S.TRAINED, S.READY, S.MATCHED, S.ACTIVE, S.COMPLETED]
# Steps at which an applicant waits for the programme team or their line manager.
WAITING = [S.APPLIED, S.UNDER_REVIEW, S.NEEDS_LINE_MANAGER]
# An applicant waiting longer than this for a decision has been left waiting.
WAITING_DAYS = 21
# Where a mentee of a match that ended early may be: matched again, back in the pool for a
# rematch, or gone by their own choice.
BACK_IN_POOL = [S.READY, S.TRAINED, S.APPROVED]
LEFT = [S.WITHDRAWN, S.DECLINED]


@dataclass
class PairFacts:
    total: int = 0
    active: int = 0
    at_risk: int = 0
    explained: int = 0
    with_objectives: int = 0
    with_agreement: int = 0
    signed: int = 0
    met: int = 0
    rated: int = 0
    followed_up: int = 0
    goals: int = 0
    goals_reached: int = 0
    # Matches that ended before the programme did, without a closing.
    ended_early: int = 0
    rematched: int = 0
    back_in_pool: int = 0
    left: int = 0
    # Pairs whose closing is due (closed, or still open after the programme's end).
    due_to_close: int = 0
    closed: int = 0
    continuation_agreed: int = 0

    @property
    def stranded(self) -> int:
        """Mentees of an early ending who are neither matched again, nor waiting, nor gone."""
        return self.ended_early - self.rematched - self.back_in_pool - self.left


@dataclass
class PeopleFacts:
    applied: int = 0
    waiting_long: int = 0
    mentors: int = 0
    mentors_screened: int = 0
    mentees: int = 0
    mentees_with_line_manager: int = 0
    mentees_approved_by_line_manager: int = 0
    past_preparation: int = 0
    attended_preparation: int = 0
    mentor_questions_about_partners: int = 0
    mentee_questions_about_partners: int = 0


@dataclass
class SurveyFacts:
    """One survey: invited and (when the pattern shows it) answered, counted once closed."""

    wave: str
    wave_label: str
    opens_at: dt.datetime
    closes_at: dt.datetime
    closed: bool
    invited: int
    answered: int | None


@dataclass
class EventFacts:
    preparation_held: int = 0
    preparation_planned: int = 0
    last_preparation: dt.datetime | None = None
    support_events: int = 0
    peer_groups: int = 0
    midway_planned: bool = False


@dataclass
class Facts:
    programme: Programme
    now: dt.datetime
    today: dt.date
    pairs: PairFacts
    people: PeopleFacts
    events: EventFacts
    surveys: list[SurveyFacts] = field(default_factory=list)
    feedback_moments: int = 0
    feedback_given: int = 0
    recordings: int = 0
    recordings_without_consent: int = 0
    recordings_overdue: int = 0
    stories: int = 0
    stories_published: int = 0

    @property
    def started(self) -> bool:
        return self.programme.has_begun(self.today)

    @property
    def ended(self) -> bool:
        end = self.programme.end_date
        return end is not None and end < self.today


def _pair_facts(programme: Programme, now: dt.datetime) -> PairFacts:
    held = Meeting.objects.filter(pair=OuterRef("pk"), cancelled_at__isnull=True, starts_at__lt=now)
    latest = Agreement.objects.filter(pair=OuterRef("pk")).order_by("-version")
    rows = list(
        Pair.objects.filter(programme=programme)
        .annotate(
            explained=Case(
                When(explanation="", then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
            met=Exists(held),
            rated=Exists(
                held.filter(Q(mentee_rating__isnull=False) | Q(mentor_rating__isnull=False))
            ),
            has_goal=Exists(Goal.objects.filter(pair=OuterRef("pk"))),
            has_agreement=Exists(latest),
            # Every change of an agreement is a new version both sign again: the latest counts.
            mentee_signed=Subquery(latest.values("mentee_signed_at")[:1]),
            mentor_signed=Subquery(latest.values("mentor_signed_at")[:1]),
            followed=Exists(FollowUp.objects.filter(pair=OuterRef("pk"))),
        )
        .values_list(
            "pk",
            "mentee_id",
            "started_at",
            "ended_at",
            "explained",
            "met",
            "rated",
            "has_goal",
            "has_agreement",
            "mentee_signed",
            "mentor_signed",
            "followed",
        )
    )
    closures = {
        pair_id: bool(mentee and mentee == mentor)
        for pair_id, mentee, mentor in Closure.objects.filter(
            pair__programme=programme, mentee_done_at__isnull=False, mentor_done_at__isnull=False
        ).values_list("pair_id", "mentee_continuation", "mentor_continuation")
    }
    statuses = dict(
        Participant.objects.filter(programme=programme, role=ParticipantRole.MENTEE).values_list(
            "pk", "status"
        )
    )
    starts: dict[int, list[dt.datetime]] = defaultdict(list)
    for _pk, mentee_id, started_at, *_rest in rows:
        starts[mentee_id].append(started_at)
    end = programme.end_date
    ended = end is not None and end < timezone.localdate(now)
    facts = PairFacts(total=len(rows))
    for row in rows:
        (pk, mentee_id, started_at, ended_at, explained, met, rated, has_goal) = row[:8]
        has_agreement, mentee_signed, mentor_signed, followed = row[8:]
        facts.active += ended_at is None
        facts.explained += explained
        facts.met += met
        facts.rated += rated
        facts.with_objectives += has_goal or has_agreement
        facts.with_agreement += has_agreement
        facts.signed += bool(mentee_signed and mentor_signed)
        facts.followed_up += followed
        if pk in closures:
            facts.closed += 1
            facts.due_to_close += 1
            facts.continuation_agreed += closures[pk]
            continue
        if ended_at is not None and (end is None or timezone.localdate(ended_at) < end):
            facts.ended_early += 1
            if any(other >= ended_at for other in starts[mentee_id]):
                facts.rematched += 1
            elif statuses.get(mentee_id) in BACK_IN_POOL:
                facts.back_in_pool += 1
            elif statuses.get(mentee_id) in LEFT:
                facts.left += 1
        elif ended:
            facts.due_to_close += 1
    goals = Goal.objects.filter(pair__programme=programme).aggregate(
        n=Count("pk"), reached=Count("pk", filter=Q(progress__gte=100))
    )
    facts.goals, facts.goals_reached = goals["n"], goals["reached"]
    facts.at_risk = sum(1 for health in programme_health(programme, now=now) if health.at_risk)
    return facts


def _people_facts(programme: Programme, now: dt.datetime) -> PeopleFacts:
    participants = Participant.objects.filter(programme=programme)
    mentors = participants.filter(role=ParticipantRole.MENTOR, status__in=TAKING_PART)
    mentees = participants.filter(role=ParticipantRole.MENTEE, status__in=TAKING_PART)
    with_line_manager = mentees.filter(person__manager__isnull=False)
    past = participants.filter(status__in=PAST_PREPARATION)
    # Questions through which a participant says whom they would (not) like to be paired with.
    questions = programme.questions.filter(
        Q(maps_to__in=[ProfileField.PREFERENCES, ProfileField.EXCLUSIONS])
        | Q(kind=QuestionKind.PREFERRED_MENTORS)
    )
    return PeopleFacts(
        applied=participants.exclude(status=S.INVITED).count(),
        waiting_long=participants.filter(
            status__in=WAITING, status_changed_at__lt=now - dt.timedelta(days=WAITING_DAYS)
        ).count(),
        mentors=mentors.count(),
        mentors_screened=mentors.filter(screening_outcome=ScreeningOutcome.PASSED).count(),
        mentees=mentees.count(),
        mentees_with_line_manager=with_line_manager.count(),
        mentees_approved_by_line_manager=with_line_manager.filter(
            line_manager_decision=LineManagerDecision.APPROVED
        ).count(),
        past_preparation=past.count(),
        attended_preparation=past.filter(
            attendance__attended=True, attendance__event__kind=EventKind.WORKSHOP
        )
        .distinct()
        .count(),
        mentor_questions_about_partners=questions.filter(role=ParticipantRole.MENTOR).count(),
        mentee_questions_about_partners=questions.filter(role=ParticipantRole.MENTEE).count(),
    )


def _event_facts(programme: Programme, now: dt.datetime) -> EventFacts:
    events = programme.events.all()
    preparation = events.filter(kind=EventKind.WORKSHOP)
    held = preparation.filter(starts_at__lt=now)
    last = held.order_by("-starts_at").values_list("starts_at", flat=True).first()
    return EventFacts(
        preparation_held=held.count(),
        preparation_planned=preparation.filter(starts_at__gte=now).count(),
        last_preparation=last,
        support_events=events.exclude(kind=EventKind.WORKSHOP).count(),
        peer_groups=PeerGroup.objects.filter(programme=programme, published=True).count(),
        midway_planned=programme.touchpoints.filter(kind=TouchpointKind.MIDWAY).exists(),
    )


def _counts(model: Any, programme: Programme) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(dict)
    rows = (
        model.objects.filter(survey__programme=programme)
        .values_list("survey_id", "role")
        .annotate(n=Count("pk"))
    )
    for survey_id, role, n in rows:
        result[survey_id][role] = n
    return result


def _survey_facts(programme: Programme, now: dt.datetime) -> list[SurveyFacts]:
    invited = _counts(Invitation, programme)
    answered = _counts(Response, programme)
    result = []
    for survey in Survey.objects.filter(programme=programme).order_by("opens_at", "pk"):
        closed = survey.closes_at <= now
        shown: int | None = None
        if closed:
            # The outcome report's own pattern for this survey: the total it shows, or none.
            asked = invited.get(survey.pk, {})
            groups = groups_asked(survey.roles, asked)
            shown = response_pattern(groups, asked, answered.get(survey.pk, {})).value(TOTAL)
        result.append(
            SurveyFacts(
                wave=survey.wave,
                wave_label=str(survey.get_wave_display()),
                opens_at=survey.opens_at,
                closes_at=survey.closes_at,
                closed=closed,
                invited=sum(invited.get(survey.pk, {}).values()),
                answered=shown,
            )
        )
    return result


def gather(programme: Programme, *, now: dt.datetime) -> Facts:
    """Every fact the evidence pack scores, as of `now`."""
    today = timezone.localdate(now)
    recordings = Recording.objects.filter(meeting__pair__programme=programme)
    stored = recordings.exclude(file="")
    stories = Story.objects.filter(pair__programme=programme)
    return Facts(
        programme=programme,
        now=now,
        today=today,
        pairs=_pair_facts(programme, now),
        people=_people_facts(programme, now),
        events=_event_facts(programme, now),
        surveys=_survey_facts(programme, now),
        feedback_moments=programme.feedback_moments.count(),
        feedback_given=Feedback.objects.filter(pair__programme=programme).count(),
        recordings=recordings.count(),
        recordings_without_consent=stored.filter(
            Q(mentee_consent_at__isnull=True) | Q(mentor_consent_at__isnull=True)
        ).count(),
        # The daily purge deletes a recording on its date; one still stored after it is late.
        recordings_overdue=stored.filter(deleted_at__isnull=True, delete_on__lt=today).count(),
        stories=stories.count(),
        stories_published=stories.filter(status=StoryStatus.APPROVED).count(),
    )
