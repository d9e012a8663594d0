from django.contrib import admin

from smartvillage.core.admin_scope import UnitScopedAdmin
from smartvillage.homes.models import RecognitionTarget


@admin.register(RecognitionTarget)
class RecognitionTargetAdmin(UnitScopedAdmin):
    unit_field = "unit"
    list_display = ("unit", "year", "villages", "note")
    list_filter = ("year",)
    autocomplete_fields = ("unit",)
