"""Real browser at 360 px: a resident opens the village's public page, answers the survey and
sees the thanks; the commune officer sees the count rise."""

from __future__ import annotations

import datetime as dt

import pytest

from smartvillage.conftest import browser_login
from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_world
from smartvillage.public import services as public
from smartvillage.surveys import services
from smartvillage.surveys.models import SurveyStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def published(server):
    world = build_world()
    for i in range(3):
        h = HouseholdFactory(village=world.village1, code=f"HO-{i:03d}")
        PersonFactory(household=h, identity_number=f"00109000{i:04d}")
    page = public.do_publish(world.carol, world.village1, published=True)
    survey = services.do_create_survey(
        world.alice,
        world.village1,
        opens_on=dt.date.today() - dt.timedelta(days=1),
        closes_on=dt.date.today() + dt.timedelta(days=10),
    )
    services.do_set_status(world.alice, survey, SurveyStatus.OPEN)
    return world, page, survey


def test_resident_answers_on_a_phone_and_the_commune_sees_it(server, published, browser):
    world, page_obj, survey = published
    base = server.url
    phone = browser.new_page(viewport={"width": 360, "height": 740}, locale="vi-VN")
    phone.goto(f"{base}/cong-khai/{page_obj.slug}/")
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    phone.get_by_role("link", name="Trả lời khảo sát").click()
    phone.wait_for_url(f"**/khao-sat/{survey.pk}/")
    phone.fill("#id_household_code", "HO-001")
    phone.fill("#id_digits", "0001")
    phone.get_by_label("Hài lòng", exact=True).check()
    phone.get_by_label("Dịch vụ công trực tuyến").check()
    phone.get_by_label("4", exact=True).check()
    box = phone.get_by_role("button", name="Gửi ý kiến").bounding_box()
    assert box["height"] >= 44
    phone.get_by_role("button", name="Gửi ý kiến").click()
    phone.wait_for_load_state()
    assert "Cảm ơn" in phone.locator("h1").inner_text()
    assert phone.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    desk = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    browser_login(desk, base, "carol")
    desk.goto(f"{base}/khao-sat/{survey.pk}/ket-qua/")
    assert desk.locator("#response-count").inner_text() == "1"
