"""Report downloads and the frozen person lists on the web: personal-data permission and audit,
which report fits which unit and set, and bad input answered with a message."""

import pytest
from django.urls import reverse

from smartvillage.accounts import permissions
from smartvillage.accounts.models import Role
from smartvillage.accounts.permissions import Action
from smartvillage.assessments import services
from smartvillage.assessments.tests.conftest import AT, PHUTHO, populate
from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import PASSWORD

THANHHOA = "thanhhoa-thon-thong-minh-35"
KONTUM_XA = "kontum-xa-ntm-thong-minh-2431"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)


def _submitted(world):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    a.refresh_from_db()
    return a


@pytest.fixture
def no_export_for_appraisers(monkeypatch):
    """A role that may see results but not export person lists (all shipped roles may)."""
    monkeypatch.setitem(
        permissions.ROLE_ACTIONS,
        Role.APPRAISER,
        permissions.ROLE_ACTIONS[Role.APPRAISER] - {Action.EXPORT_PERSONAL},
    )


def _exports():
    return list(AuditEvent.objects.filter(action="export").order_by("id"))


def test_mau01_with_person_lists_needs_export_permission(
    world, village_data, client, no_export_for_appraisers
):
    a = _submitted(world)
    url = reverse("assessments:report", args=[a.pk, "mau01", "docx"])
    _login(client, "erin")
    assert client.get(reverse("assessments:detail", args=[a.pk])).status_code == 200  # sees it
    response = client.get(url)
    assert response.status_code == 403
    body = response.content.decode()
    assert "dữ liệu cá nhân" in body and "Biểu 01–04" in body
    assert response["Content-Type"].startswith("text/html")
    assert _exports() == []
    # The generic report has no person lists: VIEW is enough, and nothing personal is logged.
    response = client.get(reverse("assessments:report", args=[a.pk, "criteria", "docx"]))
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert _exports() == []
    # Live Mẫu số 01 too.
    live = reverse("assessments:unit_report", args=[world.village1.pk, "mau01", "docx"])
    assert client.get(live, {"set": PHUTHO, "at": "05/03/2024"}).status_code == 403
    assert _exports() == []


def test_each_mau01_download_is_an_audit_export(world, village_data, client):
    a = _submitted(world)
    _login(client, "dave")
    url = reverse("assessments:report", args=[a.pk, "mau01", "docx"])
    for _ in range(2):
        response = client.get(url + "?version=1")
        assert response.status_code == 200 and response["Content-Type"] == DOCX
    events = _exports()
    assert len(events) == 2  # every download, not throttled
    event = events[0]
    assert event.actor == world.dave and event.unit == world.village1
    assert (event.object_type, event.object_id) == ("assessment", str(a.pk))
    assert "Mẫu số 01" in event.note and "phiên bản 1" in event.note
    assert "Biểu 01: 4 dòng" in event.note and "Biểu 03: 3 dòng" in event.note
    live = reverse("assessments:unit_report", args=[world.village1.pk, "mau01", "docx"])
    response = client.get(live, {"set": PHUTHO, "at": "05/03/2024"})
    assert response.status_code == 200
    event = _exports()[-1]
    assert event.object_type == "report" and event.unit == world.village1
    assert PHUTHO in event.note and "05/03/2024" in event.note


def test_detail_page_member_lists_paginated_and_view_logged(world, client):
    populate(world.village1, n=60, fibre=55)
    a = _submitted(world)
    _login(client, "dave")
    url = reverse("assessments:detail", args=[a.pk])
    page = client.get(url).content.decode()
    # The summary names no one and leaves no entry.
    assert "Danh sách đã chốt theo từng tỷ lệ" in page and "Nguyễn Văn Hộ" not in page
    assert not AuditEvent.objects.filter(action="view").exists()
    first = client.get(url, {"version": 1, "list": "1.1"}).content.decode()
    names = [f"Nguyễn Văn Hộ {world.village1.pk}-{i}<" for i in range(60)]
    assert sum(name in first for name in names) == 50  # one page of 50
    assert "Trang 1/2" in first
    second = client.get(url, {"version": 1, "list": "1.1", "page": 2}).content.decode()
    assert sum(name in second for name in names) == 10
    assert f"Nguyễn Văn Hộ {world.village1.pk}-59<" in second
    views = AuditEvent.objects.filter(action="view", object_type="assessment_members")
    # Each page shown is an entry with how many people it showed (audit.record_view with count).
    assert sorted(views.values_list("record_count", flat=True)) == [10, 50]
    assert {(e.actor, e.unit, e.object_id) for e in views} == {
        (world.dave, world.village1, f"{a.pk}:1:1.1")
    }
    client.get(url, {"version": 1, "list": "1.2"})
    assert views.all().count() == 3  # another list is another look
    _login(client, "alice")
    client.get(url, {"version": 1, "list": "1.1"})
    assert views.all().count() == 4 and views.filter(actor=world.alice).exists()


def test_reports_offered_only_where_they_fit(world, village_data, client):
    _login(client, "dave")
    page = client.get(reverse("assessments:list", args=[world.village1.pk])).content.decode()
    mau01 = reverse("assessments:unit_report", args=[world.village1.pk, "mau01", "docx"])
    # Mẫu số 01 buttons only on the Phú Thọ row.
    rows = [row for row in page.split("<tr>") if mau01 in row]
    assert len(rows) == 1 and "Phú Thọ" in rows[0]
    assert page.count(f'value="{THANHHOA}"') == 2  # criteria report DOCX + PDF, no Mẫu số 01
    commune_page = client.get(reverse("assessments:list", args=[world.commune.pk])).content
    commune_page = commune_page.decode()
    assert reverse("assessments:unit_report", args=[world.commune.pk, "mau01", "docx"]) not in (
        commune_page
    )
    assert reverse("assessments:unit_report", args=[world.commune.pk, "commune", "docx"]) in (
        commune_page
    )
    # The assessment page of a Thanh Hóa assessment offers no Mẫu số 01.
    a = services.do_create(world.alice, world.village1, THANHHOA, AT)
    detail = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Mẫu số 01" not in detail and "Báo cáo theo từng tiêu chí" in detail


@pytest.mark.parametrize(
    ("unit", "kind", "slug", "needle"),
    [
        ("village1", "commune", PHUTHO, "không phải xã"),
        ("village1", "criteria", KONTUM_XA, "dùng để đánh giá xã"),
        ("commune", "mau01", PHUTHO, "không lập báo cáo Mẫu số 01"),
        ("commune", "criteria", PHUTHO, "dùng báo cáo tổng hợp"),
        ("village1", "mau01", THANHHOA, "không áp dụng cho bộ tiêu chí"),
    ],
)
def test_unsuitable_live_report_is_400_with_message(
    world, village_data, client, unit, kind, slug, needle
):
    _login(client, "dave")
    target = getattr(world, unit)
    url = reverse("assessments:unit_report", args=[target.pk, kind, "docx"])
    response = client.get(url, {"set": slug, "at": "05/03/2024"})
    assert response.status_code == 400
    assert needle in response.content.decode()
    assert response["Content-Type"].startswith("text/html")
    assert not AuditEvent.objects.filter(action="export").exists()


def test_unsuitable_frozen_report_is_400(world, village_data, client):
    a = services.do_create(world.alice, world.village1, THANHHOA, AT)
    services.do_submit(world.alice, a)
    _login(client, "alice")
    response = client.get(reverse("assessments:report", args=[a.pk, "mau01", "docx"]))
    assert response.status_code == 400 and "không áp dụng" in response.content.decode()
    response = client.get(reverse("assessments:report", args=[a.pk, "commune", "pdf"]))
    assert response.status_code == 400 and "không phải xã" in response.content.decode()
    assert client.get(reverse("assessments:report", args=[a.pk, "bogus", "docx"])).status_code == (
        404
    )


def test_bad_reference_date_or_set_is_an_error_not_today(world, village_data, client):
    _login(client, "alice")
    url = reverse("assessments:unit_report", args=[world.village1.pk, "criteria", "docx"])
    for bad in ("31/02/2024", "hôm qua", "2024-13-01"):
        response = client.get(url, {"set": PHUTHO, "at": bad})
        assert response.status_code == 400, bad
        body = response.content.decode()
        assert "Ngày tham chiếu" in body and "không hợp lệ" in body and bad in body
    response = client.get(url, {"set": "khong-co", "at": "05/03/2024"})
    assert response.status_code == 404 and "Không có bộ tiêu chí" in response.content.decode()
    assert (
        client.get(
            reverse("assessments:unit_report", args=[world.village1.pk, "criteria", "odt"]),
            {"set": PHUTHO},
        ).status_code
        == 404
    )
    # A good date in either form gives that date's report, dated by hand in that year.
    from smartvillage.documents.tests.test_reports import _text

    for good in ("05/03/2024", "2024-03-05"):
        response = client.get(url, {"set": PHUTHO, "at": good})
        assert response.status_code == 200, good
        text = _text(response.content)
        assert "tại ngày tham chiếu 05/03/2024" in text
        assert "Xã An, ngày     tháng     năm 2024" in text
