"""Writes through the pages: each leaves an audit entry with before/after values; bad input gives a
Vietnamese message naming the field and writes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.forms import parse_birth
from smartvillage.registry.models import Household, Person
from smartvillage.registry.tests.test_views_access import db_state


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _last(object_type: str) -> AuditEvent:
    return AuditEvent.objects.filter(object_type=object_type).order_by("-id").first()


def test_household_create_edit_delete_are_audited(alice, world):
    response = alice.post(
        reverse("registry:household_create", args=[world.village1.pk]),
        {
            "code": "  T1-009 ",
            "head_name": "Đỗ  Văn Em",
            "address": "Xóm Đông",
            "internet": "on",
            "fibre_internet": "on",
        },
    )
    household = Household.objects.get(village=world.village1, code="T1-009")
    assert response.status_code == 302 and response["Location"] == reverse(
        "registry:household", args=[household.pk]
    )
    assert household.head_name == "Đỗ Văn Em" and household.internet and household.fibre_internet
    assert not household.waste_sorting
    created = _last("household")
    assert created.action == AuditAction.CREATE and created.actor == world.alice
    assert (
        created.after["code"] == "T1-009"
        and created.after["internet"] is True
        and created.before is None
    )
    assert created.household_id == household.pk

    response = alice.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": "T1-009", "head_name": "Đỗ Văn Em", "address": "Xóm Tây", "waste_sorting": "on"},
    )
    assert response.status_code == 302
    updated = _last("household")
    assert updated.action == AuditAction.UPDATE
    assert updated.before["address"] == "Xóm Đông" and updated.after["address"] == "Xóm Tây"
    assert updated.before["internet"] is True and updated.after["internet"] is False
    assert updated.after["waste_sorting"] is True

    PersonFactory(household=household, full_name="Đỗ Thị Gấm")
    response = alice.post(reverse("registry:household_delete", args=[household.pk]))
    assert response.status_code == 302 and response["Location"] == reverse(
        "core:unit", args=[world.village1.pk]
    )
    assert not Household.objects.filter(pk=household.pk).exists()
    deleted = AuditEvent.objects.filter(household_id=household.pk, action=AuditAction.DELETE)
    assert {e.object_type for e in deleted} == {"household", "person"}
    assert deleted.get(object_type="household").before["address"] == "Xóm Tây"


def test_person_create_edit_delete_are_audited(alice, world):
    household = HouseholdFactory(village=world.village1)
    response = alice.post(
        reverse("registry:person_create", args=[household.pk]),
        {
            "full_name": "Vũ Thị Hạnh",
            "birth": "05/03/1992",
            "sex": "F",
            "relationship": "spouse",
            "identity": "0012 3456 7891",
            "smartphone": "on",
        },
    )
    assert response.status_code == 302
    person = Person.objects.get(household=household)
    assert person.birth_date == dt.date(1992, 3, 5) and not person.birth_year_only
    assert (
        person.identity_number == "001234567891"
        and person.smartphone
        and person.village_id == world.village1.pk
    )
    created = _last("person")
    assert created.action == AuditAction.CREATE and created.after["full_name"] == "Vũ Thị Hạnh"
    assert created.household_id == household.pk

    response = alice.post(
        reverse("registry:person_edit", args=[person.pk]),
        {
            "full_name": "Vũ Thị Hạnh",
            "birth": "1992",
            "sex": "F",
            "relationship": "spouse",
            "epayment_account": "on",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.birth_date == dt.date(1992, 1, 1) and person.birth_year_only
    assert person.identity_number == "001234567891"
    updated = _last("person")
    assert (
        updated.before["birth_date"] == "1992-03-05" and updated.after["birth_date"] == "1992-01-01"
    )
    assert updated.before["smartphone"] is True and updated.after["smartphone"] is False
    assert updated.after["epayment_account"] is True

    # Clearing the stored identity number is explicit; the history shows it masked.
    alice.post(
        reverse("registry:person_edit", args=[person.pk]),
        {
            "full_name": "Vũ Thị Hạnh",
            "birth": "1992",
            "sex": "F",
            "relationship": "spouse",
            "clear_identity": "on",
        },
    )
    person.refresh_from_db()
    assert person.identity_number == ""
    alice.force_login(world.carol)
    history = alice.get(reverse("audit:household_history", args=[household.pk])).content.decode()
    assert "001234567891" not in history and "001*******91" in history
    assert "05/03/1992" in history and "01/01/1992" in history

    alice.force_login(world.alice)
    response = alice.post(reverse("registry:person_delete", args=[person.pk]))
    assert response.status_code == 302 and not Person.objects.filter(pk=person.pk).exists()
    deleted = _last("person")
    assert (
        deleted.action == AuditAction.DELETE
        and deleted.before["full_name"] == "Vũ Thị Hạnh"
        and deleted.after is None
    )


@pytest.mark.parametrize(
    ("payload", "label", "fragment"),
    [
        ({"full_name": "", "birth": "1990"}, "Họ và tên", "chưa nhập"),
        ({"full_name": "Lê Văn Tư", "birth": "31/02/1990"}, "Ngày sinh", "không có trên lịch"),
        ({"full_name": "Lê Văn Tư", "birth": "tháng 5"}, "Ngày sinh", "không đúng dạng"),
        ({"full_name": "Lê Văn Tư", "birth": "1850"}, "Ngày sinh", "nằm ngoài khoảng"),
        ({"full_name": "Lê Văn Tư", "birth": "01/01/2999"}, "Ngày sinh", "tương lai"),
        (
            {"full_name": "Lê Văn Tư", "birth": "1990", "identity": "12345"},
            "Số CCCD/định danh",
            "12 chữ số",
        ),
        ({"full_name": "Lê Văn Tư", "birth": "1990", "sex": "X"}, "Giới tính", "không hợp lệ"),
    ],
)
def test_bad_person_input_names_the_field_and_writes_nothing(
    alice, world, payload, label, fragment
):
    household = HouseholdFactory(village=world.village1)
    before = db_state()
    response = alice.post(
        reverse("registry:person_create", args=[household.pk]), {"relationship": "other", **payload}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{label}:" in html and fragment in html
    assert "Chưa lưu được" in html
    assert db_state() == before


@pytest.mark.parametrize(
    ("payload", "label", "fragment"),
    [
        ({"code": "", "head_name": "Lê Văn Năm"}, "Mã hộ", "chưa nhập"),
        ({"code": "DUP-1", "head_name": "  "}, "Họ tên chủ hộ", "chưa nhập"),
        ({"code": "dup-1", "head_name": "Lê Văn Năm"}, "Mã hộ", "đã có trong thôn này"),
        ({"code": "X" * 41, "head_name": "Lê Văn Năm"}, "Mã hộ", "dài quá 40 ký tự"),
    ],
)
def test_bad_household_input_names_the_field_and_writes_nothing(
    alice, world, payload, label, fragment
):
    HouseholdFactory(village=world.village1, code="DUP-1")
    before = db_state()
    response = alice.post(reverse("registry:household_create", args=[world.village1.pk]), payload)
    assert response.status_code == 200
    html = response.content.decode()
    assert f"{label}:" in html and fragment in html
    assert db_state() == before


def test_same_household_code_allowed_in_another_village(client, world):
    HouseholdFactory(village=world.village1, code="DUP-1")
    client.force_login(world.bob)
    response = client.post(
        reverse("registry:household_create", args=[world.village2.pk]),
        {"code": "DUP-1", "head_name": "Bùi Văn Sáu"},
    )
    assert response.status_code == 302


def test_edit_form_keeps_own_code_and_shows_year_only_birth(alice, world):
    household = HouseholdFactory(village=world.village1, code="K-1")
    person = PersonFactory(
        household=household,
        birth_date=dt.date(1970, 1, 1),
        birth_year_only=True,
        identity_number="001234567890",
    )
    response = alice.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": "K-1", "head_name": "Tên Mới"},
    )
    assert response.status_code == 302
    html = alice.get(reverse("registry:person_edit", args=[person.pk])).content.decode()
    assert 'value="1970"' in html and "001*******90" in html and "001234567890" not in html


def test_parse_birth():
    today = dt.date(2026, 6, 1)
    assert parse_birth("7/3/1960", today) == (dt.date(1960, 3, 7), False)
    assert parse_birth("07-03-1960", today) == (dt.date(1960, 3, 7), False)
    assert parse_birth(" 1960 ", today) == (dt.date(1960, 1, 1), True)
    assert parse_birth("", today) == (None, False)
    for bad in ("1960-03-07", "2027", "29/02/2023", "abc"):
        with pytest.raises(ValueError):
            parse_birth(bad, today)


def test_extra_facts_from_the_catalogue_are_in_the_form(alice, world):
    """A fact stored in the JSON column (operating_team_member) is a checkbox too, saved into
    `extra` without losing other keys there, and audited."""
    from smartvillage.registry import facts

    extra_bool = [f for f in facts.facts_for("person") if f.storage == "extra" and f.type == "bool"]
    assert extra_bool, "the catalogue has an extra person fact"
    fact = extra_bool[0]
    household = HouseholdFactory(village=world.village1)
    person = PersonFactory(household=household, extra={"kept": 1})
    html = alice.get(reverse("registry:person_edit", args=[person.pk])).content.decode()
    assert f'name="extra__{fact.key}"' in html and fact.label_vi in html
    response = alice.post(
        reverse("registry:person_edit", args=[person.pk]),
        {
            "full_name": person.full_name,
            "birth": "1990",
            "relationship": "other",
            f"extra__{fact.key}": "on",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    # Other extra facts of the catalogue are saved too (unchecked: False); none is lost.
    assert person.extra["kept"] == 1 and person.extra[fact.key] is True
    assert Person.objects.filter(pk=person.pk, **{f"extra__{fact.key}": True}).exists()
    event = _last("person")
    assert event.before["extra"] == {"kept": 1} and event.after["extra"][fact.key] is True
    html = alice.get(reverse("registry:person_edit", args=[person.pk])).content.decode()
    assert f'name="extra__{fact.key}" id="id_extra__{fact.key}" checked' in html


def test_history_of_a_deleted_household_stays_readable_in_its_unit(client, world):
    household = HouseholdFactory(village=world.village1, code="GONE-1", head_name="Hộ Đã Xóa")
    PersonFactory(household=household, full_name="Người Đã Xóa", identity_number="001234567890")
    client.force_login(world.carol)
    assert client.post(reverse("registry:household_delete", args=[household.pk])).status_code == 302
    url = reverse("audit:household_history", args=[household.pk])
    html = client.get(url).content.decode()
    assert "Người Đã Xóa" in html and "đã xóa" in html and "001234567890" not in html
    client.force_login(world.mallory)
    assert client.get(url).status_code == 404
    client.force_login(world.alice)
    assert client.get(url).status_code == 403
