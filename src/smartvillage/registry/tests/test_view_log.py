"""Every view of personal data is logged (Law 91/2025/QH15): the household page, the person edit
form, the village's household list, and the API's household/person details and lists; one entry
per user, object and hour."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory


@pytest.fixture
def data(world):
    household = HouseholdFactory(village=world.village1, code="T1-001", head_name="Lò Văn Sáu")
    person = PersonFactory(household=household, full_name="Lò Thị Bảy")
    return {"world": world, "household": household, "person": person}


def _views(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=AuditAction.VIEW, **filters).order_by("id"))


def test_person_edit_form_get_is_logged_once_an_hour(client, data):
    world, person = data["world"], data["person"]
    client.force_login(world.alice)
    url = reverse("registry:person_edit", args=[person.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    (event,) = _views(object_type="person")
    assert event.actor == world.alice and event.object_id == str(person.pk)
    assert event.unit == world.village1 and event.household_id == data["household"].pk
    assert event.object_repr == "Lò Thị Bảy" and event.before is None and event.after is None
    # After the hour another look is recorded again.
    AuditEvent.objects.filter(pk=event.pk).update(at=timezone.now() - dt.timedelta(hours=2))
    client.get(url)
    assert len(_views(object_type="person")) == 2
    # Another user's look is her own entry.
    client.force_login(world.carol)
    client.get(url)
    assert [e.actor for e in _views(object_type="person")][-1] == world.carol


def test_refused_requests_log_nothing(client, data):
    world = data["world"]
    client.force_login(world.mallory)
    assert client.get(reverse("registry:person_edit", args=[data["person"].pk])).status_code == 404
    assert client.get(f"/api/persons/{data['person'].pk}/").status_code == 404
    assert client.get(f"/api/households/{data['household'].pk}/").status_code == 404
    assert client.get(f"/api/units/{world.village1.pk}/households/").status_code == 404
    assert client.get(f"/api/households/{data['household'].pk}/persons/").status_code == 404
    assert not AuditEvent.objects.exists()


def test_household_edit_form_and_village_list_are_logged(client, data):
    world, household = data["world"], data["household"]
    client.force_login(world.alice)
    client.get(reverse("registry:household_edit", args=[household.pk]))
    client.get(reverse("core:unit", args=[world.village1.pk]))
    client.get(reverse("core:unit", args=[world.village1.pk]) + "?q=sau&page=1")
    # The list is logged on every page it shows, with how many households (issue #11).
    assert [(e.object_type, e.object_id, e.record_count) for e in _views()] == [
        ("household", str(household.pk), 2),  # the household and its one person
        ("household_list", str(world.village1.pk), 1),
        ("household_list", str(world.village1.pk), 1),
    ]


def test_api_household_and_person_details_and_lists_are_logged(client, data):
    world, household, person = data["world"], data["household"], data["person"]
    client.force_login(world.erin)
    urls = [
        f"/api/households/{household.pk}/",
        f"/api/persons/{person.pk}/",
        f"/api/units/{world.commune.pk}/households/",
        f"/api/households/{household.pk}/persons/",
    ]
    for url in urls * 2:
        # The second round is within the hour: one object's page is not logged again; a list is
        # logged on every page, with how many records it showed (issue #11).
        assert client.get(url).status_code == 200, url
    events = _views()
    lists = [
        ("household_list", str(world.commune.pk), world.commune.pk),
        ("person_list", str(household.pk), world.village1.pk),
    ]
    assert [(e.object_type, e.object_id, e.unit_id) for e in events] == [
        ("household", str(household.pk), world.village1.pk),
        ("person", str(person.pk), world.village1.pk),
        *lists,
        *lists,
    ]
    assert all(e.actor == world.erin and e.note.startswith("API: ") for e in events)
    assert [e.household_id for e in events] == [household.pk, household.pk] + [
        None,
        household.pk,
    ] * 2
    # The household shows itself and its person; the rest one record each here.
    assert [e.record_count for e in events] == [2, 1, 1, 1, 1, 1]


def test_api_writes_are_not_view_entries(client, data):
    client.force_login(data["world"].alice)
    response = client.patch(
        f"/api/persons/{data['person'].pk}/",
        {"full_name": "Lò Thị Tám"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert [e.action for e in AuditEvent.objects.all()] == [AuditAction.UPDATE]


def test_list_views_show_in_the_household_history(client, data):
    world, household = data["world"], data["household"]
    client.force_login(world.carol)
    client.get(f"/api/households/{household.pk}/persons/")
    html = client.get(reverse("audit:household_history", args=[household.pk])).content.decode()
    assert "Danh sách nhân khẩu" in html and "Xem danh sách nhân khẩu của hộ" in html
