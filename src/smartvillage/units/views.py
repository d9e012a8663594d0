"""Unit attributes pages: one unit's criteria attributes with their history, and the province's
table of commune groups (QĐ 51/2025/QĐ-TTg). units.services.do_update_unit_attributes checks the
permission, writes and audits."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from smartvillage.accounts import permissions
from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.units import attributes
from smartvillage.units.models import AdminUnit, Level
from smartvillage.units.services import do_update_unit_attributes, may_edit_attributes


def _visible(request: HttpRequest, pk: int) -> AdminUnit:
    unit = get_object_or_404(AdminUnit, pk=pk)
    if not permissions.can(request.user, permissions.Action.VIEW, unit):
        raise Http404(_("Không tìm thấy đơn vị."))
    return unit


def _history(unit: AdminUnit) -> list[dict[str, Any]]:
    labels = {a.key: a.label for a in attributes.ATTRIBUTES.values()}
    rows = []
    events = AuditEvent.objects.filter(
        object_type="adminunit", object_id=str(unit.pk), action="update"
    ).order_by("-at")[:50]
    for event in events:
        before = (event.before or {}).get("attributes") or {}
        after = (event.after or {}).get("attributes") or {}
        changes = []
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                changes.append(
                    (labels.get(key, key), _show(key, before.get(key)), _show(key, after.get(key)))
                )
        if changes:
            rows.append({"event": event, "changes": changes})
    return rows


def _show(key: str, value: Any) -> str:
    if value is None:
        return "—"
    if key == "commune_group":
        return attributes.COMMUNE_GROUPS.get(value, str(value))
    return _("Có") if value else _("Không")


def _inherited(unit: AdminUnit) -> list[tuple[str, str]]:
    """(label, value) of the commune's attributes a village's thresholds also see."""
    if unit.level != Level.VILLAGE or unit.parent is None:
        return []
    return [
        (attributes.ATTRIBUTES[key].label, _show(key, value))
        for key, value in (unit.parent.attributes or {}).items()
        if key in attributes.ATTRIBUTES and value not in (None, False)
    ]


@login_required
def unit_attributes(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _visible(request, pk)
    fields = attributes.for_level(unit.level)
    if not fields:
        raise Http404(_("Đơn vị cấp này không có thuộc tính dùng trong tiêu chí."))
    may_edit = may_edit_attributes(request.user, unit)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Bạn không có quyền sửa thuộc tính của đơn vị này."))
        values = {
            a.key: request.POST.get(a.key, "") if a.type == "group" else a.key in request.POST
            for a in fields
        }
        try:
            do_update_unit_attributes(request.user, unit, values, request.POST.get("note", ""))
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu thuộc tính của %(u)s.") % {"u": unit.full_name})
        return redirect("units:attributes", pk=unit.pk)
    current = unit.attributes or {}
    return render(
        request,
        "units/attributes.html",
        {
            "unit": unit,
            "fields": [{"attr": a, "value": current.get(a.key)} for a in fields],
            "groups": attributes.COMMUNE_GROUPS,
            "may_edit": may_edit,
            "history": _history(unit),
            "inherited": _inherited(unit),
        },
    )


@login_required
def commune_groups(request: HttpRequest, pk: int) -> HttpResponse:
    """The province's communes with their group, set in one form."""
    province = _visible(request, pk)
    if province.level != Level.PROVINCE:
        raise Http404(_("Chỉ cấp tỉnh có bảng nhóm xã."))
    communes = list(
        AdminUnit.objects.filter(
            path__startswith=province.path, level=Level.COMMUNE, is_active=True
        ).order_by("path")
    )
    may_edit = bool(communes) and may_edit_attributes(request.user, communes[0])
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("Bạn không có quyền đặt nhóm xã."))
        changed = 0
        try:
            for commune in communes:
                value = request.POST.get(f"group-{commune.pk}", "")
                old = (commune.attributes or {}).get("commune_group")
                if str(old or "") != value:
                    do_update_unit_attributes(
                        request.user, commune, {"commune_group": value}, "Đặt nhóm xã"
                    )
                    changed += 1
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã lưu nhóm của %(n)d xã.") % {"n": changed})
        return redirect("units:commune_groups", pk=province.pk)
    return render(
        request,
        "units/commune_groups.html",
        {
            "unit": province,
            "communes": communes,
            "groups": attributes.COMMUNE_GROUPS,
            "may_edit": may_edit,
        },
    )
