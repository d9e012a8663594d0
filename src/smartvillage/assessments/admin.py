from django.contrib import admin

from smartvillage.assessments.models import (
    Assessment,
    AssessmentStep,
    AssessmentVersion,
    CriterionAppraisal,
)
from smartvillage.audit.admin_log import AccessLoggedAdmin
from smartvillage.core.admin_scope import ReadOnlyScopedAdmin


class StepInline(admin.TabularInline):
    model = AssessmentStep
    extra = 0
    can_delete = False
    fields = ("at", "action", "version_number", "from_state", "to_state", "actor_name", "comment")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # noqa: ARG002 - Django's signature
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyScopedAdmin):
    """Read-only: the workflow changes state only through its action functions (assessments.services)."""

    unit_field = "unit"
    list_display = (
        "id",
        "unit",
        "criteria_set_slug",
        "criteria_set_version",
        "at",
        "state",
        "current_version",
    )
    list_filter = ("state", "criteria_set_slug")
    search_fields = ("unit__name", "unit__code")
    inlines = [StepInline]


@admin.register(AssessmentVersion)
class AssessmentVersionAdmin(AccessLoggedAdmin, ReadOnlyScopedAdmin):
    # The frozen snapshot on the change page lists households and persons by name.
    unit_field = "assessment__unit"
    log_list = False
    list_display = ("assessment", "number", "submitted_at", "outcome", "content_hash")
    list_filter = ("outcome",)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj.assessment if obj is not None else None)


@admin.register(CriterionAppraisal)
class CriterionAppraisalAdmin(ReadOnlyScopedAdmin):
    unit_field = "version__assessment__unit"
    list_display = ("version", "criterion_code", "agreed", "comment", "at")

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(
            request, obj.version.assessment if obj is not None else None
        )
