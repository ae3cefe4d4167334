"""Cox regression against lifelines (Efron) and statsmodels (Breslow) on matched sets."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from numpy.testing import assert_allclose
from statsmodels.duration.hazard_regression import PHReg

from mentora.stats import CoxModel, cox_regression
from mentora.stats.cox import _Design

TOL = 1e-7
# lifelines stops at a step of 1e-7 by default; asked for more, it stops once its Newton
# decrement is below 1e-15, which leaves its coefficients up to ~1e-8 from the maximum
# (the score there is ~1e-8, where ours is ~1e-14; see the test of the score below).
PRECISE = {"precision": 1e-15, "r_precision": 0.0, "step_size": 1.0}


def matched_cohort(
    rng: np.random.Generator, sets: int, size: int, ties: bool
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sets of one participant and size - 1 colleagues, a set effect, and a second covariate
    (years of service). Returns durations, events, covariates (participant, years), sets."""
    n = sets * size
    participant = np.tile(np.r_[1.0, np.zeros(size - 1)], sets)
    years = rng.normal(5, 2, n)
    set_effect = np.repeat(rng.normal(0, 0.7, sets), size)
    hazard = np.exp(set_effect - 0.5 * participant - 0.1 * years) / 20
    leave = rng.exponential(1 / hazard)
    follow_up = rng.uniform(6, 48, n)
    durations = np.minimum(leave, follow_up)
    if ties:
        durations = np.ceil(durations)
    events = (leave <= follow_up).astype(int)
    return (
        durations,
        events,
        np.column_stack([participant, years]),
        np.repeat(np.arange(sets), size),
    )


def lifelines_fit(
    durations: np.ndarray,
    events: np.ndarray,
    covariates: np.ndarray,
    strata: np.ndarray | None = None,
    clusters: np.ndarray | None = None,
    robust: bool = False,
) -> CoxPHFitter:
    frame = pd.DataFrame(covariates, columns=[f"x{j}" for j in range(covariates.shape[1])])
    frame["T"], frame["E"] = durations, events
    if strata is not None:
        frame["stratum"] = strata
    if clusters is not None:
        frame["cluster"] = clusters
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return CoxPHFitter().fit(
            frame,
            "T",
            "E",
            strata=["stratum"] if strata is not None else None,
            cluster_col="cluster" if clusters is not None else None,
            robust=robust,
            fit_options=PRECISE,
        )


def assert_matches_lifelines(ours: CoxModel, reference: CoxPHFitter) -> None:
    assert ours.reason is None and ours.log_likelihood is not None
    assert_allclose([t.coefficient for t in ours.terms], reference.params_, atol=TOL, rtol=0)
    assert_allclose(
        [t.standard_error for t in ours.terms], reference.standard_errors_, atol=TOL, rtol=0
    )
    assert_allclose([t.p_value for t in ours.terms], reference.summary["p"], atol=TOL, rtol=0)
    assert_allclose(
        [t.ci_low for t in ours.terms],
        reference.summary["exp(coef) lower 95%"],
        atol=TOL,
        rtol=TOL,
    )
    assert_allclose(
        [t.ci_high for t in ours.terms],
        reference.summary["exp(coef) upper 95%"],
        atol=TOL,
        rtol=TOL,
    )
    assert abs(ours.log_likelihood - reference.log_likelihood_) < 1e-7


def test_cox_matches_lifelines_with_clusters_and_strata_on_continuous_times() -> None:
    rng = np.random.default_rng(1972)
    for sets, size in ((15, 2), (40, 3), (120, 2)):
        durations, events, covariates, sets_of = matched_cohort(rng, sets, size, ties=False)
        plain = cox_regression(durations, events, covariates)
        assert_matches_lifelines(plain, lifelines_fit(durations, events, covariates))
        assert not plain.robust and plain.clusters is None
        clustered = cox_regression(durations, events, covariates, clusters=sets_of)
        assert_matches_lifelines(
            clustered, lifelines_fit(durations, events, covariates, clusters=sets_of)
        )
        assert clustered.robust and clustered.clusters == sets
        both = cox_regression(durations, events, covariates, strata=sets_of, clusters=sets_of)
        assert_matches_lifelines(
            both, lifelines_fit(durations, events, covariates, strata=sets_of, clusters=sets_of)
        )
        assert both.strata == sets
        robust = cox_regression(durations, events, covariates, robust=True)
        assert_matches_lifelines(robust, lifelines_fit(durations, events, covariates, robust=True))
        for term in clustered.terms:
            assert term.model_standard_error != term.standard_error


def test_cox_with_tied_times_matches_lifelines_efron_fit() -> None:
    rng = np.random.default_rng(7)
    for sets, size in ((20, 2), (60, 3)):
        durations, events, covariates, sets_of = matched_cohort(rng, sets, size, ties=True)
        for strata in (None, sets_of):
            ours = cox_regression(durations, events, covariates, strata=strata)
            assert ours.ties == "efron"
            assert_matches_lifelines(ours, lifelines_fit(durations, events, covariates, strata))


def statsmodels_clustered(
    durations: np.ndarray,
    events: np.ndarray,
    covariates: np.ndarray,
    strata: np.ndarray | None,
    clusters: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, float]:
    """Breslow fit, and the sandwich from statsmodels' own score residuals and Hessian.

    statsmodels marks people who were never at risk at an event time with nan residuals;
    they add nothing to the score, so they count as zero here.
    """
    model = PHReg(durations, covariates, status=events, strata=strata, ties="breslow")
    fitted = model.fit()
    residuals = np.nan_to_num(model.score_residuals(fitted.params))
    summed = pd.DataFrame(residuals).groupby(clusters).sum().to_numpy()
    bread = np.linalg.inv(-model.hessian(fitted.params))
    robust = bread @ summed.T @ summed @ bread
    return fitted.params, np.sqrt(np.diag(robust)), float(fitted.llf)


def test_cox_breslow_with_ties_strata_and_clusters_matches_statsmodels() -> None:
    rng = np.random.default_rng(1989)
    for sets, size in ((25, 2), (50, 4)):
        durations, events, covariates, sets_of = matched_cohort(rng, sets, size, ties=True)
        for strata in (None, sets_of):
            ours = cox_regression(
                durations, events, covariates, strata=strata, clusters=sets_of, ties="breslow"
            )
            params, se, llf = statsmodels_clustered(durations, events, covariates, strata, sets_of)
            assert ours.log_likelihood is not None and abs(ours.log_likelihood - llf) < 1e-7
            assert_allclose([t.coefficient for t in ours.terms], params, atol=TOL, rtol=0)
            assert_allclose([t.standard_error for t in ours.terms], se, atol=TOL, rtol=0)


def test_score_residuals_add_up_to_the_score_with_tied_times() -> None:
    # The sandwich needs each person's share of the score; the shares must sum to it.
    rng = np.random.default_rng(11)
    durations, events, covariates, sets_of = matched_cohort(rng, 30, 3, ties=True)
    for ties in ("efron", "breslow"):
        design = _Design(durations, events.astype(bool), covariates, sets_of, ties)  # type: ignore[arg-type]
        for beta in (np.zeros(2), np.array([-0.4, 0.2]), np.array([1.0, -0.3])):
            _, score, _ = design.fit_terms(beta)
            assert_allclose(design.score_residuals(beta).sum(axis=0), score, atol=1e-10)


def test_cox_estimate_is_where_the_score_vanishes() -> None:
    rng = np.random.default_rng(12)
    durations, events, covariates, sets_of = matched_cohort(rng, 40, 3, ties=True)
    for ties in ("efron", "breslow"):
        for strata in (None, sets_of):
            model = cox_regression(durations, events, covariates, strata=strata, ties=ties)  # type: ignore[arg-type]
            beta = np.array([t.coefficient for t in model.terms])
            design = _Design(
                durations,
                events.astype(bool),
                covariates,
                np.zeros(durations.size, dtype=int) if strata is None else strata,
                ties,  # type: ignore[arg-type]
            )
            assert np.max(np.abs(design.fit_terms(beta)[1])) < 1e-10


def test_cox_names_its_terms_and_takes_a_single_covariate() -> None:
    rng = np.random.default_rng(3)
    durations, events, covariates, _ = matched_cohort(rng, 30, 2, ties=False)
    single = cox_regression(durations, events, covariates[:, 0], names=["participant"])
    assert [t.name for t in single.terms] == ["participant"]
    reference = lifelines_fit(durations, events, covariates[:, :1])
    assert abs(single.terms[0].coefficient - reference.params_.iloc[0]) < TOL
    term = single.terms[0]
    assert abs(term.hazard_ratio - np.exp(term.coefficient)) < 1e-12
    assert term.ci_low < term.hazard_ratio < term.ci_high


def test_cox_without_a_finite_estimate_says_why() -> None:
    nobody = cox_regression([3, 5, 8], [0, 0, 0], [1, 0, 1])
    assert nobody.terms == () and nobody.reason is not None and "nobody left" in nobody.reason
    # Every leaver is a colleague: the participants' hazard ratio is 0.
    separated = cox_regression([2, 3, 4, 10, 11, 12], [1, 1, 1, 0, 0, 0], [0, 0, 0, 1, 1, 1])
    assert separated.terms == () and separated.reason is not None
    assert "no maximum" in separated.reason
    # Within each matched set everyone has the same covariate: nothing to compare.
    flat = cox_regression([2, 5, 3, 6], [1, 1, 1, 0], [1, 1, 0, 0], strata=[0, 0, 1, 1])
    assert flat.terms == () and flat.reason is not None and "does not vary" in flat.reason


def test_cox_rejects_malformed_input() -> None:
    with pytest.raises(ValueError):
        cox_regression([1, 2], [1, 0], [1, 0, 1])
    with pytest.raises(ValueError):
        cox_regression([1, 2], [1, 0], [1, float("nan")])
    with pytest.raises(ValueError):
        cox_regression([1, 2], [1, 0], [1, 0], strata=[0])
    with pytest.raises(ValueError):
        cox_regression([1, 2], [1, 0], [1, 0], names=["a", "b"])
    with pytest.raises(ValueError):
        cox_regression([1, 2], [1, 0], [1, 0], ties="exact")  # type: ignore[arg-type]
