"""Household and person pages. Thin: forms validate, registry.services write and audit.

Objects of units the user may not view are a 404; objects she may view but not edit are a 403.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action, get_visible_unit
from smartvillage.core import concurrency
from smartvillage.registry import facts, services
from smartvillage.registry.forms import HouseholdForm, PersonForm
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import Level


def _visible_household(user: Any, pk: int) -> Household:
    household = get_object_or_404(Household.objects.select_related("village"), pk=pk)
    if not permissions.can(user, Action.VIEW, household.village):
        raise Http404(_("Không tìm thấy hộ."))
    return household


def _visible_person(user: Any, pk: int) -> Person:
    person = get_object_or_404(Person.objects.select_related("household__village"), pk=pk)
    if not permissions.can(user, Action.VIEW, person.household.village):
        raise Http404(_("Không tìm thấy nhân khẩu."))
    return person


def fact_value(obj: Household | Person, fact: facts.Fact) -> object:
    """A fact's value on a household/person, whether it is a column or a key in `extra`."""
    if fact.storage == "column":
        return getattr(obj, fact.key)
    return (obj.extra or {}).get(fact.key)


def _require_edit(user: Any, unit: Any) -> None:
    if not permissions.can(user, Action.EDIT_REGISTRY, unit):
        raise PermissionDenied(
            gettext("Bạn không có quyền sửa danh sách hộ, nhân khẩu của đơn vị này.")
        )


def _apply_service_errors(form: Any, exc: ValidationError) -> None:
    """A model validation error raised inside the service (nothing was written) shown on the form.

    Errors of a form field go to that field, prefixed with its label; errors of the whole object
    (NON_FIELD_ERRORS, e.g. a uniqueness constraint) and of model fields the form does not show go
    to the top of the form, the latter prefixed with the model field's name.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, " ".join(exc.messages))
        return
    model_fields = {f.name: f for f in form._meta.model._meta.fields}
    for name, errors in exc.error_dict.items():
        text = " ".join(m for error in errors for m in error.messages)
        if name == NON_FIELD_ERRORS:
            form.add_error(None, text)
        elif name in form.fields:
            form.add_error(name, f"{form.fields[name].label}: {text}")
        else:
            field = model_fields.get(name)
            label = capfirst(field.verbose_name) if field is not None else name
            form.add_error(None, f"{label}: {text}")


def _edit_version(request: HttpRequest, obj: Household | Person) -> int:
    """The version the edit form is based on: the one it was shown with (kept through a form
    error), or the row's current one on a first showing (optimistic locking)."""
    posted = concurrency.posted_version(request) if request.method == "POST" else None
    return posted if posted is not None else obj.version


@login_required
def household_detail(request: HttpRequest, pk: int) -> HttpResponse:
    household = _visible_household(request.user, pk)
    services.record_household_view(request.user, household)
    household_facts = [(f, fact_value(household, f)) for f in facts.facts_for("household")]
    person_fact_defs = facts.facts_for("person")
    persons = [
        (p, [f for f in person_fact_defs if fact_value(p, f)])
        for p in household.persons.order_by("id")
    ]
    return render(
        request,
        "registry/household_detail.html",
        {
            "household": household,
            "unit": household.village,
            "household_facts": household_facts,
            "persons": persons,
            "may_edit": permissions.can(request.user, Action.EDIT_REGISTRY, household.village),
            "may_view_audit": permissions.can(request.user, Action.VIEW_AUDIT, household.village),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest, unit_pk: int) -> HttpResponse:
    village = get_visible_unit(request.user, unit_pk)
    if village.level != Level.VILLAGE:
        raise Http404(_("Hộ chỉ thuộc về thôn."))
    _require_edit(request.user, village)
    form = HouseholdForm(request.POST or None, village=village, instance=Household(village=village))
    if request.method == "POST" and form.is_valid():
        try:
            household = services.do_create_household(request.user, village, **form.service_fields())
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(request, gettext("Đã thêm hộ %(code)s.") % {"code": household.code})
            return redirect("registry:household", household.pk)
    return render(
        request, "registry/household_form.html", {"form": form, "unit": village, "household": None}
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_edit(request: HttpRequest, pk: int) -> HttpResponse:
    household = _visible_household(request.user, pk)
    _require_edit(request.user, household.village)
    if request.method == "GET":
        services.record_household_view(request.user, household)
    form = HouseholdForm(request.POST or None, village=household.village, instance=household)
    edit_version = _edit_version(request, household)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_household(
                request.user,
                Household.objects.get(pk=pk),
                expected_version=concurrency.posted_version(request),
                **form.service_fields(),
            )
        except concurrency.StaleEdit as exc:
            # Someone saved in between: show their change, keep what this user typed.
            form.add_error(None, exc.message)
            edit_version = exc.current.version
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(
                request, gettext("Đã lưu hộ %(code)s.") % {"code": form.cleaned_data["code"]}
            )
            return redirect("registry:household", pk)
    return render(
        request,
        "registry/household_form.html",
        {
            "form": form,
            "unit": household.village,
            "household": household,
            "edit_version": edit_version,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_delete(request: HttpRequest, pk: int) -> HttpResponse:
    household = _visible_household(request.user, pk)
    _require_edit(request.user, household.village)
    if not permissions.can(request.user, Action.DELETE_HOUSEHOLD, household.village):
        raise PermissionDenied(gettext("Chỉ trưởng thôn và cán bộ xã được xóa hộ."))
    if request.method == "POST":
        village = household.village
        services.do_delete_household(request.user, household)
        messages.success(request, gettext("Đã xóa hộ %(code)s.") % {"code": household.code})
        return redirect("core:unit", village.pk)
    services.record_confirmation_view(request.user, household)  # names the head and the count
    return render(
        request,
        "registry/confirm_delete.html",
        {
            "unit": household.village,
            "household": household,
            "object_label": str(household),
            "cancel_url": reverse("registry:household", args=[household.pk]),
            "person_count": household.persons.count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, household_pk: int) -> HttpResponse:
    household = _visible_household(request.user, household_pk)
    _require_edit(request.user, household.village)
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.do_create_person(request.user, household, **form.service_fields())
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(
                request, gettext("Đã thêm nhân khẩu %(name)s.") % {"name": person.full_name}
            )
            return redirect("registry:household", household.pk)
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "unit": household.village, "household": household, "person": None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request.user, pk)
    household = person.household
    _require_edit(request.user, household.village)
    if request.method == "GET":
        # The form shows the person's name, birth date and facts (Law 91/2025: log who looked).
        services.record_person_view(request.user, person)
    form = PersonForm(request.POST or None, instance=person)
    edit_version = _edit_version(request, person)
    if request.method == "POST" and form.is_valid():
        try:
            services.do_update_person(
                request.user,
                Person.objects.get(pk=pk),
                expected_version=concurrency.posted_version(request),
                **form.service_fields(),
            )
        except concurrency.StaleEdit as exc:
            form.add_error(None, exc.message)
            edit_version = exc.current.version
        except ValidationError as exc:
            _apply_service_errors(form, exc)
        else:
            messages.success(
                request,
                gettext("Đã lưu nhân khẩu %(name)s.") % {"name": form.cleaned_data["full_name"]},
            )
            return redirect("registry:household", household.pk)
    return render(
        request,
        "registry/person_form.html",
        {
            "form": form,
            "unit": household.village,
            "household": household,
            "person": person,
            "edit_version": edit_version,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = _visible_person(request.user, pk)
    household = person.household
    _require_edit(request.user, household.village)
    if request.method == "POST":
        services.do_delete_person(request.user, person)
        messages.success(
            request, gettext("Đã xóa nhân khẩu %(name)s.") % {"name": person.full_name}
        )
        return redirect("registry:household", household.pk)
    services.record_confirmation_view(request.user, person)
    return render(
        request,
        "registry/confirm_delete.html",
        {
            "unit": household.village,
            "household": household,
            "object_label": person.full_name,
            "cancel_url": reverse("registry:household", args=[household.pk]),
        },
    )
