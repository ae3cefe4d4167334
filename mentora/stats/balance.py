"""Balance between participants and their matched comparison group."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike

from mentora.stats.common import answered

# Austin (2009) and Normand et al. (2001): an absolute standardised difference above 0.1 is
# the usual mark of an imbalance worth reporting after matching.
IMBALANCE_THRESHOLD = 0.1


@dataclass(frozen=True)
class StandardisedDifference:
    """One row of a balance table; see :func:`standardised_difference`.

    ``mean_*`` are shares for a binary attribute; ``sd_*`` are sqrt(p(1 - p)) there.
    ``difference`` is ``None`` with a ``reason`` when it cannot be computed, and
    ``imbalanced`` is then ``None`` too.
    """

    kind: Literal["continuous", "binary"]
    n_treated: int
    n_control: int
    missing_treated: int
    missing_control: int
    mean_treated: float | None
    mean_control: float | None
    sd_treated: float | None
    sd_control: float | None
    difference: float | None
    imbalanced: bool | None
    reason: str | None


def standardised_difference(
    treated: ArrayLike,
    control: ArrayLike,
    *,
    kind: Literal["continuous", "binary"] = "continuous",
) -> StandardisedDifference:
    """Standardised mean difference of one attribute between two groups (Austin, 2009).

    Continuous (sample variances, ddof = 1)::

        d = (mean_t - mean_c) / sqrt((s_t² + s_c²) / 2)

    Binary (values 0/1 or booleans, p the share of 1s)::

        d = (p_t - p_c) / sqrt((p_t (1 - p_t) + p_c (1 - p_c)) / 2)

    Unlike a test, it does not grow with the sample, so it compares balance before and
    after matching on the same scale; ``imbalanced`` marks |d| > ``IMBALANCE_THRESHOLD``.
    Missing values are left out and counted. ``None`` with a ``reason`` below two values a
    group (one for a binary attribute), or when neither group varies and their means
    differ; when neither varies and the means are equal, d is 0.
    """
    if kind not in ("continuous", "binary"):
        raise ValueError("kind must be 'continuous' or 'binary'")
    first, missing_first = answered(treated, "treated")
    second, missing_second = answered(control, "control")
    if kind == "binary" and not (np.isin(first, (0, 1)).all() and np.isin(second, (0, 1)).all()):
        raise ValueError("a binary attribute takes the values 0 and 1 only")
    n_first, n_second = int(first.size), int(second.size)
    mean_first = float(first.mean()) if n_first else None
    mean_second = float(second.mean()) if n_second else None
    needed = 1 if kind == "binary" else 2
    sd_first = sd_second = None
    if n_first >= needed and n_second >= needed:
        if kind == "binary":
            sd_first = math.sqrt(float(first.mean() * (1 - first.mean())))
            sd_second = math.sqrt(float(second.mean() * (1 - second.mean())))
        else:
            sd_first, sd_second = float(first.std(ddof=1)), float(second.std(ddof=1))

    def result(difference: float | None, reason: str | None) -> StandardisedDifference:
        return StandardisedDifference(
            kind=kind,
            n_treated=n_first,
            n_control=n_second,
            missing_treated=missing_first,
            missing_control=missing_second,
            mean_treated=mean_first,
            mean_control=mean_second,
            sd_treated=sd_first,
            sd_control=sd_second,
            difference=difference,
            imbalanced=None if difference is None else abs(difference) > IMBALANCE_THRESHOLD,
            reason=reason,
        )

    if sd_first is None or sd_second is None or mean_first is None or mean_second is None:
        return result(None, f"each group needs at least {needed} value(s) of the attribute")
    spread = math.sqrt((sd_first**2 + sd_second**2) / 2)
    gap = mean_first - mean_second
    if spread == 0:
        if gap == 0:
            return result(0.0, None)
        return result(None, "the attribute does not vary within either group")
    return result(gap / spread, None)
