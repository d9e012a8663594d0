"""Admin classes scoped by accounts.permissions, so /admin/ obeys the same unit boundaries as pages.

A staff user sees only the objects of units she may view, changes only those she may edit, and an
object outside her units is a 404 (Django's default would redirect with "does not exist").
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.core.text import PrintableFormMixin


class UnitScopedAdmin(admin.ModelAdmin):
    #: ORM path from the model to its AdminUnit ("village", "household__village", "unit").
    unit_field: str = "unit"
    view_action: Action = Action.VIEW
    edit_action: Action = Action.EDIT_REGISTRY

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        """The admin's form under the same text rule as every other entry (core/text.py)."""
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (PrintableFormMixin, form), {})

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        qs = super().get_queryset(request)
        if permissions.is_system_admin(request.user):
            return qs
        return qs.filter(
            **{f"{self.unit_field}__in": permissions.visible_units(request.user, self.view_action)}
        )

    def _any(self, request: HttpRequest, action: Action) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff) and (
            permissions.is_system_admin(user) or permissions.visible_units(user, action).exists()
        )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._any(request, self.view_action)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self._any(request, self.view_action)
        return permissions.can_on(request.user, self.view_action, obj)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        if obj is None:
            return self._any(request, self.edit_action)
        return permissions.can_on(request.user, self.edit_action, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._any(request, self.edit_action)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.has_change_permission(request, obj)

    def _get_obj_does_not_exist_redirect(
        self, request: HttpRequest, opts: Any, object_id: str
    ) -> Any:
        # Outside her units and truly missing look the same: 404, not a hint-bearing redirect.
        raise Http404


class ReadOnlyScopedAdmin(UnitScopedAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
