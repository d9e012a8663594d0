"""The commune places its villages on the maps from the commune's map page (not only the admin)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from smartvillage.audit.models import AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.core.testing import HouseholdFactory
from smartvillage.homes.models import VillagePosition
from smartvillage.homes.services import do_clear_village_position, do_set_village_position

pytestmark = pytest.mark.django_db


def test_the_commune_officer_places_a_village_typed_with_a_comma_and_it_is_audited(world):
    position = do_set_village_position(world.carol, world.village1, "21,0285114", " 105.8048 ")
    assert (position.latitude, position.longitude) == (Decimal("21.028511"), Decimal("105.804800"))
    event = AuditEvent.objects.get(object_type="villageposition")
    assert event.unit_id == world.village1.pk and event.after["latitude"] == "21.028511"
    do_set_village_position(world.carol, world.village1, "21.03", "105.81")
    assert VillagePosition.objects.get(unit=world.village1).latitude == Decimal("21.030000")
    assert AuditEvent.objects.filter(object_type="villageposition").count() == 2


@pytest.mark.parametrize(
    ("lat", "lon", "code"),
    [
        ("abc", "105", "bad_coordinate"),
        ("48.85", "2.35", "coordinate_outside"),  # Paris
        ("21", "NaN", "bad_coordinate"),
        ("20", "112", "coordinate_outside"),  # the sea between the mainland and Hoàng Sa
        ("99", "105", "bad_coordinate"),  # not a latitude at all
        ("", "105", "bad_coordinate"),
    ],
)
def test_a_point_outside_vietnam_or_not_a_number_is_refused_and_nothing_is_written(
    world, lat, lon, code
):
    with pytest.raises(DomainError) as refused:
        do_set_village_position(world.carol, world.village1, lat, lon)
    assert refused.value.code == code
    assert not VillagePosition.objects.exists()
    assert not AuditEvent.objects.filter(object_type="villageposition").exists()


def test_a_village_of_truong_sa_can_be_placed_as_a_household_there_can(world):
    # The same areas as a household's point (registry.models.VIETNAM_AREAS), islands included.
    position = do_set_village_position(world.carol, world.village1, "8,645", "111,92")
    assert position.latitude == Decimal("8.645000")


def test_only_who_manages_the_commune_places_its_villages(world):
    for user in (world.alice, world.erin, world.mallory):
        with pytest.raises(DomainError):
            do_set_village_position(user, world.village1, "21", "105")
    with pytest.raises(DomainError):
        do_set_village_position(world.carol, world.commune, "21", "105")  # not a village


def test_the_map_page_lists_where_each_village_is_and_the_form_moves_it(client, world):
    HouseholdFactory(village=world.village2, latitude=Decimal("21.1"), longitude=Decimal("105.9"))
    client.force_login(world.carol)
    page = client.get(reverse("core:unit_map", args=[world.commune.pk])).content.decode()
    table = page.split('id="placements"')[1].split("</table>")[0]
    assert "Trung tâm các hộ có tọa độ" in table and "Chưa có" in table
    url = reverse("core:village_position", args=[world.village1.pk])
    assert url in table
    response = client.post(url, {"latitude": "21,5", "longitude": "105,5"})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:unit_map", args=[world.commune.pk])
    page = client.get(reverse("core:unit_map", args=[world.commune.pk])).content.decode()
    assert "UBND xã đã đặt" in page.split('id="placements"')[1]
    # The commune's point wins over the households' centre on the map.
    points = page.split('id="map-points" type="application/json">')[1].split("</script>")[0]
    assert "21.5, 105.5" in points
    # A refused value is shown on the form with what was typed.
    refused = client.post(url, {"latitude": "30", "longitude": "105,5"})
    assert refused.status_code == 400
    assert "lãnh thổ Việt Nam" in refused.content.decode()
    assert 'value="30"' in refused.content.decode()
    client.post(url, {"clear": "1"})
    assert not VillagePosition.objects.filter(unit=world.village1).exists()


def test_a_village_head_sees_the_map_without_the_placement_buttons(client, world):
    client.force_login(world.alice)
    page = client.get(reverse("core:unit_map", args=[world.commune.pk]))
    if page.status_code == 200:
        assert (
            reverse("core:village_position", args=[world.village1.pk]) not in page.content.decode()
        )
    assert client.get(reverse("core:village_position", args=[world.village1.pk])).status_code in (
        403,
        404,
    )


def test_clearing_a_village_never_placed_writes_nothing(world):
    assert do_clear_village_position(world.carol, world.village1) is False
    assert not AuditEvent.objects.filter(object_type="villageposition").exists()


def test_the_form_opens_the_map_at_the_households_centre(client, world):
    HouseholdFactory(village=world.village1, latitude=Decimal("21.1"), longitude=Decimal("105.9"))
    HouseholdFactory(village=world.village1, latitude=Decimal("21.3"), longitude=Decimal("105.7"))
    client.force_login(world.carol)
    page = client.get(reverse("core:village_position", args=[world.village1.pk])).content.decode()
    assert 'data-centre="21.200000,105.800000"' in page
