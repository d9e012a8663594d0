"""A data subject's rights through the API (Law 91/2025/QH15): their data, and erasure, with the
web's permissions and audit."""

import datetime as dt

import pytest

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Person

pytestmark = pytest.mark.django_db


@pytest.fixture
def hoa(world):
    household = HouseholdFactory(village=world.village1, code="A", head_name="Phạm Thị Hoa")
    return PersonFactory(
        household=household,
        full_name="Phạm Thị Hoa",
        birth_date=dt.date(1990, 6, 15),
        identity_number="001090012345",
    )


def test_the_village_head_reads_a_persons_data_and_the_read_is_logged(api, world, hoa):
    response = api(world.alice).get(f"/api/persons/{hoa.pk}/personal-data/")
    assert response.status_code == 200
    assert "Phạm Thị Hoa" in response.content.decode()
    assert AuditEvent.objects.filter(unit=world.village1, action="export").exists()


def test_erasure_needs_an_explicit_confirm_and_writes_nothing_without_it(api, world, hoa):
    alice = api(world.alice)
    for body in ({}, {"confirm": False}, {"confirm": "no"}):
        response = alice.post(f"/api/persons/{hoa.pk}/erase/", body, format="json")
        assert response.status_code == 400, body
        assert "confirm" in response.json()
    assert Person.objects.filter(pk=hoa.pk).exists()


def test_erasure_removes_the_person_and_answers_with_counts_only(api, world, hoa):
    response = api(world.alice).post(
        f"/api/persons/{hoa.pk}/erase/", {"confirm": True}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["erased"] is True and body["households"] == 1  # she headed household A
    assert "Hoa" not in response.content.decode()
    assert not Person.objects.filter(pk=hoa.pk).exists()
    event = AuditEvent.objects.filter(object_type="person", object_id=str(hoa.pk)).last()
    assert "theo yêu cầu của chủ thể dữ liệu" in event.note


def test_erasure_follows_the_webs_permissions(api, world, hoa):
    # Another village's head does not see her; the province's appraiser may not edit registries.
    assert (
        api(world.bob)
        .post(f"/api/persons/{hoa.pk}/erase/", {"confirm": True}, format="json")
        .status_code
        == 404
    )
    assert (
        api(world.erin)
        .post(f"/api/persons/{hoa.pk}/erase/", {"confirm": True}, format="json")
        .status_code
        == 403
    )
    assert (
        api().post(f"/api/persons/{hoa.pk}/erase/", {"confirm": True}, format="json").status_code
        == 401
    )
    assert Person.objects.filter(pk=hoa.pk).exists()
