"""Number formats of the authoring pages (Vietnamese style: 85 %, 1.234)."""

from __future__ import annotations

from typing import Any

from django import template

from smartvillage.core.formats import format_number, format_percent

register = template.Library()


@register.filter
def share(value: Any) -> str:
    """A threshold stored as a share (0.85) shown as a percentage ("85 %"); "—" when none."""
    if value is None or value == "":
        return "—"
    return format_percent(
        float(value) * 100, 0 if float(value) * 100 == int(float(value) * 100) else 1
    )


@register.filter
def vnnumber(value: Any) -> str:
    return "—" if value is None else format_number(value)


@register.filter
def change(value: Any, before: Any) -> str:
    """ "+3" / "−2" / "" between a figure and the same figure under the base set."""
    if before is None or value is None:
        return ""
    delta = value - before
    if not delta:
        return ""
    return f"+{format_number(delta)}" if delta > 0 else f"−{format_number(-delta)}"
