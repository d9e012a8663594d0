"""Assessment pages: the unit's assessments, one assessment with its steps, history, results
(frozen or live), the "data changed since submission" banner, and report downloads."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can
from smartvillage.assessments import services
from smartvillage.assessments.forms import (
    AppraisalForm,
    AssessmentCreateForm,
    NarrativeForm,
    RecogniseForm,
)
from smartvillage.assessments.models import Assessment, AssessmentVersion, StepAction
from smartvillage.core.errors import DomainError
from smartvillage.core.formats import parse_date_vi
from smartvillage.documents import reports
from smartvillage.documents.wording import describe, status_label
from smartvillage.units.models import AdminUnit, Level

STEP_BUTTONS = {
    StepAction.SUBMIT: _("Nộp hồ sơ"),
    StepAction.CONFIRM: _("Xác nhận (UBND xã)"),
    StepAction.RETURN: _("Trả lại"),
}


def _visible_unit(request: HttpRequest, pk: int) -> AdminUnit:
    unit = get_object_or_404(AdminUnit, pk=pk)
    if not can(request.user, Action.VIEW, unit):
        raise Http404
    return unit


def _visible_assessment(request: HttpRequest, pk: int) -> Assessment:
    assessment = get_object_or_404(Assessment.objects.select_related("unit"), pk=pk)
    if not can(request.user, Action.VIEW, assessment.unit):
        raise Http404
    return assessment


def criteria_sets_for(unit: AdminUnit) -> list[Any]:
    from smartvillage.criteria.loader import all_sets

    return [s for s in all_sets() if s.level == unit.level]


@login_required
def assessment_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _visible_unit(request, unit_pk)
    form = None
    if can(request.user, Action.SUBMIT, unit):
        form = AssessmentCreateForm(request.POST or None, sets=criteria_sets_for(unit))
        if request.method == "POST" and form.is_valid():
            try:
                assessment = services.do_create(
                    request.user, unit, form.cleaned_data["criteria_set"], form.cleaned_data["at"]
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã tạo hồ sơ đánh giá."))
                return redirect("assessments:detail", pk=assessment.pk)
    elif request.method == "POST":
        raise PermissionDenied
    assessments = Assessment.objects.filter(unit=unit).order_by("-at", "-id")
    return render(
        request,
        "assessments/list.html",
        {
            "unit": unit,
            "assessments": assessments,
            "form": form,
            "report_sets": criteria_sets_for(unit)
            if unit.level in (Level.VILLAGE, Level.COMMUNE)
            else [],
            "today": timezone.localdate(),
        },
    )


def _rows(criteria: list[dict[str, Any]], appraisals: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            **c,
            "description": describe(c),
            "status_label": status_label(c["status"]),
            "appraisal": appraisals.get(c["code"]),
        }
        for c in criteria
    ]


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = _visible_assessment(request, pk)
    versions = list(assessment.versions.order_by("number").prefetch_related("appraisals"))
    shown: AssessmentVersion | None = None
    if request.GET.get("version", "").isdigit():
        shown = next((v for v in versions if v.number == int(request.GET["version"])), None)
    if shown is None and versions:
        shown = versions[-1]
    error = ""
    changed = False
    diffs: list[dict[str, Any]] = []
    try:
        if shown is not None:
            criteria = shown.snapshot["data"]["result"]["criteria"]
            passed = shown.snapshot["data"]["result"]["passed"]
            changed = services.data_changed(assessment, shown)
            if changed:
                diffs = services.differences(assessment, shown)
        else:
            live = services.live_data(assessment)
            criteria, passed = live["result"]["criteria"], live["result"]["passed"]
    except DomainError as exc:
        criteria, passed, error = [], False, exc.message
    appraisals = {a.criterion_code: a for a in shown.appraisals.all()} if shown else {}
    frozen = shown.snapshot["data"] if shown else {}
    member_lists = [
        {"code": code, "members": people, "met": sum(1 for m in people if m["met"])}
        for code, people in (frozen.get("members") or {}).items()
    ]
    user = request.user
    allowed = services.allowed_steps(user, assessment)
    context = {
        "assessment": assessment,
        "unit": assessment.unit,
        "versions": versions,
        "shown": shown,
        "rows": _rows(criteria, appraisals),
        "passed": passed,
        "error": error,
        "changed": changed,
        "diffs": diffs,
        "steps": assessment.steps.order_by("id"),
        "buttons": [(step, STEP_BUTTONS[step]) for step in allowed if step in STEP_BUTTONS],
        "may_appraise": StepAction.APPRAISE in allowed,
        "may_recognise": StepAction.RECOGNISE in allowed,
        "appraisal_form": AppraisalForm(codes=[c["code"] for c in criteria])
        if StepAction.APPRAISE in allowed
        else None,
        "recognise_form": RecogniseForm() if StepAction.RECOGNISE in allowed else None,
        "narrative_form": NarrativeForm(instance_data=assessment)
        if assessment.is_editable and services._may_edit(user, assessment.unit)
        else None,
        "kinds": _report_kinds(assessment),
        "frozen_evidence": frozen.get("evidence") or [],
        "member_lists": member_lists,
    }
    return render(request, "assessments/detail.html", context)


def _report_kinds(assessment: Assessment) -> list[tuple[str, str]]:
    if assessment.unit.level == Level.COMMUNE:
        return [
            ("commune", _("Báo cáo tổng hợp của xã")),
            ("criteria", _("Báo cáo theo từng tiêu chí")),
        ]
    return [("mau01", _("Mẫu số 01 (Phú Thọ)")), ("criteria", _("Báo cáo theo từng tiêu chí"))]


@login_required
@require_POST
def assessment_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    assessment = _visible_assessment(request, pk)
    comment = request.POST.get("comment", "").strip()
    try:
        if step == StepAction.SUBMIT:
            version = services.do_submit(request.user, assessment, comment)
            messages.success(
                request, _("Đã nộp hồ sơ (phiên bản %s); số liệu đã được chốt.") % version.number
            )
        elif step == StepAction.CONFIRM:
            services.do_confirm(request.user, assessment, comment)
            messages.success(request, _("Đã xác nhận hồ sơ."))
        elif step == StepAction.RETURN:
            services.do_return(request.user, assessment, comment)
            messages.success(request, _("Đã trả lại hồ sơ."))
        elif step == StepAction.APPRAISE:
            version = (
                assessment.versions.get(number=assessment.current_version)
                if assessment.current_version
                else None
            )
            codes = (
                [c["code"] for c in version.snapshot["data"]["result"]["criteria"]]
                if version
                else []
            )
            form = AppraisalForm(request.POST, codes=codes)
            if not form.is_valid():
                raise DomainError(_("Ý kiến thẩm định chưa hợp lệ."), "bad_form")
            services.do_appraise(
                request.user, assessment, form.verdicts(), form.cleaned_data.get("comment", "")
            )
            messages.success(request, _("Đã ghi kết quả thẩm định."))
        elif step == StepAction.RECOGNISE:
            form = RecogniseForm(request.POST)
            if not form.is_valid():
                raise DomainError(
                    " ".join(e for errs in form.errors.values() for e in errs), "bad_form"
                )
            services.do_recognise(
                request.user,
                assessment,
                form.cleaned_data["number"],
                form.cleaned_data["date"],
                comment,
            )
            messages.success(request, _("Đã công nhận."))
        elif step == StepAction.EDIT:
            form = NarrativeForm(request.POST)
            if not form.is_valid():
                raise DomainError(
                    " ".join(e for errs in form.errors.values() for e in errs), "bad_form"
                )
            services.do_edit(request.user, assessment, **form.cleaned_data)
            messages.success(request, _("Đã lưu."))
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("assessments:detail", pk=assessment.pk)


def _send(data: bytes, filename: str, fmt: str) -> HttpResponse:
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def assessment_report(request: HttpRequest, pk: int, kind: str, fmt: str) -> HttpResponse:
    assessment = _visible_assessment(request, pk)
    version = int(request.GET["version"]) if request.GET.get("version", "").isdigit() else None
    try:
        source = reports.source_for_assessment(assessment, version)
        data = reports.render_report(kind, source, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:detail", pk=assessment.pk)
    return _send(data, reports.report_filename(kind, source, fmt), fmt)


@login_required
def unit_report(request: HttpRequest, unit_pk: int, kind: str, fmt: str) -> HttpResponse:
    """A live report (not frozen) for a unit, a criteria set and a reference date."""
    unit = _visible_unit(request, unit_pk)
    from smartvillage.criteria.loader import get_set

    try:
        at = parse_date_vi(request.GET["at"]) if request.GET.get("at") else timezone.localdate()
    except ValueError:
        at = timezone.localdate()
    try:
        cset = get_set(request.GET.get("set", ""))
        source = reports.source_live(unit, cset, at)
        data = reports.render_report(kind, source, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:list", unit_pk=unit.pk)
    return _send(data, reports.report_filename(kind, source, fmt), fmt)
