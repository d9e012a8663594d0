"""What a province sets out to reach (villages recognised in a year, the dashboard's "đã công
nhận / mục tiêu"), and where a village sits on the commune's and province's maps when the commune
places it (else at the centre of its households)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.registry.models import coordinate_errors
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


class VillagePosition(models.Model):
    """A village's point on the maps, set by the commune: a point of Vietnam, checked as a
    household's is (registry.models.coordinate_errors: mainland, Hoàng Sa, Trường Sa)."""

    unit = models.OneToOneField(
        AdminUnit, on_delete=models.CASCADE, related_name="map_position", verbose_name=_("thôn")
    )
    latitude = models.DecimalField(_("vĩ độ"), max_digits=9, decimal_places=6)
    longitude = models.DecimalField(_("kinh độ"), max_digits=9, decimal_places=6)

    class Meta:
        verbose_name = _("vị trí thôn trên bản đồ")
        verbose_name_plural = _("vị trí thôn trên bản đồ")

    def __str__(self) -> str:
        return f"{self.unit}: {self.latitude}, {self.longitude}"

    def clean(self) -> None:
        errors = coordinate_errors(self.latitude, self.longitude)
        if errors:
            raise ValidationError(errors)
