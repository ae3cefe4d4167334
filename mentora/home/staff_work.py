"""The dashboard's work for those who run mentoring in an organisation: programme managers,
organisation admins and sponsors."""

from __future__ import annotations

from typing import Any

from mentora.accounts.models import Organisation


def staff_work(user: Any, organisation: Organisation, roles: list[str]) -> Any:
    return None
