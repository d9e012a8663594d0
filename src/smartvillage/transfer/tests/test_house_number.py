"""The house number column (Thanh Hóa 6 counts houses, not households: seed 001)."""

from __future__ import annotations

from openpyxl import Workbook

from smartvillage.registry.models import Household
from smartvillage.transfer import importer


def test_so_nha_is_read_into_the_household(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(
        ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số nhà"]
    )
    ws.append([1, "H01", "Lê Văn An", "01/02/1970", "Nam", "Chủ hộ", "12"])
    ws.append([2, "H02", "Lê Văn Bình", "01/02/1975", "Nam", "Chủ hộ", "12"])
    ws.append([3, "H03", "Trần Thị Cúc", "01/02/1980", "Nữ", "Chủ hộ", "14A"])
    path = tmp_path / "so-nha.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied, [i.message() for i in report.errors] + report.to_dict().get(
        "questions", []
    )
    numbers = dict(
        Household.objects.filter(village=world.village1).values_list("code", "house_number")
    )
    assert numbers == {"H01": "12", "H02": "12", "H03": "14A"}
