"""UTC offsets of time zones at a fixed reference instant.

IANA names are resolved to their winter offset: the smaller of the offsets on 1 January
and 1 July 2025, so results do not change with the date a run happens and both
hemispheres are treated alike. (The "standard" offset of the time-zone database would
not do: Europe/Dublin's standard time is its summer time, an hour ahead of London.)
Offsets such as ``+05:30`` or ``-3`` are taken as given, from -12:00 to +14:00.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
from numpy.typing import ArrayLike

REFERENCE_INSTANTS = (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 7, 1, tzinfo=UTC))
# Names the time-zone database accepts that are not places: "localtime" is whatever the
# machine running the match is set to, so the same input could match differently.
_NOT_ZONES = frozenset({"localtime", "Factory", "posixrules"})
_OFFSET = re.compile(r"^(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?$")


@lru_cache(maxsize=4096)
def utc_offset_hours(text: str) -> float:
    """Hours east of UTC for an IANA name or an offset; raises ValueError when unknown."""
    value = text.strip()
    if value.upper() in ("UTC", "GMT", "Z"):
        return 0.0
    found = _OFFSET.match(value)
    if found:
        sign = -1.0 if found.group(1) == "-" else 1.0
        hours = int(found.group(2))
        minutes = int(found.group(3) or 0)
        offset = sign * (hours + minutes / 60.0)
        if minutes >= 60 or not -12.0 <= offset <= 14.0:
            raise ValueError(f"offset out of range (-12:00 to +14:00): {text!r}")
        return offset
    if value in _NOT_ZONES:
        raise ValueError(f"not a time zone of a place: {text!r}")
    try:
        zone = ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, IsADirectoryError) as exc:
        raise ValueError(f"unknown time zone: {text!r}") from exc
    offsets = [instant.astimezone(zone).utcoffset() for instant in REFERENCE_INSTANTS]
    return min(o.total_seconds() for o in offsets if o is not None) / 3600.0


def circular_gap(a: float, b: float) -> float:
    """Hours between two offsets going the short way round the clock."""
    d = abs(a - b) % 24.0
    return min(d, 24.0 - d)


def circular_gaps(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """``circular_gap`` over arrays (broadcast); nan where either offset is unknown."""
    d = np.abs(np.subtract(a, b)) % 24.0
    return np.minimum(d, 24.0 - d)
