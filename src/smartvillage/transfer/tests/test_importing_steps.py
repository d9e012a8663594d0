"""The import's middle steps on their own, without files: the user's mapping (mapping), linking
persons to households (link), the plan against the registry (plan) and the partial split
(rejected)."""

from __future__ import annotations

import datetime as dt

import pytest

from smartvillage.core.errors import DomainError
from smartvillage.core.testing import HouseholdFactory
from smartvillage.registry.models import Person, Relationship
from smartvillage.transfer.importing import mapping as M
from smartvillage.transfer.importing import rejected
from smartvillage.transfer.importing.link import _link
from smartvillage.transfer.importing.plan import _validate_and_plan
from smartvillage.transfer.importing.report import (
    ERROR,
    HouseholdIn,
    ImportReport,
    Issue,
    PersonIn,
    Src,
)


def _person(row, name, rel=Relationship.OTHER, code="", birth=None):
    person = PersonIn(Src("DS", row), household_code=code)
    person.fields = {"full_name": name, "relationship": rel}
    if birth is not None:
        person.fields.update(birth_date=birth, birth_year_only=False)
    return person


# ---- mapping -------------------------------------------------------------------------------


def test_mapping_items_by_header_letter_and_sheet_letter():
    parsed = M.parse_mapping(["Dùng app=epayment_account", "B=note", "Nhân khẩu!C=", "X="])
    assert parsed == {"Dùng app": "epayment_account", "B": "note", "Nhân khẩu!C": "", "X": ""}
    split = M._split_mapping(parsed)
    assert split.columns[("nhan khau", 2)].key == ""
    assert set(split.headers) == {"dung app", "b", "x"}
    with pytest.raises(DomainError):
        M.parse_mapping(["no-equals-sign"])
    with pytest.raises(DomainError):
        M.parse_mapping(["Cột=not_a_field"])


# ---- link ----------------------------------------------------------------------------------


def test_rows_without_a_code_belong_to_the_head_above(world):
    report = ImportReport(world.village1, ["ds.csv"])
    persons = [
        (_person(2, "Chủ Một", Relationship.HEAD), None),
        (_person(3, "Vợ Một", Relationship.SPOUSE), None),
        (_person(4, "Chủ Hai", Relationship.HEAD), None),
        (_person(5, "Con Hai", Relationship.CHILD), None),
    ]
    households = _link(report, [], persons, has_code_column=False)
    assert [[p.fields["full_name"] for p in h.persons] for h in households] == [
        ["Chủ Một", "Vợ Một"],
        ["Chủ Hai", "Con Hai"],
    ]
    assert not report.errors


def test_a_member_before_any_head_is_an_error_with_its_row(world):
    report = ImportReport(world.village1, ["ds.csv"])
    _link(report, [], [(_person(2, "Con Lạc", Relationship.CHILD), None)], has_code_column=False)
    (error,) = report.errors
    assert error.row == 2 and "không xác định được hộ" in error.reason


# ---- plan ----------------------------------------------------------------------------------


def test_the_plan_matches_registry_persons_and_derives_digital_address(world):
    existing = HouseholdFactory(village=world.village1, code="K1", head_name="Lê Văn A")
    Person.objects.create(
        household=existing,
        village=world.village1,
        full_name="Lê Văn A",
        birth_date=dt.date(1980, 1, 1),
        relationship=Relationship.HEAD,
    )
    report = ImportReport(world.village1, ["ds.csv"])
    household = HouseholdIn(Src("DS", 2), code="K1")
    household.fields = {"digital_address_code": "P6K9QX3M2A"}
    head = _person(2, "Lê Văn A", Relationship.HEAD, "K1", dt.date(1980, 1, 1))
    newcomer = _person(3, "Lê Thị B", Relationship.SPOUSE, "K1", dt.date(1982, 3, 4))
    household.persons = [head, newcomer]
    _validate_and_plan(report, [household], relationship_known=True)
    assert household.action == "update"
    assert household.changes["digital_address"] == (False, True)
    assert household.changes["digital_address_notified"] == (False, True)
    assert (head.action, newcomer.action) == ("unchanged", "create")
    assert report.counts["persons_created"] == 1 and report.counts["households_updated"] == 1


# ---- rejected ------------------------------------------------------------------------------


def test_one_bad_row_rejects_its_whole_household(world):
    report = ImportReport(world.village1, ["ds.csv"])
    good, bad = HouseholdIn(Src("DS", 2), code="G"), HouseholdIn(Src("DS", 4), code="B")
    good.persons = [_person(2, "A"), _person(3, "B")]
    bad.persons = [_person(4, "C"), _person(5, "D")]
    good.action = bad.action = "create"
    report.households = [good, bad]
    report.issues = [Issue(ERROR, "ngày sai", "DS", 5, "D", "Ngày sinh", "31/02/1980")]
    valid, rows = rejected.split(report)
    assert valid == [good]
    assert set(rows) == {("DS", 4), ("DS", 5)}
    assert rows[("DS", 5)][0].reason == "ngày sai"
    assert "cùng hộ với dòng 5" in rows[("DS", 4)][0].reason
    report.issues.append(Issue(ERROR, "lỗi cả tệp"))
    with pytest.raises(DomainError):
        rejected.split(report)
