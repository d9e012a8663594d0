"""Text hygiene: what may enter the database, and what every writer removes on the way out.

Rule (docs/decisions/008-text-hygiene.md):

- Line-like control characters (tab, line feed, carriage return, vertical tab and form feed that
  Word leaves when a line is pasted, U+0085, U+2028, U+2029) are harmless: a one-line field
  (name, code, address) turns each run of them into one space, a note keeps line breaks.
- Every other control character (NUL, U+0001–U+0008, U+000E–U+001F, DEL, U+0080–U+009F), a lone
  surrogate and the non-characters U+FFFE/U+FFFF are refused with a Vietnamese message that says
  which character and where. They are invisible, mean nothing in a name, break XML (XLSX, DOCX)
  and NUL is refused by PostgreSQL.
- Writers (XLSX, DOCX, PDF) call `printable()` on every string, so data stored before this rule
  (or written directly through the ORM) can never make an export fail.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Harmless line-like characters: a one-line field makes them a space, a note a line break.
_LINE_LIKE = "\t\n\r\x0b\x0c\x85\u2028\u2029"
_FORBIDDEN_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_LINE_LIKE_RUN_RE = re.compile(f"[{_LINE_LIKE}]+")
_LINE_BREAK_RE = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
# Everything XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE plus surrogates/non-chars).
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def forbidden_character(value: str) -> tuple[int, str] | None:
    """(1-based position, character) of the first refused character, or None."""
    match = _FORBIDDEN_RE.search(value)
    if match is None:
        return None
    return match.start() + 1, match.group(0)


def describe(char: str) -> str:
    """ "U+0001" — how a message names an invisible character."""
    return f"U+{ord(char):04X}"


def refusal(value: str) -> str | None:
    """The Vietnamese reason `value` is refused, or None when it may be stored."""
    found = forbidden_character(value)
    if found is None:
        return None
    position, char = found
    return _(
        "có ký tự điều khiển không in được (%(code)s) ở vị trí %(position)s; "
        "hãy gõ lại nội dung này thay vì dán"
    ) % {"code": describe(char), "position": position}


def validate_printable(value: Any) -> None:
    """Django/DRF validator: refuses control characters (see the module rule)."""
    if not isinstance(value, str):
        return
    reason = refusal(value)
    if reason:
        raise ValidationError(reason[0].upper() + reason[1:] + ".", code="control_character")


def clean_line(value: str) -> str:
    """A one-line value: runs of tabs/line breaks become one space (refused characters stay)."""
    return _LINE_LIKE_RUN_RE.sub(" ", value)


def clean_multiline(value: str) -> str:
    """A note: every kind of line break becomes "\\n"; tabs stay."""
    return _LINE_BREAK_RE.sub("\n", value)


def printable(value: Any) -> Any:
    """For writers: a string without anything XML, Excel or Word cannot hold; others unchanged."""
    if isinstance(value, str):
        cleaned = _FORBIDDEN_RE.sub("", _XML_ILLEGAL_RE.sub("", value))  # C1 and DEL print as boxes
        if cleaned == value:
            return value  # unchanged, and a Markup (already escaped) stays Markup
        return type(value)(cleaned) if hasattr(value, "__html__") else cleaned
    return value


def _harden(field: Any, convert: str, multiline: bool) -> None:
    """Make one form or serializer field apply the rule: line-like characters cleaned, others
    refused (the validator runs after the conversion, so the message names what remains)."""
    if getattr(field, "_printable", False):
        return
    field._printable = True
    original = getattr(field, convert)
    cleaner = clean_multiline if multiline else clean_line

    def converted(value: Any) -> Any:
        result = original(value)
        return cleaner(result) if isinstance(result, str) else result

    setattr(field, convert, converted)
    field.validators.append(validate_printable)


class PrintableFormMixin:
    """For forms: every text field refuses control characters; a textarea keeps line breaks.

    Applied when the form is cleaned, so fields a form adds in its own __init__ are covered too.
    """

    def full_clean(self) -> None:
        from django import forms

        for field in self.fields.values():  # type: ignore[attr-defined]
            if isinstance(field, forms.CharField):
                _harden(field, "to_python", isinstance(field.widget, forms.Textarea))
        super().full_clean()  # type: ignore[misc]


class PrintableSerializerMixin:
    """For DRF serializers: the same rule on every writable text field (TextField: multi-line)."""

    def get_fields(self) -> dict[str, Any]:
        from rest_framework import serializers

        fields = super().get_fields()  # type: ignore[misc]
        for field in fields.values():
            if isinstance(field, serializers.CharField) and not field.read_only:
                multiline = field.style.get("base_template") == "textarea.html"
                _harden(field, "to_internal_value", multiline)
        return fields
