"""The day's jobs are one tap from each home: importing the village's list, its public page and
survey (village head, digital team), authoring criteria sets and commune groups (appraiser)."""

from __future__ import annotations

from django.urls import reverse

from smartvillage.accounts.models import Role
from smartvillage.core.testing import make_user


def test_village_head_and_digital_team_home_link_the_import_and_public_page(client, world):
    import_url = reverse("transfer:import", args=[world.village1.pk])
    public_url = reverse("public:manage", args=[world.village1.pk])
    client.force_login(world.alice)
    page = client.get("/").content.decode()
    assert import_url in page and public_url in page
    team = make_user("team1", Role.DIGITAL_TEAM, world.village1)
    client.force_login(team)
    assert import_url in client.get("/").content.decode()


def test_appraiser_home_links_authoring_and_commune_groups(client, world):
    client.force_login(world.erin)
    page = client.get("/").content.decode()
    assert reverse("criteria:authoring_index") in page
    assert reverse("units:commune_groups", args=[world.province.pk]) in page
