"""Real-browser check of the village page: login, htmx live search, and a phone-sized layout.

Uses the system Chromium (/usr/bin/chromium); Playwright never downloads a browser here.
"""

from __future__ import annotations

import pytest

from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory, build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def village(server):
    """The data, written before Playwright starts: the ORM stays out of Playwright's greenlets
    (a connection opened there is never closed and blocks dropping the PostgreSQL test database)."""
    world = build_world()
    HouseholdFactory(village=world.village1, code="T1-001", head_name="Nguyễn Văn An")
    target = HouseholdFactory(village=world.village1, code="T1-002", head_name="Lê Thị Bích")
    PersonFactory(household=target, full_name="Lê Thị Bích", identity_number="001234567890")
    for i in range(30):
        HouseholdFactory(village=world.village1, code=f"P{i:03d}", head_name=f"Hoàng Văn {i}")
    HouseholdFactory(village=world.village2, code="T2-001", head_name="Trần Văn Khác")
    return world


def test_login_open_village_and_live_search(server, village, browser, tmp_path):
    live_server, world = server, village

    # A phone-sized viewport: the page must be usable at 360 px wide.
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="vi-VN",
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    # Her home is her village's summary; its name opens the village page (issue 10).
    page.click("main .village-summary h1 a:has-text('Thôn Một')")
    page.wait_for_url(f"{live_server.url}/units/{world.village1.pk}/")

    rows = page.locator("#household-list tbody tr")
    assert rows.count() == 25  # first page of 32
    assert "32 hộ" in page.locator("#household-list").inner_text()
    assert "001234567890" not in page.content()

    # Not a full-page navigation: htmx swaps the list in place.
    page.evaluate("window.__marker = 'still-here'")
    page.locator("#household-search").press_sequentially("Bích", delay=50)
    from playwright.sync_api import expect

    # expect() polls from outside the page (wait_for_function would eval under the page's CSP).
    expect(page.locator("#household-list tbody tr")).to_have_count(1)
    assert page.evaluate("window.__marker") == "still-here"
    text = page.locator("#household-list").inner_text()
    assert "Lê Thị Bích" in text and "Nguyễn Văn An" not in text and "Trần Văn Khác" not in text
    assert "q=B" in page.url  # the search is in the address bar (shareable, back button works)

    page.locator("#household-search").fill("")
    page.locator("#household-search").press("Backspace")
    expect(page.locator("#household-list tbody tr")).to_have_count(25)

    # Usable on a phone: nothing wider than the screen except the scrollable table box.
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    box = page.locator("#household-search").bounding_box()
    assert box is not None and box["width"] >= 200 and box["height"] >= 32
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(tmp_path / "village-phone.png"))
    page.locator("#household-search").scroll_into_view_if_needed()
    page.screenshot(path=str(tmp_path / "village-phone-list.png"))
    assert (tmp_path / "village-phone.png").stat().st_size > 5000
    context.close()
