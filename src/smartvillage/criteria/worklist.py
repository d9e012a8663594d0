"""The worklist as an XLSX file: who the digital team should visit for one criterion."""

from __future__ import annotations

import datetime as dt
import io

from django.db.models import QuerySet
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from smartvillage.criteria.loader import CriteriaSet, Criterion
from smartvillage.transfer.safe_xlsx import append_row
from smartvillage.units.models import AdminUnit


def worklist_xlsx(
    unit: AdminUnit, cset: CriteriaSet, criterion: Criterion, at: dt.date, qs: QuerySet, show: str
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "Danh sách"
    heading = {"missing": "chưa đạt", "met": "đã đạt"}.get(show, "")
    # Every value goes through append_row: names and titles are untrusted text (no formulas).
    who = "HỘ" if criterion.population == "households" else "NGƯỜI"
    append_row(ws, [f"DANH SÁCH {who} {heading.upper()} - TIÊU CHÍ {criterion.code}"])
    append_row(ws, [criterion.title])
    append_row(ws, [f"{unit.full_name} - ngày {at:%d/%m/%Y} - {cset.title}"])
    append_row(ws, [None])  # a blank line before the table
    if criterion.population == "households":
        append_row(ws, ["STT", "Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "Đạt", "Ghi chú"])
        for index, h in enumerate(qs.iterator(chunk_size=2000), start=1):
            append_row(ws, [index, h.code, h.head_name, h.address, "x" if h.met else "", ""])
    else:
        append_row(
            ws, ["STT", "Mã hộ", "Họ và tên", "Ngày/năm sinh", "Giới tính", "Đạt", "Ghi chú"]
        )
        for index, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            append_row(
                ws,
                [
                    index,
                    p.household.code,
                    p.full_name,
                    p.birth_display,
                    p.get_sex_display(),
                    "x" if p.met else "",
                    "",
                ],
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
