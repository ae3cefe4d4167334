"""Adjusting p-values for the number of tests a report shows."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np


def holm_adjust(p_values: Sequence[float]) -> tuple[float, ...]:
    """Holm's (1979) step-down adjusted p-values, in the order given.

    With the m p-values sorted ascending, p_(1) <= ... <= p_(m)::

        adjusted_(i) = max_{j <= i} min(1, (m - j + 1) * p_(j))

    A test is significant at level alpha exactly when its adjusted p-value is at most
    alpha; the family-wise error rate is then at most alpha, whatever the dependence
    between the tests, and every test is rejected at least as often as with Bonferroni.
    """
    values = np.asarray(p_values, dtype=float)
    if values.ndim != 1:
        raise ValueError("p-values must be a flat sequence")
    if values.size and (np.isnan(values).any() or values.min() < 0 or values.max() > 1):
        raise ValueError("p-values must lie between 0 and 1")
    m = values.size
    order = np.argsort(values, kind="stable")
    scaled = np.minimum(1.0, (m - np.arange(m)) * values[order])
    adjusted = np.empty(m)
    adjusted[order] = np.maximum.accumulate(scaled)
    return tuple(float(v) for v in adjusted)


@dataclass(frozen=True)
class AdjustedTest:
    """One test of a report with its place in the multiplicity adjustment.

    ``role`` is ``primary`` for the outcome named at design time, ``exploratory`` for the
    rest; ``family_size`` is how many tests with a p-value were adjusted together (0 when
    this one has none); ``significant`` compares ``adjusted_p_value`` with alpha.
    """

    name: str
    p_value: float | None
    adjusted_p_value: float | None
    role: Literal["primary", "exploratory"]
    family_size: int
    significant: bool | None
    alpha: float


def adjust_for_multiplicity(
    p_values: Mapping[str, float | None],
    *,
    primary: str | Collection[str] = (),
    alpha: float = 0.05,
) -> dict[str, AdjustedTest]:
    """Holm-adjust a report's tests in two families: the primary outcome and the rest.

    The primary outcome, fixed at design time before any data, is the confirmatory test:
    alone in its family it keeps its own p-value (several primaries are Holm-adjusted among
    themselves). Every other test (other scales, subgroups, items) is exploratory, and
    those are Holm-adjusted together, so that among many looks the chance of any false
    "significant" stays at alpha. Tests whose p-value is ``None`` (undefined for the data)
    keep their role and stay out of the family.
    """
    if not 0.0 < alpha < 1.0:
        raise ValueError("alpha must lie strictly between 0 and 1")
    primaries = {primary} if isinstance(primary, str) else set(primary)
    unknown = primaries - set(p_values)
    if unknown:
        raise ValueError(f"the primary outcome {sorted(unknown)} is not among the tests")
    result: dict[str, AdjustedTest] = {}
    roles: tuple[Literal["primary", "exploratory"], ...] = ("primary", "exploratory")
    for role in roles:
        names = [name for name in p_values if (name in primaries) == (role == "primary")]
        tested = [name for name in names if p_values[name] is not None]
        raw = [float(p_values[name]) for name in tested]  # type: ignore[arg-type]
        adjusted = dict(zip(tested, holm_adjust(raw), strict=True))
        for name in names:
            value = adjusted.get(name)
            result[name] = AdjustedTest(
                name=name,
                p_value=p_values[name],
                adjusted_p_value=value,
                role=role,
                family_size=len(tested) if value is not None else 0,
                significant=None if value is None else value <= alpha,
                alpha=alpha,
            )
    return {name: result[name] for name in p_values}
