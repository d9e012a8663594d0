"""Pages for data in and out. Thin: the work is in importer, jobs, lists and forms_xlsx.

Import: upload -> preview (errors, warnings, a mapping step for unknown columns) -> confirm ->
result; large files run in the background and the page polls the progress every second (htmx).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can, get_visible_unit
from smartvillage.audit import services as audit_services
from smartvillage.audit.models import AuditEvent
from smartvillage.audit.views import masked_changes
from smartvillage.core.errors import DomainError
from smartvillage.core.formats import parse_date_vi
from smartvillage.jobs import media
from smartvillage.registry.facts import fold
from smartvillage.transfer import forms_xlsx, importer, jobs, lists, mappings, web_report
from smartvillage.transfer.headers import all_fields
from smartvillage.transfer.models import ImportJob, JobStatus, SavedMapping
from smartvillage.units.models import Level

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


def _village_for_edit(request: HttpRequest, unit_id: int):
    unit = get_visible_unit(request.user, unit_id)
    if unit.level != Level.VILLAGE:
        raise Http404("Chỉ nhập dữ liệu vào thôn.")
    if not can(request.user, Action.EDIT_REGISTRY, unit):
        raise PermissionDenied
    return unit


def _job_for(request: HttpRequest, job_id: Any) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("village"), pk=job_id)
    if not can(request.user, Action.VIEW, job.village):
        raise Http404
    if not can(request.user, Action.EDIT_REGISTRY, job.village):
        raise PermissionDenied
    return job


@login_required
def import_start(request: HttpRequest, unit_id: int) -> HttpResponse:
    village = _village_for_edit(request, unit_id)
    error = ""
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        if not uploads:
            error = "Hãy chọn tệp để nhập."
        elif sum(u.size for u in uploads) > MAX_UPLOAD_BYTES:
            error = "Tệp quá lớn (tối đa 50 MB)."
        else:
            previous = _previous_job(request, village)
            job = jobs.create_job(village, request.user, uploads)
            if previous is not None:
                job.previous = previous
                job.save(update_fields=["previous"])
            jobs.start_preview(job)
            return redirect("transfer:job", job_id=job.pk)
    events = importer.import_events(village)[:50]
    return render(
        request,
        "transfer/import_start.html",
        {
            "unit": village,
            "events": events,
            "error": error,
            "may_export": can(request.user, Action.EXPORT_PERSONAL, village),
            "saved_mappings": _saved_for(village),
        },
    )


def _saved_for(village: Any) -> list[dict[str, Any]]:
    """The commune's remembered mappings, each column by header and Vietnamese label."""
    commune = mappings.commune_of(village)
    if commune is None:
        return []
    saved = SavedMapping.objects.filter(commune=commune).select_related("village", "updated_by")
    return [
        {
            "saved": item,
            "columns": [
                (
                    entry.get("letter", ""),
                    entry.get("header", ""),
                    web_report.field_label(entry["field"]) if entry.get("field") else "",
                )
                for entry in item.mapping
            ],
        }
        for item in saved.order_by("-updated_at")[:20]
    ]


@login_required
@require_POST
def saved_mapping_delete(request: HttpRequest, unit_id: int, mapping_id: int) -> HttpResponse:
    village = _village_for_edit(request, unit_id)
    commune = mappings.commune_of(village)
    deleted, _ = SavedMapping.objects.filter(pk=mapping_id, commune=commune).delete()
    if deleted:
        messages.success(request, "Đã xóa cách gán cột đã lưu; tệp cùng mẫu sẽ lại được hỏi.")
    return redirect("transfer:import", unit_id=village.pk)


def _previous_job(request: HttpRequest, village: Any) -> ImportJob | None:
    """The job whose corrected file this upload is: its column choices carry over."""
    try:
        return ImportJob.objects.filter(
            pk=request.POST.get("previous") or None, village=village
        ).first()
    except (ValueError, DjangoValidationError):
        return None


@login_required
def job_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job_for(request, job_id)
    if mappings.do_offer_mapping(job):
        return redirect("transfer:job", job_id=job.pk)
    report = job.report or {}
    questions = web_report.questions(report)
    proposals = web_report.questions(report, "proposed")
    question_refs = {q["ref"] for q in questions + proposals}
    counts = report.get("counts", {})
    context = {
        "job": job,
        "unit": job.village,
        "report": report,
        "choices": web_report.grouped_choices(),
        "stale": jobs.stale(job),
        "progress": _progress_context(job),
        "questions": questions,
        "proposals": proposals,
        "preview_tables": web_report.preview_tables(report),
        "errors": web_report.issues(report, "errors"),
        "warnings": web_report.issues(report, "warnings"),
        "skipped_rows": report.get("skipped_rows", []),
        "skipped_count": report.get("skipped_row_count", len(report.get("skipped_rows", []))),
        "mapping_sheets": web_report.mapping_sheets(job.mapping, report),
        "unmatched": [
            (layout["name"], u["letter"], u["header"])
            for layout in report.get("layouts", [])
            for u in layout.get("unmatched", [])
            if f"{layout['name']}!{u['letter']}" not in question_refs
        ],
        "layouts": [
            {**layout, "role_label": web_report.role_label(layout.get("role", ""))}
            for layout in report.get("layouts", [])
        ],
        "saved": job.saved_mapping,
        "carried": job.previous_id is not None and job.mapping and job.saved_mapping is None,
        # A partial write leaves out the households an error names; an error of the whole file
        # (no header, a mapping naming no column) has no row, and then only a fix helps.
        "may_write_valid": bool(
            not questions
            and report.get("error_count")
            and counts.get("households_in_file")
            and all(e.get("row") is not None and e.get("sheet") for e in report.get("errors", []))
        ),
        "rejected_file": _has_rejected_file(job),
        "remembered": (
            mappings.find_saved(job.village, job.layout_signature)
            if job.status == JobStatus.DONE and job.mapping
            else None
        ),
    }
    shown = (
        sum(len(t["rows"]) for t in context["preview_tables"])
        + len(context["errors"])
        + len(context["warnings"])
    )
    if shown:
        # The preview rows and the messages quote the file's cells (names, dates): logged.
        audit_services.record_view(
            actor=request.user,
            unit=job.village,
            object_type="import_job",
            object_id=str(job.pk),
            object_repr=job.file_label[:200],
            note="Xem kết quả kiểm tra tệp nhập",
            count=shown,
        )
    return render(request, "transfer/job.html", context)


def _progress_context(job: ImportJob) -> dict[str, Any]:
    phase, done, total = jobs.progress_of(job)
    labels = {"read": "Đang đọc tệp", "validate": "Đang kiểm tra", "write": "Đang ghi vào sổ"}
    percent = int(done * 100 / total) if total else None
    return {
        "phase": labels.get(phase, "Đang chuẩn bị"),
        "done": done,
        "total": total,
        "percent": percent,
    }


@login_required
def job_progress(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job_for(request, job_id)
    if not job.is_running:
        # Done: htmx reloads the whole page to show the preview or the result.
        response = HttpResponse("")
        response["HX-Refresh"] = "true"
        return response
    return render(
        request, "transfer/_progress.html", {"job": job, "progress": _progress_context(job)}
    )


@login_required
@require_POST
def job_mapping(request: HttpRequest, job_id: Any) -> HttpResponse:
    """The user's column choices: answers to the questions (q:Sheet!B, with qo:Sheet!B for a field
    outside the candidates), confirmed proposals, and changes in the full table (map:Sheet!B)."""
    job = _job_for(request, job_id)
    if job.status != JobStatus.PREVIEWED:
        return redirect("transfer:job", job_id=job.pk)
    fields = all_fields()
    mapping = dict(job.mapping)
    # What each column does now, to store only the columns the user changed in the table.
    # (None: not imported yet, so even "Bỏ qua" is a choice: it silences the warning.)
    current: dict[str, str | None] = {}
    for layout in (job.report or {}).get("layouts", []):
        for column in layout.get("all_columns", []):
            ref = f"{layout['name']}!{column['letter']}"
            current[ref] = column["field"] if column["state"] in ("matched", "ignored") else None
    report = job.report or {}
    asked = {
        f"{item.get('sheet', '')}!{item.get('column', '')}"
        for item in [*report.get("questions", []), *report.get("proposed", [])]
    }
    answers: dict[str, str] = {}
    for key, value in request.POST.items():
        if key.startswith("q:") and value != "__keep__" and key[2:] in asked | set(current):
            other = request.POST.get(f"qo:{key[2:]}", "")
            answers[key[2:]] = other or value
    for key, value in request.POST.items():
        ref = key[3:]
        if key.startswith("qo:") and value and ref not in answers and ref in asked | set(current):
            answers[ref] = value  # a field from the list, no radio ticked
    for key, value in request.POST.items():
        if not key.startswith("map:") or value == "__keep__":
            continue
        ref = key[4:]
        if ref in answers:
            continue  # the question above the table is what the user looked at
        if ref in current:
            # "Sheet!B": one column, even when another column has the same header text.
            if value == current[ref] and ref not in mapping:
                continue
            answers[ref] = value
        else:
            answers[fold(ref)] = value  # a header text (older pages)
    for ref, value in answers.items():
        if value and value not in fields:
            continue
        mapping[ref] = value
    job.mapping = mapping
    job.save(update_fields=["mapping", "updated_at"])
    jobs.start_preview(job)
    return redirect("transfer:job", job_id=job.pk)


@login_required
@require_POST
def job_confirm(request: HttpRequest, job_id: Any) -> HttpResponse:
    """Write the file: all or nothing by default; "Ghi các hộ hợp lệ" (partial=1) writes the
    valid households and returns the rejected rows as a file to correct."""
    job = _job_for(request, job_id)
    report = job.report or {}
    partial = request.POST.get("partial") == "1"
    if job.status != JobStatus.PREVIEWED or report.get("questions"):
        messages.error(request, "Còn cột chưa trả lời hoặc tệp chưa kiểm tra xong; chưa ghi gì.")
        return redirect("transfer:job", job_id=job.pk)
    if not partial and not report.get("ok"):
        messages.error(request, "Tệp còn lỗi; chưa ghi gì.")
        return redirect("transfer:job", job_id=job.pk)
    # The proposals on the page were confirmed with the button: they become the user's choices.
    proposed = {
        item["ref"]: item["chosen"]
        for item in web_report.questions(report, "proposed")
        if item["chosen"]
    }
    if proposed:
        job.mapping = {**proposed, **job.mapping}
    job.partial = partial
    job.save(update_fields=["mapping", "partial", "updated_at"])
    mappings.do_remember_mapping(job, request.user)
    jobs.start_apply(job)
    return redirect("transfer:job", job_id=job.pk)


def _rejected_name(job: ImportJob) -> str:
    """The storage name of a partial import's rejected-rows XLSX, when it is this job's own file
    in the media storage (never any other name or path a report might hold); "" otherwise."""
    name = str((job.report or {}).get("rejected_file") or "")
    return name if name == jobs.rejected_name(job) else ""


def _has_rejected_file(job: ImportJob) -> bool:
    name = _rejected_name(job)
    return bool(name) and media.storage().exists(name)


@login_required
def job_rejected(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = _job_for(request, job_id)
    name = _rejected_name(job)
    try:
        # Through the media storage: the worker that wrote it may be another node.
        handle = media.storage().open(name, "rb") if name else None
    except (FileNotFoundError, OSError):
        handle = None
    if handle is None:
        raise Http404("Không còn tệp các dòng bị từ chối.")
    stem = Path(job.files[0]["name"]).stem if job.files else job.village.code
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=f"{stem}-dong-loi.xlsx",
        content_type=lists.XLSX_TYPE,
    )
    response["Cache-Control"] = "private, no-store"  # names and identity numbers
    return response


@login_required
def event_detail(request: HttpRequest, unit_id: int, event_id: int) -> HttpResponse:
    unit = get_visible_unit(request.user, unit_id)
    if not (
        can(request.user, Action.EDIT_REGISTRY, unit) or can(request.user, Action.VIEW_AUDIT, unit)
    ):
        raise PermissionDenied
    event = get_object_or_404(
        AuditEvent, pk=event_id, unit=unit, action="import", batch__isnull=True
    )
    items = [
        {"event": item, "changes": masked_changes(item)}
        for item in event.items.order_by("id")[:500]
    ]
    # The rows name households and persons: who read them, how many (issue #11, audit).
    audit_services.record_view(
        actor=request.user,
        unit=unit,
        object_type="import_event",
        object_id=str(event.pk),
        object_repr=event.object_repr,
        note="Xem chi tiết lượt nhập tệp",
        count=len(items),
    )
    return render(
        request,
        "transfer/event.html",
        {
            "unit": unit,
            "event": event,
            "items": items,
            "count": event.items.count(),
            "may_view_history": can(request.user, Action.VIEW_AUDIT, unit),
        },
    )


@login_required
def template_download(request: HttpRequest, unit_id: int) -> HttpResponse:
    village = _village_for_edit(request, unit_id)
    response = HttpResponse(forms_xlsx.template_xlsx(village), content_type=lists.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="mau-nhap-lieu-{village.code}.xlsx"'
    return response


@login_required
def registry_download(request: HttpRequest, unit_id: int) -> HttpResponse:
    """The village's current households and persons in the template, to correct and re-import."""
    village = _village_for_edit(request, unit_id)
    if not can(request.user, Action.EXPORT_PERSONAL, village):
        raise PermissionDenied
    response = HttpResponse(
        forms_xlsx.export_registry(request.user, village), content_type=lists.XLSX_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="danh-sach-{village.code}.xlsx"'
    return response


@login_required
def xlsform_download(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(forms_xlsx.xlsform_xlsx(), content_type=lists.XLSX_TYPE)
    response["Content-Disposition"] = 'attachment; filename="khao-sat-ho-gia-dinh-xlsform.xlsx"'
    return response


@login_required
def list_index(request: HttpRequest, unit_id: int) -> HttpResponse:
    from smartvillage.criteria.services import sets_for_unit

    unit = get_visible_unit(request.user, unit_id)
    may_export = can(request.user, Action.EXPORT_PERSONAL, unit)
    # The unit's own province's sets first, and only sets that can be applied at its level.
    sets = [(cset, lists.ratio_criteria(cset)) for cset in sets_for_unit(unit)]
    sets = [(cset, criteria) for cset, criteria in sets if criteria]
    return render(
        request,
        "transfer/lists.html",
        {
            "unit": unit,
            "sets": sets,
            "may_export": may_export,
            "today": timezone.localdate(),
        },
    )


@login_required
def list_download(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = get_visible_unit(request.user, unit_id)
    if not can(request.user, Action.EXPORT_PERSONAL, unit):
        raise PermissionDenied
    at: dt.date | None = None
    if request.GET.get("at"):
        try:
            at = parse_date_vi(request.GET["at"])
        except ValueError:
            messages.error(request, f"Ngày “{request.GET['at']}” không hợp lệ (dd/mm/yyyy).")
            return redirect("transfer:lists", unit_id=unit.pk)
    asked = (
        request.GET.get("set", ""),
        request.GET.get("criterion", ""),
        request.GET.get("format", "xlsx"),
        at,
    )
    if jobs.list_needs_job(unit):
        # A district's or province's list is long work: a job on the queue, its page polled,
        # instead of a request that holds a web worker (the job re-checks right and audit).
        job = jobs.start_list_export(
            request.user, unit, *asked, back_url=reverse("transfer:lists", args=[unit.pk])
        )
        return redirect("jobs:job", job.pk)
    try:
        content, name, ctype = lists.export_list(request.user, unit, *asked)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("transfer:lists", unit_id=unit.pk)
    response = HttpResponse(content, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
