"""The personal-data page on a phone and a desktop: readable, no sideways scroll, erase works,
and the page runs under the Content-Security-Policy without a violation."""

from __future__ import annotations

import pytest

from smartvillage.conftest import browser_login
from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry import services


@pytest.fixture
def subject(transactional_db):
    from smartvillage.core.testing import build_world

    world = build_world()
    household = HouseholdFactory(village=world.village1, code="P1", head_name="Hà Thị Riêng Tư")
    person = services.do_create_person(world.alice, household, full_name="Hà Thị Riêng Tư")
    return world, household, person


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_personal_data_page_on_a_phone_and_erase(subject, server, browser, tmp_path):
    world, household, person = subject
    violations: list[str] = []
    for width in (1366, 360):
        page = browser.new_page(viewport={"width": width, "height": 800})
        page.on(
            "console",
            lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
        )
        browser_login(page, server.url, world.alice.username)
        page.goto(f"{server.url}/persons/{person.pk}/personal-data/")
        assert page.locator("h1").inner_text().startswith("Dữ liệu cá nhân")
        page.screenshot(path=str(tmp_path / f"person-data-{width}.png"), full_page=True)
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow, f"sideways scroll at {width} px"
        box = page.locator("button.danger").bounding_box()
        assert box and box["height"] >= 44
        if width == 360:
            page.on("dialog", lambda d: d.accept())
            page.check("input[name=confirm]")
            page.click("button.danger")
            page.wait_for_url(f"{server.url}/households/{household.pk}/")
            assert "Đã xóa dữ liệu cá nhân" in page.content()
            gone = page.goto(f"{server.url}/persons/{person.pk}/personal-data/")
            assert gone.status == 404
        page.close()
    assert not violations, violations
