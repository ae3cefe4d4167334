"""Standard 6, administration and support: a named manager, a plan, answers for
applicants, and support for every pair until an agreed closing."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from mentora.programmes.health import GREEN, RED
from mentora.programmes.models import TouchpointKind
from mentora.reports.standards.context import Context
from mentora.reports.standards.facts import WAITING_DAYS
from mentora.reports.standards.model import (
    MET,
    NOT_MET,
    PARTLY,
    Criterion,
    Standard,
    local_date,
    status_by_share,
)


def standard(ctx: Context) -> Standard:
    programme, pairs, people, facts = ctx.programme, ctx.pairs, ctx.people, ctx.facts
    managers = programme.managers.count()
    kinds = set(programme.touchpoints.values_list("kind", flat=True))
    wanted = [TouchpointKind.KICKOFF, TouchpointKind.MIDWAY, TouchpointKind.CLOSING]
    missing = [str(TouchpointKind(k).label) for k in wanted if k not in kinds]
    time_light = ctx.health["time"].light
    plan_status = (
        MET if time_light == GREEN and not missing else NOT_MET if time_light == RED else PARTLY
    )
    if programme.rolling:
        began = programme.began_on()
        dates = _("Rolling intake since %(start)s, with no end date.") % {
            "start": local_date(began) if began else "—"
        }
    elif programme.start_date and programme.end_date:
        dates = _("Runs from %(start)s to %(end)s (%(months)s months).") % {
            "start": local_date(programme.start_date),
            "end": local_date(programme.end_date),
            "months": round(programme.duration_months() or 0),
        }
    else:
        dates = _("No start and end dates yet.")
    if not people.applied:
        applications = NOT_MET
    elif not people.waiting_long:
        applications = MET
    else:
        applications = PARTLY if 5 * people.waiting_long <= people.applied else NOT_MET
    pair_health = ctx.link(_("Relationship health"), "pair_health", manage_only=True)
    return Standard(
        6,
        "administration",
        _("Administration and support"),
        _(
            "The programme is run by someone named, to a plan, and supports its "
            "participants from application to closing."
        ),
        [
            Criterion(
                "manager",
                _("A named programme manager"),
                2,
                ctx.from_health("manager"),
                [
                    ngettext(
                        "%(n)s programme manager named.",
                        "%(n)s programme managers named.",
                        managers,
                    )
                    % {"n": managers}
                ],
                _("Name the programme manager who runs the programme."),
                ctx.design_links(),
            ),
            Criterion(
                "plan",
                _("Duration and touchpoints planned"),
                2,
                plan_status,
                [dates]
                + (
                    [_("Missing touchpoints: %(kinds)s.") % {"kinds": ", ".join(missing)}]
                    if missing
                    else [_("Kick-off, midway and closing touchpoints are planned.")]
                ),
                _(
                    "Set start and end dates 6 to 18 months apart, ask about availability, "
                    "and plan a kick-off, a midway check-in and a closing."
                ),
                [ctx.link(_("Touchpoints"), "programme_detail", "touchpoints")],
            ),
            Criterion(
                "applications",
                _("Applicants get an answer in time"),
                1,
                applications,
                [
                    ngettext("%(n)s applicant.", "%(n)s applicants.", people.applied)
                    % {"n": people.applied},
                    ngettext(
                        "%(n)s has waited more than %(days)s days for a decision.",
                        "%(n)s have waited more than %(days)s days for a decision.",
                        people.waiting_long,
                    )
                    % {"n": people.waiting_long, "days": WAITING_DAYS},
                ],
                _("Decide on waiting applications, or remind their line managers.")
                if people.applied
                else _("No one has applied yet."),
                [ctx.link(_("Participants"), "programme_pipeline")],
            ),
            ctx.pair_share(
                "meeting",
                _("Pairs keep meeting"),
                2,
                pairs.met,
                ngettext_lazy(
                    "%(n)s of %(total)s pair has met.",
                    "%(n)s of %(total)s pairs have met.",
                    "total",
                ),
                gap=_("Call the pairs that have not met; offer a rematch where it does not work."),
                none_gap=_("No pairs yet."),
                links=[pair_health],
            ),
            ctx.pair_share(
                "follow_up",
                _("The programme manager follows up with every pair"),
                2,
                pairs.followed_up,
                ngettext_lazy(
                    "%(n)s of %(total)s pair has had a check-in with the programme manager.",
                    "%(n)s of %(total)s pairs have had a check-in with the programme manager.",
                    "total",
                ),
                gap=_("Check in with each pair at least once, and record it."),
                none_gap=_("No pairs yet."),
                links=[pair_health],
            ),
            Criterion(
                "closure",
                _("A closing with an agreed next step"),
                2,
                status_by_share(pairs.continuation_agreed, pairs.due_to_close),
                [
                    ngettext(
                        "%(n)s of %(total)s pair due to close has closed.",
                        "%(n)s of %(total)s pairs due to close have closed.",
                        pairs.due_to_close,
                    )
                    % {"n": pairs.closed, "total": pairs.due_to_close},
                    ngettext(
                        "%(n)s agreed together what happens next.",
                        "%(n)s agreed together what happens next.",
                        pairs.continuation_agreed,
                    )
                    % {"n": pairs.continuation_agreed},
                ]
                if pairs.due_to_close
                else [_("No pair is due to close yet.")],
                _(
                    "Invite the pairs to close: a final reflection, thanks to each other, "
                    "and an agreed next step."
                ),
                [ctx.link(_("Stories"), "programme_stories")],
                due=facts.ended,
            ),
        ],
    )
