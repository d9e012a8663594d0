"""Criteria pages: a unit's live status, the commune matrix, and worklists (HTML and XLSX)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core.errors import DomainError
from smartvillage.criteria import areas, engine
from smartvillage.criteria.services import default_at, parse_at, pick_set
from smartvillage.criteria.worklist import worklist_xlsx
from smartvillage.units.models import AdminUnit, Level

MATRIX_MAX_ROWS = 60


def _unit(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> AdminUnit:
    unit = get_object_or_404(AdminUnit, pk=pk)
    if not permissions.can(request.user, Action.VIEW, unit):
        raise Http404(_("Không tìm thấy đơn vị."))
    if action != Action.VIEW and not permissions.can(request.user, action, unit):
        raise permissions_denied()
    return unit


def reference_date(request: HttpRequest, cset: Any) -> tuple[Any, str]:
    """The date asked for (dd/mm/yyyy or ISO), else the set's default date with its note."""
    if request.GET.get("at", "").strip():
        return parse_at(request.GET["at"]), ""
    return default_at(cset)


def permissions_denied() -> Exception:
    from django.core.exceptions import PermissionDenied

    return PermissionDenied(_("Bạn không có quyền thực hiện thao tác này."))


@login_required
def unit_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    """Status of a unit against a criteria set; for a commune also the villages × criteria matrix."""
    unit = _unit(request, pk)
    cset, sets = pick_set(unit, request.GET.get("set"))
    at, at_note = reference_date(request, cset)
    context: dict[str, Any] = {
        "unit": unit,
        "at": at,
        "at_note": at_note,
        "cset": cset,
        "sets": sets,
    }
    overview = areas.area_overview(unit, cset, at) if cset is not None else None
    if overview is not None and overview.villages > MATRIX_MAX_ROWS:
        # A district or province: no matrix of its hundreds of villages, only the totals and
        # the rollup, from the per-commune summaries (criteria/areas.py).
        if overview.result is not None:
            context["result"] = overview.result
        context.update(
            children_count=overview.villages,
            children_are_communes=False,
            rollup=overview.rollup,
            show_matrix=False,
            column_totals=overview.column_totals,
            villages_passed=overview.passed,
        )
    elif cset is not None:
        # A province sees a commune set only commune by commune (no summed result of its own).
        # One pass: the unit's totals are the sums of the rows its children show.
        result, children = engine.evaluate_with_children(unit, cset, at)
        if result is not None:
            context["result"] = result
        if children:
            context["children"] = children
            context["children_count"] = len(children)
            context["children_are_communes"] = cset.level == Level.COMMUNE
            if unit.level in {Level.PROVINCE, Level.DISTRICT}:
                context["rollup"] = engine.rollup(unit, children)
                # A province has hundreds of villages: the matrix is for a commune-sized list.
                context["show_matrix"] = len(children) <= MATRIX_MAX_ROWS
            else:
                context["show_matrix"] = True
            context["column_totals"] = [
                sum(1 for child in children if child.criteria[i].status == engine.PASS)
                for i in range(len(cset.criteria))
            ]
            context["villages_passed"] = sum(1 for child in children if child.passed)
    template = "criteria/_panel.html" if request.htmx else "criteria/unit_criteria.html"
    return render(request, template, context)


def _criterion_result(result: engine.UnitResult, code: str) -> engine.CriterionResult:
    """The result of criterion `code`, or of the `also` part with that code."""
    for c in result.criteria:
        if c.code == code:
            return c
        for part in c.parts:
            if part["code"] == code:
                return engine.CriterionResult(**part)
    raise Http404(_("Không có tiêu chí này."))


@login_required
def worklist(request: HttpRequest, pk: int, slug: str, code: str) -> HttpResponse:
    """Households/persons of a ratio criterion's population; by default those not yet meeting it."""
    unit = _unit(request, pk)
    cset, _sets = pick_set(unit, slug)
    at, _note = reference_date(request, cset)
    if cset is None or cset.slug != slug:
        raise Http404(_("Không có bộ tiêu chí này."))
    try:
        criterion = cset.criterion(code)
    except DomainError:
        raise Http404(_("Không có tiêu chí này.")) from None
    if criterion.kind != "ratio":
        raise Http404(_("Tiêu chí này không tính theo danh sách hộ/người."))
    show = request.GET.get("show", "missing")
    met = {"missing": False, "met": True}.get(show)
    qs = engine.members(unit, criterion, at, met=met, cset=cset)
    query = request.GET.get("q", "").strip()
    is_household = criterion.population == "households"
    if query:
        qs = (
            qs.filter(Q(head_name__icontains=query) | Q(code__icontains=query))
            if is_household
            else qs.filter(Q(full_name__icontains=query) | Q(household__code__icontains=query))
        )
    if request.GET.get("format") == "xlsx":
        if not permissions.can(request.user, Action.EXPORT_PERSONAL, unit):
            raise permissions_denied()
        content = worklist_xlsx(unit, cset, criterion, at, qs, show)
        rows = qs.count()
        audit.record(
            actor=request.user,
            action=AuditAction.EXPORT,
            unit=unit,
            object_type="worklist",
            object_repr=f"{cset.slug} {criterion.code} ({show})",
            note=f"{rows} dòng",
            count=rows,
        )
        filename = f"danh-sach-{cset.slug}-{criterion.code}-{unit.code}.xlsx"
        response = HttpResponse(
            content,
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    audit.record_view(
        actor=request.user,
        unit=unit,
        object_type="worklist",
        object_id=f"{unit.pk}:{cset.slug}:{criterion.code}",
        object_repr=f"{cset.slug} {criterion.code}",
        note="Xem danh sách hộ/người theo tiêu chí",
        count=len(page.object_list),
    )
    result = _criterion_result(engine.evaluate(unit, cset, at), code)
    context = {
        "unit": unit,
        "cset": cset,
        "criterion": criterion,
        "result": result,
        "at": at,
        "page": page,
        "show": show,
        "query": query,
        "is_household": is_household,
        "may_export": permissions.can(request.user, Action.EXPORT_PERSONAL, unit),
    }
    if request.htmx and request.htmx.target == "worklist-rows":
        return render(request, "criteria/_worklist_rows.html", context)
    return render(request, "criteria/worklist.html", context)
