"""The events a timeline shows (`templates/components/timeline.html`): what happened,
when, marked by a badge, and who did it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Event:
    """One dated event: `at` (a day or a moment), its badge (`label`, with a `tone`: ok,
    warn, bad, info or none), and optionally who did it, a line of text and its page."""

    at: dt.date | dt.datetime
    label: str
    tone: str = ""
    who: str = ""
    text: str = ""
    url: str = ""

    @property
    def has_time(self) -> bool:
        return isinstance(self.at, dt.datetime)
