"""The dashboard's work for those who run mentoring in an organisation: programme managers,
organisation admins and sponsors.

Everything is read in a fixed number of queries for all of a person's programmes (counts
grouped by programme, pairs with their facts prefetched), plus the health check and, for
sponsors, the outcome report of each programme. Nothing a pair wrote is read for display:
pairs' health comes from facts only, and sponsors see only the report's published figures.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from mentora.accounts.models import Membership, Organisation, Role
from mentora.events.models import Event, RegistrationStatus
from mentora.people.models import FINISHED_STATUSES, ImportRun, ImportStatus, Person
from mentora.programmes.access import programmes_run_by
from mentora.programmes.health import AMBER, RED, health_items
from mentora.programmes.models import (
    Participant,
    ParticipantRole,
    ParticipantStatus,
    Programme,
)
from mentora.programmes.services.reminders import approval_overdue
from mentora.relationships.health import Health, programmes_health
from mentora.relationships.models import Pair, PairEndCause, SupportSettings
from mentora.reports.aggregates import build_report
from mentora.reports.organisation import phase
from mentora.reports.summary import Verdict, summarise
from mentora.rounds.models import MatchingRound, RoundStatus
from mentora.surveys.models import Survey

S = ParticipantStatus

# A workshop is worth filling when it starts within this many days.
WORKSHOP_SOON_DAYS = 14
# Pairs ended by a leave date are shown this long, so the partner can be matched again.
LEFT_RECENTLY_DAYS = 30
# A survey is worth a reminder when it closes within this many days.
SURVEY_CLOSING_DAYS = 7
# How many of the organisation's latest people imports the admin sees.
RECENT_IMPORTS = 3

# The tone of an outcome goal's verdict, on its badge.
VERDICT_TONES = {Verdict.MET: "ok", Verdict.NOT_MET: "bad"}


@dataclass(frozen=True)
class Action:
    """Something that needs the reader now: a sentence with its count, and where to act."""

    programme: str
    text: str
    url: str
    tone: str = "warn"


@dataclass(frozen=True)
class Badge:
    tone: str
    text: str
    url: str = ""


@dataclass(frozen=True)
class Tile:
    value: int
    label: Any
    url: str


@dataclass
class ProgrammeGlance:
    programme: Programme
    url: str
    phase: str
    pipeline: list[Tile]
    checks: Badge
    lights: list[tuple[str, str]]


@dataclass
class ManagerWork:
    actions: list[Action]
    programmes: list[ProgrammeGlance]


@dataclass
class AdminWork:
    people: int
    last_done: ImportRun | None
    last_failed: ImportRun | None
    recent: list[tuple[ImportRun, str]]
    roles: list[Tile]
    pending_invitations: int
    members_url: str
    import_url: str
    directory_url: str


@dataclass
class GoalResult:
    text: str
    result: str
    verdict: Badge


@dataclass
class SponsoredProgramme:
    programme: Programme
    phase: str
    goals: list[GoalResult]
    met: int
    measured: int
    report_url: str


@dataclass
class StaffWork:
    organisation: Organisation
    manager: ManagerWork | None = None
    admin: AdminWork | None = None
    sponsored: list[SponsoredProgramme] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.manager or self.admin or self.sponsored)


def staff_work(user: Any, organisation: Organisation, roles: list[str]) -> Any:
    now = timezone.now()
    work = StaffWork(organisation)
    managed = list(programmes_run_by(user, organisation).order_by("-start_date", "name", "pk"))
    if managed:
        work.manager = _manager_work(managed, now)
    if Role.ORG_ADMIN in roles:
        work.admin = _admin_work(organisation)
    # What a person sponsors, whatever their role: the outcome pages follow the same rule.
    sponsored = Programme.objects.filter(organisation=organisation, sponsors=user.pk).order_by(
        "-start_date", "name", "pk"
    )
    work.sponsored = [_sponsored(programme, now) for programme in sponsored]
    return work if work else None


# Programme managers --------------------------------------------------------------------------


def _pipeline_url(programme: Programme, **filters: str) -> str:
    url = reverse("programme_pipeline", args=[programme.pk])
    return f"{url}?{urlencode(filters)}" if filters else url


def _date(value: dt.datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def _manager_work(programmes: list[Programme], now: dt.datetime) -> ManagerWork:
    ids = [p.pk for p in programmes]
    participants = Participant.objects.filter(programme_id__in=ids)
    counts: dict[int, Counter[str]] = defaultdict(Counter)
    for programme_id, status, n in (
        participants.values_list("programme_id", "status").annotate(n=Count("pk")).order_by()
    ):
        counts[programme_id][status] = n
    screening = _grouped(
        participants.filter(
            role=ParticipantRole.MENTOR,
            status__in=[S.APPLIED, S.UNDER_REVIEW],
            screening_outcome="",
            screening_at__isnull=True,
        )
    )
    overdue = _grouped(participants.awaiting_line_manager().filter(approval_overdue(now)))
    left = _grouped(
        Pair.objects.filter(
            programme_id__in=ids,
            end_cause__in=[PairEndCause.MENTEE_LEFT, PairEndCause.MENTOR_LEFT],
            ended_at__gte=now - dt.timedelta(days=LEFT_RECENTLY_DAYS),
        )
    )
    health = programmes_health(ids, now=now)
    ladders = {s.programme_id: s for s in SupportSettings.objects.filter(programme_id__in=ids)}
    actions: list[Action] = []
    for programme in programmes:
        actions += _alert_actions(programme, health.get(programme.pk, []))
        actions += _programme_actions(
            programme,
            counts[programme.pk],
            screening.get(programme.pk, 0),
            overdue.get(programme.pk, 0),
            health.get(programme.pk, []),
            ladders.get(programme.pk) or SupportSettings(),
            left.get(programme.pk, 0),
        )
    names = {p.pk: p.name for p in programmes}
    actions += _round_actions(ids, names)
    actions += _workshop_actions(ids, names, now)
    actions += _survey_actions(ids, names, now)
    today = timezone.localtime(now).date()
    glances = [
        _glance(programme, counts[programme.pk], health.get(programme.pk, []), today)
        for programme in programmes
    ]
    return ManagerWork(actions=actions, programmes=glances)


def _grouped(queryset: Any) -> dict[int, int]:
    return dict(queryset.values_list("programme_id").annotate(n=Count("pk")).order_by())


def _programme_actions(
    programme: Programme,
    counts: Counter[str],
    screening: int,
    overdue: int,
    health: list[Health],
    ladder: SupportSettings,
    left: int = 0,
) -> list[Action]:
    health_url = reverse("pair_health", args=[programme.pk])
    # A pair quiet for as long as the programme's nudge is worth a call, whatever its light;
    # the ladder's alert names each pair it reaches on its own line.
    quiet_days = ladder.nudge_after_days
    # The programme team's check-ins with each pair are its follow-ups.
    without_follow_up = sum(1 for h in health if not h.pair.follow_ups.all())
    counted = [
        (
            counts[S.APPLIED],
            ngettext_lazy(
                "%(count)s new application to review",
                "%(count)s new applications to review",
                "count",
            ),
            _pipeline_url(programme, status=S.APPLIED),
            "warn",
        ),
        (
            counts[S.UNDER_REVIEW],
            ngettext_lazy(
                "%(count)s application under review to decide",
                "%(count)s applications under review to decide",
                "count",
            ),
            _pipeline_url(programme, status=S.UNDER_REVIEW),
            "warn",
        ),
        (
            screening,
            ngettext_lazy(
                "%(count)s mentor screening interview to book",
                "%(count)s mentor screening interviews to book",
                "count",
            ),
            _pipeline_url(programme, role=ParticipantRole.MENTOR),
            "warn",
        ),
        (
            overdue,
            ngettext_lazy(
                "%(count)s line-manager approval overdue",
                "%(count)s line-manager approvals overdue",
                "count",
            ),
            _pipeline_url(programme, status=S.NEEDS_LINE_MANAGER),
            "bad",
        ),
        (
            sum(1 for h in health if h.at_risk),
            ngettext_lazy("%(count)s pair at risk", "%(count)s pairs at risk", "count"),
            health_url,
            "bad" if any(h.light == RED for h in health) else "warn",
        ),
        (
            sum(
                1
                for h in health
                if quiet_days and h.quiet_days >= quiet_days and h.paused is None and not h.alerted
            ),
            ngettext_lazy(
                "%(count)s pair has not met for %(days)s days",
                "%(count)s pairs have not met for %(days)s days",
                "count",
            ),
            health_url,
            "warn",
        ),
        (
            left,
            ngettext_lazy(
                "%(count)s pair ended because someone left the organisation",
                "%(count)s pairs ended because someone left the organisation",
                "count",
            ),
            reverse("programme_pairs", args=[programme.pk]),
            "warn",
        ),
        (
            without_follow_up,
            ngettext_lazy(
                "%(count)s pair without a follow-up from the programme team",
                "%(count)s pairs without a follow-up from the programme team",
                "count",
            ),
            health_url,
            "info",
        ),
    ]
    return [
        Action(programme.name, str(text % {"count": n, "days": quiet_days}), url, tone)
        for n, text, url, tone in counted
        if n
    ]


def alert_suggestion(health: Health) -> tuple[str, str]:
    """The action suggested for a pair the escalation ladder brought to the programme team,
    and where to take it: a pair that never met is offered a rematch, one near its end a
    no-fault exit, any other a call to both."""
    programme_id = health.pair.programme_id
    if health.held == 0:
        return _("Suggested: offer a rematch, without blame."), reverse(
            "programme_pairs", args=[programme_id]
        )
    if health.elapsed >= 0.75:
        return _("Suggested: agree a no-fault early end with both."), reverse(
            "programme_pairs", args=[programme_id]
        )
    return _("Suggested: call both of them."), reverse("pair_health", args=[programme_id])


def _alert_actions(programme: Programme, health: list[Health]) -> list[Action]:
    """One line for each pair the escalation ladder brought to the programme team."""
    actions = []
    for item in health:
        if not item.alerted:
            continue
        suggestion, url = alert_suggestion(item)
        text = _("%(mentee)s and %(mentor)s have not met for %(days)s days. %(suggestion)s") % {
            "mentee": item.pair.mentee.person.full_name,
            "mentor": item.pair.mentor.person.full_name,
            "days": item.quiet_days,
            "suggestion": suggestion,
        }
        actions.append(Action(programme.name, text, url, "bad"))
    return actions


def _round_actions(ids: list[int], names: dict[int, str]) -> list[Action]:
    rounds = MatchingRound.objects.filter(programme_id__in=ids, status=RoundStatus.DONE)
    return [
        Action(
            names[r.programme_id],
            _("Matching round %(number)s is ready for review") % {"number": r.number},
            reverse("round_detail", args=[r.pk]),
        )
        for r in rounds.order_by("programme_id", "number")
    ]


def _workshop_actions(ids: list[int], names: dict[int, str], now: dt.datetime) -> list[Action]:
    events = (
        Event.objects.filter(
            programme_id__in=ids,
            capacity__isnull=False,
            starts_at__gte=now,
            starts_at__lte=now + dt.timedelta(days=WORKSHOP_SOON_DAYS),
        )
        .annotate(
            taken=Count(
                "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
            )
        )
        .order_by("starts_at", "pk")
    )
    actions = []
    for event in events:
        free = (event.capacity or 0) - event.taken
        if free > 0:
            actions.append(
                Action(
                    names[event.programme_id],
                    ngettext(
                        "%(title)s on %(date)s has %(count)s free place",
                        "%(title)s on %(date)s has %(count)s free places",
                        free,
                    )
                    % {"title": event.title, "date": _date(event.starts_at), "count": free},
                    reverse("programme_events", args=[event.programme_id]),
                    "info",
                )
            )
    return actions


def _survey_actions(ids: list[int], names: dict[int, str], now: dt.datetime) -> list[Action]:
    surveys = Survey.objects.filter(
        programme_id__in=ids,
        opens_at__lte=now,
        closes_at__gt=now,
        closes_at__lte=now + dt.timedelta(days=SURVEY_CLOSING_DAYS),
    ).order_by("closes_at", "pk")
    return [
        Action(
            names[survey.programme_id],
            _("The survey “%(wave)s” closes on %(date)s")
            % {"wave": survey.get_wave_display(), "date": _date(survey.closes_at)},
            reverse("survey_detail", args=[survey.pk]),
            "info",
        )
        for survey in surveys
    ]


def _glance(
    programme: Programme, counts: Counter[str], health: list[Health], today: dt.date
) -> ProgrammeGlance:
    pipeline = [
        Tile(counts[status], label, _pipeline_url(programme, status=status))
        for status, label in S.choices
        if counts[status]
    ]
    lights = Counter(item.light for item in health_items(programme).values())
    checks_url = reverse("programme_health", args=[programme.pk])
    if lights[RED]:
        checks = Badge(
            "bad",
            ngettext(
                "Health check: %(count)s missing", "Health check: %(count)s missing", lights[RED]
            )
            % {"count": lights[RED]},
            checks_url,
        )
    elif lights[AMBER]:
        checks = Badge(
            "warn",
            ngettext(
                "Health check: %(count)s needs attention",
                "Health check: %(count)s need attention",
                lights[AMBER],
            )
            % {"count": lights[AMBER]},
            checks_url,
        )
    else:
        checks = Badge("ok", _("Health check: all in place"), checks_url)
    pairs = Counter(h.light for h in health)
    pair_lights = [
        (light, text % {"count": pairs[light]})
        for light, text in (
            (
                "green",
                ngettext("%(count)s pair going well", "%(count)s pairs going well", pairs["green"]),
            ),
            (
                "amber",
                ngettext("%(count)s pair to watch", "%(count)s pairs to watch", pairs["amber"]),
            ),
            (
                "red",
                ngettext("%(count)s pair needs help", "%(count)s pairs need help", pairs["red"]),
            ),
        )
        if pairs[light]
    ]
    return ProgrammeGlance(
        programme=programme,
        url=reverse("programme_detail", args=[programme.pk]),
        phase=phase(programme, today),
        pipeline=pipeline,
        checks=checks,
        lights=pair_lights,
    )


# Organisation admins -------------------------------------------------------------------------


def _admin_work(organisation: Organisation) -> AdminWork:
    slug = organisation.slug
    runs = list(organisation.import_runs.order_by("-created_at", "-pk")[:RECENT_IMPORTS])
    last_done = (
        organisation.import_runs.filter(status=ImportStatus.DONE).order_by("-finished_at").first()
    )
    last_finished = (
        organisation.import_runs.filter(status__in=FINISHED_STATUSES)
        .exclude(status=ImportStatus.CANCELLED)
        .order_by("-created_at", "-pk")
        .first()
    )
    failed = (
        last_finished
        if last_finished is not None
        and last_finished.status in (ImportStatus.FAILED, ImportStatus.INVALID)
        else None
    )
    members = organisation.memberships.active()
    by_role = dict(members.values_list("role").annotate(n=Count("user", distinct=True)).order_by())
    members_url = reverse("organisation_members", args=[slug])
    return AdminWork(
        people=Person.objects.filter(organisation=organisation).current().count(),
        last_done=last_done,
        last_failed=failed,
        recent=[(run, reverse("people_import_run", args=[slug, run.pk])) for run in runs],
        roles=[
            Tile(by_role[role], label, members_url)
            for role, label in Role.choices
            if by_role.get(role)
        ],
        pending_invitations=Membership.objects.filter(
            organisation=organisation, user__is_active=True, user__last_login__isnull=True
        )
        .values("user")
        .distinct()
        .count(),
        members_url=members_url,
        import_url=reverse("people_import", args=[slug]),
        directory_url=reverse("people_directory", args=[slug]),
    )


# Sponsors ------------------------------------------------------------------------------------


def _sponsored(programme: Programme, now: dt.datetime) -> SponsoredProgramme:
    """A sponsored programme's goals against its results, as its outcome report publishes
    them: every figure has passed the report's disclosure control."""
    summary = summarise(build_report(programme), now=now)
    return SponsoredProgramme(
        programme=programme,
        phase=phase(programme, timezone.localtime(now).date()),
        goals=[
            GoalResult(
                text=line.goal.text,
                result="" if line.result is None else line.result.text,
                verdict=Badge(VERDICT_TONES.get(line.verdict, "info"), line.verdict.label),
            )
            for line in summary.lines
        ],
        met=summary.met,
        measured=summary.measured,
        report_url=reverse("programme_report", args=[programme.pk]),
    )
