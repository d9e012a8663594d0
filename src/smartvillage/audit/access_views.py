"""Who viewed or exported how many persons' data in a unit, and when (Law 91/2025/QH15).

For leaders and administrators with the audit right (VIEW_AUDIT) on the unit: the unit's own
entries and those of every unit below it, one line per person with totals over a period, then
each entry (newest first) with what was shown and how many records.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action, get_visible_unit
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.units.models import AdminUnit

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
ACCESS = (AuditAction.VIEW, AuditAction.EXPORT)


def access_entries(unit: AdminUnit, since: dt.datetime) -> QuerySet[AuditEvent]:
    """Views and exports of personal data in `unit` and below it, since `since`."""
    return AuditEvent.objects.filter(
        action__in=ACCESS, at__gte=since, unit__path__startswith=unit.path
    )


def access_by_person(entries: QuerySet[AuditEvent]) -> list[dict]:
    """One row per person who looked: views, exports, records shown in all, last time."""
    return list(
        entries.values("actor_name")
        .annotate(
            views=Count("id", filter=Q(action=AuditAction.VIEW)),
            exports=Count("id", filter=Q(action=AuditAction.EXPORT)),
            records=Sum("record_count"),
            last=Max("at"),
        )
        .order_by("-records", "actor_name")
    )


@login_required
def unit_access(request: HttpRequest, unit_pk: int) -> HttpResponse:
    unit = get_visible_unit(request.user, unit_pk)
    if not permissions.can(request.user, Action.VIEW_AUDIT, unit):
        raise PermissionDenied(
            gettext("Chỉ lãnh đạo, cán bộ có quyền xem nhật ký mới xem được trang này.")
        )
    raw = request.GET.get("days", "")
    days = int(raw) if raw.isdigit() and int(raw) in PERIODS else DEFAULT_DAYS
    since = timezone.now() - dt.timedelta(days=days)
    entries = access_entries(unit, since).select_related("unit")
    people = access_by_person(entries)
    totals = entries.aggregate(count=Count("id"), records=Sum("record_count"))
    page = Paginator(entries.order_by("-at", "-id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/unit_access.html",
        {
            "unit": unit,
            "days": days,
            "periods": PERIODS,
            "people": people,
            "totals": totals,
            "page": page,
        },
    )
