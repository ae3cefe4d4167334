"""The signed link of "Did you meet?": it names only the meeting, its version and the member
asked, works for LINK_VALID_DAYS without a log-in, and the page it opens shows nothing about
the pair, so a forwarded e-mail gives nothing away."""

from __future__ import annotations

import datetime as dt

from django.core import signing

from mentora.programmes.models import Participant
from mentora.relationships.models import Meeting

SALT = "mentora.relationships.checkin"
# How long the e-mailed link works.
LINK_VALID_DAYS = 14


def checkin_token(meeting: Meeting, participant: Participant) -> str:
    """A signed token naming only the meeting, its version and the member asked."""
    return signing.dumps(
        {"m": meeting.pk, "p": participant.pk, "s": meeting.sequence}, salt=SALT, compress=True
    )


def checkin_token_read(token: str) -> dict[str, int]:
    """The ids in a token; `signing.SignatureExpired` once LINK_VALID_DAYS have passed,
    `signing.BadSignature` for anything not signed by us."""
    data = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=LINK_VALID_DAYS))
    if not isinstance(data, dict) or not all(isinstance(data.get(k), int) for k in "mps"):
        raise signing.BadSignature("Not a check-in token")
    return data
