"""Wilson intervals, shares favourable and response rates against statsmodels."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint

from mentora.stats import (
    response_rate,
    share_favourable,
    wilson_interval,
)
from mentora.stats.tests.checks import CONFIDENCES, close

# --- Wilson intervals ---------------------------------------------------------------------


def test_wilson_interval_matches_statsmodels_on_every_count_up_to_60() -> None:
    for n in range(1, 61):
        for successes in range(n + 1):
            for confidence in CONFIDENCES:
                low, high = wilson_interval(successes, n, confidence=confidence)
                ref_low, ref_high = proportion_confint(
                    successes, n, alpha=1 - confidence, method="wilson"
                )
                assert close(low, ref_low) and close(high, ref_high), (successes, n, confidence)


@given(
    n=st.integers(min_value=1, max_value=100_000),
    share=st.floats(min_value=0, max_value=1),
    confidence=st.floats(min_value=0.5, max_value=0.999),
)
@settings(max_examples=200, deadline=None)
def test_wilson_interval_matches_statsmodels_for_any_count(
    n: int, share: float, confidence: float
) -> None:
    successes = round(share * n)
    low, high = wilson_interval(successes, n, confidence=confidence)
    ref_low, ref_high = proportion_confint(successes, n, alpha=1 - confidence, method="wilson")
    assert close(low, ref_low) and close(high, ref_high)
    assert low is not None and high is not None and 0 <= low <= successes / n <= high <= 1


def test_share_favourable_matches_statsmodels_on_generated_answers() -> None:
    rng = np.random.default_rng(11)
    for size in (1, 2, 5, 13, 40, 250):
        answers = rng.integers(1, 6, size).astype(float)
        answers[rng.random(size) < 0.1] = np.nan
        answered = answers[~np.isnan(answers)]
        for threshold in (3, 4, 5):
            result = share_favourable(answers, threshold=threshold)
            favourable = sum(1 for a in answered if a >= threshold)
            assert result.successes == favourable and result.n == answered.size
            if answered.size == 0:
                assert result.estimate is None and result.low is None
                continue
            ref_low, ref_high = proportion_confint(favourable, answered.size, method="wilson")
            assert close(result.estimate, favourable / answered.size)
            assert close(result.low, ref_low) and close(result.high, ref_high)


def test_share_favourable_of_no_answers_is_none() -> None:
    result = share_favourable([None, None])
    assert (result.n, result.estimate, result.low, result.high) == (0, None, None, None)


def test_share_favourable_when_everyone_agrees_has_a_wilson_interval_below_one() -> None:
    result = share_favourable([5, 5, 4, 4, 5])
    ref_low, ref_high = proportion_confint(5, 5, method="wilson")
    assert result.estimate == 1.0 and close(result.low, ref_low) and close(result.high, ref_high)
    assert result.low is not None and result.low < 1.0


def test_response_rate_matches_statsmodels_and_rejects_impossible_counts() -> None:
    rng = np.random.default_rng(5)
    for invited in rng.integers(1, 2_000, 50):
        responded = int(rng.integers(0, invited + 1))
        result = response_rate(int(invited), responded, confidence=0.9)
        ref_low, ref_high = proportion_confint(responded, invited, alpha=0.1, method="wilson")
        assert close(result.estimate, responded / invited)
        assert close(result.low, ref_low) and close(result.high, ref_high)
    assert response_rate(0, 0).estimate is None
    with pytest.raises(ValueError):
        response_rate(3, 4)
    with pytest.raises(ValueError):
        response_rate(-1, 0)
