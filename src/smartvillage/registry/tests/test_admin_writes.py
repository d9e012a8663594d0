"""Writes through the Django admin go through registry.services: a household created there is
audited like one created on the pages, and a person cannot be moved into a household of a village
the staff user may not edit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Household, Person
from smartvillage.registry.tests.test_views_access import db_state


def _staff(client, user):
    user.is_staff = True
    user.save()
    client.force_login(user)
    return client


def _person_post(person: Person, household: Household) -> dict:
    return {
        "household": household.pk,
        "full_name": person.full_name,
        "birth_date": "15/06/1990",
        "sex": person.sex,
        "relationship": person.relationship,
        "note": "",
    }


@pytest.mark.parametrize("username", ["alice", "root"])
def test_household_created_in_the_admin_is_audited(client, world, username):
    user = getattr(world, username)
    admin = _staff(client, user)
    response = admin.post(
        reverse("admin:registry_household_add"),
        {
            "village": world.village1.pk,
            "code": "AD-001",
            "head_name": "Phan Văn Quản",
            "address": "Xóm Đình",
            "digital_address_code": "",
            "latitude": "21.0285",
            "longitude": "105.8542",
            "note": "",
            "internet": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    household = Household.objects.get(code="AD-001")
    assert household.village == world.village1 and household.internet
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_type="household")
    assert event.actor == user and event.unit == world.village1
    assert event.household_id == household.pk and event.object_id == str(household.pk)
    assert event.before is None
    assert event.after["code"] == "AD-001" and event.after["head_name"] == "Phan Văn Quản"
    assert event.after["internet"] is True
    assert Decimal(event.after["latitude"]) == Decimal("21.0285") == household.latitude


def test_admin_refuses_a_household_outside_vietnam(client, world):
    admin = _staff(client, world.alice)
    before = db_state()
    response = admin.post(
        reverse("admin:registry_household_add"),
        {"village": world.village1.pk, "code": "AD-2", "head_name": "X", "latitude": "48.85",
         "longitude": "2.35"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "nằm ngoài lãnh thổ Việt Nam" in response.content.decode()
    assert db_state() == before


@pytest.mark.parametrize(
    ("username", "target_village"),
    [
        ("alice", "village2"),  # her own person into bob's village, same commune
        ("alice", "village3"),  # into another commune
        ("carol", "village3"),  # a commune officer, into another commune
    ],
)
def test_moving_a_person_into_another_villages_household_is_refused(
    client, world, username, target_village
):
    own_village = world.village1
    own = HouseholdFactory(village=own_village, code="OWN-1")
    person = PersonFactory(household=own, full_name="Đinh Thị Lan")
    foreign = HouseholdFactory(village=getattr(world, target_village), code="FOREIGN-1")
    admin = _staff(client, getattr(world, username))
    before = db_state()
    response = admin.post(
        reverse("admin:registry_person_change", args=[person.pk]), _person_post(person, foreign)
    )
    assert response.status_code == 200  # the form again, with an error on "household"
    assert 'class="errorlist' in response.content.decode()
    person.refresh_from_db()
    assert person.household == own and person.village == own_village
    assert db_state() == before


def test_moving_within_her_own_units_is_allowed_and_audited(client, world):
    person = PersonFactory(household=HouseholdFactory(village=world.village1, code="A-1"))
    target = HouseholdFactory(village=world.village2, code="B-1")
    admin = _staff(client, world.carol)
    response = admin.post(
        reverse("admin:registry_person_change", args=[person.pk]), _person_post(person, target)
    )
    assert response.status_code == 302, response.content.decode()[-3000:]
    person.refresh_from_db()
    # The denormalised village follows the household.
    assert person.household == target and person.village == world.village2
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="person")
    assert event.before["household_id"] != event.after["household_id"] == target.pk
    assert event.after["village_id"] == world.village2.pk
