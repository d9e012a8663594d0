"""The audit trail of a household (its own changes and its persons'), for commune officers and above."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.audit.models import AuditEvent
from smartvillage.registry.models import Household, Person, mask_identity

# Audit snapshots keep identity numbers in full (they are the record); pages show them masked.
MASKED_FIELDS = {"identity_number"}


def _field_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for model in (Household, Person):
        for field in model._meta.concrete_fields:
            labels.setdefault(field.attname, str(field.verbose_name))
    labels["village_id"] = gettext("thôn")
    labels["household_id"] = gettext("hộ")
    return labels


def _show(name: str, value: Any) -> str:
    if value is None or value == "":
        return "–"
    if name in MASKED_FIELDS:
        return mask_identity(str(value))
    if value is True:
        return gettext("Có")
    if value is False:
        return gettext("Không")
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"  # ISO date from the snapshot → dd/mm/yyyy
    return str(value)


def masked_changes(event: AuditEvent, labels: dict[str, str] | None = None) -> list[dict[str, str]]:
    """An event's changed fields as display rows, identity numbers masked."""
    labels = labels if labels is not None else _field_labels()
    return [
        {"field": labels.get(name, name), "before": _show(name, old), "after": _show(name, new)}
        for name, old, new in event.changes()
    ]


@login_required
def household_history(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = Household.objects.select_related("village").filter(pk=household_pk).first()
    events = AuditEvent.objects.filter(household_id=household_pk).select_related("unit")
    # A deleted household keeps its history; its unit is then taken from the entries.
    unit = household.village if household else next((e.unit for e in events[:1] if e.unit), None)
    if unit is None or not permissions.can(request.user, Action.VIEW, unit):
        raise Http404(_("Không tìm thấy hộ."))
    if not permissions.can(request.user, Action.VIEW_AUDIT, unit):
        raise PermissionDenied(gettext("Chỉ cán bộ xã trở lên được xem nhật ký thay đổi."))
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    labels = _field_labels()
    rows = [{"event": e, "changes": masked_changes(e, labels)} for e in page.object_list]
    return render(
        request,
        "audit/household_history.html",
        {
            "household": household,
            "household_pk": household_pk,
            "unit": unit,
            "page": page,
            "rows": rows,
        },
    )
