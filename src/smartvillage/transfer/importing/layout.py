"""Find the header row(s) of a sheet and what each column holds (the sheet's layout)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from openpyxl.utils import column_index_from_string

from smartvillage.registry.facts import catalogue, fold
from smartvillage.transfer import headers as H
from smartvillage.transfer import values as V
from smartvillage.transfer.importing.mapping import _Mapping, _split_mapping
from smartvillage.transfer.importing.report import Column, SheetLayout
from smartvillage.transfer.reader import Sheet, column_letter

MAX_HEADER_SCAN = 30


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
