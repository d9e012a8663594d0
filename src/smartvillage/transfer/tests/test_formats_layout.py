"""The shared helpers this app owns: core.formats and documents.docx_layout."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document

from smartvillage.core import formats as F
from smartvillage.documents import docx_layout as D


def test_numbers_percentages_and_dates():
    assert F.format_number(1234.5) == "1.234,5"
    assert F.format_number(1234567) == "1.234.567"
    assert F.format_number(Decimal("87.90")) == "87,9"
    assert F.format_number(0.125, 2) == "0,13"
    assert F.format_number(-1500) == "-1.500"
    assert F.format_number(None) == ""
    assert F.format_percent(87.94) == "87,9 %"
    assert F.format_percent(Decimal("100")) == "100 %"
    assert F.format_percent(99.96) == "100 %"  # whole after rounding: no ",0"
    assert F.format_percent(8.25, 2) == "8,25 %"
    assert F.format_date(dt.date(2024, 3, 5)) == "05/03/2024"
    assert F.vietnamese_date(dt.date(2024, 3, 5)) == "ngày 05 tháng 3 năm 2024"
    assert F.vietnamese_date(dt.date(2024, 2, 15)) == "ngày 15 tháng 02 năm 2024"
    assert F.vietnamese_date(dt.date(2023, 12, 1)) == "ngày 01 tháng 12 năm 2023"
    assert F.place_date_line("An Nhơn", dt.date(2024, 3, 5)) == "An Nhơn, ngày 05 tháng 3 năm 2024"
    assert F.parse_date_vi("5/3/2024") == dt.date(2024, 3, 5)
    assert F.parse_date_vi("05-03-24") == dt.date(2024, 3, 5)
    with pytest.raises(ValueError):
        F.parse_date_vi("31/02/2024")


def test_docx_layout_builds_a_decree_30_document():
    doc = D.new_document()
    D.national_header(
        doc,
        ["UBND huyện Tứ Kỳ", "UBND xã An Thanh"],
        number="Số: 12/BC-UBND",
        place_date=F.place_date_line("An Thanh", dt.date(2024, 3, 5)),
    )
    D.document_title(
        doc, "Báo cáo", "Kết quả thực hiện tiêu chí khu dân cư thông minh", code="Mẫu số 01"
    )
    D.body_paragraph(doc, "Căn cứ hướng dẫn số …")
    D.grid_table(
        doc,
        ["STT", "Họ và tên", "Ghi chú"],
        [(1, "A", "")],
        widths_mm=[15, 110, 40],
        footer=["", "Tổng cộng: 1", ""],
    )
    D.confirmation_blocks(
        doc,
        [
            D.ConfirmationBlock("Xác nhận của UBND xã"),
            D.ConfirmationBlock("Xác nhận của khu dân cư"),
        ],
    )
    D.recipients_and_signature(
        doc,
        ["Sở TT&TT;", "Lưu: VT."],
        D.Signature("TM. Ủy ban nhân dân", "Chủ tịch", "Nguyễn Văn A"),
    )
    back = Document(io.BytesIO(D.to_bytes(doc)))
    section = back.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.bottom_margin.mm)) == (20, 20)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    cells = [c.text for t in back.tables for row in t.rows for c in row.cells]
    joined = "\n".join(cells)
    assert (
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in joined and "Độc lập - Tự do - Hạnh phúc" in joined
    )
    assert "UBND XÃ AN THANH" in joined and "Số: 12/BC-UBND" in joined
    assert "An Thanh, ngày 05 tháng 3 năm 2024" in joined
    assert "TM. ỦY BAN NHÂN DÂN" in joined and "CHỦ TỊCH" in joined and "Nguyễn Văn A" in joined
    assert "Nơi nhận:" in joined and "- Lưu: VT." in joined
    texts = [p.text for p in back.paragraphs]
    assert "BÁO CÁO" in texts and "Mẫu số 01" in texts
    fonts = {r.font.name for p in back.paragraphs for r in p.runs if r.text}
    assert fonts == {"Times New Roman"}
