"""With the demo data: the appraiser's home fits under 2.000 px at 1366 px wide, and on a phone a
village head sees her village's failing criteria on the first screen (home and village page)."""

from __future__ import annotations

import pytest

from smartvillage.demo import demo

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 360, "height": 780}
DESKTOP = {"width": 1366, "height": 900}
APPRAISERS = ["thamdinh.dongthap", "thamdinh.kontum", "thamdinh.phutho"]


@pytest.fixture
def demo_world(server):
    demo.build_demo(units="demo")
    from smartvillage.units.models import AdminUnit

    return {"anphu": AdminUnit.objects.get(name="An Phú", level="village").pk}


def _login(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", demo.PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def test_each_appraisers_home_is_under_2000_px_at_1366(server, demo_world, browser):
    page = browser.new_page(viewport=DESKTOP, locale="vi-VN")
    for username in APPRAISERS:
        _login(page, server.url, username)
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 2000, (username, height)
        assert page.locator("#recognised").count() == 1 and page.locator("#inbox").count() == 1
        page.context.clear_cookies()
    page.close()


def test_a_village_heads_failing_criteria_are_on_the_first_phone_screen(
    server, demo_world, browser
):
    page = browser.new_page(viewport=PHONE, locale="vi-VN")
    _login(page, server.url, "truongthon.anphu")
    for url in (f"{server.url}/", f"{server.url}/units/{demo_world['anphu']}/"):
        page.goto(url)
        first = page.locator("#failing .failing-item").first
        box = first.bounding_box()
        assert box is not None and box["y"] + min(box["height"], 60) <= PHONE["height"], url
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        # Tabs and buttons are tap targets of at least 44 px.
        heights = page.eval_on_selector_all(
            "main .tabs a, main .btn, header nav a",
            "els => els.filter(e => e.offsetParent).map(e => e.getBoundingClientRect().height)",
        )
        assert heights and min(heights) >= 44, (url, min(heights))
    page.close()
