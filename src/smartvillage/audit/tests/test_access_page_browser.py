"""The personal-data access page on a phone (360 px) and a desktop: the table scrolls inside its
frame instead of widening the page."""

import os

import pytest
from django.urls import reverse

from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.conftest import browser_login
from smartvillage.core.testing import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world_with_access(transactional_db):
    # Written before Playwright starts (see conftest.server).
    world = build_world()
    for user, count in ((world.alice, 50), (world.alice, 50), (world.carol, 12)):
        audit.record(
            actor=user,
            action=AuditAction.VIEW,
            unit=world.village1,
            object_type="household_list",
            object_repr="Danh sách hộ – Thôn Một",
            note="API: Xem danh sách hộ",
            count=count,
        )
    return world


def test_access_page_on_a_phone_and_a_desktop(world_with_access, browser, server, tmp_path):
    world = world_with_access
    url = server.url + reverse("audit:unit_access", args=[world.commune.pk])
    shots = os.environ.get("SCREENSHOT_DIR", str(tmp_path))
    for width in (360, 1366):
        page = browser.new_page(viewport={"width": width, "height": 800})
        browser_login(page, server.url, "dave")
        page.goto(url)
        assert page.locator("h1").inner_text().startswith("Truy cập dữ liệu cá nhân")
        assert "100" in page.locator("table").first.inner_text()  # alice: 2 pages of 50
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, overflow
        page.screenshot(path=f"{shots}/unit-access-{width}.png", full_page=True)
        page.close()
