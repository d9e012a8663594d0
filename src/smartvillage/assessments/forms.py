"""Forms of the assessment pages (dates typed dd/mm/yyyy)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from smartvillage.assessments.models import Assessment
from smartvillage.core.text import PrintableFormMixin

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


class AssessmentCreateForm(PrintableFormMixin, forms.Form):
    criteria_set = forms.ChoiceField(label=_("Bộ tiêu chí"))
    at = _date_field(_("Ngày tham chiếu (tính tuổi, số liệu tại ngày)"))

    def __init__(self, *args: Any, sets: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["criteria_set"].choices = [
            (s.slug, f"{s.title} (v{s.version}, {s.legal_basis.number})") for s in sets
        ]


class NarrativeForm(PrintableFormMixin, forms.Form):
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


VERDICT_PASS, VERDICT_FAIL = "pass", "fail"
# Criteria that neither pass nor block (decision 007, or not applicable): no verdict to give.
NOT_JUDGED = ("not_applicable", "monitor")


class AppraisalForm(PrintableFormMixin, forms.Form):
    """The appraiser's conclusion, "Đạt" or "Chưa đạt", on each criterion of the frozen version.

    Nothing is chosen in advance: she decides criterion by criterion, or asks for "Thống nhất tất
    cả" (the page then offers the list with the frozen results chosen, still to be recorded). A
    conclusion that differs from the frozen result needs a reason: that is what allows a
    recognition of a criterion the village's data did not show as passed.
    """

    comment = forms.CharField(
        label=_("Ý kiến chung"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self, *args: Any, criteria: list[dict[str, Any]], agree_all: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        self.codes = [c["code"] for c in criteria]
        self.frozen = {c["code"]: c["status"] for c in criteria}
        for c in criteria:
            code = c["code"]
            if c["status"] in NOT_JUDGED:
                continue
            frozen = VERDICT_PASS if c["status"] == "pass" else VERDICT_FAIL
            self.fields[f"verdict_{code}"] = forms.ChoiceField(
                label=_("Kết luận tiêu chí %s") % code,
                choices=[(VERDICT_PASS, _("Đạt")), (VERDICT_FAIL, _("Chưa đạt"))],
                widget=forms.RadioSelect,
                initial=frozen if agree_all else None,
                error_messages={"required": _("Chọn “Đạt” hoặc “Chưa đạt”.")},
            )
            self.fields[f"comment_{code}"] = forms.CharField(
                label=_("Lý do"), required=False, max_length=1000
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for code in self.codes:
            verdict = data.get(f"verdict_{code}")
            if verdict is None:
                continue
            differs = (verdict == VERDICT_PASS) != (self.frozen[code] == "pass")
            if differs and not (data.get(f"comment_{code}") or "").strip():
                self.add_error(
                    f"comment_{code}",
                    _("Kết luận khác kết quả đã chốt: cần ghi lý do."),
                )
        return data

    def verdicts(self) -> dict[str, tuple[bool, str]]:
        """{code: (agreed with the frozen result, reason)} for services.do_appraise."""
        data = self.cleaned_data
        out = {}
        for code in self.codes:
            if self.frozen[code] in NOT_JUDGED:
                out[code] = (True, "")
                continue
            passed = data[f"verdict_{code}"] == VERDICT_PASS
            out[code] = (passed == (self.frozen[code] == "pass"), data.get(f"comment_{code}", ""))
        return out

    def rows(self) -> list[dict[str, Any]]:
        out = []
        for c in self.criteria:
            code = c["code"]
            judged = c["status"] not in NOT_JUDGED
            out.append(
                {
                    "criterion": c,
                    "verdict": self[f"verdict_{code}"] if judged else None,
                    "comment": self[f"comment_{code}"] if judged else None,
                }
            )
        return out


class RecogniseForm(PrintableFormMixin, forms.Form):
    number = forms.CharField(label=_("Số quyết định công nhận"), max_length=60)
    date = _date_field(_("Ngày quyết định"))
