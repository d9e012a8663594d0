"""The navigation's inbox count (database counts only, no evaluation)."""

from __future__ import annotations

from django import template

from smartvillage.homes import inbox

register = template.Library()


@register.simple_tag(takes_context=True)
def inbox_count(context: template.Context) -> int:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return 0
    cached = getattr(request, "_inbox_count", None)
    if cached is None:
        cached = request._inbox_count = inbox.count(user)
    return cached
