"""Benchmarking: where a programme stands among others on items asked in identical wording.

An item is comparable only with the same code and the same English wording in the same
wave. Every figure used, here or in an export, comes from a group of at least five.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Avg, Count, Q
from django.utils.translation import gettext as _

from mentora import stats as st
from mentora.core.audit import audit_log
from mentora.reports.aggregates import published_surveys
from mentora.reports.models import BenchmarkRow
from mentora.stats.anonymity import can_show
from mentora.surveys.models import MINIMUM_GROUP, Answer, QuestionKind

FORMAT = "mentora-benchmark/1"
# A percentile among fewer programmes would say too much about each of them.
MINIMUM_PROGRAMMES = 5
Key = tuple[str, str, str]


def item_aggregates(programme_ids: Any = None) -> dict[int, dict[Key, tuple[int, float, float]]]:
    """{programme id: {(wave, code, text_en): (n, mean, share favourable)}} for n >= 5.

    Only the population of other programmes a percentile ranks among; never published.
    """
    answers = Answer.objects.filter(question__kind=QuestionKind.SCALE, number__isnull=False)
    if programme_ids is not None:
        answers = answers.filter(response__survey__programme_id__in=programme_ids)
    rows = answers.values_list(
        "response__survey__programme_id",
        "response__survey__wave",
        "question__code",
        "question__text_en",
    ).annotate(n=Count("pk"), mean=Avg("number"), favourable=Count("pk", filter=Q(number__gte=4)))
    result: dict[int, dict[Key, tuple[int, float, float]]] = {}
    for programme_id, wave, code, text, n, mean, favourable in rows:
        if can_show(n, MINIMUM_GROUP):
            result.setdefault(programme_id, {})[(wave, code, text)] = (
                n,
                float(mean),
                favourable / n,
            )
    return result


def published_items(results: Any) -> dict[Key, tuple[int, float, float]]:
    """{(wave, code, text_en): (n, mean, share favourable)} of the agreement items a
    report publishes (the last survey of a wave wins, as on the report)."""
    figures: dict[Key, tuple[int, float, float]] = {}
    for result in results:
        for item in result.items:
            d, favourable = item.distribution, item.favourable
            if d is None or favourable is None or d.mean is None or favourable.estimate is None:
                continue
            q = item.question
            figures[(result.survey.wave, q.code, q.text_en)] = (d.n, d.mean, favourable.estimate)
    return figures


def percentiles(programme: Any, results: Any = None) -> dict[Key, tuple[float | None, int]]:
    """The programme's percentile of share favourable per published item, and how many
    programmes it is among.

    The population is every other programme of the installation plus the figures the
    organisation loaded from elsewhere; with fewer than five of them there is no percentile.
    """
    everyone = item_aggregates()
    everyone.pop(programme.pk, None)
    if results is None:
        results = published_surveys(programme)
    mine = published_items(results)
    external: dict[Key, list[float]] = {}
    for row in BenchmarkRow.objects.filter(organisation=programme.organisation):
        external.setdefault((row.wave, row.code, row.text_en), []).append(row.favourable)
    result: dict[Key, tuple[float | None, int]] = {}
    for key, (_n, _mean, favourable) in mine.items():
        population = [items[key][2] for items in everyone.values() if key in items]
        population += external.get(key, [])
        if len(population) < MINIMUM_PROGRAMMES:
            result[key] = (None, len(population))
        else:
            result[key] = (st.percentile_rank(favourable, population), len(population))
    return result


def export(programmes: Any) -> dict[str, Any]:
    """Anonymised aggregates of `programmes`: no names, and only the figures their reports
    publish (so nothing a report hides, and nothing computed over other respondents)."""
    salt = secrets.token_hex(8)
    groups = []
    for programme in sorted(programmes, key=lambda p: p.pk):
        items = published_items(published_surveys(programme))
        if not items:
            continue
        label = hashlib.sha256(f"{salt}:{programme.pk}".encode()).hexdigest()[:16]
        groups.append(
            {
                "group": label,
                "items": [
                    {
                        "wave": wave,
                        "code": code,
                        "text_en": text,
                        "n": n,
                        "mean": round(mean, 6),
                        "favourable": round(favourable, 6),
                    }
                    for (wave, code, text), (n, mean, favourable) in sorted(items.items())
                ],
            }
        )
    return {"format": FORMAT, "minimum_group": MINIMUM_GROUP, "groups": groups}


@transaction.atomic
def benchmark_load(*, organisation: Any, source: str, data: Mapping[str, Any], actor: Any) -> int:
    """Load another installation's export as benchmark rows; replaces that source's rows."""
    if not isinstance(data, Mapping) or data.get("format") != FORMAT:
        raise ValidationError(_("The file is not a Mentora benchmark export."))
    source = source.strip()[:200]
    if not source:
        raise ValidationError(_("Name the source of the figures."))
    BenchmarkRow.objects.filter(organisation=organisation, source=source).delete()
    rows = []
    try:
        for group in data.get("groups", []):
            for item in group["items"]:
                n = int(item["n"])
                if not can_show(n, MINIMUM_GROUP):
                    # An export should never hold these; refuse them rather than trust it.
                    continue
                favourable = float(item["favourable"])
                mean = float(item["mean"])
                if not (0.0 <= favourable <= 1.0 and 1.0 <= mean <= 5.0):
                    raise ValueError
                rows.append(
                    BenchmarkRow(
                        organisation=organisation,
                        source=source,
                        group=str(group["group"])[:64],
                        wave=str(item["wave"])[:10],
                        code=str(item["code"])[:40],
                        text_en=str(item["text_en"])[:400],
                        n=n,
                        mean=mean,
                        favourable=favourable,
                    )
                )
    except (KeyError, TypeError, ValueError):
        raise ValidationError(_("The benchmark file is not valid.")) from None
    BenchmarkRow.objects.bulk_create(rows)
    audit_log(
        actor=actor,
        action="reports.benchmark.load",
        obj=organisation,
        changes={"source": source, "rows": len(rows)},
    )
    return len(rows)
