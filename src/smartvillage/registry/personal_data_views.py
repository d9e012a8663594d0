"""A data subject's requests on the web (Law 91/2025/QH15): see what is held, download it, erase.

For the roles with the personal-data right on the person's village (EXPORT_PERSONAL; erasure also
needs EDIT_REGISTRY). Opening the page, downloading and erasing are each audited.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.registry import erasure, services
from smartvillage.registry.models import Person


def _person(request: HttpRequest, pk: int) -> Person:
    person = get_object_or_404(Person.objects.select_related("household__village"), pk=pk)
    village = person.household.village
    if not can(request.user, Action.VIEW, village):
        raise Http404(_("Không tìm thấy nhân khẩu."))
    if not can(request.user, Action.EXPORT_PERSONAL, village):
        raise PermissionDenied(_("Bạn không có quyền về dữ liệu cá nhân của đơn vị này."))
    return person


@login_required
def person_data_page(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    data = erasure.person_data(person)
    audit.record(
        actor=request.user,
        action=AuditAction.VIEW,
        instance=person,
        unit=person.household.village,
        household_id=person.household_id,
        note="Xem trang dữ liệu cá nhân (quyền của chủ thể dữ liệu)",
        count=1,
    )
    return render(
        request,
        "registry/person_data.html",
        {
            "person": person,
            "household": person.household,
            "unit": person.household.village,
            "data": data,
            "can_erase": can(request.user, Action.EDIT_REGISTRY, person.household.village),
        },
    )


@login_required
def person_data_download(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    data = services.do_export_person_data(request.user, person)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2, default=str),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="du-lieu-ca-nhan-{person.pk}.json"'
    return response


@login_required
@require_POST
def person_erase(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    household = person.household
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Hãy đánh dấu ô xác nhận trước khi xóa."))
        return redirect("registry:person_data", pk=pk)
    result = services.do_erase_person(request.user, person)
    messages.success(
        request,
        _(
            "Đã xóa dữ liệu cá nhân theo yêu cầu: %(audit)s mục nhật ký, %(snapshots)s hồ sơ đã "
            "chốt (thay bằng bí danh), %(jobs)s lần nhập đang chờ."
        )
        % {
            "audit": result.audit_entries,
            "snapshots": result.snapshots,
            "jobs": result.import_jobs,
        },
    )
    return redirect("registry:household", pk=household.pk)
