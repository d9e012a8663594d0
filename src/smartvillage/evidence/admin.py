from django.contrib import admin

from smartvillage.core.admin_scope import ReadOnlyScopedAdmin
from smartvillage.evidence.models import EvidenceRecord


@admin.register(EvidenceRecord)
class EvidenceRecordAdmin(ReadOnlyScopedAdmin):
    """Read-only here: records and files change through the evidence pages, whose action functions
    check the upload (type, content, size) and write the audit trail."""

    unit_field = "unit"
    list_display = (
        "title",
        "unit",
        "category",
        "type",
        "number",
        "issued_date",
        "quantity",
        "file_name",
    )
    list_filter = ("category", "type")
    search_fields = ("title", "number", "issuer", "unit__name")
