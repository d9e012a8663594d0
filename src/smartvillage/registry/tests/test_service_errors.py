"""A validation error raised inside a registry service (the form had passed) is shown on the page
in plain Vietnamese: an error of the whole object without Django's "__all__" key, a field's error
with its label."""

from __future__ import annotations

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.urls import reverse

from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry import services
from smartvillage.registry.forms import HouseholdForm
from smartvillage.registry.models import Household
from smartvillage.registry.tests.test_views_access import db_state


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def test_a_duplicate_code_that_got_past_the_form_shows_without_all(alice, world, monkeypatch):
    # Two people add "T1-001" at once: the form of the second saw no clash, the database
    # constraint (checked by the service's full_clean) refuses it as an error of the whole row.
    HouseholdFactory(village=world.village1, code="T1-001")
    monkeypatch.setattr(HouseholdForm, "clean_code", lambda form: form.cleaned_data["code"])
    before = db_state()
    response = alice.post(
        reverse("registry:household_create", args=[world.village1.pk]),
        {"code": "T1-001", "head_name": "Trần Văn Mười"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "__all__" not in html
    assert "Mã hộ" in html and "đã tồn tại" in html
    assert '<div class="alert alert-error" role="alert">' in html
    assert db_state() == before


def _raise(error):
    def service(*args, **kwargs):
        raise error

    return service


@pytest.mark.parametrize(
    ("error", "shown", "hidden"),
    [
        (
            ValidationError({NON_FIELD_ERRORS: ["Hộ này đang được người khác sửa."]}),
            "Hộ này đang được người khác sửa.",
            "__all__",
        ),
        (
            ValidationError({"head_name": ["không được chứa chữ số."]}),
            "Họ tên chủ hộ: không được chứa chữ số.",
            "head_name:",
        ),
        (
            # A model field the form does not show: named by its verbose name, not "village:".
            ValidationError({"village": ["thôn đã ngừng hoạt động."]}),
            "Thôn: thôn đã ngừng hoạt động.",
            "village:",
        ),
        (ValidationError("Không lưu được lúc này."), "Không lưu được lúc này.", "__all__"),
    ],
)
def test_service_errors_on_the_edit_form(alice, world, monkeypatch, error, shown, hidden):
    household = HouseholdFactory(village=world.village1, code="T1-002", head_name="Cũ")
    monkeypatch.setattr(services, "do_update_household", _raise(error))
    response = alice.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": "T1-002", "head_name": "Mới"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert shown in html and hidden not in html
    assert Household.objects.get(pk=household.pk).head_name == "Cũ"
