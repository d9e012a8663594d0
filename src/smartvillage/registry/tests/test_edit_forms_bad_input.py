"""Bad input on the household and person EDIT forms: a Vietnamese message naming the field, the
form keeps what was typed, and the stored household/person (and the audit trail) are unchanged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Household, Person


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _row(model, pk: int) -> dict:
    return model.objects.filter(pk=pk).values().get()


GOOD_HOUSEHOLD = {"code": "T1-001", "head_name": "Nguyễn Văn An", "address": "Xóm Giữa"}


@pytest.mark.parametrize(
    ("change", "label", "fragment"),
    [
        ({"code": ""}, "Mã hộ", "chưa nhập"),
        ({"code": "t1-002"}, "Mã hộ", "đã có trong thôn này"),
        ({"code": "X" * 41}, "Mã hộ", "dài quá 40 ký tự"),
        ({"head_name": "   "}, "Họ tên chủ hộ", "chưa nhập"),
        ({"address": "A" * 301}, "Địa chỉ", "dài quá 300 ký tự"),
        ({"latitude": "200", "longitude": "105"}, "Vĩ độ", "phải trong khoảng"),
        ({"latitude": "48,8", "longitude": "2,3"}, "Tọa độ", "nằm ngoài lãnh thổ Việt Nam"),
    ],
)
def test_bad_household_edit_changes_nothing(alice, world, change, label, fragment):
    household = HouseholdFactory(village=world.village1, **GOOD_HOUSEHOLD, internet=True)
    HouseholdFactory(village=world.village1, code="T1-002")
    before, audit_before = _row(Household, household.pk), AuditEvent.objects.count()
    payload = {**GOOD_HOUSEHOLD, "internet": "on", "fibre_internet": "on", **change}
    response = alice.post(reverse("registry:household_edit", args=[household.pk]), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{label}:" in html and fragment in html and "Chưa lưu được" in html
    # The fibre box she ticked is still ticked for her to fix the error and resend.
    assert 'name="fibre_internet" id="id_fibre_internet" checked' in html
    assert _row(Household, household.pk) == before
    assert AuditEvent.objects.count() == audit_before


GOOD_PERSON = {
    "full_name": "Trần Thị Hoa",
    "birth": "15/06/1990",
    "sex": "F",
    "relationship": "spouse",
}


@pytest.mark.parametrize(
    ("change", "label", "fragment"),
    [
        ({"full_name": ""}, "Họ và tên", "chưa nhập"),
        ({"full_name": "H" * 201}, "Họ và tên", "dài quá 200 ký tự"),
        ({"birth": "30/02/1990"}, "Ngày sinh", "không có trên lịch"),
        ({"birth": "01/01/2999"}, "Ngày sinh", "tương lai"),
        ({"birth": "mười lăm"}, "Ngày sinh", "không đúng dạng"),
        ({"identity": "0123"}, "Số CCCD/định danh", "12 chữ số"),
        ({"sex": "X"}, "Giới tính", "không hợp lệ"),
        ({"relationship": "boss"}, "Quan hệ với chủ hộ", "không hợp lệ"),
    ],
)
def test_bad_person_edit_changes_nothing(alice, world, change, label, fragment):
    household = HouseholdFactory(village=world.village1)
    person = PersonFactory(
        household=household,
        full_name="Trần Thị Hoa",
        birth_date=dt.date(1990, 6, 15),
        relationship="spouse",
        identity_number="001190012345",
        smartphone=True,
    )
    before, audit_before = _row(Person, person.pk), AuditEvent.objects.count()
    payload = {**GOOD_PERSON, "epayment_account": "on", **change}
    response = alice.post(reverse("registry:person_edit", args=[person.pk]), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{label}:" in html and fragment in html and "Chưa lưu được" in html
    assert _row(Person, person.pk) == before
    # The form never sends the stored identity number back, even after an error.
    assert "001190012345" not in html
    assert AuditEvent.objects.count() == audit_before
