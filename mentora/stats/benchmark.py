"""A programme's standing among other programmes."""

from __future__ import annotations

import math
from typing import Literal

from numpy.typing import ArrayLike

from mentora.stats.common import answered

# Fewest other programmes a percentile is shown among. Among N others one programme moves a
# percentile by 100/N points, so below ten the figure says little more than a ranking of a
# handful, and next to the programme's own value it narrows down the few others' values.
BENCHMARK_MINIMUM = 10


def percentile_rank(
    value: float,
    population: ArrayLike,
    *,
    kind: Literal["mean", "weak", "strict", "rank"] = "mean",
    minimum: int = 1,
) -> float | None:
    """Percentile (0-100) of a programme's ``value`` among other programmes' values.

    With L = #population < value, W = #population <= value and N = len(population):

    * ``strict``: 100 L / N - share strictly below;
    * ``weak``: 100 W / N - share at or below;
    * ``mean`` (default): 50 (L + W) / N - ties count half, so a programme equal to
      every other one sits at 50;
    * ``rank``: 50 (L + W + [W > L]) / N - the average rank of the value had it been one
      of the population.

    The population should not contain the programme itself. Missing values in the
    population are ignored. ``None`` when fewer than ``minimum`` other programmes have a
    value: reports pass ``BENCHMARK_MINIMUM``; the default of 1 only rules out an empty
    population. The programme's own figure is subject to the small-cell rule like any other.
    """
    if value is None or math.isnan(value):
        raise ValueError("value is missing")
    if minimum < 1:
        raise ValueError("minimum must be at least 1")
    others, _ = answered(population, "population")
    n = others.size
    if n < minimum:
        return None
    below = int((others < value).sum())
    at_or_below = int((others <= value).sum())
    if kind == "strict":
        return 100.0 * below / n
    if kind == "weak":
        return 100.0 * at_or_below / n
    if kind == "mean":
        return 50.0 * (below + at_or_below) / n
    if kind == "rank":
        return 50.0 * (below + at_or_below + (1 if at_or_below > below else 0)) / n
    raise ValueError("kind must be 'mean', 'weak', 'strict' or 'rank'")
