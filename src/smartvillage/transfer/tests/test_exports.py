import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied
from docx import Document
from openpyxl import load_workbook

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Person
from smartvillage.transfer import forms_xlsx, importer, lists

PHU_THO = "phutho-khu-dan-cu-thong-minh-1491"
AT = dt.date(2024, 3, 5)


@pytest.fixture
def registry(world):
    v = world.village1
    h1 = HouseholdFactory(village=v, code="H1", head_name="Nguyễn Văn Cáp", fibre_internet=True)
    h2 = HouseholdFactory(
        village=v, code="H2", head_name='=HYPERLINK("http://x","bấm")', fibre_internet=True
    )
    h3 = HouseholdFactory(village=v, code="H3", head_name="Trần Không Cáp", fibre_internet=False)
    HouseholdFactory(
        village=world.village2, code="H1", head_name="Người Thôn Khác", fibre_internet=True
    )
    PersonFactory(
        household=h1,
        full_name="Nguyễn Văn Cáp",
        birth_date=dt.date(1980, 1, 1),
        sex="M",
        smartphone=True,
    )
    PersonFactory(
        household=h1,
        full_name="-Lê Thị Dấu",
        birth_date=dt.date(1990, 1, 1),
        sex="F",
        smartphone=True,
    )
    PersonFactory(
        household=h2, full_name="@Cụ Già", birth_date=dt.date(1940, 1, 1), sex="M", smartphone=True
    )
    PersonFactory(
        household=h3, full_name="Trẻ Em", birth_date=dt.date(2015, 1, 1), sex="F", smartphone=True
    )
    PersonFactory(
        household=h3,
        full_name="Không Máy",
        birth_date=dt.date(1985, 1, 1),
        sex="F",
        smartphone=False,
    )
    return world


def _rows(ws):
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


def test_bieu01_xlsx_has_the_names_total_and_confirmations(registry):
    content, name, ctype = lists.export_list(
        registry.alice, registry.village1, PHU_THO, "1.1", "xlsx", AT
    )
    assert (
        name.endswith(".xlsx") and name.startswith("bieu-01-thon-mot") and ctype == lists.XLSX_TYPE
    )
    ws = load_workbook(io.BytesIO(content)).active
    rows = _rows(ws)
    flat = [v for row in rows for v in row if v is not None]
    assert "Biểu 01" in flat
    assert "DANH SÁCH HỘ DÂN ĐƯỢC PHỦ MẠNG INTERNET BĂNG RỘNG CÁP QUANG" in flat
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header] == ("STT", "Họ và tên (chủ hộ)", "Ghi chú")
    body = rows[header + 1 :]
    total_index = next(i for i, r in enumerate(body) if r[0] == "Tổng cộng:")
    names = [r[1] for r in body[:total_index]]
    assert names == ["Nguyễn Văn Cáp", '=HYPERLINK("http://x","bấm")']
    assert [r[0] for r in body[:total_index]] == [1, 2]
    assert body[total_index][1] == 2
    assert "Xác nhận của UBND xã" in flat and "Xác nhận của khu dân cư" in flat
    assert any(isinstance(v, str) and "Thôn Một" in v and "Xã An" in v for v in flat)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in flat
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.unit == registry.village1 and "Biểu 01" in event.object_repr


def test_names_starting_with_formula_characters_are_text(registry):
    content, *_ = lists.export_list(registry.alice, registry.village1, PHU_THO, "1.1", "xlsx", AT)
    ws = load_workbook(io.BytesIO(content)).active
    cells = [
        c
        for row in ws.iter_rows()
        for c in row
        if isinstance(c.value, str) and c.value.startswith("=HYPERLINK")
    ]
    assert len(cells) == 1 and cells[0].data_type == "s" and cells[0].quotePrefix
    # And in the raw XML the name is a string, never a <f> formula element.
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet


def test_bieu02_working_age_smartphone_users_xlsx_and_docx(registry):
    content, *_ = lists.export_list(registry.alice, registry.village1, PHU_THO, "1.2", "xlsx", AT)
    rows = _rows(load_workbook(io.BytesIO(content)).active)
    header = next(i for i, r in enumerate(rows) if r[0] == "STT")
    assert rows[header][1] == "Họ và tên"
    body = rows[header + 1 :]
    total_index = next(i for i, r in enumerate(body) if r[0] == "Tổng cộng:")
    # The 84-year-old and the child are not of working age; "Không Máy" has no smartphone.
    assert sorted(r[1] for r in body[:total_index]) == ["-Lê Thị Dấu", "Nguyễn Văn Cáp"]
    assert body[total_index][1] == 2

    content, name, ctype = lists.export_list(
        registry.alice, registry.village1, PHU_THO, "1.2", "docx", AT
    )
    assert name.endswith(".docx") and ctype == lists.DOCX_TYPE
    doc = Document(io.BytesIO(content))
    text = "\n".join(p.text for p in doc.paragraphs)
    # The standalone Biểu is the annex page of Mẫu số 01 (documents.lists), as the seed's form:
    # code, title, where and when, the table, the two confirmations; no national header.
    assert "Biểu 02" in text
    assert "Danh sách người ở độ tuổi lao động sử dụng điện thoại thông minh" in text
    assert "Thôn Một, xã An – số liệu ngày 05/03/2024" in text
    cells = [[c.text for c in row.cells] for table in doc.tables for row in table.rows]
    flat = [v for row in cells for v in row]
    assert ["STT", "Họ và Tên", "Ghi chú"] in cells
    assert any("Tổng cộng: 2 người" in v for v in flat)
    assert any("Xác nhận của UBND xã" in v for v in flat) and any(
        "Xác nhận của khu dân cư" in v for v in flat
    )
    section = doc.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297
    assert 30 <= round(section.left_margin.mm) <= 35 and 15 <= round(section.right_margin.mm) <= 20
    assert 20 <= round(section.top_margin.mm) <= 25 and 20 <= round(section.bottom_margin.mm) <= 25
    assert doc.styles["Normal"].font.name == "Times New Roman"


@pytest.mark.parametrize("code", ["1.3", "1.4"])
def test_bieu03_and_04(registry, code):
    person = Person.objects.get(full_name="Nguyễn Văn Cáp")
    person.epayment_account = True
    person.digital_skills_trained = True
    person.save()
    content, *_ = lists.export_list(registry.alice, registry.village1, PHU_THO, code, "xlsx", AT)
    rows = _rows(load_workbook(io.BytesIO(content)).active)
    assert any(r[0] == ("Biểu 03" if code == "1.3" else "Biểu 04") for r in rows)
    total = next(r for r in rows if r[0] == "Tổng cộng:")
    assert total[1] == 1


def test_list_of_another_sets_ratio_criterion_and_errors(registry):
    from smartvillage.criteria.loader import all_sets

    other = next(s for s in all_sets() if s.slug != PHU_THO and lists.ratio_criteria(s))
    criterion = lists.ratio_criteria(other)[0]
    content, *_ = lists.export_list(
        registry.alice, registry.village1, other.slug, criterion.code, "docx", AT
    )
    assert Document(io.BytesIO(content)).tables
    with pytest.raises(PermissionDenied):
        lists.export_list(registry.bob, registry.village1, PHU_THO, "1.1", "xlsx", AT)
    from smartvillage.core.errors import DomainError

    with pytest.raises(DomainError):
        lists.export_list(
            registry.alice, registry.village1, PHU_THO, "1.6", "xlsx", AT
        )  # evidence, not ratio
    with pytest.raises(DomainError):
        lists.export_list(registry.alice, registry.village1, "khong-co", "1.1", "xlsx", AT)


def test_template_has_validations_instructions_and_round_trips(world, tmp_path):
    content = forms_xlsx.template_xlsx(world.village1)
    wb = load_workbook(io.BytesIO(content))
    assert wb.sheetnames == ["Hướng dẫn", "Hộ gia đình", "Nhân khẩu"]
    persons = wb["Nhân khẩu"]
    headers = [c.value for c in persons[forms_xlsx.HEADER_ROW]]
    assert headers[:7] == [
        "STT",
        "Mã hộ",
        "Họ và tên",
        "Ngày sinh",
        "Giới tính",
        "Quan hệ với chủ hộ",
        "Số CCCD",
    ]
    assert "Sử dụng điện thoại thông minh" in headers
    formulas = {dv.formula1 for dv in persons.data_validations.dataValidation}
    assert '"Có,Không"' in formulas and '"Nam,Nữ"' in formulas
    assert any("Chủ hộ" in f for f in formulas)
    assert "THÔN MỘT" in wb["Hộ gia đình"]["A1"].value

    households = wb["Hộ gia đình"]
    hh_headers = [c.value for c in households[forms_xlsx.HEADER_ROW]]
    row = [None] * len(hh_headers)
    row[0], row[1], row[2] = 1, "T01", "Hà Văn Mẫu"
    row[hh_headers.index("Hộ có Internet băng rộng cáp quang (FTTH)")] = "Có"
    for c, v in enumerate(row, start=1):
        households.cell(forms_xlsx.HEADER_ROW + 1, c, v)
    prow = [None] * len(headers)
    prow[:7] = [1, "T01", "Hà Văn Mẫu", dt.datetime(1981, 2, 3), "Nam", "Chủ hộ", "001081000001"]
    prow[headers.index("Sử dụng điện thoại thông minh")] = "Có"
    prow[headers.index("Có tài khoản thanh toán điện tử")] = "Không"
    for c, v in enumerate(prow, start=1):
        persons.cell(forms_xlsx.HEADER_ROW + 1, c, v)
    path = tmp_path / "mau.xlsx"
    wb.save(path)
    report = importer.import_files(world.village1, [path], user=world.alice)
    assert report.ok, [e.message() for e in report.errors]
    assert not report.unmatched
    person = Person.objects.get(full_name="Hà Văn Mẫu")
    assert person.smartphone and not person.epayment_account and person.household.fibre_internet
    assert person.identity_number == "001081000001"


def test_xlsform_converts_with_pyxform(tmp_path):
    from pyxform.xls2xform import convert

    path = tmp_path / "form.xlsx"
    path.write_bytes(forms_xlsx.xlsform_xlsx())
    result = convert(xlsform=str(path))
    xform = result.xform
    assert "smartvillage_household" in xform
    assert "<person" in xform or 'nodeset="/smartvillage_household/person"' in xform
    for key in ("household_code", "fibre_internet", "full_name", "smartphone", "epayment_account"):
        assert key in xform
    assert "Có tài khoản thanh toán điện tử" in xform


def test_the_registry_round_trips_through_excel(world, client, tmp_path):
    """Download the village's list, correct one cell in Excel's place (openpyxl), import it back:
    exactly that change is written, nothing is duplicated, and the download is audited."""
    import datetime as dt

    from openpyxl import load_workbook

    from smartvillage.audit.models import AuditEvent
    from smartvillage.core.testing import HouseholdFactory, PersonFactory
    from smartvillage.registry.models import Household, Person
    from smartvillage.transfer import importer

    h1 = HouseholdFactory(village=world.village1, code="H01", head_name="Nguyễn Văn Một")
    h2 = HouseholdFactory(village=world.village1, code="H02", head_name="=Trần Văn Hai")
    PersonFactory(
        household=h1,
        full_name="Nguyễn Văn Một",
        relationship="head",
        smartphone=True,
        identity_number="001085000123",
        birth_date=dt.date(1985, 3, 5),
    )
    PersonFactory(
        household=h2, full_name="Trần Thị Ba", birth_date=dt.date(1990, 1, 1), birth_year_only=True
    )
    client.force_login(world.alice)
    response = client.get(f"/units/{world.village1.pk}/import/registry.xlsx")
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="export", object_type="registry").count() == 1
    path = tmp_path / "danh-sach.xlsx"
    path.write_bytes(response.content)
    wb = load_workbook(path)
    persons = wb["Nhân khẩu"]
    assert persons.cell(4, 7).value == "001085000123"  # full number, text, for the round trip
    assert persons.cell(5, 4).value == 1990  # a year alone stays a year
    assert wb["Hộ gia đình"].cell(5, 3).data_type == "s"  # "=Trần…" is text, not a formula

    before = {p.pk: (p.full_name, p.birth_date, p.smartphone) for p in Person.objects.all()}
    assert importer.import_files(world.village1, [path], user=world.alice).ok
    after = {p.pk: (p.full_name, p.birth_date, p.smartphone) for p in Person.objects.all()}
    assert after == before and Household.objects.count() == 2

    smartphone_col = [c.value for c in persons[3]].index("Sử dụng điện thoại thông minh") + 1
    persons.cell(5, smartphone_col).value = "Có"
    wb.save(path)
    assert importer.import_files(world.village1, [path], user=world.alice).ok
    assert Person.objects.get(full_name="Trần Thị Ba").smartphone is True
    assert Person.objects.count() == 2

    # Bob, head of another village, cannot download Thôn Một's list.
    client.force_login(world.bob)
    assert client.get(f"/units/{world.village1.pk}/import/registry.xlsx").status_code in (403, 404)
