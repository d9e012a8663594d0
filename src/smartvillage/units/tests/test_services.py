"""Finding units by reference or by name, village codes, permission-checked village writes."""

from __future__ import annotations

import pytest

from smartvillage.audit.models import AuditAction, AuditEvent
from smartvillage.core.errors import DomainError
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitType
from smartvillage.units.services import (
    add_village,
    do_add_village,
    do_update_unit,
    find_commune,
    name_key,
    resolve_unit,
)


def test_name_key_ignores_diacritics_case_type_and_spacing():
    assert name_key("Xã An Thanh") == name_key("an thanh") == "anthanh"
    assert name_key("Thanh Hoá") == name_key("Thanh Hóa") == name_key("THANH HOA")
    assert name_key("Đắk Lắk") == name_key("Dak Lak")
    assert name_key("Thị xã Kỳ Anh", strip_type=False) == "thixakyanh"


def test_find_commune_for_the_seed_communes(sample_units):
    an_thanh = find_commune("Hải Dương", "Tứ Kỳ", "An Thanh")
    assert (an_thanh.code, an_thanh.full_name, an_thanh.scheme) == (
        "11125",
        "Xã An Thanh",
        Scheme.PRE_2025,
    )
    assert find_commune("hai duong", "huyen tu ky", "xa an thanh") == an_thanh
    ha_son = find_commune("Thanh Hoá", "Hà Trung", "Hà Sơn")
    assert (ha_son.code, ha_son.parent.code) == ("15313", "392")
    current = find_commune("Hải Phòng", None, an_thanh.current_commune().name, scheme="2025")
    assert current == an_thanh.current_commune()


def test_find_commune_errors_say_what_is_missing(sample_units):
    with pytest.raises(DomainError, match="Không tìm thấy xã/phường “Không Có” thuộc Huyện Tứ Kỳ"):
        find_commune("Hải Dương", "Tứ Kỳ", "Không Có")
    with pytest.raises(DomainError, match="Không tìm thấy tỉnh/thành phố “Hà Giang”"):
        find_commune("Hà Giang", "Vị Xuyên", "Đạo Đức")
    with pytest.raises(DomainError, match="Cần tên huyện"):
        find_commune("Hải Dương", None, "An Thanh")


def test_resolve_unit_forms(sample_units):
    an_thanh = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="11125")
    # Ids start above every official code, so a bare code is never read as an id.
    assert AdminUnit.objects.order_by("pk").first().pk >= 100000
    assert resolve_unit("11125") == an_thanh
    assert resolve_unit(str(an_thanh.pk)) == an_thanh
    assert resolve_unit("pre2025:11125") == an_thanh
    assert resolve_unit(f"id:{an_thanh.pk}") == an_thanh
    assert resolve_unit(an_thanh.pk) == an_thanh
    # A code shared by both schemes: the current one wins unless the scheme is given.
    assert resolve_unit("38").scheme == Scheme.FROM_2025
    assert resolve_unit("pre2025:38").scheme == Scheme.PRE_2025
    with pytest.raises(DomainError, match="Không tìm thấy"):
        resolve_unit("2025:11125-x")
    with pytest.raises(DomainError, match="Không hiểu tham chiếu"):
        resolve_unit("foo:1")


def test_bare_number_that_is_both_an_id_and_a_code_is_refused(sample_units):
    # Cannot happen with fresh ids (they start at 100000); a database from before that could.
    province = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code="30")
    clash = AdminUnit.objects.filter(level=Level.COMMUNE).last()
    AdminUnit.objects.filter(pk=clash.pk).update(code=str(province.pk))
    with pytest.raises(DomainError, match="vừa là id của .* vừa là mã của") as info:
        resolve_unit(str(province.pk))
    assert info.value.code == "unit_ambiguous"
    assert resolve_unit(f"id:{province.pk}") == province
    assert resolve_unit(f"{clash.scheme}:{province.pk}").pk == clash.pk


def test_village_codes_stay_unique_when_two_schemes_share_a_commune_code(sample_units):
    old_codes = set(
        AdminUnit.objects.filter(scheme=Scheme.PRE_2025, level=Level.COMMUNE).values_list(
            "code", flat=True
        )
    )
    new = AdminUnit.objects.filter(
        scheme=Scheme.FROM_2025, level=Level.COMMUNE, code__in=old_codes
    ).first()
    assert new is not None
    old = AdminUnit.objects.get(scheme=Scheme.PRE_2025, code=new.code)

    first = add_village(old, "Thôn Một")
    second = add_village(new, "Thôn Một")

    assert first.code == f"{old.code}-T001"
    assert second.code == f"{new.code}-T002"
    assert resolve_unit(second.code) == second


def test_do_add_village_checks_permission_and_audits(world):
    with pytest.raises(DomainError, match="không có quyền"):
        do_add_village(world.alice, world.commune, "Thôn Bốn")
    village, created = do_add_village(world.carol, world.commune, "Thôn Bốn", "ấp")
    assert created and village.unit_type == UnitType.AP and village.parent == world.commune
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(village.pk))
    assert event.actor == world.carol and event.unit == village
    # Carol's role covers Xã An only.
    with pytest.raises(DomainError, match="không có quyền"):
        do_add_village(world.carol, world.commune2, "Thôn Năm")


def test_do_update_unit_edits_villages_only(world):
    updated = do_update_unit(world.carol, world.village1, name="Thôn Một Mới", unit_type="xóm")
    assert (updated.name, updated.unit_type) == ("Thôn Một Mới", UnitType.XOM)
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, object_id=str(world.village1.pk))
    assert event.before["name"] == "Thôn Một" and event.after["name"] == "Thôn Một Mới"
    with pytest.raises(DomainError, match="danh mục chính thức"):
        do_update_unit(world.root, world.commune, name="Xã Khác")
    with pytest.raises(DomainError, match="Không sửa được trường parent"):
        do_update_unit(world.root, world.village1, parent=world.commune2)
    with pytest.raises(DomainError, match="không có quyền"):
        do_update_unit(world.mallory, world.village1, name="X")
