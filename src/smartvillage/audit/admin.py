"""The audit trail in the admin: read-only, scoped to units where the user may read it, identity
numbers masked (the raw snapshot JSON is not shown)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from smartvillage.accounts.permissions import Action
from smartvillage.audit.admin_log import AccessLoggedAdmin
from smartvillage.audit.models import AuditEvent
from smartvillage.audit.views import masked_changes
from smartvillage.core.admin_scope import ReadOnlyScopedAdmin


@admin.register(AuditEvent)
class AuditEventAdmin(AccessLoggedAdmin, ReadOnlyScopedAdmin):
    unit_field = "unit"
    view_action = Action.VIEW_AUDIT
    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "unit")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "actor_name")
    list_select_related = ("unit",)
    fields = (
        "at",
        "actor_name",
        "action",
        "unit",
        "object_type",
        "object_id",
        "object_repr",
        "household_id",
        "note",
        "change_list",
    )
    readonly_fields = fields

    @admin.display(description=_("Thay đổi (trước → sau)"))
    def change_list(self, obj: AuditEvent) -> str:
        rows = masked_changes(obj)
        return format_html_join(
            "", "<div>{}: {} → {}</div>", ((r["field"], r["before"], r["after"]) for r in rows)
        )
