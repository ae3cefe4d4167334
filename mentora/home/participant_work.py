"""The dashboard's work for mentors, mentees and line managers in an organisation."""

from __future__ import annotations

from typing import Any

from mentora.accounts.models import Organisation


def participant_work(user: Any, organisation: Organisation, roles: list[str]) -> Any:
    return None
