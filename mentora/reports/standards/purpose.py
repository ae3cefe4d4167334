"""Standard 1, clarity of purpose: a need with measurable goals, backed from the top,
turned into each relationship's own objectives."""

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
)


def standard(ctx: Context) -> Standard:
    programme, pairs, facts = ctx.programme, ctx.pairs, ctx.facts
    goals = programme.goals.count()
    sponsors = programme.sponsors.count()
    return Standard(
        1,
        "purpose",
        _("Clarity of purpose"),
        _(
            "The programme's strategic drivers and objectives are clearly defined, "
            "everyone involved understands its intended outcomes, and each relationship "
            "turns them into learning objectives of its own."
        ),
        [
            Criterion(
                "need",
                _("A clearly defined need with measurable goals"),
                3,
                ctx.from_health("purpose"),
                [
                    _("A purpose is written.")
                    if programme.purpose.strip()
                    else _("No purpose is written."),
                    ngettext("%(n)s measurable goal.", "%(n)s measurable goals.", goals)
                    % {"n": goals},
                ],
                _("Write the need the programme answers and its measurable goals."),
                ctx.design_links(),
            ),
            Criterion(
                "sponsor",
                _("Visible support from top management"),
                2,
                ctx.from_health("sponsor"),
                [
                    ngettext("%(n)s sponsor named.", "%(n)s sponsors named.", sponsors)
                    % {"n": sponsors}
                ],
                _("Name a sponsor from top management who backs the programme."),
                ctx.design_links(),
            ),
            ctx.check_criterion(
                "own_goals",
                _("Participants state their own goals"),
                1,
                "expectations",
                there=_("The application form asks participants about their goals."),
                missing=_("The application form does not ask participants about their goals."),
                gap=_("Ask about each participant's goals in the application form."),
                links=[ctx.link(_("Questionnaire"), "programme_questionnaire", manage_only=True)],
            ),
            ctx.pair_share(
                "objectives",
                _("Each relationship has learning objectives of its own"),
                2,
                pairs.with_objectives,
                ngettext_lazy(
                    "%(n)s of %(total)s pair has recorded learning objectives.",
                    "%(n)s of %(total)s pairs have recorded learning objectives.",
                    "total",
                ),
                more=[
                    ngettext(
                        "%(reached)s of %(n)s learning theme reached.",
                        "%(reached)s of %(n)s learning themes reached.",
                        pairs.goals,
                    )
                    % {"reached": pairs.goals_reached, "n": pairs.goals}
                ],
                gap=_("Ask every pair to record its learning themes at its first meeting."),
                none_gap=_("No pairs yet: each pair sets its objectives at its first meeting."),
                links=[ctx.link(_("Pairs"), "programme_pairs", manage_only=True)],
            ),
            Criterion(
                "stories",
                _("Benefits made visible: stories shared with consent"),
                1,
                MET if facts.stories_published else PARTLY if facts.stories else NOT_MET,
                [
                    ngettext(
                        "%(n)s story shared with consent, %(published)s published.",
                        "%(n)s stories shared with consent, %(published)s published.",
                        facts.stories,
                    )
                    % {"n": facts.stories, "published": facts.stories_published}
                ],
                _("Invite pairs to share their story at the closing, and publish it."),
                [ctx.link(_("Stories"), "programme_stories")],
                due=facts.ended,
            ),
        ],
    )
