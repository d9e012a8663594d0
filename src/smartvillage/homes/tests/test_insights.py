"""Maps and trends: the numbers behind each map and chart are on the page in a table."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.core.testing import HouseholdFactory, PersonFactory
from smartvillage.criteria.loader import get_set
from smartvillage.homes.insights import trend_dates

pytestmark = pytest.mark.usefixtures("with_test_set")


def _table(html: str, table_id: str) -> list[str]:
    table = html.split(f'id="{table_id}"')[1].split("</table>")[0]
    return re.findall(r'<td class="num">([^<]*)</td>', table)


@pytest.fixture
def mapped(world):
    for index in range(5):
        HouseholdFactory(
            village=world.village1,
            fibre_internet=index < 3,
            latitude=Decimal("21.01") + index,
            longitude=Decimal("105.80"),
        )
    HouseholdFactory(village=world.village1, fibre_internet=True)  # no coordinates
    for _index in range(2):
        HouseholdFactory(
            village=world.village2, fibre_internet=True, latitude=Decimal("21.2"), longitude=105
        )
    return world


def test_village_map_colours_households_by_a_fact_with_its_table(mapped, client):
    client.force_login(mapped.alice)
    url = reverse("core:unit_map", args=[mapped.village1.pk])
    html = client.get(url, {"by": "fact:fibre_internet"}).content.decode()
    assert _table(html, "map-table") == ["3", "2", "1"]
    points = json.loads(html.split('id="map-points" type="application/json">')[1].split("<")[0])
    assert sorted(p[2] for p in points) == [0, 0, 1, 1, 1] and all(len(p) == 3 for p in points)
    assert AuditEvent.objects.filter(object_type="household_map").exists()


def test_village_map_by_criterion_uses_the_engine(mapped, client):
    client.force_login(mapped.alice)
    url = reverse("core:unit_map", args=[mapped.village1.pk])
    html = client.get(url, {"by": "criterion:1.1"}).content.decode()
    assert _table(html, "map-table") == ["3", "2", "1"]


def test_commune_map_places_villages_at_their_centroid_by_pass_or_fail(mapped, client):
    client.force_login(mapped.dave)
    html = client.get(reverse("core:unit_map", args=[mapped.commune.pk])).content.decode()
    points = json.loads(html.split('id="map-points" type="application/json">')[1].split("<")[0])
    names = {p[3]: p for p in points}
    assert set(names) == {"Thôn Một", "Thôn Hai"}
    assert names["Thôn Một"][0] == pytest.approx(23.01)  # mean of 21.01 … 25.01


def test_trend_has_a_table_per_criterion_and_date(mapped, client):
    client.force_login(mapped.alice)
    html = client.get(
        reverse("core:unit_trend", args=[mapped.village1.pk]), {"at": "15/05/2024"}
    ).content.decode()
    dates = trend_dates(get_set("test-set"), dt.date(2024, 5, 15))
    assert dates[-1] == dt.date(2024, 5, 15) and dt.date(2024, 3, 31) in dates
    row = html.split('id="trend-table"')[1].split("<th")[3]  # the first criterion's row
    assert "1.1" in html and len(_table(html, "trend-table")) >= len(dates)
    assert 'id="trend-data"' in html and row


def test_province_dashboard_has_the_comparison_chart_and_its_table(mapped, client):
    PersonFactory(household=HouseholdFactory(village=mapped.village3))
    client.force_login(mapped.erin)
    html = client.get(reverse("core:home")).content.decode()
    data_id = f"rollup-data-{mapped.province.pk}"
    chart = json.loads(html.split(f'id="{data_id}" type="application/json">')[1].split("<")[0])
    assert chart["labels"] == ["Huyện Thử"] and chart["series"][0]["values"] == [3]
    assert f'data-chart="{data_id}"' in html


def test_a_village_placed_by_the_commune_sits_there(mapped, client):
    from smartvillage.homes.models import VillagePosition

    VillagePosition.objects.create(
        unit=mapped.village2, latitude=Decimal("10.5"), longitude=Decimal("106.25")
    )
    client.force_login(mapped.dave)
    html = client.get(reverse("core:unit_map", args=[mapped.commune.pk])).content.decode()
    points = json.loads(html.split('id="map-points" type="application/json">')[1].split("<")[0])
    placed = next(p for p in points if p[3] == "Thôn Hai")
    assert placed[:2] == [10.5, 106.25]
