"""Evaluate a criteria set for units, live from the registry and the recorded evidence.

Every ratio criterion of a set, for any number of units, is computed by one aggregate query per
population table (persons, households) grouped by village, then rolled up to the requested units
in Python over villages (never over persons). Evidence-based kinds read the few evidence rows of
the units in one query. The result is explainable: numerator, denominator, threshold, gap and the
evidence used.
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, Decimal
from functools import partial
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Case, Count, Q, QuerySet, Value, When
from django.utils.translation import gettext

from smartvillage.core.errors import DomainError
from smartvillage.criteria import expressions
from smartvillage.criteria.loader import POPULATIONS, CriteriaSet, Criterion, Group, get_set
from smartvillage.criteria.working_age import adults_q, working_age_q
from smartvillage.evidence import catalogue as evidence_catalogue
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.registry.models import Household, Person
from smartvillage.units import attributes as unit_attributes
from smartvillage.units.models import AdminUnit, Level, Scheme, area_paths, current_communes

PASS, FAIL, NO_DATA, NOT_APPLICABLE = "pass", "fail", "no_data", "not_applicable"
# A ratio whose document states no pass level: its value is shown, it neither passes nor blocks
# (docs/decisions/007-no-pass-level.md).
MONITOR = "monitor"
_LEVEL_ORDER = {Level.PROVINCE: 0, Level.DISTRICT: 1, Level.COMMUNE: 2, Level.VILLAGE: 3}


@dataclass
class CriterionResult:
    code: str
    title: str
    kind: str
    status: str
    numerator: int | None = None
    denominator: int | None = None
    value: float | None = None
    threshold: float | None = None
    gap: int | None = None
    unit_label: str = ""
    requirement: str = ""
    group_code: str = ""
    evidence: list[dict[str, Any]] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    children: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.status == PASS

    @property
    def percent(self) -> float | None:
        return None if self.value is None else round(self.value * 100, 1)

    @property
    def threshold_percent(self) -> float | None:
        return None if self.threshold is None else round(self.threshold * 100, 1)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "code": self.code,
            "title": self.title,
            "kind": self.kind,
            "status": self.status,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "value": None if self.value is None else round(self.value, 4),
            "threshold": self.threshold,
            "gap": self.gap,
            "unit_label": self.unit_label,
        }
        if self.evidence:
            data["evidence"] = self.evidence
        if self.missing:
            data["missing"] = self.missing
        if self.children:
            data["children"] = self.children
        if self.parts:
            data["parts"] = self.parts
        return data


@dataclass
class UnitResult:
    unit: AdminUnit
    criteria_set: CriteriaSet
    at: dt.date
    criteria: list[CriterionResult]
    warnings: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        applicable = [c for c in self.criteria if c.status not in (NOT_APPLICABLE, MONITOR)]
        return bool(applicable) and all(c.status == PASS for c in applicable)

    @property
    def passed_count(self) -> int:
        return sum(1 for c in self.criteria if c.status == PASS)

    @property
    def applicable_count(self) -> int:
        return sum(1 for c in self.criteria if c.status not in (NOT_APPLICABLE, MONITOR))

    def criterion(self, code: str) -> CriterionResult:
        return next(c for c in self.criteria if c.code == code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": unit_dict(self.unit),
            "criteria_set": self.criteria_set.slug,
            "criteria_set_version": self.criteria_set.version,
            "at": self.at.isoformat(),
            "passed": self.passed,
            "criteria": [c.to_dict() for c in self.criteria],
            "warnings": self.warnings,
        }


def unit_dict(unit: AdminUnit) -> dict[str, Any]:
    return {
        "id": unit.pk,
        "code": unit.code,
        "name": unit.name,
        "full_name": unit.full_name,
        "level": unit.level,
        "type": unit.unit_type,
    }


# ---- populations ------------------------------------------------------------------------------


def population_q(criterion: Criterion, cset: CriteriaSet, at: dt.date) -> Q:
    """The criterion's population as a Q on Household or Person."""
    population = criterion.population
    if population == "working_age":
        q = working_age_q(at, cset.working_age_policy)
    elif population == "adults":
        q = adults_q(at, cset.adult_age)
    else:
        q = Q()
    if criterion.population_filter_node is not None:
        q &= expressions.compile_q(
            criterion.population_filter_node, POPULATIONS[population or ""], at
        )
    return q


def numerator_q(criterion: Criterion, at: dt.date) -> Q:
    assert criterion.numerator_node is not None
    return expressions.compile_q(
        criterion.numerator_node, POPULATIONS[criterion.population or ""], at
    )


def _model(criterion: Criterion) -> type[Household] | type[Person]:
    return Household if criterion.population == "households" else Person


def _area_q(paths: list[str], field: str = "path") -> Q:
    """Rows whose unit path lies under any of `paths` (a unit's area, see area_paths)."""
    condition = Q()
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def _under(path: str, paths: list[str]) -> bool:
    return any(path.startswith(p) for p in paths)


# Past this many subtree roots a query filters by province instead (a handful of prefixes): a
# province's 1.000 villages must not become 1.000 OR'ed prefixes or a 1.000-id IN list.
_MAX_ROOTS = 20


def covering_roots(paths: list[str]) -> list[str]:
    """Few path prefixes whose subtrees together contain every path in `paths`.

    Paths under another are dropped; when more than `_MAX_ROOTS` remain, each is replaced by its
    province's path. The result may cover more than asked (a sibling village): callers filter
    the rows they read in Python.
    """
    kept: list[str] = []
    # In lexical order a subtree's paths follow its root directly ("/1/2/" < "/1/2/7/" <
    # "/1/3/"), so a path is covered exactly when it starts with the last root kept.
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    if len(kept) > _MAX_ROOTS:
        kept = sorted({p[: p.index("/", 1) + 1] for p in kept if len(p) > 1})
    return sorted(kept)


def _members_by_area(
    units: list[AdminUnit], areas: dict[int, list[str]], paths: dict[int, str]
) -> dict[int, list[int]]:
    """{unit id: ids of the items (id -> path) lying in its area}, linear in the items.

    An area root's last id appears in the path of everything under it, so each item looks up its
    own path ids instead of testing every unit's prefixes (units × items).
    """
    by_root_id: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for u in units:
        for root in areas[u.pk]:
            ids = _path_ids(root)
            if ids:
                by_root_id[ids[-1]].append((u.pk, root))
    out: dict[int, list[int]] = {u.pk: [] for u in units}
    for item_id, path in paths.items():
        seen: set[int] = set()
        for part in _path_ids(path):
            for unit_pk, root in by_root_id.get(part, ()):
                if unit_pk not in seen and path.startswith(root):
                    seen.add(unit_pk)
                    out[unit_pk].append(item_id)
    return out


def members(
    unit: AdminUnit,
    criterion: Criterion,
    at: dt.date,
    met: bool | None = None,
    cset: CriteriaSet | None = None,
) -> QuerySet:
    """Households or persons of the criterion's population under `unit`, annotated with `met`.

    `met=False` is the worklist: who the digital team should visit.
    """
    if criterion.kind != "ratio":
        raise ValueError(f"criterion {criterion.code} is not a ratio criterion")
    cset = cset or _owning_set(criterion)
    model = _model(criterion)
    qs = model.objects.filter(population_q(criterion, cset, at))
    qs = (
        qs.filter(village_id=unit.pk)
        if unit.level == Level.VILLAGE
        else qs.filter(_area_q(area_paths([unit])[unit.pk], "village__path"))
    )
    qs = qs.annotate(
        met=Case(
            When(numerator_q(criterion, at), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )
    if met is not None:
        qs = qs.filter(met=met)
    if model is Person:
        return qs.select_related("household").order_by("household__code", "id")
    return qs.order_by("code")


def _owning_set(criterion: Criterion) -> CriteriaSet:
    if criterion.set_key is None:
        raise ValueError(f"criterion {criterion.code} has no criteria set; pass cset=")
    return get_set(*criterion.set_key)


# ---- ratio counts: one grouped query per table -----------------------------------------------


def _villages_q(village_ids: list[int], paths: list[str] | None) -> Q:
    """The rows of the given villages: by id, or by the villages' path prefixes (a province's
    villages as one prefix instead of a long IN list; the caller ignores villages it did not ask
    for)."""
    if paths:
        return _area_q(paths, "village__path")
    return Q(village_id__in=village_ids)


# A recount (one village, at every write) builds the same grouped queries again and again: their
# SQL is kept per shape, with a sentinel where the village id goes. Building them through the ORM
# measured about half of a recount's 26 ms; the database's own work is the rest.
_SENTINEL = -987_654_321_987  # never a village id
_compiled: dict[tuple[Any, ...], tuple[str, tuple[Any, ...], int]] = {}


def _ratio_counts(
    cset: CriteriaSet,
    criteria: list[Criterion],
    village_ids: list[int],
    at: dt.date,
    *,
    paths: list[str] | None = None,
) -> dict[int, dict[str, tuple[int, int]]]:
    """{village_id: {criterion code: (numerator, denominator)}} for all ratio criteria.

    One grouped query per distinct population (households; persons of working age; adults …),
    so the number of queries depends on the set, never on the data. The population goes into
    WHERE, not into each count's FILTER: the database then tests it once per row (and can use
    the (village, sex, birth date) index) instead of once per numerator, which made the
    province-wide evaluation about 4× faster on SQLite.
    """
    result: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    if not village_ids and not paths:
        return result
    populations: dict[tuple[type, str | None, str | None], list[Criterion]] = defaultdict(list)
    for c in criteria:
        if c.kind == "ratio":
            populations[(_model(c), c.population, c.population_filter)].append(c)
    one_village = paths is None and len(village_ids) == 1
    for (model, population, population_filter), mine in populations.items():
        num_alias: dict[str, str] = {}
        seen_num: dict[str, str] = {}
        distinct: list[tuple[str, Criterion]] = []
        for index, c in enumerate(mine):
            if (c.numerator or "") not in seen_num:
                seen_num[c.numerator or ""] = f"n{index}"
                distinct.append((f"n{index}", c))
            num_alias[c.code] = seen_num[c.numerator or ""]
        grouped = partial(_grouped, model, mine[0], distinct, cset, at, paths)
        if one_village:
            rows = _one_village_rows(
                (
                    connection.vendor,
                    model._meta.label,
                    at,
                    cset.working_age_policy,
                    cset.adult_age,
                    population,
                    population_filter,
                    tuple((alias, c.numerator) for alias, c in distinct),
                ),
                grouped,
                village_ids[0],
            )
        else:
            rows = list(grouped(village_ids))
        for row in rows:
            counts = result[row["village_id"]]
            for c in mine:
                counts[c.code] = (row[num_alias[c.code]], row["d"])
    return result


def _grouped(
    model: type[Household] | type[Person],
    first: Criterion,
    distinct: list[tuple[str, Criterion]],
    cset: CriteriaSet,
    at: dt.date,
    paths: list[str] | None,
    ids: list[int],
) -> QuerySet:
    """One population's grouped count: its size and each distinct numerator, per village."""
    aggregates: dict[str, Count] = {"d": Count("pk")}
    for alias, c in distinct:
        aggregates[alias] = Count("pk", filter=numerator_q(c, at))
    return (
        model.objects.filter(_villages_q(ids, paths))
        .filter(population_q(first, cset, at))
        .values("village_id")
        .annotate(**aggregates)
        .order_by()
    )


def _one_village_rows(
    shape: tuple[Any, ...], grouped: Any, village_id: int
) -> list[dict[str, Any]]:
    """The grouped query for one village from its kept SQL (built by the ORM the first time)."""
    compiled = _compiled.get(shape)
    if compiled is None:
        sql, params = grouped([_SENTINEL]).query.sql_with_params()
        where = [i for i, p in enumerate(params) if p == _SENTINEL]
        if len(where) != 1:  # a shape the sentinel cannot stand for: no shortcut
            return list(grouped([village_id]))
        if len(_compiled) > 500:
            _compiled.clear()
        compiled = _compiled[shape] = (sql, tuple(params), where[0])
    sql, params, where = compiled
    values = list(params)
    values[where] = village_id
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _persons_without_age(
    village_ids: list[int], *, paths: list[str] | None = None
) -> dict[int, int]:
    """Persons who cannot be placed in an age population (no birth date, or for working age
    no sex), per village: they are left out of those counts, and the page says how many."""
    if not village_ids and not paths:
        return {}
    rows = (
        Person.objects.filter(_villages_q(village_ids, paths))
        .filter(Q(birth_date__isnull=True) | Q(sex=""))
        .values("village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["village_id"]: row["n"] for row in rows}


def _ceil(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_CEILING))


_NO_COUNTS: dict[str, tuple[int, int]] = {}
_ZERO = (0, 0)


def _ratio_result(
    c: Criterion, numerator: int, denominator: int, threshold: Decimal | None
) -> CriterionResult:
    base = _ratio_base(c)
    if threshold is None:
        # The document names the figure but no pass level: show it, followed, not blocking.
        return CriterionResult(
            status=MONITOR,
            numerator=numerator,
            denominator=denominator,
            value=numerator / denominator if denominator else None,
            **base,  # type: ignore[arg-type]
        )
    t_float, t_num, t_den = _threshold_parts(threshold)
    if denominator == 0:
        # `when_empty: not_applicable` (An Thanh 9: no business in the area, nothing to equip).
        empty = NOT_APPLICABLE if c.when_empty == "not_applicable" else NO_DATA
        return CriterionResult(status=empty, numerator=0, denominator=0, threshold=t_float, **base)  # type: ignore[arg-type]
    # ceil(threshold × denominator) in integers: exact like the Decimal, without its cost (a
    # province's page computes thousands of these).
    required = -((-t_num * denominator) // t_den)
    gap = max(0, required - numerator)
    return CriterionResult(
        status=PASS if gap == 0 else FAIL,
        numerator=numerator,
        denominator=denominator,
        value=numerator / denominator,
        threshold=t_float,
        gap=gap,
        **base,  # type: ignore[arg-type]
    )


def _ratio_base(c: Criterion) -> dict[str, Any]:
    """The fields every result of `c` shares, built once per criterion object."""
    cached = _BASES.get(id(c))
    if cached is None or cached[0] is not c:
        base = dict(
            code=c.code,
            title=c.title,
            kind=c.kind,
            requirement=c.requirement,
            group_code=c.group_code,
            unit_label="hộ" if c.population == "households" else "người",
        )
        if len(_BASES) > _CACHE_MAX:  # draft sets previewed many times: stay bounded
            _BASES.clear()
        cached = _BASES[id(c)] = (c, base)
    return cached[1]


def _threshold_parts(threshold: Decimal) -> tuple[float, int, int]:
    """(float, numerator, denominator) of a threshold, once per threshold object (hashing a
    Decimal costs more than the lookup by identity)."""
    cached = _THRESHOLDS.get(id(threshold))
    if cached is None or cached[0] is not threshold:
        numerator, denominator = threshold.as_integer_ratio()
        if len(_THRESHOLDS) > _CACHE_MAX:
            _THRESHOLDS.clear()
        cached = _THRESHOLDS[id(threshold)] = (
            threshold,
            (float(threshold), numerator, denominator),
        )
    return cached[1]


# Keyed by identity and holding the object, so an id is never reused while cached; criteria
# sets are few and reloaded rarely, so these stay small.
_CACHE_MAX = 5000
_BASES: dict[int, tuple[Criterion, dict[str, Any]]] = {}
_THRESHOLDS: dict[int, tuple[Decimal, tuple[float, int, int]]] = {}


# ---- evidence-based kinds --------------------------------------------------------------------


def _matches(record: EvidenceRecord, req: dict, at: dt.date) -> bool:
    types = req["type"] if isinstance(req["type"], list) else [req["type"]]
    if record.category != req["category"] or record.type not in types:
        return False
    if not record.is_valid_at(at):
        return False
    for name in req.get("fields") or []:
        if not getattr(record, name, None):
            return False
    return all(record.attributes.get(k) == v for k, v in (req.get("where") or {}).items())


def _req_label(req: dict) -> str:
    # Asked once per criterion and village: a province's page asks thousands of times for the
    # same few requirements (the labels are static data).
    key = (req["category"], tuple(req["type"]) if isinstance(req["type"], list) else req["type"])
    label = _REQ_LABELS.get(key)
    if label is None:
        types = req["type"] if isinstance(req["type"], list) else [req["type"]]
        label = " / ".join(evidence_catalogue.type_label(req["category"], t) for t in types)
        _REQ_LABELS[key] = label
    return label


_REQ_LABELS: dict[tuple[str, Any], str] = {}


def _evidence_result(c: Criterion, records: list[EvidenceRecord], at: dt.date) -> CriterionResult:
    used: list[EvidenceRecord] = []
    missing: list[str] = []
    for req in c.requires:
        found = [r for r in records if _matches(r, req, at)]
        if found:
            used.extend(found)
        else:
            missing.append(_req_label(req))
    total = len(c.requires)
    satisfied = total - len(missing)
    if c.any_of:
        total += 1
        found = [r for r in records if any(_matches(r, req, at) for req in c.any_of)]
        if found:
            used.extend(found)
            satisfied += 1
        else:
            missing.append(" hoặc ".join(_req_label(req) for req in c.any_of))
    return CriterionResult(
        code=c.code,
        title=c.title,
        kind=c.kind,
        requirement=c.requirement,
        group_code=c.group_code,
        status=PASS if not missing else FAIL,
        numerator=satisfied,
        denominator=total,
        threshold=1.0,
        value=satisfied / total if total else None,
        gap=len(missing),
        unit_label="minh chứng",
        evidence=[r.as_dict() for r in used],
        missing=missing,
    )


def _count_result(c: Criterion, records: list[EvidenceRecord], at: dt.date) -> CriterionResult:
    reqs = [dict(r) for r in (c.count if isinstance(c.count, list) else [c.count or {}])]
    for req in reqs:
        if c.where:
            req["where"] = {**(req.get("where") or {}), **c.where}
    used = [r for r in records if any(_matches(r, req, at) for req in reqs)]
    total = sum(r.quantity for r in used)
    minimum = c.minimum or 0
    return CriterionResult(
        code=c.code,
        title=c.title,
        kind=c.kind,
        requirement=c.requirement,
        group_code=c.group_code,
        status=PASS if total >= minimum else FAIL,
        numerator=total,
        denominator=None,
        threshold=float(minimum),
        gap=max(0, minimum - total),
        unit_label="",
        evidence=[r.as_dict() for r in used],
        missing=[] if total >= minimum else [" hoặc ".join(_req_label(req) for req in reqs)],
    )


def _reported_result(
    c: Criterion, records: list[EvidenceRecord], at: dt.date, threshold: Decimal | None
) -> CriterionResult:
    candidates = [
        r
        for r in records
        if r.category == "statistic" and r.type == c.statistic and r.is_valid_at(at)
    ]
    base = dict(
        code=c.code,
        title=c.title,
        kind=c.kind,
        requirement=c.requirement,
        group_code=c.group_code,
        unit_label="",
    )
    t = float(threshold) if threshold is not None else None
    if not candidates:
        return CriterionResult(
            status=NO_DATA,
            threshold=t,
            missing=[evidence_catalogue.type_label("statistic", c.statistic or "")],
            **base,
        )  # type: ignore[arg-type]
    record = max(candidates, key=lambda r: (r.issued_date or dt.date.min, r.pk))
    try:
        numerator = int(record.attributes.get("numerator"))
        denominator = int(record.attributes.get("denominator"))
    except (TypeError, ValueError):
        return CriterionResult(status=NO_DATA, threshold=t, evidence=[record.as_dict()], **base)  # type: ignore[arg-type]
    result = _ratio_result(c, numerator, denominator, threshold)
    result.unit_label = str(record.attributes.get("unit_label", ""))
    result.evidence = [record.as_dict()]
    return result


# ---- evaluation ------------------------------------------------------------------------------


def _path_ids(path: str) -> list[int]:
    return [int(part) for part in path.strip("/").split("/") if part]


def _evidence_by_unit(
    units: list[AdminUnit],
) -> tuple[dict[int, list[EvidenceRecord]], dict[int, list[EvidenceRecord]]]:
    """Evidence rows per requested unit, in one query: (rows of the unit and of its ancestors,
    rows of its whole subtree). A commune's records (its police, schools, recognition, decisions
    covering all villages) are evidence for each of its villages too.

    The query reads the records under a few covering prefixes plus those of the prefixes'
    ancestors (never an IN list of every requested village), and sorts them to units here.
    """
    above = [u for u in units if u.level != Level.VILLAGE]
    areas = area_paths(above)
    roots = covering_roots([u.path for u in units] + [p for a in areas.values() for p in a])
    # Every unit lies under a root, so its ancestors are the root's or inside the root's subtree.
    ancestor_ids = {i for path in roots for i in _path_ids(path)[:-1]}
    condition = _area_q(roots, "unit__path")
    if ancestor_ids:
        condition |= Q(unit_id__in=ancestor_ids)
    rows_by_unit: dict[int, list[EvidenceRecord]] = defaultdict(list)
    subtree: dict[int, list[EvidenceRecord]] = {u.pk: [] for u in units}
    records = list(EvidenceRecord.objects.filter(condition).select_related("unit").order_by("pk"))
    for record in records:
        rows_by_unit[record.unit_id].append(record)
        # A village's subtree is its own records (a dict lookup).
        if record.unit_id in subtree and record.unit.level == Level.VILLAGE:
            subtree[record.unit_id].append(record)
    if above:
        by_id = {r.pk: r for r in records}
        inside = _members_by_area(above, areas, {r.pk: r.unit.path for r in records})
        for unit in above:
            subtree[unit.pk] = [by_id[pk] for pk in inside[unit.pk]]
    inherited = {
        u.pk: [r for unit_id in _path_ids(u.path) for r in rows_by_unit.get(unit_id, [])]
        for u in units
    }
    return inherited, subtree


def _above_set_level(unit: AdminUnit, cset: CriteriaSet) -> bool:
    return _LEVEL_ORDER[unit.level] < _LEVEL_ORDER[cset.level]


def can_evaluate(unit: AdminUnit, cset: CriteriaSet) -> bool:
    """A unit is evaluated by a set of its own level; a village set also sums any larger area.

    A commune set is not summed over a province: its prerequisite, staff and attribute-dependent
    thresholds belong to one commune, so a province sees it commune by commune (`evaluate_children`).
    """
    if unit.level == cset.level:
        return True
    return cset.level == Level.VILLAGE and _above_set_level(unit, cset)


def check_level(unit: AdminUnit, cset: CriteriaSet) -> None:
    if can_evaluate(unit, cset):
        return
    level_vi = {Level.VILLAGE: "thôn", Level.COMMUNE: "xã"}.get(cset.level, cset.level)
    if _above_set_level(unit, cset):
        raise DomainError(
            f"Bộ tiêu chí “{cset.slug}” đánh giá từng {level_vi}; {unit.full_name} được xem "
            f"qua kết quả của các {level_vi} trực thuộc.",
            "wrong_level",
        )
    raise DomainError(
        f"Bộ tiêu chí “{cset.slug}” dành cho cấp {level_vi}, không đánh giá {unit.full_name}.",
        "wrong_level",
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a page builds its thousands of short-lived result
    objects: the collector would otherwise run many times over them (and over everything the
    worker holds), which measured about a third of a province's evaluation. Reference
    counting still frees everything; the collector runs again right after."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def evaluate_many(
    units: list[AdminUnit], cset: CriteriaSet, at: dt.date, *, inherit_evidence: bool = True
) -> list[UnitResult]:
    """Evaluate `cset` for each unit (a unit above the set's level counts its whole area).

    `inherit_evidence=False` counts only each unit's own records: inside "100 % of villages
    have X" a commune's record must not make every village pass.
    """
    if not units:
        return []
    with _gc_paused():
        return _evaluate_many(units, cset, at, inherit_evidence)


def _evaluate_many(
    units: list[AdminUnit],
    cset: CriteriaSet,
    at: dt.date,
    inherit_evidence: bool,
    known: tuple[dict[int, list[int]], list[str]] | None = None,
    read: tuple[dict[int, dict[str, tuple[int, int]]], dict[int, int]] | None = None,
) -> list[UnitResult]:
    """`known`: the villages of each unit and their covering prefixes, when the caller has
    them already (evaluate_with_children). `read`: the counts and the persons without an age
    by village (or by any group of villages `known` names instead), when the caller has read
    or summed them already (criteria.areas)."""
    for unit in units:
        check_level(unit, cset)
    criteria = cset.criteria
    villages_of, roots = known or _villages_of(units)
    all_villages = sorted({v for ids in villages_of.values() for v in ids})
    parts = [p for c in criteria for p in (c, *c.also)]
    counts, undated = read or _village_counts(cset, parts, all_villages, roots, at)
    needs_evidence = any(c.kind in {"evidence", "count", "prerequisite", "reported"} for c in parts)
    own_records, subtree_records = _evidence_by_unit(units) if needs_evidence else ({}, {})
    aggregates = _aggregate_children(units, cset, at)
    # Thresholds by unit attribute: a village also sees its commune's (the commune group).
    attributes = (
        unit_attributes.effective_many(units) if any(p.threshold_rules for p in parts) else {}
    )

    results = []
    for unit in units:
        out: list[CriterionResult] = []
        warnings: list[str] = []
        uncounted = sum(undated.get(v, 0) for v in villages_of[unit.pk])
        if uncounted:
            warnings.append(
                gettext(
                    "%(n)s người chưa có ngày sinh hoặc giới tính nên chưa được tính vào độ "
                    "tuổi lao động / người trưởng thành; bổ sung để kết quả đủ."
                )
                % {"n": uncounted}
            )
        if not cset.is_valid_at(at):
            warnings.append(
                gettext("Ngày đánh giá %(at)s nằm ngoài thời gian hiệu lực của bộ tiêu chí.")
                % {"at": f"{at:%d/%m/%Y}"}
            )
        # A unit above the set's level (a commune against a village set) counts its whole area.
        subtree = subtree_records.get(unit.pk, [])
        own = (
            subtree + [r for r in own_records.get(unit.pk, []) if r.unit_id != unit.pk]
            if _above_set_level(unit, cset)
            else own_records.get(unit.pk, [])
        )
        if not inherit_evidence:
            own = [r for r in own if r.unit_id == unit.pk]
            subtree = [r for r in subtree if r.unit_id == unit.pk]
        attrs = attributes.get(unit.pk)
        for c in criteria:
            result = _evaluate_one(
                c, unit, at, villages_of[unit.pk], counts, own, subtree, aggregates, attrs
            )
            if c.also:
                extra = [
                    _evaluate_one(
                        p, unit, at, villages_of[unit.pk], counts, own, subtree, aggregates, attrs
                    )
                    for p in c.also
                ]
                result = _combine(result, extra)
            out.append(result)
        if any(
            c.kind == "prerequisite" and r.status != PASS
            for c, r in zip(criteria, out, strict=True)
        ):
            warnings.append(gettext("Chưa đáp ứng điều kiện tiên quyết."))
        results.append(
            UnitResult(unit=unit, criteria_set=cset, at=at, criteria=out, warnings=warnings)
        )
    return results


def _villages_of(units: list[AdminUnit]) -> tuple[dict[int, list[int]], list[str]]:
    """({unit id: the villages it counts, in path order}, prefixes covering them all): one query
    by path prefix, whatever the number of units."""
    if all(u.level == Level.VILLAGE for u in units):
        return {u.pk: [u.pk] for u in units}, covering_roots([u.path for u in units])
    areas = area_paths(units)
    roots = covering_roots([p for area in areas.values() for p in area])
    village_paths = dict(
        AdminUnit.objects.filter(_area_q(roots), level=Level.VILLAGE)
        .order_by("path")
        .values_list("pk", "path")
    )
    above = [u for u in units if u.level != Level.VILLAGE]
    inside = _members_by_area(above, areas, village_paths)
    return {u.pk: [u.pk] if u.level == Level.VILLAGE else inside[u.pk] for u in units}, roots


def _village_counts(
    cset: CriteriaSet,
    parts: list[Criterion],
    village_ids: list[int],
    roots: list[str],
    at: dt.date,
) -> tuple[dict[int, dict[str, tuple[int, int]]], dict[int, int]]:
    """The ratio counts and the persons without an age per village: from the results store
    (smartvillage.results), which counts live and keeps what it was missing; live when the store
    is off or the set is not a published one."""
    need_counts = any(c.kind == "ratio" for c in parts)
    need_undated = any(
        c.kind == "ratio" and c.population in {"working_age", "adults"} for c in parts
    )
    if not village_ids or not (need_counts or need_undated):
        return {}, {}
    from smartvillage.results import services as store

    stored = store.read_counts(cset, parts, at, village_ids, roots)
    if stored is not None:
        counts, undated = stored
    else:
        counts = _ratio_counts(cset, parts, village_ids, at) if need_counts else {}
        undated = _persons_without_age(village_ids) if need_undated else {}
    return counts, (undated if need_undated else {})


def _evaluate_one(
    c: Criterion,
    unit: AdminUnit,
    at: dt.date,
    village_ids: list[int],
    counts: dict[int, dict[str, tuple[int, int]]],
    own: list[EvidenceRecord],
    subtree: list[EvidenceRecord],
    aggregates: dict[tuple[int, str], list[UnitResult]],
    attributes: dict[str, Any] | None = None,
) -> CriterionResult:
    threshold = (
        c.threshold_for(attributes if attributes is not None else unit.attributes or {})
        if c.threshold_rules
        else c.threshold
    )
    if c.applies_from is not None and at < c.applies_from:
        return CriterionResult(
            code=c.code,
            title=c.title,
            kind=c.kind,
            status=NOT_APPLICABLE,
            requirement=c.requirement,
            group_code=c.group_code,
            threshold=float(threshold) if threshold is not None else None,
        )
    if c.kind == "ratio":
        code = c.code
        if len(village_ids) == 1:  # a village: a province's page asks a thousand times
            num, den = counts.get(village_ids[0], _NO_COUNTS).get(code, _ZERO)
        else:
            num = den = 0
            for village_id in village_ids:
                n, d = counts.get(village_id, _NO_COUNTS).get(code, _ZERO)
                num, den = num + n, den + d
        return _ratio_result(c, num, den, threshold)
    if c.kind in {"evidence", "prerequisite"}:
        return _evidence_result(c, own, at)
    if c.kind == "count":
        return _count_result(c, subtree, at)
    if c.kind == "reported":
        return _reported_result(c, own, at, threshold)
    return _aggregate_result(c, aggregates.get((unit.pk, c.code), []), threshold)


def _combine(main: CriterionResult, extra: list[CriterionResult]) -> CriterionResult:
    """A criterion with `also` parts passes only when every part passes."""
    statuses = [main.status, *(p.status for p in extra)]
    if FAIL in statuses:
        main.status = FAIL
    elif NO_DATA in statuses:
        main.status = NO_DATA
    elif all(s == NOT_APPLICABLE for s in statuses):
        main.status = NOT_APPLICABLE
    elif all(s in (MONITOR, NOT_APPLICABLE) for s in statuses):
        main.status = MONITOR
    else:
        main.status = PASS
    main.parts = [p.to_dict() for p in extra]
    # The headline gap must not read 0 while a part still fails: show the first failing part's.
    if main.status == FAIL and not main.gap:
        failing = next((p for p in extra if p.status == FAIL and p.gap), None)
        if failing is not None:
            main.gap, main.unit_label = failing.gap, failing.unit_label
    main.missing = [*main.missing, *(m for p in extra for m in p.missing)]
    return main


def inner_sets(cset: CriteriaSet) -> list[tuple[Criterion, CriteriaSet]]:
    """Each aggregate criterion of `cset` with the village set its villages are evaluated by."""
    out: list[tuple[Criterion, CriteriaSet]] = []
    for c in cset.criteria:
        if c.kind != "aggregate":
            continue
        if c.of is not None:
            inner = CriteriaSet(
                slug=f"{cset.slug}#{c.code}",
                version=cset.version,
                title=c.title,
                level=Level.VILLAGE,
                legal_basis=cset.legal_basis,
                valid_from=dt.date.min,
                groups=[Group(code="", title="", criteria=[c.of])],
                working_age_policy=cset.working_age_policy,
                adult_age=cset.adult_age,
            )
        else:
            inner = get_set(c.criteria_set or "")
            if c.criterion:
                inner = CriteriaSet(
                    slug=inner.slug,
                    version=inner.version,
                    title=inner.title,
                    level=inner.level,
                    legal_basis=inner.legal_basis,
                    valid_from=dt.date.min,
                    groups=[Group(code="", title="", criteria=[inner.criterion(c.criterion)])],
                    working_age_policy=inner.working_age_policy,
                    adult_age=inner.adult_age,
                )
        out.append((c, inner))
    return out


def _aggregate_children(
    units: list[AdminUnit], cset: CriteriaSet, at: dt.date
) -> dict[tuple[int, str], list[UnitResult]]:
    """For each aggregate criterion: the child villages' results (evaluated in one batch per set)."""
    pairs = inner_sets(cset)
    if not pairs:
        return {}
    areas = area_paths(units)
    roots = covering_roots([p for area in areas.values() for p in area])
    candidates = list(
        AdminUnit.objects.filter(_area_q(roots), level=Level.VILLAGE).order_by("path")
    )
    inside = _members_by_area(units, areas, {v.pk: v.path for v in candidates})
    wanted = {pk for pks in inside.values() for pk in pks}
    villages = [v for v in candidates if v.pk in wanted]
    out: dict[tuple[int, str], list[UnitResult]] = {}
    for c, inner in pairs:
        child_results = evaluate_many(villages, inner, at, inherit_evidence=False)
        by_pk = {r.unit.pk: r for r in child_results}
        for u in units:
            out[(u.pk, c.code)] = [by_pk[pk] for pk in inside[u.pk]]
    return out


def _aggregate_result(
    c: Criterion, children: list[UnitResult], threshold: Decimal | None
) -> CriterionResult:
    passing = sum(1 for r in children if r.passed)
    result = _ratio_result(c, passing, len(children), threshold)
    result.unit_label = "thôn"
    result.children = [
        {
            "unit": unit_dict(r.unit),
            "passed": r.passed,
            "criteria": [x.to_dict() for x in r.criteria],
        }
        for r in children
    ]
    if result.status == NO_DATA:
        result.missing = ["Đơn vị chưa có thôn nào"]
    return result


def evaluate(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> UnitResult:
    return evaluate_many([unit], cset, at)[0]


def evaluate_with_children(
    unit: AdminUnit, cset: CriteriaSet, at: dt.date
) -> tuple[UnitResult | None, list[UnitResult]]:
    """`evaluate(unit)` (None when the set does not sum over `unit`) and
    `evaluate_children(unit)` in one pass: the villages' counts are read once and the unit's
    totals are the sums of the same rows its children show (a dashboard's two tables)."""
    children = children_at_level(unit, cset.level)
    if not can_evaluate(unit, cset):
        return None, evaluate_many(children, cset, at)
    if not children:
        return evaluate(unit, cset, at), []
    # The unit's villages are the children just read: no second query for them.
    known = (
        {unit.pk: [c.pk for c in children], **{c.pk: [c.pk] for c in children}},
        covering_roots(area_paths([unit])[unit.pk]),
    )
    with _gc_paused():
        results = _evaluate_many([unit, *children], cset, at, True, known)
    return results[0], results[1:]


def child_villages(unit: AdminUnit) -> list[AdminUnit]:
    return children_at_level(unit, Level.VILLAGE)


def children_at_level(unit: AdminUnit, level: str) -> list[AdminUnit]:
    """The units of `level` under `unit` (none when `unit` is not above that level)."""
    if _LEVEL_ORDER[unit.level] >= _LEVEL_ORDER[level]:
        return []
    area = area_paths([unit])[unit.pk]
    with _gc_paused():
        return list(
            AdminUnit.objects.filter(_area_q(area), level=level)
            .select_related("parent")
            # A province has a thousand villages: no time converting timestamps no page shows.
            .defer("created_at", "parent__created_at")
            .order_by("path")
        )


def evaluate_children(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> list[UnitResult]:
    """Each unit of the set's level under `unit`: the villages for a village set, the communes
    for a commune set (all ratio criteria in a bounded number of queries)."""
    return evaluate_many(children_at_level(unit, cset.level), cset, at)


@dataclass
class RollupRow:
    """One direct child unit (a district or commune) of a province/district page."""

    unit: AdminUnit
    children: int  # units of the set's level under it (villages, or communes)
    passed: int
    per_criterion: list[int]  # how many of them pass each criterion, in the set's order


def rollup(unit: AdminUnit, results: list[UnitResult]) -> list[RollupRow]:
    """Group the results of the villages (or communes) under `unit` by `unit`'s direct child
    they lie in: the province's or district's dashboard, one row per district/commune.

    Works on the already computed results (one per village), so it adds one query (the direct
    children) and no pass over persons.
    """
    return rollup_counts(
        unit,
        [(r.unit, 1, int(r.passed), [int(c.status == PASS) for c in r.criteria]) for r in results],
    )


def rollup_counts(
    unit: AdminUnit, items: list[tuple[AdminUnit, int, int, list[int]]]
) -> list[RollupRow]:
    """`rollup()` of counted items: (a village or commune under `unit`, how many units of the
    set's level it stands for, how many of them pass, how many pass each criterion). The area
    summaries (criteria.areas) give one item per commune; `rollup()` one per evaluated unit."""
    depth = len(_path_ids(unit.path))
    direct = {u.pk: u for u in AdminUnit.objects.filter(parent=unit).order_by("name")}
    # Villages recorded under a pre-2025 commune belong to their 2025 commune's row.
    current = (
        current_communes([u for u, *_counts in items if not u.path.startswith(unit.path)])
        if unit.scheme == Scheme.FROM_2025
        else {}
    )
    rows: dict[int, RollupRow] = {}
    for item, children, passed, per_criterion in items:
        if not children:
            continue
        ids = _path_ids(item.path)
        if not item.path.startswith(unit.path):
            commune = current.get(item.pk)
            ids = _path_ids(commune.path) if commune is not None else []
        if len(ids) <= depth or ids[depth] not in direct:
            continue
        row = rows.get(ids[depth])
        if row is None:
            row = rows[ids[depth]] = RollupRow(direct[ids[depth]], 0, 0, [0] * len(per_criterion))
        row.children += children
        row.passed += passed
        for index, n in enumerate(per_criterion):
            row.per_criterion[index] += n
    return sorted(rows.values(), key=lambda r: r.unit.name)
