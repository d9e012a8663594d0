"""“Nơi nhận” of the reports: from the criteria set (its YAML `recipients`), else the province's
setting, else the structure in force since 2025: no district level (abolished 01/07/2025) and no
Sở Thông tin và Truyền thông (merged into Sở Khoa học và Công nghệ on 01/03/2025).

The province's setting is ``SMARTVILLAGE_DOCUMENT_RECIPIENTS`` in the settings::

    SMARTVILLAGE_DOCUMENT_RECIPIENTS = {
        "Phú Thọ": {"mau01": ["Sở Khoa học và Công nghệ;", "VPĐP nông thôn mới tỉnh;", "Lưu: VT."]},
        "*": {"*": […]},          # every other province, every report
    }

Keys are province names (matched without accents or case, with or without “Tỉnh”) or "*"; the
inner keys are report kinds (mau01, criteria, commune) or "*".
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

DEFAULT: dict[str, list[str]] = {
    "mau01": [
        "Sở Khoa học và Công nghệ;",
        "Văn phòng Điều phối nông thôn mới tỉnh;",
        "Lưu: VT.",
    ],
    "criteria": [
        "Sở Khoa học và Công nghệ;",
        "Văn phòng Điều phối nông thôn mới tỉnh;",
        "Lưu: VT.",
    ],
    "commune": [
        "Sở Khoa học và Công nghệ;",
        "Văn phòng Điều phối nông thôn mới tỉnh;",
        "Lưu: VT.",
    ],
}


def _province_key(name: str) -> str:
    from smartvillage.registry.facts import fold

    key = fold(name or "")
    for prefix in ("tinh ", "thanh pho "):
        key = key.removeprefix(prefix)
    return key


def recipients_for(kind: str, set_recipients: list[str] | None, province: str) -> list[str]:
    """The recipient lines of report `kind` ("- " is added by the layout), ending "Lưu: VT."."""
    if set_recipients:
        return _with_archive(list(set_recipients))
    configured: dict[str, Any] = getattr(settings, "SMARTVILLAGE_DOCUMENT_RECIPIENTS", {}) or {}
    wanted = _province_key(province)
    for name, by_kind in configured.items():
        if name != "*" and _province_key(name) == wanted and province:
            lines = by_kind.get(kind) or by_kind.get("*")
            if lines:
                return _with_archive(list(lines))
    fallback = configured.get("*") or {}
    lines = fallback.get(kind) or fallback.get("*")
    if lines:
        return _with_archive(list(lines))
    return list(DEFAULT.get(kind) or DEFAULT["criteria"])


def _with_archive(lines: list[str]) -> list[str]:
    """Decree 30 ends the list with the archive ("Lưu: VT, …"); add it when the source forgot."""
    if not any(line.lstrip("- ").lower().startswith("lưu") for line in lines):
        lines.append("Lưu: VT.")
    return lines
