"""Template helpers shared by every page (roles in the header, unit breadcrumbs)."""

from __future__ import annotations

from typing import Any

from django import template

from smartvillage.accounts import permissions
from smartvillage.units.models import AdminUnit

register = template.Library()


@register.simple_tag(takes_context=True)
def user_roles(context: template.Context) -> list[Any]:
    """The signed-in user's role assignments (cached on the user by accounts.permissions)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return []
    return permissions.roles_on(user)


@register.simple_tag(takes_context=True)
def can(context: template.Context, action: str, obj: Any) -> bool:
    """`{% can "edit_registry" unit as may_edit %}`: the permission check, for showing buttons only."""
    request = context.get("request")
    return permissions.can_on(getattr(request, "user", None), action, obj)


@register.inclusion_tag("core/_unit_crumbs.html", takes_context=True)
def unit_crumbs(
    context: template.Context, unit: AdminUnit, link_self: bool = False
) -> dict[str, Any]:
    """Breadcrumbs from the top unit the user may see down to `unit` (hidden ancestors unlinked)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    chain = [*unit.ancestors(), unit]
    visible = set(
        permissions.visible_units(user)
        .filter(pk__in=[u.pk for u in chain])
        .values_list("pk", flat=True)
    )
    return {"chain": [(u, u.pk in visible) for u in chain], "current": unit, "link_self": link_self}
