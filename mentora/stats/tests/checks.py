"""Tolerances and comparisons shared by the statistics tests."""

from __future__ import annotations

import math

TOL = 1e-9
CONFIDENCES = (0.8, 0.9, 0.95, 0.99)


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=0.0, abs_tol=TOL)
