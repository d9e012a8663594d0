"""Validate the linked households and plan create / update / unchanged against the registry."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import defaultdict
from decimal import Decimal
from typing import Any

from smartvillage.registry.facts import derive
from smartvillage.registry.models import Household, Person, Relationship, coordinate_errors
from smartvillage.transfer.importing.parse import _INVALID
from smartvillage.transfer.importing.report import (
    ERROR,
    WARNING,
    HouseholdIn,
    ImportReport,
    Issue,
    PersonIn,
    _vn_int,
)

_HOUSEHOLD_FIELDS = (
    "head_name",
    "address",
    "digital_address_code",
    "house_number",
    "phone",
    "latitude",
    "longitude",
    "note",
)
_PERSON_FIELDS = (
    "full_name",
    "birth_date",
    "birth_year_only",
    "sex",
    "relationship",
    "identity_number",
    "note",
)


def _person_key(name: str, birth: dt.date | None) -> tuple[str, dt.date | None]:
    # Case- and space-insensitive but not diacritic-insensitive: "Hà" and "Hạ" are different names.
    return _name_key(name), birth


def _name_key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def _diff(
    instance: Any, fields: dict[str, Any], extra: dict[str, Any]
) -> dict[str, tuple[Any, Any]]:
    changes: dict[str, tuple[Any, Any]] = {}
    for key, value in fields.items():
        if value is _INVALID:
            continue
        old = getattr(instance, key)
        if isinstance(old, Decimal) and value is not None:
            value = Decimal(value).quantize(Decimal("0.000001"))
        if old != value and not (old in (None, "") and value in (None, "")):
            changes[key] = (old, value)
    if extra:
        merged = {**(instance.extra or {}), **extra}
        if merged != (instance.extra or {}):
            changes["extra"] = (instance.extra or {}, merged)
    return changes


def _year_vague_match(
    existing_date: dt.date | None, existing_year_only: bool, birth: Any, year_only: bool
) -> bool:
    """A year alone (1980) and a date in that year (12/05/1980) may be the same person's."""
    return (
        isinstance(existing_date, dt.date)
        and isinstance(birth, dt.date)
        and existing_date.year == birth.year
        and (existing_year_only or year_only)
    )


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit())


def _household_phone(report: ImportReport, household: HouseholdIn, head: PersonIn | None) -> None:
    """The household's contact phone from the phones on its persons' rows (a list of persons).

    A phone on the households sheet (or row) stays; otherwise the head's, else the first member's
    in file order. The household keeps one number: when that choice is not plain from the file
    (the head has none, or members have other numbers, which are not kept) a warning says so.
    """
    given = [(p, p.phone) for p in household.persons if isinstance(p.phone, str) and p.phone]
    if not given:
        return  # no number, or only refused ones (their rows carry the error)
    own = household.fields.get("phone")
    if isinstance(own, str) and own:
        chosen, source = own, None
    else:
        source, chosen = next(((p, v) for p, v in given if p is head), given[0])
        household.fields["phone"] = chosen
    others = [(p, v) for p, v in given if _digits(v) != _digits(chosen)]
    parts = []
    if source is None:
        parts.append(f"số điện thoại liên hệ lấy ở trang hộ ({chosen})")
    elif source is not head and head is not None:
        parts.append(
            f"chủ hộ “{head.fields.get('full_name') or ''}” không có số điện thoại trong tệp; "
            f"số liên hệ của hộ lấy của “{source.fields.get('full_name') or ''}” "
            f"(dòng {_vn_int(source.src.row)}, người đầu tiên trong hộ có số): {chosen}"
        )
    elif others:
        who = (
            f"chủ hộ “{source.fields.get('full_name') or ''}”"
            if source is head
            else f"“{source.fields.get('full_name') or ''}” (dòng {_vn_int(source.src.row)}, "
            "người đầu tiên trong hộ có số)"
        )
        parts.append(f"số liên hệ của hộ lấy của {who}: {chosen}")
    if not parts or (source is None and not others):
        return
    if others:
        listed = ", ".join(
            f"“{p.fields.get('full_name') or ''}” {v} (dòng {_vn_int(p.src.row)})"
            for p, v in others
        )
        parts.append(f"hộ chỉ ghi một số liên hệ, không ghi vào sổ số của {listed}")
    report.issues.append(
        Issue(
            WARNING,
            f"hộ “{household.code}”: " + "; ".join(parts),
            household.src.sheet,
            household.src.row,
            value=chosen,
        )
    )


def _validate_and_plan(
    report: ImportReport,
    households: list[HouseholdIn],
    relationship_known: bool,
    head_name_known: bool = True,
) -> None:
    village = report.village
    existing_h = {h.code: h for h in Household.objects.filter(village=village)}
    persons_by_household: dict[int, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(village=village).order_by("id"):
        persons_by_household[person.household_id].append(person)
    used_codes = set(existing_h)
    used_codes.update(h.code for h in households if h.code)
    # Households without a code (one-sheet layout, no code column) match on the head's name and
    # birth date, so importing the same file twice finds them again.
    heads: dict[tuple[str, dt.date | None], Household] = {}
    heads_by_name: dict[str, list[Person]] = defaultdict(list)
    by_pk = {h.pk: h for h in existing_h.values()}
    for household in existing_h.values():
        for person in persons_by_household.get(household.pk, []):
            if person.relationship == Relationship.HEAD:
                heads[_person_key(person.full_name, person.birth_date)] = household
                heads_by_name[_name_key(person.full_name)].append(person)
    counter = 0

    for household in households:
        head = next(
            (p for p in household.persons if p.fields.get("relationship") == Relationship.HEAD),
            None,
        )
        if not relationship_known and head is None and household.fields.get("head_name"):
            head = next(
                (
                    p
                    for p in household.persons
                    if _name_key(p.fields.get("full_name") or "")
                    == _name_key(household.fields["head_name"])
                ),
                None,
            )
            if head is not None:
                head.fields["relationship"] = Relationship.HEAD
        if (
            head is None
            and not relationship_known
            and not head_name_known
            and household.action != "lookup"
            and not household.fields.get("head_name")
        ):
            # Neither a relationship nor a head's name column: the head is listed first.
            head = next(
                (
                    p
                    for p in household.persons
                    if isinstance(p.fields.get("full_name"), str) and p.fields["full_name"]
                ),
                None,
            )
            if head is not None:
                head.fields["relationship"] = Relationship.HEAD
                report.issues.append(
                    Issue(
                        WARNING,
                        f"hộ “{household.code or head.fields['full_name']}”: tệp không có cột “Quan hệ "
                        f"với chủ hộ” hay “Họ và tên chủ hộ”; lấy người đầu tiên của hộ, "
                        f"“{head.fields['full_name']}”, làm chủ hộ",
                        head.src.sheet,
                        head.src.row,
                        value=head.fields["full_name"],
                    )
                )
        if (
            head is not None
            and not household.fields.get("head_name")
            and isinstance(head.fields.get("full_name"), str)
        ):
            household.fields["head_name"] = head.fields["full_name"]
        if not household.code:
            key = _person_key(
                household.fields.get("head_name") or "",
                head.fields.get("birth_date") if head else None,
            )
            found = heads.get(key) if head is not None else None
            if found is None and head is not None:
                # The head's birth date became more precise (1980 -> 12/05/1980) or less.
                same = heads_by_name.get(_name_key(household.fields.get("head_name") or ""), [])
                if len(same) == 1 and _year_vague_match(
                    same[0].birth_date,
                    same[0].birth_year_only,
                    head.fields.get("birth_date"),
                    bool(head.fields.get("birth_year_only")),
                ):
                    found = by_pk.get(same[0].household_id)
            if found is not None:
                household.code = found.code
            else:
                while True:
                    counter += 1
                    code = f"HO-{counter:04d}"
                    if code not in used_codes:
                        break
                household.code = code
                used_codes.add(code)
        instance = existing_h.get(household.code)
        if household.action == "lookup":
            if instance is None:
                p = household.persons[0]
                report.issues.append(
                    Issue(
                        ERROR,
                        f"mã hộ “{household.code}” không có ở trang hộ gia đình và chưa có trong sổ của thôn",
                        p.src.sheet,
                        p.src.row,
                    )
                )
                continue
            household.fields = {}
        else:
            _household_phone(report, household, head)
        # Facts the catalogue derives from other fields (a digital address code -> the household
        # has a digital address), ORed in so that criteria count them as plain columns.
        for key, value in derive("household", household.fields).items():
            if household.fields.get(key) is not True:
                household.fields[key] = value
        # The same rule as the forms and the admin (Household.clean): a point in Vietnam, both
        # numbers or neither. Only when the file gives coordinates.
        if "latitude" in household.fields or "longitude" in household.fields:
            lat = household.fields.get("latitude", getattr(instance, "latitude", None))
            lon = household.fields.get("longitude", getattr(instance, "longitude", None))
            if lat is not _INVALID and lon is not _INVALID:
                messages = list(coordinate_errors(lat, lon).values())
                for label, value, bound in (("Vĩ độ", lat, 90), ("Kinh độ", lon, 180)):
                    if value is not None and not -bound <= Decimal(str(value)) <= bound:
                        messages.append(
                            f"{label} {value} ngoài khoảng −{bound}..{bound} độ "
                            "(có lẽ đã nhập ngược vĩ độ và kinh độ?)"
                        )
                for message in messages:
                    report.issues.append(
                        Issue(
                            ERROR,
                            f"hộ “{household.code}”: {message}",
                            household.src.sheet,
                            household.src.row,
                        )
                    )
        if instance is None:
            if not household.fields.get("head_name"):
                report.issues.append(
                    Issue(
                        ERROR,
                        f"hộ “{household.code}”: thiếu họ tên chủ hộ",
                        household.src.sheet,
                        household.src.row,
                    )
                )
            household.instance = Household(village=village, code=household.code)
            household.action = "create"
            household.changes = {
                k: (None, v) for k, v in household.fields.items() if v is not _INVALID
            }
            if household.extra:
                household.changes["extra"] = ({}, household.extra)
        else:
            household.instance = instance
            household.changes = _diff(instance, household.fields, household.extra)
            household.action = "update" if household.changes else "unchanged"
        if household.persons and head is None and relationship_known:
            report.issues.append(
                Issue(
                    WARNING,
                    f"hộ “{household.code}” không có ai là “Chủ hộ”",
                    household.src.sheet,
                    household.src.row,
                )
            )

        existing_p = persons_by_household.get(instance.pk, []) if instance is not None else []
        by_key = {_person_key(p.full_name, p.birth_date): p for p in existing_p}
        by_name: dict[str, list[Person]] = defaultdict(list)
        for p in existing_p:
            by_name[_name_key(p.full_name)].append(p)
        names_in_file: dict[str, int] = defaultdict(int)
        for person in household.persons:
            if isinstance(person.fields.get("full_name"), str):
                names_in_file[_name_key(person.fields["full_name"])] += 1
        claimed: set[int] = set()
        seen: dict[tuple[str, dt.date | None], PersonIn] = {}
        for person in household.persons:
            name = person.fields.get("full_name")
            if not name or name is _INVALID:
                if name is not _INVALID:
                    report.issues.append(
                        Issue(ERROR, "thiếu họ và tên", person.src.sheet, person.src.row)
                    )
                continue
            birth = person.fields.get("birth_date")
            if birth is _INVALID:
                continue
            if "birth_date" in person.fields and birth is None:
                report.issues.append(
                    Issue(
                        WARNING,
                        f"“{name}” thiếu ngày sinh: không tính được độ tuổi lao động",
                        person.src.sheet,
                        person.src.row,
                    )
                )
            key = _person_key(name, birth)
            if key in seen:
                first = seen[key]
                report.issues.append(
                    Issue(
                        ERROR,
                        f"“{name}” trùng với dòng {_vn_int(first.src.row)} (cùng hộ, cùng ngày sinh)",
                        person.src.sheet,
                        person.src.row,
                    )
                )
                continue
            seen[key] = person
            match = by_key.get(key)
            year_only = bool(person.fields.get("birth_year_only"))
            if match is None:
                candidates = by_name.get(_name_key(name), [])
                if len(candidates) == 1 and candidates[0].pk not in claimed:
                    candidate = candidates[0]
                    if (
                        candidate.birth_date is None
                        or birth is None
                        or "birth_date" not in person.fields
                    ):
                        match = candidate
                    elif names_in_file[_name_key(name)] == 1 and _year_vague_match(
                        candidate.birth_date, candidate.birth_year_only, birth, year_only
                    ):
                        # The name is unique in the household: a year alone is any date in it.
                        match = candidate
            if match is not None:
                claimed.add(match.pk)
            if match is None:
                person.instance = None  # written by a raw multi-row insert in apply()
                person.action = "create"
                # No per-person changes dict for a new person (100.000 of them cost memory):
                # its audit "after" is built from its fields when it is written.
                person.changes = {}
            else:
                fields = dict(person.fields)
                if birth is None and match.birth_date is not None:
                    fields.pop("birth_date", None)
                    fields.pop("birth_year_only", None)
                elif (
                    year_only
                    and not match.birth_year_only
                    and isinstance(match.birth_date, dt.date)
                    and isinstance(birth, dt.date)
                    and match.birth_date.year == birth.year
                ):
                    # The registry already knows the precise date: keep it.
                    fields.pop("birth_date", None)
                    fields.pop("birth_year_only", None)
                person.instance = match
                person.changes = _diff(match, fields, person.extra)
                person.action = "update" if person.changes else "unchanged"

    counts = defaultdict(int)
    for household in households:
        if household.action in ("create", "update", "unchanged"):
            counts[
                f"households_{household.action}d"
                if household.action != "unchanged"
                else "households_unchanged"
            ] += 1
        for person in household.persons:
            if person.action:
                counts[
                    f"persons_{person.action}d"
                    if person.action != "unchanged"
                    else "persons_unchanged"
                ] += 1
    counts["households_in_file"] = len(households)
    counts["persons_in_file"] = sum(len(h.persons) for h in households)
    report.counts = dict(counts)
