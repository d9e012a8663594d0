import base64
import datetime as dt

import pytest
from rest_framework.test import APIClient

from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory
from smartvillage.criteria import loader
from smartvillage.criteria.tests.conftest import TEST_SET


@pytest.fixture
def api():
    """An API client logged in (session) as a given user: api(world.alice)."""

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make


@pytest.fixture
def basic_auth():
    def header(username):
        token = base64.b64encode(f"{username}:{PASSWORD}".encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {token}"}

    return header


@pytest.fixture
def with_test_set(settings, tmp_path):
    (tmp_path / "test-set.yaml").write_text(TEST_SET, encoding="utf-8")
    settings.SMARTVILLAGE_CRITERIA_DIRS = [str(tmp_path)]
    loader.reload()
    yield
    loader.reload()


@pytest.fixture
def filled(world):
    """Four households per village (village1: 2 with fibre; village2: all), one adult each."""
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
