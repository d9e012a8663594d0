"""Site-wide pages: login/logout, the home page of each role, all units as a tree, unit search
and the unit page.

Permission rule of every page (accounts.permissions is the only judge): a unit or object the user
may not view is a 404 (its existence is not revealed); one she may view but not change is a 403.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action, get_visible_unit
from smartvillage.core.errors import DomainError
from smartvillage.homes import dashboards, inbox
from smartvillage.registry import services as registry_services
from smartvillage.registry.facts import fold
from smartvillage.registry.models import Household, Person
from smartvillage.units.forms import VillageForm
from smartvillage.units.models import LEVEL_DEPTH, AdminUnit, Level, Scheme, UnitSuccession
from smartvillage.units.services import do_add_village

PAGE_SIZE = 25
# How many levels below each of her top units the home page lists (a province appraiser sees
# districts and communes there, and reaches villages through the unit pages).
HOME_TREE_DEPTH = 2


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Sai tên đăng nhập hoặc mật khẩu. Lưu ý: mật khẩu phân biệt chữ hoa, chữ thường."
        ),
        "inactive": _("Tài khoản này đã bị khóa. Vui lòng liên hệ quản trị viên."),
    }


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    form_class = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    # Django 5 logs out on POST only; the header's button posts.
    pass


def _build_tree(tops: list[AdminUnit]) -> list[dict[str, Any]]:
    """Nested [{unit, children}] for the home page, from one query over the top units' subtrees."""
    if not tops:
        return []
    condition = Q()
    for top in tops:
        allowed = [
            lvl
            for lvl, depth in LEVEL_DEPTH.items()
            if depth <= LEVEL_DEPTH[Level(top.level)] + HOME_TREE_DEPTH
        ]
        condition |= Q(path__startswith=top.path, level__in=allowed)
    units = list(
        AdminUnit.objects.filter(condition, is_active=True).order_by("path", "name")[:2000]
    )
    nodes: dict[int, dict[str, Any]] = {u.pk: {"unit": u, "children": []} for u in units}
    order = {t.pk: i for i, t in enumerate(tops)}
    roots: list[dict[str, Any]] = []
    for unit in units:
        node = nodes[unit.pk]
        if unit.pk in order:
            roots.append(node)
        elif unit.parent_id in nodes:
            nodes[unit.parent_id]["children"].append(node)
    for node in nodes.values():
        node["children"].sort(key=lambda n: n["unit"].name)
    # In the order given (a 2025 commune, then its former communes).
    roots.sort(key=lambda r: order[r["unit"].pk])
    # A top unit inside another top unit's subtree is already shown there.
    shown_inside = {n["unit"].pk for r in roots for n in _walk(r["children"])}
    return [r for r in roots if r["unit"].pk not in shown_inside]


def _walk(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for node in nodes:
        out.append(node)
        out.extend(_walk(node["children"]))
    return out


@login_required
def all_units(request: HttpRequest) -> HttpResponse:
    """ "Tất cả đơn vị": the user's units as a tree (the home page before issue 10)."""
    tops = permissions.top_units(request.user)
    # A role on a 2025 commune also covers the villages recorded under its pre-2025 communes:
    # list those communes too, each right after the unit it became part of.
    former = permissions.former_units(request.user)
    successor_of: dict[int, AdminUnit] = {}
    ordered: list[AdminUnit] = []
    for top in tops:
        ordered.append(top)
        for old in former.get(top.pk, []):
            successor_of.setdefault(old.pk, top)
            ordered.append(old)
    tree = _build_tree(ordered)
    for node in tree:
        node["successor"] = successor_of.get(node["unit"].pk)
    return render(request, "homes/all_units.html", {"tree": tree})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The home of her widest role: what waits for her (the inbox) and her day's main page."""
    user = request.user
    kind = inbox.home_kind(user)
    sections = inbox.counted_sections(user)
    context: dict[str, Any] = {"kind": kind}
    if kind == inbox.VILLAGE:
        context["villages"] = [dashboards.village_summary(v) for v in inbox.village_units(user)]
    elif kind == inbox.COMMUNE:
        context["communes"] = [dashboards.commune_matrix(c) for c in inbox.commune_units(user)]
    elif kind == inbox.APPRAISER:
        context["areas"] = [dashboards.area_dashboard(u) for u in inbox.top_area_units(user)]
    context["sections"] = inbox.visible_sections(sections)
    # The navigation's count is these sections' sum: not a second round of the same queries.
    request._inbox_count = sum(s.count for s in sections if s.counted)  # type: ignore[attr-defined]
    return render(request, "homes/home.html", context)


@login_required
def unit_search(request: HttpRequest) -> HttpResponse:
    """Units she may view by name (the dashboards' search box; htmx fills the list as she types)."""
    query = request.GET.get("q", "")
    units = inbox.search_units(request.user, query)
    template = "homes/_unit_results.html" if request.htmx else "homes/unit_search.html"
    return render(request, template, {"units": units, "query": query})


def _child_of(path: str, depth: int) -> int | None:
    """The id of the child unit (at `depth` segments) on a descendant's materialised path."""
    parts = path.strip("/").split("/")
    return int(parts[depth]) if len(parts) > depth else None


def child_units_with_counts(unit: AdminUnit) -> list[AdminUnit]:
    """Children of `unit` with the household, person and village counts of their subtrees.

    A fixed number of queries whatever the number of children: one GROUP BY village per count
    over the unit's subtree (a literal path prefix, so the path index is used), then the village
    rows are summed into children in Python. Correlated per-child subqueries would rescan the
    registry once per child.
    """
    children = list(unit.children.filter(is_active=True).order_by("name"))
    by_id = {child.pk: child for child in children}
    for child in children:
        child.household_count = child.person_count = child.village_count = 0
    depth = len(unit.path.strip("/").split("/"))
    groups = {
        "household_count": Household.objects.filter(
            village__path__startswith=unit.path
        ).values_list("village__path"),
        "person_count": Person.objects.filter(village__path__startswith=unit.path).values_list(
            "village__path"
        ),
        "village_count": AdminUnit.objects.filter(
            path__startswith=unit.path, level=Level.VILLAGE, is_active=True
        ).values_list("path"),
    }
    for attr, rows in groups.items():
        for path, n in rows.order_by().annotate(n=Count("pk")).values_list(rows._fields[0], "n"):
            child = by_id.get(_child_of(path, depth))
            if child is not None:
                setattr(child, attr, getattr(child, attr) + n)
    _add_former_communes(unit, by_id)
    return children


_COUNTS = ("village_count", "household_count", "person_count")


def _counts_of_villages_under(commune_ids: Any) -> dict[int, dict[str, int]]:
    """{commune id: village, household and person counts of the villages directly under it}.

    `commune_ids` is a subquery (or list) of commune ids; three GROUP BY queries whatever its size.
    """
    out: dict[int, dict[str, int]] = defaultdict(lambda: dict.fromkeys(_COUNTS, 0))
    villages = AdminUnit.objects.filter(
        parent_id__in=commune_ids, level=Level.VILLAGE, is_active=True
    )
    groups = (
        ("village_count", villages, "parent_id"),
        ("household_count", Household.objects.filter(village__parent_id__in=commune_ids), None),
        ("person_count", Person.objects.filter(village__parent_id__in=commune_ids), None),
    )
    for attr, qs, key in groups:
        key = key or "village__parent_id"
        grouped = qs.order_by().values(key).annotate(n=Count("pk")).values_list(key, "n")
        for commune_id, n in grouped:
            out[commune_id][attr] += n
    return out


def former_units_with_counts(unit: AdminUnit) -> list[AdminUnit]:
    """The pre-2025 units `unit` (of the 2025 scheme) took over, main links only.

    Communes come with the counts of their villages; a 2025 province lists its former provinces
    without counts (its communes' rows already include their former communes' villages).
    """
    if unit.scheme != Scheme.FROM_2025:
        return []
    links = UnitSuccession.objects.filter(new=unit, is_default=True)
    former = sorted((link.old for link in links.select_related("old")), key=lambda u: u.name)
    if unit.level == Level.COMMUNE and former:
        counts = _counts_of_villages_under([u.pk for u in former])
        for old in former:
            for attr in _COUNTS:
                setattr(old, attr, counts[old.pk][attr] if old.pk in counts else 0)
    return former


def _add_former_communes(unit: AdminUnit, by_id: dict[int, AdminUnit]) -> None:
    """Add to each 2025 commune child of `unit` the villages recorded under its former communes."""
    if unit.scheme != Scheme.FROM_2025 or unit.level == Level.COMMUNE:
        return
    links = UnitSuccession.objects.filter(
        new__parent=unit, new__level=Level.COMMUNE, is_default=True
    )
    new_of = dict(links.values_list("old_id", "new_id"))
    if not new_of:
        return
    for old_id, counts in _counts_of_villages_under(links.values("old_id")).items():
        child = by_id.get(new_of.get(old_id, 0))
        if child is not None:
            for attr in _COUNTS:
                setattr(child, attr, getattr(child, attr) + counts[attr])


def search_households(village: AdminUnit, query: str) -> QuerySet[Household]:
    """Households of a village whose code, head's name or a member's name contains `query`,
    ignoring case and Vietnamese diacritics ("bich" finds "Bích", "duc" finds "Đức").

    Folding happens in Python over one village (about 1.000-1.500 people): the same result on
    SQLite and PostgreSQL without an unaccent extension or a stored folded column.
    """
    qs = Household.objects.filter(village=village).annotate(person_count=Count("persons"))
    needle = fold(query)
    if needle:
        rows = Household.objects.filter(village=village).values_list("pk", "code", "head_name")
        matches = {pk for pk, code, head in rows if needle in fold(code) or needle in fold(head)}
        members = Person.objects.filter(village=village).values_list("household_id", "full_name")
        matches |= {household_id for household_id, name in members if needle in fold(name)}
        qs = qs.filter(pk__in=matches)
    return qs.order_by("code")


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit(request.user, pk)
    context: dict[str, Any] = {
        "unit": unit,
        "may_edit": permissions.can(request.user, Action.EDIT_REGISTRY, unit),
        "may_view_audit": permissions.can(request.user, Action.VIEW_AUDIT, unit),
    }
    if unit.level == Level.VILLAGE:
        query = request.GET.get("q", "")
        households = search_households(unit, query)
        page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
        context.update(
            query=query,
            page=page,
            household_total=Household.objects.filter(village=unit).count(),
            person_total=Person.objects.filter(village=unit).count(),
        )
        # Household codes and heads' names are personal data: log who listed them.
        registry_services.record_household_list_view(
            request.user, unit, channel="web", count=len(page.object_list)
        )
        if request.htmx and request.htmx.target == "household-list":
            return render(request, "homes/_household_list.html", context)
        # Phone first: the village's result and its failing criteria before the household list.
        context["s"] = dashboards.village_summary(unit)
        return render(request, "homes/unit_village.html", context)
    children = list(child_units_with_counts(unit))
    former = former_units_with_counts(unit)
    counted = children + [u for u in former if hasattr(u, "household_count")]
    may_add_village = unit.level == Level.COMMUNE and permissions.can(
        request.user, Action.MANAGE_UNITS, unit
    )
    context.update(
        children=children,
        former=former,
        former_counted=unit.level == Level.COMMUNE,
        household_total=sum(c.household_count for c in counted),
        person_total=sum(c.person_count for c in counted),
        village_total=sum(c.village_count for c in counted),
        may_add_village=may_add_village,
        village_form=VillageForm() if may_add_village else None,
    )
    return render(request, "homes/unit_area.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def village_create(request: HttpRequest, pk: int) -> HttpResponse:
    """The "Thêm thôn" form of a commune: 404 if she may not see it, 403 if she may not add."""
    commune = get_visible_unit(request.user, pk)
    if commune.level != Level.COMMUNE:
        raise Http404(_("Thôn chỉ thêm được vào một xã, phường, thị trấn hoặc đặc khu."))
    if not permissions.can(request.user, Action.MANAGE_UNITS, commune):
        raise PermissionDenied(
            gettext("Bạn không có quyền thêm thôn vào %(u)s.") % {"u": commune.full_name}
        )
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village, created = do_add_village(
                request.user,
                commune,
                form.cleaned_data["name"],
                form.cleaned_data["village_type"],
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            if created:
                messages.success(
                    request,
                    gettext("Đã thêm %(village)s (mã %(code)s) vào %(commune)s.")
                    % {
                        "village": village.full_name,
                        "code": village.code,
                        "commune": commune.full_name,
                    },
                )
                return redirect("core:unit", village.pk)
            form.name_taken(village)
    return render(request, "homes/village_form.html", {"form": form, "unit": commune})
