"""Link persons to their households (codes, _parent_index, or the head's row above)."""

from __future__ import annotations

from smartvillage.registry.models import Relationship
from smartvillage.transfer.importing.report import (
    ERROR,
    HouseholdIn,
    ImportReport,
    Issue,
    PersonIn,
    _vn_int,
)


def _merge_household(target: HouseholdIn, source: HouseholdIn, overwrite: bool) -> None:
    for key, value in source.fields.items():
        if overwrite or key not in target.fields or target.fields[key] in (None, "", False):
            target.fields[key] = value
    for key, value in source.extra.items():
        if overwrite or key not in target.extra:
            target.extra[key] = value


def _link(
    report: ImportReport,
    households: list[HouseholdIn],
    persons: list[tuple[PersonIn, HouseholdIn | None]],
    has_code_column: bool,
) -> list[HouseholdIn]:
    by_code: dict[str, HouseholdIn] = {}
    by_key: dict[str, HouseholdIn] = {}
    ordered: list[HouseholdIn] = []
    for household in households:
        if not household.code:
            report.issues.append(
                Issue(ERROR, "thiếu mã hộ", household.src.sheet, household.src.row)
            )
            continue
        if household.code in by_code:
            first = by_code[household.code]
            report.issues.append(
                Issue(
                    ERROR,
                    f"mã hộ “{household.code}” trùng với dòng {_vn_int(first.src.row)}",
                    household.src.sheet,
                    household.src.row,
                )
            )
            continue
        by_code[household.code] = household
        if household.row_key:
            by_key[household.row_key] = household
        ordered.append(household)

    current: HouseholdIn | None = None
    current_sheet = ""
    for person, row_household in persons:
        if person.src.sheet != current_sheet:
            current, current_sheet = None, person.src.sheet
        is_head = person.fields.get("relationship") == Relationship.HEAD
        target: HouseholdIn | None = None
        if person.parent_key:
            target = by_key.get(person.parent_key)
            if target is None:
                report.issues.append(
                    Issue(
                        ERROR,
                        f"không có hộ với _index “{person.parent_key}” ở trang hộ",
                        person.src.sheet,
                        person.src.row,
                    )
                )
                continue
        elif person.household_code:
            target = by_code.get(person.household_code)
            if target is None:
                if households:
                    # Two-sheet layout: a person's code may still name a household already in the registry.
                    target = HouseholdIn(person.src, code=person.household_code)
                    target.action = "lookup"
                else:
                    target = HouseholdIn(person.src, code=person.household_code)
                by_code[person.household_code] = target
                ordered.append(target)
        elif has_code_column or not households:
            # No code on this row: a new household starts at its head (one-sheet layout), other
            # rows belong to the household above (merged or left blank under the head's row).
            if is_head:
                target = HouseholdIn(person.src)
                ordered.append(target)
            elif current is not None:
                target = current
            else:
                reason = "không xác định được hộ: dòng chưa có mã hộ và không đứng sau dòng chủ hộ"
                if not has_code_column:
                    reason = "không xác định được hộ: cần cột “Mã hộ” hoặc dòng “Chủ hộ” đứng trước các thành viên"
                report.issues.append(Issue(ERROR, reason, person.src.sheet, person.src.row))
                continue
        else:
            report.issues.append(
                Issue(ERROR, "thiếu mã hộ (cột “Mã hộ”)", person.src.sheet, person.src.row)
            )
            continue
        if row_household is not None and "phone" in row_household.fields:
            # Each person's own number: which one the household keeps is decided once its head
            # is known (plan._household_phone), not by the order rows merge in.
            person.phone = row_household.fields.pop("phone")
        if row_household is not None and (row_household.fields or row_household.extra):
            _merge_household(target, row_household, overwrite=is_head)
        if person.head_name and "head_name" not in target.fields:
            target.fields["head_name"] = person.head_name
        current = target
        person.household = target
        target.persons.append(person)
    return ordered
