"""Partial import (an explicit choice): the valid households are written, the rejected ones come
back as an XLSX with the file's own header and a "Lỗi" column, and the corrected file completes
the village without duplicates."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import importer

HEADER = ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ", "Số CCCD", "ĐTTM"]
BAD = {"P03": "date", "P06": "sex", "P09": "cccd"}


def _list(path: Path, households: int = 10) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.append(["DANH SÁCH NHÂN KHẨU"])
    ws.append([])
    ws.append(HEADER)
    n = 0
    for h in range(1, households + 1):
        code = f"P{h:02d}"
        for i, (rel, sex) in enumerate((("Chủ hộ", "Nam"), ("Vợ", "Nữ"))):
            n += 1
            birth = f"0{i + 1}/0{h % 9 + 1}/19{70 + h}"
            identity = f"0{h:02d}0{i}5678901"
            if BAD.get(code) == "date" and i == 1:
                birth = "31/02/1980"
            if BAD.get(code) == "sex" and i == 0:
                sex = "không rõ"
            if BAD.get(code) == "cccd" and i == 1:
                identity = identity[1:]  # lost its leading 0 (a text cell with 11 digits)
            ws.append([n, code, f"Người {code}-{i}", birth, sex, rel, identity, "x"])
    ws.append([f"Tổng cộng: {households:02d} hộ, {n:02d} nhân khẩu"])
    wb.save(path)
    return path


def test_partial_import_writes_the_valid_households_and_returns_the_rejected_rows(world, tmp_path):
    path = _list(tmp_path / "ds.xlsx")
    # Default: all or nothing.
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert not report.applied and Household.objects.filter(village=world.village1).count() == 0
    with pytest.raises(DomainError):
        importer.apply(report, world.alice)

    report = importer.import_files(
        world.village1, [path], user=world.alice, partial=True, rejected_dir=tmp_path / "loi"
    )
    assert report.applied
    codes = set(Household.objects.filter(village=world.village1).values_list("code", flat=True))
    assert codes == {f"P{h:02d}" for h in range(1, 11)} - set(BAD)
    assert report.rejected_households == 3 and report.rejected == 6
    assert report.to_dict()["rejected"] == 6
    assert report.skipped_rows and "tổng cộng" in report.skipped_rows[0]["reason"]

    book = load_workbook(report.rejected_path)
    ws = book["DS"]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = [c for c in rows[0] if c is not None]
    assert header == [*HEADER, "Lỗi"]
    body = rows[1:]
    assert sorted({r[1] for r in body}) == sorted(BAD)
    assert len(body) == 6
    errors = {r[2]: r[len(HEADER)] for r in body}
    assert "31/02/1980" in errors["Người P03-1"] or "ngày" in errors["Người P03-1"]
    assert "cùng hộ với dòng" in errors["Người P03-0"]
    assert "giới tính" in errors["Người P06-0"]
    # The 11-digit CCCD is offered back with its leading 0, and the reason says so.
    p09 = next(r for r in body if r[2] == "Người P09-1")
    assert p09[6] == "009015678901" and "mất số 0" in errors["Người P09-1"]

    # The user corrects the two remaining cells and imports the file of rejected rows.
    for row in ws.iter_rows(min_row=2):
        if row[2].value == "Người P03-1":
            row[3].value = "01/02/1980"
        if row[2].value == "Người P06-0":
            row[4].value = "Nam"
    fixed = tmp_path / "da-sua.xlsx"
    book.save(fixed)
    again = importer.import_files(world.village1, [fixed], user=world.alice)
    assert again.applied, [e.message() for e in again.errors]
    assert Household.objects.filter(village=world.village1).count() == 10
    persons = Person.objects.filter(village=world.village1)
    assert persons.count() == 20
    assert len(set(persons.values_list("full_name", flat=True))) == 20
    assert persons.get(full_name="Người P09-1").identity_number == "009015678901"
    # Importing the whole original file again changes nothing and adds nobody.
    again = importer.import_files(world.village1, [path], user=world.alice, partial=True)
    assert Person.objects.filter(village=world.village1).count() == 20


def test_a_file_level_error_is_never_written_partially(world, tmp_path):
    path = tmp_path / "kho.csv"
    path.write_text("Cột một,Cột hai\n1,2\n", encoding="utf-8")
    report = importer.import_files(world.village1, [path], user=world.alice, partial=True)
    assert not report.applied and not report.partial_possible


def test_two_digit_years_are_read_by_a_stated_rule(world, tmp_path):
    path = tmp_path / "nam.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ\nY1,Lê Văn Tư,05/03/85,Chủ hộ\n", encoding="utf-8"
    )
    report = importer.preview(world.village1, [path])
    (warning,) = [w for w in report.warnings if "hai chữ số" in w.reason]
    assert "1985" in warning.reason and "quy tắc" in warning.reason
    assert warning.fix == "05/03/1985"
    assert report.ok


def test_cli_partial_writes_the_valid_households_and_names_the_rejected_file(world, tmp_path):
    import io

    from django.core.management import call_command

    path = _list(tmp_path / "ds.xlsx")
    out = io.StringIO()
    call_command(
        "import",
        str(path),
        "--village",
        str(world.village1.pk),
        "--partial",
        "--rejected-dir",
        str(tmp_path / "loi"),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert "Đã nhập" in text and "3 hộ có lỗi chưa ghi (6 dòng)" in text
    (rejected,) = (tmp_path / "loi").glob("*.xlsx")
    assert str(rejected) in text
    assert Household.objects.filter(village=world.village1).count() == 7
