"""Regressions from the import audit: each test reproduces one finding with a real file."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from smartvillage.core.errors import DomainError
from smartvillage.core.testing import PASSWORD
from smartvillage.registry.models import Household, Person, Relationship, Sex
from smartvillage.transfer import importer, jobs
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.transfer.reader import decode_csv, read_file
from smartvillage.transfer.tests import builders


def _persons(village):
    return {
        p.full_name: p for p in Person.objects.filter(village=village).select_related("household")
    }


def _set_dimension(path, ref: str) -> None:
    """Rewrite <dimension ref> of the first sheet, as Excel writes it when top rows are empty."""
    member = "xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(path) as src:
        items = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == member:
                data = re.sub(rb'<dimension ref="[^"]*"', f'<dimension ref="{ref}"'.encode(), data)
            out.writestr(info, data)


def _dimension(path) -> str:
    with zipfile.ZipFile(path) as archive:
        data = archive.read("xl/worksheets/sheet1.xml")
    return re.search(rb'<dimension ref="([^"]*)"', data).group(1).decode()


# 1. Row numbers when the sheet's dimension does not start at A1 ---------------------------------


def test_rows_are_numbered_from_1_when_the_dimension_starts_lower(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws["A2"] = "DANH SÁCH HỘ GIA ĐÌNH THÔN MỘT"  # row 1 left empty
    ws.merge_cells("A2:E2")
    ws.append(["STT", "Mã hộ", "Họ và tên", "Ngày sinh", "Quan hệ"])  # row 3
    ws.append([1, "M1", "Chủ Một", "01/02/1970", "Chủ hộ"])  # row 4
    ws.append([2, None, "Vợ Một", "03/04/1972", "Vợ"])
    ws.append([3, None, "Con Một", "05/06/2000", "Con"])
    ws.append([4, "M2", "Chủ Hai", "31/02/1960", "Chủ hộ"])  # row 7: the bad date
    ws.append([5, None, "Con Hai", "07/08/1990", "Con"])
    ws.merge_cells("B4:B6")
    ws.merge_cells("B7:B8")
    path = tmp_path / "lech.xlsx"
    wb.save(path)
    if not _dimension(path).startswith("A2:"):
        _set_dimension(path, "A2:E8")
    assert _dimension(path) == "A2:E8"

    report = importer.preview(world.village1, [path])
    assert report.layouts[0].header_row == 3
    assert [(e.row, e.column, e.value) for e in report.errors] == [(7, "D", "31/02/1960")]
    assert report.errors[0].message().startswith("Trang “DS”, dòng 7, cột D (Ngày sinh)")
    # The merged household codes fill exactly their own rows.
    codes = {p.fields["full_name"]: h.code for h in report.households for p in h.persons}
    assert codes == {
        "Chủ Một": "M1",
        "Vợ Một": "M1",
        "Con Một": "M1",
        "Chủ Hai": "M2",
        "Con Hai": "M2",
    }
    rows = {p.fields["full_name"]: p.src.row for h in report.households for p in h.persons}
    assert rows["Chủ Một"] == 4 and rows["Con Hai"] == 8


# 2. A capital "Ã" in real UTF-8 is not mojibake -------------------------------------------------


def test_utf8_with_capital_a_tilde_is_not_taken_for_mojibake(world, tmp_path):
    path = tmp_path / "xa.csv"
    path.write_text(
        "UBND XÃ HY CƯƠNG\nDANH SÁCH NHÂN KHẨU KHU 3 - XÃ HY CƯƠNG\n"
        "MÃ HỘ,HỌ VÀ TÊN,NĂM SINH,QUAN HỆ\n"
        "R1,NGUYỄN VĂN NGÃ,1970,Chủ hộ\nR1,ĐỖ THỊ NGÃI,1972,Vợ\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert set(_persons(world.village1)) == {"NGUYỄN VĂN NGÃ", "ĐỖ THỊ NGÃI"}
    assert Household.objects.get(village=world.village1).code == "R1"


def test_mojibake_is_still_repaired_and_unrepairable_text_is_kept():
    genuine = "Họ và tên,Ghi chú\nNgô Văn Ưng,XÃ HY CƯƠNG\n"
    assert decode_csv(genuine.encode("utf-8")) == genuine
    mangled = "Há»\u008d vÃ\u00a0 tÃªn"  # "Họ và tên" through Windows-1252 once
    assert decode_csv(mangled.encode("utf-8")) == "Họ và tên"
    # Mangled characters next to genuine ones that cp1252 cannot hold ("Ư"): each mangled
    # character is repaired, the rest is kept as written (no refusal).
    assert decode_csv(f"{mangled},Ưng".encode()) == "Họ và tên,Ưng"
    # A lead character without the continuation it needs is kept.
    assert decode_csv("MÃ HỘ,Ã,Ä,Â".encode()) == "MÃ HỘ,Ã,Ä,Â"


# 3. Semicolon CSVs with title lines -------------------------------------------------------------


def test_semicolon_csv_with_title_lines(world, tmp_path):
    path = tmp_path / "cham-phay.csv"
    path.write_text(
        "DANH SÁCH NHÂN KHẨU KHU 3, Hy Cương\n(tính đến ngày 01/03/2024)\n"
        "STT;Mã hộ;Họ và tên;Ngày sinh;Giới tính;Quan hệ với chủ hộ;ĐTTM\n"
        "1;S1;Nguyễn Văn Chấm;01/02/1980;Nam;Chủ hộ;x\n"
        "2;S1;Lê Thị Phẩy;1982;Nữ;Vợ;\n"
        "3;S2;Trần Văn Ba;1975;Nam;Chủ hộ;x\n"
        "Tổng cộng;;3 người;;;;\n",
        encoding="utf-8-sig",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert report.layouts[0].header_row == 3 and report.layouts[0].data_rows == 3
    people = _persons(world.village1)
    assert set(people) == {"Nguyễn Văn Chấm", "Lê Thị Phẩy", "Trần Văn Ba"}
    assert people["Nguyễn Văn Chấm"].birth_date == dt.date(1980, 2, 1)
    assert people["Nguyễn Văn Chấm"].smartphone and not people["Lê Thị Phẩy"].smartphone


# 4. UTF-16 "Unicode Text", unreadable CSVs, and the inline job path ----------------------------

UNICODE_TEXT = "Mã hộ\tHọ và tên\tNăm sinh\tQuan hệ\r\nU1\tNguyễn Văn Ưu\t1980\tChủ hộ\r\n"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_unicode_text_from_excel(world, tmp_path, encoding):
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    path = tmp_path / "unicode.txt"
    path.write_bytes(bom + UNICODE_TEXT.encode(encoding))
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    person = Person.objects.get(village=world.village1)
    assert person.full_name == "Nguyễn Văn Ưu" and person.relationship == Relationship.HEAD
    assert person.household.code == "U1"


def _broken_csv(path):
    # An unclosed quote swallows the rest of the file into one cell, beyond csv's field limit.
    path.write_text(
        'Mã hộ,Họ và tên,Năm sinh\nB1,"Nguyễn Văn Hỏng,1980\n' + "x" * 140_000 + "\n",
        encoding="utf-8",
    )
    return path


def test_unparseable_csv_is_a_domain_error_and_the_cli_says_so(world, tmp_path):
    path = _broken_csv(tmp_path / "hong.csv")
    with pytest.raises(DomainError, match="không đọc được như bảng CSV") as info:
        read_file(path)
    assert "hong.csv" in str(info.value)
    with pytest.raises(CommandError, match="không đọc được như bảng CSV"):
        call_command("import", str(path), "--village", str(world.village1.pk))
    assert not Person.objects.exists()


def test_web_upload_of_unicode_text_and_of_unreadable_files_ends_the_job(
    client, world, tmp_path, monkeypatch
):
    assert client.login(username=world.alice.username, password=PASSWORD)
    url = reverse("transfer:import", args=[world.village1.pk])
    unicode_text = SimpleUploadedFile("u16.txt", b"\xff\xfe" + UNICODE_TEXT.encode("utf-16-le"))
    response = client.post(url, {"files": unicode_text})
    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.status == JobStatus.PREVIEWED and job.report["ok"]

    broken = _broken_csv(tmp_path / "hong.csv")
    response = client.post(url, {"files": SimpleUploadedFile("hong.csv", broken.read_bytes())})
    assert response.status_code == 302
    job = ImportJob.objects.order_by("-created_at").first()
    assert job.status == JobStatus.FAILED and "không đọc được như bảng CSV" in job.message
    page = client.get(response.url).content.decode()
    assert "không đọc được như bảng CSV" in page and 'id="progress"' not in page

    # An unexpected error in the inline (small file) path: failed, like the background path.
    def boom(*args, **kwargs):
        raise RuntimeError("bug")

    monkeypatch.setattr(importer, "preview", boom)
    response = client.post(url, {"files": unicode_text.open() and unicode_text})
    assert response.status_code == 302
    job = ImportJob.objects.order_by("-created_at").first()
    assert job.status == JobStatus.FAILED and job.message == jobs.FAILED_MESSAGE
    assert str(job.pk) not in jobs._progress


# 5. Signature lines under a list without a "Tổng cộng" row --------------------------------------


def _signed_list(path, date_line: bool):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.append(["DANH SÁCH NHÂN KHẨU THÔN"])
    ws.append(["STT", "Mã hộ", "Họ và tên", "Năm sinh", "Quan hệ", "ĐTTM"])
    ws.append([1, "S1", "Chủ Một", 1970, "Chủ hộ", "x"])
    ws.append([2, "S1", "Vợ Một", 1972, "Vợ", "x"])
    ws.append([])
    if date_line:
        ws.append([None, None, None, "Hy Cương, ngày 5 tháng 3 năm 2024"])
    ws.append([None, None, "NGƯỜI LẬP BIỂU", None, "TRƯỞNG KHU"])
    ws.append([])
    ws.append([None, None, "Nguyễn Văn Lập", None, "Trần Văn Trưởng"])
    wb.save(path)
    return path


@pytest.mark.parametrize("date_line", [True, False])
def test_signature_lines_under_the_list_are_not_persons(world, tmp_path, date_line):
    path = _signed_list(tmp_path / "ky.xlsx", date_line)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert set(_persons(world.village1)) == {"Chủ Một", "Vợ Một"}
    assert report.layouts[0].data_rows == 2
    (ending,) = [w for w in report.warnings if "hết danh sách" in w.reason]
    if date_line:
        assert (ending.row, ending.column, ending.value) == (
            6,
            "D",
            "Hy Cương, ngày 5 tháng 3 năm 2024",
        )
    else:
        assert (ending.row, ending.column, ending.value) == (6, "C", "NGƯỜI LẬP BIỂU")
    assert ending.message().startswith(f"Trang “DS”, dòng 6, cột {ending.column}")


def test_a_blank_row_between_households_does_not_end_the_list(world, tmp_path):
    path = tmp_path / "cach.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Quan hệ\nB1,Chủ Một,1970,Chủ hộ\n,,,\nB2,Chủ Hai,1960,Chủ hộ\n"
        ",,,\n,Trưởng thôn,,\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert set(_persons(world.village1)) == {"Chủ Một", "Chủ Hai"}
    assert any(w.row == 6 and "hết danh sách" in w.reason for w in report.warnings)


# 6. Re-import with a more precise birth date ----------------------------------------------------


def test_reimport_with_a_more_precise_birth_date_updates_in_place(world, tmp_path):
    first = tmp_path / "nam.csv"
    first.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ\nY1,Đào Văn Năm,1980,Chủ hộ\nY1,Đào Thị Sáu,1982,Vợ\n",
        encoding="utf-8",
    )
    importer.import_files(world.village1, [first], user=world.alice)
    assert Person.objects.get(full_name="Đào Văn Năm").birth_year_only
    second = tmp_path / "ngay.csv"
    second.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ\nY1,Đào Văn Năm,12/05/1980,Chủ hộ\n"
        "Y1,Đào Thị Sáu,1983,Vợ\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [second], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert report.counts["persons_updated"] == 1 and report.counts["persons_created"] == 1
    nam = Person.objects.get(full_name="Đào Văn Năm")
    assert nam.birth_date == dt.date(1980, 5, 12) and not nam.birth_year_only
    # Another year is another person (the year alone only matches dates in that year).
    assert Person.objects.filter(full_name="Đào Thị Sáu").count() == 2

    # The first file again: the precise date in the registry is kept, nothing changes for him.
    again = importer.preview(world.village1, [first])
    plan = {p.fields["full_name"]: p.action for h in again.households for p in h.persons}
    assert plan["Đào Văn Năm"] == "unchanged"


def test_household_without_code_is_found_again_when_the_heads_date_is_more_precise(world, tmp_path):
    path = tmp_path / "khong-ma.csv"
    path.write_text(
        "Họ và tên,Năm sinh,Quan hệ\nTô Văn Chủ,1960,Chủ hộ\nTô Thị Vợ,1962,Vợ\n", encoding="utf-8"
    )
    importer.import_files(world.village1, [path], user=world.alice)
    code = Household.objects.get(village=world.village1).code
    path.write_text(
        "Họ và tên,Năm sinh,Quan hệ\nTô Văn Chủ,02/03/1960,Chủ hộ\nTô Thị Vợ,1962,Vợ\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert report.counts.get("households_created", 0) == 0
    assert [h.code for h in Household.objects.filter(village=world.village1)] == [code]
    assert Person.objects.get(full_name="Tô Văn Chủ").birth_date == dt.date(1960, 3, 2)
    assert Person.objects.filter(village=world.village1).count() == 2


def test_year_only_does_not_match_when_the_name_is_not_unique(world, tmp_path):
    path = tmp_path / "trung-ten.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ\nY2,Lý Văn An,1950,Chủ hộ\n", encoding="utf-8"
    )
    importer.import_files(world.village1, [path], user=world.alice)
    path.write_text(
        "Mã hộ,Họ và tên,Ngày sinh,Quan hệ\nY2,Lý Văn An,03/03/1950,Chủ hộ\n"
        "Y2,Lý Văn An,04/04/1950,Con\n",
        encoding="utf-8",
    )
    report = importer.preview(world.village1, [path])
    assert report.counts["persons_created"] == 2 and not report.counts.get("persons_updated")


# 7. "Giới tính" over "Nam" | "Nữ" with x marks --------------------------------------------------


def _sex_marks(path, marks):
    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.append(["DANH SÁCH NHÂN KHẨU"])
    ws.merge_cells("A1:G1")
    ws.append(["STT", "Mã hộ", "Họ và tên", "Năm sinh", "Giới tính", None, "Quan hệ với chủ hộ"])
    ws.append([None, None, None, None, "Nam", "Nữ", None])
    for col in ("A", "B", "C", "D", "G"):
        ws.merge_cells(f"{col}2:{col}3")
    ws.merge_cells("E2:F2")
    names = [
        ("Lò Văn Giới", 1970, "Chủ hộ"),
        ("Lò Thị Tính", 1972, "Vợ"),
        ("Lò Văn Bé", 2020, "Con"),
    ]
    for number, ((name, year, relationship), mark) in enumerate(
        zip(names, marks, strict=False), start=1
    ):
        ws.append([number, "G1", name, year, *mark, relationship])
    wb.save(path)
    return path


def test_sex_group_header_over_nam_nu_with_marks(world, tmp_path):
    path = _sex_marks(tmp_path / "gioi-tinh.xlsx", [("x", None), (None, "X"), (None, None)])
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert not report.unmatched
    people = _persons(world.village1)
    assert people["Lò Văn Giới"].sex == Sex.MALE and people["Lò Thị Tính"].sex == Sex.FEMALE
    assert people["Lò Văn Bé"].sex == "" and people["Lò Văn Bé"].birth_date == dt.date(2020, 1, 1)
    assert people["Lò Văn Giới"].birth_date == dt.date(1970, 1, 1)
    assert people["Lò Thị Tính"].birth_date == dt.date(1972, 1, 1)

    both = _sex_marks(tmp_path / "ca-hai.xlsx", [("x", "x"), (None, "x")])
    report = importer.preview(world.village1, [both])
    assert [(e.row, e.column) for e in report.errors] == [(4, "F")]
    assert "cả “Nam” và “Nữ”" in report.errors[0].reason


# 8. No relationship and no head-name column -----------------------------------------------------


def test_without_relationship_and_head_name_columns_the_first_person_is_head(world, tmp_path):
    path = tmp_path / "khong-quan-he.csv"
    path.write_text(
        "STT,Mã hộ,Họ và tên,Năm sinh,Giới tính,ĐTTM\n1,N1,Hà Văn Đầu,1970,Nam,x\n"
        "2,N1,Hà Thị Sau,1975,Nữ,\n3,N2,Lê Văn Ba,1960,Nam,x\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    households = {h.code: h for h in Household.objects.filter(village=world.village1)}
    assert households["N1"].head_name == "Hà Văn Đầu" and households["N2"].head_name == "Lê Văn Ba"
    assert Person.objects.get(full_name="Hà Văn Đầu").relationship == Relationship.HEAD
    assert Person.objects.get(full_name="Hà Thị Sau").relationship != Relationship.HEAD
    heads = [w for w in report.warnings if "làm chủ hộ" in w.reason]
    assert [(w.row, w.value) for w in heads] == [(2, "Hà Văn Đầu"), (4, "Lê Văn Ba")]
    again = importer.import_files(world.village1, [path], user=world.alice)
    assert again.counts["persons_unchanged"] == 3 and again.counts["households_unchanged"] == 2


# 9. Mappings by sheet and column letter ---------------------------------------------------------

DUP = "Mã hộ,Họ và tên,Họ và tên,Năm sinh,Quan hệ,GT\nD1,Nguyễn A,Nguyễn B,1980,Chủ hộ,Nam\n"


@pytest.mark.parametrize("reference", ["dup!C", "C", "!C"])
def test_duplicate_headers_are_mapped_by_column_letter_in_the_cli(world, tmp_path, reference):
    path = tmp_path / "dup.csv"
    path.write_text(DUP, encoding="utf-8")
    out = io.StringIO()
    call_command(
        "import",
        str(path),
        "--village",
        str(world.village1.pk),
        "--map",
        f"{reference}=note",
        "--map",
        "GT=",  # a header that also looks like a column letter: the header wins
        stdout=out,
    )
    person = Person.objects.get(village=world.village1)
    assert person.full_name == "Nguyễn A" and person.note == "Nguyễn B"
    assert person.sex == ""  # the GT column was ignored
    assert "C=note" in out.getvalue() and "cũng là" not in out.getvalue()


def test_a_mapping_naming_no_column_of_the_file_is_an_error(world, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text(DUP, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as info:
        call_command(
            "import",
            str(path),
            "--village",
            str(world.village1.pk),
            "--map",
            "Dùng app ngân hàng=epayment_account",
            "--map",
            "Khác!B=note",
            stderr=err,
        )
    assert info.value.returncode == 2
    assert "Lỗi: Ánh xạ “Dùng app ngân hàng=epayment_account”: không có cột" in err.getvalue()
    assert "Lỗi: Ánh xạ “Khác!B=note”: tệp không có trang “Khác”" in err.getvalue()
    assert not Person.objects.exists()


def test_web_mapping_step_lists_every_column_and_maps_one_of_two_same_headers(
    client, world, tmp_path
):
    assert client.login(username=world.alice.username, password=PASSWORD)
    path = tmp_path / "dup.csv"
    path.write_text(DUP, encoding="utf-8")
    client.post(
        reverse("transfer:import", args=[world.village1.pk]),
        {"files": SimpleUploadedFile("dup.csv", path.read_bytes())},
    )
    job = ImportJob.objects.get()
    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    # Every column, with its automatic match preselected; the duplicate waits for a choice.
    for letter in "ABCDEF":
        assert f'name="map:dup!{letter}"' in page
    assert re.search(r'name="map:dup!B".*?<option value="full_name" selected>', page, re.S)
    assert re.search(r'name="map:dup!F".*?<option value="sex" selected>', page, re.S)
    assert re.search(r'name="map:dup!C".*?<option value="__keep__" selected>', page, re.S)

    client.post(
        reverse("transfer:job_mapping", args=[job.pk]),
        {
            "map:dup!A": "household_code",  # unchanged: not stored
            "map:dup!C": "note",
            "map:dup!F": "",  # a wrong automatic match corrected: ignore the column
        },
    )
    job.refresh_from_db()
    assert job.mapping == {"dup!C": "note", "dup!F": ""}
    assert job.status == JobStatus.PREVIEWED and job.report["ok"]
    client.post(reverse("transfer:job_confirm", args=[job.pk]))
    person = Person.objects.get(village=world.village1)
    assert person.note == "Nguyễn B" and person.sex == ""


def test_web_mapping_step_ignoring_an_unknown_column_silences_it(client, world, tmp_path):
    assert client.login(username=world.alice.username, password=PASSWORD)
    data = "Mã hộ,Họ và tên,Năm sinh,Quan hệ,Cột lạ\nL1,Lạ Văn Cột,1980,Chủ hộ,abc\n"
    client.post(
        reverse("transfer:import", args=[world.village1.pk]),
        {"files": SimpleUploadedFile("la.csv", data.encode())},
    )
    job = ImportJob.objects.get()
    assert "Cột chưa nhận ra" in client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    client.post(
        reverse("transfer:job_mapping", args=[job.pk]), {"map:la!E": "", "map:la!B": "full_name"}
    )
    job.refresh_from_db()
    assert job.mapping == {"la!E": ""}
    page = client.get(reverse("transfer:job", args=[job.pk])).content.decode()
    assert "Cột chưa nhận ra" not in page and job.report["warning_count"] == 0
    assert re.search(r'name="map:la!E".*?<option value="" selected>', page, re.S)


# 10. Progress saved on the job row --------------------------------------------------------------


def _read_job_elsewhere(job_id):
    """The job row as another process sees it: through a connection of its own."""
    other = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "SELECT phase, done, total FROM transfer_importjob WHERE id = %s",
                [ImportJob._meta.pk.get_db_prep_value(job_id, other)],
            )
            return cursor.fetchone()
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_progress_is_saved_on_the_job_row_for_other_processes(tmp_path, monkeypatch):
    from smartvillage.core.testing import build_world

    world = build_world()
    monkeypatch.setattr(jobs, "SAVE_EVERY_ROWS", 500)
    path = builders.big_persons_xlsx(tmp_path / "tien-do.xlsx", persons=3000)
    job = jobs.create_job(
        world.village1, world.alice, [SimpleUploadedFile(path.name, path.read_bytes())]
    )
    seen = []
    real = jobs._save_progress

    def spy(job_id, phase, done, total):
        real(job_id, phase, done, total)
        if connection.vendor == "sqlite" and connection.in_atomic_block:
            return  # SQLite's writer is the import's transaction: in-process numbers only
        seen.append(((phase, done, total), _read_job_elsewhere(job.pk)))

    monkeypatch.setattr(jobs, "_save_progress", spy)
    jobs.start_preview(job, background=True)  # queued; run on commit (immediate backend)
    job.refresh_from_db()
    assert job.status == JobStatus.PREVIEWED, job.message
    validate = [(call, row) for call, row in seen if call[0] == "validate"]
    assert len(validate) >= 3  # every SAVE_EVERY_ROWS rows, not only at the start and the end
    assert all(row == call for call, row in validate)
    assert (job.phase, job.done, job.total) == validate[-1][0] and job.done == job.total > 3000

    seen.clear()
    jobs.start_apply(job, background=True)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    writes = [(call, row) for call, row in seen if call[0] == "write"]
    assert writes and all(row == call for call, row in writes)
    if connection.vendor != "sqlite":
        # Saved from inside the write transaction, yet visible outside it.
        assert any(0 < call[1] < call[2] for call, _row in writes)


@pytest.mark.django_db(transaction=True)
def test_stale_relies_on_the_saved_heartbeat():
    from smartvillage.core.testing import build_world

    world = build_world()
    job = ImportJob.objects.create(village=world.village1, status=JobStatus.APPLYING)
    ImportJob.objects.filter(pk=job.pk).update(updated_at=timezone.now() - dt.timedelta(hours=1))
    job.refresh_from_db()
    assert jobs.stale(job)
    jobs._reporter(str(job.pk))("validate", 10, 100)  # a heartbeat from the job's process
    try:
        job.refresh_from_db()
        assert (job.phase, job.done, job.total) == ("validate", 10, 100)
        assert not jobs.stale(job)
        jobs._finish(str(job.pk))
        assert not jobs.stale(job)  # another process: no in-process entry, the heartbeat counts
    finally:
        jobs._finish(str(job.pk))


# 11. Kobo group paths, empty files, Kobo label-export locations ---------------------------------


@pytest.mark.parametrize("group_paths", [False, True])
def test_kobo_builder_honours_group_paths(tmp_path, group_paths):
    path = builders.kobo_export_xlsx(tmp_path / "kobo.xlsx", group_paths=group_paths)
    header = [c.value for c in next(load_workbook(path)["person"].iter_rows(max_row=1))]
    assert ("person/full_name" in header) == group_paths
    assert ("full_name" in header) != group_paths
    assert "_parent_index" in header


@pytest.mark.parametrize("kind", ["csv", "xlsx-0-byte", "xlsx-empty-workbook"])
def test_an_empty_file_says_so(world, tmp_path, kind):
    if kind == "csv":
        path = tmp_path / "trong.csv"
        path.write_bytes(b"")
    elif kind == "xlsx-0-byte":
        path = tmp_path / "trong.xlsx"
        path.write_bytes(b"")
    else:
        path = tmp_path / "trong.xlsx"
        Workbook().save(path)
    report = importer.preview(world.village1, [path])
    assert not report.ok
    assert [e.message() for e in report.errors] == [
        f"Tệp trống: “{path.name}” không có dòng nào (tệp 0 byte hoặc mọi trang đều trống)"
    ]


def test_kobo_label_export_location_columns(world, tmp_path):
    wb = Workbook()
    main = wb.active
    main.title = "Khảo sát hộ gia đình"
    main.append(
        [
            "Mã hộ",
            "Họ và tên chủ hộ",
            "Vị trí nhà",
            "_Vị trí nhà_latitude",
            "_Vị trí nhà_longitude",
            "_Vị trí nhà_altitude",
            "_Vị trí nhà_precision",
            "_index",
        ]
    )
    main.append(["KL1", "Phan Văn Nhãn", "21.3 105.2 0 0", 21.3, 105.2, 0, 0, 1])
    rep = wb.create_sheet("person")
    rep.append(["person/full_name", "person/birth_date", "person/relationship", "_parent_index"])
    rep.append(["Phan Văn Nhãn", "1979-11-02", "Chủ hộ", 1])
    path = tmp_path / "kobo-nhan.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert not report.unmatched, report.unmatched
    household = Household.objects.get(village=world.village1, code="KL1")
    assert float(household.latitude) == 21.3 and float(household.longitude) == 105.2


def test_imported_coordinates_follow_the_same_vietnam_rule_as_the_forms(world, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["Mã hộ", "Họ và tên chủ hộ", "Vĩ độ", "Kinh độ"])
    ws.append(["VN1", "Nguyễn Văn Một", 21.03, 105.85])
    ws.append(["VN2", "Trần Văn Hai", 105.85, 21.03])  # swapped: no latitude is 105°
    ws.append(["VN3", "Lê Văn Ba", 35.68, 139.69])  # a real point, but in Japan
    path = tmp_path / "toa-do.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert not report.ok
    swapped, abroad = (e.message() for e in report.errors)
    assert "dòng 3" in swapped and "VN2" in swapped and "ngoài khoảng −90..90" in swapped
    assert "dòng 4" in abroad and "VN3" in abroad and "ngoài lãnh thổ Việt Nam" in abroad
    assert not Household.objects.filter(village=world.village1).exists()  # nothing half-written
