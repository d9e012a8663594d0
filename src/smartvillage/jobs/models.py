"""A background job a page waits for: what it is, where it has got to, and what it produced.

The task queue (django-tasks, database backend) decides *when* a job runs; this row is what the
page polls (status, phase, done/total, `updated_at` as the heartbeat) and what a finished job
hands back (a file in the media storage under jobs/<id>/, downloaded only by the user who asked
for it).
Imports keep their own row (transfer.ImportJob) because they carry a preview and a mapping.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    QUEUED = "queued", _("Đang chờ")
    RUNNING = "running", _("Đang chạy")
    DONE = "done", _("Xong")
    FAILED = "failed", _("Lỗi")


class Job(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Dotted path of the function that does the work (see services.run_job), and its arguments.
    target = models.CharField(max_length=200)
    params = models.JSONField(default=dict, blank=True)
    title = models.CharField(_("công việc"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("người yêu cầu"),
    )
    # Where the page that asked for it lives, to go back to.
    back_url = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    phase = models.CharField(max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    message = models.TextField(_("thông báo"), blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The produced file (its name in the media storage), the name it downloads as, its type.
    file = models.CharField(max_length=300, blank=True)
    file_name = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("xong lúc"), null=True, blank=True)

    class Meta:
        verbose_name = _("công việc chạy nền")
        verbose_name_plural = _("công việc chạy nền")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "updated_at"])]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_running(self) -> bool:
        return self.status in (Status.QUEUED, Status.RUNNING)

    @property
    def percent(self) -> int | None:
        return int(self.done * 100 / self.total) if self.total else None


class ScheduledRun(models.Model):
    """One row per (schedule, day) that was enqueued: the daily jobs run once a day, whichever
    worker (of however many) gets there first."""

    name = models.CharField(max_length=100)
    day = models.DateField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["name", "day"], name="jobs_scheduled_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.day:%d/%m/%Y}"


class WorkerBeat(models.Model):
    """Each running `smartvillage worker` says it is alive here every minute: the job page can
    tell a user that no worker runs, and /healthz can tell the operator."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker_id} {self.seen_at:%d/%m/%Y %H:%M}"
