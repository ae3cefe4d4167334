"""The webhook signature: HMAC-SHA256 over the timestamp, a dot and the body.

The receiver recomputes it with the shared secret and refuses a signature that differs or a
timestamp too far from its own clock (a replayed delivery). `docs/integration.md` shows the
check in a few lines.
"""

from __future__ import annotations

import hashlib
import hmac
import re

SIGNATURE_HEADER = "Mentora-Signature"
TIMESTAMP_HEADER = "Mentora-Timestamp"
EVENT_HEADER = "Mentora-Event"
DELIVERY_HEADER = "Mentora-Delivery"


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the signature header: `sha256=` and the hex digest."""
    message = str(timestamp).encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(
    secret: str, timestamp: str, body: bytes, given: str, *, now: int, tolerance: int = 300
) -> bool:
    """Whether `given` signs `body` at `timestamp`, and the timestamp is recent."""
    if not re.fullmatch(r"[0-9]{1,12}", timestamp):
        return False
    if abs(now - int(timestamp)) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, int(timestamp), body), given)
