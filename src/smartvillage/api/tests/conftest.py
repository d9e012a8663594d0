import base64

import pytest
from rest_framework.test import APIClient

from smartvillage.core.testing import PASSWORD


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
