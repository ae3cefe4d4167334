"""Benchmark figures loaded from another installation's anonymised export."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentora.accounts.models import Organisation


class BenchmarkRow(models.Model):
    """One item's aggregate from one anonymous programme elsewhere (n of at least five)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="benchmark_rows"
    )
    source = models.CharField(_("source"), max_length=200)
    group = models.CharField(max_length=64)
    wave = models.CharField(max_length=10)
    code = models.CharField(max_length=40)
    text_en = models.CharField(max_length=400)
    n = models.PositiveIntegerField()
    mean = models.FloatField()
    favourable = models.FloatField()
    loaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("benchmark figure")
        verbose_name_plural = _("benchmark figures")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(n__gte=5), name="benchmark_row_group_of_five"
            ),
            models.UniqueConstraint(
                fields=["organisation", "source", "group", "wave", "code", "text_en"],
                name="benchmark_row_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source}: {self.code}"
