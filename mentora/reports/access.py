"""Who may read a programme's outcome report and its exports."""

from __future__ import annotations

from mentora.accounts.access import Viewer
from mentora.programmes.access import access_programme
from mentora.programmes.models import Programme


def access_report(user: Viewer, programme_id: int, *, write: bool = False) -> Programme:
    """A programme's outcome report: managers, sponsors, partner staff and platform admins.

    Writes (loading benchmark figures) are for those running the programme. Participants
    and line managers of a taking-part organisation get 403, outsiders 404.
    """
    return access_programme(user, programme_id, write=write)
