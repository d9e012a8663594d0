"""Persons through the API: identity numbers are only ever returned masked."""

import datetime as dt

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry import facts
from smartvillage.registry.models import Person

IDENTITY = "001090012345"
MASKED = "001*******45"


def _household(world, village=None):
    return HouseholdFactory(village=village or world.village1, code="A")


def test_create_person_masks_identity_everywhere(api, world):
    household = _household(world)
    alice = api(world.alice)
    response = alice.post(
        f"/api/households/{household.pk}/persons/",
        {
            "full_name": "Phạm Thị Hoa",
            "birth_date": "1990-06-15",
            "sex": "F",
            "relationship": "spouse",
            "identity_number": "001 090 012 345",
            "smartphone": True,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["masked_identity"] == MASKED
    assert "identity_number" not in body
    person = Person.objects.get(pk=body["id"])
    assert person.identity_number == IDENTITY and person.village == world.village1
    assert person.smartphone and body["household_code"] == "A"
    for url in (f"/api/households/{household.pk}/persons/", f"/api/persons/{person.pk}/"):
        response = alice.get(url)
        assert response.status_code == 200
        assert IDENTITY not in response.content.decode()
        assert MASKED in response.content.decode()
    patched = alice.patch(f"/api/persons/{person.pk}/", {"note": "chuyển đi"}, format="json")
    assert IDENTITY not in patched.content.decode() and patched.json()["masked_identity"] == MASKED
    event = AuditEvent.objects.get(action="create", object_type="person")
    assert event.actor == world.alice and event.household_id == household.pk


def test_every_person_column_fact_is_returned(api, world):
    person = PersonFactory(household=_household(world), epayment_account=True)
    body = api(world.alice).get(f"/api/persons/{person.pk}/").json()
    for fact in facts.column_facts("person"):
        assert body[fact.key] is (fact.key == "epayment_account")


def test_identity_can_be_replaced_and_cleared(api, world):
    person = PersonFactory(household=_household(world), identity_number=IDENTITY)
    alice = api(world.alice)
    response = alice.patch(
        f"/api/persons/{person.pk}/", {"identity_number": "123456789"}, format="json"
    )
    assert response.json()["masked_identity"] == "123****89"
    response = alice.patch(f"/api/persons/{person.pk}/", {"identity_number": ""}, format="json")
    assert response.json()["masked_identity"] == ""
    person.refresh_from_db()
    assert person.identity_number == ""
    assert AuditEvent.objects.filter(action="update", object_type="person").count() == 2


def test_bad_person_input_is_a_400_naming_the_field(api, world):
    household = _household(world)
    alice = api(world.alice)
    url = f"/api/households/{household.pk}/persons/"
    cases = [
        ({"full_name": "A", "identity_number": "12345"}, "identity_number"),
        ({"full_name": "A", "identity_number": "00109001234X"}, "identity_number"),
        ({"full_name": "A", "birth_date": "2999-01-01"}, "birth_date"),
        ({"full_name": "A", "birth_date": "15/06/1990"}, "birth_date"),
        ({"full_name": "A", "sex": "X"}, "sex"),
        ({"full_name": "   "}, "full_name"),
        ({"full_name": "A", "birth_year_only": True}, "birth_year_only"),
    ]
    for payload, field in cases:
        response = alice.post(url, payload, format="json")
        assert response.status_code == 400, payload
        assert field in response.json(), (payload, response.json())
    assert not Person.objects.exists()
    assert not AuditEvent.objects.exists()


def test_year_only_birth_is_stored_as_first_of_january(api, world):
    household = _household(world)
    response = api(world.alice).post(
        f"/api/households/{household.pk}/persons/",
        {"full_name": "Ông Năm", "birth_date": "1955-08-20", "birth_year_only": True},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["birth_date"] == "1955-01-01"
    assert Person.objects.get().birth_date == dt.date(1955, 1, 1)


def test_scoping_and_read_only_roles_for_persons(api, world):
    person = PersonFactory(household=_household(world, world.village2), full_name="Người Hai")
    alice = api(world.alice)
    assert alice.get(f"/api/persons/{person.pk}/").status_code == 404
    assert alice.patch(f"/api/persons/{person.pk}/", {"full_name": "X"}).status_code == 404
    assert alice.delete(f"/api/persons/{person.pk}/").status_code == 404
    erin = api(world.erin)
    assert erin.get(f"/api/persons/{person.pk}/").status_code == 200
    assert erin.patch(f"/api/persons/{person.pk}/", {"full_name": "X"}).status_code == 403
    assert erin.delete(f"/api/persons/{person.pk}/").status_code == 403
    person.refresh_from_db()
    assert person.full_name == "Người Hai"
    # Only erin's read is on record (Law 91/2025 view log), no write.
    assert list(AuditEvent.objects.values_list("action", "actor__username")) == [("view", "erin")]
    # bob is the head of village2: he may.
    assert api(world.bob).delete(f"/api/persons/{person.pk}/").status_code == 204
    assert not Person.objects.exists()
    assert AuditEvent.objects.exclude(action="view").get().action == "delete"


def test_extra_person_fact(api, world):
    person = PersonFactory(household=_household(world))
    response = api(world.alice).patch(
        f"/api/persons/{person.pk}/", {"extra": {"operating_team_member": True}}, format="json"
    )
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.extra == {"operating_team_member": True}
