"""Facts derived from other fields (facts.yaml "derived_from"): a digital address code means the
household has a digital address and was notified of it, so Phú Thọ 1.5 and Thanh Hóa 6 count it
as a plain column aggregate."""

from __future__ import annotations

import datetime as dt

import pytest

from smartvillage.core.errors import DomainError
from smartvillage.criteria import engine
from smartvillage.criteria.loader import get_set
from smartvillage.registry import facts
from smartvillage.registry.models import Household
from smartvillage.transfer import importer


def test_the_catalogue_says_which_facts_derive_from_the_code():
    assert ("digital_address_code", "present") in facts.derived_from("digital_address")
    assert ("digital_address_code", "present") in facts.derived_from("digital_address_notified")
    assert facts.derive("household", {"digital_address_code": "P6K9QX3M2A"}) == {
        "digital_address": True,
        "digital_address_notified": True,
    }
    assert facts.derive("household", {"digital_address_code": ""}) == {}


def test_a_bad_derivation_is_refused(tmp_path):
    bad = tmp_path / "x.yaml"
    bad.write_text(
        "facts:\n  - {key: k1, level: household, type: bool, label_vi: K,"
        " derived_from: [{field: address, when: sometimes}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(DomainError):
        facts._parse(bad)


def test_imported_codes_count_for_phutho_15_and_thanhhoa_6(world, tmp_path):
    path = tmp_path / "ma.csv"
    path.write_text(
        "Mã hộ,Họ và tên,Năm sinh,Giới tính,Quan hệ,Mã địa chỉ số\n"
        "A1,Lê Văn A,1980,Nam,Chủ hộ,P6K9QX3M2A\n"
        "A2,Lê Văn B,1981,Nam,Chủ hộ,\n"
        "A3,Lê Văn C,1982,Nam,Chủ hộ,H7T2MM91ZB4\n",
        encoding="utf-8",
    )
    assert importer.import_files(world.village1, [path], user=world.alice).applied
    household = Household.objects.get(code="A1")
    assert household.digital_address and household.digital_address_notified
    assert not Household.objects.get(code="A2").digital_address
    at = dt.date(2025, 6, 30)
    pt = engine.evaluate(world.village1, get_set("phutho-khu-dan-cu-thong-minh-1491"), at)
    th = engine.evaluate(world.village1, get_set("thanhhoa-thon-thong-minh-35"), at)
    assert (pt.criterion("1.5").numerator, pt.criterion("1.5").denominator) == (2, 3)
    assert (th.criterion("6").numerator, th.criterion("6").denominator) == (2, 3)
