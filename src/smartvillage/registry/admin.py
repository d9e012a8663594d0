"""Households and persons in the Django admin: scoped by unit, and every write goes through
registry.services (permission check + audit), exactly as on the pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.audit.admin_log import AccessLoggedAdmin
from smartvillage.core.admin_scope import UnitScopedAdmin
from smartvillage.registry import facts, services
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import AdminUnit, Level


def _form_values(form: Any, exclude: set[str]) -> dict[str, Any]:
    return {
        name: value
        for name, value in form.cleaned_data.items()
        if name not in exclude and name in form.fields
    }


@admin.register(Household)
class HouseholdAdmin(AccessLoggedAdmin, UnitScopedAdmin):
    unit_field = "village"
    list_display = ("code", "head_name", "village", "address")
    search_fields = ("code", "head_name")
    list_select_related = ("village",)
    list_per_page = 50

    def get_fields(self, request: HttpRequest, obj: Household | None = None) -> list[str]:
        base = [
            "village",
            "code",
            "head_name",
            "address",
            "digital_address_code",
            "latitude",
            "longitude",
            "note",
        ]
        return base + [f.key for f in facts.column_facts("household")]

    def get_readonly_fields(
        self, request: HttpRequest, obj: Household | None = None
    ) -> tuple[str, ...]:
        # Moving a household between villages is not an edit of one village's list.
        return ("village",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "village":
            kwargs["queryset"] = permissions.visible_units(
                request.user, Action.EDIT_REGISTRY
            ).filter(level=Level.VILLAGE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Household, form: Any, change: bool) -> None:
        if change:
            fresh = Household.objects.get(pk=obj.pk)
            saved = services.do_update_household(
                request.user, fresh, **_form_values(form, {"village"})
            )
        else:
            village: AdminUnit = form.cleaned_data["village"]
            saved = services.do_create_household(
                request.user, village, **_form_values(form, {"village"})
            )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Household) -> None:
        services.do_delete_household(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Household]) -> None:
        for household in queryset.select_related("village"):
            services.do_delete_household(request.user, household)


@admin.register(Person)
class PersonAdmin(AccessLoggedAdmin, UnitScopedAdmin):
    unit_field = "village"
    list_display = ("full_name", "household", "birth_display", "masked_identity")
    search_fields = ("full_name", "household__code")
    list_select_related = ("household",)
    list_per_page = 50
    # The identity number is never shown in full here; it is edited on the person page.
    readonly_fields = ("masked_identity",)

    @admin.display(description=_("Số CCCD/định danh"))
    def masked_identity(self, obj: Person) -> str:
        return obj.masked_identity

    @admin.display(description=_("Ngày sinh"))
    def birth_display(self, obj: Person) -> str:
        return obj.birth_display

    def get_fields(self, request: HttpRequest, obj: Person | None = None) -> list[str]:
        base = [
            "household",
            "full_name",
            "birth_date",
            "birth_year_only",
            "sex",
            "relationship",
            "masked_identity",
            "note",
        ]
        return base + [f.key for f in facts.column_facts("person")]

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "household":
            editable = permissions.visible_units(request.user, Action.EDIT_REGISTRY)
            kwargs["queryset"] = Household.objects.filter(village__in=editable)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        if change:
            fresh = Person.objects.select_related("household__village").get(pk=obj.pk)
            values = _form_values(form, set())
            saved = services.do_update_person(request.user, fresh, **values)
        else:
            saved = services.do_create_person(
                request.user, form.cleaned_data["household"], **_form_values(form, {"household"})
            )
        obj.pk = saved.pk

    def delete_model(self, request: HttpRequest, obj: Person) -> None:
        services.do_delete_person(request.user, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Person]) -> None:
        for person in queryset.select_related("household__village"):
            services.do_delete_person(request.user, person)
