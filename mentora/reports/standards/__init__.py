"""The standards evidence pack: a programme's own records read against the six standards
of the International Standards for Mentoring and Coaching Programmes (ISMCP) of EMCC
Global, with a score per standard, the overall result and the award level it points to.

A self-assessment aid, never an accreditation: only an EMCC Global assessment, with its
documents and interviews, awards a level. Each standard (a module of this package) holds
criteria; each criterion is met, partly met or not met by facts Mentora holds (``facts``),
says what shows it and, where it falls short, what to do. Scores are exact fractions, so a
level is never won or lost by rounding (``model``). The scoring is described in
docs/standards.md.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mentora.programmes.models import Programme
from mentora.reports.standards import (
    administration,
    ethics,
    matching,
    measurement,
    purpose,
    training,
)
from mentora.reports.standards.context import Context
from mentora.reports.standards.facts import gather
from mentora.reports.standards.model import (
    LEVELS,
    Assessment,
    AwardLevel,
    Criterion,
    Standard,
    cycle,
)

__all__ = ["LEVELS", "Assessment", "AwardLevel", "Criterion", "Standard", "assess"]

# The six standards, in the order the published standard numbers them.
STANDARDS = (purpose, training, matching, measurement, ethics, administration)


def assess(programme: Programme, *, now: dt.datetime | None = None) -> Assessment:
    """The programme's evidence against the six standards, as of `now`."""
    now = now or timezone.now()
    facts = gather(programme, now=now)
    context = Context(facts)
    standards = [module.standard(context) for module in STANDARDS]
    complete, note = cycle(programme, facts.today)
    return Assessment(programme, standards, facts.today, complete, note)
