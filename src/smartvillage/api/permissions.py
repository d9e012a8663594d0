"""Adapter between DRF and the one permission module (smartvillage.accounts.permissions).

The API never decides access itself: it asks `can`, `can_on` and `visible_units`. Objects of units
the user may not view are a 404 (their existence is not confirmed); objects she may view but not
change are a 403.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import AdminUnit

DENIED = {
    Action.EDIT_REGISTRY: gettext_lazy(
        "Bạn không có quyền sửa danh sách hộ, nhân khẩu của đơn vị này."
    ),
    Action.EXPORT_PERSONAL: gettext_lazy(
        "Bạn không có quyền xem danh sách dữ liệu cá nhân của đơn vị này."
    ),
}
DENIED_OTHER = gettext_lazy("Bạn không có quyền thực hiện thao tác này.")
DENIED.update(
    {
        Action.MANAGE_EVIDENCE: gettext_lazy(
            "Bạn không có quyền quản lý minh chứng của đơn vị này."
        ),
        Action.MANAGE_PLAN: gettext_lazy("Bạn không có quyền lập, sửa kế hoạch của đơn vị này."),
        Action.SUBMIT: gettext_lazy("Bạn không có quyền lập, nộp hồ sơ đánh giá của đơn vị này."),
    }
)


def visible_unit_or_404(user: Any, pk: int) -> AdminUnit:
    unit = AdminUnit.objects.filter(pk=pk).first()
    if unit is None or not permissions.can(user, Action.VIEW, unit):
        raise Http404(_("Không tìm thấy đơn vị."))
    return unit


class Refused(exceptions.PermissionDenied):
    """A 403 whose message is written for people (Vietnamese). The API answers any other
    PermissionDenied (an action function's, worded for logs) with DENIED_OTHER instead."""


def require(user: Any, action: Action, unit: AdminUnit) -> None:
    """403 with a Vietnamese message unless `user` may do `action` on `unit`."""
    if not permissions.can(user, action, unit):
        raise Refused(str(DENIED.get(action, DENIED_OTHER)))


def visible_units(user: Any) -> QuerySet[AdminUnit]:
    return permissions.visible_units(user, Action.VIEW)


def visible_households(user: Any) -> QuerySet[Household]:
    return Household.objects.filter(village__in=visible_units(user)).select_related("village")


def visible_persons(user: Any) -> QuerySet[Person]:
    # Person carries its village, so this is one indexed filter, no join through the household.
    return Person.objects.filter(village__in=visible_units(user)).select_related(
        "household", "village"
    )


class RegistryObjectPermission(BasePermission):
    """Reading a household/person needs VIEW on its village, changing it EDIT_REGISTRY.

    Visibility itself is enforced by the views' querysets (invisible objects are a 404 before this
    runs); this decides between 200 and 403 for visible ones.
    """

    message = DENIED[Action.EDIT_REGISTRY]

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = Action.VIEW if request.method in SAFE_METHODS else Action.EDIT_REGISTRY
        return permissions.can_on(request.user, action, obj)
