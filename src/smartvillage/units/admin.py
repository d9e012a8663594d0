"""Units in the Django admin: searchable, scoped like the pages, official units read-only.

Official units come from `smartvillage units load`; villages are added by add-village (or the
pages). The admin only edits a village's name, type, attributes and status, through
units.services.do_update_unit (permission check + audit). Paths are never edited by hand.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from smartvillage.accounts.permissions import Action
from smartvillage.core.admin_scope import UnitScopedAdmin
from smartvillage.units import services
from smartvillage.units.models import VILLAGE_TYPES, AdminUnit, Scheme, UnitType

EDITABLE = ("name", "unit_type", "attributes", "is_active")


@admin.register(AdminUnit)
class AdminUnitAdmin(UnitScopedAdmin):
    unit_field = "pk"
    edit_action = Action.MANAGE_UNITS
    list_display = ("code", "full_name", "level", "scheme", "parent", "is_active", "data_version")
    list_filter = ("level", "scheme", "is_active")
    search_fields = ("name", "code")
    list_select_related = ("parent",)
    list_per_page = 100
    show_full_result_count = False
    fields = (
        "parent",
        "level",
        "unit_type",
        "code",
        "name",
        "scheme",
        "data_version",
        "path",
        "successors",
        "attributes",
        "is_active",
        "created_at",
    )

    def get_readonly_fields(
        self, request: HttpRequest, obj: AdminUnit | None = None
    ) -> tuple[str, ...]:
        fixed = (
            "parent",
            "level",
            "code",
            "scheme",
            "data_version",
            "path",
            "successors",
            "created_at",
        )
        if obj is not None and obj.scheme != Scheme.LOCAL:
            return fixed + EDITABLE
        return fixed

    @admin.display(description=_("đơn vị từ 01/07/2025"))
    def successors(self, obj: AdminUnit) -> str:
        units = list(obj.current_successors()) if obj.pk else []
        if not units:
            return "—"
        return format_html_join(", ", "{} ({})", ((u.full_name, u.code) for u in units))

    def formfield_for_choice_field(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "unit_type":
            # Only villages are editable here, so only village types can be chosen.
            kwargs["choices"] = [(t.value, t.label) for t in UnitType if t in VILLAGE_TYPES]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AdminUnit | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AdminUnit | None = None) -> bool:
        if obj is not None and obj.scheme != Scheme.LOCAL:
            return False  # official units change only through `units load`
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: AdminUnit, form: Any, change: bool) -> None:
        values = {name: form.cleaned_data[name] for name in EDITABLE if name in form.cleaned_data}
        services.do_update_unit(request.user, AdminUnit.objects.get(pk=obj.pk), **values)
