"""An import job: the uploaded files, the user's column mapping, and where the run has got to.

The dry run and the real import of a large file run in the background (transfer/jobs.py); the
page polls the job for its progress. Small files run inline and the job only keeps the report.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class JobStatus(models.TextChoices):
    PREVIEWING = "previewing", _("Đang kiểm tra")
    PREVIEWED = "previewed", _("Đã kiểm tra, chờ xác nhận")
    APPLYING = "applying", _("Đang ghi")
    DONE = "done", _("Đã nhập")
    FAILED = "failed", _("Lỗi")


class ImportJob(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    village = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("thôn")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=JobStatus.choices, default=JobStatus.PREVIEWING
    )
    # [{"path": stored file, "name": the name the user uploaded}]
    files = models.JSONField(default=list)
    # {folded header: field key ("" = ignore the column)}
    mapping = models.JSONField(default=dict, blank=True)
    report = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)
    phase = models.CharField(max_length=12, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    event = models.ForeignKey(
        "audit.AuditEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The corrected file of an earlier job: that job's column choices carry over by header.
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The remembered mapping pre-applied to this job (shown on the page, editable).
    saved_mapping = models.ForeignKey(
        "SavedMapping", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Whether the first preview has been followed by the offer of a remembered or carried mapping.
    mapping_offered = models.BooleanField(default=False)
    # The header layout of the uploaded file as the first preview saw it (before any mapping).
    layout_signature = models.CharField(max_length=64, blank=True)
    # "Ghi các hộ hợp lệ": write the valid households, return the rest as a file to correct.
    partial = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("lượt nhập tệp")
        verbose_name_plural = _("lượt nhập tệp")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_label} ({self.get_status_display()})"

    @property
    def file_label(self) -> str:
        return ", ".join(f["name"] for f in self.files)

    @property
    def is_running(self) -> bool:
        return self.status in (JobStatus.PREVIEWING, JobStatus.APPLYING)


class SavedMapping(models.Model):
    """A confirmed column mapping, offered again for a file with the same header layout that comes
    for any village of the same commune (village lists of one commune are usually one template).

    `mapping` is portable: one entry per column the user decided, named by sheet position,
    sheet name, column letter and header text, so it can be laid onto another file's columns
    by header ([{"sheet_index", "sheet", "letter", "header", "field"}]; field "" = skip).
    """

    commune = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="+", verbose_name=_("xã")
    )
    layout_signature = models.CharField(_("dấu hiệu bố cục tiêu đề"), max_length=64)
    mapping = models.JSONField(_("cách gán cột"), default=list)
    village = models.ForeignKey(
        AdminUnit, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    uses = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("cách gán cột đã lưu")
        verbose_name_plural = _("cách gán cột đã lưu")
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "layout_signature"], name="transfer_savedmapping_one_per_layout"
            )
        ]

    def __str__(self) -> str:
        return f"{self.commune} · {self.file_name or self.layout_signature[:12]}"
