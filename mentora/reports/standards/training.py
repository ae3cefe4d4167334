"""Standard 2, stakeholder training and briefing: preparation before matching, line
managers involved, learning support throughout."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from mentora.reports.standards.context import Context
from mentora.reports.standards.model import (
    MET,
    NOT_MET,
    PARTLY,
    Criterion,
    Standard,
    local_date,
    share_criterion,
)


def standard(ctx: Context) -> Standard:
    people, events, facts = ctx.people, ctx.facts.events, ctx.facts
    workshops = ctx.link(_("Workshops"), "programme_events")
    evidence = [
        ngettext(
            "%(n)s preparation workshop held.",
            "%(n)s preparation workshops held.",
            events.preparation_held,
        )
        % {"n": events.preparation_held}
    ]
    if events.last_preparation is not None:
        evidence.append(
            _("The last was held on %(date)s.") % {"date": local_date(events.last_preparation)}
        )
    if events.preparation_planned:
        evidence.append(
            ngettext("%(n)s more planned.", "%(n)s more planned.", events.preparation_planned)
            % {"n": events.preparation_planned}
        )
    support = events.support_events + events.peer_groups
    return Standard(
        2,
        "training",
        _("Stakeholder training and briefing"),
        _(
            "Participants and stakeholders understand mentoring and their roles in it, "
            "know the skills their role asks for, and have learning support throughout "
            "their first year."
        ),
        [
            Criterion(
                "preparation_planned",
                _("Preparation and training planned"),
                1,
                ctx.from_health("training"),
                evidence,
                _("Plan preparation workshops for mentors and mentees before matching."),
                [workshops],
            ),
            share_criterion(
                "prepared",
                _("Participants prepared before they are matched"),
                3,
                people.attended_preparation,
                people.past_preparation,
                ngettext_lazy(
                    "%(n)s of %(total)s participant past preparation attended a workshop.",
                    "%(n)s of %(total)s participants past preparation attended a workshop.",
                    "total",
                ),
                none=_("No participant has reached preparation yet."),
                gap=_("Record attendance at the workshops, and prepare those who missed them."),
                links=[workshops, ctx.link(_("Participants"), "programme_pipeline")],
                due=facts.started or people.past_preparation > 0,
            ),
            share_criterion(
                "line_managers",
                _("Line managers involved"),
                2,
                people.mentees_approved_by_line_manager,
                people.mentees_with_line_manager,
                ngettext_lazy(
                    "%(n)s of %(total)s mentee with a line manager was approved by them.",
                    "%(n)s of %(total)s mentees with a line manager were approved by them.",
                    "total",
                ),
                none=_("No mentee taking part has a line manager on record.")
                if people.mentees
                else _("No mentee is taking part yet."),
                gap=_(
                    "Import reporting lines from HR, so that each mentee's line manager "
                    "approves and aligns with them before the first meeting."
                ),
                links=[ctx.link(_("Participants"), "programme_pipeline")],
                due=facts.started or people.mentees > 0,
            ),
            Criterion(
                "support",
                _("Learning support throughout the programme"),
                1,
                MET if support else PARTLY if events.midway_planned else NOT_MET,
                [
                    ngettext(
                        "%(n)s master class, peer-group or networking meeting.",
                        "%(n)s master classes, peer-group or networking meetings.",
                        events.support_events,
                    )
                    % {"n": events.support_events},
                    ngettext(
                        "%(n)s peer group formed.",
                        "%(n)s peer groups formed.",
                        events.peer_groups,
                    )
                    % {"n": events.peer_groups},
                    _("The conversation toolbox is open to every pair."),
                ],
                _(
                    "Plan master classes or peer-group meetings for the middle of the "
                    "programme, where pairs often run out of topics."
                ),
                [workshops],
                due=facts.started,
            ),
        ],
    )
