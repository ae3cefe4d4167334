"""The statistics behind programme evaluation reports.

Pure functions on sequences or numpy arrays that return small frozen dataclasses, one module
per subject (proportions, scales, change, multiplicity, nps, retention, cox, balance,
benchmark). Each statistic is computed here from its textbook formula; scipy is used only
for distribution functions (normal, t, F and chi-square tails and quantiles, log-gamma).
``docs/statistics.md`` states every convention for methodologists. No Django: an import
contract keeps it out.

Missing answers are ``None`` or ``nan``. Where a statistic is undefined for the data (one
respondent, no variance, no events) the value is ``None`` and ``reason`` says why, so a
report can print the reason instead of a number; nothing here returns ``nan``.
"""

from mentora.surveys.statistics.balance import (
    IMBALANCE_THRESHOLD,
    StandardisedDifference,
    standardised_difference,
)
from mentora.surveys.statistics.benchmark import BENCHMARK_MINIMUM, percentile_rank
from mentora.surveys.statistics.change import PairedChange, hedges_correction, paired_change
from mentora.surveys.statistics.common import SMALL_SAMPLE
from mentora.surveys.statistics.cox import CoxModel, CoxTerm, cox_regression
from mentora.surveys.statistics.multiplicity import (
    AdjustedTest,
    adjust_for_multiplicity,
    holm_adjust,
)
from mentora.surveys.statistics.nps import NetPromoterScore, nps
from mentora.surveys.statistics.proportions import (
    Proportion,
    response_rate,
    share_favourable,
    wilson_interval,
)
from mentora.surveys.statistics.retention import (
    LogRank,
    SurvivalCurve,
    kaplan_meier,
    logrank_test,
    stratified_logrank_test,
)
from mentora.surveys.statistics.scales import (
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
