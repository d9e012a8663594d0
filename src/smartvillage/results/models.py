"""The results store: the counts the criteria engine would otherwise recount from the registry.

One `ResultScope` per (criteria set, its counting definition, reference date); under it one
`ResultCount` per (village, ratio criterion or part) with the numerator and denominator, and one
marker row per village (code "") holding the persons without birth date or sex. A village with a
marker row is *covered* by the scope: its rows are kept current by every write that can change
them, in the writer's transaction (see services.recount_villages and
docs/decisions/005-results-store.md).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ScopeReason(models.TextChoices):
    TODAY = "today", _("hôm nay")
    ASSESSMENT = "assessment", _("ngày đánh giá của hồ sơ")
    ASKED = "asked", _("ngày được hỏi")


class ResultScope(models.Model):
    # "slug@version", or "slug@version#code" for the villages inside an aggregate criterion.
    set_key = models.CharField(max_length=200)
    # A digest of everything the counts depend on (populations, numerators, age policy): an
    # uploaded set changed under the same slug and version gets new rows, never stale ones.
    fingerprint = models.CharField(max_length=40)
    at = models.DateField()
    reason = models.CharField(max_length=12, choices=ScopeReason.choices)
    last_used = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phạm vi kết quả lưu sẵn")
        verbose_name_plural = _("phạm vi kết quả lưu sẵn")
        constraints = [
            models.UniqueConstraint(
                fields=["set_key", "fingerprint", "at"], name="result_scope_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.set_key} @ {self.at:%d/%m/%Y}"


class ResultCount(models.Model):
    scope = models.ForeignKey(ResultScope, on_delete=models.CASCADE, related_name="counts")
    village = models.ForeignKey(
        "units.AdminUnit", on_delete=models.CASCADE, related_name="result_counts"
    )
    # The criterion's (or `also` part's) code; "" is the village's marker row.
    code = models.CharField(max_length=64)
    numerator = models.PositiveIntegerField(default=0)
    denominator = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("số đếm lưu sẵn")
        verbose_name_plural = _("số đếm lưu sẵn")
        constraints = [
            models.UniqueConstraint(fields=["scope", "village", "code"], name="result_count_unique")
        ]
        # The write path finds every scope covering a village by its marker rows.
        indexes = [models.Index(fields=["village", "code"], name="result_count_village")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.code}: {self.numerator}/{self.denominator}"
