"""`units load`: the bundled official list, idempotent, with the 2025 old → new mapping."""

from __future__ import annotations

import gzip
import json

import pytest

from smartvillage.core.errors import DomainError
from smartvillage.units.loader import DATA_FILE, load_units, read_dataset
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitSuccession, UnitType
from smartvillage.units.services import add_village, find_commune


def _expected_path(unit: AdminUnit) -> str:
    return f"{unit.parent.path if unit.parent_id else '/'}{unit.pk}/"


def _assert_paths(qs) -> None:
    wrong = [u.code for u in qs.select_related("parent") if u.path != _expected_path(u)]
    assert wrong == []


def _sample_counts() -> dict[str, int]:
    data = read_dataset()
    districts = {c for c, p, _n, _t in data["pre2025"]["districts"] if p in {"30", "38"}}
    return {
        "districts": len(districts),
        "communes": sum(1 for _c, d, _n, _t in data["pre2025"]["communes"] if d in districts),
        "new_communes": sum(1 for _c, p, _n, _t in data["2025"]["communes"] if p in {"31", "38"}),
    }


def test_sample_load_creates_both_schemes_with_paths(sample_units):
    expected = _sample_counts()
    old = AdminUnit.objects.filter(scheme=Scheme.PRE_2025)
    assert sorted(old.filter(level=Level.PROVINCE).values_list("code", flat=True)) == ["30", "38"]
    assert old.filter(level=Level.DISTRICT).count() == expected["districts"]
    assert old.filter(level=Level.COMMUNE).count() == expected["communes"]
    new = AdminUnit.objects.filter(scheme=Scheme.FROM_2025)
    # Hải Dương became part of Hải Phòng (31); Thanh Hóa kept its code.
    assert sorted(new.filter(level=Level.PROVINCE).values_list("code", flat=True)) == ["31", "38"]
    assert new.filter(level=Level.COMMUNE).count() == expected["new_communes"]
    assert not new.filter(level=Level.DISTRICT).exists()
    assert set(AdminUnit.objects.values_list("data_version", flat=True)) == {
        "vietnamadminunits-1.0.4"
    }
    _assert_paths(AdminUnit.objects.all())
    assert sample_units.counts["pre2025:commune"].created == expected["communes"]


def test_names_types_and_hierarchy(sample_units):
    an_thanh = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")
    assert (an_thanh.name, an_thanh.unit_type, an_thanh.full_name) == (
        "An Thanh",
        UnitType.XA,
        "Xã An Thanh",
    )
    district = an_thanh.parent
    assert (district.full_name, district.level, district.code) == (
        "Huyện Tứ Kỳ",
        Level.DISTRICT,
        "298",
    )
    assert district.parent.full_name == "Tỉnh Hải Dương"
    assert district.parent.unit_type == UnitType.TINH
    city = AdminUnit.objects.get(scheme=Scheme.PRE_2025, level=Level.DISTRICT, name="Hải Dương")
    assert (city.unit_type, city.full_name) == (UnitType.THANH_PHO, "Thành phố Hải Dương")
    hai_phong = AdminUnit.objects.get(scheme=Scheme.FROM_2025, code="31")
    assert (hai_phong.unit_type, hai_phong.full_name) == (
        UnitType.THANH_PHO_TW,
        "Thành phố Hải Phòng",
    )
    # 2025 communes hang directly below the province.
    commune = hai_phong.children.first()
    assert commune.level == Level.COMMUNE and commune.path.startswith(hai_phong.path)
    assert [u.pk for u in an_thanh.ancestors()] == [district.parent.pk, district.pk]


def test_second_load_creates_nothing(sample_units):
    units_before = AdminUnit.objects.count()
    links_before = UnitSuccession.objects.count()
    paths_before = dict(AdminUnit.objects.values_list("pk", "path"))

    again = load_units(["30", "38"])

    assert again.created == 0 and again.updated == 0
    assert again.links_created == 0 and again.links_updated == 0
    assert sum(c.unchanged for c in again.counts.values()) == units_before
    assert again.links_unchanged == links_before
    assert AdminUnit.objects.count() == units_before
    assert UnitSuccession.objects.count() == links_before
    assert dict(AdminUnit.objects.values_list("pk", "path")) == paths_before


def test_reload_restores_a_changed_name_and_keeps_villages(sample_units):
    commune = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")
    village = add_village(commune, "Thanh Kỳ")
    AdminUnit.objects.filter(pk=commune.pk).update(name="Tên Sai")

    result = load_units(["30", "38"])

    assert result.counts["pre2025:commune"].updated == 1
    assert result.created == 0
    commune.refresh_from_db()
    assert commune.name == "An Thanh"
    village.refresh_from_db()
    assert village.parent_id == commune.pk and village.path == f"{commune.path}{village.pk}/"


def _write_dataset(tmp_path, data) -> object:
    path = tmp_path / "units.json.gz"
    path.write_bytes(gzip.compress(json.dumps(data, ensure_ascii=False).encode("utf-8")))
    return path


def test_new_data_version_renames_and_moves_units(sample_units, tmp_path):
    commune = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")
    village = add_village(commune, "Thanh Kỳ")
    other_district = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="299")  # Huyện Ninh Giang
    with gzip.open(DATA_FILE, "rt", encoding="utf-8") as fh:
        data = json.load(fh)
    data["meta"]["data_version"] = "test-2"
    for row in data["pre2025"]["communes"]:
        if row[0] == "11125":
            row[1], row[2] = "299", "An Thanh Mới"

    result = load_units(["30", "38"], path=_write_dataset(tmp_path, data))

    # Every unit carries the new data version; nothing is created twice.
    assert result.created == 0
    assert result.updated == AdminUnit.objects.exclude(scheme=Scheme.LOCAL).count()
    commune.refresh_from_db()
    assert (commune.name, commune.parent_id, commune.data_version) == (
        "An Thanh Mới",
        other_district.pk,
        "test-2",
    )
    village.refresh_from_db()
    assert commune.path == f"{other_district.path}{commune.pk}/"
    assert village.path == f"{commune.path}{village.pk}/"
    _assert_paths(AdminUnit.objects.all())


def test_unknown_province_code_is_refused(db):
    with pytest.raises(DomainError, match="mã 99"):
        load_units(["99"])
    assert not AdminUnit.objects.exists()


def test_village_under_pre2025_commune_shows_its_current_commune(sample_units):
    an_thanh = find_commune("Hải Dương", "Tứ Kỳ", "An Thanh")
    village = add_village(an_thanh, "Thanh Kỳ")

    current = village.current_commune()

    assert current is not None
    assert (current.scheme, current.level) == (Scheme.FROM_2025, Level.COMMUNE)
    assert current.parent.code == "31"  # Thành phố Hải Phòng
    assert list(an_thanh.current_successors()) == [current]
    link = UnitSuccession.objects.get(old=an_thanh)
    assert link.is_default and link.effective_date.isoformat() == "2025-07-01"
    assert (
        AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="30").current_successors().get().code
        == "31"
    )
    # A unit of the current scheme is its own current commune.
    assert current.current_commune() == current


def test_split_commune_lists_its_main_successor_first(sample_units):
    split = (
        AdminUnit.objects.filter(scheme=Scheme.PRE_2025, level=Level.COMMUNE)
        .filter(successor_links__is_default=False)
        .first()
    )
    assert split is not None
    successors = list(split.current_successors())
    assert len(successors) >= 2
    main = UnitSuccession.objects.get(old=split, is_default=True).new
    assert successors[0] == main
    assert add_village(split, "Thôn Tách").current_commune() == main


def test_island_district_without_communes_maps_to_its_special_zone(db):
    load_units(["31"])
    bach_long_vi = AdminUnit.objects.get(
        scheme=Scheme.PRE_2025, level=Level.DISTRICT, name="Bạch Long Vĩ"
    )
    assert not bach_long_vi.children.exists()
    zone = bach_long_vi.current_successors().get()
    assert (zone.unit_type, zone.full_name, zone.scheme) == (
        UnitType.DAC_KHU,
        "Đặc khu Bạch Long Vĩ",
        Scheme.FROM_2025,
    )


def test_full_load_matches_the_official_counts(db):
    result = load_units()
    counts = {key: c.created for key, c in result.counts.items()}
    assert counts == {
        "pre2025:province": 63,
        "pre2025:district": 696,
        "pre2025:commune": 10035,
        "2025:province": 34,
        "2025:commune": 3321,
    }
    assert (
        AdminUnit.objects.filter(scheme=Scheme.FROM_2025, unit_type=UnitType.DAC_KHU).count() == 13
    )
    # Every pre-2025 commune has a current commune.
    assert not AdminUnit.objects.filter(
        scheme=Scheme.PRE_2025, level=Level.COMMUNE, successor_links__isnull=True
    ).exists()
    assert UnitSuccession.objects.count() == result.links_created == 63 + 5 + 10597
    assert not AdminUnit.objects.filter(path="").exists()
    _assert_paths(AdminUnit.objects.filter(scheme=Scheme.FROM_2025))
    again = load_units()
    assert again.created == 0 and again.updated == 0 and again.links_created == 0
