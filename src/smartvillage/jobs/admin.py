"""Background jobs in the admin, read-only, for system administrators (failed jobs first)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from smartvillage.jobs.models import Job

# The queue's raw rows (django-tasks-db's "Task results", in English) stay out of the admin: the
# jobs below, and the import jobs, are what people read; the raw queue is for `smartvillage shell`.
try:
    from django_tasks_db.models import DBTaskResult

    admin.site.unregister(DBTaskResult)
except (ImportError, admin.sites.NotRegistered):
    pass


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("created_at", "title", "status", "user", "attempts", "finished_at")
    list_filter = ("status",)
    search_fields = ("title", "message")
    list_select_related = ("user",)
    fields = ("title", "status", "user", "phase", "done", "total", "message", "attempts")
    readonly_fields = fields + ("created_at", "finished_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_module_permission(request)
