"""A role on a 2025 unit covers the villages recorded under its pre-2025 predecessors
(UnitSuccession, main links only); a role on an unrelated 2025 commune does not."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartvillage.accounts.permissions import Action, can, former_units, visible_units
from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_reform
from smartvillage.registry.models import Household


@pytest.fixture
def reform(world):
    return build_reform(world)


def test_successor_commune_officer_sees_and_edits_the_old_communes_villages(world, reform):
    grace = reform.grace
    for village in (world.village1, world.village2):
        assert can(grace, Action.VIEW, village)
        assert can(grace, Action.EDIT_REGISTRY, village)
        assert can(grace, Action.MANAGE_UNITS, world.commune)
    assert can(grace, Action.VIEW, world.commune)
    assert set(visible_units(grace)) == {
        reform.commune,
        world.commune,
        world.village1,
        world.village2,
    }


def test_unrelated_2025_commune_does_not_cover_them(world, reform):
    heidi = reform.heidi
    assert not can(heidi, Action.VIEW, world.village1)
    assert not can(heidi, Action.EDIT_REGISTRY, world.village2)
    assert not can(heidi, Action.VIEW, world.commune)
    # Her own predecessor's village she does get.
    assert can(heidi, Action.EDIT_REGISTRY, world.village3)
    assert set(visible_units(heidi)) == {reform.commune2, world.commune2, world.village3}


def test_only_the_main_successor_of_a_split_commune_covers_it(world, reform):
    # Xã Bình went partly to Xã An Bình (not its main successor): grace does not get Thôn Ba.
    assert not can(reform.grace, Action.VIEW, world.village3)
    assert world.village3 not in visible_units(reform.grace)


def test_2025_province_role_covers_the_old_province(world, reform):
    ivan = reform.ivan
    for village in (world.village1, world.village2, world.village3):
        assert can(ivan, Action.VIEW, village)
        assert not can(ivan, Action.EDIT_REGISTRY, village)
    assert {world.village1, world.village3} <= set(visible_units(ivan))


def test_level_rules_still_apply_through_succession(world, reform):
    # A commune role does not submit a village's assessment, even of a predecessor's village.
    assert not can(reform.grace, Action.SUBMIT, world.village1)
    assert can(reform.grace, Action.SUBMIT, reform.commune)


def test_pre_2025_roles_are_unchanged(world, reform):
    assert set(visible_units(world.carol)) == {world.commune, world.village1, world.village2}
    assert not can(world.carol, Action.VIEW, reform.commune)


def test_scope_costs_a_fixed_number_of_queries(world, reform, django_assert_max_num_queries):
    units = [world.village1, world.village2, world.village3, world.commune, world.commune2]
    grace = type(reform.grace).objects.get(pk=reform.grace.pk)  # nothing cached yet
    # The assignments, then the succession links: two queries for any number of checks.
    with django_assert_max_num_queries(2):
        for _ in range(20):
            for unit in units:
                can(grace, Action.VIEW, unit)
    with django_assert_max_num_queries(1):
        list(visible_units(grace))
    assert [u.pk for u in former_units(grace)[reform.commune.pk]] == [world.commune.pk]


def test_successor_officer_uses_the_pages_and_api(client, world, reform):
    household = HouseholdFactory(village=world.village1, code="T1-001", head_name="Lê Văn Ba")
    PersonFactory(household=household, full_name="Lê Thị Tư")
    client.force_login(reform.grace)
    assert client.get(reverse("core:unit", args=[world.village1.pk])).status_code == 200
    assert client.get(reverse("registry:household", args=[household.pk])).status_code == 200
    response = client.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": "T1-001", "head_name": "Lê Văn Ba", "address": "Xóm Mới"},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.address == "Xóm Mới"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_type="household")
    assert event.actor == reform.grace and event.unit == world.village1
    api_list = client.get(f"/api/units/{world.village1.pk}/households/")
    assert [r["code"] for r in api_list.json()["results"]] == ["T1-001"]

    client.force_login(reform.heidi)
    before = list(Household.objects.values_list("pk", "code", "head_name", "address"))
    for url in (
        reverse("core:unit", args=[world.village1.pk]),
        reverse("registry:household", args=[household.pk]),
        reverse("registry:household_edit", args=[household.pk]),
        f"/api/households/{household.pk}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": "HACK", "head_name": "Kẻ xấu"},
    )
    assert response.status_code == 404
    assert list(Household.objects.values_list("pk", "code", "head_name", "address")) == before
