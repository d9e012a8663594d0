"""The frozen evaluation of an assessment: a JSON document and the sha256 of its canonical form.

    {"schema": 1,
     "data": {                                  # everything derived from the registry / evidence
        "unit": {...names of the unit and its parents...},
        "criteria_set": {slug, version, title, level, legal_basis, groups: [{code, title, codes}]},
        "at": "2024-03-05",
        "result": UnitResult.to_dict() (+ requirement / group / list per criterion),
        "members": {criterion code: [{"name", "household_code", "met"}]},   # ratio criteria
        "evidence": [EvidenceRecord.as_dict() valid at the date],
        "villages": {...} for a commune set whose criteria aggregate a village set},
     "narrative": {organisation_text, strengths, difficulties, report_number, signer_name}}

`data_hash` covers "data" only, so the page can say "data changed since submission" by comparing
it with the same document built live; the content hash covers the whole snapshot.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from smartvillage.criteria.engine import evaluate, evaluate_children, members
from smartvillage.criteria.loader import CriteriaSet, get_set
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import AdminUnit, Level

SCHEMA = 1


def canonical(document: Any) -> bytes:
    return json.dumps(
        document, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode()


def content_hash(document: Any) -> str:
    return hashlib.sha256(canonical(document)).hexdigest()


def unit_info(unit: AdminUnit) -> dict[str, Any]:
    info: dict[str, Any] = {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "full_name": unit.full_name,
        "level": unit.level,
        "type": unit.unit_type,
        "type_label": unit.get_unit_type_display(),
    }
    for ancestor in unit.ancestors():
        info[ancestor.level] = {
            "name": ancestor.name,
            "full_name": ancestor.full_name,
            "code": ancestor.code,
        }
    return info


def set_info(cset: CriteriaSet) -> dict[str, Any]:
    basis = cset.legal_basis
    info: dict[str, Any] = {
        "slug": cset.slug,
        "version": cset.version,
        "title": cset.title,
        "level": cset.level,
        "province": cset.province,
        "legal_basis": {
            "number": basis.number,
            "date": basis.date.isoformat(),
            "issuer": basis.issuer,
            "title": basis.title,
        },
        "groups": [
            {"code": g.code, "title": g.title, "codes": [c.code for c in g.criteria]}
            for g in cset.groups
        ],
    }
    guidance = getattr(cset, "guidance", None)
    if guidance is not None and getattr(guidance, "number", ""):
        # The implementing guidance a report cites (Mẫu số 01: "Căn cứ hướng dẫn số …/HD-STTTT"),
        # when the set records one; absent otherwise, so existing snapshots compare unchanged.
        info["guidance"] = {
            "number": guidance.number,
            "date": guidance.date.isoformat() if getattr(guidance, "date", None) else None,
            "issuer": getattr(guidance, "issuer", "") or "",
            "title": getattr(guidance, "title", "") or "",
        }
    return info


def _member_rows(
    unit: AdminUnit, criterion: Any, cset: CriteriaSet, at: dt.date
) -> list[dict[str, Any]]:
    rows = []
    for member in members(unit, criterion, at, cset=cset):
        if isinstance(member, Household):
            rows.append(
                {"name": member.head_name, "household_code": member.code, "met": bool(member.met)}
            )
        else:
            rows.append(
                {
                    "name": member.full_name,
                    "household_code": member.household.code,
                    "met": bool(member.met),
                }
            )
    return rows


def _village_set_slug(cset: CriteriaSet) -> str | None:
    """The village model that goes with a commune model: the set its aggregate criteria name, else
    the village-level set issued by the same document (Kon Tum 2431 defines both), else the same
    province's."""
    for c in cset.criteria:
        if c.kind == "aggregate" and c.criteria_set:
            return c.criteria_set
    if cset.level != Level.COMMUNE:
        return None
    from smartvillage.criteria.loader import all_sets

    villages = [s for s in all_sets() if s.level == Level.VILLAGE]
    for candidate in villages:
        if candidate.legal_basis.number == cset.legal_basis.number:
            return candidate.slug
    same_province = [s for s in villages if cset.province and s.province == cset.province]
    return same_province[0].slug if same_province else None


def build_data(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> dict[str, Any]:
    """The registry-derived part of a snapshot, computed live now."""
    result = evaluate(unit, cset, at).to_dict()
    by_code = {c.code: c for c in cset.criteria}
    for entry in result["criteria"]:
        c = by_code[entry["code"]]
        entry["requirement"] = c.requirement
        entry["group_code"] = c.group_code
        entry["list_code"] = c.list_code
        entry["list_title"] = c.list_title
        entry["population"] = c.population
    member_lists = {
        c.code: _member_rows(unit, c, cset, at)
        for c in cset.criteria
        if c.kind == "ratio" and not (c.applies_from and at < c.applies_from)
    }
    evidence = [
        r.as_dict()
        for r in EvidenceRecord.objects.filter(unit=unit).order_by("category", "type", "id")
        if r.is_valid_at(at)
    ]
    households = Household.objects.all()
    persons = Person.objects.all()
    if unit.level == Level.VILLAGE:
        households, persons = households.filter(village=unit), persons.filter(village=unit)
    else:
        households = households.filter(village__path__startswith=unit.path)
        persons = persons.filter(village__path__startswith=unit.path)
    data: dict[str, Any] = {
        "unit": unit_info(unit),
        "criteria_set": set_info(cset),
        "at": at.isoformat(),
        "population": {"households": households.count(), "persons": persons.count()},
        "result": result,
        "members": member_lists,
        "evidence": evidence,
    }
    village_slug = _village_set_slug(cset) if unit.level != Level.VILLAGE else None
    if village_slug:
        village_set = get_set(village_slug)
        data["villages"] = {
            "criteria_set": set_info(village_set),
            "results": [r.to_dict() for r in evaluate_children(unit, village_set, at)],
        }
    # A JSON round trip so the live document compares equal to the stored one (tuples, dates…).
    return json.loads(canonical(data))


def build_snapshot(
    unit: AdminUnit, cset: CriteriaSet, at: dt.date, narrative: dict[str, str]
) -> dict[str, Any]:
    return {"schema": SCHEMA, "data": build_data(unit, cset, at), "narrative": dict(narrative)}
