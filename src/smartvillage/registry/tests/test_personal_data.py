"""A person's data can be exported and erased on request, and both are logged."""

import io
import json

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry import services
from smartvillage.registry.models import Person


@pytest.fixture
def person(world):
    household = HouseholdFactory(village=world.village1)
    return services.do_create_person(
        world.alice,
        household,
        full_name="Lò Thị Mai",
        identity_number="011223344556",
        smartphone=True,
    )


def test_export_contains_the_data_and_is_logged(world, person):
    data = services.do_export_person_data(world.alice, person)
    assert data["person"]["full_name"] == "Lò Thị Mai"
    assert data["person"]["facts"]["smartphone"] is True
    assert data["audit"][0]["action"] == "create"
    assert AuditEvent.objects.filter(action="export", object_id=str(person.pk)).exists()


def test_another_village_head_cannot_export_or_erase(world, person):
    with pytest.raises(PermissionDenied):
        services.do_export_person_data(world.bob, person)
    with pytest.raises(PermissionDenied):
        services.do_erase_person(world.bob, person)
    assert Person.objects.filter(pk=person.pk).exists()


def test_erase_removes_the_person_and_scrubs_the_history(world, person):
    pk = person.pk
    services.do_erase_person(world.alice, person)
    assert not Person.objects.filter(pk=pk).exists()
    history = AuditEvent.objects.filter(object_id=str(pk), object_type="person")
    assert history.exists()
    assert all(e.before is None and e.after is None for e in history)
    assert "Lò Thị Mai" not in json.dumps(
        [e.object_repr for e in AuditEvent.objects.all()], ensure_ascii=False
    )


def test_cli_export_and_erase(world, person):
    out = io.StringIO()
    call_command("person", "export", "--id", str(person.pk), stdout=out)
    assert json.loads(out.getvalue())["person"]["identity_number"] == "011223344556"
    call_command("person", "erase", "--id", str(person.pk), "--yes", stdout=io.StringIO())
    assert not Person.objects.filter(pk=person.pk).exists()


def test_opening_a_household_page_is_logged_once_per_hour(client, world, person):
    client.force_login(world.carol)
    url = f"/households/{person.household_id}/"
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    views = AuditEvent.objects.filter(action="view", object_type="household", actor=world.carol)
    assert views.count() == 1
