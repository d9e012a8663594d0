from typing import Any

from django import template

register = template.Library()


@register.simple_tag
def posted_value(posted: Any, question: Any) -> str:
    """The free text a resident typed, kept when the form comes back with an error."""
    return posted.get(f"q{question.pk}", "") if posted else ""


@register.simple_tag
def is_posted(posted: Any, question: Any, choice: str) -> bool:
    if not posted:
        return False
    return choice in posted.getlist(f"q{question.pk}")
