"""Tick-to-fix on a worklist: the digital team records, from the worklist row, the fact a
household or person was missing ("has fibre now"), through the registry's audited
`do_update_household` / `do_update_person`; the row and the criterion's count update in place.

Only where the criterion's numerator is plain facts joined by "and" (fibre_internet,
internet and mobile_broadband, smartphone): ticking sets exactly those facts, nothing guessed.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.core.errors import DomainError
from smartvillage.criteria import engine
from smartvillage.criteria.loader import Criterion
from smartvillage.criteria.services import default_at, parse_at, pick_set
from smartvillage.registry import services as registry_services
from smartvillage.registry.models import Household, Person

_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def fix_fields(criterion: Criterion) -> list[str]:
    """The boolean facts that, set to true, make a member meet `criterion` ([] if none such)."""
    if criterion.kind != "ratio" or not criterion.numerator:
        return []
    model = Household if criterion.population == "households" else Person
    names = [part.strip() for part in criterion.numerator.split(" and ")]
    fields = {f.name: f for f in model._meta.get_fields() if isinstance(f, BooleanField)}
    if not names or not all(_NAME.match(n) and n in fields for n in names):
        return []
    return names


def may_fix(user: Any, unit: Any) -> bool:
    return permissions.can(user, Action.EDIT_REGISTRY, unit)


@login_required
@require_POST
def worklist_fix(request: HttpRequest, pk: int, slug: str, code: str, member: int) -> HttpResponse:
    unit = permissions.get_visible_unit(request.user, pk)
    if not may_fix(request.user, unit):
        raise PermissionDenied(_("Bạn không có quyền sửa sổ hộ của đơn vị này."))
    cset, _sets = pick_set(unit, slug)
    if cset is None or cset.slug != slug:
        raise Http404(_("Không có bộ tiêu chí này."))
    try:
        criterion = cset.criterion(code)
    except DomainError:
        raise Http404(_("Không có tiêu chí này.")) from None
    fields = fix_fields(criterion)
    if not fields:
        raise Http404(_("Tiêu chí này không sửa nhanh được từ danh sách."))
    values = dict.fromkeys(fields, True)
    is_household = criterion.population == "households"
    # Only a member of this unit's worklist: the same scope as the list she ticked it on.
    if is_household:
        obj = get_object_or_404(Household.objects.select_related("village"), pk=member)
    else:
        obj = get_object_or_404(Person.objects.select_related("household__village"), pk=member)
    village = obj.village if is_household else obj.household.village
    if not village.path.startswith(unit.path) and village.pk != unit.pk:
        raise Http404
    try:
        if is_household:
            obj = registry_services.do_update_household(request.user, obj, **values)
        else:
            obj = registry_services.do_update_person(request.user, obj, **values)
    except DomainError as exc:
        return HttpResponse(exc.message, status=409)
    at_text = request.POST.get("at", "")
    back = reverse("criteria:worklist", args=[unit.pk, slug, code]) + (
        f"?at={at_text}" if at_text else ""
    )
    if not request.htmx:
        return redirect(back)
    from smartvillage.criteria.views import _criterion_result

    at = parse_at(at_text) if at_text else default_at(cset)[0]
    result = _criterion_result(engine.evaluate(unit, cset, at), code)
    return render(
        request,
        "criteria/_worklist_fixed.html",
        {"m": obj, "is_household": is_household, "result": result, "fields": fields},
    )
