"""Serializers: validate API input with Vietnamese messages keyed by field; shape the output.

They only validate and render. Views hand validated data to registry.services, which check
permission, run full_clean, write atomically and audit. Identity numbers are write-only: responses
carry `masked_identity` and nothing else about them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from smartvillage.core import text as text_rules
from smartvillage.core.text import PrintableSerializerMixin
from smartvillage.criteria.loader import CriteriaSet, Criterion
from smartvillage.registry import facts
from smartvillage.registry.models import HOUSEHOLD_DETAILS, Household, Person
from smartvillage.units.models import AdminUnit

MIN_BIRTH_YEAR = 1900
_IDENTITY_SEPARATORS = re.compile(r"[\s.\-]")


def fact_keys(level: str) -> list[str]:
    """The catalogue's column facts of a level: each a boolean field of the API."""
    return [f.key for f in facts.column_facts(level)]


# ---- units ------------------------------------------------------------------------------------


class UnitSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = AdminUnit
        fields = [
            "id",
            "parent",
            "level",
            "unit_type",
            "code",
            "name",
            "full_name",
            "scheme",
            "data_version",
            "attributes",
            "is_active",
        ]
        read_only_fields = fields


# ---- extra facts ------------------------------------------------------------------------------


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {
            "oneOf": [{"type": "boolean"}, {"type": "integer"}, {"type": "string"}],
            "nullable": True,
        },
        "description": (
            "Chỉ tiêu bổ sung của danh mục (storage: extra), theo khóa. Khi sửa (PATCH), các khóa "
            "gửi lên được gộp vào giá trị đang lưu; khóa có giá trị null bị xóa. "
            "Ngày dạng YYYY-MM-DD."
        ),
    }
)
class ExtraFactsField(serializers.Field):
    """`extra`: facts of the catalogue that have no column, checked against their declared type."""

    def __init__(self, level: str, **kwargs: Any) -> None:
        self.level = level
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> dict[str, Any]:
        return dict(value or {})

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise serializers.ValidationError(_("Chỉ tiêu bổ sung: phải là một đối tượng JSON."))
        known = {f.key: f for f in facts.facts_for(self.level) if f.storage == "extra"}
        columns = set(fact_keys(self.level))
        errors: list[str] = []
        result: dict[str, Any] = {}
        for key, value in data.items():
            fact = known.get(key)
            if fact is None:
                hint = _(" (đây là trường riêng, gửi ở ngoài “extra”)") if key in columns else ""
                errors.append(
                    _("Chỉ tiêu bổ sung “%(key)s”: không có trong danh mục%(hint)s.")
                    % {"key": key, "hint": hint}
                )
                continue
            if value is None:
                result[key] = None
                continue
            reason = text_rules.refusal(value) if isinstance(value, str) else None
            if reason:  # NUL and other controls never reach the JSON column (docs/decisions/008)
                errors.append(
                    _("Chỉ tiêu bổ sung “%(key)s” (%(label)s): %(reason)s.")
                    % {"key": key, "label": fact.label, "reason": reason}
                )
                continue
            checked = _check_fact_value(fact, value)
            if checked is _INVALID:
                errors.append(
                    _("Chỉ tiêu bổ sung “%(key)s” (%(label)s): giá trị phải là %(type)s.")
                    % {"key": key, "label": fact.label, "type": _TYPE_NAMES[fact.type]()}
                )
                continue
            result[key] = checked
        if errors:
            raise serializers.ValidationError(errors)
        return result


_INVALID = object()
_TYPE_NAMES = {
    "bool": lambda: _("true/false"),
    "int": lambda: _("số nguyên"),
    "text": lambda: _("chuỗi"),
    "date": lambda: _("ngày dạng YYYY-MM-DD"),
}


def _check_fact_value(fact: facts.Fact, value: Any) -> Any:
    if fact.type == "bool":
        return value if isinstance(value, bool) else _INVALID
    if fact.type == "int":
        return value if isinstance(value, int) and not isinstance(value, bool) else _INVALID
    if fact.type == "text":
        return text_rules.clean_line(value).strip() if isinstance(value, str) else _INVALID
    if fact.type == "date":
        if not isinstance(value, str):
            return _INVALID
        try:
            return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            return _INVALID
    return _INVALID


def merge_extra(current: dict[str, Any] | None, given: dict[str, Any]) -> dict[str, Any]:
    """PATCH semantics for `extra`: given keys replace, null removes, other keys stay."""
    merged = dict(current or {})
    for key, value in given.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


def _single_spaced(value: str, label: str) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise serializers.ValidationError(_("%(label)s: chưa nhập (bắt buộc).") % {"label": label})
    return text


# ---- households -------------------------------------------------------------------------------


class HouseholdSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    village_name = serializers.CharField(source="village.full_name", read_only=True)
    extra = ExtraFactsField("household")
    latitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-90,
        max_value=90,
        allow_null=True,
        required=False,
        coerce_to_string=False,
    )
    longitude = serializers.DecimalField(
        max_digits=9,
        decimal_places=6,
        min_value=-180,
        max_value=180,
        allow_null=True,
        required=False,
        coerce_to_string=False,
    )

    class Meta:
        model = Household
        fields = [
            "id",
            "village",
            "village_name",
            *HOUSEHOLD_DETAILS,
            "note",
            *fact_keys("household"),
            "extra",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "village", "version", "created_at", "updated_at"]
        # The (village, code) uniqueness is checked in validate_code with a message that says where.
        validators: list[Any] = []

    def _village(self) -> AdminUnit:
        return self.instance.village if self.instance is not None else self.context["village"]

    def validate_code(self, value: str) -> str:
        code = _single_spaced(value, _("Mã hộ"))
        clash = Household.objects.filter(village=self._village(), code__iexact=code)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise serializers.ValidationError(
                _("Mã hộ: “%(code)s” đã có trong thôn này.") % {"code": code}
            )
        return code

    def validate_head_name(self, value: str) -> str:
        return _single_spaced(value, _("Họ tên chủ hộ"))

    def service_fields(self) -> dict[str, Any]:
        """Validated data as keyword arguments of registry.services."""
        data = dict(self.validated_data)
        if "extra" in data:
            current = self.instance.extra if self.instance is not None else {}
            data["extra"] = merge_extra(current, data["extra"])
        return data


# ---- persons ----------------------------------------------------------------------------------


class PersonSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    household_code = serializers.CharField(source="household.code", read_only=True)
    masked_identity = serializers.CharField(
        read_only=True, help_text="Số CCCD/định danh đã che (chỉ giữ 3 số đầu và 2 số cuối)."
    )
    identity_number = serializers.CharField(
        write_only=True,
        required=False,
        allow_blank=True,
        max_length=20,
        help_text=(
            "Số CCCD (12 chữ số) hoặc CMND cũ (9 chữ số). Chỉ ghi, không bao giờ trả về; "
            "chuỗi rỗng xóa số đã lưu."
        ),
    )
    extra = ExtraFactsField("person")

    class Meta:
        model = Person
        fields = [
            "id",
            "household",
            "household_code",
            "village",
            "full_name",
            "birth_date",
            "birth_year_only",
            "sex",
            "relationship",
            "identity_number",
            "masked_identity",
            "note",
            *fact_keys("person"),
            "extra",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["id", "household", "village", "version", "created_at", "updated_at"]

    def validate_full_name(self, value: str) -> str:
        return _single_spaced(value, _("Họ và tên"))

    def validate_birth_date(self, value: dt.date | None) -> dt.date | None:
        if value is None:
            return None
        if value > timezone.localdate():
            raise serializers.ValidationError(
                _("Ngày sinh: ngày %(date)s ở trong tương lai.") % {"date": f"{value:%d/%m/%Y}"}
            )
        if value.year < MIN_BIRTH_YEAR:
            raise serializers.ValidationError(
                _("Ngày sinh: năm sinh %(year)s trước %(lo)s.")
                % {"year": value.year, "lo": MIN_BIRTH_YEAR}
            )
        return value

    def validate_identity_number(self, value: str) -> str:
        raw = _IDENTITY_SEPARATORS.sub("", value or "")
        if raw and (not raw.isdigit() or len(raw) not in (9, 12)):
            raise serializers.ValidationError(
                _("Số CCCD/định danh: phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).")
            )
        return raw

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        # A year-only birth is stored as 1 January of that year (DOMAIN.md).
        instance = self.instance
        year_only = attrs.get(
            "birth_year_only", instance.birth_year_only if instance is not None else False
        )
        birth = attrs.get("birth_date", instance.birth_date if instance is not None else None)
        if year_only:
            if birth is None:
                raise serializers.ValidationError(
                    {"birth_year_only": _("Chỉ biết năm sinh: cần gửi kèm birth_date (năm sinh).")}
                )
            attrs["birth_date"] = dt.date(birth.year, 1, 1)
        return attrs

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.validated_data)
        if "extra" in data:
            current = self.instance.extra if self.instance is not None else {}
            data["extra"] = merge_extra(current, data["extra"])
        return data


# ---- criteria sets ----------------------------------------------------------------------------


class LegalBasisSerializer(serializers.Serializer):
    number = serializers.CharField()
    date = serializers.DateField()
    issuer = serializers.CharField()
    title = serializers.CharField(allow_blank=True)


class CriteriaSetSummarySerializer(serializers.Serializer):
    """Read-only shape of CriteriaSet.summary() (documentation; the view returns the dict)."""

    slug = serializers.CharField()
    version = serializers.IntegerField()
    title = serializers.CharField()
    province = serializers.CharField(allow_blank=True)
    level = serializers.CharField(help_text="Cấp được đánh giá: village hoặc commune.")
    legal_basis = LegalBasisSerializer()
    valid_from = serializers.DateField()
    valid_to = serializers.DateField(allow_null=True)
    criteria_count = serializers.IntegerField()


class CriterionSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    group_code = serializers.CharField()
    population = serializers.CharField(allow_null=True)
    threshold = serializers.FloatField(allow_null=True)
    applies_from = serializers.DateField(allow_null=True)
    requirement = serializers.CharField(allow_blank=True)


class GroupSummarySerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()


class CriteriaSetDetailSerializer(CriteriaSetSummarySerializer):
    groups = GroupSummarySerializer(many=True)
    criteria = CriterionSummarySerializer(many=True)


def criterion_summary(c: Criterion) -> dict[str, Any]:
    return {
        "code": c.code,
        "title": c.title,
        "kind": c.kind,
        "group_code": c.group_code,
        "population": c.population,
        "threshold": None if c.threshold is None else float(c.threshold),
        "applies_from": c.applies_from.isoformat() if c.applies_from else None,
        "requirement": c.requirement,
    }


def criteria_set_detail(cset: CriteriaSet) -> dict[str, Any]:
    return {
        **cset.summary(),
        "groups": [{"code": g.code, "title": g.title} for g in cset.groups],
        "criteria": [criterion_summary(c) for c in cset.criteria],
    }


# ---- evaluation (shape of UnitResult.to_dict(), for the schema) -------------------------------


class UnitRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    name = serializers.CharField()
    full_name = serializers.CharField()
    level = serializers.CharField()
    type = serializers.CharField()


class CriterionResultSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    status = serializers.ChoiceField(
        choices=["pass", "fail", "no_data", "not_applicable", "monitor"]
    )
    numerator = serializers.IntegerField(allow_null=True)
    denominator = serializers.IntegerField(allow_null=True)
    value = serializers.FloatField(allow_null=True, help_text="Tỷ lệ 0..1 (4 chữ số thập phân).")
    threshold = serializers.FloatField(allow_null=True)
    gap = serializers.IntegerField(allow_null=True, help_text="Còn thiếu bao nhiêu để đạt.")
    unit_label = serializers.CharField(allow_blank=True)
    evidence = serializers.ListField(child=serializers.DictField(), required=False)
    missing = serializers.ListField(child=serializers.CharField(), required=False)
    children = serializers.ListField(child=serializers.DictField(), required=False)
    parts = serializers.ListField(child=serializers.DictField(), required=False)


class UnitResultSerializer(serializers.Serializer):
    unit = UnitRefSerializer()
    criteria_set = serializers.CharField()
    criteria_set_version = serializers.IntegerField()
    at = serializers.DateField()
    passed = serializers.BooleanField()
    criteria = CriterionResultSerializer(many=True)
    warnings = serializers.ListField(child=serializers.CharField())


class EvaluationSerializer(UnitResultSerializer):
    children = UnitResultSerializer(
        many=True,
        required=False,
        help_text="Kết quả từng thôn (chỉ với đơn vị trên cấp thôn), như `smartvillage evaluate`.",
    )


# ---- query parameters -------------------------------------------------------------------------


class _AtField(serializers.DateField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("input_formats", ["iso-8601", "%d/%m/%Y"])
        kwargs.setdefault(
            "help_text", "Ngày đánh giá, YYYY-MM-DD hoặc dd/mm/yyyy (mặc định: hôm nay)."
        )
        super().__init__(**kwargs)


class EvaluationQuerySerializer(serializers.Serializer):
    criteria_set = serializers.CharField(help_text="slug của bộ tiêu chí")
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="Phiên bản (mặc định: mới nhất)."
    )
    at = _AtField()


class WorklistQuerySerializer(EvaluationQuerySerializer):
    criterion = serializers.CharField(help_text="Mã tiêu chí (tiêu chí tỷ lệ), vd. 1.1")
    met = serializers.ChoiceField(
        choices=["false", "true", "all"],
        default="false",
        required=False,
        help_text="false: chưa đạt (danh sách cần vận động, mặc định); true: đã đạt; all: tất cả.",
    )
    q = serializers.CharField(
        required=False, allow_blank=True, help_text="Tìm theo tên hoặc mã hộ."
    )


class WorklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=["household", "person"])
    name = serializers.CharField(help_text="Họ tên chủ hộ (hộ) hoặc họ tên (người).")
    household_id = serializers.IntegerField()
    household_code = serializers.CharField()
    masked_identity = serializers.CharField(
        allow_blank=True, help_text="Số định danh đã che; rỗng với hộ hoặc khi chưa có."
    )
    birth = serializers.CharField(allow_blank=True)
    met = serializers.BooleanField()


def worklist_item(obj: Household | Person) -> dict[str, Any]:
    if isinstance(obj, Household):
        return {
            "id": obj.pk,
            "type": "household",
            "name": obj.head_name,
            "household_id": obj.pk,
            "household_code": obj.code,
            "masked_identity": "",
            "birth": "",
            "met": bool(obj.met),
        }
    return {
        "id": obj.pk,
        "type": "person",
        "name": obj.full_name,
        "household_id": obj.household_id,
        "household_code": obj.household.code,
        "masked_identity": obj.masked_identity,
        "birth": obj.birth_display,
        "met": bool(obj.met),
    }


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


class StaleErrorSerializer(serializers.Serializer):
    """412: the object changed since the ETag sent in If-Match; nothing was written."""

    detail = serializers.CharField(help_text="Thay đổi của người khác, bằng tiếng Việt.")
    current_etag = serializers.CharField(required=False, help_text="ETag hiện tại.")


class ErasureRequestSerializer(serializers.Serializer):
    """Erasure on the data subject's request (Law 91/2025/QH15): cannot be undone."""

    confirm = serializers.BooleanField(
        help_text="Phải là true: xóa dữ liệu cá nhân không hoàn tác được."
    )

    def validate_confirm(self, value: bool) -> bool:
        if value is not True:
            raise serializers.ValidationError(
                _("Gửi confirm: true để xác nhận xóa (không hoàn tác được).")
            )
        return value


class ErasureResultSerializer(serializers.Serializer):
    """What the erasure changed: counts only, never the erased values."""

    erased = serializers.BooleanField()
    audit_entries = serializers.IntegerField(help_text="Mục nhật ký đã bỏ giá trị cá nhân.")
    households = serializers.IntegerField(help_text="Hộ đã bỏ tên người này (chủ hộ).")
    housemates = serializers.IntegerField(help_text="Ghi chú của người cùng hộ đã xóa tên.")
    snapshots = serializers.IntegerField(help_text="Hồ sơ đã chốt: thay bằng bí danh.")
    import_jobs = serializers.IntegerField(help_text="Lần nhập đang chờ đã xóa.")
    survey_answers = serializers.IntegerField(help_text="Câu trả lời khảo sát đã bỏ liên kết.")
    files = serializers.IntegerField(help_text="Số tệp đã xóa.")
