"""The evidence form: one select for the (category, type) pair, the common fields, the
attributes the criteria look at (camera connected to the commune police, OCOP stars, …) and the file."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartvillage.core.text import PrintableFormMixin
from smartvillage.evidence import catalogue
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.evidence.uploads import ACCEPT_ATTR, ALLOWED_LABEL, max_bytes

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]

# Attributes stored in EvidenceRecord.attributes, with the form field that edits each.
ATTRIBUTE_FIELDS: dict[str, str] = {
    "connected_to_police": "bool",
    "connected_to_commune_radio": "bool",
    "ocop_stars": "int",
    "platform": "text",
    "numerator": "int",
    "denominator": "int",
}


def kind_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    return [
        (
            data.get("label_vi", category),
            [(f"{category}:{key}", label) for key, label in data.get("types", {}).items()],
        )
        for category, data in catalogue.categories().items()
    ]


def _date_field(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
    )


class EvidenceForm(PrintableFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Loại minh chứng"), choices=())
    title = forms.CharField(label=_("Tên / trích yếu"), max_length=300)
    number = forms.CharField(label=_("Số, ký hiệu"), max_length=60, required=False)
    issued_date = _date_field(_("Ngày ban hành / công nhận"))
    issuer = forms.CharField(label=_("Cơ quan ban hành"), max_length=200, required=False)
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    since = _date_field(_("Hoạt động từ"))
    valid_until = _date_field(_("Hiệu lực đến"))
    link = forms.URLField(
        label=_("Đường dẫn (nhóm Zalo/Facebook, website, sàn TMĐT)"),
        required=False,
        max_length=500,
        assume_scheme="https",
    )
    location = forms.CharField(label=_("Vị trí"), max_length=300, required=False)
    quantity = forms.IntegerField(label=_("Số lượng"), min_value=1, initial=1)
    connected_to_police = forms.BooleanField(
        label=_("Camera kết nối với công an xã"), required=False
    )
    connected_to_commune_radio = forms.BooleanField(
        label=_("Loa kết nối với Đài truyền thanh xã"), required=False
    )
    ocop_stars = forms.IntegerField(
        label=_("Hạng sao OCOP"), min_value=1, max_value=5, required=False
    )
    platform = forms.CharField(
        label=_("Sàn thương mại điện tử / nền tảng"), max_length=200, required=False
    )
    numerator = forms.IntegerField(label=_("Số đạt (tử số)"), min_value=0, required=False)
    denominator = forms.IntegerField(label=_("Tổng số (mẫu số)"), min_value=0, required=False)
    upload = forms.FileField(
        label=_("Tệp đính kèm"),
        required=False,
        help_text=_("Chỉ nhận %(types)s; tối đa %(mb)s MB.")
        % {"types": ALLOWED_LABEL, "mb": max_bytes() // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTR}),
    )
    remove_file = forms.BooleanField(label=_("Xóa tệp hiện có"), required=False)

    def __init__(self, *args: Any, record: EvidenceRecord | None = None, **kwargs: Any) -> None:
        if record is not None and "initial" not in kwargs:
            initial = {
                name: getattr(record, name)
                for name in (
                    "title",
                    "number",
                    "issued_date",
                    "issuer",
                    "description",
                    "since",
                    "valid_until",
                    "link",
                    "location",
                    "quantity",
                )
            }
            initial["kind"] = f"{record.category}:{record.type}"
            for name in ATTRIBUTE_FIELDS:
                if name in (record.attributes or {}):
                    initial[name] = record.attributes[name]
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.record = record
        self.fields["kind"].choices = [("", "---------"), *kind_choices()]
        if record is None or not record.file:
            del self.fields["remove_file"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        num, den = data.get("numerator"), data.get("denominator")
        if num is not None and den is not None and num > den:
            self.add_error("numerator", _("Số đạt không được lớn hơn tổng số."))
        return data

    def to_fields(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of the evidence action functions."""
        data = self.cleaned_data
        category, _sep, type_ = data["kind"].partition(":")
        attributes = dict(self.record.attributes) if self.record is not None else {}
        for name, kind in ATTRIBUTE_FIELDS.items():
            value = data.get(name)
            if kind == "bool":
                if value:
                    attributes[name] = True
                else:
                    attributes.pop(name, None)
            elif value in (None, ""):
                attributes.pop(name, None)
            else:
                attributes[name] = value
        return {
            "category": category,
            "type": type_,
            "title": data["title"],
            "number": data["number"],
            "issued_date": data["issued_date"],
            "issuer": data["issuer"],
            "description": data["description"],
            "since": data["since"],
            "valid_until": data["valid_until"],
            "link": data["link"],
            "location": data["location"],
            "quantity": data["quantity"],
            "attributes": attributes,
        }
