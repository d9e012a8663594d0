"""Real pages print numbers and dates the Vietnamese way: 1.234 households, 05/03/2024."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from smartvillage.registry.models import Household, Person

N = 1234


@pytest.fixture
def big_village(world):
    households = Household.objects.bulk_create(
        Household(village=world.village1, code=f"H{i:05d}", head_name=f"Chủ hộ {i}")
        for i in range(N)
    )
    Person.objects.bulk_create(
        Person(household=h, village=world.village1, full_name=f"Người {i}")
        for i, h in enumerate(households[:1001])
    )
    return world


def test_village_page_groups_thousands_with_dots(client, big_village):
    client.force_login(big_village.alice)
    html = client.get(reverse("core:unit", args=[big_village.village1.pk])).content.decode()
    assert "<b>1.234</b>" in html and "<b>1.001</b>" in html
    assert "1.234 hộ" in html  # the list's count line
    assert "Trang 1/50" in html
    assert "<b>1234</b>" not in html


def test_commune_page_and_english(client, big_village):
    client.force_login(big_village.carol)
    url = reverse("core:unit", args=[big_village.commune.pk])
    html = client.get(url).content.decode()
    assert "<b>1.234</b>" in html and '<td class="num">1.234</td>' in html
    client.post(reverse("set_language"), {"language": "en", "next": url})
    html = client.get(url).content.decode()
    assert "<b>1,234</b>" in html


def test_household_page_dates_are_day_month_year_in_local_time(client, world):
    household = Household.objects.create(village=world.village1, code="D-1", head_name="Ngày")
    # 20:30 UTC on 4 March is 03:30 on 5 March in Việt Nam.
    Household.objects.filter(pk=household.pk).update(
        updated_at=dt.datetime(2024, 3, 4, 20, 30, tzinfo=ZoneInfo("UTC"))
    )
    client.force_login(world.alice)
    html = client.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "<dt>Cập nhật lần cuối</dt><dd>05/03/2024</dd>" in html
    assert "2024-03-0" not in html and "4/3/2024" not in html
