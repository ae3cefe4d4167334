"""Multiplicity adjustment against statsmodels' multipletests."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.multitest import multipletests

from mentora.stats import adjust_for_multiplicity, holm_adjust

TOL = 1e-12


@given(
    p_values=st.lists(
        st.one_of(st.floats(0, 1), st.sampled_from([0.0, 0.01, 0.05, 0.5, 1.0])),
        min_size=1,
        max_size=40,
    )
)
# multipletests takes tens of milliseconds a call, so fewer examples than elsewhere.
@settings(max_examples=40, deadline=None)
def test_holm_matches_statsmodels_multipletests(p_values: list[float]) -> None:
    _reject, reference, _, _ = multipletests(p_values, alpha=0.05, method="holm")
    ours = holm_adjust(p_values)
    assert len(ours) == len(p_values)
    assert all(
        math.isclose(a, b, rel_tol=0, abs_tol=TOL) for a, b in zip(ours, reference, strict=True)
    )
    assert all(a >= p for a, p in zip(ours, p_values, strict=True))


def test_holm_on_generated_families_and_its_rejections_match_statsmodels() -> None:
    rng = np.random.default_rng(1979)
    for size in (1, 2, 3, 7, 25, 200):
        p_values = np.concatenate((rng.uniform(0, 0.02, size // 3), rng.uniform(0, 1, size)))
        names = [f"t{i}" for i in range(p_values.size)]
        for alpha in (0.01, 0.05, 0.1):
            reject, reference, _, _ = multipletests(p_values, alpha=alpha, method="holm")
            result = adjust_for_multiplicity(dict(zip(names, p_values, strict=True)), alpha=alpha)
            for name, expected, rejected in zip(names, reference, reject, strict=True):
                test = result[name]
                assert test.role == "exploratory" and test.family_size == p_values.size
                assert test.adjusted_p_value is not None
                assert math.isclose(test.adjusted_p_value, expected, rel_tol=0, abs_tol=TOL)
                assert test.significant is bool(rejected)


def test_the_primary_outcome_is_not_adjusted_and_the_rest_are_adjusted_together() -> None:
    p_values = {"retention": 0.03, "confidence": 0.012, "network": 0.04, "clarity": 0.2}
    result = adjust_for_multiplicity(p_values, primary="retention")
    assert result["retention"].role == "primary" and result["retention"].family_size == 1
    assert result["retention"].adjusted_p_value == 0.03 and result["retention"].significant
    exploratory = ["confidence", "network", "clarity"]
    _, reference, _, _ = multipletests([p_values[k] for k in exploratory], method="holm")
    for name, expected in zip(exploratory, reference, strict=True):
        assert result[name].role == "exploratory" and result[name].family_size == 3
        assert math.isclose(result[name].adjusted_p_value or -1, expected, abs_tol=TOL)
    # Adjusted with the primary outcome in the family, 0.03 would not survive.
    assert not adjust_for_multiplicity(p_values)["retention"].significant


def test_several_primary_outcomes_are_adjusted_among_themselves() -> None:
    p_values = {"a": 0.02, "b": 0.04, "c": 0.001, "d": 0.3}
    result = adjust_for_multiplicity(p_values, primary=["a", "b"])
    _, primary_reference, _, _ = multipletests([0.02, 0.04], method="holm")
    assert result["a"].adjusted_p_value == pytest.approx(primary_reference[0], abs=TOL)
    assert result["b"].adjusted_p_value == pytest.approx(primary_reference[1], abs=TOL)
    assert result["a"].role == result["b"].role == "primary" and result["a"].family_size == 2
    _, exploratory_reference, _, _ = multipletests([0.001, 0.3], method="holm")
    assert result["c"].adjusted_p_value == pytest.approx(exploratory_reference[0], abs=TOL)


def test_tests_without_a_p_value_keep_their_role_and_stay_out_of_the_family() -> None:
    result = adjust_for_multiplicity({"a": 0.01, "b": None, "c": 0.02}, primary="b")
    assert result["b"].role == "primary" and result["b"].adjusted_p_value is None
    assert result["b"].significant is None and result["b"].family_size == 0
    assert result["a"].family_size == 2 and result["a"].adjusted_p_value == pytest.approx(0.02)


def test_adjustment_refuses_impossible_input() -> None:
    with pytest.raises(ValueError, match="primary"):
        adjust_for_multiplicity({"a": 0.1}, primary="b")
    with pytest.raises(ValueError):
        adjust_for_multiplicity({"a": 1.5})
    with pytest.raises(ValueError):
        holm_adjust([0.1, float("nan")])
    with pytest.raises(ValueError):
        adjust_for_multiplicity({"a": 0.1}, alpha=0)
    assert holm_adjust([]) == ()
