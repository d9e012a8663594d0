"""Assessment pages: the unit's assessments, one assessment with its steps, history, results
(frozen or live), the "data changed since submission" banner, and report downloads.

Personal data (Law 91/2025): the frozen person lists are shown one list at a time, paginated, and
each look is recorded (throttled, audit.record_view); a report that prints person lists (Mẫu số
01 with Biểu 01–04) needs Action.EXPORT_PERSONAL and every download is an audit EXPORT entry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can
from smartvillage.assessments import report_jobs, services
from smartvillage.assessments.forms import (
    AppraisalForm,
    AssessmentCreateForm,
    NarrativeForm,
    RecogniseForm,
)
from smartvillage.assessments.models import Assessment, AssessmentVersion, StepAction
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_date, parse_date_vi
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


MEMBERS_PER_PAGE = 50


def criteria_sets_for(unit: AdminUnit) -> list[Any]:
    from smartvillage.criteria.services import sets_for_unit

    return sets_for_unit(unit, own_level=True)


def report_options(unit: AdminUnit) -> list[dict[str, Any]]:
    """Per criteria set, the live reports that fit this unit: Mẫu số 01 only for the sets it is
    the form of, the commune summary for a commune (over its own set, or over a village set
    summarised village by village), the criterion-by-criterion report for the unit's own sets."""
    from smartvillage.criteria.services import sets_for_unit

    if unit.level not in (Level.VILLAGE, Level.COMMUNE):
        return []
    options = []
    for cset in sets_for_unit(unit):
        kinds = reports.kinds_for(unit.level, cset)
        if kinds:
            options.append({"set": cset, "kinds": [(k, reports.KIND_LABELS[k]) for k in kinds]})
    return options


def _refusal(
    request: HttpRequest, unit: AdminUnit, message: str, back: str, status: int = 400
) -> HttpResponse:
    """A report that cannot be made: the reason, in Vietnamese, with the HTTP status."""
    return render(
        request,
        "assessments/report_error.html",
        {"unit": unit, "message": message, "back": back},
        status=status,
    )


def _export_denied(request: HttpRequest, unit: AdminUnit, back: str) -> HttpResponse:
    return _refusal(
        request,
        unit,
        _(
            "Báo cáo này kèm danh sách hộ, người (Biểu 01–04) là dữ liệu cá nhân; tài khoản của bạn "
            "không có quyền xuất dữ liệu cá nhân của đơn vị này. Hãy tải báo cáo theo từng tiêu chí "
            "hoặc đề nghị UBND xã cấp quyền."
        ),
        back,
        status=403,
    )


def _record_export(
    request: HttpRequest,
    unit: AdminUnit,
    kind: str,
    fmt: str,
    data: dict[str, Any],
    *,
    instance: Any = None,
    what: str,
) -> None:
    audit.record(
        actor=request.user,
        action=AuditAction.EXPORT,
        instance=instance,
        unit=unit,
        object_type=None if instance is not None else "report",
        object_repr=f"{reports.KIND_LABELS[kind]} – {unit.full_name}",
        note=f"Tải {reports.KIND_LABELS[kind]} ({fmt.upper()}), {what}: "
        f"{reports.person_lists_note(kind, data)}",
    )


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
            "below": assessments_below(unit),
            "form": form,
            "report_options": report_options(unit),
            "today": timezone.localdate(),
        },
    )


BELOW_SHOWN = 200


def assessments_below(unit: AdminUnit) -> list[Assessment]:
    """Dossiers of the units under `unit` (its whole area, both schemes), most urgent first:
    a commune or province page lists its villages' submitted and confirmed dossiers instead of
    saying it has none."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from smartvillage.units.models import area_paths

    if unit.level == Level.VILLAGE:
        return []
    condition = Q()
    for root in area_paths([unit])[unit.pk]:
        condition |= Q(unit__path__startswith=root)
    urgency = Case(
        When(state="submitted", then=Value(0)),
        When(state="confirmed", then=Value(1)),
        When(state="appraised", then=Value(2)),
        When(state="returned", then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return list(
        Assessment.objects.filter(condition)
        .exclude(unit=unit)
        .select_related("unit__parent")
        .annotate(urgency=urgency)
        .order_by("urgency", "unit__path", "-at")[:BELOW_SHOWN]
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
def assessment_detail(
    request: HttpRequest, pk: int, appraisal_form: AppraisalForm | None = None
) -> HttpResponse:
    """The assessment page; `appraisal_form` is a refused appraisal shown again with her choices
    and the reasons it was refused."""
    assessment = _visible_assessment(request, pk)
    versions = list(assessment.versions.order_by("number").prefetch_related("appraisals"))
    for v in versions:
        written = (v.report_meta or {}).get("report_date") or ""
        v.report_date_text = format_date(dt.date.fromisoformat(written)) if written else ""
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
    titles = {c["code"]: c["title"] for c in criteria}
    member_lists = [
        {
            "code": code,
            "title": titles.get(code, ""),
            "count": len(people),
            "met": sum(1 for m in people if m["met"]),
        }
        for code, people in (frozen.get("members") or {}).items()
    ]
    user = request.user
    members_page = None
    selected = request.GET.get("list", "")
    people = (frozen.get("members") or {}).get(selected) if shown else None
    if people is not None:
        # Names of residents: one list at a time, a page at a time, and each look on record.
        members_page = Paginator(people, MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
        audit.record_view(
            actor=user,
            unit=assessment.unit,
            object_type="assessment_members",
            object_id=f"{assessment.pk}:{shown.number}:{selected}"[:40],
            object_repr=f"Hồ sơ {assessment.pk} phiên bản {shown.number}, tiêu chí {selected}",
            note="Xem danh sách hộ/người đã chốt trong hồ sơ đánh giá",
            count=len(members_page.object_list),
        )
    allowed = services.allowed_steps(user, assessment)
    verdicts = services.appraisal_verdicts(shown) if shown is not None else []
    by_code = {v.code: v for v in verdicts}
    rows = _rows(criteria, appraisals)
    for row in rows:
        row["verdict"] = by_code.get(row["code"])
    overrides = [v for v in verdicts if v.counts and not v.frozen_passed and v.passed]
    blockers = [v for v in verdicts if v.counts and not v.passed]
    context = {
        "assessment": assessment,
        "unit": assessment.unit,
        "versions": versions,
        "shown": shown,
        "rows": rows,
        "overrides": overrides,
        "recognition_blockers": blockers if StepAction.RECOGNISE in allowed else [],
        "passed": passed,
        "error": error,
        "changed": changed,
        "diffs": diffs,
        "steps": assessment.steps.order_by("id"),
        "buttons": [(step, STEP_BUTTONS[step]) for step in allowed if step in STEP_BUTTONS],
        "may_appraise": StepAction.APPRAISE in allowed,
        "may_recognise": StepAction.RECOGNISE in allowed,
        "appraisal_form": (
            appraisal_form
            or AppraisalForm(
                criteria=_rows(criteria, {}), agree_all=request.GET.get("agree_all") == "1"
            )
        )
        if StepAction.APPRAISE in allowed
        else None,
        "recognise_form": RecogniseForm() if StepAction.RECOGNISE in allowed else None,
        "narrative_form": NarrativeForm(instance_data=assessment)
        if services.may_edit(user, assessment)
        else None,
        "report_only_edit": services.edit_scope(user, assessment) == services.EDIT_REPORT,
        "kinds": _report_kinds(assessment, shown),
        "frozen_evidence": frozen.get("evidence") or [],
        "member_lists": member_lists,
        "members_page": members_page,
        "members_code": selected if members_page is not None else "",
        "members_title": titles.get(selected, ""),
    }
    return render(request, "assessments/detail.html", context)


def _report_kinds(
    assessment: Assessment, shown: AssessmentVersion | None = None
) -> list[tuple[str, str]]:
    """The reports of this assessment: those that fit its unit and its criteria set."""
    if shown is not None:
        cset: Any = shown.snapshot["data"]["criteria_set"]
    else:
        try:
            cset = services.get_set_for(assessment)
        except DomainError:
            return []
    return [
        (kind, reports.KIND_LABELS[kind]) for kind in reports.kinds_for(assessment.unit.level, cset)
    ]


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
            criteria = version.snapshot["data"]["result"]["criteria"] if version else []
            form = AppraisalForm(request.POST, criteria=_rows(criteria, {}))
            if not form.is_valid():
                missing = [
                    code
                    for code in form.codes
                    if f"verdict_{code}" in form.errors or f"comment_{code}" in form.errors
                ]
                messages.error(
                    request,
                    _(
                        "Kết quả thẩm định chưa ghi được: tiêu chí %(codes)s chưa có kết luận, "
                        "hoặc kết luận khác kết quả đã chốt mà chưa ghi lý do."
                    )
                    % {"codes": ", ".join(missing)},
                )
                # Shown again with her choices and the reasons, not lost in a redirect.
                response = assessment_detail(request, assessment.pk, appraisal_form=form)
                response.status_code = 400
                return response
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
    if kind not in reports.KINDS or fmt not in reports.FORMATS:
        raise Http404
    unit = assessment.unit
    back = reverse("assessments:detail", args=[assessment.pk])
    version = int(request.GET["version"]) if request.GET.get("version", "").isdigit() else None
    try:
        source = reports.source_for_assessment(assessment, version)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:detail", pk=assessment.pk)
    info = source.data["unit"]
    reason = reports.unsuitable(kind, info["level"], info["full_name"], source.data["criteria_set"])
    if reason:
        return _refusal(request, unit, reason, back)
    personal = bool(reports.person_lists(kind, source.data))
    if personal and not can(request.user, Action.EXPORT_PERSONAL, unit):
        return _export_denied(request, unit, back)
    if fmt == "pdf":
        # LibreOffice takes seconds (Mẫu số 01: ~10 s): a job whose page shows its progress.
        job = report_jobs.start_assessment_report(
            request.user, assessment, kind, fmt, version, back
        )
        return redirect("jobs:job", job_id=job.pk)
    try:
        data = reports.render_report(kind, source, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:detail", pk=assessment.pk)
    if personal:
        what = (
            f"hồ sơ số {assessment.pk}, phiên bản {version or assessment.current_version}"
            if source.frozen
            else f"hồ sơ số {assessment.pk} (dự thảo, số liệu trực tiếp)"
        )
        _record_export(request, unit, kind, fmt, source.data, instance=assessment, what=what)
    return _send(data, reports.report_filename(kind, source, fmt), fmt)


def _reference_date(text: str) -> dt.date:
    """dd/mm/yyyy as typed (also YYYY-MM-DD); ValueError when it is not a date."""
    text = text.strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return parse_date_vi(text)


@login_required
def unit_report(request: HttpRequest, unit_pk: int, kind: str, fmt: str) -> HttpResponse:
    """A live report (not frozen) for a unit, a criteria set and a reference date."""
    unit = _visible_unit(request, unit_pk)
    from smartvillage.criteria.loader import get_set

    if kind not in reports.KINDS or fmt not in reports.FORMATS:
        raise Http404
    back = reverse("assessments:list", args=[unit.pk])
    at_text = request.GET.get("at", "").strip()
    try:
        at = _reference_date(at_text) if at_text else timezone.localdate()
    except ValueError:
        return _refusal(
            request,
            unit,
            _(
                "Ngày tham chiếu “%s” không hợp lệ; hãy nhập ngày theo dạng dd/mm/yyyy, ví dụ 05/03/2024."
            )
            % at_text,
            back,
        )
    try:
        cset = get_set(request.GET.get("set", ""))
    except DomainError as exc:
        return _refusal(request, unit, exc.message, back, status=404)
    reason = reports.unsuitable(kind, unit.level, unit.full_name, cset)
    if reason:
        return _refusal(request, unit, reason, back)
    try:
        source = reports.source_live(unit, cset, at)
    except DomainError as exc:
        return _refusal(request, unit, exc.message, back)
    personal = bool(reports.person_lists(kind, source.data))
    if personal and not can(request.user, Action.EXPORT_PERSONAL, unit):
        return _export_denied(request, unit, back)
    if fmt == "pdf":
        job = report_jobs.start_unit_report(request.user, unit, cset, at, kind, fmt, back)
        return redirect("jobs:job", job_id=job.pk)
    try:
        data = reports.render_report(kind, source, fmt)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("assessments:list", unit_pk=unit.pk)
    if personal:
        what = f"bộ tiêu chí {cset.slug}, số liệu trực tiếp tại ngày {at:%d/%m/%Y}"
        _record_export(request, unit, kind, fmt, source.data, what=what)
    return _send(data, reports.report_filename(kind, source, fmt), fmt)
