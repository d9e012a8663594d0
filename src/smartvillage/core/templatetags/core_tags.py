"""Template helpers shared by every page (roles and name in the header, unit breadcrumbs)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import formats

from smartvillage.accounts import permissions
from smartvillage.accounts.names import display_name
from smartvillage.units.models import AdminUnit, Level, Scheme

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
    """Breadcrumbs from the top unit the user may see down to `unit` (hidden ancestors unlinked),
    then, for a unit recorded under a pre-2025 commune, the commune it belongs to now."""
    request = context.get("request")
    user = getattr(request, "user", None)
    chain = [*unit.ancestors(), unit]
    current = _current_commune(chain)
    ids = [u.pk for u in chain] + ([current.pk] if current is not None else [])
    visible = set(permissions.visible_units(user).filter(pk__in=ids).values_list("pk", flat=True))
    return {
        "chain": [(u, u.pk in visible) for u in chain],
        "current": unit,
        "link_self": link_self,
        "current_commune": current,
        "current_commune_visible": current is not None and current.pk in visible,
    }


def _current_commune(chain: list[AdminUnit]) -> AdminUnit | None:
    """The 2025 commune of the last unit of `chain` if its commune is a pre-2025 one, else None
    (nothing to add when the unit already is in the current scheme, or above commune level)."""
    commune = next((u for u in chain if u.level == Level.COMMUNE), None)
    if commune is None or commune.scheme != Scheme.PRE_2025:
        return None
    return commune.current_successors().select_related("parent").first()


@register.filter(name="display_name")
def display_name_filter(user: Any) -> str:
    """`{{ user|display_name }}`: the Vietnamese full name (family name first), else the username."""
    return display_name(user)


@register.filter
def count_word(value: Any) -> str:
    """`{{ c.unit_label|count_word }}`: the engine's counting word ("hộ", "người", "thôn", "xã")
    in the page's language ("38 people short", not "38 người short")."""
    from django.utils.translation import pgettext

    return pgettext("count", str(value)) if value else ""


@register.filter
def role_labels(value: Any) -> str:
    """`{{ step.actor_role|role_labels }}`: role names recorded in Vietnamese ("Lãnh đạo UBND
    xã, Trưởng thôn / khu dân cư") in the page's language; anything else as recorded."""
    from django.utils import translation

    from smartvillage.accounts.models import Role

    with translation.override("vi"):
        by_vietnamese = {str(role.label): role.label for role in Role}
    return ", ".join(str(by_vietnamese.get(part, part)) for part in str(value or "").split(", "))


@register.filter
def degrees(value: Any) -> str:
    """A coordinate in decimal degrees without trailing zeros, in the page's number format
    (21,0285 in Vietnamese, 21.0285 in English)."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value))
    text = format(number, "f")
    places = len(text.split(".")[1].rstrip("0")) if "." in text else 0
    return formats.number_format(number, decimal_pos=places, use_l10n=True, force_grouping=False)


@register.filter
def vndate(value: Any) -> str:
    """`{{ d|vndate }}`: dd/mm/yyyy for a date, a datetime or an ISO date string (snapshots and
    JSON results keep dates as ISO text)."""
    import datetime as dt

    from django.utils.dateformat import format as date_format

    if value in (None, ""):
        return ""
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value[:10])
        except ValueError:
            return value
    return date_format(value, "d/m/Y")


@register.simple_tag
def set_label(slug: str, version: int | None = None) -> str:
    """`{% set_label a.criteria_set_slug a.criteria_set_version %}`: the set's title and legal
    basis ("Tiêu chí … (1491/QĐ-UBND, phiên bản 1)") instead of its slug; the slug if unknown."""
    from smartvillage.core.errors import DomainError
    from smartvillage.criteria.loader import get_set

    try:
        cset = get_set(slug, version)
    except DomainError:
        return f"{slug} v{version}" if version else slug
    suffix = f", phiên bản {version}" if version else ""
    return f"{cset.title} ({cset.legal_basis.number}{suffix})"
