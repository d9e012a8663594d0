import datetime as dt

import pytest

from smartvillage.core.testing import HouseholdFactory, PersonFactory, World, build_world
from smartvillage.criteria import loader
from smartvillage.criteria.tests.conftest import TEST_SET


@pytest.fixture
def world(db) -> World:
    return build_world()


@pytest.fixture(autouse=True)
def _isolated_settings(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = False
    # Argon2 is the production hasher; tests create many users and need speed, not strength.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Jobs run inside the request that enqueues them (on commit): no worker process in tests.
    # jobs/tests runs the real database queue and worker where that is what is tested.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


# ---- real-browser tests (marker `browser`): the system Chromium, never a downloaded one ------

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture
def browser(monkeypatch):
    monkeypatch.setenv("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "the system Chromium is required"
    with sync_playwright() as pw:
        launched = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def server(live_server):
    """The live server for browser tests (data is written before Playwright starts: the ORM
    stays out of Playwright's greenlets, whose connections would block dropping the test DB)."""
    return live_server


def browser_login(page, base_url: str, username: str) -> None:
    """Sign in through the real login form."""
    from smartvillage.core.testing import PASSWORD

    page.goto(f"{base_url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base_url}/")


# ---- a small filled world with the criteria test set (criteria and API tests) ---------------


@pytest.fixture
def with_test_set(settings, tmp_path):
    (tmp_path / "test-set.yaml").write_text(TEST_SET, encoding="utf-8")
    settings.SMARTVILLAGE_CRITERIA_DIRS = [str(tmp_path)]
    loader.reload()
    yield
    loader.reload()


@pytest.fixture
def filled(world):
    """Shared by the criteria pages and the API. Four households per village (village1: 2 with fibre; village2: all), one adult each."""
    for village, fibre in (
        (world.village1, (True, True, False, False)),
        (world.village2, (True, True, True, True)),
    ):
        for index, has_fibre in enumerate(fibre):
            household = HouseholdFactory(
                village=village,
                code=f"{village.code}-{index}",
                head_name=f"Chủ hộ {village.name} {index}",
                fibre_internet=has_fibre,
            )
            PersonFactory(
                household=household,
                full_name=f"Người {village.name} {index}",
                birth_date=dt.date(1990, 1, 1),
                identity_number=f"0019{index:02d}{village.pk % 1000000:06d}",
                smartphone=index == 0,
            )
    return world
