"""Pages show the commune a village belongs to since 01/07/2025, and a 2025 commune's officer
reaches the villages recorded under its former communes from her home and commune pages."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from smartvillage.core.testing import HouseholdFactory, PersonFactory, build_reform


@pytest.fixture
def reform(world):
    return build_reform(world)


def _crumbs(html: str) -> str:
    return re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)


def test_village_page_shows_the_current_commune_in_the_breadcrumbs(client, world, reform):
    client.force_login(world.alice)
    crumbs = _crumbs(client.get(reverse("core:unit", args=[world.village1.pk])).content.decode())
    assert "Thôn Một" in crumbs
    assert "Từ 01/07/2025 thuộc" in crumbs
    assert "Xã An Bình" in crumbs and "Tỉnh Thử Mới" in crumbs
    # alice may not open the 2025 commune's page: named, not linked.
    assert reverse("core:unit", args=[reform.commune.pk]) not in crumbs

    client.force_login(reform.grace)
    crumbs = _crumbs(client.get(reverse("core:unit", args=[world.village1.pk])).content.decode())
    assert f'href="{reverse("core:unit", args=[reform.commune.pk])}"' in crumbs
    assert f'href="{reverse("core:unit", args=[world.commune.pk])}"' in crumbs


def test_household_page_and_split_commune_show_the_main_successor(client, world, reform):
    household = HouseholdFactory(village=world.village3)
    client.force_login(world.mallory)
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    # Xã Bình was split; its main successor is Xã Bình Mới, not Xã An Bình.
    assert "Xã Bình Mới" in _crumbs(html) and "Xã An Bình" not in _crumbs(html)


def test_no_current_commune_line_without_the_2025_mapping(client, world):
    client.force_login(world.alice)
    html = client.get(reverse("core:unit", args=[world.village1.pk])).content.decode()
    assert "Từ 01/07/2025 thuộc" not in html


def test_home_lists_the_former_communes_of_a_2025_commune(client, world, reform):
    client.force_login(reform.grace)
    html = client.get(reverse("core:all_units")).content.decode()
    assert "Xã An Bình" in html and "Xã An" in html
    assert "trước 01/07/2025, nay thuộc Xã An Bình" in html
    assert reverse("core:unit", args=[world.village1.pk]) in html
    assert reverse("core:unit", args=[world.village3.pk]) not in html


def test_2025_commune_page_lists_former_communes_with_their_counts(client, world, reform):
    for index in range(3):
        household = HouseholdFactory(village=world.village1 if index else world.village2)
        PersonFactory(household=household)
        PersonFactory(household=household)
    HouseholdFactory(village=world.village3)  # Xã Bình: not Xã An Bình's main predecessor
    client.force_login(reform.grace)
    html = client.get(reverse("core:unit", args=[reform.commune.pk])).content.decode()
    assert "Đơn vị trước 01/07/2025 nay thuộc đơn vị này" in html
    former = html.split('id="former"')[1]
    assert reverse("core:unit", args=[world.commune.pk]) in former
    assert reverse("core:unit", args=[world.commune2.pk]) not in former
    row = re.search(r"<tr>\s*<td><a[^>]*>Xã An</a>.*?</tr>", former, re.S).group(0)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["2", "3", "6"]
    stats = html.split('class="stats"')[1].split("</div>\n</div>")[0]
    assert "<b>2</b>" in stats and "<b>3</b>" in stats and "<b>6</b>" in stats


def test_2025_province_page_counts_former_villages_under_their_new_commune(client, world, reform):
    HouseholdFactory(village=world.village1)
    HouseholdFactory(village=world.village3)
    HouseholdFactory(village=world.village3)
    client.force_login(reform.ivan)
    html = client.get(reverse("core:unit", args=[reform.province.pk])).content.decode()
    rows = {
        name: re.findall(r'<td class="num">(\d+)</td>', row)
        for name, row in re.findall(r"<tr>\s*<td><a[^>]*>(Xã [^<]+)</a>(.*?)</tr>", html, re.S)
    }
    # villages, households, persons: Xã An's two villages under Xã An Bình, Thôn Ba under Bình Mới.
    assert rows["Xã An Bình"] == ["2", "1", "0"]
    assert rows["Xã Bình Mới"] == ["1", "2", "0"]
    assert reverse("core:unit", args=[world.province.pk]) in html.split('id="former"')[1]
