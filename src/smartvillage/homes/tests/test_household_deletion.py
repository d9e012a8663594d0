"""Household deletion: the village head and the commune officer, not the digital team; the
button stands apart from "Sửa hộ"."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from smartvillage.accounts.models import Role
from smartvillage.core.testing import HouseholdFactory, make_user
from smartvillage.registry import services
from smartvillage.registry.models import Household


def test_the_digital_team_cannot_delete_a_household(world, client):
    team = make_user("tocns", Role.DIGITAL_TEAM, world.village1)
    household = HouseholdFactory(village=world.village1)
    with pytest.raises(PermissionDenied):
        services.do_delete_household(team, household)
    client.force_login(team)
    page = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert reverse("registry:household_delete", args=[household.pk]) not in page
    assert reverse("registry:household_edit", args=[household.pk]) in page  # still edits facts
    url = reverse("registry:household_delete", args=[household.pk])
    assert client.get(url).status_code == 403 and client.post(url).status_code == 403
    assert Household.objects.filter(pk=household.pk).exists()


@pytest.mark.parametrize("username", ["alice", "carol"])
def test_village_head_and_commune_officer_delete_from_a_separate_place(world, client, username):
    household = HouseholdFactory(village=world.village1)
    client.force_login(getattr(world, username))
    page = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    danger = page.split('class="danger-zone"')[1]
    assert reverse("registry:household_delete", args=[household.pk]) in danger
    assert reverse("registry:household_edit", args=[household.pk]) not in danger
    response = client.post(reverse("registry:household_delete", args=[household.pk]))
    assert response.status_code == 302 and not Household.objects.filter(pk=household.pk).exists()
