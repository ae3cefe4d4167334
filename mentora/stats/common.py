"""Input checks and small helpers shared by the statistics modules."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

# Below this many people a mean, an alpha or a change is shown with a "few respondents"
# flag: the interval is wide and one person moves the figure visibly.
SMALL_SAMPLE = 20


def vector(values: ArrayLike, name: str) -> np.ndarray:
    """A 1-D float array; ``None`` becomes ``nan``."""
    array = np.asarray(values, dtype=float)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional")
    return array


def answered(values: ArrayLike, name: str) -> tuple[np.ndarray, int]:
    """The non-missing answers and the number of missing ones."""
    array = vector(values, name)
    missing = np.isnan(array)
    return array[~missing], int(missing.sum())


def check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError("confidence must lie strictly between 0 and 1")
    return float(confidence)


def z_value(confidence: float) -> float:
    """The two-sided normal critical value, e.g. 1.959964 for 95 %."""
    return float(stats.norm.isf((1.0 - confidence) / 2.0))


def check_integers(values: np.ndarray, low: int, high: int, name: str) -> None:
    if values.size and (
        not np.all(values == np.round(values)) or values.min() < low or values.max() > high
    ):
        raise ValueError(f"{name} must be whole numbers from {low} to {high}")
