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
from smartvillage.audit import services as audit_services
from smartvillage.audit.models import AuditEvent
from smartvillage.core.templatetags.core_tags import degrees
from smartvillage.registry.facts import catalogue
from smartvillage.registry.models import Household, Person, mask_identity

# Audit snapshots keep identity numbers in full (they are the record); pages show them masked.
MASKED_FIELDS = {"identity_number"}
COORDINATE_FIELDS = {"latitude", "longitude"}


def _field_labels() -> dict[str, str]:
    """Field name -> its Vietnamese label, capitalised as a line of a list ("Quan hệ với chủ hộ");
    facts by their catalogue label, including the facts kept in the JSON "extra" column."""
    labels: dict[str, str] = {}
    for model in (Household, Person):
        for field in model._meta.concrete_fields:
            labels.setdefault(field.attname, str(field.verbose_name))
    labels["village_id"] = gettext("thôn")
    labels["household_id"] = gettext("hộ")
    labels.update({key: fact.label for key, fact in catalogue().items()})
    return {name: label[:1].upper() + label[1:] for name, label in labels.items()}


def _choice_labels() -> dict[str, dict[str, str]]:
    """Coded values shown by their label ("head" -> "Chủ hộ", "M" -> "Nam")."""
    out: dict[str, dict[str, str]] = {}
    for model in (Household, Person):
        for field in model._meta.concrete_fields:
            if field.choices:
                out.setdefault(field.attname, {str(k): str(v) for k, v in field.choices})
    return out


def _show(name: str, value: Any, choices: dict[str, dict[str, str]] | None = None) -> str:
    if value is None or value == "":
        return "–"
    if name in MASKED_FIELDS:
        return mask_identity(str(value))
    if value is True:
        return gettext("Có")
    if value is False:
        return gettext("Không")
    if choices and name in choices and str(value) in choices[name]:
        return choices[name][str(value)]
    if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
        return f"{value[8:10]}/{value[5:7]}/{value[0:4]}"  # ISO date from the snapshot → dd/mm/yyyy
    if name in COORDINATE_FIELDS:
        return degrees(value)  # 21,0285 in Vietnamese pages
    return str(value)


def _expanded(event: AuditEvent) -> list[tuple[str, Any, Any]]:
    """The event's changes, the JSON "extra" column opened into one change per fact."""
    out = []
    for name, old, new in event.changes():
        if name == "extra" and isinstance(old or {}, dict) and isinstance(new or {}, dict):
            old, new = old or {}, new or {}
            out.extend(
                (key, old.get(key), new.get(key))
                for key in sorted(set(old) | set(new))
                if old.get(key) != new.get(key)
            )
        else:
            out.append((name, old, new))
    return out


def masked_changes(event: AuditEvent, labels: dict[str, str] | None = None) -> list[dict[str, str]]:
    """An event's changed fields as display rows in Vietnamese labels and values, identity
    numbers masked."""
    labels = labels if labels is not None else _field_labels()
    choices = _choice_labels()
    created = event.before is None
    return [
        {
            "field": labels.get(name, name),
            "before": _show(name, old, choices),
            "after": _show(name, new, choices),
        }
        for name, old, new in _expanded(event)
        # A new record: what it was given, not every empty field and "no" it starts with.
        if not (created and new in (None, "", False))
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
    # The history holds the household's and its persons' values: reading it is logged too.
    audit_services.record_view(
        actor=request.user,
        unit=unit,
        object_type="household_history",
        object_id=str(household_pk),
        object_repr=str(household) if household else f"#{household_pk}",
        household_id=household_pk,
        note="Xem lịch sử thay đổi của hộ",
        count=len(rows),
    )
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
