"""Household coordinates: optional, typed with a decimal comma or point, refused outside the valid
ranges and outside Vietnam with a Vietnamese message, shown on the household page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry import services
from smartvillage.registry.models import Household
from smartvillage.registry.tests.test_views_access import db_state

BASE = {"code": "T1-050", "head_name": "Nguyễn Văn Tọa"}


@pytest.fixture
def alice(client, world):
    client.force_login(world.alice)
    return client


def _create(client, world, **coordinates):
    return client.post(
        reverse("registry:household_create", args=[world.village1.pk]), {**BASE, **coordinates}
    )


@pytest.mark.parametrize(
    ("lat", "lon", "expected"),
    [
        ("21,0285", "105,8542", (Decimal("21.0285"), Decimal("105.8542"))),
        ("21.0285", "105.8542", (Decimal("21.0285"), Decimal("105.8542"))),
        (" 10.7626224 ", "106.6601725°", (Decimal("10.762622"), Decimal("106.660173"))),
        ("8,6", "104,72", (Decimal("8.6"), Decimal("104.72"))),  # Mũi Cà Mau
        ("8,64", "111,92", (Decimal("8.64"), Decimal("111.92"))),  # Trường Sa Lớn
        ("16,5", "112,3", (Decimal("16.5"), Decimal("112.3"))),  # Hoàng Sa
        ("", "", (None, None)),
    ],
)
def test_coordinates_are_saved(alice, world, lat, lon, expected):
    response = _create(alice, world, latitude=lat, longitude=lon)
    assert response.status_code == 302, response.content.decode()[-3000:]
    household = Household.objects.get(village=world.village1, code="T1-050")
    assert (household.latitude, household.longitude) == expected


@pytest.mark.parametrize(
    ("lat", "lon", "fragments"),
    [
        ("91", "105", ["Vĩ độ: phải trong khoảng −90 đến 90 độ"]),
        ("-90,5", "105", ["Vĩ độ: phải trong khoảng −90 đến 90 độ"]),
        ("21", "181", ["Kinh độ: phải trong khoảng −180 đến 180 độ"]),
        ("21,02,85", "105", ["Vĩ độ: “21,02,85” không phải một số"]),
        ("bắc", "105", ["Vĩ độ: “bắc” không phải một số"]),
        ("21", "", ["Kinh độ: chưa nhập; nhập cả vĩ độ và kinh độ, hoặc để trống cả hai."]),
        ("", "105", ["Vĩ độ: chưa nhập; nhập cả vĩ độ và kinh độ"]),
        ("48,85", "2,35", ["Tọa độ: điểm (vĩ độ 48,85, kinh độ 2,35) nằm ngoài lãnh thổ Việt Nam"]),
        ("-21", "105", ["nằm ngoài lãnh thổ Việt Nam"]),
        ("10", "21", ["nằm ngoài lãnh thổ Việt Nam"]),
        (
            "105,85",
            "21,03",
            [
                "Vĩ độ: phải trong khoảng −90 đến 90 độ",
                "Vĩ độ: có lẽ đã nhập ngược vĩ độ và kinh độ?",
            ],
        ),
    ],
)
def test_bad_coordinates_are_refused_with_a_vietnamese_message(alice, world, lat, lon, fragments):
    before = db_state()
    response = _create(alice, world, latitude=lat, longitude=lon)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa lưu được" in html
    for fragment in fragments:
        assert fragment in html
    assert db_state() == before


def test_one_bad_field_does_not_also_raise_the_pair_message(alice, world):
    html = _create(alice, world, latitude="abc", longitude="105").content.decode()
    assert "Vĩ độ: “abc” không phải một số" in html
    assert "chưa nhập; nhập cả vĩ độ" not in html


def test_edit_keeps_and_changes_coordinates(alice, world):
    household = HouseholdFactory(
        village=world.village1, latitude=Decimal("21.028500"), longitude=Decimal("105.854200")
    )
    form = alice.get(reverse("registry:household_edit", args=[household.pk])).content.decode()
    assert 'value="21.0285"' in form and 'value="105.8542"' in form
    response = alice.post(
        reverse("registry:household_edit", args=[household.pk]),
        {"code": household.code, "head_name": household.head_name, "latitude": "", "longitude": ""},
    )
    assert response.status_code == 302
    household.refresh_from_db()
    assert household.latitude is None and household.longitude is None


def test_household_page_shows_the_coordinates_in_the_page_language(alice, world):
    household = HouseholdFactory(
        village=world.village1, latitude=Decimal("21.028500"), longitude=Decimal("105.854200")
    )
    html = alice.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert "Tọa độ" in html
    assert '<span class="coord">21,0285</span>' in html
    assert '<span class="coord">105,8542</span>' in html
    alice.post(reverse("set_language"), {"language": "en", "next": "/"})
    html = alice.get(reverse("registry:household", args=[household.pk])).content.decode()
    assert '<span class="coord">21.0285</span>' in html
    empty = HouseholdFactory(village=world.village1)
    html = alice.get(reverse("registry:household", args=[empty.pk])).content.decode()
    assert 'class="coord"' not in html


def test_services_refuse_a_point_outside_vietnam_for_every_caller(world):
    # The API and the admin write through the services, which run the model's checks.
    with translation.override("vi"), pytest.raises(ValidationError) as info:
        services.do_create_household(
            world.alice,
            world.village1,
            code="X",
            head_name="Y",
            latitude=Decimal("48.85"),
            longitude=Decimal("2.35"),
        )
    assert "nằm ngoài lãnh thổ Việt Nam" in str(info.value.message_dict["latitude"])
    assert not Household.objects.exists()
