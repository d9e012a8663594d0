"""The one place that answers "may this user do X on this unit/object".

Views, forms, the admin, the API and the CLI all ask here. Scope follows the unit tree: a role
assigned on a unit covers that unit and everything below it (a village head's unit is a village,
so she covers exactly her village).

Across the 01/07/2025 reform, a role on a current (2025) unit also covers what lies below its
predecessor units (units.UnitSuccession, main links only): villages recorded under a pre-2025
commune belong to the officers of the commune it became part of (docs/decisions/003).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.db.models import Q, QuerySet

from smartvillage.accounts.models import Role, RoleAssignment
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitSuccession


class Action(StrEnum):
    VIEW = "view"  # see the unit, its registry (masked) and its results
    EDIT_REGISTRY = "edit_registry"  # create/update/delete households and persons, import
    # Delete a whole household with its members: the village head and the commune officer, not
    # the digital team (who correct facts but do not remove households).
    DELETE_HOUSEHOLD = "delete_household"
    EXPORT_PERSONAL = "export_personal"  # download person lists
    VIEW_AUDIT = "view_audit"  # read the audit trail
    MANAGE_EVIDENCE = "manage_evidence"  # documents, IT models, facilities, ...
    MANAGE_PLAN = "manage_plan"
    SUBMIT = "submit"  # submit a self-assessment of a village (or of a commune)
    CONFIRM = "confirm"  # commune confirms / returns a village's assessment
    APPRAISE = "appraise"  # district/province appraises / returns / recognises
    MANAGE_UNITS = "manage_units"  # add villages
    ADMIN = "admin"


# Which actions each role grants on the units within its scope.
ROLE_ACTIONS: dict[str, set[Action]] = {
    Role.VILLAGE_HEAD: {
        Action.VIEW,
        Action.EDIT_REGISTRY,
        Action.DELETE_HOUSEHOLD,
        Action.EXPORT_PERSONAL,
        Action.MANAGE_EVIDENCE,
        Action.SUBMIT,
        Action.MANAGE_PLAN,
    },
    Role.DIGITAL_TEAM: {Action.VIEW, Action.EDIT_REGISTRY, Action.EXPORT_PERSONAL},
    Role.COMMUNE_OFFICER: {
        Action.VIEW,
        Action.EDIT_REGISTRY,
        Action.DELETE_HOUSEHOLD,
        Action.EXPORT_PERSONAL,
        Action.VIEW_AUDIT,
        Action.MANAGE_EVIDENCE,
        Action.MANAGE_PLAN,
        Action.MANAGE_UNITS,
        Action.SUBMIT,
    },
    Role.COMMUNE_LEADER: {
        Action.VIEW,
        Action.EXPORT_PERSONAL,
        Action.VIEW_AUDIT,
        Action.MANAGE_EVIDENCE,
        Action.MANAGE_PLAN,
        Action.MANAGE_UNITS,
        Action.SUBMIT,
        Action.CONFIRM,
    },
    Role.APPRAISER: {Action.VIEW, Action.VIEW_AUDIT, Action.APPRAISE, Action.EXPORT_PERSONAL},
}
_VILLAGE_ROLES = {Role.VILLAGE_HEAD, Role.DIGITAL_TEAM}


def _assignments(user: Any) -> list[RoleAssignment]:
    if not getattr(user, "is_authenticated", False):
        return []
    cache = getattr(user, "_sv_roles", None)
    if cache is None:
        cache = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
        user._sv_roles = cache
    return cache


def _collapse(paths: list[str]) -> list[str]:
    """The paths none of which lies below another (a subtree already covered is dropped)."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def _former_paths(user: Any) -> dict[int, list[str]]:
    """For each unit a role of `user` is assigned on: the paths of its pre-2025 predecessors.

    One query per user (cached on the user with the assignments): the main (is_default)
    succession links whose new unit is an assigned 2025 unit or lies below one (a 2025 province
    gets its old provinces and the old communes of its communes), reduced to the topmost paths.
    """
    cache = getattr(user, "_sv_former", None)
    if cache is not None:
        return cache
    roots = [
        a.unit
        for a in _assignments(user)
        if a.unit is not None and a.unit.scheme == Scheme.FROM_2025
    ]
    cache = {}
    if roots:
        condition = Q()
        for root in {r.pk: r for r in roots}.values():
            condition |= Q(new__path__startswith=root.path)
        rows = list(
            UnitSuccession.objects.filter(condition, is_default=True).values_list(
                "new__path", "old__path"
            )
        )
        for root in roots:
            cache[root.pk] = _collapse([old for new, old in rows if new.startswith(root.path)])
    user._sv_former = cache
    return cache


def _scope(user: Any, assignment: RoleAssignment) -> list[str]:
    """The subtree roots (as paths) one assignment covers: its unit and its predecessors."""
    assert assignment.unit is not None
    return [assignment.unit.path, *_former_paths(user).get(assignment.unit.pk, [])]


def former_units(user: Any) -> dict[int, list[AdminUnit]]:
    """The predecessor units each of the user's 2025 units covers (for navigation pages)."""
    former = _former_paths(user)
    paths = {p for ps in former.values() for p in ps}
    if not paths:
        return {}
    by_path = {u.path: u for u in AdminUnit.objects.filter(path__in=paths)}
    return {
        pk: sorted((by_path[p] for p in ps if p in by_path), key=lambda u: u.name)
        for pk, ps in former.items()
        if ps
    }


def is_system_admin(user: Any) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_superuser) or any(a.role == Role.SYSTEM_ADMIN for a in _assignments(user))


def can(user: Any, action: Action | str, unit: AdminUnit | None) -> bool:
    """May `user` do `action` on `unit` (and so on any object that belongs to it)?"""
    action = Action(action)
    if is_system_admin(user):
        return True
    if unit is None:
        return False
    for assignment in _assignments(user):
        if assignment.unit is None or action not in ROLE_ACTIONS.get(assignment.role, set()):
            continue
        if not any(unit.path.startswith(root) for root in _scope(user, assignment)):
            continue
        if action == Action.SUBMIT and (unit.level == Level.VILLAGE) != (
            assignment.role in _VILLAGE_ROLES
        ):
            # A village submits its own assessment; commune roles submit only the commune's own.
            continue
        if action == Action.CONFIRM and unit.level != Level.VILLAGE:
            continue
        return True
    return False


def visible_units(user: Any, action: Action | str = Action.VIEW) -> QuerySet[AdminUnit]:
    """All units on which `user` may do `action`, as one queryset."""
    action = Action(action)
    if is_system_admin(user):
        return AdminUnit.objects.all()
    roots = _collapse(
        [
            path
            for a in _assignments(user)
            if a.unit is not None and action in ROLE_ACTIONS.get(a.role, set())
            for path in _scope(user, a)
        ]
    )
    if not roots:
        return AdminUnit.objects.none()
    condition = Q()
    for root in roots:
        condition |= Q(path__startswith=root)
    return AdminUnit.objects.filter(condition)


def get_visible_unit(user: Any, pk: int) -> AdminUnit:
    """The unit `pk` if the user may view it, else 404 (never 403: do not confirm it exists)."""
    from django.http import Http404
    from django.utils.translation import gettext

    unit = AdminUnit.objects.filter(pk=pk).first()
    if unit is None or not can(user, Action.VIEW, unit):
        raise Http404(gettext("Không tìm thấy đơn vị."))
    return unit


def top_units(user: Any) -> list[AdminUnit]:
    """The units a user's roles are assigned on (the start of her home page)."""
    if is_system_admin(user):
        return list(AdminUnit.objects.filter(parent__isnull=True, is_active=True).order_by("name"))
    units = {a.unit.pk: a.unit for a in _assignments(user) if a.unit is not None}
    return sorted(units.values(), key=lambda u: u.path)


def object_unit(obj: Any) -> AdminUnit | None:
    """The unit an object belongs to, for permission checks on objects."""
    if isinstance(obj, AdminUnit):
        return obj
    for attr in ("village", "unit"):
        unit = getattr(obj, attr, None)
        if isinstance(unit, AdminUnit):
            return unit
    household = getattr(obj, "household", None)
    if household is not None:
        return household.village
    return None


def can_on(user: Any, action: Action | str, obj: Any) -> bool:
    return can(user, action, object_unit(obj))


def roles_on(user: Any) -> list[RoleAssignment]:
    return list(_assignments(user))
