"""transfer.importing.parse: rows that are not people are reported as skipped, with the reason;
the preview shows the first rows as understood, identity numbers masked."""

from __future__ import annotations

import pytest
from openpyxl import Workbook

from smartvillage.registry.models import Person
from smartvillage.transfer import importer
from smartvillage.transfer.importing.parse import _total_cell


@pytest.mark.parametrize(
    "text",
    ["Tổng cộng", "Cộng", "Tổng số", "Tổng cộng: 03 hộ, 09 nhân khẩu", "TỔNG SỐ HỘ: 12", "Cộng:"],
)
def test_totals_are_recognised(text):
    assert _total_cell([text]) is not None


@pytest.mark.parametrize("text", ["Tống Công Minh", "Công an xã", "Cộng đồng"])
def test_names_are_not_totals(text):
    assert _total_cell([None, text]) is None


def test_totals_signatures_and_place_lines_are_skipped_rows(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.append(["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", "Số CCCD"])
    ws.append([1, "K1", "Lê Văn A", "01/02/1980", "Chủ hộ", "001080012345"])
    ws.append([2, "K1", "Lê Thị B", "03/04/1982", "Vợ", None])
    ws.append(["Cộng", None, "1 hộ"])
    ws.append([3, "K2", "Trần Văn C", "05/06/1970", "Chủ hộ", None])
    ws.append(["Tổng cộng: 02 hộ, 03 nhân khẩu"])
    ws.append([None, None, "NGƯỜI LẬP BIỂU", None, "TRƯỞNG THÔN"])
    ws.append([None, None, "Hy Cương, ngày 5 tháng 3 năm 2025"])
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied and not report.errors
    assert Person.objects.filter(village=world.village1).count() == 3
    skipped = [(r["row"], r["reason"]) for r in report.skipped_rows]
    assert [row for row, _ in skipped] == [4, 6, 7, 8]
    assert "tổng cộng" in skipped[0][1] and "tổng cộng" in skipped[1][1]
    assert "ký tên" in skipped[2][1] and "ký tên" in skipped[3][1]
    assert report.to_dict()["skipped_rows"][1]["text"].startswith("Tổng cộng: 02 hộ")

    (preview,) = report.preview_rows
    assert preview["sheet"] == "DS"
    assert preview["columns"][:3] == ["Mã hộ", "Họ và tên", "Ngày sinh"]
    first = preview["rows"][0]
    assert first[1:4] == ["Lê Văn A", "01/02/1980", "Chủ hộ"]
    assert first[4] == "001*******45"  # never the full identity number
    assert len(preview["rows"]) == 3
