"""Load the official unit list (bundled data file) into AdminUnit / UnitSuccession.

Idempotent: units are matched on (scheme, code); a second run creates nothing and only updates
names, types, parents or data versions that changed. Units missing from the file are left alone
(history is never rewritten; villages hang below them). Everything is done in bulk: one INSERT
batch per level, paths filled by one UPDATE per level, so the whole country loads in seconds.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import CharField, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils.translation import gettext as _

from smartvillage.core.errors import DomainError
from smartvillage.units.models import AdminUnit, Level, Scheme, UnitSuccession

DATA_FILE = Path(__file__).parent / "data" / "units-vn.json.gz"
REFORM_DATE = dt.date(2025, 7, 1)
_BATCH = 1000


@cache
def _read(path: Path) -> dict[str, Any]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return json.load(fh)


def read_dataset(path: Path | None = None) -> dict[str, Any]:
    return _read(Path(path or DATA_FILE))


@dataclass
class LevelCount:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


@dataclass
class LoadResult:
    data_version: str
    counts: dict[str, LevelCount] = field(default_factory=dict)
    links_created: int = 0
    links_updated: int = 0
    links_unchanged: int = 0

    @property
    def created(self) -> int:
        return sum(c.created for c in self.counts.values())

    @property
    def updated(self) -> int:
        return sum(c.updated for c in self.counts.values())

    def to_dict(self) -> dict[str, Any]:
        return {
            "data_version": self.data_version,
            "units": {k: vars(v) for k, v in self.counts.items()},
            "succession": {
                "created": self.links_created,
                "updated": self.links_updated,
                "unchanged": self.links_unchanged,
            },
        }


@dataclass
class _Row:
    code: str
    parent_code: str | None
    name: str
    unit_type: str


def _select(
    data: dict[str, Any], only_provinces: set[str] | None
) -> dict[tuple[str, str], list[_Row]]:
    """Rows per (scheme, level), restricted to some pre-2025 provinces and their 2025 successors."""
    old, new = data["pre2025"], data["2025"]
    old_p = [_Row(c, None, n, t) for c, n, t in old["provinces"]]
    old_d = [_Row(c, p, n, t) for c, p, n, t in old["districts"]]
    old_c = [_Row(c, d, n, t) for c, d, n, t in old["communes"]]
    new_p = [_Row(c, None, n, t) for c, n, t in new["provinces"]]
    new_c = [_Row(c, p, n, t) for c, p, n, t in new["communes"]]
    if only_provinces is not None:
        known = {r.code for r in old_p} | {r.code for r in new_p}
        unknown = sorted(only_provinces - known)
        if unknown:
            raise DomainError(
                _("Không có tỉnh mã %(codes)s trong danh mục.") % {"codes": ", ".join(unknown)},
                "unknown_province",
            )
        old_keep = {r.code for r in old_p if r.code in only_provinces}
        new_keep = {link[1] for link in data["succession"]["provinces"] if link[0] in old_keep}
        # A 2025 province code given directly (e.g. 31 Hải Phòng) is taken as well.
        new_keep |= {r.code for r in new_p if r.code in only_provinces}
        old_p = [r for r in old_p if r.code in old_keep]
        old_d = [r for r in old_d if r.parent_code in old_keep]
        district_codes = {r.code for r in old_d}
        old_c = [r for r in old_c if r.parent_code in district_codes]
        new_p = [r for r in new_p if r.code in new_keep]
        new_c = [r for r in new_c if r.parent_code in new_keep]
    return {
        (Scheme.PRE_2025, Level.PROVINCE): old_p,
        (Scheme.PRE_2025, Level.DISTRICT): old_d,
        (Scheme.PRE_2025, Level.COMMUNE): old_c,
        (Scheme.FROM_2025, Level.PROVINCE): new_p,
        (Scheme.FROM_2025, Level.COMMUNE): new_c,
    }


def _fill_paths(scheme: str, level: str) -> None:
    """path = parent's path + own id + "/" for every unit of the level that has none yet."""
    parent_path = Subquery(AdminUnit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    qs = AdminUnit.objects.filter(scheme=scheme, level=level, path="")
    if level == Level.PROVINCE:
        qs.update(path=Concat(Value("/"), Cast("pk", CharField()), Value("/")))
    else:
        qs.update(
            path=Concat(parent_path, Cast("pk", CharField()), Value("/"), output_field=CharField())
        )


def _repath_subtree(old_path: str, new_path: str) -> None:
    """After a unit moved to another parent: rewrite its own and its descendants' paths."""
    below = list(AdminUnit.objects.filter(path__startswith=old_path).only("id", "path"))
    for item in below:
        item.path = new_path + item.path[len(old_path) :]
    AdminUnit.objects.bulk_update(below, ["path"], batch_size=_BATCH)


def _load_level(
    scheme: str,
    level: str,
    rows: list[_Row],
    parents: dict[str, AdminUnit],
    version: str,
    counts: LevelCount,
) -> dict[str, AdminUnit]:
    existing = {u.code: u for u in AdminUnit.objects.filter(scheme=scheme, level=level)}
    to_create: list[AdminUnit] = []
    to_update: list[AdminUnit] = []
    moved: list[tuple[str, str]] = []  # (old path, new path)
    for row in rows:
        parent = parents[row.parent_code] if row.parent_code is not None else None
        parent_id = parent.pk if parent is not None else None
        unit = existing.get(row.code)
        if unit is None:
            to_create.append(
                AdminUnit(
                    parent_id=parent_id,
                    level=level,
                    unit_type=row.unit_type,
                    code=row.code,
                    name=row.name,
                    scheme=scheme,
                    data_version=version,
                    path="",
                )
            )
            continue
        changed = (
            unit.name,
            unit.unit_type,
            unit.parent_id,
            unit.data_version,
            unit.is_active,
        ) != (
            row.name,
            row.unit_type,
            parent_id,
            version,
            True,
        )
        if not changed:
            counts.unchanged += 1
            continue
        if unit.parent_id != parent_id:
            new_path = f"{parent.path if parent is not None else '/'}{unit.pk}/"
            moved.append((unit.path, new_path))
        unit.name, unit.unit_type, unit.parent_id = row.name, row.unit_type, parent_id
        unit.data_version, unit.is_active = version, True
        to_update.append(unit)
    AdminUnit.objects.bulk_create(to_create, batch_size=_BATCH)
    AdminUnit.objects.bulk_update(
        to_update, ["name", "unit_type", "parent", "data_version", "is_active"], batch_size=_BATCH
    )
    for old_path, new_path in moved:
        _repath_subtree(old_path, new_path)
    _fill_paths(scheme, level)
    counts.created += len(to_create)
    counts.updated += len(to_update)
    # Re-read: bulk_create does not return ids on every backend, and paths were set in SQL.
    return {
        u.code: u
        for u in AdminUnit.objects.filter(scheme=scheme, level=level).only(
            "id", "code", "path", "parent_id"
        )
    }


def _load_links(
    links: Iterable[list],
    old: dict[str, AdminUnit],
    new: dict[str, AdminUnit],
    old_level: str,
    version: str,
    result: LoadResult,
) -> None:
    wanted: dict[tuple[int, int], bool] = {}
    for old_code, new_code, is_default in links:
        if old_code in old and new_code in new:
            wanted[(old[old_code].pk, new[new_code].pk)] = bool(is_default)
    if not wanted:
        return
    existing = {
        (s.old_id, s.new_id): s
        for s in UnitSuccession.objects.filter(old__scheme=Scheme.PRE_2025, old__level=old_level)
    }
    to_create, to_update = [], []
    for (old_id, new_id), is_default in wanted.items():
        link = existing.get((old_id, new_id))
        if link is None:
            to_create.append(
                UnitSuccession(
                    old_id=old_id,
                    new_id=new_id,
                    is_default=is_default,
                    effective_date=REFORM_DATE,
                    data_version=version,
                )
            )
        elif (link.is_default, link.data_version, link.effective_date) != (
            is_default,
            version,
            REFORM_DATE,
        ):
            link.is_default, link.data_version, link.effective_date = (
                is_default,
                version,
                REFORM_DATE,
            )
            to_update.append(link)
        else:
            result.links_unchanged += 1
    UnitSuccession.objects.bulk_create(to_create, batch_size=_BATCH)
    UnitSuccession.objects.bulk_update(
        to_update, ["is_default", "data_version", "effective_date"], batch_size=_BATCH
    )
    result.links_created += len(to_create)
    result.links_updated += len(to_update)


@transaction.atomic
def load_units(only_provinces: Iterable[str] | None = None, path: Path | None = None) -> LoadResult:
    """Load (or refresh) the official units; `only_provinces` limits to pre-2025 province codes
    (plus the 2025 provinces they became part of, and 2025 province codes given directly)."""
    data = read_dataset(path)
    version = data["meta"]["data_version"]
    wanted = None if only_provinces is None else {c.strip() for c in only_provinces if c.strip()}
    rows = _select(data, wanted)
    result = LoadResult(data_version=version)
    loaded: dict[tuple[str, str], dict[str, AdminUnit]] = {}
    order = [
        (Scheme.PRE_2025, Level.PROVINCE, None),
        (Scheme.PRE_2025, Level.DISTRICT, (Scheme.PRE_2025, Level.PROVINCE)),
        (Scheme.PRE_2025, Level.COMMUNE, (Scheme.PRE_2025, Level.DISTRICT)),
        (Scheme.FROM_2025, Level.PROVINCE, None),
        (Scheme.FROM_2025, Level.COMMUNE, (Scheme.FROM_2025, Level.PROVINCE)),
    ]
    for scheme, level, parent_key in order:
        counts = result.counts.setdefault(f"{scheme}:{level}", LevelCount())
        parents = loaded[parent_key] if parent_key else {}
        loaded[(scheme, level)] = _load_level(
            scheme, level, rows[(scheme, level)], parents, version, counts
        )
    links = data["succession"]
    old_p, new_p = (
        loaded[(Scheme.PRE_2025, Level.PROVINCE)],
        loaded[(Scheme.FROM_2025, Level.PROVINCE)],
    )
    old_d = loaded[(Scheme.PRE_2025, Level.DISTRICT)]
    old_c, new_c = (
        loaded[(Scheme.PRE_2025, Level.COMMUNE)],
        loaded[(Scheme.FROM_2025, Level.COMMUNE)],
    )
    _load_links(links["provinces"], old_p, new_p, Level.PROVINCE, version, result)
    _load_links(links["districts"], old_d, new_c, Level.DISTRICT, version, result)
    _load_links(links["communes"], old_c, new_c, Level.COMMUNE, version, result)
    return result
