from django.contrib import admin

from smartvillage.core.admin_scope import ReadOnlyScopedAdmin
from smartvillage.plans.models import Plan, PlanItem, PlanTask


class ItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    can_delete = False
    fields = ("criterion_code", "title", "result_text")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Plan)
class PlanAdmin(ReadOnlyScopedAdmin):
    """Read-only here: plans and tasks change through the plan pages (permission-checked, audited)."""

    unit_field = "unit"
    list_display = ("title", "unit", "criteria_set_slug", "year", "number", "issued_date")
    list_filter = ("year", "criteria_set_slug")
    search_fields = ("title", "unit__name")
    inlines = [ItemInline]


@admin.register(PlanTask)
class PlanTaskAdmin(ReadOnlyScopedAdmin):
    unit_field = "item__plan__unit"
    list_display = ("description", "executor", "responsible", "budget", "deadline", "status")
    list_filter = ("status", "executor")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj.item.plan if obj is not None else None)
