"""What a programme tells the layers above it, which it may not import (rounds, for one,
matches a mentee of a rolling programme as soon as they are ready)."""

from __future__ import annotations

from django.dispatch import Signal

# A mentee became ready to be matched: sent inside the transition's transaction, with the
# `participant` and the `actor` who moved them.
mentee_ready = Signal()
