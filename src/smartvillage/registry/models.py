"""Households and persons of a village, with the facts criteria count.

Facts of the catalogue with storage "column" are boolean columns here (one per fact, named by its
key); facts added later live in `extra`. Person carries its village (denormalised from the
household, kept in step by registry.services) so that per-village aggregates need no join.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class Sex(models.TextChoices):
    MALE = "M", _("Nam")
    FEMALE = "F", _("Nữ")


class Relationship(models.TextChoices):
    HEAD = "head", _("Chủ hộ")
    SPOUSE = "spouse", _("Vợ/Chồng")
    CHILD = "child", _("Con")
    PARENT = "parent", _("Bố/Mẹ")
    GRANDCHILD = "grandchild", _("Cháu")
    SIBLING = "sibling", _("Anh/Chị/Em")
    IN_LAW = "in_law", _("Con dâu/Con rể")
    OTHER = "other", _("Khác")


def _fact(label: str) -> models.BooleanField:
    return models.BooleanField(label, default=False)


class Household(models.Model):
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="households", verbose_name=_("thôn")
    )
    code = models.CharField(_("mã hộ"), max_length=40)
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    digital_address_code = models.CharField(_("mã địa chỉ số"), max_length=64, blank=True)
    latitude = models.DecimalField(
        _("vĩ độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("kinh độ"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    # Household facts (registry/data/facts.yaml, storage: column)
    internet = _fact(_("Có sử dụng Internet"))
    fibre_internet = _fact(_("Internet cáp quang"))
    mobile_broadband = _fact(_("Di động 3G/4G/5G"))
    household_epayment = _fact(_("Hộ thanh toán điện tử"))
    digital_address = _fact(_("Gắn mã địa chỉ trên bản đồ số"))
    digital_address_notified = _fact(_("Được thông báo địa chỉ số"))
    household_online_public_services = _fact(_("Hộ dùng dịch vụ công trực tuyến"))
    security_camera = _fact(_("Camera an ninh"))
    waste_sorting = _fact(_("Phân loại rác tại nguồn"))
    is_business = _fact(_("Hộ kinh doanh"))
    fire_extinguisher = _fact(_("Bình chữa cháy"))
    community_group_member = _fact(_("Tham gia nhóm Zalo/Facebook"))
    security_order_compliant = _fact(_("Chấp hành an ninh trật tự"))
    cultural_family = _fact(_("Gia đình văn hóa"))
    extra = models.JSONField(_("chỉ tiêu bổ sung"), default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["village_id", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["village", "code"], name="household_code_unique_in_village"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} - {self.head_name}"


class Person(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="persons", verbose_name=_("hộ")
    )
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="+", editable=False
    )
    full_name = models.CharField(_("họ và tên"), max_length=200)
    # Year-only births are stored as 1 January of that year (DOMAIN.md) and flagged.
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year_only = models.BooleanField(_("chỉ biết năm sinh"), default=False)
    sex = models.CharField(_("giới tính"), max_length=1, choices=Sex.choices, blank=True)
    relationship = models.CharField(
        _("quan hệ với chủ hộ"),
        max_length=16,
        choices=Relationship.choices,
        default=Relationship.OTHER,
    )
    identity_number = models.CharField(_("số CCCD/định danh"), max_length=12, blank=True)
    note = models.CharField(_("ghi chú"), max_length=300, blank=True)

    # Person facts (registry/data/facts.yaml, storage: column)
    smartphone = _fact(_("Điện thoại thông minh"))
    epayment_account = _fact(_("Tài khoản thanh toán điện tử"))
    digital_skills_trained = _fact(_("Kỹ năng số và ATTT cơ bản"))
    online_public_services = _fact(_("Dịch vụ công trực tuyến"))
    essential_digital_services = _fact(_("Dịch vụ số thiết yếu"))
    vneid = _fact(_("VNeID"))
    electronic_health_record = _fact(_("Hồ sơ sức khỏe điện tử"))
    village_worker = _fact(_("Người hoạt động không chuyên trách ở thôn"))
    uses_digital_platforms = _fact(_("Ứng dụng nền tảng số để thông tin"))
    digital_team_member = _fact(_("Thành viên tổ CNSCĐ"))
    extra = models.JSONField(_("chỉ tiêu bổ sung"), default=dict, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("nhân khẩu")
        verbose_name_plural = _("nhân khẩu")
        ordering = ["household_id", "id"]
        indexes = [
            # The engine's working-age population is a birth-date range per sex within a village.
            models.Index(fields=["village", "sex", "birth_date"], name="person_village_sex_birth"),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_identity(self) -> str:
        return mask_identity(self.identity_number)

    @property
    def birth_display(self) -> str:
        if self.birth_date is None:
            return ""
        if self.birth_year_only:
            return str(self.birth_date.year)
        return self.birth_date.strftime("%d/%m/%Y")


def mask_identity(number: str) -> str:
    """Lists never show an identity number in full: keep the first 3 and last 2 digits."""
    if not number:
        return ""
    if len(number) <= 5:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
