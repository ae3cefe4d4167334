"""What a mentee reads about a mentor suggested to them, to choose among their suggestions.

Only what the mentee may see: the mentor's stated themes, level, years with their
organisation, languages, location and time zone, and why the pair was suggested without
the mentor's own wishes or any score. The mentor's goals and other answers stay with the
programme manager.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language_info

from mentora.rounds.explain import NOT_FOR_MENTEES, explanation
from mentora.rounds.models import Suggestion


@dataclass(frozen=True)
class MentorCard:
    suggestion: Suggestion
    expertise: list[str]
    level: int | None
    years: int | None
    languages: list[str]
    location: str
    timezone: str
    why: str


def language_name(code: str) -> str:
    """A language code (`da`) as the reader's word for it, or the code if unknown."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def whole_years(since: dt.date | None, today: dt.date) -> int | None:
    if since is None or since > today:
        return None
    return today.year - since.year - ((today.month, today.day) < (since.month, since.day))


def mentor_card(suggestion: Suggestion, *, today: dt.date | None = None) -> MentorCard:
    """The profile card of a suggested mentor (select the mentor's person, organisation
    and unit with the suggestion)."""
    mentor = suggestion.mentor
    person = mentor.person
    return MentorCard(
        suggestion=suggestion,
        expertise=[str(theme) for theme in mentor.themes()],
        level=person.level,
        years=whole_years(person.hire_date, today or timezone.localdate()),
        languages=[language_name(str(code)) for code in person.languages or ()],
        location=person.location,
        timezone=person.timezone,
        why=explanation(
            suggestion.contributions,
            limit=4,
            include_gender=False,
            leave_out=NOT_FOR_MENTEES,
            to_mentee=True,
        ),
    )
