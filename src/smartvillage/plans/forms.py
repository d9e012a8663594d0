"""Plan forms: dates dd/mm/yyyy, budgets typed the Vietnamese way ("70.000.000")."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartvillage.core.text import PrintableFormMixin
from smartvillage.plans.models import Executor, Plan, TaskStatus
from smartvillage.plans.services import PLAN_FIELDS

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def _date_field(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
    )


class MoneyField(forms.CharField):
    """Whole đồng; accepts "70.000.000", "70 000 000", "70000000 đồng"."""

    def to_python(self, value: Any) -> int | None:
        text = super().to_python(value)
        if not text:
            return None
        cleaned = re.sub(r"(đồng|đ|vnd)$", "", text.strip().lower()).strip()
        cleaned = re.sub(r"[.\s]", "", cleaned)
        if not cleaned.isdigit():
            raise forms.ValidationError(
                _("Kinh phí “%(v)s” không hợp lệ: nhập số tiền bằng đồng, ví dụ 70.000.000."),
                params={"v": text},
            )
        return int(cleaned)


class PlanCreateForm(PrintableFormMixin, forms.Form):
    criteria_set = forms.ChoiceField(label=_("Bộ tiêu chí"))
    year = forms.IntegerField(label=_("Năm"), min_value=2000, max_value=2100)

    def __init__(self, *args: Any, sets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].choices = [
            (s.slug, f"{s.title} ({s.legal_basis.number})") for s in sets
        ]


class PlanForm(PrintableFormMixin, forms.ModelForm):
    issued_date = _date_field(_("Ngày ban hành"))
    deadline = _date_field(_("Thời gian hoàn thành"))
    # "251,3" as the seeds write it (the page's locale decides the decimal mark).
    area_ha = forms.DecimalField(
        label=_("Diện tích tự nhiên (ha)"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        localize=True,
    )
    budget_planned = MoneyField(label=_("Kinh phí dự kiến (đồng)"), required=False)
    funding_state = MoneyField(label=_("Ngân sách nhà nước (đồng)"), required=False)
    funding_socialisation = MoneyField(label=_("Xã hội hóa (đồng)"), required=False)
    funding_households = MoneyField(
        label=_("Nhân dân, hộ gia đình đóng góp (đồng)"), required=False
    )

    class Meta:
        model = Plan
        fields = list(PLAN_FIELDS)  # the fields the action accepts, in the document's order
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "preamble",
                "purpose",
                "requirements",
                "current_state",
                "directions",
                "funding_note",
                "organisation",
                "recipients",
            )
        }


class ItemForm(PrintableFormMixin, forms.Form):
    result_text = forms.CharField(
        label=_("Kết quả tiêu chí (ghi chép)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class TaskForm(PrintableFormMixin, forms.Form):
    executor = forms.ChoiceField(label=_("Cấp thực hiện"), choices=Executor.choices)
    owner = forms.CharField(
        label=_("Tên cơ quan, tổ chức (khi giao cho tổ chức)"), max_length=200, required=False
    )
    description = forms.CharField(label=_("Nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 2}))
    responsible = forms.CharField(label=_("Người chịu trách nhiệm"), max_length=200, required=False)
    budget = MoneyField(label=_("Kinh phí (đồng)"), required=False)
    budget_note = forms.CharField(label=_("Ghi chú kinh phí"), max_length=200, required=False)
    survey_deadline = _date_field(_("Thời hạn điều tra, tổng hợp"))
    deadline = _date_field(_("Thời hạn hoàn thành"))
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=TaskStatus.choices, initial=TaskStatus.TODO
    )
    progress_note = forms.CharField(
        label=_("Tiến độ"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("executor") == Executor.ORGANISATION and not (data.get("owner") or "").strip():
            self.add_error("owner", _("Nhiệm vụ giao cho tổ chức: ghi tên cơ quan, tổ chức."))
        survey, deadline = data.get("survey_deadline"), data.get("deadline")
        if survey and deadline and survey > deadline:
            self.add_error(
                "survey_deadline", _("Thời hạn điều tra phải trước thời hạn hoàn thành.")
            )
        return data
