"""Standard 3, selection and matching: clear criteria, explained matches, influence on
both sides, screened mentors, and matches unwound without blame."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from mentora.programmes.models import InfluenceMode
from mentora.reports.standards.context import Context
from mentora.reports.standards.model import (
    MET,
    NOT_MET,
    PARTLY,
    Criterion,
    Standard,
    share_criterion,
    status_by_parts,
)


def standard(ctx: Context) -> Standard:
    programme, pairs, people, facts = ctx.programme, ctx.pairs, ctx.people, ctx.facts
    weights = programme.matching_policy.get("weights", {})
    criteria = sum(1 for value in weights.values() if (value or 0) > 0)
    feeding = programme.questions.exclude(maps_to="").count()
    mode = programme.influence_mode
    mentees_influence = mode != InfluenceMode.MANAGER_PUBLISHES or (
        people.mentee_questions_about_partners > 0
    )
    mentors_influence = mode == InfluenceMode.MUTUAL_OPT_IN or (
        people.mentor_questions_about_partners > 0
    )
    influence = [
        _("How pairs are formed: %(mode)s.") % {"mode": programme.get_influence_mode_display()},
        _("Mentees state whom they would like as a mentor.")
        if mentees_influence
        else _("Mentees have no say in whom they are paired with."),
        _("Mentors state their own wishes or accept each introduction.")
        if mentors_influence
        else _("Mentors have no say in whom they are paired with."),
    ]
    rounds = ctx.link(_("Matching rounds"), "round_list", manage_only=True)
    unwound = [
        ngettext(
            "%(n)s match ended early. Since then: %(rematched)s matched again, %(pool)s back "
            "in the pool, %(left)s left the programme.",
            "%(n)s matches ended early. Since then: %(rematched)s matched again, %(pool)s "
            "back in the pool, %(left)s left the programme.",
            pairs.ended_early,
        )
        % {
            "n": pairs.ended_early,
            "rematched": pairs.rematched,
            "pool": pairs.back_in_pool,
            "left": pairs.left,
        },
        _(
            "Either member, or the programme manager, can end a match without blame; "
            "both go back to the pool to be matched again."
        ),
    ]
    if not pairs.total:
        unwound_status = NOT_MET
    elif pairs.stranded == 0:
        unwound_status = MET
    else:
        unwound_status = PARTLY if 2 * pairs.stranded <= pairs.ended_early else NOT_MET
    return Standard(
        3,
        "matching",
        _("Selection and matching"),
        _(
            "Participants understand how they are selected and matched, mentors are "
            "chosen for the mentees' needs, both sides influence who they are paired "
            "with, and matches that do not work are unwound without blame."
        ),
        [
            Criterion(
                "criteria",
                _("Clear matching criteria that participants' answers feed"),
                2,
                ctx.from_health("matching"),
                [
                    ngettext(
                        "%(n)s weighted criterion in the matching policy.",
                        "%(n)s weighted criteria in the matching policy.",
                        criteria,
                    )
                    % {"n": criteria},
                    ngettext(
                        "%(n)s question of the application form feeds the matching.",
                        "%(n)s questions of the application form feed the matching.",
                        feeding,
                    )
                    % {"n": feeding},
                ],
                _("Weigh the matching criteria and let the application form feed them."),
                [
                    ctx.link(_("Matching policy"), "programme_edit", "policy", manage_only=True),
                    ctx.link(_("Questionnaire"), "programme_questionnaire", manage_only=True),
                ],
            ),
            ctx.check_criterion(
                "needs",
                _("Mentors chosen for the mentees' needs"),
                1,
                "competences",
                there=_("The application form asks mentees what they want to learn."),
                missing=_("The application form does not ask mentees what they want to learn."),
                gap=_("Ask mentees for their learning themes, so mentors are matched to them."),
                links=[ctx.link(_("Questionnaire"), "programme_questionnaire", manage_only=True)],
            ),
            ctx.pair_share(
                "explained",
                _("Every match can be explained"),
                2,
                pairs.explained,
                ngettext_lazy(
                    "%(n)s of %(total)s pair carries the reasons it was matched.",
                    "%(n)s of %(total)s pairs carry the reasons they were matched.",
                    "total",
                ),
                gap=_(
                    "Form pairs through a matching round, so that every match carries its reasons."
                ),
                links=[rounds],
            ),
            Criterion(
                "influence",
                _("Both sides influence who they are paired with"),
                2,
                status_by_parts(mentees_influence, mentors_influence),
                influence,
                _(
                    "Let mentees choose among a few suggestions or both sides opt in, and "
                    "ask mentors about their wishes too."
                ),
                [ctx.link(_("Matching policy"), "programme_edit", "policy", manage_only=True)],
            ),
            share_criterion(
                "screening",
                _("Mentors screened before matching"),
                2,
                people.mentors_screened,
                people.mentors,
                ngettext_lazy(
                    "%(n)s of %(total)s mentor taking part passed a screening interview.",
                    "%(n)s of %(total)s mentors taking part passed a screening interview.",
                    "total",
                ),
                none=_("No mentor is taking part yet."),
                gap=_("Hold and record a screening interview with every mentor before matching."),
                links=[ctx.link(_("Participants"), "programme_pipeline")],
                due=facts.started or people.mentors > 0,
            ),
            Criterion(
                "unwinding",
                _("Matches that do not work are unwound without blame"),
                1,
                unwound_status,
                unwound,
                ngettext(
                    "%(n)s mentee of an ended match is neither matched again nor back in the "
                    "pool: offer a new match.",
                    "%(n)s mentees of ended matches are neither matched again nor back in the "
                    "pool: offer them a new match.",
                    pairs.stranded,
                )
                % {"n": pairs.stranded}
                if pairs.total
                else _("No pairs yet."),
                [rounds],
                due=facts.started,
            ),
        ],
    )
