"""Personal data shown in /admin/ is logged like the pages: the list (one entry per unit on the
page, with how many rows of that unit it showed) and each change/view page of one object."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Model
from django.http import HttpRequest, HttpResponse

from smartvillage.audit import services as audit


def _unit_of(obj: Model, path: str) -> Any:
    for name in path.split("__"):
        obj = getattr(obj, name, None)
        if obj is None:
            return None
    return obj


class AccessLoggedAdmin:
    """Mixin for a ModelAdmin of personal data; `unit_field` is the ORM path to its unit."""

    unit_field: str = "unit"
    #: False where the list itself shows nobody's data (only the change page does).
    log_list: bool = True

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        response = super().changelist_view(request, extra_context)  # type: ignore[misc]
        changelist = getattr(response, "context_data", None) or {}
        rows = getattr(changelist.get("cl"), "result_list", None)
        if request.method == "GET" and rows is not None and self.log_list:
            per_unit = Counter(_unit_of(obj, self.unit_field) for obj in rows)
            model = self.model  # type: ignore[attr-defined]
            for unit, count in per_unit.items():
                audit.record_view(
                    actor=request.user,
                    unit=unit,
                    object_type=f"admin_{model._meta.model_name}_list",
                    object_id=str(getattr(unit, "pk", "")),
                    object_repr=f"{model._meta.verbose_name_plural} – {unit or ''}"[:200],
                    note="Trang quản trị: xem danh sách",
                    count=count,
                )
        return response

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        response = super().change_view(request, object_id, form_url, extra_context)  # type: ignore[misc]
        original = (getattr(response, "context_data", None) or {}).get("original")
        if request.method == "GET" and original is not None:
            audit.record_view(
                actor=request.user,
                unit=_unit_of(original, self.unit_field),
                object_type=original._meta.model_name,
                object_id=str(original.pk),
                object_repr=str(original),
                household_id=getattr(original, "household_id", None),
                note="Trang quản trị: xem chi tiết",
                count=1,
            )
        return response
