"""Every page renders for the people who may see it (and the unit page counts without N+1)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from smartvillage.core.testing import HouseholdFactory, PersonFactory


@pytest.fixture
def filled(world):
    h1 = HouseholdFactory(village=world.village1, code="T1-001", head_name="Nguyễn Văn An")
    PersonFactory(household=h1, full_name="Nguyễn Văn An", identity_number="001234567890")
    PersonFactory(household=h1, full_name="Lê Thị Bích")
    h2 = HouseholdFactory(village=world.village2, code="T2-001", head_name="Trần Văn Bình")
    PersonFactory(household=h2)
    h3 = HouseholdFactory(village=world.village3, code="T3-001", head_name="Phạm Văn Cường")
    return world, h1, h2, h3


def test_home_lists_units_as_tree(client, filled):
    world, *_ = filled
    client.force_login(world.carol)
    html = client.get(reverse("core:home")).content.decode()
    assert "Xã An" in html and "Thôn Một" in html and "Thôn Hai" in html
    assert "Thôn Ba" not in html
    client.force_login(world.alice)
    html = client.get(reverse("core:home")).content.decode()
    assert "Thôn Một" in html and "Thôn Hai" not in html


def test_home_requires_login(client, world):
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


def test_header_shows_name_and_role(client, filled):
    world, *_ = filled
    client.force_login(world.alice)
    html = client.get(reverse("core:home")).content.decode()
    assert "alice" in html and "Trưởng thôn" in html
    assert 'action="/logout/"' in html


def test_commune_page_counts_children_in_one_query(client, filled, django_assert_max_num_queries):
    world, *_ = filled
    for _ in range(5):
        HouseholdFactory(village=world.village2)
    client.force_login(world.erin)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(reverse("core:unit", args=[world.commune.pk]))
    assert response.status_code == 200
    children = {c.name: c for c in response.context["children"]}
    assert children["Thôn Một"].household_count == 1 and children["Thôn Một"].person_count == 2
    assert children["Thôn Hai"].household_count == 6
    # Adding villages must not add queries: one aggregate query for the children.
    n_before = len(ctx.captured_queries)
    from smartvillage.core.testing import make_unit
    from smartvillage.units.models import Level, UnitType

    for i in range(4):
        v = make_unit(f"Thôn Mới {i}", Level.VILLAGE, UnitType.THON, world.commune)
        HouseholdFactory(village=v)
    with CaptureQueriesContext(connection) as ctx2:
        client.get(reverse("core:unit", args=[world.commune.pk]))
    assert len(ctx2.captured_queries) == n_before
    province = client.get(reverse("core:unit", args=[world.province.pk]))
    district = province.context["children"][0]
    assert district.household_count == 12 and district.village_count == 7


def test_village_page_search_and_paging(client, filled):
    world, h1, *_ = filled
    for i in range(30):
        HouseholdFactory(village=world.village1, code=f"P{i:03d}", head_name=f"Hoàng Văn {i}")
    client.force_login(world.alice)
    url = reverse("core:unit", args=[world.village1.pk])
    page1 = client.get(url)
    assert page1.status_code == 200
    assert page1.context["page"].paginator.count == 31
    assert len(page1.context["page"].object_list) == 25
    page2 = client.get(url, {"page": 2})
    assert len(page2.context["page"].object_list) == 6
    found = client.get(url, {"q": "Bích"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="household-list")
    html = found.content.decode()
    assert "<html" not in html  # the htmx answer is the list fragment only
    assert "T1-001" in html and "P001" not in html
    by_code = client.get(url, {"q": "p02"})
    assert by_code.context["page"].paginator.count == 10


def test_household_detail_and_history_render(client, filled):
    world, h1, *_ = filled
    client.force_login(world.carol)
    assert client.get(reverse("registry:household", args=[h1.pk])).status_code == 200
    assert client.get(reverse("audit:household_history", args=[h1.pk])).status_code == 200
    assert client.get(reverse("registry:household_edit", args=[h1.pk])).status_code == 200
    assert client.get(reverse("registry:person_create", args=[h1.pk])).status_code == 200
    person = h1.persons.first()
    assert client.get(reverse("registry:person_edit", args=[person.pk])).status_code == 200
    assert client.get(reverse("registry:person_delete", args=[person.pk])).status_code == 200
    assert client.get(reverse("registry:household_delete", args=[h1.pk])).status_code == 200
    assert (
        client.get(reverse("registry:household_create", args=[world.village1.pk])).status_code
        == 200
    )


def test_village_search_ignores_case_and_diacritics(client, filled):
    world, h1, *_ = filled
    HouseholdFactory(village=world.village1, code="T1-002", head_name="Đặng Văn Đức")
    client.force_login(world.alice)
    url = reverse("core:unit", args=[world.village1.pk])

    def codes(q: str) -> list[str]:
        return [h.code for h in client.get(url, {"q": q}).context["page"].object_list]

    assert codes("bich") == ["T1-001"]  # a member "Lê Thị Bích"
    assert codes("LÊ THỊ") == ["T1-001"]
    assert codes("duc") == ["T1-002"] and codes("Đức") == ["T1-002"]
    assert codes("t1-00") == ["T1-001", "T1-002"]
    assert codes("Bình") == []  # Thôn Hai's household is never found from Thôn Một
