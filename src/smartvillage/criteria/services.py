"""Which criteria sets apply to a unit, and the reference date a page asks for."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from smartvillage.criteria.loader import CriteriaSet, all_sets
from smartvillage.registry.facts import fold
from smartvillage.units.models import AdminUnit, Level, UnitSuccession


def _province_keys(unit: AdminUnit) -> tuple[set[str], set[str]]:
    """Folded names and codes of the unit's province in both schemes: its own, and the provinces
    linked to it by the 2025 reform (a pre-2025 province's successor, a 2025 province's former
    provinces), so a set published for Kon Tum is offered under Quảng Ngãi after 01/07/2025."""
    province = unit.ancestor_of_level(Level.PROVINCE)
    if province is None:
        return set(), set()
    linked = [province]
    links = UnitSuccession.objects.filter(Q(old=province) | Q(new=province)).select_related(
        "old", "new"
    )
    for link in links:
        linked += [link.old, link.new]
    if unit.level in (Level.VILLAGE, Level.COMMUNE):
        # The commune's own reform links name the province on the other side too.
        commune = unit.ancestor_of_level(Level.COMMUNE)
        other = UnitSuccession.objects.filter(Q(old=commune) | Q(new=commune)).select_related(
            "old", "new"
        )
        for link in other[:5]:
            for side in (link.old, link.new):
                linked.append(side.ancestor_of_level(Level.PROVINCE) or side)
    return {fold(p.name) for p in linked}, {p.code for p in linked}


def sets_for_unit(unit: AdminUnit, own_level: bool = False) -> list[CriteriaSet]:
    """Sets that can be evaluated on `unit`: its own province's (in either scheme) and national
    ones (a set without a province) only, those of its own province first; every set when its
    province has published none.

    A village is assessed by village sets; a commune by commune sets and, as the sum of its
    villages, by village sets; higher units see village and commune sets as overviews.
    `own_level=True`: only sets of the unit's own level (what a plan or an assessment is for).
    """
    names, codes = _province_keys(unit)
    candidates = [s for s in all_sets() if unit.level != Level.VILLAGE or s.level == Level.VILLAGE]
    if own_level:
        candidates = [s for s in candidates if s.level == unit.level]

    def own(s: CriteriaSet) -> bool:
        by_area = any(code in codes for area in s.area.values() for code in area)
        return by_area or (bool(s.province) and fold(s.province) in names)

    offered = [s for s in candidates if own(s) or not s.province]
    if not any(own(s) for s in offered):
        # A province that has published no set of its own works from the others' as models
        # (and a test world's invented province from the bundled ones).
        offered = candidates
    return sorted(offered, key=lambda s: (0 if own(s) else 1, s.slug))


def default_at(cset: CriteriaSet | None, today: dt.date | None = None) -> tuple[dt.date, str]:
    """The reference date a page starts with, and a note when it is not today.

    Today when it lies inside the set's validity; otherwise the set's last valid day (or its
    first, for a set not yet in force), with a sentence saying so, instead of a page of warnings
    about a date outside every set.
    """
    today = today or timezone.localdate()
    if cset is None or cset.is_valid_at(today):
        return today, ""
    if cset.valid_to is not None and today > cset.valid_to:
        return cset.valid_to, gettext(
            "Bộ tiêu chí này áp dụng đến %(end)s: số liệu được tính tại ngày %(end)s, ngày cuối "
            "còn hiệu lực. Chọn ngày khác ở ô “Ngày đánh giá”."
        ) % {"end": cset.valid_to.strftime("%d/%m/%Y")}
    return cset.valid_from, gettext(
        "Bộ tiêu chí này áp dụng từ %(start)s: số liệu được tính tại ngày đó."
    ) % {"start": cset.valid_from.strftime("%d/%m/%Y")}


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
