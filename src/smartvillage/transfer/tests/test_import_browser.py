"""Real-browser check of the import flow: upload, background progress, mapping step, confirm."""

from __future__ import annotations

import pytest

from smartvillage.core.testing import PASSWORD, build_world
from smartvillage.registry.models import Person
from smartvillage.transfer.tests import builders

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def server(request, transactional_db, settings):
    # Every upload runs in the background here, so the page shows the polled progress bar.
    settings.TRANSFER_INLINE_BYTES = 0
    return request.getfixturevalue("live_server")


@pytest.fixture
def data(server, tmp_path):
    """Written before Playwright starts: the ORM stays out of Playwright's event loop."""
    world = build_world()
    path = builders.big_persons_xlsx(tmp_path / "thon-mot.xlsx", persons=2000)
    # An extra column the importer does not know, to exercise the mapping step.
    from openpyxl import load_workbook

    wb = load_workbook(path)
    ws = wb.active
    ws.cell(1, 12, "Dùng app ngân hàng")
    for row in range(2, ws.max_row + 1):
        ws.cell(row, 12, "x" if row % 2 else None)
    wb.save(path)
    return world, path


def _in_thread(fn):
    """ORM reads from a plain thread (Playwright's sync API runs an event loop in this one)."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connection

    def run():
        try:
            return fn()
        finally:
            connection.close()

    with ThreadPoolExecutor(1) as pool:
        return pool.submit(run).result()


def test_upload_progress_mapping_confirm(server, data, browser, tmp_path):
    world, path = data
    page = browser.new_page(locale="vi-VN")
    page.goto(f"{server.url}/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{server.url}/")
    page.goto(f"{server.url}/units/{world.village1.pk}/import/")
    page.set_input_files("#id_files", str(path))
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Xem trước (chưa ghi gì)", timeout=60000)
    # The unknown column is asked about or reported; the full mapping table is folded below.
    assert "Cột cần bạn chọn" in page.content() or "Cột chưa nhận ra" in page.content()
    page.evaluate("document.getElementById('mapping').open = true")
    # Every column is listed with its automatic match preselected; L is the unknown one.
    unknown = 'select[name="map:Nhân khẩu!L"]'
    assert page.locator("#mapping select").count() == 12
    assert page.locator('select[name="map:Nhân khẩu!C"]').input_value() == "birth_date"
    assert page.locator(unknown).input_value() == "__keep__"
    page.select_option(unknown, "online_public_services")
    with page.expect_navigation():
        page.click("#mapping button[type=submit]")
    # Checked again in the background (progress bar polled), then the page reloads itself.
    page.wait_for_selector("text=Xác nhận và ghi vào sổ", timeout=60000)
    assert "Cột cần bạn chọn" not in page.content()
    assert "Cột chưa nhận ra" not in page.content()
    assert page.locator(unknown).input_value() == "online_public_services"
    page.screenshot(path=str(tmp_path / "preview.png"), full_page=True)
    with page.expect_navigation():
        page.click("text=Xác nhận và ghi vào sổ")
    page.wait_for_selector("text=Đã nhập xong", timeout=60000)
    assert "nhân khẩu: 2.000 thêm" in page.content()
    page.screenshot(path="/tmp/sv-transfer-result.png", full_page=True)
    counts = _in_thread(
        lambda: (
            Person.objects.filter(village=world.village1).count(),
            Person.objects.filter(village=world.village1, online_public_services=True).count(),
        )
    )
    assert counts == (2000, 1000)
