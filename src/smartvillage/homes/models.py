"""What a province sets out to reach: how many villages recognised in a year (the dashboard's
"đã công nhận / mục tiêu")."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class RecognitionTarget(models.Model):
    unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        related_name="recognition_targets",
        verbose_name=_("tỉnh/thành phố"),
    )
    year = models.PositiveIntegerField(_("năm"), validators=[MinValueValidator(2020)])
    villages = models.PositiveIntegerField(_("số thôn phấn đấu được công nhận"))
    note = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mục tiêu công nhận")
        verbose_name_plural = _("mục tiêu công nhận")
        ordering = ["unit_id", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="recognition_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.unit} – {self.year}: {self.villages}"
