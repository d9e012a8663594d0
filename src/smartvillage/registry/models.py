"""Households and persons of a village, with the facts criteria count.

Facts of the catalogue with storage "column" are boolean columns here (one per fact, named by its
key); facts added later live in `extra`. Person carries its village (denormalised from the
household, kept in step by registry.services) so that per-village aggregates need no join.
"""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.translation import gettext
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


# Where a household of Vietnam can be, as (south, north, west, east) in decimal degrees: the
# mainland with its coastal islands (Lũng Cú 23,4° N, Mũi Cà Mau 8,6° N, A Pa Chải 102,1° E,
# Mũi Đôi 109,5° E; Phú Quốc, Thổ Chu, Côn Đảo inside), and the Hoàng Sa and Trường Sa
# archipelagos (đặc khu Hoàng Sa, đặc khu Trường Sa). A point outside all three is a typing
# error (a swapped pair, a missing minus or digit), not a household.
VIETNAM_AREAS = (
    (Decimal("8"), Decimal("24"), Decimal("102"), Decimal("110")),
    (Decimal("15.5"), Decimal("17.5"), Decimal("110.5"), Decimal("113")),
    (Decimal("7"), Decimal("12"), Decimal("111"), Decimal("117")),
)


# A household's own details, in the order the form and the API show them (facts and the note
# follow): one list, so a new detail is added once.
HOUSEHOLD_DETAILS = (
    "code",
    "head_name",
    "address",
    "house_number",
    "phone",
    "digital_address_code",
    "latitude",
    "longitude",
)


def in_vietnam(latitude: Decimal, longitude: Decimal) -> bool:
    return any(s <= latitude <= n and w <= longitude <= e for s, n, w, e in VIETNAM_AREAS)


def coordinate_errors(latitude: Decimal | None, longitude: Decimal | None) -> dict[str, str]:
    """Vietnamese messages ({field: message}) for a coordinate pair that cannot be a household's.

    Both or neither must be given; a pair must lie in Vietnam (VIETNAM_AREAS). Range checks of
    each number (−90..90, −180..180) are the fields' own.
    """
    try:
        latitude = None if latitude is None else Decimal(str(latitude))
        longitude = None if longitude is None else Decimal(str(longitude))
    except ArithmeticError:
        return {}  # not a number: the field's own message says it
    if latitude is None and longitude is None:
        return {}
    if any(v is not None and not v.is_finite() for v in (latitude, longitude)):
        return {}
    if latitude is None or longitude is None:
        missing = "latitude" if latitude is None else "longitude"
        label = gettext("Vĩ độ") if latitude is None else gettext("Kinh độ")
        return {
            missing: gettext(
                "%(label)s: chưa nhập; nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."
            )
            % {"label": label}
        }
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return {}  # the fields' own range messages say it
    if in_vietnam(latitude, longitude):
        return {}
    message = gettext(
        "Tọa độ: điểm (vĩ độ %(lat)s, kinh độ %(lon)s) nằm ngoài lãnh thổ Việt Nam (đất liền và "
        "các đảo ven bờ: vĩ độ 8–24° Bắc, kinh độ 102–110° Đông; quần đảo Hoàng Sa, Trường Sa)."
    ) % {"lat": _plain(latitude), "lon": _plain(longitude)}
    # (A swapped pair cannot get here: every longitude of Vietnam is beyond latitude's ±90.)
    return {"latitude": message}


def _plain(value: Decimal) -> str:
    """A degree in a sentence, in the page's language (21,0285 in Vietnamese), no trailing zeros."""
    text = format(value, "f")
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return number_format(Decimal(text), use_l10n=True)


def _fact(label: str) -> models.BooleanField:
    return models.BooleanField(label, default=False)


class Household(models.Model):
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="households", verbose_name=_("thôn")
    )
    code = models.CharField(_("mã hộ"), max_length=40)
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=200)
    address = models.CharField(_("địa chỉ"), max_length=300, blank=True)
    # The dwelling the household lives in ("Số nhà"): Thanh Hóa 6 counts houses ("Tỷ lệ nhà ở …
    # được gắn mã địa chỉ"), and households sharing a house share its number.
    house_number = models.CharField(_("số nhà"), max_length=60, blank=True)
    # A number to call about the household (the digital team phones down its worklist; a survey
    # answer can be checked by its last 4 digits). Digits, spaces, dots, dashes and a leading +.
    phone = models.CharField(
        _("số điện thoại liên hệ"),
        max_length=20,
        blank=True,
        validators=[
            RegexValidator(
                r"^\+?[0-9][0-9 .\-]{6,18}[0-9]$",
                _("Số điện thoại chỉ gồm chữ số (có thể có dấu cách, chấm, gạch), 8–20 ký tự."),
            )
        ],
    )
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
    # Optimistic locking: every audited update (audit.update_audited) adds 1; an edit based on an
    # older number is refused and shown the other change (web forms, API ETag/If-Match).
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

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

    def clean(self) -> None:
        super().clean()
        # Set by a form whose coordinate field already has its own error: the stored value of that
        # field must not be judged together with the other, newly typed one.
        if self.__dict__.pop("_coordinate_field_failed", False):
            return
        errors = coordinate_errors(self.latitude, self.longitude)
        if errors:
            raise ValidationError(errors)


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
    # Optimistic locking: every audited update (audit.update_audited) adds 1; an edit based on an
    # older number is refused and shown the other change (web forms, API ETag/If-Match).
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        verbose_name = _("nhân khẩu")
        verbose_name_plural = _("nhân khẩu")
        ordering = ["household_id", "id"]
        indexes = [
            # The engine's working-age population is a birth-date range per sex within a village.
            models.Index(fields=["village", "sex", "birth_date"], name="person_village_sex_birth"),
            # Persons the age populations cannot place (few): the engine counts them to say so.
            models.Index(
                fields=["village"],
                condition=models.Q(birth_date__isnull=True) | models.Q(sex=""),
                name="person_without_age",
            ),
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
