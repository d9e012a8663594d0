"""transfer.importing.layout: header bands of 1-3 rows, group context, values that decide."""

from __future__ import annotations

from openpyxl import Workbook

from smartvillage.transfer import headers as H
from smartvillage.transfer import importer
from smartvillage.transfer.importing import layout as L


def _xlsx(path, rows, merges=()):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    for row in rows:
        ws.append(row)
    for merge in merges:
        ws.merge_cells(merge)
    wb.save(path)
    return path


def test_three_header_rows_group_sub_and_numbering(world, tmp_path):
    path = _xlsx(
        tmp_path / "ba.xlsx",
        [
            ["DANH SÁCH HỘ GIA ĐÌNH VÀ NHÂN KHẨU"],
            [],
            ["TT", "Thông tin nhân khẩu", None, "Giới tính", None, "Chỉ tiêu CĐS", None],
            [None, "Họ tên", "Năm sinh", "Nam", "Nữ", "TK", "ĐTTM"],
            ["(1)", "(2)", "(3)", "(4)", "(5)", "(6)", "(7)"],
            [1, "Lê Văn A", 1980, "x", None, "x", "x"],
            [2, "Lê Thị B", 1982, None, "x", None, "x"],
        ],
        merges=("A1:G1", "A3:A4", "B3:C3", "D3:E3", "F3:G3"),
    )
    report = importer.preview(world.village1, [path])
    (layout,) = report.layouts
    assert layout.header_rows == [3, 4] and layout.header_row == 3
    assert layout.headers[3] == "Giới tính / Nam" and layout.headers[5] == "Chỉ tiêu CĐS / TK"
    keys = {c.letter: c.field.key for c in layout.columns}
    assert keys["B"] == "full_name" and keys["C"] == "birth_date"
    assert (keys["D"], keys["E"]) == ("sex_male", "sex_female")
    # "Chỉ tiêu CĐS / TK": the group says it is a fact, "TK" alone is only "tài khoản".
    assert keys.get("G") == "smartphone"
    assert layout.data_rows == 2


def test_csv_group_label_in_its_first_column_is_carried_over_its_span(world, tmp_path):
    path = tmp_path / "nhom.csv"
    path.write_text(
        "STT,Mã hộ,Họ và tên,Năm sinh,,Quan hệ\n"
        ",,,Nam,Nữ,\n"
        "1,C1,Lê Văn A,1980,,Chủ hộ\n"
        "2,C1,Lê Thị B,,1982,Vợ\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied
    (layout,) = report.layouts
    assert layout.headers[4] == "Năm sinh / Nữ"
    keys = {c.letter: c.field.key for c in layout.columns}
    assert (keys["D"], keys["E"]) == ("birth_male", "birth_female")


def test_codes_under_an_address_header_are_the_digital_address_code(world, tmp_path):
    path = tmp_path / "ma.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Quan hệ,Địa chỉ số\n"
        "D1,Lê Văn A,Chủ hộ,P6K9QX3M2A\n"
        "D2,Lê Văn C,Chủ hộ,\n"
        "D3,Lê Văn D,Chủ hộ,H7T2MM91ZB4\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    assert {c.letter: c.field.key for c in report.layouts[0].columns}["D"] == (
        "digital_address_code"
    )


def test_sniff_and_compatible():
    s = L.sniff(["01/02/1980", "1975", "x"])
    assert s.n == 3 and s.dates == 2 and s.bools == 1 and s.samples[:2] == ["01/02/1980", "1975"]
    assert L.compatible(H.CORE["birth_date"][0], L.sniff(["01/02/1980", "1975", "12/12/1990"]))
    assert not L.compatible(H.CORE["birth_date"][0], L.sniff(["Kinh", "Tày", "Kinh"]))
    assert L.compatible(H.CORE["sex"][0], L.sniff(["Nam", "Nữ", "nam"]))
    assert L.sniff(["P6K9QX3M2A", "H7T2MM91ZB4"]).codes == 2


def test_layout_signature_is_stable_and_follows_the_headers(world, tmp_path):
    a = tmp_path / "a.csv"
    b = tmp_path / "b.csv"
    a.write_text("Mã hộ,Họ và tên,Quan hệ\nS1,Lê A,Chủ hộ\n", encoding="utf-8")
    b.write_text("Mã hộ,Họ và tên,Quan hệ,ĐTTM\nS1,Lê A,Chủ hộ,x\n", encoding="utf-8")
    first = importer.preview(world.village1, [a]).layout_signature
    assert first == importer.preview(world.village1, [a]).layout_signature
    assert first != importer.preview(world.village1, [b]).layout_signature


def test_a_subtitle_right_above_the_header_is_not_context(world, tmp_path):
    path = tmp_path / "phu-de.csv"
    path.write_text(
        "Kèm theo Quyết định số 12/QĐ-UBND,,,,Mẫu 01\n"
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ,ĐTTM\n"
        "S1,Lê Văn A,01/02/1980,Chủ hộ,x\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    (layout,) = report.layouts
    assert layout.header_rows == [2]
    assert layout.headers == ["Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ", "ĐTTM"]
    assert not report.questions and not report.proposed


def test_a_persons_fact_header_on_a_households_sheet_is_the_households_fact(world, tmp_path):
    wb = Workbook()
    hs = wb.active
    hs.title = "Hộ"
    hs.append(["Mã hộ", "Họ và tên chủ hộ", "Thanh toán điện tử", "Cáp quang"])
    hs.append(["T1", "Lê Văn A", "x", "x"])
    hs.append(["T2", "Lê Văn B", None, "x"])
    ps = wb.create_sheet("Nhân khẩu")
    ps.append(["Mã hộ", "Họ và tên", "Năm sinh", "Quan hệ"])
    ps.append(["T1", "Lê Văn A", 1980, "Chủ hộ"])
    ps.append(["T2", "Lê Văn B", 1981, "Chủ hộ"])
    path = tmp_path / "hai-trang.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.applied, [e.message() for e in report.errors]
    households = report.layouts[0]
    assert households.role == "households"
    assert {c.letter: c.field.key for c in households.columns}["C"] == "household_epayment"
    from smartvillage.registry.models import Household

    assert Household.objects.get(code="T1").household_epayment
    assert not Household.objects.get(code="T2").household_epayment


def test_whose_fact_and_names_that_are_not_names(world, tmp_path):
    path = tmp_path / "ai.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Chủ hộ/Thành viên,Nộp hồ sơ DVC trực tuyến,"
        "Hộ thanh toán điện tử\n"
        "W1,Lê Văn A,1980,Chủ hộ,x,x\n"
        "W1,Lê Thị B,1982,Vợ,,\n"
        "W1,Lê Văn C,2010,Con,x,\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    (layout,) = report.layouts
    chosen = {c.letter: c.field.key for c in layout.columns}
    # The values are relationships, not names: never the head's name.
    assert chosen.get("D") != "head_name"
    assert chosen.get("D") == "relationship" or any(q["column"] == "D" for q in report.questions)
    # On a sheet of persons, the person's fact; a header that says "Hộ" keeps the household's.
    assert chosen["E"] == "online_public_services"
    assert chosen["F"] == "household_epayment"
