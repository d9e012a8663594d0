from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class AuditAction(models.TextChoices):
    CREATE = "create", _("Tạo mới")
    UPDATE = "update", _("Sửa")
    DELETE = "delete", _("Xóa")
    IMPORT = "import", _("Nhập từ tệp")
    EXPORT = "export", _("Xuất dữ liệu cá nhân")
    VIEW = "view", _("Xem dữ liệu cá nhân")
    WORKFLOW = "workflow", _("Quy trình đánh giá")


class AuditEvent(models.Model):
    """Who did what to which object of which unit, with the values before and after."""

    at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(_("thao tác"), max_length=10, choices=AuditAction.choices)
    unit = models.ForeignKey(AdminUnit, null=True, on_delete=models.SET_NULL, related_name="+")
    object_type = models.CharField(_("loại đối tượng"), max_length=40)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The household an object belongs to, so a household's history includes its persons.
    household_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # Groups the rows written by one import (or one bulk action) under one event.
    batch = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    note = models.CharField(max_length=500, blank=True)
    # How many records (households, persons, rows) a view or export showed: the access log of a
    # unit adds them up (Law 91/2025: who saw how many persons' data). None: not an access entry.
    record_count = models.PositiveIntegerField(_("số bản ghi"), null=True, blank=True)

    class Meta:
        verbose_name = _("nhật ký")
        verbose_name_plural = _("nhật ký")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "at"], name="audit_unit_at")]

    def __str__(self) -> str:
        return f"{self.at:%d/%m/%Y %H:%M} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def changes(self) -> list[tuple[str, object, object]]:
        before = self.before or {}
        after = self.after or {}
        keys = sorted(set(before) | set(after))
        return [(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)]
