"""Import households and persons: parse -> validate -> plan -> apply (one transaction).

* parse: every sheet of every file; the header row is found by itself (title rows, an STT column,
  a numbering row "(1) (2) …" and two-row headers are skipped; a "Tổng cộng" row ends the data,
  and so does the signature block after a blank row). The user's mapping names columns by header
  text or by sheet and column letter. Each value keeps where it came from (sheet, row, column)
  for the messages.
* validate: errors (the import cannot go ahead) and warnings, in Vietnamese.
* plan: create / update / unchanged for each household (matched on its code) and person (matched
  on name + birth date within the household), against the village's registry loaded once.
* apply: bulk writes in one transaction, with one audit event for the import and one child event
  per created or changed row. Nothing is written when there is any error.

Layouts: two sheets (households; persons with the household code), one sheet of persons where the
household columns are filled on the head's row, one sheet where every person carries the household
code, and the ODK/Kobo export (main sheet + repeat sheet joined on _index/_parent_index).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.utils import timezone
from openpyxl.utils import column_index_from_string

from smartvillage.accounts.names import actor_label
from smartvillage.accounts.permissions import Action, can
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.audit.services import _jsonable
from smartvillage.core.errors import DomainError
from smartvillage.registry.facts import catalogue, fold
from smartvillage.registry.models import Household, Person, Relationship, coordinate_errors
from smartvillage.transfer import headers as H
from smartvillage.transfer import values as V
from smartvillage.transfer.reader import Sheet, column_letter, read_file
from smartvillage.units.models import AdminUnit, Level

ProgressFn = Callable[[str, int, int], None]  # (phase, done, total)

ERROR, WARNING = "error", "warning"
MAX_HEADER_SCAN = 30
PROGRESS_EVERY = 1000  # rows between progress reports while checking
_NUMBERING = re.compile(r"^\(?\d{1,3}\)?$|^\(?[a-z]\)?$")
_TOTAL_RE = re.compile(
    r"^(tong cong|tong so|tong|cong)\s*:?\s*(\d[\d.,]*\s*(ho|nguoi|nhan khau)?)?\s*$"
)


def _vn_int(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass
class Issue:
    level: str
    reason: str
    sheet: str = ""
    row: int | None = None
    column: str = ""
    header: str = ""
    value: str = ""

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"trang “{self.sheet}”")
        if self.row is not None:
            parts.append(f"dòng {_vn_int(self.row)}")
        if self.column:
            parts.append(f"cột {self.column}" + (f" ({self.header})" if self.header else ""))
        return ", ".join(parts)

    def message(self) -> str:
        where = self.where
        text = f"{where}: {self.reason}" if where else self.reason
        return text[0].upper() + text[1:]

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "sheet": self.sheet,
            "row": self.row,
            "column": self.column,
            "header": self.header,
            "value": self.value,
            "reason": self.reason,
            "message": self.message(),
        }


@dataclass
class Column:
    index: int
    header: str
    field: H.Field

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass
class SheetLayout:
    name: str
    role: str  # "households" | "persons" | "ignored"
    header_row: int | None = None
    columns: list[Column] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)  # (letter, header)
    # letter -> (field label, letter of the column that has the field)
    duplicates: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (letter, header) of the columns left out on purpose: STT, Kobo bookkeeping, "ignore" mappings
    ignored: list[tuple[str, str]] = field(default_factory=list)
    data_rows: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "role": self.role,
            "header_row": self.header_row,
            "data_rows": self.data_rows,
            "columns": [
                {
                    "letter": c.letter,
                    "header": c.header,
                    "field": c.field.key,
                    "label": c.field.label,
                }
                for c in self.columns
            ],
            "unmatched": [
                {"letter": letter, "header": header} for letter, header in self.unmatched
            ],
            "all_columns": self.all_columns(),
        }

    def all_columns(self) -> list[dict[str, Any]]:
        """Every column of the header row with what the import does with it (the mapping step)."""
        out = [
            {
                "letter": c.letter,
                "header": c.header,
                "field": c.field.key,
                "label": c.field.label,
                "state": "matched",
            }
            for c in self.columns
        ]
        for letter, header in self.unmatched:
            duplicate = self.duplicates.get(letter)
            out.append(
                {
                    "letter": letter,
                    "header": header,
                    "field": "",
                    "state": "duplicate" if duplicate else "unmatched",
                    "note": (
                        f"cũng là “{duplicate[0]}” như cột {duplicate[1]}" if duplicate else ""
                    ),
                }
            )
        out.extend(
            {"letter": letter, "header": header, "field": "", "state": "ignored"}
            for letter, header in self.ignored
        )
        out.sort(key=lambda c: column_index_from_string(c["letter"]))
        return out


@dataclass
class Src:
    sheet: str
    row: int


@dataclass
class HouseholdIn:
    src: Src
    code: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    row_key: str = ""
    persons: list[PersonIn] = field(default_factory=list)
    instance: Household | None = None
    action: str = ""  # create | update | unchanged
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class PersonIn:
    src: Src
    fields: dict[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    household_code: str = ""
    parent_key: str = ""
    head_name: str = ""
    household: HouseholdIn | None = None
    instance: Person | None = None
    pk: int | None = None
    action: str = ""
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class ImportReport:
    village: AdminUnit
    file_names: list[str]
    layouts: list[SheetLayout] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    households: list[HouseholdIn] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    event: AuditEvent | None = None
    applied: bool = False

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level == ERROR]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level == WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def unmatched(self) -> list[tuple[str, str, str]]:
        return [
            (layout.name, letter, header)
            for layout in self.layouts
            for letter, header in layout.unmatched
        ]

    def summary(self) -> str:
        c = {k: _vn_int(v) for k, v in self.counts.items()}
        return (
            f"Hộ: {c.get('households_created', 0)} thêm, {c.get('households_updated', 0)} sửa, "
            f"{c.get('households_unchanged', 0)} giữ nguyên; nhân khẩu: {c.get('persons_created', 0)} thêm, "
            f"{c.get('persons_updated', 0)} sửa, {c.get('persons_unchanged', 0)} giữ nguyên"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "village": self.village.pk,
            "files": self.file_names,
            "ok": self.ok,
            "applied": self.applied,
            "counts": self.counts,
            "summary": self.summary(),
            "layouts": [layout.to_dict() for layout in self.layouts],
            "errors": [i.to_dict() for i in self.errors[:1000]],
            "warnings": [i.to_dict() for i in self.warnings[:1000]],
            "error_count": len(self.errors),
            "warning_count": len(self.warnings),
            "event": self.event.pk if self.event else None,
        }


# ---- header detection ------------------------------------------------------------------------

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


def _cell_text(value: object) -> str:
    return V.text(value)


def _resolve(
    header: str, table: dict[str, H.Field], mapping: dict[str, str], fields: dict[str, H.Field]
) -> H.Field | None | str:
    """The field of a header; "ignore" for a column the user chose to ignore; None when unknown."""
    for form in H.variants(header):
        if form in mapping:
            return fields[mapping[form]] if mapping[form] else "ignore"
    found = H.match(header, table)
    if found is not None:
        return found
    if H.is_ignored(header):
        return "ignore"
    return None


def _header_candidate(
    row: list[object], below: list[object] | None, table: dict, mapping: dict, fields: dict
) -> tuple[int, list[tuple[int, str, Any]]]:
    resolved: list[tuple[int, str, Any]] = []
    for index, value in enumerate(row):
        header = _cell_text(value)
        sub = _cell_text(below[index]) if below is not None and index < len(below) else ""
        if below is not None and sub:
            found = _resolve(sub, table, mapping, fields)
            if found is not None:
                resolved.append((index, sub, found))
                continue
        if header:
            resolved.append((index, header, _resolve(header, table, mapping, fields)))
    keys = {r[2].key for r in resolved if isinstance(r[2], H.Field)}
    score = len(keys)
    if not keys & {"full_name", "head_name", "household_code"}:
        score = 0
    return score, resolved


def header_score(
    rows: list[tuple[int, list[object]]], table: dict, mapping: dict, fields: dict
) -> int:
    """How well the best header candidate among the first rows names known fields (CSV delimiter)."""
    best = 0
    for _number, values in rows[:MAX_HEADER_SCAN]:
        best = max(best, _header_candidate(values, None, table, mapping, fields)[0])
    return best


def _could_be_subheader(
    top: list[object], below: list[object], resolved: list[tuple[int, str, Any]]
) -> bool:
    """May `below` be the second line of a two-row header under `top`?

    Under a header that names a field on its own, the second line is blank or repeats it (a cell
    merged down); only under a group header (the same text merged across several columns, e.g.
    "Ngày sinh" over "Nam" | "Nữ") may it hold other names. A data row fails this test.
    """
    texts = [_cell_text(v) for v in top]
    for index, _header, found in resolved:
        if not isinstance(found, H.Field):
            continue
        sub = _cell_text(below[index]) if index < len(below) else ""
        if not sub or sub == texts[index]:
            continue
        grouped = (index > 0 and texts[index - 1] == texts[index]) or (
            index + 1 < len(texts) and texts[index + 1] == texts[index]
        )
        if not grouped:
            return False
    return True


@dataclass
class _HeaderFound:
    index: int  # position of the header row in sheet.rows
    two_rows: bool
    resolved: list[tuple[int, str, Any]]


def _find_header(sheet: Sheet, table: dict, mapping: _Mapping, fields: dict) -> _HeaderFound | None:
    """The sheet's header row (by header texts and the user's header mappings), or None."""
    best: tuple[int, int, bool, list] | None = None
    rows = sheet.rows
    header_keys = mapping.header_keys
    for i in range(min(MAX_HEADER_SCAN, len(rows))):
        _, values = rows[i]
        score, resolved = _header_candidate(values, None, table, header_keys, fields)
        if best is None or score > best[0]:
            best = (score, i, False, resolved)
        if (
            i + 1 < len(rows)
            and rows[i + 1][0] == rows[i][0] + 1
            # A group header row names some field itself; a title merged across the columns
            # right above the header does not (the header alone is found on the next row).
            and any(isinstance(what, H.Field) for _, _, what in resolved)
            and _could_be_subheader(values, rows[i + 1][1], resolved)
        ):
            score2, resolved2 = _header_candidate(
                values, rows[i + 1][1], table, header_keys, fields
            )
            if score2 > max(score, best[0]):
                best = (score2, i, True, resolved2)
    if best is None or best[0] < 2:
        return None
    _score, i, two_rows, resolved = best
    for _index, header, _found in resolved:
        entry = mapping.header_entry(header)
        if entry is not None:
            entry.used = True
    return _HeaderFound(i, two_rows, resolved)


def _sheet_width(sheet: Sheet, found: _HeaderFound) -> int:
    rows = sheet.rows[found.index : found.index + 200]
    return max((len(values) for _, values in rows), default=0)


_PERSON_KEYS = {
    "birth_date",
    "birth_male",
    "birth_female",
    "sex",
    "relationship",
    "identity_number",
    "parent_key",
}


def _assemble(
    sheet: Sheet, found: _HeaderFound, mapping: _Mapping, fields: dict
) -> tuple[SheetLayout, int]:
    """The layout of a sheet from its header row and the user's column mappings."""
    rows = sheet.rows
    layout = SheetLayout(sheet.name, "persons", header_row=rows[found.index][0])
    by_index: dict[int, tuple[str, Any]] = {
        index: (header, what) for index, header, what in found.resolved
    }
    # Columns the user mapped by letter: for every sheet first, then this sheet's own.
    sheet_key, width = fold(sheet.name), _sheet_width(sheet, found)
    explicit: dict[int, Any] = {}
    for (sheet_name, index), entry in sorted(
        mapping.columns.items(), key=lambda item: item[0][0] is not None
    ):
        if sheet_name not in (None, sheet_key) or index >= width:
            continue
        entry.used = True
        explicit[index] = fields[entry.key] if entry.key else "ignore"
        by_index.setdefault(index, ("", None))
    # Kobo's label export splits a geopoint "Vị trí nhà" into "_Vị trí nhà_latitude" …; the
    # point itself ("21.3 105.2 0 0") is then redundant.
    geopoints = {H.geopoint_base(header) for header, _ in by_index.values()} - {None}

    seen: dict[str, str] = {}
    chosen: dict[int, H.Field] = {}
    # The user's own choices first: a column mapped explicitly wins over an automatic match.
    for explicit_pass in (True, False):
        for index in sorted(by_index):
            if (index in explicit) != explicit_pass:
                continue
            header, what = by_index[index]
            if explicit_pass:
                what = explicit[index]
            elif what is None and fold(header) in geopoints:
                what = "ignore"
            letter = column_letter(index)
            if what is None:
                layout.unmatched.append((letter, header))
            elif what == "ignore" or what.level == "skip":
                layout.ignored.append((letter, header))
            elif what.key in seen:
                # Two columns for one field: keep the first, let the user map this one elsewhere.
                layout.unmatched.append((letter, header))
                layout.duplicates[letter] = (what.label, seen[what.key])
            else:
                seen[what.key] = letter
                chosen[index] = what
    layout.columns = [Column(index, by_index[index][0], chosen[index]) for index in sorted(chosen)]
    layout.unmatched.sort(key=lambda item: column_index_from_string(item[0]))
    layout.ignored.sort(key=lambda item: column_index_from_string(item[0]))
    person_keys = _PERSON_KEYS | {f.key for f in catalogue().values() if f.level == "person"}
    if not (set(seen) & person_keys):
        layout.role = "households"
        # In a households sheet, "Họ và tên" is the head's name and "Ghi chú" the household's note.
        for column in layout.columns:
            if column.field.key == "full_name" and "head_name" not in seen:
                column.field = H.CORE["head_name"][0]
            elif column.field.key == "note":
                column.field = H.Field("household_note", "household", H.TEXT, "Ghi chú")
    return layout, found.index + (2 if found.two_rows else 1)


def detect_layout(
    sheet: Sheet, table: dict, mapping: dict[str, str] | _Mapping, fields: dict
) -> tuple[SheetLayout, int]:
    """The sheet's header, its columns and its role; returns (layout, index of first data row)."""
    if not isinstance(mapping, _Mapping):
        mapping = _split_mapping(mapping)
    found = _find_header(sheet, table, mapping, fields)
    if found is None:
        return SheetLayout(sheet.name, "ignored"), len(sheet.rows)
    return _assemble(sheet, found, mapping, fields)


# ---- parsing rows ----------------------------------------------------------------------------

_MAX_LEN = {
    "household_code": 40,
    "head_name": 200,
    "address": 300,
    "digital_address_code": 64,
    "household_note": 300,
    "full_name": 200,
    "note": 300,
}
_COLUMN_FACTS_H = {f.name for f in Household._meta.concrete_fields}
_COLUMN_FACTS_P = {f.name for f in Person._meta.concrete_fields}


class _Parser:
    """Parses cells with a cache: village lists repeat the same few values ("x", "Nam", "")."""

    def __init__(self, report: ImportReport) -> None:
        self.report = report
        self.cache: dict[tuple[str, object], tuple[Any, str | None, str | None]] = {}

    def value(self, column: Column, raw: object, sheet: str, row: int) -> Any:
        kind = column.field.kind
        try:
            key = (kind, raw)
            hit = self.cache.get(key)
        except TypeError:
            key, hit = None, None
        if hit is None:
            hit = self._parse(kind, raw)
            if key is not None:
                self.cache[key] = hit
        result, error, warning = hit
        if error or warning:
            self.report.issues.append(
                Issue(
                    ERROR if error else WARNING,
                    error or warning or "",
                    sheet,
                    row,
                    column.letter,
                    column.header,
                    V.text(raw),
                )
            )
        if error:
            return _INVALID
        return result

    @staticmethod
    def _parse(kind: str, raw: object) -> tuple[Any, str | None, str | None]:
        try:
            if kind == H.BOOL:
                return V.parse_bool(raw), None, None
            if kind == H.DATE:
                if raw is None or V.text(raw) == "":
                    return None, None, None
                return V.parse_date(raw), None, None
            if kind == H.SEX:
                return V.parse_sex(raw), None, None
            if kind == H.REL:
                rel, known = V.parse_relationship(raw)
                return (
                    rel,
                    None,
                    (None if known else f"quan hệ “{V.text(raw)}” không rõ; ghi là “Khác”"),
                )
            if kind == H.IDNUM:
                number, warning = V.parse_identity(raw)
                return number, None, warning
            if kind == H.DECIMAL:
                return V.parse_decimal(raw), None, None
            if kind == H.KEY:
                return V.text(raw), None, None
            return V.text(raw), None, None
        except ValueError as exc:
            return None, str(exc), None


_INVALID = object()


def _is_total_row(values: list[object]) -> bool:
    """ "Tổng cộng", "Tổng cộng: 3 hộ", "Cộng" in the first cells ends the data (not "Tống Công Minh")."""
    for value in values[:4]:
        # Cheap first-letter test before folding: this runs on every row of large files.
        if isinstance(value, str) and value[:1] in "TtCc" and _TOTAL_RE.match(fold(value)):
            return True
    return False


# The signature block under a list: "NGƯỜI LẬP BIỂU", "TRƯỞNG THÔN", "XÁC NHẬN CỦA UBND XÃ",
# "(Ký, ghi rõ họ tên)", "Hy Cương, ngày 05 tháng 3 năm 2024" / "ngày … tháng … năm 20…".
_SIGNATURE_RE = re.compile(
    r"\b(nguoi lap( bieu| danh sach)?|nguoi ky|nguoi kiem tra|nguoi tong hop"
    r"|(truong|pho) (thon|khu|ap|xom|ban|ban cong tac mat tran|ban nhan dan)"
    r"|xac nhan|(pho )?chu tich|tm\.? (ubnd|uy ban|ban)|ky,? (va )?ghi ro ho ten|ky ten|dong dau"
    r"|can bo (tong hop|lap bieu|thong ke)|thu truong|ngay[\s\d.…/_-]*thang[\s\d.…/_-]*nam)\b"
)
# Columns whose value shows a row is a person or household of the list, not text under it.
_EVIDENCE_KEYS = ("household_code", "birth_date", "birth_male", "birth_female", "relationship")


def _signature_cell(values: list[object]) -> tuple[int, str] | None:
    for index, value in enumerate(values):
        if isinstance(value, str) and _SIGNATURE_RE.search(fold(value)):
            return index, V.text(value)
    return None


def _list_ends_here(values: list[object], evidence: list[Column]) -> tuple[int, str] | None:
    """Is this row (the first after a blank row) the signature block under the list?

    It is when it has no household code, no birth date that parses and no known relationship
    (a signer's name, a place and date line), or when it holds signature words ("Người lập
    biểu", "Trưởng thôn") and no code or birth date. Returns the cell (index, text) to name.
    """
    has_code = has_birth = has_relationship = False
    for column in evidence:
        raw = values[column.index] if column.index < len(values) else None
        if raw in (None, ""):
            continue
        key = column.field.key
        if key == "household_code":
            has_code = True
        elif key == "relationship":
            has_relationship = has_relationship or V.parse_relationship(raw)[1]
        else:
            try:
                V.parse_date(raw)
            except ValueError:
                continue
            has_birth = True
    first = next(
        ((i, V.text(v)) for i, v in enumerate(values) if v not in (None, "") and V.text(v)), None
    )
    signature = _signature_cell(values)
    if signature is not None and not (has_code or has_birth):
        return signature
    if evidence and not (has_code or has_birth or has_relationship):
        return first
    return None


def _parse_sheet(
    sheet: Sheet,
    layout: SheetLayout,
    start: int,
    parser: _Parser,
    report: ImportReport,
    out: dict,
    tick: Callable[[int], None] | None = None,
) -> None:
    name_col = next((c for c in layout.columns if c.field.key in ("full_name", "head_name")), None)
    household_role = layout.role == "households"
    evidence = [c for c in layout.columns if c.field.key in _EVIDENCE_KEYS]
    marks = {c.field.key: c for c in layout.columns if c.field.key in ("sex_male", "sex_female")}
    previous: int | None = None
    after_blank = False
    rows = sheet.rows
    for position in range(start, len(rows)):
        row_number, values = rows[position]
        if tick is not None and (position - start) % PROGRESS_EVERY == 0 and position > start:
            tick(position - start)
        if previous is not None and row_number > previous + 1:
            after_blank = True
        previous = row_number
        if _is_total_row(values):
            break
        present = [
            c for c in layout.columns if c.index < len(values) and values[c.index] not in (None, "")
        ]
        if not present:
            after_blank = True
            continue
        if name_col is not None and name_col.index < len(values):
            name_value = V.text(values[name_col.index])
            if len(name_value) <= 5 and _NUMBERING.match(fold(name_value)):
                continue  # the "(1) (2) (3)" numbering row under the header
        if after_blank:
            # Without a "Tổng cộng" row the list ends at a blank row followed by the signatures.
            ending = _list_ends_here(values, evidence)
            if ending is not None:
                index, text = ending
                rest = len(rows) - position - 1
                report.issues.append(
                    Issue(
                        WARNING,
                        f"“{text}” dưới dòng trống trông như phần ký tên/ngày tháng cuối danh sách: "
                        "coi là hết danh sách, không nhập dòng này"
                        + (f" và {_vn_int(rest)} dòng sau" if rest else ""),
                        sheet.name,
                        row_number,
                        column_letter(index),
                        next((c.header for c in layout.columns if c.index == index), ""),
                        text,
                    )
                )
                break
            after_blank = False
        src = Src(sheet.name, row_number)
        parsed: dict[str, Any] = {}
        for column in layout.columns:
            raw = values[column.index] if column.index < len(values) else None
            value = parser.value(column, raw, sheet.name, row_number)
            if value is _INVALID:
                parsed[column.field.key] = _INVALID
                continue
            limit = _MAX_LEN.get(column.field.key)
            if limit and isinstance(value, str) and len(value) > limit:
                report.issues.append(
                    Issue(
                        ERROR,
                        f"dài quá {limit} ký tự",
                        sheet.name,
                        row_number,
                        column.letter,
                        column.header,
                        value[:60],
                    )
                )
                value = _INVALID
            parsed[column.field.key] = value
        if parsed.get("sex_male") is True and parsed.get("sex_female") is True:
            column = marks["sex_female"]
            report.issues.append(
                Issue(
                    ERROR,
                    f"đánh dấu cả “{marks['sex_male'].header}” và “{column.header}” (giới tính)",
                    sheet.name,
                    row_number,
                    column.letter,
                    column.header,
                    V.text(values[column.index]),
                )
            )
        layout.data_rows += 1
        if household_role:
            out["households"].append(_household_from(parsed, src))
        else:
            out["persons"].append(
                (_person_from(parsed, src), _household_from(parsed, src, only_present=True))
            )


def _split_extra(level: str, parsed: dict[str, Any], out_fields: dict, out_extra: dict) -> None:
    facts = catalogue()
    columns = _COLUMN_FACTS_H if level == "household" else _COLUMN_FACTS_P
    for key, value in parsed.items():
        fact = facts.get(key)
        if fact is None or fact.level != level:
            continue
        if key in columns:
            out_fields[key] = value
        else:
            out_extra[key] = (
                value.isoformat()
                if isinstance(value, dt.date)
                else (str(value) if isinstance(value, Decimal) else value)
            )


def _household_from(parsed: dict[str, Any], src: Src, only_present: bool = False) -> HouseholdIn:
    household = HouseholdIn(src)
    code = parsed.get("household_code")
    household.code = code if isinstance(code, str) else ""
    household.row_key = parsed.get("row_key") or ""
    for key, target in (
        ("head_name", "head_name"),
        ("address", "address"),
        ("digital_address_code", "digital_address_code"),
        ("latitude", "latitude"),
        ("longitude", "longitude"),
        ("household_note", "note"),
    ):
        if key in parsed:
            value = parsed[key]
            if only_present and value in (None, ""):
                continue
            household.fields[target] = value
    facts: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    _split_extra("household", parsed, facts, extra)
    household.fields.update(facts)
    household.extra = extra
    return household


def _person_from(parsed: dict[str, Any], src: Src) -> PersonIn:
    person = PersonIn(src)
    code = parsed.get("household_code")
    person.household_code = code if isinstance(code, str) else ""
    person.parent_key = parsed.get("parent_key") or ""
    head = parsed.get("head_name")
    person.head_name = head if isinstance(head, str) else ""
    for key in ("full_name", "sex", "relationship", "identity_number", "note"):
        if key in parsed:
            person.fields[key] = parsed[key]
    if "relationship" in person.fields and person.fields["relationship"] in (None, ""):
        person.fields["relationship"] = Relationship.OTHER
    for key, sex in (("birth_date", None), ("birth_male", "M"), ("birth_female", "F")):
        value = parsed.get(key)
        if value is _INVALID:
            person.fields["birth_date"] = _INVALID
        elif value:
            person.fields["birth_date"], person.fields["birth_year_only"] = value
            if sex:
                person.fields["sex"] = sex
        elif key == "birth_date" and "birth_date" in parsed and "birth_date" not in person.fields:
            person.fields["birth_date"], person.fields["birth_year_only"] = None, False
    if ("birth_male" in parsed or "birth_female" in parsed) and "birth_date" not in person.fields:
        person.fields["birth_date"], person.fields["birth_year_only"] = None, False
    # "Giới tính" over "Nam" | "Nữ" with an x in one of them.
    male, female = parsed.get("sex_male") is True, parsed.get("sex_female") is True
    if male != female and not person.fields.get("sex"):
        person.fields["sex"] = "M" if male else "F"
    facts: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    _split_extra("person", parsed, facts, extra)
    person.fields.update(facts)
    person.extra = extra
    return person


# ---- linking persons to households -----------------------------------------------------------


def _merge_household(target: HouseholdIn, source: HouseholdIn, overwrite: bool) -> None:
    for key, value in source.fields.items():
        if overwrite or key not in target.fields or target.fields[key] in (None, "", False):
            target.fields[key] = value
    for key, value in source.extra.items():
        if overwrite or key not in target.extra:
            target.extra[key] = value


def _link(
    report: ImportReport,
    households: list[HouseholdIn],
    persons: list[tuple[PersonIn, HouseholdIn]],
    has_code_column: bool,
) -> list[HouseholdIn]:
    by_code: dict[str, HouseholdIn] = {}
    by_key: dict[str, HouseholdIn] = {}
    ordered: list[HouseholdIn] = []
    for household in households:
        if not household.code:
            report.issues.append(
                Issue(ERROR, "thiếu mã hộ", household.src.sheet, household.src.row)
            )
            continue
        if household.code in by_code:
            first = by_code[household.code]
            report.issues.append(
                Issue(
                    ERROR,
                    f"mã hộ “{household.code}” trùng với dòng {_vn_int(first.src.row)}",
                    household.src.sheet,
                    household.src.row,
                )
            )
            continue
        by_code[household.code] = household
        if household.row_key:
            by_key[household.row_key] = household
        ordered.append(household)

    current: HouseholdIn | None = None
    current_sheet = ""
    for person, row_household in persons:
        if person.src.sheet != current_sheet:
            current, current_sheet = None, person.src.sheet
        is_head = person.fields.get("relationship") == Relationship.HEAD
        target: HouseholdIn | None = None
        if person.parent_key:
            target = by_key.get(person.parent_key)
            if target is None:
                report.issues.append(
                    Issue(
                        ERROR,
                        f"không có hộ với _index “{person.parent_key}” ở trang hộ",
                        person.src.sheet,
                        person.src.row,
                    )
                )
                continue
        elif person.household_code:
            target = by_code.get(person.household_code)
            if target is None:
                if households:
                    # Two-sheet layout: a person's code may still name a household already in the registry.
                    target = HouseholdIn(person.src, code=person.household_code)
                    target.action = "lookup"
                else:
                    target = HouseholdIn(person.src, code=person.household_code)
                by_code[person.household_code] = target
                ordered.append(target)
        elif has_code_column or not households:
            # No code on this row: a new household starts at its head (one-sheet layout), other
            # rows belong to the household above (merged or left blank under the head's row).
            if is_head:
                target = HouseholdIn(person.src)
                ordered.append(target)
            elif current is not None:
                target = current
            else:
                reason = "không xác định được hộ: dòng chưa có mã hộ và không đứng sau dòng chủ hộ"
                if not has_code_column:
                    reason = "không xác định được hộ: cần cột “Mã hộ” hoặc dòng “Chủ hộ” đứng trước các thành viên"
                report.issues.append(Issue(ERROR, reason, person.src.sheet, person.src.row))
                continue
        else:
            report.issues.append(
                Issue(ERROR, "thiếu mã hộ (cột “Mã hộ”)", person.src.sheet, person.src.row)
            )
            continue
        if row_household.fields or row_household.extra:
            _merge_household(target, row_household, overwrite=is_head)
        if person.head_name and "head_name" not in target.fields:
            target.fields["head_name"] = person.head_name
        current = target
        person.household = target
        target.persons.append(person)
    return ordered


# ---- validation and plan ---------------------------------------------------------------------

_HOUSEHOLD_FIELDS = (
    "head_name",
    "address",
    "digital_address_code",
    "latitude",
    "longitude",
    "note",
)
_PERSON_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year_only",
    "sex",
    "relationship",
    "identity_number",
    "note",
)


def _person_key(name: str, birth: dt.date | None) -> tuple[str, dt.date | None]:
    # Case- and space-insensitive but not diacritic-insensitive: "Hà" and "Hạ" are different names.
    return _name_key(name), birth


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _diff(
    instance: Any, fields: dict[str, Any], extra: dict[str, Any]
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in fields.items():
        if value is _INVALID:
            continue
        old = getattr(instance, key)
        if isinstance(old, Decimal) and value is not None:
            value = Decimal(value).quantize(Decimal("0.000001"))
        if old != value and not (old in (None, "") and value in (None, "")):
            changes[key] = (old, value)
    if extra:
        merged = {**(instance.extra or {}), **extra}
        if merged != (instance.extra or {}):
            changes["extra"] = (instance.extra or {}, merged)
    return changes


def _year_vague_match(
    existing_date: dt.date | None, existing_year_only: bool, birth: Any, year_only: bool
) -> bool:
    """A year alone (1980) and a date in that year (12/05/1980) may be the same person's."""
    return (
        isinstance(existing_date, dt.date)
        and isinstance(birth, dt.date)
        and existing_date.year == birth.year
        and (existing_year_only or year_only)
    )


def _validate_and_plan(
    report: ImportReport,
    households: list[HouseholdIn],
    relationship_known: bool,
    head_name_known: bool = True,
) -> None:
    village = report.village
    existing_h = {h.code: h for h in Household.objects.filter(village=village)}
    persons_by_household: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(village=village).order_by("id"):
        persons_by_household[person.household_id].append(person)
    used_codes = set(existing_h)
    used_codes.update(h.code for h in households if h.code)
    # Households without a code (one-sheet layout, no code column) match on the head's name and
    # birth date, so importing the same file twice finds them again.
    heads: dict[tuple[str, dt.date | None], Household] = {}
    heads_by_name: dict[str, list[Person]] = defaultdict(list)
    by_pk = {h.pk: h for h in existing_h.values()}
    for household in existing_h.values():
        for person in persons_by_household.get(household.pk, []):
            if person.relationship == Relationship.HEAD:
                heads[_person_key(person.full_name, person.birth_date)] = household
                heads_by_name[_name_key(person.full_name)].append(person)
    counter = 0

    for household in households:
        head = next(
            (p for p in household.persons if p.fields.get("relationship") == Relationship.HEAD),
            None,
        )
        if not relationship_known and head is None and household.fields.get("head_name"):
            head = next(
                (
                    p
                    for p in household.persons
                    if _name_key(p.fields.get("full_name") or "")
                    == _name_key(household.fields["head_name"])
                ),
                None,
            )
            if head is not None:
                head.fields["relationship"] = Relationship.HEAD
        if (
            head is None
            and not relationship_known
            and not head_name_known
            and household.action != "lookup"
            and not household.fields.get("head_name")
        ):
            # Neither a relationship nor a head's name column: the head is listed first.
            head = next(
                (
                    p
                    for p in household.persons
                    if isinstance(p.fields.get("full_name"), str) and p.fields["full_name"]
                ),
                None,
            )
            if head is not None:
                head.fields["relationship"] = Relationship.HEAD
                report.issues.append(
                    Issue(
                        WARNING,
                        f"hộ “{household.code or head.fields['full_name']}”: tệp không có cột “Quan hệ "
                        f"với chủ hộ” hay “Họ và tên chủ hộ”; lấy người đầu tiên của hộ, "
                        f"“{head.fields['full_name']}”, làm chủ hộ",
                        head.src.sheet,
                        head.src.row,
                        value=head.fields["full_name"],
                    )
                )
        if (
            head is not None
            and not household.fields.get("head_name")
            and isinstance(head.fields.get("full_name"), str)
        ):
            household.fields["head_name"] = head.fields["full_name"]
        if not household.code:
            key = _person_key(
                household.fields.get("head_name") or "",
                head.fields.get("birth_date") if head else None,
            )
            found = heads.get(key) if head is not None else None
            if found is None and head is not None:
                # The head's birth date became more precise (1980 -> 12/05/1980) or less.
                same = heads_by_name.get(_name_key(household.fields.get("head_name") or ""), [])
                if len(same) == 1 and _year_vague_match(
                    same[0].birth_date,
                    same[0].birth_year_only,
                    head.fields.get("birth_date"),
                    bool(head.fields.get("birth_year_only")),
                ):
                    found = by_pk.get(same[0].household_id)
            if found is not None:
                household.code = found.code
            else:
                while True:
                    counter += 1
                    code = f"HO-{counter:04d}"
                    if code not in used_codes:
                        break
                household.code = code
                used_codes.add(code)
        instance = existing_h.get(household.code)
        if household.action == "lookup":
            if instance is None:
                p = household.persons[0]
                report.issues.append(
                    Issue(
                        ERROR,
                        f"mã hộ “{household.code}” không có ở trang hộ gia đình và chưa có trong sổ của thôn",
                        p.src.sheet,
                        p.src.row,
                    )
                )
                continue
            household.fields = {}
        # The same rule as the forms and the admin (Household.clean): a point in Vietnam, both
        # numbers or neither. Only when the file gives coordinates.
        if "latitude" in household.fields or "longitude" in household.fields:
            lat = household.fields.get("latitude", getattr(instance, "latitude", None))
            lon = household.fields.get("longitude", getattr(instance, "longitude", None))
            if lat is not _INVALID and lon is not _INVALID:
                messages = list(coordinate_errors(lat, lon).values())
                for label, value, bound in (("Vĩ độ", lat, 90), ("Kinh độ", lon, 180)):
                    if value is not None and not -bound <= Decimal(str(value)) <= bound:
                        messages.append(
                            f"{label} {value} ngoài khoảng −{bound}..{bound} độ "
                            "(có lẽ đã nhập ngược vĩ độ và kinh độ?)"
                        )
                for message in messages:
                    report.issues.append(
                        Issue(
                            ERROR,
                            f"hộ “{household.code}”: {message}",
                            household.src.sheet,
                            household.src.row,
                        )
                    )
        if instance is None:
            if not household.fields.get("head_name"):
                report.issues.append(
                    Issue(
                        ERROR,
                        f"hộ “{household.code}”: thiếu họ tên chủ hộ",
                        household.src.sheet,
                        household.src.row,
                    )
                )
            household.instance = Household(village=village, code=household.code)
            household.action = "create"
            household.changes = {
                k: (None, v) for k, v in household.fields.items() if v is not _INVALID
            }
            if household.extra:
                household.changes["extra"] = ({}, household.extra)
        else:
            household.instance = instance
            household.changes = _diff(instance, household.fields, household.extra)
            household.action = "update" if household.changes else "unchanged"
        if household.persons and head is None and relationship_known:
            report.issues.append(
                Issue(
                    WARNING,
                    f"hộ “{household.code}” không có ai là “Chủ hộ”",
                    household.src.sheet,
                    household.src.row,
                )
            )

        existing_p = persons_by_household.get(instance.pk, []) if instance is not None else []
        by_key = {_person_key(p.full_name, p.birth_date): p for p in existing_p}
        by_name: dict[str, list[Person]] = defaultdict(list)
        for p in existing_p:
            by_name[_name_key(p.full_name)].append(p)
        names_in_file: dict[str, int] = defaultdict(int)
        for person in household.persons:
            if isinstance(person.fields.get("full_name"), str):
                names_in_file[_name_key(person.fields["full_name"])] += 1
        claimed: set[int] = set()
        seen: dict[tuple[str, dt.date | None], PersonIn] = {}
        for person in household.persons:
            name = person.fields.get("full_name")
            if not name or name is _INVALID:
                if name is not _INVALID:
                    report.issues.append(
                        Issue(ERROR, "thiếu họ và tên", person.src.sheet, person.src.row)
                    )
                continue
            birth = person.fields.get("birth_date")
            if birth is _INVALID:
                continue
            if "birth_date" in person.fields and birth is None:
                report.issues.append(
                    Issue(
                        WARNING,
                        f"“{name}” thiếu ngày sinh: không tính được độ tuổi lao động",
                        person.src.sheet,
                        person.src.row,
                    )
                )
            key = _person_key(name, birth)
            if key in seen:
                first = seen[key]
                report.issues.append(
                    Issue(
                        ERROR,
                        f"“{name}” trùng với dòng {_vn_int(first.src.row)} (cùng hộ, cùng ngày sinh)",
                        person.src.sheet,
                        person.src.row,
                    )
                )
                continue
            seen[key] = person
            match = by_key.get(key)
            year_only = bool(person.fields.get("birth_year_only"))
            if match is None:
                candidates = by_name.get(_name_key(name), [])
                if len(candidates) == 1 and candidates[0].pk not in claimed:
                    candidate = candidates[0]
                    if (
                        candidate.birth_date is None
                        or birth is None
                        or "birth_date" not in person.fields
                    ):
                        match = candidate
                    elif names_in_file[_name_key(name)] == 1 and _year_vague_match(
                        candidate.birth_date, candidate.birth_year_only, birth, year_only
                    ):
                        # The name is unique in the household: a year alone is any date in it.
                        match = candidate
            if match is not None:
                claimed.add(match.pk)
            if match is None:
                person.instance = None  # written by a raw multi-row insert in apply()
                person.action = "create"
                person.changes = {k: (None, v) for k, v in person.fields.items()}
                if person.extra:
                    person.changes["extra"] = ({}, person.extra)
            else:
                fields = dict(person.fields)
                if birth is None and match.birth_date is not None:
                    fields.pop("birth_date", None)
                    fields.pop("birth_year_only", None)
                elif (
                    year_only
                    and not match.birth_year_only
                    and isinstance(match.birth_date, dt.date)
                    and isinstance(birth, dt.date)
                    and match.birth_date.year == birth.year
                ):
                    # The registry already knows the precise date: keep it.
                    fields.pop("birth_date", None)
                    fields.pop("birth_year_only", None)
                person.instance = match
                person.changes = _diff(match, fields, person.extra)
                person.action = "update" if person.changes else "unchanged"

    counts = defaultdict(int)
    for household in households:
        if household.action in ("create", "update", "unchanged"):
            counts[
                f"households_{household.action}d"
                if household.action != "unchanged"
                else "households_unchanged"
            ] += 1
        for person in household.persons:
            if person.action:
                counts[
                    f"persons_{person.action}d"
                    if person.action != "unchanged"
                    else "persons_unchanged"
                ] += 1
    counts["households_in_file"] = len(households)
    counts["persons_in_file"] = sum(len(h.persons) for h in households)
    report.counts = dict(counts)


# ---- entry points ----------------------------------------------------------------------------


def preview(
    village: AdminUnit,
    paths: list[Path],
    *,
    mapping: dict[str, str] | None = None,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Parse and validate the files and plan the changes, writing nothing (the dry run)."""
    if village.level != Level.VILLAGE:
        raise DomainError(
            f"Chỉ nhập hộ, nhân khẩu vào một thôn; “{village}” là {village.get_level_display()}.",
            "not_a_village",
        )
    names = names or [p.name for p in paths]
    report = ImportReport(village, names)
    columns_map = _split_mapping(mapping)
    table = H.lookup_table()
    fields = H.all_fields()
    score = functools.partial(
        header_score, table=table, mapping=columns_map.header_keys, fields=fields
    )
    sheets: list[Sheet] = []
    for path, name in zip(paths, names, strict=True):

        def _read_progress(done: int) -> None:
            if progress:
                progress("read", done, 0)

        file_sheets = read_file(path, _read_progress, display_name=name, header_score=score)
        if not any(sheet.rows for sheet in file_sheets):
            report.issues.append(
                Issue(
                    ERROR,
                    f"tệp trống: “{name}” không có dòng nào (tệp 0 byte hoặc mọi trang đều trống)",
                )
            )
            continue
        sheets.extend(file_sheets)
    if not sheets:
        return report
    total_rows = sum(len(s.rows) for s in sheets)
    if progress:
        progress("validate", 0, total_rows)
    parser = _Parser(report)
    out: dict[str, list] = {"households": [], "persons": []}
    has_code_column = False
    relationship_known = False
    head_name_known = False
    # First every sheet's header row (a bare "--map B=…" is a letter only if no header reads "B"),
    # then the columns, with the user's choices by letter.
    found = [(sheet, _find_header(sheet, table, columns_map, fields)) for sheet in sheets]
    _letters_for_unused_headers(columns_map)
    done_rows = 0
    for sheet, header in found:
        if header is None:
            report.layouts.append(SheetLayout(sheet.name, "ignored"))
            done_rows += len(sheet.rows)
            continue
        layout, start = _assemble(sheet, header, columns_map, fields)
        report.layouts.append(layout)
        _fix_ambiguous(sheet, layout, start, table)
        keys = {c.field.key for c in layout.columns}
        if layout.role == "persons":
            has_code_column |= "household_code" in keys
            relationship_known |= "relationship" in keys
        head_name_known |= "head_name" in keys

        def _tick(n: int, base: int = done_rows) -> None:
            if progress:
                progress("validate", base + n, total_rows)

        _parse_sheet(sheet, layout, start, parser, report, out, _tick if progress else None)
        done_rows += len(sheet.rows)
        for letter, header_text in layout.unmatched:
            if letter in layout.duplicates:
                label, first = layout.duplicates[letter]
                reason = (
                    f"cột “{header_text}” cũng là “{label}” như cột {first}: bỏ qua cột {letter}; "
                    f"để nhập cột này, chọn cho nó một trường khác ở bước gán cột "
                    f'(dòng lệnh: --map "{sheet.name}!{letter}=mã_trường")'
                )
            else:
                reason = (
                    f"không nhận ra cột “{header_text}”: bỏ qua (hãy chọn trường cho cột này nếu cần; "
                    f'dòng lệnh: --map "{sheet.name}!{letter}=mã_trường")'
                )
            report.issues.append(
                Issue(WARNING, reason, sheet.name, layout.header_row, letter, header_text)
            )
    report.issues.extend(_mapping_errors(columns_map, sheets, report.layouts))
    if not any(layout.role != "ignored" for layout in report.layouts):
        report.issues.append(
            Issue(
                ERROR,
                "không tìm thấy dòng tiêu đề (cần ít nhất cột “Họ và tên” hoặc “Mã hộ” và một cột khác) trong các trang: "
                + ", ".join(f"“{s.name}”" for s in sheets),
            )
        )
        return report
    if not out["households"] and not out["persons"]:
        report.issues.append(Issue(ERROR, "tệp không có dòng dữ liệu nào dưới dòng tiêu đề"))
        return report
    households = _link(report, out["households"], out["persons"], has_code_column)
    _validate_and_plan(report, households, relationship_known, head_name_known)
    report.households = households
    if progress:
        progress("validate", total_rows, total_rows)
    return report


_SEX_MARKS = {
    "birth_male": H.Field("sex_male", "person", H.BOOL, "Giới tính: Nam"),
    "birth_female": H.Field("sex_female", "person", H.BOOL, "Giới tính: Nữ"),
}


def _fix_ambiguous(sheet: Sheet, layout: SheetLayout, start: int, table: dict) -> None:
    """Headers that name two things; decide by what the column holds.

    * "Mã địa chỉ số": the code (text) or the yes/no fact.
    * "Nam" | "Nữ" under a group header: the birth year by sex ("Năm sinh" over them, years in
      the cells) or the sex itself ("Giới tính" over them, an x in one of the two).
    """
    for column in layout.columns:
        key = column.field.key
        if key not in ("digital_address_code", "birth_male", "birth_female"):
            continue
        values = [
            row[column.index]
            for _, row in sheet.rows[start : start + 200]
            if column.index < len(row) and row[column.index] not in (None, "")
        ]
        if not values or not all(V.looks_bool(v) for v in values):
            continue
        if key == "digital_address_code":
            fact = catalogue()["digital_address"]
            column.field = H.Field(fact.key, fact.level, H.BOOL, fact.label_vi)
        else:
            column.field = _SEX_MARKS[key]


def _snapshot_changes(changes: dict[str, tuple[Any, Any]]) -> tuple[dict, dict]:
    before = {k: _jsonable(v[0]) for k, v in changes.items()}
    after = {k: _jsonable(v[1]) for k, v in changes.items()}
    return before, after


def _raw_insert(model: type[Any], rows: list[dict[str, Any]], returning: bool) -> list[int]:
    """Multi-row INSERT … VALUES (…), (…) [RETURNING id] of plain dicts (attname -> value).

    Django's bulk_create prepares every value of every field through the field API, which costs
    more than the database itself on 100.000 rows; here each column has one precomputed converter
    (dates, decimals and JSON through the connection's own adapters), everything else passes as is.
    Returned ids come back in VALUES order, as Django's bulk_create also relies on.
    """
    if not rows:
        return []
    ops = connection.ops
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = []
    for f in fields:
        kind = f.get_internal_type()
        if kind == "DateField":
            convert = ops.adapt_datefield_value
        elif kind == "DecimalField":
            convert = functools.partial(_adapt_decimal, ops, f.max_digits, f.decimal_places)
        elif kind == "JSONField":
            convert = functools.partial(f.get_db_prep_save, connection=connection)
        else:
            convert = None
        # Rows need not all have the same keys (a relationship set on the head's row only, a
        # sex from an x under "Nam"/"Nữ"): a missing key is the field's default.
        default = f.get_default()
        if default is not None and convert is not None:
            default = convert(default)
        columns.append((f.attname, convert, default))
    table = ops.quote_name(model._meta.db_table)
    names = ", ".join(ops.quote_name(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # SQLite allows 32.766 variables per statement, PostgreSQL 65.535.
    batch = max(1, 30000 // len(fields))
    ids: list[int] = []
    suffix = " RETURNING " + ops.quote_name(model._meta.pk.column) if returning else ""
    with connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params: list[Any] = []
            for row in chunk:
                for attname, convert, default in columns:
                    if attname in row:
                        value = row[attname]
                        params.append(
                            convert(value) if convert is not None and value is not None else value
                        )
                    else:
                        params.append(default)
            cursor.execute(
                f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * len(chunk))}{suffix}",
                params,
            )
            if returning:
                ids.extend(r[0] for r in cursor.fetchall())
    return ids


def _adapt_decimal(ops: Any, max_digits: int, places: int, value: Any) -> Any:
    return ops.adapt_decimalfield_value(Decimal(value), max_digits, places)


def apply(
    report: ImportReport, user: Any = None, progress: ProgressFn | None = None
) -> ImportReport:
    """Write the planned changes in one transaction, with the audit trail; refuses on errors."""
    village = report.village
    if user is not None and not can(user, Action.EDIT_REGISTRY, village):
        raise PermissionDenied(f"edit_registry on {village}")
    if not report.ok:
        raise DomainError(
            f"Tệp có {len(report.errors)} lỗi; chưa ghi gì. Hãy sửa rồi nhập lại.",
            "import_has_errors",
        )
    now = timezone.now()
    db_now = connection.ops.adapt_datetimefield_value(now)
    new_h = [h for h in report.households if h.action == "create"]
    upd_h = [h for h in report.households if h.action == "update"]
    new_p = [p for h in report.households for p in h.persons if p.action == "create"]
    upd_p = [p for h in report.households for p in h.persons if p.action == "update"]
    total = len(new_h) + len(upd_h) + len(new_p) + len(upd_p)
    if progress:
        progress("write", 0, total)  # still outside the transaction: a heartbeat others can see
    with transaction.atomic():
        actor = user if getattr(user, "pk", None) else None
        parent = AuditEvent.objects.create(
            actor=actor,
            actor_name=actor_label(user) or "system",
            action=AuditAction.IMPORT,
            unit=village,
            object_type="import",
            object_repr=", ".join(report.file_names)[:200],
            note=f"{', '.join(report.file_names)}: {report.summary()}"[:500],
        )
        rows = []
        for h in new_h:
            row = {
                "village_id": village.pk,
                "code": h.code,
                "created_at": db_now,
                "updated_at": db_now,
                "extra": dict(h.extra),
            }
            row.update(h.fields)
            rows.append(row)
        for h, pk in zip(new_h, _raw_insert(Household, rows, returning=True), strict=True):
            h.instance.pk = h.instance.id = pk
        changed_fields: set[str] = set()
        for h in upd_h:
            for key, (_old, new) in h.changes.items():
                setattr(h.instance, key, new)
                changed_fields.add(key)
            h.instance.updated_at = now
        if upd_h:
            Household.objects.bulk_update(
                [h.instance for h in upd_h],
                sorted(changed_fields | {"updated_at"}),
                batch_size=1000,
            )
        if progress:
            progress("write", len(new_h) + len(upd_h), total)

        rows = []
        for person in new_p:
            row = {
                "household_id": person.household.instance.pk,
                "village_id": village.pk,
                "created_at": db_now,
                "updated_at": db_now,
                "extra": dict(person.extra),
            }
            row.update(person.fields)
            rows.append(row)
        done = len(new_h) + len(upd_h)
        for start in range(0, len(rows), 10000):
            chunk = new_p[start : start + 10000]
            for person, pk in zip(
                chunk, _raw_insert(Person, rows[start : start + 10000], returning=True), strict=True
            ):
                person.pk = pk
            done += len(chunk)
            if progress:
                progress("write", done, total)
        p_fields: set[str] = set()
        for person in upd_p:
            for key, (_old, new) in person.changes.items():
                setattr(person.instance, key, new)
                p_fields.add(key)
            person.instance.updated_at = now
            person.pk = person.instance.pk
        if upd_p:
            Person.objects.bulk_update(
                [p.instance for p in upd_p], sorted(p_fields | {"updated_at"}), batch_size=1000
            )

        base = {
            "at": db_now,
            "actor_id": actor.pk if actor else None,
            "actor_name": parent.actor_name,
            "unit_id": village.pk,
            "batch_id": parent.pk,
            "note": "",
        }
        events: list[dict[str, Any]] = []
        for h in [*new_h, *upd_h]:
            before, after = _snapshot_changes(h.changes)
            created = h.action == "create"
            events.append(
                {
                    **base,
                    "action": AuditAction.CREATE if created else AuditAction.UPDATE,
                    "object_type": "household",
                    "object_id": str(h.instance.pk),
                    "object_repr": f"{h.code} - {h.instance.head_name if not created else h.fields.get('head_name', '')}"[
                        :200
                    ],
                    "household_id": h.instance.pk,
                    "before": None if created else before,
                    "after": after,
                }
            )
        for person in [*new_p, *upd_p]:
            before, after = _snapshot_changes(person.changes)
            created = person.action == "create"
            events.append(
                {
                    **base,
                    "action": AuditAction.CREATE if created else AuditAction.UPDATE,
                    "object_type": "person",
                    "object_id": str(person.pk),
                    "object_repr": str(person.fields.get("full_name") or person.instance.full_name)[
                        :200
                    ],
                    "household_id": person.household.instance.pk,
                    "before": None if created else before,
                    "after": after,
                }
            )
        _raw_insert(AuditEvent, events, returning=False)
        if progress:
            progress("write", total, total)
    report.event = parent
    report.applied = True
    return report


def import_files(
    village: AdminUnit,
    paths: list[Path],
    *,
    user: Any = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    names: list[str] | None = None,
    progress: ProgressFn | None = None,
) -> ImportReport:
    """Preview, then apply unless `dry_run` or there are errors. The one call the CLI makes."""
    if user is not None and not can(user, Action.EDIT_REGISTRY, village):
        raise PermissionDenied(f"edit_registry on {village}")
    report = preview(village, paths, mapping=mapping, names=names, progress=progress)
    if report.ok and not dry_run:
        apply(report, user, progress)
    return report


def import_events(village: AdminUnit):
    """Past import events of a village, newest first, with how many rows each changed."""
    from django.db.models import Count

    return (
        AuditEvent.objects.filter(unit=village, action=AuditAction.IMPORT, batch__isnull=True)
        .annotate(changes=Count("items"))
        .order_by("-at", "-id")
    )
