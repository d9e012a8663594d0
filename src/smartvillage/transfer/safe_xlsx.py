"""Writing untrusted text into XLSX without formula injection (like pretix's safe_openpyxl).

openpyxl stores any string that starts with "=" as a formula. A resident's name such as
"=HYPERLINK(…)" must stay text: every cell written through here that starts with =, +, -, @ (or a
tab/carriage return, which some spreadsheet programs strip first) is forced to the string type and
gets Excel's quote prefix, so it is shown and re-saved as text, never evaluated. Characters XML
cannot hold (control characters) are removed (core.text.printable): openpyxl would refuse the
whole workbook for one of them, and old data must never break an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from smartvillage.core.text import printable

DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def is_dangerous(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(DANGEROUS_START)


def set_cell(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    """Write one value (text stays text) and apply openpyxl style attributes (font=, alignment=…)."""
    cell = ws.cell(row=row, column=column)
    value = printable(value)
    cell.value = value
    if is_dangerous(value):
        cell.data_type = "s"
        cell.quotePrefix = True
    for name, style_value in style.items():
        setattr(cell, name, style_value)
    return cell


def append_row(ws: Worksheet, values: Iterable[Any], **style: Any) -> int:
    """Append a row safely; returns its row number."""
    row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
    for column, value in enumerate(values, start=1):
        set_cell(ws, row, column, value, **style)
    return row
