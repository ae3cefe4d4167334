"""The dashboard's work for mentors, mentees and line managers in an organisation.

Everything here is read through the apps' own queries and rules (the pair's health and
toolbox phase, the events and approvals pages' queries), a fixed number of queries however
many pairs, goals and meetings there are. A pair's own texts reach only its two members;
a line manager gets the learning themes and progress that `team_goals` shows, nothing more.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch, Q
from django.utils import timezone, translation

from mentora.accounts.models import Organisation, Role
from mentora.events.access import own_upcoming_events
from mentora.events.models import Event, EventRegistration
from mentora.people.models import label_related
from mentora.programmes.access import line_manager_mentees, participations_of
from mentora.programmes.models import Participant, Touchpoint
from mentora.programmes.models import ParticipantStatus as S
from mentora.relationships.access import team_goal_pairs
from mentora.relationships.health import pair_health
from mentora.relationships.models import Agreement, Goal, Meeting, Pair
from mentora.relationships.services.workspace import pair_side
from mentora.relationships.toolbox import in_phase, phase_of, toolboxes_for
from mentora.rounds.models import Introduction, IntroductionStatus, RoundStatus, Suggestion
from mentora.surveys.models import Invitation

# "This month" on the dashboard: what falls in the coming month.
MONTH = dt.timedelta(days=31)
# Where someone who applied stands before they are matched.
NOT_MATCHED_YET = (
    S.INVITED,
    S.APPLIED,
    S.UNDER_REVIEW,
    S.NEEDS_LINE_MANAGER,
    S.APPROVED,
    S.TRAINED,
    S.READY,
)


@dataclass
class Tip:
    """A tool of the toolbox, in the reader's language."""

    title: str
    body: str


@dataclass
class PairWork:
    """One of the reader's own pairs, as the reader (its mentee or its mentor) sees it."""

    pair: Pair
    side: str
    partner: Participant
    next_meeting: Meeting | None
    agreement: Agreement | None
    open_goals: list[Goal]
    goals_reached: int
    held: int
    touchpoints: list[Touchpoint]
    prepare: Tip | None
    suggestion: Tip | None

    @property
    def agreement_state(self) -> str:
        """ "none", "draft" (not yet signed by both) or "agreed"."""
        if self.agreement is None:
            return "none"
        return "agreed" if self.agreement.is_signed else "draft"

    @property
    def signed_by_me(self) -> bool:
        return bool(self.agreement and getattr(self.agreement, f"{self.side}_signed_at"))


@dataclass
class ParticipantWork:
    """What needs a mentor's, a mentee's or a line manager's attention in one organisation."""

    is_participant: bool = False
    is_line_manager: bool = False
    pairs: list[PairWork] = field(default_factory=list)
    waiting: list[Participant] = field(default_factory=list)
    choosing: int = 0
    introductions: int = 0
    events: list[tuple[Event, EventRegistration | None]] = field(default_factory=list)
    surveys: list[Invitation] = field(default_factory=list)
    approvals: int = 0
    team: list[Pair] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.is_participant or self.is_line_manager

    @property
    def has_participant_work(self) -> bool:
        return bool(self.pairs or self.waiting or self.choosing or self.introductions)


def participant_work(
    user: Any, organisation: Organisation, roles: list[str]
) -> ParticipantWork | None:
    is_participant = Role.MENTOR in roles or Role.MENTEE in roles
    is_line_manager = Role.LINE_MANAGER in roles
    if not (is_participant or is_line_manager):
        return None
    now = timezone.now()
    work = ParticipantWork(is_participant=is_participant, is_line_manager=is_line_manager)
    if is_participant:
        work.pairs = _own_pairs(user, organisation, now)
        work.waiting = list(
            participations_of(user)
            .filter(person__organisation=organisation, status__in=NOT_MATCHED_YET)
            .select_related("programme")
            .order_by("programme__name", "pk")
        )
        work.choosing = (
            Suggestion.objects.filter(
                mentee__user_id=user.pk,
                mentee__person__organisation=organisation,
                matching_round__status=RoundStatus.CHOOSING,
                choice_rank__isnull=True,
            )
            .values("matching_round")
            .distinct()
            .count()
        )
        # An introduction waits for the reader until their own side has answered.
        work.introductions = Introduction.objects.filter(
            Q(mentee__user_id=user.pk, mentee__person__organisation=organisation, mentee_answer="")
            | Q(
                mentor__user_id=user.pk,
                mentor__person__organisation=organisation,
                mentor_answer="",
            ),
            status=IntroductionStatus.PENDING,
        ).count()
        work.events = own_upcoming_events(user, organisation=organisation, until=now + MONTH)
    if is_line_manager:
        work.approvals = (
            line_manager_mentees(user)
            .filter(person__organisation=organisation)
            .awaiting_line_manager()
            .count()
        )
        work.team = list(team_goal_pairs(user).filter(mentee__person__organisation=organisation))
    # Surveys reach participants and line managers alike; a closed one is no longer work.
    work.surveys = [
        invitation
        for invitation in Invitation.objects.filter(
            user_id=user.pk,
            person__organisation=organisation,
            answered_at__isnull=True,
            survey__closes_at__gt=now,
        )
        .select_related("survey__programme")
        .order_by("survey__closes_at", "pk")
        if invitation.survey.is_open(now)
    ]
    return work


def _own_pairs(user: Any, organisation: Organisation, now: dt.datetime) -> list[PairWork]:
    today = timezone.localdate(now)
    pairs = list(
        Pair.objects.active()
        .filter(
            Q(mentee__user_id=user.pk, mentee__person__organisation=organisation)
            | Q(mentor__user_id=user.pk, mentor__person__organisation=organisation)
        )
        .select_related(
            "programme", *label_related("mentee__person"), *label_related("mentor__person")
        )
        .prefetch_related(
            "meetings",
            "agreements",
            "goals",
            # What the pair's health reads besides: its pauses and the ladder's steps.
            "pauses",
            "escalations",
            Prefetch(
                "programme__touchpoints",
                queryset=Touchpoint.objects.filter(date__gte=today, date__lt=today + MONTH),
                to_attr="touchpoints_this_month",
            ),
        )
        .order_by("started_at", "pk")
    )
    toolboxes = toolboxes_for({pair.programme_id for pair in pairs})
    language = translation.get_language() or "en"
    rows = []
    for pair in pairs:
        side = pair_side(pair, user) or "mentee"
        health = pair_health(pair, now=now)
        phase = phase_of(health.elapsed)
        tools = in_phase(toolboxes[pair.programme_id], phase)
        upcoming = [m for m in pair.meetings.all() if m.cancelled_at is None and m.starts_at >= now]
        agreements = sorted(pair.agreements.all(), key=lambda a: -a.version)
        goals = list(pair.goals.all())
        rows.append(
            PairWork(
                pair=pair,
                side=side,
                partner=pair.mentor if side == "mentee" else pair.mentee,
                next_meeting=min(upcoming, key=lambda m: m.starts_at, default=None),
                agreement=agreements[0] if agreements else None,
                open_goals=[g for g in goals if g.progress < 100],
                goals_reached=sum(1 for g in goals if g.progress >= 100),
                held=health.held,
                touchpoints=pair.programme.touchpoints_this_month,  # type: ignore[attr-defined]
                prepare=_tip(_first(tools, "agenda", phase), language),
                suggestion=_tip(
                    _first(tools, "questions", phase) or _first(tools, None, phase), language
                ),
            )
        )
    return rows


def _first(tools: list[Any], kind: str | None, phase: str) -> Any:
    """The tool of `kind` (any kind for None) meant for `phase` itself, else one for any time."""
    fitting = [t for t in tools if kind is None or t.kind == kind]
    return next((t for t in fitting if t.phase == phase), fitting[0] if fitting else None)


def _tip(tool: Any, language: str) -> Tip | None:
    return Tip(tool.title(language), tool.body(language)) if tool is not None else None
