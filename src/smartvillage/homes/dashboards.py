"""What each home shows besides the inbox, from `criteria.engine` (never a count of persons here).

* a village: its result against its set, each failing criterion with its gap and its worklist;
* a commune: its villages × criteria, and the villages furthest from passing;
* a province (an appraiser's): villages recognised this year against the province's target,
  and the villages' results rolled up by district or commune.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from smartvillage.assessments.models import Assessment, State
from smartvillage.criteria import areas, engine
from smartvillage.criteria.loader import CriteriaSet
from smartvillage.criteria.services import default_at, sets_for_unit
from smartvillage.homes.models import RecognitionTarget
from smartvillage.units.models import AdminUnit, Level, area_paths

FURTHEST_SHOWN = 5
YEARS_SHOWN = 4


@dataclass
class Failing:
    result: engine.CriterionResult
    worklist_url: str = ""
    # Households/persons not yet meeting a ratio criterion: the worklist's length.
    worklist_size: int | None = None
    # Where to record what an evidence criterion lacks (a document, a model, a count).
    evidence_url: str = ""


@dataclass
class VillageSummary:
    unit: AdminUnit
    cset: CriteriaSet | None
    at: dt.date
    at_note: str = ""
    result: engine.UnitResult | None = None
    failing: list[Failing] = field(default_factory=list)
    monitored: list[engine.CriterionResult] = field(default_factory=list)


def village_set(unit: AdminUnit) -> CriteriaSet | None:
    """The first village set offered for `unit` (its own province's first)."""
    return next((s for s in sets_for_unit(unit) if s.level == Level.VILLAGE), None)


def is_monitored(c: engine.CriterionResult | dict[str, Any]) -> bool:
    """A ratio criterion whose document states no pass level: shown, never blocking."""
    get = c.get if isinstance(c, dict) else lambda k, d=None: getattr(c, k, d)
    return get("status") == engine.MONITOR if hasattr(engine, "MONITOR") else False


def village_summary(unit: AdminUnit, today: dt.date | None = None) -> VillageSummary:
    cset = village_set(unit)
    at, note = default_at(cset, today)
    summary = VillageSummary(unit, cset, at, note)
    if cset is None:
        return summary
    result = engine.evaluate(unit, cset, at)
    summary.result = result
    for c in result.criteria:
        if c.status in (engine.PASS, engine.NOT_APPLICABLE):
            continue
        if is_monitored(c):
            summary.monitored.append(c)
            continue
        item = Failing(c)
        if c.kind == "ratio" and c.denominator:
            item.worklist_size = (c.denominator or 0) - (c.numerator or 0)
            item.worklist_url = (
                reverse("criteria:worklist", args=[unit.pk, cset.slug, c.code])
                + f"?at={at:%d/%m/%Y}"
            )
        elif c.kind in ("evidence", "prerequisite", "count", "reported"):
            item.evidence_url = reverse("evidence:list", args=[unit.pk])
        summary.failing.append(item)
    return summary


@dataclass
class CommuneMatrix:
    unit: AdminUnit
    cset: CriteriaSet | None
    at: dt.date
    at_note: str = ""
    children: list[engine.UnitResult] = field(default_factory=list)
    passed: int = 0
    furthest: list[tuple[engine.UnitResult, int]] = field(default_factory=list)


def commune_matrix(unit: AdminUnit, today: dt.date | None = None) -> CommuneMatrix:
    cset = village_set(unit)
    at, note = default_at(cset, today)
    matrix = CommuneMatrix(unit, cset, at, note)
    if cset is None:
        return matrix
    children = engine.evaluate_children(unit, cset, at)
    matrix.children = children
    matrix.passed = sum(1 for r in children if r.passed)
    failing = [
        (r, sum(1 for c in r.criteria if c.status == engine.FAIL or c.status == engine.NO_DATA))
        for r in children
        if not r.passed
    ]
    failing.sort(key=lambda pair: (-pair[1], pair[0].unit.name))
    matrix.furthest = failing[:FURTHEST_SHOWN]
    return matrix


@dataclass
class AreaDashboard:
    unit: AdminUnit
    year: int
    cset: CriteriaSet | None
    at: dt.date
    at_note: str = ""
    recognised: int = 0
    target: int | None = None
    villages: int = 0
    villages_passed: int = 0
    rollup: list[engine.RollupRow] = field(default_factory=list)
    # (year, villages recognised, target) for the years the province set a target, newest first.
    years: list[tuple[int, int, int | None]] = field(default_factory=list)

    @property
    def chart_id(self) -> str:
        return f"rollup-data-{self.unit.pk}"

    @property
    def chart(self) -> dict[str, Any]:
        """The district/commune comparison for the bar chart (the rollup table has the same)."""
        from django.utils.translation import gettext

        return {
            "labels": [row.unit.name for row in self.rollup],
            "series": [
                {
                    "label": gettext("Số thôn"),
                    "values": [row.children for row in self.rollup],
                    "colour": "#9aa5b1",
                },
                {
                    "label": gettext("Đạt cả bộ"),
                    "values": [row.passed for row in self.rollup],
                    "colour": "#1e8e3e",
                },
            ],
        }


def recognised_count(unit: AdminUnit, year: int) -> int:
    """Villages under `unit` (its whole area, both schemes) recognised in `year`."""
    from django.db.models import Q

    condition = Q()
    for root in area_paths([unit])[unit.pk]:
        condition |= Q(unit__path__startswith=root)
    return (
        Assessment.objects.filter(
            condition,
            state=State.RECOGNISED,
            unit__level=Level.VILLAGE,
            recognition_date__year=year,
        )
        .values("unit")
        .distinct()
        .count()
    )


def target_for(unit: AdminUnit, year: int) -> int | None:
    row = RecognitionTarget.objects.filter(unit=unit, year=year).first()
    return row.villages if row else None


def area_dashboard(unit: AdminUnit, today: dt.date | None = None) -> AreaDashboard:
    today = today or timezone.localdate()
    cset = village_set(unit)
    at, note = default_at(cset, today)
    board = AreaDashboard(unit, today.year, cset, at, note)
    board.recognised = recognised_count(unit, today.year)
    board.target = target_for(unit, today.year)
    targets = dict(
        RecognitionTarget.objects.filter(unit=unit, year__lt=today.year)
        .order_by("-year")
        .values_list("year", "villages")[:YEARS_SHOWN]
    )
    board.years = [(y, recognised_count(unit, y), t) for y, t in sorted(targets.items())[::-1]]
    if cset is None:
        return board
    overview = areas.area_overview(unit, cset, at)
    if overview is not None:
        board.villages, board.villages_passed = overview.villages, overview.passed
        board.rollup = overview.rollup
        return board
    children = engine.evaluate_children(unit, cset, at)
    board.villages = len(children)
    board.villages_passed = sum(1 for r in children if r.passed)
    board.rollup = engine.rollup(unit, children)
    return board
