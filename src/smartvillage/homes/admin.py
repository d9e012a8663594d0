from django.contrib import admin

from smartvillage.accounts.permissions import Action
from smartvillage.core.admin_scope import UnitScopedAdmin
from smartvillage.homes.models import RecognitionTarget, VillagePosition


@admin.register(RecognitionTarget)
class RecognitionTargetAdmin(UnitScopedAdmin):
    """A province's yearly target: set by system administrators, seen by those of its units."""

    unit_field = "unit"
    edit_action = Action.ADMIN
    list_display = ("unit", "year", "villages", "note")
    list_filter = ("year",)
    autocomplete_fields = ("unit",)


@admin.register(VillagePosition)
class VillagePositionAdmin(UnitScopedAdmin):
    """The commune places its villages on the maps (otherwise: the centre of their households)."""

    unit_field = "unit"
    edit_action = Action.MANAGE_UNITS
    list_display = ("unit", "latitude", "longitude")
    autocomplete_fields = ("unit",)
