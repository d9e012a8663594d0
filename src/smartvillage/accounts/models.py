from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class Role(models.TextChoices):
    VILLAGE_HEAD = "village_head", _("Trưởng thôn / khu dân cư")
    DIGITAL_TEAM = "digital_team", _("Thành viên tổ công nghệ số cộng đồng")
    COMMUNE_OFFICER = "commune_officer", _("Cán bộ, công chức xã")
    COMMUNE_LEADER = "commune_leader", _("Lãnh đạo UBND xã")
    APPRAISER = "appraiser", _("Cán bộ thẩm định (huyện/tỉnh)")
    SYSTEM_ADMIN = "system_admin", _("Quản trị hệ thống")


class RoleAssignment(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    unit = models.ForeignKey(
        AdminUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("đơn vị"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công vai trò")
        verbose_name_plural = _("phân công vai trò")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "unit"], name="role_assignment_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} - {self.get_role_display()} - {self.unit or '*'}"
