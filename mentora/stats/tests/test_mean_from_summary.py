"""The t interval from a published mean and sd is the one from the answers themselves."""

import numpy as np
import pytest

from mentora.stats.scales import mean_interval, mean_interval_from_summary


def test_it_gives_the_same_interval_as_the_answers_do() -> None:
    answers = np.array([3.0, 4.0, 4.5, 5.0, 2.5, 4.0, 3.5])
    full = mean_interval(answers)
    short = mean_interval_from_summary(7, float(answers.mean()), float(answers.std(ddof=1)))
    assert (short.low, short.high) == pytest.approx((full.low, full.high))


def test_it_gives_no_interval_for_one_answer() -> None:
    one = mean_interval_from_summary(1, 4.0, None)
    assert (one.low, one.high, one.reason) == (None, None, "an interval needs at least two answers")
