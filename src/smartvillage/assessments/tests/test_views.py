from django.urls import reverse

from smartvillage.assessments import services
from smartvillage.assessments.models import Assessment, State
from smartvillage.assessments.tests.conftest import AT, PHUTHO
from smartvillage.core.testing import PASSWORD


def _page(client, user, a):
    client.login(username=user, password=PASSWORD)
    return client.get(reverse("assessments:detail", args=[a.pk]))


def test_create_and_submit_through_pages(world, village_data, client):
    client.login(username="alice", password=PASSWORD)
    url = reverse("assessments:list", args=[world.village1.pk])
    response = client.post(url, {"criteria_set": PHUTHO, "at": "05/03/2024"})
    a = Assessment.objects.get()
    assert response.status_code == 302 and a.at == AT
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Nộp hồ sơ" in page and "Kết quả tính trực tiếp (dự thảo)" in page
    client.post(reverse("assessments:step", args=[a.pk, "submit"]), {"comment": "Kính gửi xã"})
    a.refresh_from_db()
    assert a.state == State.SUBMITTED and a.current_version == 1


def test_buttons_follow_role_and_unit(world, village_data, client):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    page = _page(client, "dave", a).content.decode()
    assert "Xác nhận (UBND xã)" in page and "Trả lại" in page
    page = _page(client, "alice", a).content.decode()
    assert (
        "Xác nhận (UBND xã)" not in page
        and f'action="/assessments/{a.pk}/step/submit/"' not in page
    )
    assert _page(client, "bob", a).status_code == 404  # another village's file is not visible
    assert _page(client, "mallory", a).status_code == 404


def test_wrong_user_post_is_refused_and_changes_nothing(world, village_data, client):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    client.login(username="erin", password=PASSWORD)
    response = client.post(reverse("assessments:step", args=[a.pk, "confirm"]))
    assert response.status_code == 403
    client.login(username="bob", password=PASSWORD)
    assert (
        client.post(
            reverse("assessments:step", args=[a.pk, "return"]), {"comment": "x"}
        ).status_code
        == 404
    )
    a.refresh_from_db()
    assert a.state == State.SUBMITTED and a.steps.count() == 2


def test_return_without_comment_shows_message_and_history(world, village_data, client):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    client.login(username="dave", password=PASSWORD)
    response = client.post(
        reverse("assessments:step", args=[a.pk, "return"]), {"comment": ""}, follow=True
    )
    assert "Cần ghi ý kiến" in response.content.decode()
    response = client.post(
        reverse("assessments:step", args=[a.pk, "return"]),
        {"comment": "Thiếu Biểu 02"},
        follow=True,
    )
    body = response.content.decode()
    assert "Thiếu Biểu 02" in body and "Bị trả lại" in body
    a.refresh_from_db()
    assert a.state == State.RETURNED


def test_appraisal_and_recognition_through_pages(world, village_data, client):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    services.do_confirm(world.dave, a)
    client.login(username="erin", password=PASSWORD)
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Thẩm định từng tiêu chí" in page
    frozen = {
        c["code"]: c["status"] for c in a.versions.get().snapshot["data"]["result"]["criteria"]
    }
    assert frozen["1.7"] == "fail"
    data = {f"verdict_{c}": "pass" if st == "pass" else "fail" for c, st in frozen.items()} | {
        "verdict_1.7": "pass",
        "comment_1.7": "Đã có mô hình, kiểm tra thực tế",
    }
    client.post(reverse("assessments:step", args=[a.pk, "appraise"]), data)
    a.refresh_from_db()
    assert a.state == State.APPRAISED
    page = client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    assert "Đã có mô hình, kiểm tra thực tế" in page and "Không thống nhất" in page


def test_commune_officer_completes_report_through_the_page(world, village_data, client):
    a = services.do_create(world.alice, world.village1, PHUTHO, AT)
    services.do_submit(world.alice, a)
    edit = f'action="/assessments/{a.pk}/step/edit/"'
    assert edit not in _page(client, "alice", a).content.decode()  # handed on: not hers now
    page = _page(client, "carol", a).content.decode()
    assert edit in page and "UBND xã hoàn thiện số, ngày, người ký" in page
    response = client.post(
        reverse("assessments:step", args=[a.pk, "edit"]),
        {
            "report_number": "15/BC-UBND",
            "report_date": "12/03/2024",
            "signer_name": "Phạm Văn Định",
            "strengths": "Nhân dân đồng thuận",
        },
        follow=True,
    )
    assert "Đã lưu." in response.content.decode()
    version = a.versions.get()
    assert version.report_meta["report_number"] == "15/BC-UBND"
    assert version.report_meta["report_date"] == "2024-03-12"
    assert "số 15/BC-UBND, ngày 12/03/2024; người ký Phạm Văn Định" in response.content.decode()
    services.do_confirm(world.dave, a)
    assert edit not in _page(client, "carol", a).content.decode()  # frozen at confirmation


def test_pages_name_the_criteria_set_by_title_not_slug(client, world):
    import datetime as dt

    from smartvillage.assessments.services import do_create

    assessment = do_create(
        world.alice, world.village1, "phutho-khu-dan-cu-thong-minh-1491", dt.date(2024, 6, 30)
    )
    client.force_login(world.alice)
    for url in (f"/assessments/{assessment.pk}/", f"/units/{world.village1.pk}/assessments/"):
        body = client.get(url).content.decode()
        assert "Phú Thọ" in body and "1491/QĐ-UBND, phiên bản 1" in body, url
