import datetime as dt
import io
import zipfile

import openpyxl

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory

URL_AT = "at=30/06/2024"


def test_village_page_shows_progress_gap_and_worklist_link(client, filled, with_test_set):
    client.force_login(filled.alice)
    response = client.get(f"/units/{filled.village1.pk}/criteria/?set=test-set&{URL_AT}")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2/4 hộ" in html and "50,0%" in html
    assert "còn thiếu 2 hộ" in html  # 80 % of 4 households = 4 (ceil 3,2)
    assert f"/units/{filled.village1.pk}/criteria/test-set/1.1/worklist/" in html


def test_commune_matrix_has_each_village_and_totals(client, filled, with_test_set):
    client.force_login(filled.carol)
    html = client.get(
        f"/units/{filled.commune.pk}/criteria/?set=test-set&{URL_AT}"
    ).content.decode()
    assert "Thôn Một" in html and "Thôn Hai" in html
    assert "100,0%" in html and "50,0%" in html
    assert "1/2" in html  # one of two villages passes 1.1


def test_village_head_cannot_see_another_village(client, filled, with_test_set):
    client.force_login(filled.alice)
    assert client.get(f"/units/{filled.village2.pk}/criteria/?set=test-set").status_code == 404
    assert (
        client.get(f"/units/{filled.village2.pk}/criteria/test-set/1.1/worklist/").status_code
        == 404
    )
    assert client.get(f"/units/{filled.commune.pk}/criteria/").status_code == 404


def test_worklist_lists_who_is_missing_and_downloads_as_xlsx(client, filled, with_test_set):
    client.force_login(filled.alice)
    url = f"/units/{filled.village1.pk}/criteria/test-set/1.1/worklist/?{URL_AT}"
    html = client.get(url).content.decode()
    assert "Chủ hộ Thôn Một 2" in html and "Chủ hộ Thôn Một 3" in html
    assert "Chủ hộ Thôn Một 0" not in html
    response = client.get(url + "&format=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    names = [row[2] for row in sheet.iter_rows(min_row=6, values_only=True)]
    assert names == ["Chủ hộ Thôn Một 2", "Chủ hộ Thôn Một 3"]
    assert AuditEvent.objects.filter(action="export", unit=filled.village1).count() == 1


def test_an_edit_shows_on_the_next_page_load(client, filled, with_test_set):
    client.force_login(filled.alice)
    url = f"/units/{filled.village1.pk}/criteria/?set=test-set&{URL_AT}"
    assert "2/4 hộ" in client.get(url).content.decode()
    # Through the action function, as every page and the import write (the results store is
    # kept current there, in the same transaction).
    from smartvillage.registry.services import do_update_household

    for household in filled.village1.households.filter(fibre_internet=False):
        do_update_household(filled.alice, household, fibre_internet=True)
    assert "4/4 hộ" in client.get(url).content.decode()


def test_formula_like_names_are_written_as_text(client, filled, with_test_set):
    HouseholdFactory(
        village=filled.village1, code="Z", head_name='=HYPERLINK("x")', fibre_internet=False
    )
    client.force_login(filled.alice)
    response = client.get(
        f"/units/{filled.village1.pk}/criteria/test-set/1.1/worklist/?{URL_AT}&format=xlsx"
    )
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    (cell,) = [row[2] for row in sheet.iter_rows(min_row=6) if row[2].value == '=HYPERLINK("x")']
    # Stored as the text itself (string type, quote prefix), never as a formula.
    assert cell.data_type == "s" and cell.quotePrefix
    with zipfile.ZipFile(io.BytesIO(response.content)) as package:
        assert "<f>" not in package.read("xl/worksheets/sheet1.xml").decode()


def test_province_dashboard_rolls_villages_up_by_district(client, world):
    from smartvillage.core.testing import HouseholdFactory

    for village in (world.village1, world.village2, world.village3):
        HouseholdFactory(village=village, fibre_internet=village != world.village3)
    client.force_login(world.erin)
    page = client.get(
        f"/units/{world.province.pk}/criteria/?set=phutho-khu-dan-cu-thong-minh-1491&at=30/06/2024"
    )
    assert page.status_code == 200
    (row,) = page.context["rollup"]  # the one district
    assert (row.unit, row.children) == (world.district, 3)
    # 1.1 (fibre, 80 %): the two villages of Xã An pass, Thôn Ba does not.
    assert row.per_criterion[0] == 2
    assert page.context["show_matrix"] is True
    district = client.get(
        f"/units/{world.district.pk}/criteria/?set=phutho-khu-dan-cu-thong-minh-1491&at=30/06/2024"
    )
    rows = {r.unit: (r.children, r.per_criterion[0]) for r in district.context["rollup"]}
    assert rows == {world.commune: (2, 2), world.commune2: (1, 0)}


def test_evidence_dates_on_the_criteria_page_read_dd_mm_yyyy(client, world):

    from smartvillage.evidence.models import EvidenceRecord

    EvidenceRecord.objects.create(
        unit=world.village1,
        category="document",
        type="decision_digital_team",
        title="Quyết định thành lập tổ",
        number="15/QĐ-UBND",
        issued_date=dt.date(2023, 8, 10),
        issuer="UBND xã An",
    )
    client.force_login(world.alice)
    body = client.get(
        f"/units/{world.village1.pk}/criteria/?set=phutho-khu-dan-cu-thong-minh-1491"
    ).content.decode()
    assert "(10/08/2023)" in body and "2023-08-10" not in body


def test_plan_and_assessment_forms_offer_only_the_units_own_province(client, world):
    from smartvillage.criteria.services import sets_for_unit
    from smartvillage.units.models import AdminUnit

    AdminUnit.objects.filter(pk=world.province.pk).update(name="Phú Thọ")
    world.village1.refresh_from_db()
    sets = sets_for_unit(world.village1, own_level=True)
    assert sets[0].slug == "phutho-khu-dan-cu-thong-minh-1491"
    assert all(s.level == "village" for s in sets)
    assert all(s.level == "commune" for s in sets_for_unit(world.commune, own_level=True))
    client.force_login(world.alice)
    for url in (f"/units/{world.village1.pk}/plans/", f"/units/{world.village1.pk}/assessments/"):
        body = client.get(url).content.decode()
        assert 'value="phutho-khu-dan-cu-thong-minh-1491"' in body, url
        # Another province's set is not offered (issue 10: every set was offered everywhere).
        assert 'value="anthanh-khu-dan-cu-thong-minh"' not in body, url
    assert [s.slug for s in sets_for_unit(world.village1)] == ["phutho-khu-dan-cu-thong-minh-1491"]
