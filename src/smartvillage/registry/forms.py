"""Household and person forms: validate input with Vietnamese messages that name the field.

Forms only validate; the views hand cleaned data to registry.services, which check permission,
write atomically and audit. Fact checkboxes come from the facts catalogue (column facts), so the
form follows the catalogue rather than a hand-kept list.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartvillage.core.text import PrintableFormMixin
from smartvillage.registry import facts
from smartvillage.registry.models import (
    HOUSEHOLD_DETAILS,
    Household,
    Person,
    in_vietnam,
    mask_identity,
)

_DATE_RE = re.compile(r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})\s*$")
_YEAR_RE = re.compile(r"^\s*(\d{4})\s*$")
MIN_BIRTH_YEAR = 1900


def parse_birth(text: str, today: dt.date | None = None) -> tuple[dt.date | None, bool]:
    """ "15/06/1990" → (date, False); "1990" → (1 January 1990, True); "" → (None, False).

    Raises ValueError with a Vietnamese message on anything else.
    """
    today = today or timezone.localdate()
    text = (text or "").strip()
    if not text:
        return None, False
    year_only = _YEAR_RE.match(text)
    if year_only:
        year = int(year_only.group(1))
        if not MIN_BIRTH_YEAR <= year <= today.year:
            raise ValueError(
                gettext("năm sinh %(year)s nằm ngoài khoảng %(lo)s–%(hi)s")
                % {"year": year, "lo": MIN_BIRTH_YEAR, "hi": today.year}
            )
        return dt.date(year, 1, 1), True
    match = _DATE_RE.match(text)
    if not match:
        raise ValueError(
            gettext(
                "“%(text)s” không đúng dạng ngày/tháng/năm (vd. 15/06/1990) hoặc năm (vd. 1990)"
            )
            % {"text": text}
        )
    day, month, year = (int(g) for g in match.groups())
    try:
        value = dt.date(year, month, day)
    except ValueError:
        raise ValueError(gettext("ngày %(text)s không có trên lịch") % {"text": text}) from None
    if value > today:
        raise ValueError(gettext("ngày %(text)s ở trong tương lai") % {"text": text})
    if year < MIN_BIRTH_YEAR:
        raise ValueError(
            gettext("năm sinh %(year)s nằm ngoài khoảng %(lo)s–%(hi)s")
            % {"year": year, "lo": MIN_BIRTH_YEAR, "hi": today.year}
        )
    return value, False


class _NamedErrorsMixin:
    """Every error message starts with the field's label, so the user knows where to look."""

    def _name_errors(self) -> None:
        for name, field in self.fields.items():  # type: ignore[attr-defined]
            label = str(field.label or name)
            field.error_messages = {
                **field.error_messages,
                "required": gettext("%(label)s: chưa nhập (bắt buộc).") % {"label": label},
                "invalid_choice": gettext("%(label)s: lựa chọn không hợp lệ.") % {"label": label},
                "max_length": gettext("%(label)s: dài quá %(limit_value)d ký tự.").replace(
                    "%(label)s", label
                ),
                "min_value": gettext("%(label)s: phải từ %(limit_value)s trở lên.").replace(
                    "%(label)s", label
                ),
                "invalid": gettext("%(label)s: giá trị không hợp lệ.") % {"label": label},
            }

    def named_error(self, name: str, message: str) -> None:
        label = str(self.fields[name].label or name)  # type: ignore[attr-defined]
        self.add_error(name, f"{label}: {message}")  # type: ignore[attr-defined]


def _fact_fields(level: str) -> list[str]:
    return [f.key for f in facts.column_facts(level)]


def _label_facts(form: forms.ModelForm, level: str) -> None:
    for fact in facts.column_facts(level):
        if fact.key in form.fields:
            form.fields[fact.key].label = fact.label
            form.fields[fact.key].required = False


EXTRA_PREFIX = "extra__"


def _extra_facts(level: str) -> list[facts.Fact]:
    return [f for f in facts.facts_for(level) if f.storage == "extra"]


def _add_extra_fields(form: forms.ModelForm, level: str) -> None:
    """Facts a province added to the catalogue (stored in the JSON `extra` column) as form fields."""
    stored = form.instance.extra or {}
    for fact in _extra_facts(level):
        name = EXTRA_PREFIX + fact.key
        if fact.type == "bool":
            field: forms.Field = forms.BooleanField(required=False)
        elif fact.type == "int":
            field = forms.IntegerField(required=False, min_value=0)
        elif fact.type == "date":
            field = forms.DateField(required=False, input_formats=["%d/%m/%Y"])
        else:
            field = forms.CharField(required=False, max_length=300)
        field.label = fact.label
        form.fields[name] = field
        value = stored.get(fact.key)
        if fact.type == "date" and value:
            with contextlib.suppress(ValueError):  # a malformed stored date is shown as stored
                value = dt.date.fromisoformat(str(value)).strftime("%d/%m/%Y")
        if value is not None:
            form.initial.setdefault(name, value)


def _extra_value(form: forms.ModelForm, level: str) -> dict[str, Any]:
    """The object's `extra` dict with this form's fact values merged in (other keys kept)."""
    extra = dict(form.instance.extra or {})
    for fact in _extra_facts(level):
        value = form.cleaned_data.get(EXTRA_PREFIX + fact.key)
        if fact.type == "bool":
            extra[fact.key] = bool(value)
        elif value in (None, ""):
            extra.pop(fact.key, None)
        else:
            extra[fact.key] = value.isoformat() if isinstance(value, dt.date) else value
    return extra


def _all_fact_fields(form: forms.ModelForm, level: str) -> list[forms.BoundField]:
    names = _fact_fields(level) + [EXTRA_PREFIX + f.key for f in _extra_facts(level)]
    return [form[name] for name in names if name in form.fields]


COORDINATE_PLACES = Decimal("0.000001")  # the model keeps 6 decimals (about 0,1 m)


class CoordinateField(forms.Field):
    """Decimal degrees, typed with a decimal point or a decimal comma ("21,0285" or "21.0285"),
    rounded to 6 decimals; the range and its message are the field's own."""

    widget = forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "size": 12})

    def __init__(self, *, limit: int, example: str, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.limit = limit
        self.example = example

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Decimal):
            text = format(value, "f")
            return text.rstrip("0").rstrip(".") if "." in text else text
        return value

    def to_python(self, value: Any) -> Decimal | None:
        if isinstance(value, Decimal):
            return value
        text = str(value or "").strip().replace("°", "").replace(" ", "")
        if not text:
            return None
        label = self.label
        if text.count(",") + text.count(".") > 1:
            raise forms.ValidationError(
                gettext("%(label)s: “%(text)s” không phải một số (vd. %(example)s).")
                % {"label": label, "text": value, "example": self.example}
            )
        try:
            number = Decimal(text.replace(",", "."))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise forms.ValidationError(
                gettext("%(label)s: “%(text)s” không phải một số (vd. %(example)s).")
                % {"label": label, "text": value, "example": self.example}
            )
        if not -self.limit <= number <= self.limit:
            raise forms.ValidationError(
                gettext(
                    "%(label)s: phải trong khoảng −%(limit)s đến %(limit)s độ (vd. %(example)s)."
                )
                % {"label": label, "limit": self.limit, "example": self.example}
            )
        return number.quantize(COORDINATE_PLACES, rounding=ROUND_HALF_UP)


class HouseholdForm(PrintableFormMixin, _NamedErrorsMixin, forms.ModelForm):
    latitude = CoordinateField(
        label=_("Vĩ độ"),
        limit=90,
        example="21,0285",
        help_text=_("Độ thập phân, vd. 21,0285 (Bắc là dương). Có thể để trống."),
    )
    longitude = CoordinateField(
        label=_("Kinh độ"),
        limit=180,
        example="105,8542",
        help_text=_("Độ thập phân, vd. 105,8542 (Đông là dương). Có thể để trống."),
    )

    class Meta:
        model = Household
        fields = [*HOUSEHOLD_DETAILS, "note", *_fact_fields("household")]
        labels = {
            "code": _("Mã hộ"),
            "head_name": _("Họ tên chủ hộ"),
            "address": _("Địa chỉ"),
            "house_number": _("Số nhà"),
            "phone": _("Số điện thoại liên hệ"),
            "digital_address_code": _("Mã địa chỉ số"),
            "note": _("Ghi chú"),
        }

    def __init__(self, *args: Any, village: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.village = village
        _label_facts(self, "household")
        _add_extra_fields(self, "household")
        self._name_errors()

    @property
    def fact_fields(self) -> list[forms.BoundField]:
        return _all_fact_fields(self, "household")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if "latitude" in self._errors and "longitude" not in self._errors:
            # "105,85" as latitude is out of range; if the pair read the other way round is in
            # Vietnam, say so.
            try:
                lat = self.fields["latitude"].to_python(self.data.get(self.add_prefix("longitude")))
                lon = Decimal(
                    str(self.data.get(self.add_prefix("latitude"), "")).strip().replace(",", ".")
                )
            except (forms.ValidationError, InvalidOperation):
                return cleaned
            if lat is not None and lon.is_finite() and in_vietnam(lat, lon):
                self.add_error(
                    "latitude",
                    gettext("%(label)s: có lẽ đã nhập ngược vĩ độ và kinh độ?")
                    % {"label": self.fields["latitude"].label},
                )
        return cleaned

    def _post_clean(self) -> None:
        # Household.clean() checks the coordinate pair (both or neither, inside Vietnam); when one
        # of them is already refused, that check would only add a second, misleading message.
        if "latitude" in self._errors or "longitude" in self._errors:
            self.instance._coordinate_field_failed = True
        super()._post_clean()

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[f] for f in (*HOUSEHOLD_DETAILS, "note")]

    def clean_code(self) -> str:
        code = (self.cleaned_data.get("code") or "").strip()
        if not code:
            raise forms.ValidationError(
                gettext("%(label)s: chưa nhập (bắt buộc).") % {"label": self.fields["code"].label}
            )
        clash = Household.objects.filter(village=self.village, code__iexact=code)
        if self.instance.pk:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(
                gettext("%(label)s: “%(code)s” đã có trong thôn này.")
                % {"label": self.fields["code"].label, "code": code}
            )
        return code

    def clean_head_name(self) -> str:
        name = " ".join((self.cleaned_data.get("head_name") or "").split())
        if not name:
            raise forms.ValidationError(
                gettext("%(label)s: chưa nhập (bắt buộc).")
                % {"label": self.fields["head_name"].label}
            )
        return name

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        data["extra"] = _extra_value(self, "household")
        return data


class PersonForm(PrintableFormMixin, _NamedErrorsMixin, forms.ModelForm):
    birth = forms.CharField(
        label=_("Ngày sinh"),
        required=False,
        max_length=20,
        help_text=_("Dạng ngày/tháng/năm (15/06/1990) hoặc chỉ năm sinh (1990)."),
    )
    identity = forms.CharField(
        label=_("Số CCCD/định danh"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    clear_identity = forms.BooleanField(label=_("Xóa số CCCD/định danh đã lưu"), required=False)

    class Meta:
        model = Person
        fields = ["full_name", "sex", "relationship", "note", *_fact_fields("person")]
        labels = {
            "full_name": _("Họ và tên"),
            "sex": _("Giới tính"),
            "relationship": _("Quan hệ với chủ hộ"),
            "note": _("Ghi chú"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        person = self.instance
        if person.pk and person.birth_date:
            self.initial.setdefault("birth", person.birth_display)
        # The stored number is never sent back to the browser: empty means "keep it".
        if person.pk and person.identity_number:
            self.fields["identity"].help_text = gettext(
                "Đang lưu: %(masked)s. Để trống để giữ nguyên; nhập số mới để thay."
            ) % {"masked": mask_identity(person.identity_number)}
        else:
            self.fields["identity"].help_text = gettext(
                "12 chữ số CCCD (hoặc 9 chữ số CMND cũ); có thể để trống."
            )
            del self.fields["clear_identity"]
        _label_facts(self, "person")
        _add_extra_fields(self, "person")
        self._name_errors()

    @property
    def fact_fields(self) -> list[forms.BoundField]:
        return _all_fact_fields(self, "person")

    @property
    def main_fields(self) -> list[forms.BoundField]:
        names = ["full_name", "birth", "sex", "relationship", "identity", "clear_identity", "note"]
        return [self[f] for f in names if f in self.fields]

    def clean_full_name(self) -> str:
        name = " ".join((self.cleaned_data.get("full_name") or "").split())
        if not name:
            raise forms.ValidationError(
                gettext("%(label)s: chưa nhập (bắt buộc).")
                % {"label": self.fields["full_name"].label}
            )
        return name

    def clean_birth(self) -> tuple[dt.date | None, bool]:
        try:
            return parse_birth(self.cleaned_data.get("birth", ""))
        except ValueError as exc:
            raise forms.ValidationError(f"{self.fields['birth'].label}: {exc}.") from None

    def clean_identity(self) -> str:
        raw = re.sub(r"[\s.\-]", "", self.cleaned_data.get("identity") or "")
        if raw and (not raw.isdigit() or len(raw) not in (9, 12)):
            raise forms.ValidationError(
                gettext("%(label)s: phải gồm 12 chữ số (CCCD) hoặc 9 chữ số (CMND cũ).")
                % {"label": self.fields["identity"].label}
            )
        return raw

    def service_fields(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.Meta.fields}
        birth_date, year_only = self.cleaned_data["birth"]
        data["birth_date"] = birth_date
        data["birth_year_only"] = year_only
        data["extra"] = _extra_value(self, "person")
        if self.cleaned_data.get("identity"):
            data["identity_number"] = self.cleaned_data["identity"]
        elif self.cleaned_data.get("clear_identity") or not self.instance.pk:
            data["identity_number"] = ""
        return data
