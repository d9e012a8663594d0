"""Reports as background jobs: a PDF goes through LibreOffice (about 10 s for Mẫu số 01), too
long for a request, so the page starts a job (smartvillage.jobs) and shows its progress.

The job checks again what the page checked (the user may have lost the right meanwhile), renders,
and records the export of personal data in the audit trail as the page does for a direct download.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.documents import reports
from smartvillage.jobs.services import JobOutput, Progress, do_start_job

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
NO_RIGHT = "Tài khoản không còn quyền xuất dữ liệu cá nhân của đơn vị này; chưa tạo báo cáo."


def record_export(
    user: Any, unit: Any, kind: str, fmt: str, data: dict[str, Any], *, instance: Any, what: str
) -> None:
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        instance=instance,
        unit=unit,
        object_type=None if instance is not None else "report",
        object_repr=f"{reports.KIND_LABELS[kind]} – {unit.full_name}",
        note=f"Tải {reports.KIND_LABELS[kind]} ({fmt.upper()}), {what}: "
        f"{reports.person_lists_note(kind, data)}",
    )


def start_assessment_report(
    user: Any, assessment: Any, kind: str, fmt: str, version: int | None, back_url: str
) -> Any:
    return do_start_job(
        target="smartvillage.assessments.report_jobs.assessment_report",
        title=f"{reports.KIND_LABELS[kind]} ({fmt.upper()}) – {assessment.unit.full_name}",
        user=user,
        params={"assessment": assessment.pk, "kind": kind, "fmt": fmt, "version": version},
        back_url=back_url,
    )


def start_unit_report(
    user: Any, unit: Any, cset: Any, at: dt.date, kind: str, fmt: str, back_url: str
) -> Any:
    return do_start_job(
        target="smartvillage.assessments.report_jobs.unit_report",
        title=f"{reports.KIND_LABELS[kind]} ({fmt.upper()}) – {unit.full_name}, ngày {at:%d/%m/%Y}",
        user=user,
        params={"unit": unit.pk, "set": cset.slug, "at": at.isoformat(), "kind": kind, "fmt": fmt},
        back_url=back_url,
    )


def _render(job: Any, progress: Progress, kind: str, fmt: str, source: Any) -> bytes:
    progress("Đang soạn văn bản", 1, 3)
    data = reports.render_report(kind, source, fmt)
    progress("Đang lưu tệp", 2, 3)
    return data


def assessment_report(job: Any, progress: Progress) -> JobOutput:
    from smartvillage.assessments.models import Assessment

    p = job.params
    kind, fmt = p["kind"], p["fmt"]
    progress("Đang lấy số liệu", 0, 3)
    assessment = Assessment.objects.select_related("unit").filter(pk=p["assessment"]).first()
    if assessment is None or not can(job.user, Action.VIEW, assessment.unit):
        raise DomainError("Không tìm thấy hồ sơ đánh giá.")
    unit = assessment.unit
    source = reports.source_for_assessment(assessment, p.get("version"))
    reports.check_suitable(
        kind,
        source.data["unit"]["level"],
        source.data["unit"]["full_name"],
        source.data["criteria_set"],
    )
    personal = bool(reports.person_lists(kind, source.data))
    if personal and not can(job.user, Action.EXPORT_PERSONAL, unit):
        raise DomainError(NO_RIGHT)
    data = _render(job, progress, kind, fmt, source)
    if personal:
        what = (
            f"hồ sơ số {assessment.pk}, phiên bản {p.get('version') or assessment.current_version}"
            if source.frozen
            else f"hồ sơ số {assessment.pk} (dự thảo, số liệu trực tiếp)"
        )
        record_export(job.user, unit, kind, fmt, source.data, instance=assessment, what=what)
    return JobOutput(
        data=data,
        file_name=reports.report_filename(kind, source, fmt),
        content_type=CONTENT_TYPES[fmt],
    )


def unit_report(job: Any, progress: Progress) -> JobOutput:
    from smartvillage.criteria.loader import get_set
    from smartvillage.units.models import AdminUnit

    p = job.params
    kind, fmt = p["kind"], p["fmt"]
    at = dt.date.fromisoformat(p["at"])
    progress("Đang tính số liệu", 0, 3)
    unit = AdminUnit.objects.filter(pk=p["unit"]).first()
    if unit is None or not can(job.user, Action.VIEW, unit):
        raise DomainError("Không tìm thấy đơn vị.")
    cset = get_set(p["set"])
    reports.check_suitable(kind, unit.level, unit.full_name, cset)
    source = reports.source_live(unit, cset, at)
    personal = bool(reports.person_lists(kind, source.data))
    if personal and not can(job.user, Action.EXPORT_PERSONAL, unit):
        raise DomainError(NO_RIGHT)
    data = _render(job, progress, kind, fmt, source)
    if personal:
        what = f"bộ tiêu chí {cset.slug}, số liệu trực tiếp tại ngày {at:%d/%m/%Y}"
        record_export(job.user, unit, kind, fmt, source.data, instance=None, what=what)
    return JobOutput(
        data=data,
        file_name=reports.report_filename(kind, source, fmt),
        content_type=CONTENT_TYPES[fmt],
    )
