"""Maps and trends of a unit: where its households (or villages) stand, and how each criterion
moved. Every map and chart has its numbers in a table beside it (a phone without JavaScript,
a screen reader, a printout)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartvillage.accounts.permissions import get_visible_unit
from smartvillage.audit import services as audit
from smartvillage.core.errors import DomainError
from smartvillage.criteria import areas, engine
from smartvillage.criteria.loader import CriteriaSet
from smartvillage.criteria.services import default_at, parse_at
from smartvillage.homes import dashboards, maps, services
from smartvillage.homes.models import VillagePosition
from smartvillage.units.models import AdminUnit, Level

TREND_POINTS = 6


def _set_and_date(request: HttpRequest, unit: AdminUnit) -> tuple[CriteriaSet | None, dt.date]:
    cset = dashboards.village_set(unit)
    text = request.GET.get("at", "").strip()
    return cset, parse_at(text) if text else default_at(cset)[0]


@login_required
def unit_map(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit(request.user, pk)
    cset, at = _set_and_date(request, unit)
    context: dict[str, Any] = {
        "unit": unit,
        "cset": cset,
        "at": at,
        "tile_url": getattr(settings, "SMARTVILLAGE_MAP_TILE_URL", ""),
    }
    if unit.level == Level.VILLAGE:
        choices = maps.household_choices(cset)
        keys = [c.key for c in choices]
        key = request.GET.get("by", "")
        key = key if key in keys else (keys[0] if keys else "fact:fibre_internet")
        data = maps.household_points(unit, key, cset, at)
        data.yes_label, data.no_label = _("Đạt / có"), _("Chưa đạt / chưa có")
        context.update(choices=choices, key=key, data=data, households=True)
        # Where households are is personal data: each look is on record (throttled).
        audit.record_view(
            actor=request.user,
            unit=unit,
            object_type="household_map",
            object_id=f"{unit.pk}:{key}"[:40],
            object_repr=f"Bản đồ hộ {unit.full_name} ({key})",
            note="Xem bản đồ vị trí hộ",
        )
    else:
        overview = areas.area_overview(unit, cset, at) if cset else None
        if overview is not None:
            # A district or province: who passes comes from the per-commune summaries.
            villages = engine.children_at_level(unit, Level.VILLAGE)
            pairs = [(v, v.pk in overview.passing) for v in villages]
        else:
            results = engine.evaluate_children(unit, cset, at) if cset else []
            pairs = [(r.unit, r.passed) for r in results]
        data = maps.village_points(unit, pairs)
        data.yes_label, data.no_label = _("Thôn đạt"), _("Thôn chưa đạt")
        context.update(data=data, households=False)
        if unit.level == Level.COMMUNE:
            context["placements"] = maps.placements(request.user, unit)
    return render(request, "homes/unit_map.html", context)


@login_required
def village_position(request: HttpRequest, pk: int) -> HttpResponse:
    """The commune places a village on the maps: typed coordinates, a tap on the map, or the
    phone's own position while standing at the village's hall."""
    village = get_visible_unit(request.user, pk)
    if village.level != Level.VILLAGE:
        raise Http404(_("Chỉ đặt vị trí cho thôn, ấp, khu dân cư."))
    if not services.may_place(request.user, village):
        raise PermissionDenied(_("Bạn không có quyền đặt vị trí của %(u)s.") % {"u": village})
    position = VillagePosition.objects.filter(unit=village).first()
    values = {
        "latitude": str(position.latitude).replace(".", ",") if position else "",
        "longitude": str(position.longitude).replace(".", ",") if position else "",
    }
    error = ""
    if request.method == "POST":
        back = reverse("core:unit_map", args=[village.parent_id or village.pk])
        try:
            if "clear" in request.POST:
                services.do_clear_village_position(request.user, village)
                messages.success(request, _("Đã bỏ vị trí đặt tay của %(u)s.") % {"u": village})
            else:
                values = {k: request.POST.get(k, "") for k in ("latitude", "longitude")}
                services.do_set_village_position(
                    request.user, village, values["latitude"], values["longitude"]
                )
                messages.success(request, _("Đã lưu vị trí của %(u)s.") % {"u": village})
            return redirect(back)
        except DomainError as exc:
            error = str(exc)
    return render(
        request,
        "homes/village_position.html",
        {
            "unit": village,
            "values": values,
            "position": position,
            "error": error,
            "tile_url": getattr(settings, "SMARTVILLAGE_MAP_TILE_URL", ""),
            # Where the map opens before a point is chosen: the households' centre, if known.
            "centre": maps.households_centre(village),
        },
        status=400 if error else 200,
    )


def trend_dates(cset: CriteriaSet, at: dt.date, points: int = TREND_POINTS) -> list[dt.date]:
    """Quarter ends up to `at` (and `at` itself) inside the set's validity, oldest first."""
    dates = [at]
    year, quarter = at.year, (at.month - 1) // 3
    while len(dates) < points:
        # The last day of the previous quarter.
        end = dt.date(year, quarter * 3 + 1, 1) - dt.timedelta(days=1)
        if end < cset.valid_from:
            break
        if end < at:
            dates.append(end)
        year, quarter = end.year, (end.month - 1) // 3
    return sorted(set(dates))


def _totals(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> engine.UnitResult:
    """The unit's result at `at`: a district's or province's from its per-commune summaries
    (criteria/areas.py; six dates of a thousand villages each otherwise), else the engine's."""
    overview = areas.area_overview(unit, cset, at)
    if overview is not None and overview.result is not None:
        return overview.result
    return engine.evaluate(unit, cset, at)


@login_required
def unit_trend(request: HttpRequest, pk: int) -> HttpResponse:
    """Each ratio criterion's value at a few dates. The results store keeps today's counts, not a
    history, so the points are evaluated live at each date (ages move populations; the facts
    are as recorded now)."""
    unit = get_visible_unit(request.user, pk)
    cset, at = _set_and_date(request, unit)
    context: dict[str, Any] = {"unit": unit, "cset": cset, "at": at}
    if cset is not None and engine.can_evaluate(unit, cset):
        dates = trend_dates(cset, at)
        results = [_totals(unit, cset, d) for d in dates]
        rows = []
        for index, c in enumerate(results[-1].criteria):
            if c.kind not in ("ratio", "reported", "aggregate"):
                continue
            values = [r.criteria[index].percent for r in results]
            rows.append({"code": c.code, "title": c.title, "values": values})
        context.update(
            dates=dates,
            rows=rows,
            chart={
                "labels": [d.strftime("%d/%m/%Y") for d in dates],
                "series": [{"label": r["code"], "values": r["values"]} for r in rows],
            },
        )
    return render(request, "homes/unit_trend.html", context)
