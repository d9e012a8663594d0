"""The "Thêm thôn" form of a commune page. It only validates; units.services.do_add_village
checks permission, writes and audits."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartvillage.core.text import PrintableFormMixin
from smartvillage.units.models import VILLAGE_TYPES, AdminUnit, UnitType

NAME_MAX_LENGTH = AdminUnit._meta.get_field("name").max_length or 200
# Thôn first (the default), then the others in the order of UnitType.
VILLAGE_TYPE_CHOICES = [(t.value, t.label) for t in UnitType if t in VILLAGE_TYPES]


class VillageForm(PrintableFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Tên thôn"),
        max_length=NAME_MAX_LENGTH,
        help_text=_("Ví dụ: An Phú, Mỹ Nam, Khu dân cư số 3. Không cần ghi chữ “Thôn”, “Ấp”."),
    )
    village_type = forms.ChoiceField(
        label=_("Loại"), choices=VILLAGE_TYPE_CHOICES, initial=UnitType.THON
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            label = str(field.label)
            field.error_messages = {
                **field.error_messages,
                "required": gettext("%(label)s: chưa nhập (bắt buộc).") % {"label": label},
                "invalid_choice": gettext("%(label)s: lựa chọn không hợp lệ.") % {"label": label},
                "max_length": gettext("%(label)s: dài quá %(limit_value)d ký tự.").replace(
                    "%(label)s", label
                ),
            }

    def clean_name(self) -> str:
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError(
                gettext("%(label)s: chưa nhập (bắt buộc).") % {"label": self.fields["name"].label}
            )
        return name

    def name_taken(self, village: AdminUnit) -> None:
        """The service found a village of that name (any case or spacing) already there."""
        self.add_error(
            "name",
            gettext("%(label)s: “%(name)s” đã có trong xã này (%(existing)s, mã %(code)s).")
            % {
                "label": self.fields["name"].label,
                "name": self.cleaned_data["name"],
                "existing": village.full_name,
                "code": village.code,
            },
        )
