"""`{% worklist_fix criterion unit as fix %}`: the facts a worklist row's tick would set, if the
user may edit the registry there ([] otherwise: no tick shown)."""

from __future__ import annotations

from typing import Any

from django import template

from smartvillage.criteria.fix import fix_fields, may_fix

register = template.Library()


@register.simple_tag(takes_context=True)
def worklist_fix(context: template.Context, criterion: Any, unit: Any) -> list[str]:
    request = context.get("request")
    if request is None or not may_fix(request.user, unit):
        return []
    return fix_fields(criterion)
