"""Role assignments in the admin: commune officers and above see who holds roles in their units;
only system administrators change them."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import User
from django.http import HttpRequest

from smartvillage.accounts.models import RoleAssignment
from smartvillage.accounts.permissions import Action, is_system_admin
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


class SystemAdminUserAdmin(DjangoUserAdmin):
    """Accounts are managed by system administrators (the role), as by superusers: the admin's
    home links to the users without a role, and the role form picks users by autocomplete."""

    def _system_admin(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_staff) and is_system_admin(
            request.user
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._system_admin(request) or super().has_module_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._system_admin(request) or super().has_view_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._system_admin(request) or super().has_change_permission(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._system_admin(request) or super().has_add_permission(request)


admin.site.unregister(User)
admin.site.register(User, SystemAdminUserAdmin)
