"""The id of the request being served, so that every log line it causes can be found.

A request takes the id a trusted proxy sent in `X-Request-ID` (when it looks like one),
or a new one; tasks it enqueues carry the id into the worker (see `task_backend.py`), so
one search for the id finds the request and the work it started."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar, Token

_current: ContextVar[str] = ContextVar("mentora_request_id", default="")

# Letters, digits and a few separators, and not too long: a header is untrusted input,
# and this one ends up in every log line.
_ACCEPTABLE = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def current() -> str:
    """The id of the request (or task) running now, or "" outside one."""
    return _current.get()


def accept(header: str | None) -> str:
    """The id to use for a request that sent `header`: its own when acceptable, else new."""
    if header and _ACCEPTABLE.fullmatch(header):
        return header
    return uuid.uuid4().hex


def bind(value: str) -> Token[str]:
    return _current.set(value)


def unbind(token: Token[str]) -> None:
    _current.reset(token)
