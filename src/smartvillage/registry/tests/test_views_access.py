"""Unit boundaries on the pages: a village head cannot read or change another village's registry.

Not visible → 404 (existence not revealed); visible but not editable → 403; and in every refused
case nothing in the database changed.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.registry.models import Household, Person

RAW_ID = "001234567890"


@pytest.fixture
def data(world):
    h1 = HouseholdFactory(village=world.village1, code="T1-001", head_name="Nguyễn Văn An")
    p1 = PersonFactory(household=h1, full_name="Nguyễn Văn An", identity_number=RAW_ID)
    h2 = HouseholdFactory(village=world.village2, code="T2-001", head_name="Trần Văn Bình")
    p2 = PersonFactory(household=h2, full_name="Trần Thị Hoa", identity_number="009876543210")
    h3 = HouseholdFactory(village=world.village3, code="T3-001", head_name="Phạm Văn Cường")
    p3 = PersonFactory(household=h3, full_name="Phạm Thị Dung")
    return {"world": world, "h1": h1, "p1": p1, "h2": h2, "p2": p2, "h3": h3, "p3": p3}


def db_state() -> dict[str, Any]:
    """Everything a refused request must leave untouched."""
    return {
        "households": sorted(
            Household.objects.values_list("pk", "code", "head_name", "address", "internet")
        ),
        "persons": sorted(
            Person.objects.values_list(
                "pk", "household_id", "full_name", "identity_number", "smartphone"
            )
        ),
        # The pages the viewer may open log her looks (a list on every page, with its count);
        # a refused request must write nothing at all.
        "audit": AuditEvent.objects.exclude(
            action="view", object_type__in=["household_list", "household", "household_history"]
        ).count(),
    }


def _foreign_requests(h: Household, p: Person) -> list[tuple[str, str, dict[str, Any]]]:
    """Every page, form and write URL touching household `h` / person `p` or their village."""
    post_household = {"code": "HACK", "head_name": "Kẻ xấu", "internet": "on"}
    post_person = {
        "full_name": "Kẻ xấu",
        "birth": "1990",
        "relationship": "other",
        "identity": "111111111111",
    }
    return [
        ("get", reverse("core:unit", args=[h.village_id]), {}),
        ("get", reverse("core:unit", args=[h.village_id]) + "?q=a", {}),
        ("get", reverse("registry:household", args=[h.pk]), {}),
        ("get", reverse("registry:household_edit", args=[h.pk]), {}),
        ("post", reverse("registry:household_edit", args=[h.pk]), post_household),
        ("get", reverse("registry:household_delete", args=[h.pk]), {}),
        ("post", reverse("registry:household_delete", args=[h.pk]), {}),
        ("get", reverse("registry:household_create", args=[h.village_id]), {}),
        ("post", reverse("registry:household_create", args=[h.village_id]), post_household),
        ("get", reverse("registry:person_create", args=[h.pk]), {}),
        ("post", reverse("registry:person_create", args=[h.pk]), post_person),
        ("get", reverse("registry:person_edit", args=[p.pk]), {}),
        ("post", reverse("registry:person_edit", args=[p.pk]), post_person),
        ("get", reverse("registry:person_delete", args=[p.pk]), {}),
        ("post", reverse("registry:person_delete", args=[p.pk]), {}),
        ("get", reverse("audit:household_history", args=[h.pk]), {}),
    ]


@pytest.mark.parametrize("target", ["h2", "h3"])
def test_village_head_cannot_reach_other_village(client, data, target):
    """alice (Thôn Một) against bob's village (same commune) and mallory's (other commune): all 404."""
    client.force_login(data["world"].alice)
    h = data[target]
    p = data["p2"] if target == "h2" else data["p3"]
    before = db_state()
    for method, url, payload in _foreign_requests(h, p):
        response = getattr(client, method)(url, payload)
        assert response.status_code == 404, (method, url, response.status_code)
        html = response.content.decode()
        assert h.head_name not in html and p.full_name not in html
    assert db_state() == before


def test_village_head_pages_of_own_village_work(client, data):
    client.force_login(data["world"].alice)
    h1 = data["h1"]
    assert client.get(reverse("core:unit", args=[h1.village_id])).status_code == 200
    assert client.get(reverse("registry:household", args=[h1.pk])).status_code == 200
    # She sees her commune's name in the breadcrumbs but cannot open the commune page.
    assert client.get(reverse("core:unit", args=[data["world"].commune.pk])).status_code == 404


@pytest.mark.parametrize("username", ["dave", "erin"])
def test_viewer_without_edit_right_gets_403_and_nothing_changes(client, data, username):
    """The commune leader and the province appraiser may view Thôn Một but not edit its registry."""
    user = getattr(data["world"], username)
    client.force_login(user)
    h1, p1 = data["h1"], data["p1"]
    assert client.get(reverse("registry:household", args=[h1.pk])).status_code == 200
    # Viewing the village's list is logged once an hour (Law 91/2025): look once before counting.
    assert client.get(reverse("core:unit", args=[h1.village_id])).status_code == 200
    before = db_state()
    for method, url, payload in _foreign_requests(h1, p1):
        response = getattr(client, method)(url, payload)
        if url.split("?")[0] in (
            reverse("core:unit", args=[h1.village_id]),
            reverse("registry:household", args=[h1.pk]),
            reverse("audit:household_history", args=[h1.pk]),
        ):
            assert response.status_code == 200, (url, response.status_code)
        else:
            assert response.status_code == 403, (method, url, response.status_code)
    assert db_state() == before


def test_edit_buttons_hidden_without_edit_right(client, data):
    client.force_login(data["world"].dave)
    html = client.get(reverse("registry:household", args=[data["h1"].pk])).content.decode()
    assert reverse("registry:household_edit", args=[data["h1"].pk]) not in html
    client.force_login(data["world"].alice)
    html = client.get(reverse("registry:household", args=[data["h1"].pk])).content.decode()
    assert reverse("registry:household_edit", args=[data["h1"].pk]) in html


def test_audit_history_needs_view_audit(client, data):
    """Village heads keep the list but do not read the audit trail; commune officers do."""
    h1 = data["h1"]
    url = reverse("audit:household_history", args=[h1.pk])
    client.force_login(data["world"].alice)
    assert client.get(url).status_code == 403
    client.force_login(data["world"].carol)
    assert client.get(url).status_code == 200
    client.force_login(data["world"].mallory)
    assert client.get(url).status_code == 404


def test_anonymous_is_sent_to_login(client, data):
    for method, url, payload in _foreign_requests(data["h1"], data["p1"]):
        before = db_state()
        response = getattr(client, method)(url, payload)
        assert response.status_code == 302 and response["Location"].startswith(
            reverse("core:login")
        )
        assert db_state() == before


def test_identity_number_never_unmasked_in_pages(client, data):
    """Household page, village list, search results, edit form, history: never the raw number."""
    world, h1, p1 = data["world"], data["h1"], data["p1"]
    client.force_login(world.carol)
    # Put the number into the audit trail too (an update snapshot holds it).
    response = client.post(
        reverse("registry:person_edit", args=[p1.pk]),
        {"full_name": "Nguyễn Văn Ân", "birth": "15/06/1990", "relationship": "head", "sex": "M"},
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=p1.pk).identity_number == RAW_ID  # empty field keeps the number
    pages = [
        reverse("core:unit", args=[world.village1.pk]),
        reverse("core:unit", args=[world.village1.pk]) + "?q=Ân",
        reverse("core:unit", args=[world.commune.pk]),
        reverse("registry:household", args=[h1.pk]),
        reverse("registry:person_edit", args=[p1.pk]),
        reverse("audit:household_history", args=[h1.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert RAW_ID not in html, url
    detail = client.get(reverse("registry:household", args=[h1.pk])).content.decode()
    assert p1.masked_identity in detail and p1.masked_identity == "001*******90"
