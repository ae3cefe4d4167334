"""The statistics behind programme evaluation reports, and the disclosure control.

Pure functions on sequences or numpy arrays that return small frozen dataclasses, one module
per subject (proportions, scales, change, multiplicity, nps, retention, cox, balance,
benchmark), and ``anonymity``, the suppression every published count passes. Each statistic
is computed here from its textbook formula; scipy is used only for distribution functions
(normal, t, F and chi-square tails and quantiles, log-gamma). ``docs/statistics.md`` states
every convention for methodologists. No Django: an import contract keeps it out.

Missing answers are ``None`` or ``nan``. Where a statistic is undefined for the data (one
respondent, no variance, no events) the value is ``None`` and ``reason`` says why, so a
report can print the reason instead of a number; nothing here returns ``nan``.
"""

from mentora.stats.balance import (
    IMBALANCE_THRESHOLD,
    StandardisedDifference,
    standardised_difference,
)
from mentora.stats.benchmark import BENCHMARK_MINIMUM, percentile_rank
from mentora.stats.change import PairedChange, hedges_correction, paired_change
from mentora.stats.common import SMALL_SAMPLE
from mentora.stats.cox import CoxModel, CoxTerm, cox_regression
from mentora.stats.multiplicity import (
    AdjustedTest,
    adjust_for_multiplicity,
    holm_adjust,
)
from mentora.stats.nps import NetPromoterScore, nps
from mentora.stats.proportions import (
    Proportion,
    response_rate,
    share_favourable,
    wilson_interval,
)
from mentora.stats.retention import (
    LogRank,
    SurvivalCurve,
    kaplan_meier,
    logrank_test,
    stratified_logrank_test,
)
from mentora.stats.scales import (
    RELIABILITY_THRESHOLD,
    CronbachAlpha,
    ItemDistribution,
    MeanInterval,
    cronbach_alpha,
    feldt_interval,
    item_distribution,
    mean_interval,
    scale_mean,
)

__all__ = [
    "IMBALANCE_THRESHOLD",
    "BENCHMARK_MINIMUM",
    "AdjustedTest",
    "RELIABILITY_THRESHOLD",
    "SMALL_SAMPLE",
    "CoxModel",
    "CoxTerm",
    "CronbachAlpha",
    "ItemDistribution",
    "LogRank",
    "MeanInterval",
    "NetPromoterScore",
    "PairedChange",
    "Proportion",
    "StandardisedDifference",
    "SurvivalCurve",
    "adjust_for_multiplicity",
    "cox_regression",
    "cronbach_alpha",
    "feldt_interval",
    "hedges_correction",
    "holm_adjust",
    "item_distribution",
    "kaplan_meier",
    "logrank_test",
    "mean_interval",
    "nps",
    "paired_change",
    "percentile_rank",
    "response_rate",
    "scale_mean",
    "share_favourable",
    "standardised_difference",
    "stratified_logrank_test",
    "wilson_interval",
]
