"""Evidence pages: list per unit, add, edit, delete, and the permission-checked file download.

Uploads are refused before they are received when too large: the add and edit views compare the
request's Content-Length with the limit before reading the body, and put SizeLimitUploadHandler
first so a file that passes the limit stops the reading (nothing is written to a temporary file).
Both views are therefore CSRF-exempt on the outside (the CSRF middleware would read the body
first) and CSRF-protected on the inside, once the upload handler is in place.
"""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can
from smartvillage.core import concurrency
from smartvillage.core.errors import DomainError
from smartvillage.evidence import catalogue, services, uploads
from smartvillage.evidence.forms import EvidenceForm
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.units.models import AdminUnit


def _unit_for(request: HttpRequest, pk: int, action: Action) -> AdminUnit:
    """The unit, 404 when the user may not even see it (do not confirm it exists), 403 when she
    sees it but may not do `action`."""
    unit = get_object_or_404(AdminUnit, pk=pk)
    _check(request, action, unit)
    return unit


def _check(request: HttpRequest, action: Action, unit: AdminUnit) -> None:
    if not can(request.user, Action.VIEW, unit):
        raise Http404
    if not can(request.user, action, unit):
        raise PermissionDenied


@login_required
def evidence_list(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _unit_for(request, unit_pk, Action.VIEW)
    records = list(
        EvidenceRecord.objects.filter(unit=unit).order_by("category", "type", "-issued_date", "id")
    )
    order = list(catalogue.categories())
    records.sort(key=lambda r: (order.index(r.category) if r.category in order else 99, r.type))
    groups = [
        (catalogue.category_label(cat), list(items))
        for cat, items in groupby(records, key=lambda r: r.category)
    ]
    return render(
        request,
        "evidence/list.html",
        {
            "unit": unit,
            "groups": groups,
            "count": len(records),
            "may_manage": can(request.user, Action.MANAGE_EVIDENCE, unit),
        },
    )


def _save(
    request: HttpRequest, form: EvidenceForm, unit: AdminUnit, record: EvidenceRecord | None
) -> HttpResponse | None:
    if not form.is_valid():
        return None
    upload = form.cleaned_data.get("upload") or None
    try:
        if record is None:
            record = services.do_create_evidence(
                request.user, unit, upload=upload, **form.to_fields()
            )
            messages.success(request, _("Đã thêm minh chứng “%s”.") % record.title)
        else:
            record = services.do_update_evidence(
                request.user,
                record,
                upload=upload,
                remove_file=form.cleaned_data.get("remove_file", False),
                expected_version=concurrency.posted_version(request),
                **form.to_fields(),
            )
            messages.success(request, _("Đã lưu minh chứng “%s”.") % record.title)
    except DomainError as exc:
        form.add_error("upload" if exc.code.startswith("upload") else None, exc.message)
        if isinstance(exc, concurrency.StaleEdit):
            # The other change is shown; saving again is then based on it (optimistic locking).
            form.edit_version = exc.current.version
        return None
    return redirect("evidence:list", unit_pk=unit.pk)


def _guard_upload(request: HttpRequest) -> tuple[str, uploads.SizeLimitUploadHandler | None]:
    """Before the body is read: refuse a request declared larger than the limit, else put the
    size-limit handler first. Returns (refusal message, handler)."""
    if request.method != "POST":
        return "", None
    message = uploads.request_too_large(request)
    if message:
        return message, None
    handler = uploads.SizeLimitUploadHandler(request)
    request.upload_handlers.insert(0, handler)
    return "", handler


def _form_page(
    request: HttpRequest,
    unit: AdminUnit,
    form: EvidenceForm,
    record: EvidenceRecord | None,
    *,
    status: int,
    upload_error: str = "",
) -> HttpResponse:
    return render(
        request,
        "evidence/form.html",
        {"unit": unit, "form": form, "record": record, "upload_error": upload_error},
        status=status,
    )


@csrf_exempt
@login_required
def evidence_add(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = _unit_for(request, unit_pk, Action.MANAGE_EVIDENCE)
    refused, handler = _guard_upload(request)
    initial = {"kind": request.GET.get("kind", ""), "quantity": 1}
    if refused:
        # Answered without reading the body: nothing of the upload was received.
        form = EvidenceForm(initial=initial)
        return _form_page(request, unit, form, None, status=413, upload_error=refused)
    return _evidence_add(request, unit, handler, initial)


@csrf_protect
def _evidence_add(
    request: HttpRequest,
    unit: AdminUnit,
    handler: uploads.SizeLimitUploadHandler | None,
    initial: dict,
) -> HttpResponse:
    form = EvidenceForm(request.POST or None, request.FILES or None, initial=initial)
    if handler is not None and handler.refused:
        form = EvidenceForm(request.POST, initial=initial)
        return _form_page(request, unit, form, None, status=400, upload_error=handler.refused)
    if request.method == "POST" and (response := _save(request, form, unit, None)) is not None:
        return response
    return _form_page(request, unit, form, None, status=400 if request.method == "POST" else 200)


@csrf_exempt
@login_required
def evidence_edit(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(EvidenceRecord.objects.select_related("unit"), pk=pk)
    _check(request, Action.MANAGE_EVIDENCE, record.unit)
    refused, handler = _guard_upload(request)
    if refused:
        form = EvidenceForm(record=record)
        return _form_page(request, record.unit, form, record, status=413, upload_error=refused)
    return _evidence_edit(request, record, handler)


@csrf_protect
def _evidence_edit(
    request: HttpRequest, record: EvidenceRecord, handler: uploads.SizeLimitUploadHandler | None
) -> HttpResponse:
    form = EvidenceForm(request.POST or None, request.FILES or None, record=record)
    if handler is not None and handler.refused:
        form = EvidenceForm(request.POST, record=record)
        return _form_page(
            request, record.unit, form, record, status=400, upload_error=handler.refused
        )
    if (
        request.method == "POST"
        and (response := _save(request, form, record.unit, record)) is not None
    ):
        return response
    return _form_page(
        request, record.unit, form, record, status=400 if request.method == "POST" else 200
    )


@login_required
@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    record = get_object_or_404(EvidenceRecord.objects.select_related("unit"), pk=pk)
    _check(request, Action.MANAGE_EVIDENCE, record.unit)
    unit = record.unit
    try:
        services.do_delete_evidence(request.user, record)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("evidence:edit", pk=record.pk)
    messages.success(request, _("Đã xóa minh chứng “%s”.") % record.title)
    return redirect("evidence:list", unit_pk=unit.pk)


@login_required
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    record = get_object_or_404(EvidenceRecord.objects.select_related("unit"), pk=pk)
    _check(request, Action.VIEW, record.unit)
    if not record.file:
        raise Http404
    try:
        handle = record.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    services.audit_download(request.user, record)
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=record.file_name or record.file.name.rsplit("/", 1)[-1],
        content_type=record.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
