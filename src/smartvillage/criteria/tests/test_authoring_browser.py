"""Real-browser authoring: the province appraiser copies the Phú Thọ set, raises a threshold and
adds a criterion, previews the draft on the province's villages, publishes it; the village then
evaluates against the new version while its earlier submitted assessment keeps version 1."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from smartvillage.assessments.services import do_create, do_submit
from smartvillage.conftest import browser_login
from smartvillage.core.testing import HouseholdFactory, build_world
from smartvillage.criteria import loader

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHUTHO = "phutho-khu-dan-cu-thong-minh-1491"


@pytest.fixture
def province(server):
    """village1: 7 of 8 households with fibre (87,5 %); village2: 4 of 4; village3: 1 of 4."""
    loader.reload()
    world = build_world()
    for village, fibre, total in (
        (world.village1, 7, 8),
        (world.village2, 4, 4),
        (world.village3, 1, 4),
    ):
        for i in range(total):
            HouseholdFactory(village=village, code=f"{village.code}-{i}", fibre_internet=i < fibre)
    old = do_create(world.alice, world.village1, PHUTHO, dt.date(2024, 6, 30))
    do_submit(world.alice, old)
    yield world, old
    loader.reload()


def test_appraiser_authors_previews_and_publishes_a_new_version(
    server, province, browser, tmp_path
):
    world, old = province
    # Screenshots to look at by eye (SMARTVILLAGE_SHOTS keeps them; else the test's tmp dir).
    shots = Path(os.environ.get("SMARTVILLAGE_SHOTS") or tmp_path)
    base = server.url
    page = browser.new_page(viewport={"width": 1366, "height": 900}, locale="vi-VN")
    browser_login(page, base, "erin")
    page.goto(f"{base}/criteria/authoring/")
    page.locator(f"button[data-copy='{PHUTHO}']").click()
    page.wait_for_url("**/criteria/authoring/*/")
    edit_url = page.url

    # Live validation: a threshold of 85 (not 0.85) is named with its line, in Vietnamese.
    yaml_box = page.locator("#id_content")
    original = yaml_box.input_value()
    yaml_box.fill(original.replace("threshold: 0.85", "threshold: 85"))
    page.wait_for_selector("#check-error")
    error = page.locator("#check-error").inner_text()
    assert "Dòng" in error and "tiêu chí 1.2" in error and "từ 0 đến 1" in error
    yaml_box.fill(original)
    page.wait_for_selector("#check-error", state="detached")

    # Raise 1.1 from 80 % to 90 %.
    page.locator("#crit-1\\.1").get_by_role("link", name="Sửa").click()
    page.fill("#id_threshold", "90")
    page.get_by_role("button", name="Lưu tiêu chí").click()
    page.wait_for_url(edit_url)
    assert "≥ 90 %" in page.locator("#crit-1\\.1").inner_text()

    # Add 1.8 (households with 3G/4G/5G, 50 %) picked from the facts catalogue.
    page.get_by_role("link", name="Thêm tiêu chí").click()
    page.fill("#id_code", "1.8")
    page.fill("#id_title", "Tỷ lệ hộ gia đình sử dụng thông tin di động 3G/4G/5G")
    page.select_option("#id_kind", "ratio")
    page.select_option("#id_population", "households")
    page.select_option("#id_numerator_facts", ["mobile_broadband"])
    page.fill("#id_threshold", "50")
    page.get_by_role("button", name="Lưu tiêu chí").click()
    page.wait_for_url(edit_url)
    assert page.locator("#crit-1\\.8").count() == 1
    page.screenshot(path=str(shots / "authoring-edit-1366.png"), full_page=True)

    # Preview: 1.1 passes in 2 villages under version 1, in 1 under the draft.
    page.get_by_role("link", name="Xem thử trên các thôn của tỉnh").first.click()
    page.wait_for_url("**/preview/")
    page.fill("#at", "30/06/2025")
    page.get_by_role("button", name="Tính lại").click()
    page.wait_for_load_state()
    row = page.locator("#preview-criteria tr[data-code='1.1']")
    assert row.locator("td.passing").inner_text() == "1"
    assert "−1" in row.inner_text()
    assert page.locator("#preview-criteria tr[data-code='1.8']").inner_text().count("mới") == 1
    assert page.locator("#passing-units").inner_text() == "0"
    page.set_viewport_size({"width": 360, "height": 800})
    page.screenshot(path=str(shots / "authoring-preview-360.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    page.set_viewport_size({"width": 1366, "height": 900})

    # Publish with its legal basis and validity.
    page.get_by_role("link", name="Công bố").last.click()
    page.wait_for_url("**/publish/")
    page.fill("#id_legal_number", "99/QĐ-UBND")
    page.fill("#id_legal_date", "15/01/2026")
    page.fill("#id_legal_issuer", "UBND tỉnh Thử")
    page.fill("#id_guidance_title", "Hướng dẫn thực hiện tiêu chí khu dân cư thông minh")
    page.fill("#id_guidance_issuer", "Sở Khoa học và Công nghệ tỉnh Thử")
    page.fill("#id_valid_from", "15/01/2026")
    page.fill("#id_valid_to", "31/12/2030")
    page.locator("#publish").click()
    page.wait_for_url("**/criteria/authoring/")
    assert "phiên bản 2" in page.locator(".messages").inner_text()
    assert "So sánh 1 → 2" in page.content()
    page.context.clear_cookies()

    # The village evaluates against version 2 (90 %: 7 of 8 is not enough)…
    browser_login(page, base, "alice")
    page.goto(f"{base}/units/{world.village1.pk}/criteria/?set={PHUTHO}&at=30/06/2026")
    fibre = page.locator("li.criterion", has_text="1.1").first
    assert "7/8 hộ" in fibre.inner_text() and "còn thiếu 1 hộ" in fibre.inner_text()
    assert page.locator("li.criterion", has_text="1.8").count() == 1
    # …while the assessment submitted earlier keeps version 1.
    page.goto(f"{base}/assessments/{old.pk}/")
    text = page.locator("main").inner_text()
    assert "1491/QĐ-UBND" in text and "99/QĐ-UBND" not in text
    page.close()
