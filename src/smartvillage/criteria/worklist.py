"""The worklist as an XLSX file: who the digital team should visit for one criterion."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from smartvillage.criteria.loader import CriteriaSet, Criterion
from smartvillage.units.models import AdminUnit

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe(value: object) -> object:
    """Text that a spreadsheet would run as a formula is written as plain text."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def worklist_xlsx(
    unit: AdminUnit, cset: CriteriaSet, criterion: Criterion, at: dt.date, qs: QuerySet, show: str
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    heading = {"missing": "chưa đạt", "met": "đã đạt"}.get(show, "")
    ws.append(
        [
            safe(
                f"DANH SÁCH {'HỘ' if criterion.population == 'households' else 'NGƯỜI'} {heading.upper()} - TIÊU CHÍ {criterion.code}"
            )
        ]
    )
    ws.append([safe(criterion.title)])
    ws.append([safe(f"{unit.full_name} - ngày {at:%d/%m/%Y} - {cset.title}")])
    ws.append([])
    if criterion.population == "households":
        ws.append(["STT", "Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "Đạt", "Ghi chú"])
        for index, h in enumerate(qs.iterator(chunk_size=2000), start=1):
            ws.append(
                [index, safe(h.code), safe(h.head_name), safe(h.address), "x" if h.met else "", ""]
            )
    else:
        ws.append(["STT", "Mã hộ", "Họ và tên", "Năm sinh", "Giới tính", "Đạt", "Ghi chú"])
        for index, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            ws.append(
                [
                    index,
                    safe(p.household.code),
                    safe(p.full_name),
                    safe(p.birth_display),
                    p.get_sex_display(),
                    "x" if p.met else "",
                    "",
                ]
            )
    ws["A1"].font = Font(bold=True, size=13)
    for cell in ws[5]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for column, width in zip("ABCDEFG", (6, 12, 32, 14, 10, 8, 20), strict=False):
        ws.column_dimensions[column].width = width
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
