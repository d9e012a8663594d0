"""The household's contact phone from village lists: "SĐT", "Số điện thoại", "ĐT liên hệ" …
are read into Household.phone (checked by the household form's own rule), never confused with
the smartphone fact ("ĐTTM", x/blank); a number Excel stripped of its 0 gets it back; a bad one is
an error of its row; in a list of persons the household keeps the head's number, else the first
member's, and says so when that is not plain; the template round-trips it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from smartvillage.core.errors import DomainError
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Household, Person
from smartvillage.transfer import forms_xlsx, importer
from smartvillage.transfer import values as V


def _xlsx(path: Path, header: list[str], rows: list[list[object]], title: str = "DS") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    ws.append(["DANH SÁCH HỘ GIA ĐÌNH THÔN MỘT"])
    ws.append([])
    ws.append(header)
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def _phones(village) -> dict[str, str]:
    return dict(Household.objects.filter(village=village).values_list("code", "phone"))


def _column(report, key: str) -> str:
    (layout,) = [layout for layout in report.layouts if layout.role != "ignored"]
    return next(c.letter for c in layout.columns if c.field.key == key)


# ---- a list of households: the row's number -------------------------------------------------


def test_a_household_list_with_sdt_fills_the_contact_phone(world, tmp_path):
    path = _xlsx(
        tmp_path / "ho.xlsx",
        ["STT", "Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "SĐT"],
        [
            [1, "H01", "Nguyễn Văn An", "Xóm Giữa", "0912 345 678"],
            [2, "H02", "Trần Thị Bình", "Xóm Trên", "0987.654.321"],
            [3, "H03", "Lê Văn Cường", "Xóm Dưới", None],
        ],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied, [e.message() for e in report.errors]
    (layout,) = report.layouts
    assert layout.role == "households"
    column = next(c for c in layout.columns if c.letter == "E")
    assert (column.field.key, column.field.label, column.state) == (
        "phone",
        "Số điện thoại",
        "mapped",
    )
    assert _phones(world.village1) == {"H01": "0912 345 678", "H02": "0987.654.321", "H03": ""}
    assert not report.warnings


@pytest.mark.parametrize(
    "header", ["Số điện thoại", "SĐT", "Điện thoại", "ĐT liên hệ", "SĐT chủ hộ", "Số ĐT"]
)
def test_the_spellings_people_write_are_the_phone(world, tmp_path, header):
    path = _xlsx(
        tmp_path / "ho.xlsx",
        ["STT", "Mã hộ", "Họ và tên chủ hộ", header],
        [[1, "H01", "Nguyễn Văn An", "0912345678"], [2, "H02", "Trần Thị Bình", "0387654321"]],
    )
    report = importer.preview(world.village1, [path])
    assert _column(report, "phone") == "D"
    assert not report.questions and not report.proposed and not report.unmatched


def test_reimporting_a_household_list_updates_the_phone_and_an_empty_cell_clears_it(
    world, tmp_path
):
    """The rule of every household column of a list of households (Địa chỉ, Số nhà …): the file
    is the household's row, so an empty cell clears what was recorded (with an audit entry)."""
    for code, name, phone in (
        ("H01", "Lê Văn An", "0911 111 111"),
        ("H02", "Hà Thị Bé", "0922 222 222"),
    ):
        HouseholdFactory(village=world.village1, code=code, head_name=name, phone=phone)
    path = _xlsx(
        tmp_path / "ho.xlsx",
        ["Mã hộ", "Họ và tên chủ hộ", "Địa chỉ", "Số điện thoại"],
        [["H01", "Lê Văn An", "Xóm Giữa", "0933 333 333"], ["H02", "Hà Thị Bé", None, None]],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied and report.counts["households_updated"] == 2
    assert _phones(world.village1) == {"H01": "0933 333 333", "H02": ""}
    assert Household.objects.get(code="H02").address == ""  # the same rule as the address
    changes = {
        item.object_repr.split(" - ")[0]: (item.before, item.after)
        for item in report.event.items.all()
    }
    assert changes["H01"] == ({"phone": "0911 111 111"}, {"phone": "0933 333 333"})
    # Imported again, nothing changes.
    again = importer.import_files(world.village1, [path], user=world.alice)
    assert again.counts["households_unchanged"] == 2


# ---- a list of persons: one number per household ---------------------------------------------

PERSONS = ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ với chủ hộ", "Số điện thoại"]


def test_a_person_list_keeps_the_heads_number_else_the_first_members(world, tmp_path):
    path = _xlsx(
        tmp_path / "nk.xlsx",
        PERSONS,
        [
            # H01: the head has a number, his wife another: the head's is kept, the report says
            # the wife's is not.
            [1, "H01", "Nguyễn Văn An", "01/02/1970", "Chủ hộ", "0912 345 678"],
            [2, "H01", "Phạm Thị Hoa", "03/04/1972", "Vợ", "0987 000 111"],
            # H02: the head has none, the first member with one gives the household's.
            [3, "H02", "Trần Văn Bình", "05/06/1950", "Chủ hộ", None],
            [4, "H02", "Trần Văn Dũng", "07/08/1980", "Con", "0356 111 222"],
            [5, "H02", "Trần Thị Em", "09/10/1985", "Con", "0356 999 888"],
            # H03: the head is below a member in the file; his number still wins.
            [6, "H03", "Lê Thị Gấm", "01/01/1990", "Vợ", "0777 123 456"],
            [7, "H03", "Lê Văn Cường", "02/02/1988", "Chủ hộ", "0888 123 456"],
            # H04: everybody writes the household's number: nothing to say.
            [8, "H04", "Đỗ Văn Hùng", "03/03/1960", "Chủ hộ", "0911 000 000"],
            [9, "H04", "Đỗ Thị Lan", "04/04/1962", "Vợ", "0911.000.000"],
            # H05: no number at all.
            [10, "H05", "Bùi Văn Khoa", "05/05/1975", "Chủ hộ", None],
        ],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied, [e.message() for e in report.errors]
    assert _column(report, "phone") == "F"
    assert _phones(world.village1) == {
        "H01": "0912 345 678",
        "H02": "0356 111 222",
        "H03": "0888 123 456",
        "H04": "0911 000 000",
        "H05": "",
    }
    warnings = {w.reason.split("”")[0].removeprefix("hộ “"): w for w in report.warnings}
    assert set(warnings) == {"H01", "H02", "H03"}
    h01 = warnings["H01"]
    assert (h01.sheet, h01.row) == ("DS", 4)
    assert "lấy của chủ hộ “Nguyễn Văn An”: 0912 345 678" in h01.reason
    assert "không ghi vào sổ số của “Phạm Thị Hoa” 0987 000 111 (dòng 5)" in h01.reason
    h02 = warnings["H02"].reason
    assert "chủ hộ “Trần Văn Bình” không có số điện thoại trong tệp" in h02
    assert "lấy của “Trần Văn Dũng” (dòng 7, người đầu tiên trong hộ có số): 0356 111 222" in h02
    assert "“Trần Thị Em” 0356 999 888 (dòng 8)" in h02
    assert "“Lê Thị Gấm” 0777 123 456 (dòng 9)" in warnings["H03"].reason
    # The phone is the household's: no person carries it.
    assert Person.objects.filter(village=world.village1).count() == 10


def test_a_person_list_where_only_a_member_has_a_number(world, tmp_path):
    path = _xlsx(
        tmp_path / "nk.xlsx",
        PERSONS,
        [
            [1, "H01", "Nguyễn Văn An", "01/02/1950", "Chủ hộ", None],
            [2, "H01", "Nguyễn Thị Hạnh", "03/04/1980", "Con", "0912345678"],
        ],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied
    assert _phones(world.village1) == {"H01": "0912345678"}
    (warning,) = report.warnings
    assert warning.reason == (
        "hộ “H01”: chủ hộ “Nguyễn Văn An” không có số điện thoại trong tệp; số liên hệ của hộ "
        "lấy của “Nguyễn Thị Hạnh” (dòng 5, người đầu tiên trong hộ có số): 0912345678"
    )


def test_in_a_person_list_an_empty_phone_keeps_the_recorded_one(world, tmp_path):
    """Household columns of a list of persons are read where filled (the head's row carries
    them), so a list without any number for a household leaves its phone as it was."""
    HouseholdFactory(
        village=world.village1, code="H01", head_name="Nguyễn Văn An", phone="0911 111 111"
    )
    path = _xlsx(
        tmp_path / "nk.xlsx",
        PERSONS,
        [[1, "H01", "Nguyễn Văn An", "01/02/1950", "Chủ hộ", None]],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied
    assert _phones(world.village1) == {"H01": "0911 111 111"}


# ---- numbers Excel changed, numbers that are not numbers --------------------------------------


def test_a_number_cell_gets_its_leading_zero_back(world, tmp_path):
    path = _xlsx(
        tmp_path / "ho.xlsx",
        ["Mã hộ", "Họ và tên chủ hộ", "Số điện thoại"],
        [["H01", "Nguyễn Văn An", 912345678], ["H02", "Trần Thị Bình", 2438261234]],
    )
    assert load_workbook(path)["DS"]["C4"].data_type == "n"  # a number cell, as Excel keeps it
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied
    assert _phones(world.village1) == {"H01": "0912345678", "H02": "02438261234"}
    first = report.warnings[0]
    assert (first.sheet, first.row, first.column, first.header) == ("DS", 4, "C", "Số điện thoại")
    assert first.reason == (
        "số điện thoại “912345678” mất số 0 ở đầu (ô dạng số); đã bổ sung thành 0912345678"
    )
    assert first.fix == "0912345678"


def test_an_invalid_phone_is_an_error_of_its_row_and_nothing_is_written(world, tmp_path):
    path = _xlsx(
        tmp_path / "ho.xlsx",
        ["STT", "Mã hộ", "Họ và tên chủ hộ", "SĐT"],
        [
            [1, "H01", "Nguyễn Văn An", "0912 345 678"],
            [2, "H02", "Trần Thị Bình", "gọi ông Bình"],
            [3, "H03", "Lê Văn Cường", "0912"],
            [4, "H04", "Đỗ Văn Hùng", "0912345678 / 0987654321"],
        ],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert not report.applied and Household.objects.filter(village=world.village1).count() == 0
    errors = {e.row: e for e in report.errors}
    assert set(errors) == {5, 6, 7}
    letters = errors[5]
    assert (letters.sheet, letters.column, letters.header, letters.value) == (
        "DS",
        "D",
        "SĐT",
        "gọi ông Bình",
    )
    assert letters.message() == (
        "Trang “DS”, dòng 5, cột D (SĐT): số điện thoại “gọi ông Bình” không hợp lệ (có chữ "
        "cái). Số điện thoại chỉ gồm chữ số (có thể có dấu cách, chấm, gạch), 8–20 ký tự."
    )
    assert "quá ngắn: 4 ký tự" in errors[6].reason
    assert "ô có 2 số điện thoại" in errors[7].reason and errors[7].fix == "0912345678"
    with pytest.raises(DomainError):
        importer.apply(report, world.alice)

    # Partial import: the others are written, the rows refused come back with "Lỗi".
    report = importer.import_files(
        world.village1, [path], user=world.alice, partial=True, rejected_dir=tmp_path / "loi"
    )
    assert report.applied and report.rejected == 3
    assert _phones(world.village1) == {"H01": "0912 345 678"}
    rows = list(load_workbook(report.rejected_path)["DS"].iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] == "STT")
    assert header[-1] == "Lỗi"
    body = {r[1]: r for r in rows[rows.index(header) + 1 :]}
    assert set(body) == {"H02", "H03", "H04"}
    assert "có chữ cái" in body["H02"][-1]
    assert body["H04"][3] == "0912345678"  # the proposed fix, filled in


def test_the_household_forms_rule_is_the_importers():
    """One rule: what the form accepts the import accepts, what it refuses the import refuses."""
    from django.core.exceptions import ValidationError

    field = Household._meta.get_field("phone")
    for value in ("0912 345 678", "+84 912 345 678", "024.3826.1234", "1900 1234"):
        field.clean(value, None)
        assert V.parse_phone(value)[0] == value
    for value in ("gọi 0912", "0912", "0912345678/0987654321", "(024) 3826 1234"):
        with pytest.raises(ValidationError):
            field.clean(value, None)
        with pytest.raises(ValueError):
            V.parse_phone(value)
    # Two numbers on two lines of one cell: refused, the first one offered.
    with pytest.raises(V.Refused) as refused:
        V.parse_phone("0912 345 678\n0987 654 321")
    assert refused.value.fix == "0912 345 678" and "ô có 2 số điện thoại" in str(refused.value)
    # Accepted but not the length of a Vietnamese number: kept, with a warning to check it.
    phone, warning, _fix = V.parse_phone("091234567")
    assert phone == "091234567" and "9 chữ số" in warning


# ---- the smartphone fact is not the phone -----------------------------------------------------


@pytest.mark.parametrize(
    ("phone_header", "smartphone_header"),
    [
        ("Số điện thoại", "Có điện thoại thông minh"),
        ("Điện thoại", "Điện thoại thông minh"),
        ("SĐT", "ĐTTM"),
        ("ĐT", "Có ĐTTM"),
    ],
)
def test_a_smartphone_column_next_to_a_phone_column(
    world, tmp_path, phone_header, smartphone_header
):
    path = _xlsx(
        tmp_path / "nk.xlsx",
        ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", smartphone_header, phone_header],
        [
            [1, "H01", "Nguyễn Văn An", "01/02/1970", "Chủ hộ", "x", "0912 345 678"],
            [2, "H01", "Phạm Thị Hoa", "03/04/1972", "Vợ", None, None],
            [3, "H02", "Trần Văn Bình", "05/06/1950", "Chủ hộ", "x", 987654321],
            [4, "H02", "Trần Văn Dũng", "07/08/1980", "Con", "x", None],
        ],
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied, [e.message() for e in report.errors] + report.questions
    assert _column(report, "smartphone") == "F" and _column(report, "phone") == "G"
    assert _phones(world.village1) == {"H01": "0912 345 678", "H02": "0987654321"}
    smart = dict(Person.objects.values_list("full_name", "smartphone"))
    assert smart == {
        "Nguyễn Văn An": True,
        "Phạm Thị Hoa": False,
        "Trần Văn Bình": True,
        "Trần Văn Dũng": True,
    }


def test_a_phone_header_over_x_marks_is_not_the_phone(world, tmp_path):
    """ "ĐT" with x/blank under it is not a column of numbers: never the phone (the smartphone
    fact a criterion counts is asked about instead of 4 rows of "not a phone number")."""
    path = _xlsx(
        tmp_path / "nk.xlsx",
        ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", "Điện thoại"],
        [
            [1, "H01", "Nguyễn Văn An", "01/02/1970", "Chủ hộ", "x"],
            [2, "H01", "Phạm Thị Hoa", "03/04/1972", "Vợ", None],
            [3, "H02", "Trần Văn Bình", "05/06/1950", "Chủ hộ", "x"],
        ],
    )
    report = importer.preview(world.village1, [path])
    (layout,) = report.layouts
    assert "phone" not in {c.field.key for c in layout.columns}
    assert not [e for e in report.errors if e.column == "F"]


def test_a_column_of_phone_numbers_never_maps_to_the_smartphone_fact(world, tmp_path):
    path = _xlsx(
        tmp_path / "nk.xlsx",
        ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", "ĐT thông minh"],
        [
            [1, "H01", "Nguyễn Văn An", "01/02/1970", "Chủ hộ", "0912345678"],
            [2, "H02", "Trần Văn Bình", "05/06/1950", "Chủ hộ", "0987654321"],
        ],
    )
    report = importer.preview(world.village1, [path])
    (layout,) = report.layouts
    assert "smartphone" not in {c.field.key for c in layout.columns}


def test_a_column_without_a_header_holding_phones_is_asked_about(world, tmp_path):
    path = _xlsx(
        tmp_path / "nk.xlsx",
        ["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", None],
        [
            [1, "H01", "Nguyễn Văn An", "01/02/1970", "Chủ hộ", "0912345678"],
            [2, "H02", "Trần Văn Bình", "05/06/1950", "Chủ hộ", "0987 654 321"],
        ],
    )
    report = importer.preview(world.village1, [path])
    (question,) = report.questions
    assert question["column"] == "F"
    assert [c["field"] for c in question["candidates"]] == ["phone"]
    assert question["candidates"][0]["label"] == "Số điện thoại"


# ---- the template and the round trip ---------------------------------------------------------


def test_the_registry_round_trips_its_phones(world, tmp_path):
    h1 = HouseholdFactory(
        village=world.village1, code="H01", head_name="Nguyễn Văn Một", phone="0912 345 678"
    )
    h2 = HouseholdFactory(
        village=world.village1, code="H02", head_name="Trần Văn Hai", phone="02438261234"
    )
    HouseholdFactory(village=world.village1, code="H03", head_name="Lê Văn Ba")
    PersonFactory(
        household=h1,
        full_name="Nguyễn Văn Một",
        relationship="head",
        birth_date=dt.date(1980, 1, 2),
    )
    PersonFactory(
        household=h2, full_name="Trần Văn Hai", relationship="head", birth_date=dt.date(1975, 3, 4)
    )
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(forms_xlsx.export_registry(world.alice, world.village1))
    wb = load_workbook(path)
    ws = wb["Hộ gia đình"]
    headers = [c.value for c in ws[forms_xlsx.HEADER_ROW]]
    col = headers.index("Số điện thoại") + 1
    cell = ws.cell(forms_xlsx.HEADER_ROW + 2, col)
    assert (cell.value, cell.data_type, cell.number_format) == ("02438261234", "s", "@")
    # Empty rows below keep the text format too: a number typed there keeps its 0.
    assert ws.cell(forms_xlsx.HEADER_ROW + 10, col).number_format == "@"

    before = _phones(world.village1)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied and not report.warnings, [w.message() for w in report.warnings]
    assert report.counts.get("households_updated", 0) == 0
    assert _phones(world.village1) == before

    ws.cell(forms_xlsx.HEADER_ROW + 3, col).value = "0388 777 666"  # H03 gets a number
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied and report.counts["households_updated"] == 1
    assert _phones(world.village1) == {**before, "H03": "0388 777 666"}


def test_the_xlsform_asks_for_the_phone_with_the_forms_rule():
    survey, _choices, _settings = forms_xlsx.xlsform_rows()
    row = next(r for r in survey if r[1] == "phone")
    assert row[2] == "Số điện thoại" and "regex(" in row[6]
    assert row[7].startswith("Số điện thoại chỉ gồm chữ số")
