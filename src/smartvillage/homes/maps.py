"""Map points: a village's households coloured by a fact or a criterion, and the villages of a
commune or province coloured by pass/fail at the centroid of their households.

Points carry coordinates and a yes/no only (no codes, no names): the map shows where, the
worklist says who. Criteria go through `criteria.engine.members` (database aggregates).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q

from smartvillage.criteria import engine
from smartvillage.criteria.loader import CriteriaSet
from smartvillage.homes.models import VillagePosition
from smartvillage.registry.facts import facts_for
from smartvillage.registry.models import Household
from smartvillage.units.models import AdminUnit, Level, area_paths


@dataclass
class Choice:
    key: str  # "fact:fibre_internet" or "criterion:1.1"
    label: str


@dataclass
class MapData:
    points: list[list[Any]] = field(default_factory=list)  # [lat, lon, 1|0, label]
    yes: int = 0
    no: int = 0
    without_position: int = 0
    yes_label: str = ""
    no_label: str = ""


def household_choices(cset: CriteriaSet | None) -> list[Choice]:
    """What a village's household map can be coloured by: its ratio criteria, then the facts."""
    out = []
    if cset is not None:
        out += [
            Choice(f"criterion:{c.code}", f"{c.code} {c.title}")
            for c in cset.criteria
            if c.kind == "ratio"
        ]
    out += [
        Choice(f"fact:{f.key}", f.label)
        for f in facts_for("household")
        if f.type == "bool" and f.storage == "column"
    ]
    return out


def household_points(
    village: AdminUnit, key: str, cset: CriteriaSet | None, at: dt.date
) -> MapData:
    kind, _sep, name = key.partition(":")
    located = Q(latitude__isnull=False, longitude__isnull=False)
    data = MapData()
    if kind == "criterion" and cset is not None:
        criterion = cset.criterion(name)
        members = engine.members(village, criterion, at, cset=cset)
        if criterion.population == "households":
            rows = members.filter(located).values_list("latitude", "longitude", "met")
            data.without_position = members.exclude(located).count()
        else:
            # A household is "met" when every member of the criterion's population in it is.
            missing = (
                members.values("household_id")
                .annotate(n=Count("pk"), missing=Count("pk", filter=Q(met=False)))
                .values_list("household_id", "missing")
            )
            missing_of = dict(missing)
            households = Household.objects.filter(pk__in=list(missing_of))
            rows = [
                (lat, lon, missing_of[pk] == 0)
                for pk, lat, lon in households.filter(located).values_list(
                    "pk", "latitude", "longitude"
                )
            ]
            data.without_position = households.exclude(located).count()
    else:
        allowed = {c.key.partition(":")[2] for c in household_choices(None)}
        field_name = name if kind == "fact" and name in allowed else "fibre_internet"
        households = Household.objects.filter(village=village)
        rows = households.filter(located).values_list("latitude", "longitude", field_name)
        data.without_position = households.exclude(located).count()
    for lat, lon, met in rows:
        data.points.append([float(lat), float(lon), 1 if met else 0])
        data.yes += int(bool(met))
        data.no += int(not met)
    return data


def village_points(unit: AdminUnit, results: list[tuple[AdminUnit, bool]]) -> MapData:
    """Each village under `unit` (with whether it passes the set) where the commune placed it,
    else at its households' centroid; 1 if it passes."""
    ids = [village.pk for village, _passed in results]
    centroids = {
        row["village_id"]: (row["lat"], row["lon"])
        for row in Household.objects.filter(
            village_id__in=ids, latitude__isnull=False, longitude__isnull=False
        )
        .values("village_id")
        .annotate(lat=Avg("latitude"), lon=Avg("longitude"))
    }
    # Where the commune placed a village wins over its households' centre.
    centroids.update(
        {
            pk: (lat, lon)
            for pk, lat, lon in VillagePosition.objects.filter(unit_id__in=ids).values_list(
                "unit_id", "latitude", "longitude"
            )
        }
    )
    data = MapData()
    for village, passed in results:
        position = centroids.get(village.pk)
        if position is None:
            data.without_position += 1
            continue
        data.points.append(
            [float(position[0]), float(position[1]), 1 if passed else 0, village.name]
        )
        data.yes += int(passed)
        data.no += int(not passed)
    return data


def area_roots(unit: AdminUnit) -> list[str]:
    return area_paths([unit])[unit.pk]


@dataclass
class Placement:
    """Where a commune's village is drawn, and whether the user may move it."""

    village: AdminUnit
    source: str  # "commune" (placed by hand), "households" (their centre) or "" (nowhere)
    may_place: bool


def placements(user: Any, commune: AdminUnit) -> list[Placement]:
    """The commune's villages with the source of their point on the map (two queries)."""
    from smartvillage.homes.services import may_place

    villages = list(AdminUnit.objects.filter(parent=commune, level=Level.VILLAGE).order_by("name"))
    ids = [v.pk for v in villages]
    placed = set(VillagePosition.objects.filter(unit_id__in=ids).values_list("unit_id", flat=True))
    centred = set(
        Household.objects.filter(
            village_id__in=ids, latitude__isnull=False, longitude__isnull=False
        )
        .values_list("village_id", flat=True)
        .distinct()
    )
    return [
        Placement(
            v,
            "commune" if v.pk in placed else "households" if v.pk in centred else "",
            may_place(user, v),
        )
        for v in villages
    ]


def households_centre(village: AdminUnit) -> tuple[float, float] | None:
    """The centre of the village's households that have coordinates (None without any)."""
    row = Household.objects.filter(
        village=village, latitude__isnull=False, longitude__isnull=False
    ).aggregate(lat=Avg("latitude"), lon=Avg("longitude"))
    if row["lat"] is None or row["lon"] is None:
        return None
    return float(row["lat"]), float(row["lon"])
