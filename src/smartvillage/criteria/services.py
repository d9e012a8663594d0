"""Which criteria sets apply to a unit, and the reference date a page asks for."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from smartvillage.criteria.loader import CriteriaSet, all_sets
from smartvillage.registry.facts import fold
from smartvillage.units.models import AdminUnit, Level


def sets_for_unit(unit: AdminUnit, own_level: bool = False) -> list[CriteriaSet]:
    """Sets that can be evaluated on `unit`, those of its own province first.

    A village is assessed by village sets; a commune by commune sets and, as the sum of its
    villages, by village sets; higher units see village and commune sets as overviews.
    `own_level=True`: only sets of the unit's own level (what a plan or an assessment is for).
    """
    province = unit.ancestor_of_level(Level.PROVINCE)
    province_key = fold(province.name) if province else ""
    candidates = [s for s in all_sets() if unit.level != Level.VILLAGE or s.level == Level.VILLAGE]
    if own_level:
        candidates = [s for s in candidates if s.level == unit.level]

    def rank(s: CriteriaSet) -> tuple[int, str]:
        own = bool(province_key) and fold(s.province) == province_key
        return (0 if own else 1, s.slug)

    return sorted(candidates, key=rank)


def pick_set(unit: AdminUnit, slug: str | None) -> tuple[CriteriaSet | None, list[CriteriaSet]]:
    sets = sets_for_unit(unit)
    if slug:
        for s in sets:
            if s.slug == slug:
                return s, sets
    return (sets[0] if sets else None), sets


def parse_at(text: str | None) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd from a query string; today when missing or unreadable."""
    if text:
        for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
            try:
                return dt.datetime.strptime(text.strip(), fmt).date()  # noqa: DTZ007 - a calendar date
            except ValueError:
                continue
    return timezone.localdate()
