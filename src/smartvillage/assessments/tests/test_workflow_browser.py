"""Real-browser check of the way from live criteria to a confirmed self-assessment.

The village head sees her criteria with progress bars and gaps, opens the worklist, creates and
submits the assessment; the commune leader confirms it; the history shows both steps.
"""

from __future__ import annotations

import datetime as dt

import pytest

from smartvillage.conftest import browser_login
from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"


@pytest.fixture
def village(server):
    world = build_world()
    for index in range(10):
        household = HouseholdFactory(
            village=world.village1, code=f"H{index:02d}", fibre_internet=index < 7
        )
        PersonFactory(household=household, birth_date=dt.date(1990, 5, 1), smartphone=True)
    return world


def test_criteria_to_confirmed_assessment_in_a_browser(server, village, browser):
    world, base = village, server.url
    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="vi-VN")
    browser_login(page, base, "alice")

    # Live criteria: 7 of 10 households have fibre, 80 % needs 8: one more household.
    page.goto(f"{base}/units/{world.village1.pk}/criteria/?set={PHUTHO}&at=30/06/2024")
    fibre = page.locator("li.criterion", has_text="1.1")
    assert "7/10 hộ" in fibre.inner_text() and "còn thiếu 1 hộ" in fibre.inner_text()
    width = fibre.locator(".progress .fill").evaluate("e => e.style.width")
    assert width == "70%"
    fibre.get_by_text("Danh sách cần vận động").click()
    page.wait_for_url("**/1.1/worklist/**")
    assert page.locator("table tbody tr").count() == 3  # the three households without fibre
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    # The self-assessment: draft, then submit.
    page.goto(f"{base}/units/{world.village1.pk}/assessments/")
    page.select_option("select[name=criteria_set]", PHUTHO)
    page.fill("input[name=at]", "30/06/2024")
    page.get_by_role("button", name="Tạo dự thảo").click()
    page.wait_for_url("**/assessments/*/")
    detail_url = page.url
    page.locator("form[action$='/step/submit/'] button").click()
    page.wait_for_load_state()
    assert page.locator(".stat b.state-submitted").inner_text() == "Đã nộp"
    # The village head cannot confirm her own submission: no such button for her.
    assert page.locator("form[action$='/step/confirm/']").count() == 0
    page.context.clear_cookies()

    # The commune leader confirms it.
    browser_login(page, base, "dave")
    page.goto(detail_url)
    page.fill("form[action$='/step/confirm/'] textarea", "Đúng số liệu")
    page.locator("form[action$='/step/confirm/'] button").click()
    page.wait_for_load_state()
    assert page.locator(".stat b.state-confirmed").inner_text() == "Xã đã xác nhận"
    history = page.locator("table", has_text="Đúng số liệu").inner_text()
    assert "Đúng số liệu" in history and "v1" in history
    page.close()
