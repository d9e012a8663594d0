"""Parse the data rows of a sheet into households and persons, cell by cell, with where."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils import timezone

from smartvillage.registry.facts import catalogue, fold
from smartvillage.registry.models import Household, Person, Relationship, mask_identity
from smartvillage.transfer import headers as H
from smartvillage.transfer import values as V
from smartvillage.transfer.importing.report import (
    ERROR,
    WARNING,
    Column,
    HouseholdIn,
    ImportReport,
    Issue,
    PersonIn,
    SheetLayout,
    Src,
    _vn_int,
)
from smartvillage.transfer.reader import Sheet, column_letter

PROGRESS_EVERY = 1000  # rows between progress reports while checking
_NUMBERING = re.compile(r"^\(?\d{1,3}\)?$|^\(?[a-z]\)?$")
# "Tổng cộng", "Cộng", "Tổng số hộ: 3", "Tổng cộng: 03 hộ, 09 nhân khẩu" (not "Tống Công Minh").
_UNITS = r"(ho|ho gia dinh|nguoi|nhan khau|khau|thanh vien|lao dong)"
_TOTAL_RE = re.compile(
    rf"^(tong cong|tong so|tong|cong)(\s+(so\s+)?{_UNITS})?[\s:.,;()-]*"
    rf"(\d[\d.,]*\s*{_UNITS}?[\s:.,;()-]*)*$"
)
PREVIEW_ROWS = 10
_SHORT_YEAR = re.compile(r"^\d{1,2}[/.\-]\d{1,2}[/.\-](\d{2})$")


_MAX_LEN = {
    "household_code": 40,
    "head_name": 200,
    "address": 300,
    "digital_address_code": 64,
    "house_number": 60,
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
        result, error, warning, fix = hit
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
                    fix=fix,
                )
            )
        if error:
            return _INVALID
        return result

    @staticmethod
    def _parse(kind: str, raw: object) -> tuple[Any, str | None, str | None, str]:
        try:
            if kind == H.BOOL:
                return V.parse_bool(raw), None, None, ""
            if kind == H.DATE:
                if raw is None or V.text(raw) == "":
                    return None, None, None, ""
                parsed = V.parse_date(raw)
                warning, fix = _two_digit_year(raw, parsed[0])
                return parsed, None, warning, fix
            if kind == H.SEX:
                return V.parse_sex(raw), None, None, ""
            if kind == H.REL:
                rel, known = V.parse_relationship(raw)
                return (
                    rel,
                    None,
                    (None if known else f"quan hệ “{V.text(raw)}” không rõ; ghi là “Khác”"),
                    "",
                )
            if kind == H.IDNUM:
                number, warning = V.parse_identity(raw)
                return number, None, warning, (number if warning else "")
            if kind == H.PHONE:
                phone, warning, fix = V.parse_phone(raw)
                return phone, None, warning, fix
            if kind == H.DECIMAL:
                return V.parse_decimal(raw), None, None, ""
            return V.text(raw), None, None, ""
        except ValueError as exc:
            reason, fix = str(exc), getattr(exc, "fix", "")
            if kind == H.IDNUM:
                digits = V.text(raw).replace(" ", "").replace(".", "")
                if digits.isdigit() and len(digits) == 11:
                    # A CCCD starts with the province code, 001-096: Excel drops its leading 0.
                    fix = digits.zfill(12)
                    reason = (
                        f"số CCCD “{digits}” có 11 chữ số, có lẽ đã mất số 0 ở đầu "
                        f"(ô dạng số): đề xuất sửa thành {fix}"
                    )
            return None, reason, None, fix


def _two_digit_year(raw: object, day: dt.date) -> tuple[str | None, str]:
    """A d/m/yy date is read by a stated rule; the warning says it and offers the full date."""
    text = V.text(raw)
    match = _SHORT_YEAR.match(text)
    if not match:
        return None, ""
    pivot = timezone.localdate().year % 100
    full = day.strftime("%d/%m/%Y")
    return (
        f"năm viết hai chữ số “{match.group(1)}” được hiểu là {day.year} (quy tắc: 00–{pivot:02d} "
        f"là 20xx, {pivot + 1:02d}–99 là 19xx); nếu sai, ghi đủ bốn chữ số, vd. {full}"
    ), full


_INVALID = object()


def _display(column: Column, value: Any) -> str:
    """A parsed value as the preview shows it (Vietnamese; identity numbers masked)."""
    if value is _INVALID:
        return "(lỗi)"
    if value is None or value == "":
        return ""
    kind = column.field.kind
    if kind == H.DATE and isinstance(value, tuple):
        day, year_only = value
        return str(day.year) if year_only else day.strftime("%d/%m/%Y")
    if kind == H.BOOL:
        return "Có" if value else "Không"
    if kind == H.SEX:
        return {"M": "Nam", "F": "Nữ"}.get(value, str(value))
    if kind == H.REL:
        return str(Relationship(value).label) if value in Relationship.values else str(value)
    if kind == H.IDNUM:
        return mask_identity(str(value))
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")
    return str(value)


def _last(header: str) -> str:
    """The sub-header of a multi-row header ("Giới tính / Nam" -> "Nam")."""
    return header.rsplit(" / ", 1)[-1]


def _row_text(values: list[object]) -> str:
    return " | ".join(t for t in (V.text(v) for v in values) if t)[:200]


def _skip(report: ImportReport, sheet: str, row: int, reason: str, text: str) -> None:
    report.skipped_rows.append({"sheet": sheet, "row": row, "reason": reason, "text": text})


def _total_cell(values: list[object]) -> str | None:
    """The text of a totals row ("Tổng cộng: 03 hộ, 09 nhân khẩu"), or None."""
    for value in values[:6]:
        if isinstance(value, str) and value[:1] in "TtCc" and _TOTAL_RE.match(fold(value)):
            return _row_text(values)
    return None


def _is_total_row(values: list[object]) -> bool:
    """ "Tổng cộng", "Tổng cộng: 3 hộ", "Cộng" in the first cells ends the data (not "Tống Công Minh")."""
    for value in values[:6]:
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
    # A row with a code or a birth date is a person's: the signature test (folding every cell)
    # runs only on rows without one.
    strong = [c for c in evidence if c.field.key != "relationship"]
    marks = {c.field.key: c for c in layout.columns if c.field.key in ("sex_male", "sex_female")}
    previous: int | None = None
    after_blank = False
    rows = sheet.rows
    preview: dict[str, Any] = {
        "sheet": sheet.name,
        "columns": [c.field.label for c in layout.columns],
        "rows": [],
    }
    report.preview_rows.append(preview)
    for position in range(start, len(rows)):
        row_number, values = rows[position]
        # A parsed row is let go at once: a large file is not held twice (raw and parsed).
        rows[position] = (row_number, [])
        if tick is not None and (position - start) % PROGRESS_EVERY == 0 and position > start:
            tick(position - start)
        if previous is not None and row_number > previous + 1:
            after_blank = True
        previous = row_number
        total = _total_cell(values)
        if total is not None:
            _skip(report, sheet.name, row_number, "dòng tổng cộng, không phải một người", total)
            after_blank = True  # what follows a total is read like what follows a blank row
            continue
        present = [
            c for c in layout.columns if c.index < len(values) and values[c.index] not in (None, "")
        ]
        if not present:
            text = _row_text(values)
            if text:
                _skip(report, sheet.name, row_number, "không có giá trị ở các cột được nhập", text)
            after_blank = True
            continue
        if name_col is not None and name_col.index < len(values):
            name_value = V.text(values[name_col.index])
            if len(name_value) <= 5 and _NUMBERING.match(fold(name_value)):
                continue  # the "(1) (2) (3)" numbering row under the header
        if (
            not after_blank
            and not any(c.index < len(values) and values[c.index] not in (None, "") for c in strong)
            and _signature_cell(values) is not None
            and _list_ends_here(values, evidence)
        ):
            after_blank = True  # "NGƯỜI LẬP BIỂU" right under the last person
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
                for number, rest_values in [(row_number, values), *rows[position + 1 :]]:
                    rest_text = _row_text(rest_values)
                    if rest_text:
                        _skip(
                            report,
                            sheet.name,
                            number,
                            "phần ký tên, xác nhận hoặc ngày tháng dưới danh sách",
                            rest_text,
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
                    f"đánh dấu cả “{_last(marks['sex_male'].header)}” và “{_last(column.header)}” "
                    "(giới tính)",
                    sheet.name,
                    row_number,
                    column.letter,
                    column.header,
                    V.text(values[column.index]),
                )
            )
        layout.data_rows += 1
        if len(preview["rows"]) < PREVIEW_ROWS:
            preview["rows"].append([_display(c, parsed.get(c.field.key)) for c in layout.columns])
        if household_role:
            out["households"].append(_household_from(parsed, src))
        else:
            household = _household_from(parsed, src, only_present=True)
            out["persons"].append(
                (
                    _person_from(parsed, src),
                    household if household.fields or household.extra else None,
                )
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
        ("house_number", "house_number"),
        ("phone", "phone"),
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
