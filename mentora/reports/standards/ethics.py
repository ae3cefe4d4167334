"""Standard 5, ethics: agreements that set roles, confidentiality and boundaries, signed by
both; recordings only with consent; private texts and answers kept private."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, ngettext_lazy

from mentora.reports.standards.context import Context
from mentora.reports.standards.model import (
    MET,
    NOT_MET,
    Criterion,
    Standard,
)
from mentora.surveys.models import MINIMUM_GROUP


def standard(ctx: Context) -> Standard:
    pairs, facts = ctx.pairs, ctx.facts
    pairs_link = ctx.link(_("Pairs"), "programme_pairs", manage_only=True)
    recordings_ok = not facts.recordings_without_consent and not facts.recordings_overdue
    recordings = [
        ngettext("%(n)s meeting recorded.", "%(n)s meetings recorded.", facts.recordings)
        % {"n": facts.recordings},
        _(
            "A recording is stored only with both members' consent and an agreed "
            "deletion date, and is deleted on that date."
        ),
    ]
    if facts.recordings_without_consent:
        recordings.append(
            ngettext(
                "%(n)s recording is stored without both consents.",
                "%(n)s recordings are stored without both consents.",
                facts.recordings_without_consent,
            )
            % {"n": facts.recordings_without_consent}
        )
    if facts.recordings_overdue:
        recordings.append(
            ngettext(
                "%(n)s recording is kept past its deletion date.",
                "%(n)s recordings are kept past their deletion date.",
                facts.recordings_overdue,
            )
            % {"n": facts.recordings_overdue}
        )
    return Standard(
        5,
        "ethics",
        _("Ethics"),
        _(
            "Roles, responsibilities and boundaries are clear and agreed, confidentiality "
            "is kept, and personal data is handled with care."
        ),
        [
            ctx.pair_share(
                "agreements",
                _("Every pair agrees how it works together"),
                2,
                pairs.with_agreement,
                ngettext_lazy(
                    "%(n)s of %(total)s pair has a written agreement.",
                    "%(n)s of %(total)s pairs have a written agreement.",
                    "total",
                ),
                more=[
                    _(
                        "An agreement sets how often the pair meets, what the mentee wants "
                        "to learn, how they work together and the formal end date."
                    )
                ],
                gap=_("Ask pairs without an agreement to write it at their next meeting."),
                none_gap=_("No pairs yet."),
                links=[pairs_link],
            ),
            ctx.pair_share(
                "confidentiality",
                _("Confidentiality and boundaries agreed by both"),
                2,
                pairs.signed,
                ngettext_lazy(
                    "%(n)s of %(total)s pair has both signed its latest agreement.",
                    "%(n)s of %(total)s pairs have both signed their latest agreement.",
                    "total",
                ),
                more=[
                    _(
                        "Every agreement states that what is said stays between the two, "
                        "both ways, and that the programme is not a recruitment channel."
                    )
                ],
                gap=_("Ask both members to sign: an agreement counts once both have."),
                none_gap=_("No pairs yet."),
                links=[pairs_link],
            ),
            Criterion(
                "recordings",
                _("Recordings only with consent, deleted on the agreed date"),
                1,
                MET if recordings_ok else NOT_MET,
                recordings,
                _("Run the daily pair reminders, which delete recordings on their date."),
            ),
            Criterion(
                "privacy",
                _("Conversations and answers stay private"),
                1,
                MET,
                [
                    _(
                        "Meeting notes, agendas, reflections and feedback are read only by "
                        "the pair, never by managers, sponsors or line managers."
                    ),
                    _(
                        "Survey answers carry a pseudonym, never a name, and no result is "
                        "shown for fewer than %(minimum)s respondents."
                    )
                    % {"minimum": MINIMUM_GROUP},
                ],
            ),
        ],
    )
