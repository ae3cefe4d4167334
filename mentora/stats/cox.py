"""Cox proportional-hazards regression for retention, with matched sets as strata or clusters."""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from mentora.stats.common import check_confidence, z_value
from mentora.stats.retention import survival_data

# Newton-Raphson stops when no coefficient moves by more than this; convergence is
# quadratic, so the coefficients are then exact to far below it.
STEP_TOLERANCE = 1e-10
MAX_ITERATIONS = 100
# A hazard ratio beyond e^10 (22,000-fold) per standard deviation of a covariate is no
# estimate: the likelihood keeps rising towards a coefficient of ±infinity (for example,
# every leaver in one group), and a little further its score underflows to zero.
MAX_STANDARDISED_COEFFICIENT = 10.0


@dataclass(frozen=True)
class CoxTerm:
    """One covariate of a Cox model; the interval is of the hazard ratio, exp(coefficient).

    ``standard_error`` is the one ``z``, ``p_value`` and the interval use: the robust
    (sandwich) one when the model is robust, else the model-based one, which is always in
    ``model_standard_error``.
    """

    name: str
    coefficient: float
    standard_error: float
    model_standard_error: float
    hazard_ratio: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float


@dataclass(frozen=True)
class CoxModel:
    """A fitted Cox model, or no terms and a ``reason`` when the data cannot support one."""

    terms: tuple[CoxTerm, ...]
    n: int
    n_events: int
    strata: int
    clusters: int | None
    robust: bool
    ties: Literal["efron", "breslow"]
    log_likelihood: float | None
    iterations: int
    confidence: float
    reason: str | None


class _Design:
    """Data sorted by stratum and time, with the index arithmetic every iteration needs."""

    def __init__(
        self,
        times: np.ndarray,
        events: np.ndarray,
        covariates: np.ndarray,
        strata: np.ndarray,
        ties: Literal["efron", "breslow"],
    ) -> None:
        order = np.lexsort((times, strata))
        self.order = order
        self.times = times[order]
        self.events = events[order]
        self.strata = strata[order]
        # Centring changes no coefficient and keeps exp(x·β) away from overflow.
        self.x = covariates[order] - covariates.mean(axis=0)
        n = self.times.size
        starts = np.r_[
            True, (self.strata[1:] != self.strata[:-1]) | (self.times[1:] != self.times[:-1])
        ]
        # A "slot" is one (stratum, time); rows of a slot share their risk set.
        self.slot = np.cumsum(starts) - 1
        self.slot_first = np.flatnonzero(starts)
        slots = self.slot_first.size
        stratum_starts = np.r_[True, self.strata[1:] != self.strata[:-1]]
        stratum_id = np.cumsum(stratum_starts) - 1
        stratum_end = np.r_[np.flatnonzero(stratum_starts)[1:], n]
        self.slot_end = stratum_end[stratum_id[self.slot_first]]
        # The first slot of each slot's stratum, for sums over earlier times in the stratum.
        slot_stratum = stratum_id[self.slot_first]
        first_slot_of_stratum = np.searchsorted(slot_stratum, np.arange(stratum_id[-1] + 1))
        self.slot_stratum_first = first_slot_of_stratum[slot_stratum]
        deaths = np.bincount(self.slot[self.events], minlength=slots)
        self.event_slots = np.flatnonzero(deaths)
        d = deaths[self.event_slots]
        # Efron's approximation splits d tied leavers into d steps; step k removes k/d of
        # the leavers' weight from the risk set. Breslow keeps the whole risk set (f = 0).
        self.step_slot = np.repeat(self.event_slots, d)
        offsets = np.arange(self.step_slot.size) - np.repeat(np.cumsum(d) - d, d)
        self.fraction = (
            offsets / np.repeat(d, d) if ties == "efron" else np.zeros(self.step_slot.size)
        )
        self.deaths = d
        self.slots = slots

    def at_risk(self, values: np.ndarray) -> np.ndarray:
        """Per slot, the sum of ``values`` over the rows at risk: same stratum, time >= t."""
        tail = np.concatenate((np.cumsum(values[::-1], axis=0)[::-1], np.zeros_like(values[:1])))
        return tail[self.slot_first] - tail[self.slot_end]

    def leaving(self, values: np.ndarray) -> np.ndarray:
        """Per slot, the sum of ``values`` over the rows that leave at that slot."""
        out = np.zeros((self.slots, *values.shape[1:]))
        np.add.at(out, self.slot[self.events], values[self.events])
        return out

    def steps(
        self, beta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """η, exp(η), and per tied-death step its denominator, x̄ and weighted x xᵀ."""
        eta = self.x @ beta
        risk = np.exp(eta - eta.max())
        weighted = self.x * risk[:, None]
        outer = weighted[:, :, None] * self.x[:, None, :]
        s = self.step_slot
        f = self.fraction
        denominator = self.at_risk(risk)[s] - f * self.leaving(risk)[s]
        first = self.at_risk(weighted)[s] - f[:, None] * self.leaving(weighted)[s]
        second = self.at_risk(outer)[s] - f[:, None, None] * self.leaving(outer)[s]
        return (
            eta,
            risk,
            denominator,
            first / denominator[:, None],
            second / denominator[:, None, None],
        )

    def fit_terms(self, beta: np.ndarray) -> tuple[float, np.ndarray, np.ndarray]:
        """Log partial likelihood, score and information at ``beta``."""
        eta, risk, denominator, mean, second = self.steps(beta)
        shift = float(eta.max())
        # Each step's log denominator carries the shift subtracted from η; adding it back
        # gives the likelihood of the uncentred-by-max linear predictor.
        log_likelihood = float(eta[self.events].sum() - (np.log(denominator) + shift).sum())
        score = self.x[self.events].sum(axis=0) - mean.sum(axis=0)
        information = (second - mean[:, :, None] * mean[:, None, :]).sum(axis=0)
        return log_likelihood, score, information

    def score_residuals(self, beta: np.ndarray) -> np.ndarray:
        """Each person's share of the score (Lin & Wei, 1989), in the original order.

        r_i = δ_i (x_i - mean of x̄ over their death steps)
              - exp(η_i) Σ_{steps at or before t_i in their stratum} c_ik h_k (x_i - x̄_k)

        with h_k = 1 / denominator_k and c_ik = 1, except 1 - k/d for a person leaving at
        that slot under Efron's approximation. The residuals sum to the score.
        """
        _eta, risk, denominator, mean, _ = self.steps(beta)
        p = self.x.shape[1]
        h = 1.0 / denominator
        f = self.fraction
        slots = self.slots
        h_slot = np.bincount(self.step_slot, weights=h, minlength=slots)
        hx_slot = np.zeros((slots, p))
        np.add.at(hx_slot, self.step_slot, h[:, None] * mean)
        fh_slot = np.bincount(self.step_slot, weights=f * h, minlength=slots)
        fhx_slot = np.zeros((slots, p))
        np.add.at(fhx_slot, self.step_slot, (f * h)[:, None] * mean)
        mean_slot = np.zeros((slots, p))
        np.add.at(mean_slot, self.step_slot, mean)
        deaths = np.zeros(slots)
        deaths[self.event_slots] = self.deaths
        mean_slot /= np.maximum(deaths, 1)[:, None]
        # Cumulative over the slots of the same stratum up to and including this one.
        cum_h = np.cumsum(h_slot)
        cum_hx = np.cumsum(hx_slot, axis=0)
        before = self.slot_stratum_first - 1
        cum_h = cum_h - np.where(before >= 0, cum_h[np.maximum(before, 0)], 0.0)
        cum_hx = cum_hx - np.where((before >= 0)[:, None], cum_hx[np.maximum(before, 0)], 0.0)
        rows = self.slot
        x = self.x
        died = self.events
        residuals = -risk[:, None] * (x * cum_h[rows][:, None] - cum_hx[rows])
        residuals[died] += (x - mean_slot[rows])[died]
        residuals[died] += (risk[:, None] * (x * fh_slot[rows][:, None] - fhx_slot[rows]))[died]
        unsorted = np.empty_like(residuals)
        unsorted[self.order] = residuals
        return unsorted


def _labels(values: ArrayLike | None, n: int, name: str) -> np.ndarray | None:
    if values is None:
        return None
    array = np.asarray(values)
    if array.shape != (n,):
        raise ValueError(f"{name} must have one label per person")
    return np.unique(array, return_inverse=True)[1].reshape(n)


def cox_regression(
    durations: ArrayLike,
    events: ArrayLike,
    covariates: ArrayLike,
    *,
    names: tuple[str, ...] | list[str] | None = None,
    strata: ArrayLike | None = None,
    clusters: ArrayLike | None = None,
    robust: bool = False,
    ties: Literal["efron", "breslow"] = "efron",
    confidence: float = 0.95,
) -> CoxModel:
    """Cox proportional-hazards model of time to leaving, by maximum partial likelihood.

    ``covariates`` is one value per person (a participant indicator) or a people x
    covariates matrix. The log partial likelihood, with Efron's (default) or Breslow's
    handling of tied leaving times, is summed over ``strata`` when given (each stratum its
    own baseline hazard, e.g. one per matched set) and maximised by Newton-Raphson with
    step halving.

    Standard errors: model-based, from the inverse information I⁻¹, unless ``clusters``
    (e.g. the matched sets) or ``robust`` is given; then the sandwich estimate
    I⁻¹ (Σ_c R_c R_cᵀ) I⁻¹ of Lin & Wei (1989), with R_c the sum of the score residuals of
    cluster c (each person their own cluster with ``robust`` alone). It allows for people
    of one set being alike. Wald z = β / se, p = 2 P(Z > |z|), and the hazard ratio's
    interval exp(β ± z_{1-α/2} se).

    No terms, with a ``reason``, when nobody left, when a covariate does not vary within
    the strata (the information is singular), or when the likelihood has no maximum
    (a hazard ratio of 0 or infinity, e.g. every leaver in one group).
    """
    confidence = check_confidence(confidence)
    if ties not in ("efron", "breslow"):
        raise ValueError("ties must be 'efron' or 'breslow'")
    times, observed = survival_data(durations, events)
    n = times.size
    x = np.asarray(covariates, dtype=float)
    if x.ndim == 1:
        x = x.reshape(-1, 1)
    if x.ndim != 2 or x.shape[0] != n:
        raise ValueError("covariates must have one row per person")
    if not np.all(np.isfinite(x)):
        raise ValueError("covariates must be finite numbers")
    p = x.shape[1]
    labels = tuple(names) if names is not None else tuple(f"x{j}" for j in range(p))
    if len(labels) != p:
        raise ValueError("names must name every covariate")
    stratum = _labels(strata, n, "strata")
    cluster = _labels(clusters, n, "clusters")
    is_robust = robust or cluster is not None
    n_strata = int(stratum.max()) + 1 if stratum is not None and n else 1
    n_clusters = int(cluster.max()) + 1 if cluster is not None and n else None

    # What every outcome shares: a fit adds its terms, a refusal its reason.
    model = functools.partial(
        CoxModel,
        n=n,
        n_events=int(observed.sum()),
        strata=n_strata,
        clusters=n_clusters,
        robust=is_robust,
        ties=ties,
        confidence=confidence,
    )

    def undefined(reason: str, iterations: int = 0) -> CoxModel:
        return model(terms=(), log_likelihood=None, iterations=iterations, reason=reason)

    if p == 0:
        raise ValueError("a Cox model needs at least one covariate")
    if not observed.any():
        return undefined("nobody left, so there is no hazard to compare")
    design = _Design(
        times, observed, x, stratum if stratum is not None else np.zeros(n, dtype=int), ties
    )
    scale = x.std(axis=0)
    beta = np.zeros(p)
    log_likelihood, score, information = design.fit_terms(beta)
    iterations = 0
    converged = False
    not_varying = "a covariate does not vary among the people at risk within the strata"
    while iterations < MAX_ITERATIONS:
        iterations += 1
        try:
            step = np.linalg.solve(information, score)
        except np.linalg.LinAlgError:
            return undefined(not_varying, iterations)
        # Converged when the full Newton step is negligible (never judged on a halved step,
        # which is small for other reasons).
        if np.max(np.abs(step)) < STEP_TOLERANCE:
            beta = beta + step
            log_likelihood, score, information = design.fit_terms(beta)
            converged = True
            break
        # Step halving: Newton can overshoot far from the maximum.
        for _ in range(30):
            candidate = beta + step
            new_log_likelihood, new_score, new_information = design.fit_terms(candidate)
            if new_log_likelihood >= log_likelihood - 1e-12 * abs(log_likelihood):
                break
            step = step / 2
        beta = candidate
        log_likelihood, score, information = new_log_likelihood, new_score, new_information
        if np.any(np.abs(beta * scale) > MAX_STANDARDISED_COEFFICIENT):
            break
    no_maximum = (
        "the likelihood has no maximum: the hazard ratio is 0 or infinite "
        "(for example, every leaver is in one group)"
    )
    if not converged or np.any(np.abs(beta * scale) > MAX_STANDARDISED_COEFFICIENT):
        return undefined(no_maximum, iterations)
    try:
        # A maximum has a positive definite information matrix.
        np.linalg.cholesky(information)
        variance = np.linalg.inv(information)
    except np.linalg.LinAlgError:
        return undefined(no_maximum, iterations)
    model_se = np.sqrt(np.diag(variance))
    if is_robust:
        residuals = design.score_residuals(beta)
        groups = cluster if cluster is not None else np.arange(n)
        summed = np.zeros((int(groups.max()) + 1, p))
        np.add.at(summed, groups, residuals)
        se = np.sqrt(np.diag(variance @ (summed.T @ summed) @ variance))
    else:
        se = model_se
    z = z_value(confidence)
    # A nearly flat likelihood can give an interval whose upper end overflows: it is then
    # unbounded, and reported as infinity.
    with np.errstate(over="ignore"):
        low = np.exp(beta - z * se)
        high = np.exp(beta + z * se)
    terms = tuple(
        CoxTerm(
            name=labels[j],
            coefficient=float(beta[j]),
            standard_error=float(se[j]),
            model_standard_error=float(model_se[j]),
            hazard_ratio=math.exp(beta[j]),
            ci_low=float(low[j]),
            ci_high=float(high[j]),
            z=float(beta[j] / se[j]),
            p_value=float(2.0 * stats.norm.sf(abs(beta[j] / se[j]))),
        )
        for j in range(p)
    )
    return model(terms=terms, log_likelihood=log_likelihood, iterations=iterations, reason=None)
