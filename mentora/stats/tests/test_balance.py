"""Standardised mean differences for a balance table, against independent computations."""

from __future__ import annotations

import math
import statistics as pystats

import numpy as np
import pandas as pd
import pytest

from mentora.stats import IMBALANCE_THRESHOLD, standardised_difference

TOL = 1e-12


def close(a: float | None, b: float) -> bool:
    return a is not None and math.isclose(a, b, rel_tol=0.0, abs_tol=TOL)


def test_continuous_difference_is_the_mean_difference_over_the_root_mean_variance() -> None:
    rng = np.random.default_rng(2009)
    for n_treated, n_control in ((2, 2), (5, 9), (30, 30), (200, 600)):
        treated = rng.normal(40, 8, n_treated)
        control = rng.normal(43, 10, n_control)
        result = standardised_difference(treated, control)
        frame = pd.DataFrame(
            {"age": np.r_[treated, control], "group": [1] * n_treated + [0] * n_control}
        )
        means = frame.groupby("group")["age"].mean()
        variances = frame.groupby("group")["age"].var(ddof=1)
        expected = (means[1] - means[0]) / math.sqrt((variances[1] + variances[0]) / 2)
        assert close(result.difference, float(expected)), (n_treated, n_control)
        assert close(result.mean_treated, pystats.fmean(treated.tolist()))
        assert close(result.sd_control, pystats.stdev(control.tolist()))
        assert result.kind == "continuous" and result.n_treated == n_treated


def test_binary_difference_uses_the_bernoulli_variances() -> None:
    rng = np.random.default_rng(21)
    for n, p_treated, p_control in ((10, 0.5, 0.2), (80, 0.3, 0.35), (500, 0.9, 0.6)):
        treated = (rng.random(n) < p_treated).astype(int)
        control = (rng.random(2 * n) < p_control).astype(int)
        result = standardised_difference(treated, control, kind="binary")
        # p(1 - p) is the variance of 0/1 values with divisor n.
        pooled = (np.var(treated) + np.var(control)) / 2
        expected = (treated.mean() - control.mean()) / math.sqrt(pooled)
        assert close(result.difference, float(expected))
        assert close(result.mean_treated, float(treated.mean()))
        assert result.kind == "binary"


def test_imbalance_is_flagged_beyond_a_tenth_of_a_standard_deviation() -> None:
    assert IMBALANCE_THRESHOLD == 0.1
    balanced = standardised_difference([1.0, 2.0, 3.0, 4.0], [1.1, 2.1, 3.1, 4.1])
    assert balanced.difference is not None and abs(balanced.difference) < 0.1
    assert balanced.imbalanced is False
    skewed = standardised_difference(
        [True, True, False, True], [False, False, True, False], kind="binary"
    )
    assert skewed.difference is not None and skewed.difference > 0.1 and skewed.imbalanced


def test_missing_values_are_left_out_and_counted() -> None:
    result = standardised_difference([1, None, 3, 5], [2, 4, float("nan")])
    assert (result.n_treated, result.missing_treated) == (3, 1)
    assert (result.n_control, result.missing_control) == (2, 1)
    expected = (3 - 3) / math.sqrt((4 + 2) / 2)
    assert close(result.difference, expected)


def test_undefined_differences_say_why() -> None:
    too_few = standardised_difference([3.0], [1.0, 2.0])
    assert too_few.difference is None and too_few.reason is not None
    same = standardised_difference([1, 1, 1], [1, 1], kind="binary")
    assert same.difference == 0.0 and same.imbalanced is False
    apart = standardised_difference([1, 1, 1], [0, 0], kind="binary")
    assert apart.difference is None and apart.imbalanced is None
    assert apart.reason is not None and "vary" in apart.reason
    empty = standardised_difference([], [1, 0], kind="binary")
    assert empty.difference is None and empty.reason is not None


def test_binary_attributes_must_be_zero_or_one() -> None:
    with pytest.raises(ValueError):
        standardised_difference([0, 1, 2], [0, 1], kind="binary")
    with pytest.raises(ValueError):
        standardised_difference([0, 1], [0, 1], kind="ordinal")  # type: ignore[arg-type]
