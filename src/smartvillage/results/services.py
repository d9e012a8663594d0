"""The results store: kept counts instead of recounting the registry on every page.

What is stored (see models.py and docs/decisions/005-results-store.md): for each published
criteria set (and the village sets inside its aggregate criteria), each reference date in use
and each village, the numerator and denominator of every ratio criterion and part, and the
persons the age populations leave out. Evidence is not stored: it is a few indexed rows per unit
and never touches persons; the engine reads it live.

* reading: `read_counts` (called by the criteria engine for every evaluation) returns the rows of
  the asked villages; a village the scope does not cover yet is counted live, stored and returned;
* writing: every action function that can change a village's counts calls `recount_villages`
  inside its own transaction; the village's rows are recounted (a few milliseconds) in every
  scope that covers it, so the next read shows the change;
* the calendar: working age moves with the date, so `refresh_all(date)` counts "today" for every
  published set and drops scopes no longer in use (idempotent; the daily job).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from smartvillage.criteria import engine
from smartvillage.criteria.loader import CriteriaSet, Criterion, all_sets, registered_sets
from smartvillage.results.models import ResultCount, ResultScope, ScopeReason
from smartvillage.units.models import AdminUnit, Level, touch_units

# A read of at most this many villages filters by id; more, by their covering path prefixes.
_IN_LIST_MAX = 50
# An asked date (not today, not an open assessment's) is kept this many days after its last use.
ASKED_KEEP_DAYS = 2
_BATCH = 2000


def enabled() -> bool:
    return bool(getattr(settings, "RESULTS_STORE", True))


# ---- which definitions are stored ------------------------------------------------------------


def _ratio_parts(cset: CriteriaSet) -> list[Criterion]:
    return [p for c in cset.criteria for p in (c, *c.also) if p.kind == "ratio"]


def set_key(cset: CriteriaSet) -> str:
    base, _sep, inner = cset.slug.partition("#")
    return f"{base}@{cset.version}" + (f"#{inner}" if inner else "")


def fingerprint(cset: CriteriaSet, ratio: list[Criterion]) -> str:
    """A digest of everything the counts depend on; two definitions with the same digest count
    the same rows the same way."""
    text = repr(
        (
            cset.working_age_policy,
            cset.adult_age,
            [(c.code, c.population, c.population_filter, c.numerator) for c in ratio],
        )
    )
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()


@dataclass(frozen=True)
class Definition:
    cset: CriteriaSet
    ratio: list[Criterion]
    key: str
    fingerprint: str


def _definition(cset: CriteriaSet) -> Definition:
    ratio = _ratio_parts(cset)
    return Definition(cset, ratio, set_key(cset), fingerprint(cset, ratio))


_defs_cache: dict[str, Any] = {"registry": None, "defs": {}}


def definitions() -> dict[tuple[str, str], Definition]:
    """Every stored definition by (set key, fingerprint): each published set (all versions) and
    the village sets of its aggregate criteria. Rebuilt when the criteria registry is."""
    registry = registered_sets()
    marker = tuple(sorted((k, id(v)) for k, v in registry.items()))
    if _defs_cache["registry"] == marker:
        return _defs_cache["defs"]
    defs: dict[tuple[str, str], Definition] = {}
    for cset in registry.values():
        for candidate in (cset, *(inner for _c, inner in engine.inner_sets(cset))):
            d = _definition(candidate)
            if d.ratio:
                defs[(d.key, d.fingerprint)] = d
    _defs_cache.update(registry=marker, defs=defs)
    return defs


def latest_definitions() -> list[Definition]:
    """What the daily refresh counts for "today": the latest version of each published set and
    the village sets inside its aggregate criteria."""
    out: dict[tuple[str, str], Definition] = {}
    for cset in all_sets():
        for candidate in (cset, *(inner for _c, inner in engine.inner_sets(cset))):
            d = _definition(candidate)
            if d.ratio:
                out[(d.key, d.fingerprint)] = d
    return list(out.values())


# ---- scopes ------------------------------------------------------------------------------------


def _scope(d: Definition, at: dt.date, reason: str | None = None) -> ResultScope:
    today = timezone.localdate()
    reason = reason or (ScopeReason.TODAY if at == today else ScopeReason.ASKED)
    scope = ResultScope.objects.filter(set_key=d.key, fingerprint=d.fingerprint, at=at).first()
    if scope is None:
        try:
            with transaction.atomic():
                scope = ResultScope.objects.create(
                    set_key=d.key, fingerprint=d.fingerprint, at=at, reason=reason, last_used=today
                )
        except IntegrityError:  # another request created it meanwhile
            scope = ResultScope.objects.get(set_key=d.key, fingerprint=d.fingerprint, at=at)
    changes: dict[str, Any] = {}
    if scope.last_used != today:
        changes["last_used"] = today
    if reason == ScopeReason.ASSESSMENT and scope.reason != reason:
        changes["reason"] = reason
    if changes:
        ResultScope.objects.filter(pk=scope.pk).update(**changes)
        for name, value in changes.items():
            setattr(scope, name, value)
    return scope


def _lock(village_ids: list[int]) -> None:
    """Lock the villages' rows (PostgreSQL; SQLite's IMMEDIATE transactions already serialise
    writers): a reader storing a live count and a writer recounting the same village take turns,
    so the writer either sees the reader's rows and recounts them, or the reader counts after the
    writer's commit. Ordered by id so two writers never deadlock."""
    for start in range(0, len(village_ids), 1000):
        list(
            AdminUnit.objects.select_for_update()
            .filter(pk__in=village_ids[start : start + 1000])
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _rows(
    scope_id: int,
    village_ids: Iterable[int],
    counts: dict[int, dict[str, tuple[int, int]]],
    undated: dict[int, int],
) -> list[ResultCount]:
    rows: list[ResultCount] = []
    for v in village_ids:
        rows.append(
            ResultCount(
                scope_id=scope_id, village_id=v, code="", numerator=undated.get(v, 0), denominator=0
            )
        )
        for code, (n, d) in counts.get(v, {}).items():
            if n or d:
                rows.append(
                    ResultCount(
                        scope_id=scope_id, village_id=v, code=code, numerator=n, denominator=d
                    )
                )
    return rows


# ---- reading (the engine's many-units path) ----------------------------------------------------


def read_counts(
    cset: CriteriaSet,
    parts: list[Criterion],
    at: dt.date,
    village_ids: list[int],
    roots: list[str],
) -> tuple[dict[int, dict[str, tuple[int, int]]], dict[int, int]] | None:
    """({village: {code: (numerator, denominator)}}, {village: persons without age}) for the
    villages asked, from the store; None when the store is off or `cset` is not a published
    definition (a draft is always counted live). Villages not yet covered are counted live,
    stored, and returned with the rest.
    """
    if not enabled() or not village_ids:
        return None
    d = _definition(cset)
    if not d.ratio or (d.key, d.fingerprint) not in definitions():
        return None
    scope = _scope(d, at)
    wanted = set(village_ids)
    where = (
        Q(village_id__in=village_ids)
        if len(village_ids) <= _IN_LIST_MAX
        else engine._area_q(roots, "village__path")
    )
    counts: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
    undated: dict[int, int] = {}
    covered: set[int] = set()
    rows = ResultCount.objects.filter(where, scope_id=scope.pk).values_list(
        "village_id", "code", "numerator", "denominator"
    )
    for village, code, n, den in rows:
        if village not in wanted:
            continue
        if code:
            counts[village][code] = (n, den)
        else:
            covered.add(village)
            if n:
                undated[village] = n
    missing = [v for v in village_ids if v not in covered]
    if missing:
        paths = roots if len(missing) > _IN_LIST_MAX else None
        live_counts, live_undated = _count_and_store(scope, d, at, missing, paths)
        for v in missing:
            counts[v] = live_counts.get(v, {})
            if live_undated.get(v):
                undated[v] = live_undated[v]
    return counts, undated


def _count_and_store(
    scope: ResultScope,
    d: Definition,
    at: dt.date,
    village_ids: list[int],
    paths: list[str] | None = None,
) -> tuple[dict[int, dict[str, tuple[int, int]]], dict[int, int]]:
    with transaction.atomic():
        _lock(village_ids)
        counts = engine._ratio_counts(d.cset, d.ratio, village_ids, at, paths=paths)
        undated = engine._persons_without_age(village_ids, paths=paths)
        # Rows a concurrent reader stored first are equal (both counted after the same commits).
        ResultCount.objects.bulk_create(
            _rows(scope.pk, village_ids, counts, undated), batch_size=_BATCH, ignore_conflicts=True
        )
    return counts, undated


def keep_date(cset: CriteriaSet, at: dt.date, unit: AdminUnit) -> None:
    """Keep `at` in the store for `cset` (an assessment opened on that reference date) and count
    the unit's villages now, so its pages read stored rows from the start."""
    if not enabled():
        return
    from smartvillage.criteria.engine import _villages_of

    villages_of, roots = _villages_of([unit])
    for candidate in (cset, *(inner for _c, inner in engine.inner_sets(cset))):
        d = _definition(candidate)
        if not d.ratio or (d.key, d.fingerprint) not in definitions():
            continue
        _scope(d, at, ScopeReason.ASSESSMENT)
        read_counts(candidate, d.ratio, at, villages_of[unit.pk], roots)


# ---- writing: recount the changed villages inside the writer's transaction -----------------------


def recount_villages(village_ids: Iterable[int | None]) -> None:
    """Recount these villages in every scope that covers them. Call it inside the action
    function's transaction, after its writes: the rows then change (or not) with the write."""
    ids = sorted({int(v) for v in village_ids if v})
    if not ids:
        return
    with transaction.atomic():
        _lock(ids)
        # The area summaries built from these villages (criteria/areas.py) are read no more once
        # this commits; with the store off too.
        touch_units(ids)
        if not enabled():
            return
        covering = ResultCount.objects.filter(village_id__in=ids, code="").values_list(
            "scope_id", "village_id"
        )
        by_scope: dict[int, list[int]] = defaultdict(list)
        for scope_id, village in covering:
            by_scope[scope_id].append(village)
        if not by_scope:
            return
        scopes = list(ResultScope.objects.filter(pk__in=list(by_scope)).order_by("pk"))
        # A scope's rows for a village exist only with its marker row, so this deletes exactly
        # the covered pairs (one statement; scopes of withdrawn sets are left empty).
        ResultCount.objects.filter(scope_id__in=list(by_scope), village_id__in=ids).delete()
        # One grouped query per population and date (the sets share theirs), the population in
        # WHERE so the (village, sex, birth date) index does the work: measured 13 ms for a
        # 1.000-person village and 6 sets on PostgreSQL, against 28 ms for a single query with
        # every population as a FILTER (each row then tests every condition).
        undated = engine._persons_without_age(ids)
        counted = _count_scopes(scopes, ids)
        rows: list[ResultCount] = []
        for scope in scopes:
            if scope.pk in counted:
                rows += _rows(scope.pk, sorted(by_scope[scope.pk]), counted[scope.pk], undated)
        ResultCount.objects.bulk_create(rows, batch_size=_BATCH)


def _count_scopes(
    scopes: list[ResultScope], village_ids: list[int], paths: list[str] | None = None
) -> dict[int, dict[int, dict[str, tuple[int, int]]]]:
    """{scope id: {village: {code: (n, d)}}} for many scopes with one grouped query per
    population and reference date (not per scope): the sets share their populations
    (households, working age, adults), so a write costs a few queries whatever the sets."""
    defs = definitions()
    groups: dict[tuple[Any, ...], list[tuple[ResultScope, Definition]]] = defaultdict(list)
    for scope in scopes:
        d = defs.get((scope.set_key, scope.fingerprint))
        if d is not None:
            groups[(scope.at, d.cset.working_age_policy, d.cset.adult_age)].append((scope, d))
    out: dict[int, dict[int, dict[str, tuple[int, int]]]] = {}
    for (at, _policy, _adult), members in groups.items():
        renamed = [
            dataclasses.replace(c, code=f"{scope.pk}:{c.code}")
            for scope, d in members
            for c in d.ratio
        ]
        counts = engine._ratio_counts(members[0][1].cset, renamed, village_ids, at, paths=paths)
        for scope, _d in members:
            prefix = f"{scope.pk}:"
            out[scope.pk] = {
                v: {
                    code[len(prefix) :]: pair
                    for code, pair in codes.items()
                    if code.startswith(prefix)
                }
                for v, codes in counts.items()
            }
    return out


def villages_of_unit(unit: AdminUnit) -> list[int]:
    """The village ids whose counts a change to `unit` can move (itself, or those under it)."""
    if unit.level == Level.VILLAGE:
        return [unit.pk]
    return list(
        AdminUnit.objects.filter(path__startswith=unit.path, level=Level.VILLAGE).values_list(
            "pk", flat=True
        )
    )


# ---- rebuilding, the daily refresh, verifying --------------------------------------------------


def _provinces(unit: AdminUnit | None) -> list[AdminUnit]:
    """The subtrees a rebuild walks one at a time (bounded memory, short locks)."""
    if unit is not None:
        return [unit]
    return list(AdminUnit.objects.filter(parent__isnull=True).order_by("path"))


def rebuild_scopes(
    scopes: list[ResultScope],
    unit: AdminUnit | None = None,
    roots_of: dict[int, set[str]] | None = None,
) -> int:
    """Recount every village (under `unit`) for these scopes, one province at a time, each in
    a transaction holding its villages' locks (writers there wait; readers do not). Returns the
    (scope, village) pairs counted.

    `roots_of`: {scope id: slugs of the published sets it serves}; a province then counts only
    the scopes of the sets its pages offer (criteria.services.sets_for_unit): Phú Thọ's set is
    not counted for Kon Tum's villages every night.
    """
    from smartvillage.criteria.services import sets_for_unit

    total = 0
    for top in _provinces(unit):
        mine = scopes
        if roots_of is not None:
            offered = {s.slug for s in sets_for_unit(top)}
            mine = [s for s in scopes if roots_of.get(s.pk, set()) & offered]
        if not mine:
            continue
        prefix = top.path
        with transaction.atomic():
            ids = list(
                AdminUnit.objects.select_for_update()
                .filter(path__startswith=prefix, level=Level.VILLAGE)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            if not ids:
                continue
            paths = [prefix]
            counted = _count_scopes(mine, ids, paths)
            undated = engine._persons_without_age(ids, paths=paths)
            ResultCount.objects.filter(
                scope_id__in=list(counted), village__path__startswith=prefix
            ).delete()
            rows: list[ResultCount] = []
            for scope_id, counts in counted.items():
                rows += _rows(scope_id, ids, counts, undated)
            ResultCount.objects.bulk_create(rows, batch_size=_BATCH)
            # Rewritten rows: summaries cached from the old ones are not read again.
            touch_units(ids)
            total += len(ids) * len(counted)
    return total


def open_assessment_dates() -> set[tuple[str, int, dt.date]]:
    try:
        from smartvillage.assessments.models import Assessment, State
    except ImportError:  # pragma: no cover - the assessments app is optional
        return set()
    return set(
        Assessment.objects.exclude(state=State.RECOGNISED).values_list(
            "criteria_set_slug", "criteria_set_version", "at"
        )
    )


def prune(today: dt.date, keep: set[int] | None = None) -> int:
    """Drop scopes nobody needs: old "today"s, asked dates unused for ASKED_KEEP_DAYS, dates of
    assessments no longer open, and definitions no longer published. `keep`: scope ids the
    refresh just counted. Returns scopes dropped."""
    defs = definitions()
    open_dates = open_assessment_dates()
    keep = keep or set()
    drop: list[int] = []
    recently = today - dt.timedelta(days=ASKED_KEEP_DAYS)
    for scope in ResultScope.objects.all():
        base = scope.set_key.split("#", 1)[0]
        slug, _sep, version = base.rpartition("@")
        needed = (
            scope.pk in keep
            or scope.at == today
            or (slug, int(version or 0), scope.at) in open_dates
            or (scope.reason == ScopeReason.ASKED and scope.last_used >= recently)
        )
        if not needed or (scope.set_key, scope.fingerprint) not in defs:
            drop.append(scope.pk)
    for start in range(0, len(drop), 500):
        ResultScope.objects.filter(pk__in=drop[start : start + 500]).delete()
    return len(drop)


def refresh_all(at: dt.date | None = None) -> dict[str, int]:
    """The daily job: for the latest version of every published set, count the date its pages
    open with (today while the set is in force, else its last valid day: criteria.services.
    default_at) for every village of the provinces it is offered in, and drop scopes no longer
    in use. Idempotent: running it twice leaves the same rows. Returns {"scopes": …,
    "villages": … (scope × village pairs counted), "dropped": …}."""
    from smartvillage.criteria.services import default_at

    at = at or timezone.localdate()
    if not enabled():
        return {"scopes": 0, "villages": 0, "dropped": 0}
    defs = definitions()
    scopes: dict[int, ResultScope] = {}
    roots_of: dict[int, set[str]] = defaultdict(set)
    for root in all_sets():
        day = default_at(root, at)[0]
        for candidate in (root, *(inner for _c, inner in engine.inner_sets(root))):
            d = _definition(candidate)
            if not d.ratio or (d.key, d.fingerprint) not in defs:
                continue
            scope = _scope(d, day, ScopeReason.TODAY)
            scopes[scope.pk] = scope
            roots_of[scope.pk].add(root.slug)
    villages = rebuild_scopes(list(scopes.values()), roots_of=roots_of)
    dropped = prune(at, keep=set(scopes))
    return {"scopes": len(scopes), "villages": villages, "dropped": dropped}


def rebuild(unit: AdminUnit | None = None, at: dt.date | None = None) -> dict[str, int]:
    """Recount every stored scope (under `unit`), today's for every latest set included."""
    at = at or timezone.localdate()
    defs = definitions()
    for d in latest_definitions():
        _scope(d, at, ScopeReason.TODAY)
    scopes = []
    for scope in ResultScope.objects.order_by("pk"):
        if (scope.set_key, scope.fingerprint) in defs:
            scopes.append(scope)
        else:
            scope.delete()
    return {"scopes": len(scopes), "villages": rebuild_scopes(scopes, unit)}


@dataclass
class Difference:
    scope: str
    village: AdminUnit
    code: str
    stored: tuple[int, int] | None
    live: tuple[int, int] | None

    def __str__(self) -> str:
        what = self.code or "người chưa có ngày sinh/giới tính"

        def show(pair: tuple[int, int] | None) -> str:
            if pair is None:
                return "không có"
            return f"{pair[0]}" if not self.code else f"{pair[0]}/{pair[1]}"

        return (
            f"{self.scope}: {self.village.full_name} ({self.village.code}), {what}: "
            f"lưu {show(self.stored)}, đếm lại {show(self.live)}"
        )


def verify(unit: AdminUnit | None = None) -> list[Difference]:
    """Recount live every covered village (under `unit`) in every scope and compare."""
    defs = definitions()
    out: list[Difference] = []
    prefixes = [top.path for top in _provinces(unit)]
    for scope in ResultScope.objects.order_by("pk"):
        d = defs.get((scope.set_key, scope.fingerprint))
        if d is None:
            continue
        label = f"{scope.set_key} {scope.at:%d/%m/%Y}"
        for prefix in prefixes:
            stored: dict[int, dict[str, tuple[int, int]]] = defaultdict(dict)
            for village, code, n, den in ResultCount.objects.filter(
                scope=scope, village__path__startswith=prefix
            ).values_list("village_id", "code", "numerator", "denominator"):
                stored[village][code] = (n, den)
            if not stored:
                continue
            ids = sorted(stored)
            counts = engine._ratio_counts(d.cset, d.ratio, ids, scope.at, paths=[prefix])
            undated = engine._persons_without_age(ids, paths=[prefix])
            units = AdminUnit.objects.in_bulk(ids)
            for v in ids:
                live = {c: p for c, p in counts.get(v, {}).items() if p != (0, 0)}
                live[""] = (undated.get(v, 0), 0)
                for code in sorted(set(live) | set(stored[v])):
                    if live.get(code) != stored[v].get(code):
                        out.append(
                            Difference(label, units[v], code, stored[v].get(code), live.get(code))
                        )
    return out


def size() -> dict[str, int]:
    return {
        "scopes": ResultScope.objects.count(),
        "rows": ResultCount.objects.count(),
        "villages": ResultCount.objects.filter(code="").values("village_id").distinct().count(),
    }
