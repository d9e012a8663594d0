"""Forms of the assessment pages (dates typed dd/mm/yyyy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartvillage.assessments.models import Assessment

DATE_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"]


def _date_field(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        widget=forms.DateInput(
            format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
        ),
    )


class AssessmentCreateForm(forms.Form):
    criteria_set = forms.ChoiceField(label=_("Bộ tiêu chí"))
    at = _date_field(_("Ngày tham chiếu (tính tuổi, số liệu tại ngày)"))

    def __init__(self, *args: Any, sets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].choices = [
            (s.slug, f"{s.title} (v{s.version}, {s.legal_basis.number})") for s in sets
        ]


class NarrativeForm(forms.Form):
    organisation_text = forms.CharField(
        label=_("Công tác tổ chức triển khai thực hiện (mỗi dòng một ý)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    strengths = forms.CharField(
        label=_("Ưu điểm"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    difficulties = forms.CharField(
        label=_("Khó khăn"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    report_number = forms.CharField(
        label=_("Số báo cáo (ví dụ 12/BC-UBND)"), max_length=60, required=False
    )
    report_date = _date_field(
        _("Ngày báo cáo (để trống: ngày UBND xã xác nhận, hoặc ngày nộp)"), required=False
    )
    signer_name = forms.CharField(label=_("Người ký"), max_length=100, required=False)

    def __init__(self, *args: Any, instance_data: Assessment | None = None, **kwargs: Any) -> None:
        if instance_data is not None:
            kwargs.setdefault(
                "initial", {name: getattr(instance_data, name) for name in self.base_fields}
            )
        super().__init__(*args, **kwargs)


class AppraisalForm(forms.Form):
    """One agreed/disagreed choice and a comment per criterion of the submitted version."""

    comment = forms.CharField(
        label=_("Ý kiến chung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, codes: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.codes = codes
        for code in codes:
            self.fields[f"agreed_{code}"] = forms.ChoiceField(
                label=_("Tiêu chí %s") % code,
                choices=[("1", _("Thống nhất")), ("0", _("Không thống nhất"))],
                widget=forms.RadioSelect,
                initial="1",
            )
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Ý kiến"), required=False, max_length=1000
            )

    def verdicts(self) -> dict[str, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            code: (data[f"agreed_{code}"] == "1", data.get(f"comment_{code}", ""))
            for code in self.codes
        }

    def rows(self) -> list[tuple[str, Any, Any]]:
        return [(code, self[f"agreed_{code}"], self[f"comment_{code}"]) for code in self.codes]


class RecogniseForm(forms.Form):
    number = forms.CharField(label=_("Số quyết định công nhận"), max_length=60)
    date = _date_field(_("Ngày quyết định"))
