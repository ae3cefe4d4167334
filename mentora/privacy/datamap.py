"""What Mentora stores, why, who sees it and for how long: one map, read by the privacy
page, the record of processing and docs/data-protection.md alike."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from mentora.privacy.models import PrivacySettings


@dataclass(frozen=True)
class Category:
    name: str
    what: str
    why: str
    who: str
    kept: str


def _months(n: int) -> str:
    return ngettext("%(n)s month", "%(n)s months", n) % {"n": n}


def _years(n: int) -> str:
    return ngettext("%(n)s year", "%(n)s years", n) % {"n": n}


def categories(schedule: PrivacySettings) -> list[Category]:
    """The data map of one organisation, with its own retention periods."""
    return [
        Category(
            str(_("HR facts")),
            str(
                _(
                    "Name, e-mail, employee id, job title, level, unit, manager, location, "
                    "languages, hire and leave dates; gender only where the HR file has it."
                )
            ),
            str(_("To invite people, check matching rules and run the programmes.")),
            str(
                _(
                    "The organisation's administrators and programme managers; gender only "
                    "staff explicitly trusted with it."
                )
            ),
            str(
                _(
                    "While the person works for the organisation; %(period)s after their leave "
                    "date they are erased."
                )
                % {"period": _years(schedule.leaver_years)}
            ),
        ),
        Category(
            str(_("Participation")),
            str(
                _(
                    "Applications and questionnaire answers, learning themes, the match and "
                    "its explanation, meeting dates, attendance at events."
                )
            ),
            str(_("To match people fairly and follow each pair's progress.")),
            str(
                _(
                    "The programme team; the line manager sees the mentee's learning themes "
                    "and progress."
                )
            ),
            str(_("As long as the person's HR facts.")),
        ),
        Category(
            str(_("What a pair writes")),
            str(
                _(
                    "Agendas, notes, follow-ups, reflections, the agreement, goals' "
                    "descriptions, feedback between the two, closing reflections and thanks."
                )
            ),
            str(_("So that the pair can work together.")),
            str(
                _(
                    "The two members of the pair only: never the programme team, the line "
                    "manager or the administrators."
                )
            ),
            str(
                _("Deleted %(period)s after the pair ends.")
                % {"period": _months(schedule.pair_text_months)}
            ),
        ),
        Category(
            str(_("Meeting recordings")),
            str(_("A recording of a meeting, made only with both members' consent.")),
            str(_("So that the pair can go back to a conversation.")),
            str(_("The two members of the pair only.")),
            str(
                _(
                    "Deleted on the date the pair agreed, when the programme ends, or at once "
                    "when either withdraws their consent."
                )
            ),
        ),
        Category(
            str(_("Survey answers")),
            str(_("Answers to evaluation surveys, stored under a pseudonymous key.")),
            str(_("To evaluate and improve the programme.")),
            str(
                _(
                    "Nobody reads one person's answers; reports show figures for groups of at "
                    "least five."
                )
            ),
            str(
                _(
                    "Free-text answers are deleted %(period)s after the survey closes; figures "
                    "are kept."
                )
                % {"period": _months(schedule.survey_text_months)}
            ),
        ),
        Category(
            str(_("Stories")),
            str(_("A participant's story of their mentoring.")),
            str(_("To recruit the next cohort, with the author's consent.")),
            str(
                _(
                    "The author and the programme team until it is published; then the "
                    "organisation's members."
                )
            ),
            str(
                _(
                    "Until the author withdraws their consent; an unpublished story goes with "
                    "the pair's texts."
                )
            ),
        ),
        Category(
            str(_("Uploaded HR files")),
            str(_("The file an administrator uploads to import people.")),
            str(_("To update the people directory.")),
            str(_("The organisation's administrators.")),
            str(
                _("Deleted once the import is applied or abandoned, and after 7 days in any case.")
            ),
        ),
        Category(
            str(_("Audit log")),
            str(_("Who changed what and when: never the text of what they wrote.")),
            str(_("Security and accountability.")),
            str(_("The installation's administrators.")),
            str(_("Deleted after %(period)s.") % {"period": _years(schedule.audit_years)}),
        ),
    ]


def security_measures() -> list[str]:
    return [
        str(
            _(
                "Access rules checked on every page: outsiders learn nothing of the "
                "organisation, and what a pair writes is read by its two members only."
            )
        ),
        str(
            _(
                "Two-factor log-in for administrators and programme managers, where the "
                "organisation requires it; single sign-on through the organisation's own "
                "provider."
            )
        ),
        str(
            _(
                "Sessions that end when idle; encrypted connections; a strict content "
                "security policy."
            )
        ),
        str(_("An audit log of every change, without private text.")),
        str(_("Retention periods applied every day, with a report of what was removed.")),
    ]
