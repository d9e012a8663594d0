"""The user's column choices (--map items, the web step's "Sheet!B" keys) and their checks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from openpyxl.utils import column_index_from_string

from smartvillage.core.errors import DomainError
from smartvillage.registry.facts import fold
from smartvillage.transfer import headers as H
from smartvillage.transfer.importing.report import ERROR, Issue, SheetLayout
from smartvillage.transfer.reader import Sheet, column_letter

# "Sheet!B", "!B" or "B": a column by its letter (B = any sheet); anything else names a header.
_COLUMN_REF = re.compile(r"^(?:(.*)!)?\s*([A-Za-z]{1,3})\s*$")


def parse_mapping(items: Iterable[str]) -> dict[str, str]:
    """--map items -> {column reference: field key}; "X=" ignores a column.

    A reference is a header text ("Dùng app ngân hàng=epayment_account"), a column letter ("B=…",
    that column of every sheet, used when no header of the file reads "B") or a sheet and a
    column ("Nhân khẩu!B=…"). References are kept as written, for the messages; whether they
    exist is checked against the file (preview reports the ones that do not).
    """
    fields = H.all_fields()
    mapping: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise DomainError(
                f'Ánh xạ “{item}” sai dạng; dùng "Tiêu đề cột=mã_trường", "B=mã_trường" '
                'hoặc "Trang!B=mã_trường".',
                "bad_mapping",
            )
        header, key = (part.strip() for part in item.rsplit("=", 1))
        if not header:
            raise DomainError(
                f"Ánh xạ “{item}”: thiếu tiêu đề hoặc chữ cái của cột trước dấu “=”.", "bad_mapping"
            )
        if key and key not in fields:
            raise DomainError(
                f"Ánh xạ “{item}”: không có trường “{key}”. Các trường: {', '.join(sorted(fields))}",
                "bad_mapping",
            )
        mapping[header] = key
    return mapping


@dataclass
class _MapEntry:
    key: str  # field key; "" = ignore the column
    text: str  # the reference as the user wrote it, for messages
    used: bool = False


@dataclass
class _Mapping:
    """The user's mapping, split: by header text, and by (sheet, column)."""

    headers: dict[str, _MapEntry] = field(default_factory=dict)  # folded header -> entry
    # (folded sheet name, or None for every sheet; 0-based column index) -> entry
    columns: dict[tuple[str | None, int], _MapEntry] = field(default_factory=dict)

    @property
    def header_keys(self) -> dict[str, str]:
        return {form: entry.key for form, entry in self.headers.items()}

    def header_entry(self, header: str) -> _MapEntry | None:
        for form in H.variants(header):
            if form in self.headers:
                return self.headers[form]
        return None


def _column_index(letters: str) -> int | None:
    try:
        return column_index_from_string(letters.upper()) - 1
    except ValueError:  # beyond XFD
        return None


def _split_mapping(mapping: dict[str, str] | None) -> _Mapping:
    """Job mappings (web: "Sheet!B"; older jobs: folded header) and --map items alike."""
    out = _Mapping()
    for text, key in (mapping or {}).items():
        ref = _COLUMN_REF.match(text)
        if ref and ref.group(1) is not None:
            index = _column_index(ref.group(2))
            if index is not None:
                sheet = fold(ref.group(1)) or None
                out.columns[(sheet, index)] = _MapEntry(key, text)
                continue
        out.headers[fold(text)] = _MapEntry(key, text)
    return out


def _letters_for_unused_headers(mapping: _Mapping) -> None:
    """ "--map B=key": a reference that no header of the file reads is a column letter."""
    for form, entry in list(mapping.headers.items()):
        if entry.used:
            continue
        ref = _COLUMN_REF.match(entry.text)
        index = _column_index(ref.group(2)) if ref and ref.group(1) is None else None
        if index is not None and (None, index) not in mapping.columns:
            mapping.columns[(None, index)] = entry
            del mapping.headers[form]


def _mapping_errors(mapping: _Mapping, sheets: list[Sheet], layouts: list[SheetLayout]) -> list:
    """A mapping that names no column of the file is an error that names it."""
    issues = []
    sheet_names = {fold(s.name): s.name for s in sheets}
    detected = {fold(layout.name) for layout in layouts if layout.role != "ignored"}
    for entry in mapping.headers.values():
        if not entry.used:
            issues.append(
                Issue(
                    ERROR,
                    f"ánh xạ “{entry.text}={entry.key}”: không có cột nào có tiêu đề “{entry.text}” "
                    "ở dòng tiêu đề của tệp (hoặc dùng chữ cái của cột, vd. “B=…”, “Trang!B=…”)",
                )
            )
    for (sheet, index), entry in mapping.columns.items():
        if entry.used:
            continue
        letter = column_letter(index)
        if sheet is not None and sheet not in sheet_names:
            reason = f"tệp không có trang “{entry.text.rsplit('!', 1)[0]}”"
        elif sheet is not None and sheet not in detected:
            reason = f"trang “{sheet_names[sheet]}” không có dòng tiêu đề nên không nhập"
        else:
            reason = f"không có cột {letter} ở dòng tiêu đề" + (
                f" của trang “{sheet_names[sheet]}”" if sheet is not None else " của tệp"
            )
        issues.append(Issue(ERROR, f"ánh xạ “{entry.text}={entry.key}”: {reason}"))
    return issues
