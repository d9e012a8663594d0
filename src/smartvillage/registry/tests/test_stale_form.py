"""A stale edit form (someone saved in between) is shown the other change and overwrites nothing."""

import pytest
from django.urls import reverse

from smartvillage.core.testing import PASSWORD, HouseholdFactory, PersonFactory
from smartvillage.registry import services
from smartvillage.registry.models import Household, Person


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _household_post(household, **changes):
    data = {
        "code": household.code,
        "head_name": household.head_name,
        "address": household.address,
        "note": household.note,
    }
    data.update(changes)
    return data


@pytest.mark.django_db
def test_stale_household_form_shows_the_other_change_and_writes_nothing(client, world):
    household = HouseholdFactory(village=world.village1, head_name="Nguyễn Văn Cũ")
    _login(client, world.alice)
    url = reverse("registry:household_edit", args=[household.pk])
    page = client.get(url).content.decode()
    assert 'name="version" value="1"' in page
    # Carol saves first.
    services.do_update_household(world.carol, household, head_name="Nguyễn Văn Mới")
    response = client.post(url, _household_post(household, note="Ghi chú của Alice", version="1"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "người khác đã lưu thay đổi" in html and "Nguyễn Văn Mới" in html
    assert "carol" in html
    current = Household.objects.get(pk=household.pk)
    assert current.head_name == "Nguyễn Văn Mới" and current.note == "" and current.version == 2
    # The form now carries the version shown; saving again is a decision made knowingly.
    assert 'name="version" value="2"' in html
    again = client.post(url, _household_post(current, note="Ghi chú của Alice", version="2"))
    assert again.status_code == 302
    current.refresh_from_db()
    assert current.note == "Ghi chú của Alice" and current.head_name == "Nguyễn Văn Mới"


@pytest.mark.django_db
def test_stale_person_form_writes_nothing(client, world):
    person = PersonFactory(household=HouseholdFactory(village=world.village1), full_name="Lò Văn A")
    _login(client, world.alice)
    url = reverse("registry:person_edit", args=[person.pk])
    assert 'name="version" value="1"' in client.get(url).content.decode()
    services.do_update_person(world.carol, person, full_name="Lò Văn B")
    response = client.post(
        url, {"full_name": "Lò Văn C", "sex": "M", "relationship": "head", "version": "1"}
    )
    assert response.status_code == 200
    assert "Lò Văn B" in response.content.decode()
    assert Person.objects.get(pk=person.pk).full_name == "Lò Văn B"
