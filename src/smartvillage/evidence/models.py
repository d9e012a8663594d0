"""Evidence recorded for a unit: documents, recognitions, IT models, facilities, channels,
products, organisations and reported figures. One table, typed by (category, type) from
evidence/data/evidence_types.yaml, so criteria can count and require them uniformly."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.evidence import catalogue
from smartvillage.units.models import AdminUnit, touch_units


def evidence_upload_to(instance: EvidenceRecord, filename: str) -> str:
    """Stored name: the unit, then the content hash and the checked extension.

    The user's file name is kept in `file_name` only (shown and used on download), so a crafted
    name can never choose the path on disk.
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    token = (instance.file_sha256 or "file")[:24]
    return f"evidence/{instance.unit_id}/{token}.{ext}"


class EvidenceRecord(models.Model):
    unit = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="evidence", verbose_name=_("đơn vị")
    )
    category = models.CharField(_("nhóm"), max_length=20, db_index=True)
    type = models.CharField(_("loại"), max_length=60, db_index=True)
    title = models.CharField(_("tên/trích yếu"), max_length=300)
    number = models.CharField(_("số, ký hiệu"), max_length=60, blank=True)
    issued_date = models.DateField(_("ngày ban hành/công nhận"), null=True, blank=True)
    issuer = models.CharField(_("cơ quan ban hành"), max_length=200, blank=True)
    description = models.TextField(_("mô tả"), blank=True)
    since = models.DateField(_("hoạt động từ"), null=True, blank=True)
    valid_until = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    link = models.URLField(_("đường dẫn"), blank=True, max_length=500)
    location = models.CharField(_("vị trí"), max_length=300, blank=True)
    quantity = models.PositiveIntegerField(_("số lượng"), default=1)
    # Figures (numerator/denominator), OCOP stars, "connected_to_police", ...
    attributes = models.JSONField(_("thuộc tính"), default=dict, blank=True)
    file = models.FileField(_("tệp"), upload_to=evidence_upload_to, blank=True, max_length=300)
    file_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    file_size = models.PositiveIntegerField(null=True, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every audited update (audit.update_audited) adds 1; an edit based on an
    # older number is refused and shown the other change (web forms, API ETag/If-Match).
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        verbose_name = _("minh chứng")
        verbose_name_plural = _("minh chứng")
        ordering = ["unit_id", "category", "type", "-issued_date", "id"]
        indexes = [models.Index(fields=["unit", "category", "type"], name="evidence_unit_cat_type")]

    def __str__(self) -> str:
        return self.title

    # Every way a record is written (the action functions, the survey, the admin, the demo)
    # passes here: the results shown for its unit and everything under it may change.
    def save(self, *args: Any, **kwargs: Any) -> None:
        super().save(*args, **kwargs)
        touch_units([self.unit_id])

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        unit_id = self.unit_id
        deleted = super().delete(*args, **kwargs)
        touch_units([unit_id])
        return deleted

    def is_valid_at(self, at: object) -> bool:
        """Recorded on or before the reference date and not expired by then."""
        start = self.issued_date or self.since
        if start is not None and at is not None and start > at:
            return False
        return not (self.valid_until is not None and at is not None and self.valid_until < at)

    @property
    def category_label(self) -> str:
        return catalogue.category_label(self.category)

    @property
    def type_label(self) -> str:
        return catalogue.type_label(self.category, self.type)

    def as_dict(self) -> dict:
        return {
            "id": self.pk,
            "category": self.category,
            "type": self.type,
            "title": self.title,
            "number": self.number,
            "issued_date": self.issued_date.isoformat() if self.issued_date else None,
            "issuer": self.issuer,
            "quantity": self.quantity,
            "location": self.location,
            "link": self.link,
            "attributes": self.attributes,
            "has_file": bool(self.file),
            # Kept in snapshots so a frozen assessment lists its evidence without the live rows.
            "type_label": self.type_label,
            "description": self.description,
            "since": self.since.isoformat() if self.since else None,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
            "file_name": self.file_name,
            "file_sha256": self.file_sha256,
        }
