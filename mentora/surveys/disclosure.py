"""When and for which groups a survey's figures may be published.

Every page, fragment, chart and export that shows figures about a survey's respondents
decides through these functions (docs/evaluation.md, "Disclosure control"):

- a survey's answers are published only once it has closed; while it is open, each new
  response would change the figures, and two downloads a response apart would give that
  response away;
- the groups of a survey are the roles that were asked and have at least one invitee: a
  role nobody was invited in is publicly empty, so it is no hidden cell, and no printed 0
  completes a subtraction;
- one suppression pattern over the respondents per group decides every figure of the survey.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable, Mapping

from django.utils import timezone

from mentora.stats.anonymity import Suppression, protect_bounds, suppress
from mentora.surveys.models import MINIMUM_GROUP, Survey


def is_published(survey: Survey, now: dt.datetime | None = None) -> bool:
    """Whether the survey's answers may be shown: only once it has closed."""
    return bool(survey.closes_at <= (now or timezone.now()))


def groups_asked(roles: Iterable[str], invited: Mapping[str, int]) -> list[str]:
    """The survey's roles that had at least one invitee, in the survey's order."""
    return [role for role in roles if invited.get(role, 0) > 0]


def response_pattern(
    groups: Iterable[str], invited: Mapping[str, int], responded: Mapping[str, int]
) -> Suppression:
    """The one suppression pattern of a survey: respondents per group and their total.

    The numbers invited are published, so they bound every hidden count: a total that
    with them pins a hidden group is hidden too.
    """
    table: dict[Hashable, int] = {role: responded.get(role, 0) for role in groups}
    pattern = suppress(table, minimum=MINIMUM_GROUP)
    return protect_bounds(pattern, {role: invited.get(str(role), 0) for role in table})
