"""A district's or province's overview of a village set, from per-commune summaries kept in the
cache: what its criteria page and its appraiser's home show (totals, villages passing, the
rollup by district or commune), without evaluating a thousand villages on every page load.

Each commune's summary (its villages: how many, how many pass the set and each criterion, the
summed counts of every ratio criterion, the persons without an age) is computed by the engine
from the results store, then kept in Django's cache under a key made of the set's content, the
reference date and the commune; the entry holds the digest of the `change_stamp` of the
commune, of each of its villages and of each unit above it, and is used only when that digest
is the current one. Every write that can change a result raises the stamp of the unit it touches in
its own transaction (the results recount for the registry, an evidence record's save, a unit's
save), so a summary is read exactly until the change commits: an edit in one village rebuilds
one commune's summary (its ten villages) on the next page load, and the other 99 are read.

The unit's own totals are evaluated on every load from the summed counts (one "village" per
commune: a ratio's numerator and denominator are sums, so summing sums is the same number) and
its own evidence, so they are never staler than the summaries. See docs/decisions/010.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache

from smartvillage.criteria import engine
from smartvillage.criteria.loader import CriteriaSet
from smartvillage.units.models import AdminUnit, Level, area_paths

# Kept a day at most: summaries of a past date or a replaced set version fall out by themselves.
SUMMARY_SECONDS = 24 * 3600
_KEY_VERSION = "2"
_digests: dict[int, tuple[CriteriaSet, str]] = {}


def set_digest(cset: CriteriaSet) -> str:
    """A digest of the whole set (thresholds, rules, evidence requirements, titles): an edited
    set under the same slug and version never reads the summaries of the old one. Memoised per
    loaded set object (the object is kept with its digest, so its id is not reused meanwhile)."""
    known = _digests.get(id(cset))
    if known is not None and known[0] is cset:
        return known[1]
    digest = hashlib.blake2b(repr(cset).encode("utf-8"), digest_size=12).hexdigest()
    if len(_digests) > 512:
        _digests.clear()
    _digests[id(cset)] = (cset, digest)
    return digest


@dataclass
class Summary:
    """One commune's villages against a village set."""

    villages: int = 0
    passed: int = 0
    per_criterion: list[int] = field(default_factory=list)
    counts: dict[str, tuple[int, int]] = field(default_factory=dict)
    undated: int = 0
    # The villages that pass the whole set (the maps colour them).
    passing: list[int] = field(default_factory=list)

    def to_cache(self) -> tuple[Any, ...]:
        return (
            self.villages,
            self.passed,
            self.per_criterion,
            self.counts,
            self.undated,
            self.passing,
        )

    @classmethod
    def from_cache(cls, value: tuple[Any, ...]) -> Summary:
        villages, passed, per_criterion, counts, undated, passing = value
        return cls(villages, passed, list(per_criterion), dict(counts), undated, list(passing))


@dataclass
class AreaOverview:
    unit: AdminUnit
    result: engine.UnitResult | None
    villages: int
    passed: int
    column_totals: list[int]
    rollup: list[engine.RollupRow]
    # The villages that pass the set (ids), for the maps.
    passing: set[int] = field(default_factory=set)
    # Communes whose summary was computed on this load (the rest came from the cache).
    computed: int = 0


def applies(unit: AdminUnit, cset: CriteriaSet) -> bool:
    """Province and district pages of a village set (a commune's page evaluates its villages
    directly: a few dozen, already fast)."""
    from smartvillage.results import services as store

    return (
        store.enabled()
        and cset.level == Level.VILLAGE
        and unit.level in (Level.PROVINCE, Level.DISTRICT)
        and not any(c.kind == "aggregate" for c in cset.criteria)
    )


def area_overview(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> AreaOverview | None:
    """The overview, or None when it does not apply (see `applies`): the caller then uses
    `engine.evaluate_with_children`, which gives the same numbers."""
    if not applies(unit, cset):
        return None
    area = area_paths([unit])[unit.pk]
    # Every unit of the area, with its stamp: the villages exactly as children_at_level() picks
    # them, grouped by their commune.
    rows = list(
        AdminUnit.objects.filter(engine._area_q(area))
        .order_by()
        .values_list("pk", "parent_id", "level", "scheme", "path", "change_stamp")
    )
    stamps = {pk: stamp for pk, _parent, _level, _scheme, _path, stamp in rows}
    paths = {pk: path for pk, _parent, _level, _scheme, path, _stamp in rows}
    villages_of: dict[int, list[int]] = defaultdict(list)
    for pk, parent, level, _scheme, _path, _stamp in rows:
        if level == Level.VILLAGE:
            villages_of[parent].append(pk)
    # The communes as (unsaved) units, enough for the rollup's grouping: no second query.
    commune_units = {
        pk: AdminUnit(pk=pk, parent_id=parent, level=level, scheme=scheme, path=path)
        for pk, parent, level, scheme, path, _stamp in rows
        if pk in villages_of
    }
    # The units above the area's roots (a district page's province): their evidence and
    # attributes reach the villages too. A commune is always inside the area with its villages.
    above = {i for root in area for i in engine._path_ids(root)[:-1]} - stamps.keys()
    if above:
        stamps.update(AdminUnit.objects.filter(pk__in=above).values_list("pk", "change_stamp"))
    communes = sorted(villages_of, key=lambda c: paths[c])

    # One entry per commune, set and date, holding the stamps' digest it was computed under: a
    # newer summary replaces the older one instead of piling up beside it (an edit every two
    # seconds in a province would otherwise leave 43.000 dead entries a day).
    prefix = f"area:{_KEY_VERSION}:{set_digest(cset)}:{at.isoformat()}:"
    tokens: dict[int, str] = {}
    for commune in communes:
        members = sorted(villages_of[commune])
        token = repr(
            (
                [(i, stamps[i]) for i in engine._path_ids(paths[commune])],
                [(v, stamps[v]) for v in members],
            )
        )
        tokens[commune] = hashlib.blake2b(token.encode("ascii"), digest_size=16).hexdigest()
    cached = cache.get_many([f"{prefix}{c}" for c in communes])
    summaries: dict[int, Summary] = {}
    for commune in communes:
        entry = cached.get(f"{prefix}{commune}")
        if entry is not None and entry[0] == tokens[commune]:
            summaries[commune] = Summary.from_cache(entry[1])
    missing = [c for c in communes if c not in summaries]
    if missing:
        fresh = _summarise(missing, villages_of, paths, cset, at)
        summaries.update(fresh)
        cache.set_many(
            {f"{prefix}{c}": (tokens[c], s.to_cache()) for c, s in fresh.items()},
            timeout=SUMMARY_SECONDS,
        )

    size = len(cset.criteria)
    column_totals = [0] * size
    villages = passed = 0
    for s in summaries.values():
        villages += s.villages
        passed += s.passed
        for index, n in enumerate(s.per_criterion):
            column_totals[index] += n

    result = None
    if engine.can_evaluate(unit, cset):
        result = _own_result(unit, cset, at, communes, summaries, area)
    return AreaOverview(
        unit=unit,
        result=result,
        villages=villages,
        passed=passed,
        column_totals=column_totals,
        rollup=engine.rollup_counts(
            unit,
            [
                (commune_units[c], s.villages, s.passed, s.per_criterion)
                for c, s in ((c, summaries[c]) for c in communes)
            ],
        ),
        passing={v for s in summaries.values() for v in s.passing},
        computed=len(missing),
    )


def _summarise(
    communes: list[int],
    villages_of: dict[int, list[int]],
    paths: dict[int, str],
    cset: CriteriaSet,
    at: dt.date,
) -> dict[int, Summary]:
    """Evaluate the villages of these communes in one batch (the engine, from the store) and
    sum them per commune."""
    wanted = {v: c for c in communes for v in villages_of[c]}
    roots = engine.covering_roots([paths[c] for c in communes])
    villages = [
        v
        for v in AdminUnit.objects.filter(engine._area_q(roots), level=Level.VILLAGE)
        .defer("created_at")
        .order_by("path")
        if v.pk in wanted
    ]
    parts = [p for c in cset.criteria for p in (c, *c.also)]
    ids = [v.pk for v in villages]
    read = engine._village_counts(cset, parts, ids, roots, at)
    known = ({v.pk: [v.pk] for v in villages}, roots)
    with engine._gc_paused():
        results = engine._evaluate_many(villages, cset, at, True, known, read)
    counts, undated = read
    out = {c: Summary(per_criterion=[0] * len(cset.criteria)) for c in communes}
    for r in results:
        s = out[wanted[r.unit.pk]]
        s.villages += 1
        s.passed += int(r.passed)
        if r.passed:
            s.passing.append(r.unit.pk)
        for index, c in enumerate(r.criteria):
            s.per_criterion[index] += int(c.status == engine.PASS)
        for code, (n, d) in counts.get(r.unit.pk, {}).items():
            old = s.counts.get(code, (0, 0))
            s.counts[code] = (old[0] + n, old[1] + d)
        s.undated += undated.get(r.unit.pk, 0)
    return out


def _own_result(
    unit: AdminUnit,
    cset: CriteriaSet,
    at: dt.date,
    communes: list[int],
    summaries: dict[int, Summary],
    area: list[str],
) -> engine.UnitResult:
    """The unit's totals: the engine with each commune's summed counts standing for its
    villages (a ratio sums numerators and denominators, so the sums of sums are the totals)."""
    counts = {c: summaries[c].counts for c in communes}
    undated = {c: summaries[c].undated for c in communes if summaries[c].undated}
    known = ({unit.pk: communes}, engine.covering_roots(area))
    return engine._evaluate_many([unit], cset, at, True, known, (counts, undated))[0]
