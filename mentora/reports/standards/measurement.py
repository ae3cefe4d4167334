"""Standard 4, measurement and review: surveys at every phase that enough people answer,
outcomes against the goals, relationships reviewed as they go."""

from __future__ import annotations

from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from mentora.reports.standards.context import Context
from mentora.reports.standards.model import (
    RESPONSE_MET,
    RESPONSE_PARTLY,
    Criterion,
    Standard,
    local_date,
    percent,
    status_by_parts,
    status_by_share,
)
from mentora.surveys.models import MINIMUM_GROUP, Wave


def standard(ctx: Context) -> Standard:
    programme, pairs, facts = ctx.programme, ctx.pairs, ctx.facts
    surveys = ctx.link(_("Surveys"), "survey_list")
    report = ctx.link(_("Outcome report"), "programme_report")
    wanted = [Wave.START, Wave.MIDWAY, Wave.END]
    scheduled = {s.wave for s in facts.surveys}
    missing = [str(Wave(w).label) for w in wanted if w not in scheduled]
    present = [str(Wave(w).label) for w in wanted if w in scheduled]
    rates: list[str] = []
    invited = answered = 0
    for survey in facts.surveys:
        values = {"wave": survey.wave_label, "date": local_date(survey.closes_at)}
        if not survey.closed:
            rates.append(_("%(wave)s: open until %(date)s, counted once it closes.") % values)
            continue
        invited += survey.invited
        if survey.answered is None:
            rates.append(
                _("%(wave)s, closed %(date)s: fewer than %(minimum)s answered, no result.")
                % {**values, "minimum": MINIMUM_GROUP}
            )
            continue
        answered += survey.answered
        rates.append(
            _("%(wave)s, closed %(date)s: %(answered)s of %(invited)s invited answered.")
            % {**values, "answered": survey.answered, "invited": survey.invited}
        )
    if invited:
        rates.append(
            _("Altogether %(percent)s %% of those invited answered.")
            % {"percent": percent(Fraction(answered, invited))}
        )
    else:
        rates.append(_("No survey has closed yet."))
    published = {s.wave for s in facts.surveys if s.closed and s.answered is not None}
    goals = programme.goals.measured().count()
    impact = [goals > 0, Wave.START in published, Wave.END in published]
    reviewed = (
        [
            ngettext(
                "%(n)s of %(total)s pair that has met rated its meetings.",
                "%(n)s of %(total)s pairs that have met rated their meetings.",
                pairs.met,
            )
            % {"n": pairs.rated, "total": pairs.met}
        ]
        if pairs.met
        else [_("No pair has met yet.")]
    )
    if pairs.active:
        # Relationship health's own reading of the active pairs, from facts only.
        reviewed.append(
            ngettext(
                "%(n)s of %(total)s active pair needs attention now.",
                "%(n)s of %(total)s active pairs need attention now.",
                pairs.active,
            )
            % {"n": pairs.at_risk, "total": pairs.active}
        )
    return Standard(
        4,
        "measurement",
        _("Measurement and review"),
        _(
            "The programme is measured and reviewed often enough to spot problems in "
            "relationships, adjust its processes in time, and show its impact."
        ),
        [
            ctx.check_criterion(
                "evaluation_planned",
                _("Evaluation planned"),
                1,
                "evaluation",
                there=_("An evaluation touchpoint is planned."),
                missing=_("No evaluation touchpoint is planned."),
                gap=_("Plan an evaluation touchpoint near the end of the programme."),
                links=[ctx.link(_("Touchpoints"), "programme_detail", "touchpoints")],
            ),
            Criterion(
                "waves",
                _("Surveys at the start, midway and at the end"),
                2,
                status_by_parts(*(wave in scheduled for wave in wanted)),
                [
                    _("Surveys scheduled: %(waves)s.")
                    % {"waves": ", ".join(present) if present else _("none")}
                ],
                _("Schedule the missing surveys: %(waves)s.") % {"waves": ", ".join(missing)}
                if missing
                else "",
                [surveys],
                due=facts.ended,
            ),
            Criterion(
                "response",
                _("Enough people answer the surveys"),
                2,
                status_by_share(answered, invited, met=RESPONSE_MET, partly=RESPONSE_PARTLY),
                rates,
                _(
                    "Remind those who have not answered, and tell participants what earlier "
                    "answers changed. A survey with fewer than %(minimum)s answers shows "
                    "no result, so it counts as unanswered."
                )
                % {"minimum": MINIMUM_GROUP},
                [surveys],
                due=facts.ended or any(s.closed for s in facts.surveys),
            ),
            Criterion(
                "impact",
                _("Outcomes measured against the goals"),
                2,
                status_by_parts(*impact),
                [
                    ngettext(
                        "%(n)s goal measured in Mentora.", "%(n)s goals measured in Mentora.", goals
                    )
                    % {"n": goals},
                    _("Results at the start: shown.")
                    if impact[1]
                    else _("Results at the start: none yet."),
                    _("Results at the end: shown.")
                    if impact[2]
                    else _("Results at the end: none yet."),
                ],
                _(
                    "Survey the start and the end with the same scales, and read the "
                    "results against the programme's measurable goals."
                ),
                [report],
                due=facts.ended,
            ),
            Criterion(
                "reviewed",
                _("Relationships reviewed as they go"),
                1,
                status_by_share(pairs.rated, pairs.met),
                reviewed,
                _("Ask pairs to rate each meeting: relationship health follows the ratings."),
                [ctx.link(_("Relationship health"), "pair_health", manage_only=True)],
                due=facts.started,
            ),
            Criterion(
                "feedback",
                _("Two-way feedback collected"),
                1,
                status_by_parts(facts.feedback_moments > 0, facts.feedback_given > 0),
                [
                    ngettext(
                        "%(n)s feedback moment set.",
                        "%(n)s feedback moments set.",
                        facts.feedback_moments,
                    )
                    % {"n": facts.feedback_moments},
                    ngettext(
                        "%(n)s piece of feedback given.",
                        "%(n)s pieces of feedback given.",
                        facts.feedback_given,
                    )
                    % {"n": facts.feedback_given},
                ],
                _("Set feedback moments, for example midway and at the end."),
                [ctx.link(_("Relationship health"), "pair_health", manage_only=True)],
                due=facts.started,
            ),
        ],
    )
