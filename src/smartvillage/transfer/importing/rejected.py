"""Partial import: which households an error rejects, and the file of rejected rows to fix.

A partial import (an explicit choice; the default stays all-or-nothing) writes the households that
have no error and gives back every row of the others, with the file's own header rows and a "Lỗi"
column, as an XLSX to correct and import again. A household is kept or rejected whole: an error on
any of its rows (a person's birth date, the household's code) rejects all of them.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from smartvillage.core.errors import DomainError
from smartvillage.transfer.importing.report import HouseholdIn, ImportReport, Issue
from smartvillage.transfer.reader import read_file
from smartvillage.transfer.safe_xlsx import append_row, set_cell

ERROR_HEADER = "Lỗi"


def _rows_of(household: HouseholdIn) -> set[tuple[str, int]]:
    rows = {(household.src.sheet, household.src.row)}
    rows.update((p.src.sheet, p.src.row) for p in household.persons)
    return rows


def split(report: ImportReport) -> tuple[list[HouseholdIn], dict[tuple[str, int], list[Issue]]]:
    """(valid households, {(sheet, row): its errors} for every rejected row)."""
    errors_at: dict[tuple[str, int], list[Issue]] = defaultdict(list)
    for issue in report.errors:
        if issue.row is None or not issue.sheet:
            raise DomainError(
                f"Không ghi từng phần được: lỗi “{issue.message()}” không thuộc một dòng nào. "
                "Hãy sửa tệp rồi nhập lại.",
                "partial_not_possible",
            )
        errors_at[(issue.sheet, issue.row)].append(issue)
    valid: list[HouseholdIn] = []
    rejected: dict[tuple[str, int], list[Issue]] = {
        where: list(issues) for where, issues in errors_at.items()
    }
    for household in report.households:
        rows = _rows_of(household)
        bad = [where for where in rows if where in errors_at]
        if not bad:
            valid.append(household)
            continue
        first = min(bad)
        for where in rows:
            if where not in rejected:
                rejected[where] = [
                    Issue(
                        "error",
                        f"cùng hộ với dòng {first[1]} có lỗi; sửa dòng đó rồi nhập lại cả hộ",
                        where[0],
                        where[1],
                    )
                ]
    return valid, rejected


def write_rejected(
    report: ImportReport, rejected: dict[tuple[str, int], list[Issue]], directory: Path
) -> Path:
    """The rejected rows with their sheet's header rows and a "Lỗi" column, as one XLSX."""
    layouts = {layout.name: layout for layout in report.layouts if layout.role != "ignored"}
    wanted: dict[str, set[int]] = defaultdict(set)
    for sheet, row in rejected:
        wanted[sheet].add(row)
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for path, name in zip(report.paths, report.file_names, strict=False):
        for sheet in read_file(Path(path), display_name=name):
            layout = layouts.get(sheet.name)
            if layout is None or sheet.name not in wanted:
                continue
            ws = book.create_sheet(sheet.name[:31])
            header_rows = set(layout.header_rows or [layout.header_row])
            width = max((len(v) for n, v in sheet.rows if n in header_rows), default=0)
            width = max(width, len(layout.headers))
            for number, values in sheet.rows:
                if number in header_rows:
                    row = append_row(ws, [*values, *[None] * (width - len(values))], font=bold)
                    set_cell(ws, row, width + 1, ERROR_HEADER, font=bold)
            for number, values in sheet.rows:
                issues = rejected.get((sheet.name, number))
                if issues is None or number in header_rows:
                    continue
                values = [*values, *[None] * (width - len(values))]
                for issue in issues:
                    # Offer the fix in the cell itself: the user checks it and imports again.
                    if issue.fix and issue.column:
                        index = _column_index(issue.column)
                        if index is not None and index < len(values):
                            values[index] = issue.fix
                append_row(ws, [*values, "; ".join(_reason(i) for i in issues)])
            sheet.rows = []
    if not book.worksheets:
        book.create_sheet("Lỗi")
    directory.mkdir(parents=True, exist_ok=True)
    stem = Path(report.file_names[0]).stem if report.file_names else "tep"
    # One file per partial import (two imports of "ds.xlsx" must not overwrite each other);
    # the user's file name only as a readable, filesystem-safe prefix.
    safe = re.sub(r"[^\w\- ]+", "_", stem)[:60].strip() or "tep"
    target = directory / f"{safe} - cac dong loi - {uuid.uuid4().hex[:8]}.xlsx"
    book.save(target)
    return target


def _reason(issue: Issue) -> str:
    where = f"cột {issue.column}" + (f" ({issue.header})" if issue.header else "")
    text = f"{where}: {issue.reason}" if issue.column else issue.reason
    if issue.fix:
        text += f" [đã điền đề xuất: {issue.fix}]"
    return text


def _column_index(letter: str) -> int | None:
    from openpyxl.utils import column_index_from_string

    try:
        return column_index_from_string(letter) - 1
    except ValueError:
        return None


def counts_of(households: list[HouseholdIn]) -> dict[str, Any]:
    counts: dict[str, int] = defaultdict(int)
    for household in households:
        counts[_count_key("households", household.action)] += 1
        for person in household.persons:
            if person.action:
                counts[_count_key("persons", person.action)] += 1
    counts["households_in_file"] = len(households)
    counts["persons_in_file"] = sum(len(h.persons) for h in households)
    return dict(counts)


def _count_key(kind: str, action: str) -> str:
    return f"{kind}_unchanged" if action == "unchanged" else f"{kind}_{action}d"
