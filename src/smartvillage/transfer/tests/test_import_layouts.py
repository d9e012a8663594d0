import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.registry.models import Household, Person, Relationship, Sex
from smartvillage.transfer import importer
from smartvillage.transfer.tests import builders


def _persons(village):
    return {
        p.full_name: p for p in Person.objects.filter(village=village).select_related("household")
    }


def test_two_sheets_with_titles_abbreviations_and_all_spellings(world, tmp_path):
    path = builders.two_sheet_xlsx(tmp_path / "danh-sach.xlsx")
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    assert report.applied
    layouts = {layout.name: layout for layout in report.layouts}
    assert layouts["Hộ gia đình"].role == "households"
    assert layouts["Hộ gia đình"].header_row == 4
    assert layouts["Nhân khẩu"].role == "persons"
    assert layouts["Nhân khẩu"].data_rows == 6  # the total row and the signature lines are not data

    households = {h.code: h for h in Household.objects.filter(village=world.village1)}
    assert set(households) == {"H001", "H002", "H003"}
    assert households["H001"].fibre_internet and households["H001"].mobile_broadband
    assert not households["H002"].fibre_internet and households["H002"].mobile_broadband
    assert households["H002"].note == "hộ nghèo"
    assert households["H003"].fibre_internet and not households["H003"].mobile_broadband

    people = _persons(world.village1)
    an = people["Nguyễn Văn An"]
    assert (
        an.birth_date == dt.date(1980, 5, 17)
        and an.sex == Sex.MALE
        and an.relationship == Relationship.HEAD
    )
    assert an.identity_number == "001080012345"
    assert an.smartphone and an.epayment_account and an.digital_skills_trained and an.vneid
    hoa = people["Phạm Thị Hoa"]
    assert (
        hoa.birth_date == dt.date(1985, 4, 3)
        and hoa.sex == Sex.FEMALE
        and hoa.relationship == Relationship.SPOUSE
    )
    assert hoa.smartphone and hoa.epayment_account and hoa.digital_skills_trained and not hoa.vneid
    bao = people["Nguyễn Văn Bảo"]
    assert bao.birth_date == dt.date(2010, 9, 7)  # d/m/yy
    assert not (bao.smartphone or bao.epayment_account or bao.digital_skills_trained or bao.vneid)
    binh = people["Trần Thị Bình"]
    assert (
        binh.birth_date == dt.date(1962, 1, 1) and binh.birth_year_only
    )  # a year alone (a number cell)
    assert binh.identity_number == "001162012347"  # leading zero lost by Excel, restored
    assert any("mất số 0" in w.reason for w in report.warnings)
    dung = people["Trần Văn Dũng"]
    assert dung.birth_year_only and dung.birth_date == dt.date(1990, 1, 1)
    assert people["Lê Văn Cường"].birth_date == dt.date(1975, 2, 28)
    assert all(p.village_id == world.village1.pk for p in people.values())

    event = AuditEvent.objects.get(action=AuditAction.IMPORT, unit=world.village1)
    assert event.items.count() == 3 + 6
    assert "danh-sach.xlsx" in event.note
    assert set(event.items.values_list("batch_id", flat=True)) == {event.pk}
    assert event.items.filter(object_type="person", household_id=households["H001"].pk).count() == 3
    assert list(importer.import_events(world.village1)) == [event]


def test_one_sheet_household_columns_on_heads_row_with_merged_cells(world, tmp_path):
    path = builders.one_sheet_head_row_xlsx(tmp_path / "thon-hai.xlsx")
    report = importer.import_files(world.village2, [path], user=world.bob)
    assert report.ok, [i.message() for i in report.errors]
    households = {h.code: h for h in Household.objects.filter(village=world.village2)}
    assert set(households) == {"K01", "K02"}
    assert households["K01"].head_name == "Hoàng Văn Minh"
    assert households["K01"].address == "Xóm Đình" and households["K01"].fibre_internet
    assert households["K02"].address == "Xóm Chùa" and not households["K02"].fibre_internet
    people = _persons(world.village2)
    assert people["Hoàng Thị Mai"].household.code == "K01"
    assert people["Hoàng Thị Mai"].smartphone and people["Hoàng Thị Mai"].epayment_account
    assert people["Vũ Thị Oanh"].household.code == "K02"
    assert people["Đỗ Thị Lan"].birth_year_only


def test_one_sheet_without_codes_groups_by_head_and_reimports_in_place(world, tmp_path):
    path = builders.one_sheet_head_row_xlsx(tmp_path / "khong-ma.xlsx", with_code=False)
    first = importer.import_files(world.village2, [path], user=world.bob)
    assert first.ok, [i.message() for i in first.errors]
    households = list(Household.objects.filter(village=world.village2).order_by("code"))
    assert [h.head_name for h in households] == ["Hoàng Văn Minh", "Vũ Văn Nam"]
    assert Person.objects.filter(household=households[0]).count() == 3
    second = importer.import_files(world.village2, [path], user=world.bob)
    assert second.counts["households_unchanged"] == 2 and second.counts["persons_unchanged"] == 5
    assert Household.objects.filter(village=world.village2).count() == 2
    assert Person.objects.filter(village=world.village2).count() == 5


def test_each_person_carries_the_household_code_csv_with_bom(world, tmp_path):
    path = builders.person_code_csv(tmp_path / "nhan-khau.csv")
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    people = _persons(world.village1)
    assert people["Ngô Thị Quyên"].birth_date == dt.date(1970, 2, 1)
    assert people["Ngô Thị Quyên"].digital_skills_trained
    assert Household.objects.get(village=world.village1, code="C01").head_name == "Bùi Văn Phúc"
    assert Household.objects.get(village=world.village1, code="C02").head_name == "Đinh Văn Sơn"


def test_libreoffice_converted_file(world, tmp_path):
    csv_path = builders.person_code_csv(tmp_path / "lo-nguon.csv", encoding="utf-8")
    xlsx = builders.soffice_convert(csv_path, tmp_path)
    report = importer.import_files(world.village1, [xlsx], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    people = _persons(world.village1)
    assert set(people) == {"Bùi Văn Phúc", "Ngô Thị Quyên", "Đinh Văn Sơn"}
    # LibreOffice (Vietnamese locale) turned "12/03/1968" into a real date cell and "1985" into a number.
    assert people["Bùi Văn Phúc"].birth_date == dt.date(1968, 3, 12)
    assert people["Đinh Văn Sơn"].birth_date == dt.date(1985, 1, 1)
    assert people["Đinh Văn Sơn"].smartphone and people["Đinh Văn Sơn"].digital_skills_trained


@pytest.mark.parametrize("group_paths", [False, True])
def test_kobo_export_with_repeat_sheet(world, tmp_path, group_paths):
    path = builders.kobo_export_xlsx(tmp_path / "kobo.xlsx", group_paths=group_paths)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    kb01 = Household.objects.get(village=world.village1, code="KB01")
    assert kb01.fibre_internet and not kb01.mobile_broadband
    assert float(kb01.latitude) == 21.3 and float(kb01.longitude) == 105.2
    assert [p.full_name for p in kb01.persons.order_by("id")] == ["Phan Văn Tâm", "Lý Thị Vân"]
    van = Person.objects.get(full_name="Lý Thị Vân")
    assert van.relationship == Relationship.SPOUSE and van.sex == Sex.FEMALE and van.smartphone
    assert van.birth_date == dt.date(1983, 6, 20)
    assert Person.objects.get(full_name="Mai Thị Uyên").household.code == "KB02"
    # Kobo's bookkeeping columns are known and not reported as unmatched.
    assert not report.unmatched


def test_permission_is_checked(world, tmp_path):
    path = builders.person_code_csv(tmp_path / "nhan-khau.csv")
    with pytest.raises(PermissionDenied):
        importer.import_files(world.village1, [path], user=world.bob)
    assert not Household.objects.exists()


def test_update_in_place_changes_only_what_changed(world, tmp_path):
    path = builders.two_sheet_xlsx(tmp_path / "a.xlsx")
    importer.import_files(world.village1, [path], user=world.alice)
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb["Nhân khẩu"]
    for row in ws.iter_rows(min_row=5):
        if row[2].value == "Phạm Thị Hoa":
            row[10].value = "x"  # VNeID now yes
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.counts["persons_updated"] == 1 and report.counts["persons_unchanged"] == 5
    assert report.counts["households_unchanged"] == 3
    assert Person.objects.get(full_name="Phạm Thị Hoa").vneid
    assert Person.objects.filter(village=world.village1).count() == 6
    event = importer.import_events(world.village1).first()
    item = event.items.get()
    assert (
        item.action == AuditAction.UPDATE
        and item.before == {"vneid": False}
        and item.after == {"vneid": True}
    )


def test_odk_central_csv_pair(world, tmp_path):
    paths = builders.odk_central_csvs(tmp_path)
    report = importer.import_files(world.village1, paths, user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    assert not report.unmatched
    household = Household.objects.get(village=world.village1, code="OD01")
    assert (
        household.head_name == "Kim Văn Xuân"
        and household.fibre_internet
        and float(household.latitude) == 21.1
    )
    yen = Person.objects.get(full_name="Kim Thị Yến")
    assert (
        yen.household == household
        and yen.relationship == Relationship.CHILD
        and yen.epayment_account
    )
    assert yen.birth_date == dt.date(2003, 12, 24)


def test_real_xls_file_written_by_libreoffice(world, tmp_path):
    csv_path = builders.person_code_csv(tmp_path / "cu.csv", encoding="utf-8")
    xls = builders.soffice_convert_to(csv_path, tmp_path, "xls")
    assert xls.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    report = importer.import_files(world.village1, [xls], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    people = _persons(world.village1)
    assert people["Bùi Văn Phúc"].birth_date == dt.date(1968, 3, 12)
    assert people["Đinh Văn Sơn"].birth_year_only


def test_file_that_is_not_a_registry_list_is_refused_clearly(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["Báo cáo", "Số liệu"])
    wb.active.append(["abc", 1])
    path = tmp_path / "khac.xlsx"
    wb.save(path)
    report = importer.preview(world.village1, [path])
    assert not report.ok
    assert report.errors[0].message().startswith("Không tìm thấy dòng tiêu đề")
    docx = tmp_path / "nham.xlsx"
    from docx import Document

    Document().save(docx)
    from smartvillage.core.errors import DomainError

    with pytest.raises(DomainError, match="không phải bảng tính Excel"):
        importer.preview(world.village1, [docx])


def test_two_row_header_birth_year_under_nam_nu_and_group_headers(world, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "DS"
    ws.append(["DANH SÁCH NHÂN KHẨU THÔN MỘT"])
    ws.merge_cells("A1:H1")
    ws.append(
        ["STT", "Mã hộ", "Họ và tên", "Năm sinh", None, "Quan hệ với chủ hộ", "Thông tin số", None]
    )
    ws.append([None, None, None, "Nam", "Nữ", None, "ĐTTM", "TKTT"])
    for col in ("A", "B", "C", "F"):
        ws.merge_cells(f"{col}2:{col}3")  # single headers merged down over the two header rows
    ws.merge_cells("D2:E2")
    ws.merge_cells("G2:H2")
    ws.append([1, "N1", "Tạ Văn Nam", 1975, None, "Chủ hộ", "x", "x"])
    ws.append([2, "N1", "Tạ Thị Nữ", None, "12/12/1978", "Vợ", "x", None])
    ws.append(["Cộng", None, "2 người"])
    path = tmp_path / "hai-dong.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    assert report.layouts[0].header_row == 2 and not report.unmatched
    people = _persons(world.village1)
    assert people["Tạ Văn Nam"].sex == Sex.MALE and people["Tạ Văn Nam"].birth_date == dt.date(
        1975, 1, 1
    )
    assert people["Tạ Thị Nữ"].sex == Sex.FEMALE and people["Tạ Thị Nữ"].birth_date == dt.date(
        1978, 12, 12
    )
    assert people["Tạ Văn Nam"].epayment_account and not people["Tạ Thị Nữ"].epayment_account
    assert Person.objects.count() == 2


def test_facts_added_to_the_catalogue_go_to_extra(world, tmp_path, settings):
    from smartvillage.registry.facts import catalogue

    facts_dir = tmp_path / "facts"
    facts_dir.mkdir()
    (facts_dir / "tinh.yaml").write_text(
        "facts:\n"
        "  - {key: ocop_member, level: person, type: bool, label_vi: Thành viên HTX OCOP, headers: [htx ocop]}\n"
        "  - {key: solar_light, level: household, type: bool, label_vi: Có đèn năng lượng mặt trời, headers: [đèn nlmt]}\n",
        encoding="utf-8",
    )
    settings.SMARTVILLAGE_FACTS_DIRS = [str(facts_dir)]
    catalogue.cache_clear()
    try:
        path = tmp_path / "extra.csv"
        path.write_text(
            "Mã hộ,Họ và tên,Năm sinh,Quan hệ,HTX OCOP,Đèn NLMT,ĐTTM\nE1,Mạc Văn Ốc,1970,Chủ hộ,x,có,x\n",
            encoding="utf-8",
        )
        report = importer.import_files(world.village1, [path], user=world.alice)
        assert report.ok and not report.unmatched, [i.message() for i in report.issues]
        person = Person.objects.get(full_name="Mạc Văn Ốc")
        assert person.extra == {"ocop_member": True} and person.smartphone
        assert person.household.extra == {"solar_light": True}
        again = importer.import_files(world.village1, [path], user=world.alice)
        assert again.counts["persons_unchanged"] == 1 and again.counts["households_unchanged"] == 1
    finally:
        catalogue.cache_clear()


def test_a_person_named_tong_cong_is_not_a_total_row(world, tmp_path):
    path = tmp_path / "ten.csv"
    path.write_text(
        "STT,Mã hộ,Họ và tên,Năm sinh,Quan hệ\n1,T1,Tống Công Minh,1970,Chủ hộ\n2,T1,Cộng Thị Hoa,1972,Vợ\n"
        "Tổng cộng: 2 người,,,,\n,,Người lập biểu,,\n",
        encoding="utf-8",
    )
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [i.message() for i in report.errors]
    assert set(_persons(world.village1)) == {"Tống Công Minh", "Cộng Thị Hoa"}
