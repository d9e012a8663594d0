"""`units list --format json` tells each unit's current (2025) commune, in a fixed number of
queries, the same answer as AdminUnit.current_commune()."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from smartvillage.core.testing import build_reform
from smartvillage.units.models import AdminUnit, Level, Scheme, current_communes
from smartvillage.units.services import add_village


@pytest.fixture
def reform(world):
    return build_reform(world)


def _list(*args: str) -> list[dict]:
    out = StringIO()
    call_command("units", "list", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def _ref(unit: AdminUnit) -> dict:
    return {"id": unit.pk, "code": unit.code, "name": unit.name, "full_name": unit.full_name}


def test_villages_of_an_old_commune_name_its_main_successor(world, reform):
    rows = {r["code"]: r for r in _list("--parent", "pre2025:99901")}
    assert set(rows) == {"99901-T001", "99901-T002"}
    assert rows["99901-T001"]["current_commune"] == _ref(reform.commune)
    # The other fields are still there, unchanged.
    assert rows["99901-T001"]["parent_code"] == "99901"
    assert rows["99901-T001"]["full_name"] == "Thôn Một"
    # Xã Bình was split: its main successor is Xã Bình Mới.
    (ba,) = _list("--parent", "pre2025:99902")
    assert ba["current_commune"] == _ref(reform.commune2)


def test_communes_provinces_and_2025_units(world, reform):
    communes = {r["code"]: r["current_commune"] for r in _list("--level", "commune")}
    assert communes == {
        "99901": _ref(reform.commune),
        "99902": _ref(reform.commune2),
        # A 2025 commune is its own current commune.
        "98001": _ref(reform.commune),
        "98002": _ref(reform.commune2),
    }
    assert {r["code"]: r["current_commune"] for r in _list()} == {"98": None, "99": None}


def test_null_when_no_2025_mapping_is_loaded(world):
    (one, two) = _list("--parent", "pre2025:99901")
    assert one["current_commune"] is None and two["current_commune"] is None


def test_village_created_under_a_2025_commune(world, reform):
    village = add_village(reform.commune, "Mới Lập")
    (row,) = _list("--parent", "2025:98001")
    assert row["id"] == village.pk and row["current_commune"] == _ref(reform.commune)


def test_bulk_answer_matches_the_model_and_costs_fixed_queries(
    world, reform, django_assert_max_num_queries
):
    for i in range(30):
        add_village(world.commune if i % 2 else world.commune2, f"Xóm {i}")
    units = list(
        AdminUnit.objects.filter(level__in=[Level.COMMUNE, Level.VILLAGE]).select_related("parent")
    )
    with django_assert_max_num_queries(1):
        result = current_communes(units)
    assert {pk: (u.pk if u else None) for pk, u in result.items()} == {
        u.pk: (c.pk if (c := u.current_commune()) else None) for u in units
    }
    assert result[world.village3.pk] == reform.commune2
    assert all(result[u.pk].scheme == Scheme.FROM_2025 for u in units if u.level == Level.VILLAGE)
