"""Role assignments in the admin: commune officers and above see who holds roles in their units;
only system administrators change them."""

from __future__ import annotations

from django.contrib import admin

from smartvillage.accounts.models import RoleAssignment
from smartvillage.accounts.permissions import Action
from smartvillage.core.admin_scope import UnitScopedAdmin


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(UnitScopedAdmin):
    unit_field = "unit"
    view_action = Action.MANAGE_UNITS
    edit_action = Action.ADMIN
    list_display = ("user", "role", "unit", "created_at")
    list_filter = ("role",)
    search_fields = ("user__username", "user__last_name", "user__first_name", "unit__name")
    list_select_related = ("user", "unit")
    # Type a few letters of a person or a unit instead of a raw id; the unit search is the units
    # admin's, scoped by accounts.permissions (a commune officer finds only her units).
    autocomplete_fields = ("user", "unit")
