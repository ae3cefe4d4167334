"""Access and erasure requests. `person_erase` is the core of an erasure, for every caller
(the admin's request, the retention schedule)."""

from mentora.subject_requests.services import erasure, requests
from mentora.subject_requests.services.erasure import person_erase

__all__ = ["erasure", "person_erase", "requests"]
