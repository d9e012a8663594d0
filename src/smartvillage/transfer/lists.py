"""Official lists of a ratio criterion (Phú Thọ Biểu 01–04 and the like for any criteria set).

A list has: the form code ("Biểu 01"), the title, the village and commune, a table STT | Họ và tên
(chủ hộ for households) | Ghi chú, "Tổng cộng: N", and the two confirmation blocks "Xác nhận của
UBND xã" and "Xác nhận của khu dân cư". It is written as XLSX (formula-safe) or DOCX in the Decree
30/2020 layout. Members come from the criteria engine (`members(unit, criterion, at, met=True)`).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.page import PageMargins

from smartvillage.accounts.permissions import Action, can
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.core.formats import format_date, place_date_line
from smartvillage.transfer.safe_xlsx import set_cell
from smartvillage.units.models import AdminUnit, Level

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass
class OfficialList:
    code: str
    title: str
    unit: AdminUnit
    village_name: str
    commune_name: str
    at: dt.date
    households: bool
    rows: list[tuple[int, str, str]] = field(default_factory=list)  # (STT, name, note)
    criterion_code: str = ""
    criteria_set: str = ""

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def name_header(self) -> str:
        return "Họ và tên (chủ hộ)" if self.households else "Họ và tên"

    @property
    def unit_word(self) -> str:
        return "hộ" if self.households else "người"

    @property
    def filename_stem(self) -> str:
        from django.utils.text import slugify

        code = slugify(self.code or f"tieu-chi-{self.criterion_code}")
        return f"{code}-{slugify(self.village_name)}-{self.at:%Y%m%d}"


def build_list(
    unit: AdminUnit, cset: Any, criterion: Any, at: dt.date | None = None
) -> OfficialList:
    """The members meeting a ratio criterion under `unit`, as an official list."""
    from smartvillage.criteria.engine import members

    if criterion.kind != "ratio":
        raise DomainError(
            f"Tiêu chí {criterion.code} không phải tiêu chí tỷ lệ trên sổ hộ nên không có danh sách.",
            "not_a_ratio",
        )
    at = at or timezone.localdate()
    households = criterion.population == "households"
    commune = unit.ancestor_of_level(Level.COMMUNE)
    village_name = unit.full_name if unit.level == Level.VILLAGE else ""
    title = criterion.list_title or (
        f"Danh sách {'hộ' if households else 'người'} đạt tiêu chí {criterion.code}: {criterion.title}"
    )
    data = OfficialList(
        code=criterion.list_code,
        title=title.rstrip(". "),
        unit=unit,
        village_name=village_name or unit.full_name,
        commune_name=commune.full_name if commune else "",
        at=at,
        households=households,
        criterion_code=criterion.code,
        criteria_set=cset.slug,
    )
    qs = members(unit, criterion, at, met=True, cset=cset)
    many_villages = unit.level != Level.VILLAGE
    if households:
        qs = qs.select_related("village") if many_villages else qs
        for index, h in enumerate(qs.iterator(chunk_size=2000), start=1):
            note = h.village.full_name if many_villages else h.note
            data.rows.append((index, h.head_name, note))
    else:
        qs = qs.select_related("village") if many_villages else qs
        for index, p in enumerate(qs.iterator(chunk_size=2000), start=1):
            note = p.village.full_name if many_villages else p.note
            data.rows.append((index, p.full_name, note))
    return data


# ---- XLSX --------------------------------------------------------------------------------------

_FONT = "Times New Roman"
_THIN = Side(style="thin", color="000000")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)


def _font(size: float = 13, bold: bool = False, italic: bool = False) -> Font:
    return Font(name=_FONT, size=size, bold=bold, italic=italic)


def list_xlsx(data: OfficialList) -> bytes:
    """The list as XLSX: A4 portrait, Times New Roman, header rows, table, total, confirmations."""
    wb = Workbook()
    ws = wb.active
    ws.title = (data.code or "Danh sách")[:31]
    ws.column_dimensions["A"].width = 13
    ws.column_dimensions["B"].width = 40
    ws.column_dimensions["C"].width = 42
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)
    left = Alignment(horizontal="left", vertical="center", wrap_text=True)

    def merged(row: int, text: str, first: int = 1, last: int = 3, **style: Any) -> None:
        set_cell(ws, row, first, text, **style)
        if last > first:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=last)

    if data.code:
        merged(1, data.code, font=_font(13, bold=True), alignment=Alignment(horizontal="right"))
    issuer = f"UBND {data.commune_name}".upper() if data.commune_name else ""
    # Left: the issuing body over columns A-B; right: the national title in column C.
    merged(2, issuer, 1, 2, font=_font(12), alignment=center)
    set_cell(
        ws, 2, 3, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=_font(12, bold=True), alignment=center
    )
    merged(3, data.village_name.upper(), 1, 2, font=_font(12, bold=True), alignment=center)
    set_cell(
        ws,
        3,
        3,
        "Độc lập - Tự do - Hạnh phúc",
        font=_font(13, bold=True),
        alignment=center,
        border=Border(bottom=_THIN),
    )
    place = data.commune_name.split(" ", 1)[-1] if data.commune_name else data.village_name
    set_cell(
        ws, 4, 3, place_date_line(place, data.at), font=_font(13, italic=True), alignment=center
    )
    merged(6, data.title.upper(), font=_font(14, bold=True), alignment=center)
    ws.row_dimensions[6].height = 40
    where = ", ".join(n for n in (data.village_name, data.commune_name) if n)
    merged(
        7,
        f"{where} (tính đến ngày {format_date(data.at)})",
        font=_font(13, italic=True),
        alignment=center,
    )

    header_row = 9
    for column, text in enumerate(("STT", data.name_header, "Ghi chú"), start=1):
        set_cell(
            ws, header_row, column, text, font=_font(13, bold=True), alignment=center, border=_BOX
        )
    row = header_row
    for stt, name, note in data.rows:
        row += 1
        set_cell(ws, row, 1, stt, font=_font(), alignment=center, border=_BOX)
        set_cell(ws, row, 2, name, font=_font(), alignment=left, border=_BOX)
        set_cell(ws, row, 3, note or None, font=_font(), alignment=left, border=_BOX)
    row += 1
    set_cell(ws, row, 1, "Tổng cộng:", font=_font(13, bold=True), alignment=left, border=_BOX)
    set_cell(
        ws,
        row,
        2,
        data.total,
        font=_font(13, bold=True),
        alignment=left,
        border=_BOX,
        number_format="#,##0",
    )
    set_cell(ws, row, 3, data.unit_word, font=_font(13, bold=True), alignment=left, border=_BOX)

    row += 2
    merged(row, "Xác nhận của UBND xã", 1, 2, font=_font(13, bold=True), alignment=center)
    set_cell(ws, row, 3, "Xác nhận của khu dân cư", font=_font(13, bold=True), alignment=center)
    merged(row + 1, "(Ký tên, đóng dấu)", 1, 2, font=_font(12, italic=True), alignment=center)
    set_cell(ws, row + 1, 3, "(Ký, ghi rõ họ tên)", font=_font(12, italic=True), alignment=center)

    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    # Decree 30/2020 margins (inches): top/bottom 20 mm, left 30 mm, right 15 mm.
    ws.page_margins = PageMargins(left=30 / 25.4, right=15 / 25.4, top=20 / 25.4, bottom=20 / 25.4)
    wb.properties.title = data.title
    wb.properties.creator = "smartvillage"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


# ---- DOCX --------------------------------------------------------------------------------------


def list_docx(data: OfficialList) -> bytes:
    """The same page as the annex of Mẫu số 01 (documents.lists: one template for both)."""
    from smartvillage.documents.lists import list_context, render_list_docx

    context = list_context(
        code=data.code,
        title=data.title,
        village_name=data.village_name,
        commune_name=data.commune_name,
        at=data.at,
        households=data.households,
        rows=[(name, note) for _stt, name, note in data.rows],
    )
    return render_list_docx(context)


# ---- the action ---------------------------------------------------------------------------------


def export_list(
    user: Any,
    unit: AdminUnit,
    set_slug: str,
    criterion_code: str,
    fmt: str = "xlsx",
    at: dt.date | None = None,
    version: int | None = None,
) -> tuple[bytes, str, str]:
    """(content, file name, content type) of a criterion's list; checks permission, audits the export."""
    from smartvillage.criteria.loader import get_set

    if user is not None and not can(user, Action.EXPORT_PERSONAL, unit):
        raise PermissionDenied(f"export_personal on {unit}")
    if fmt not in ("xlsx", "docx"):
        raise DomainError(f"Định dạng “{fmt}” không hỗ trợ; chọn xlsx hoặc docx.", "bad_format")
    cset = get_set(set_slug, version)  # DomainError names the known sets
    criterion = cset.criterion(criterion_code)
    data = build_list(unit, cset, criterion, at)
    content = list_xlsx(data) if fmt == "xlsx" else list_docx(data)
    audit.record(
        actor=user,
        action=AuditAction.EXPORT,
        unit=unit,
        object_type="list",
        object_repr=f"{data.code or criterion.code} {cset.slug}"[:200],
        note=f"{data.title} ({fmt}, {data.total} {data.unit_word}, ngày {format_date(data.at)})",
        count=data.total,
    )
    return content, f"{data.filename_stem}.{fmt}", XLSX_TYPE if fmt == "xlsx" else DOCX_TYPE


def ratio_criteria(cset: Any) -> list[Any]:
    return [c for c in cset.criteria if c.kind == "ratio"]
