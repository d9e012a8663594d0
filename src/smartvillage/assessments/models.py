"""The assessment workflow: a unit, a criteria-set version and a reference date go through
draft → submitted → confirmed (villages) → appraised → recognised, or are returned with a comment.

Each submission freezes the evaluation in an AssessmentVersion (snapshot JSON + sha256 of its
canonical form); returning and resubmitting adds version 2, 3, … and keeps every earlier one.
Every step is an AssessmentStep row (who, when, from/to state, comment).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class State(models.TextChoices):
    DRAFT = "draft", _("Dự thảo")
    SUBMITTED = "submitted", _("Đã nộp")
    CONFIRMED = "confirmed", _("Xã đã xác nhận")
    APPRAISED = "appraised", _("Đã thẩm định")
    RECOGNISED = "recognised", _("Đã công nhận")
    RETURNED = "returned", _("Bị trả lại")


class StepAction(models.TextChoices):
    CREATE = "create", _("Tạo hồ sơ")
    SUBMIT = "submit", _("Nộp hồ sơ")
    CONFIRM = "confirm", _("Xã xác nhận")
    RETURN = "return", _("Trả lại")
    APPRAISE = "appraise", _("Thẩm định")
    RECOGNISE = "recognise", _("Công nhận")
    EDIT = "edit", _("Sửa nội dung")


class Assessment(models.Model):
    unit = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("đơn vị")
    )
    criteria_set_slug = models.CharField(_("bộ tiêu chí"), max_length=100)
    criteria_set_version = models.PositiveIntegerField(_("phiên bản bộ tiêu chí"))
    at = models.DateField(_("ngày tham chiếu"))
    state = models.CharField(
        _("trạng thái"), max_length=12, choices=State.choices, default=State.DRAFT, db_index=True
    )
    current_version = models.PositiveIntegerField(_("phiên bản hồ sơ"), default=0)
    # The commune's narrative for the report (Mẫu số 01 sections I and III); frozen per version.
    organisation_text = models.TextField(_("công tác tổ chức triển khai"), blank=True)
    strengths = models.TextField(_("ưu điểm"), blank=True)
    difficulties = models.TextField(_("khó khăn"), blank=True)
    report_number = models.CharField(_("số báo cáo"), max_length=60, blank=True)
    report_date = models.DateField(_("ngày báo cáo"), null=True, blank=True)
    signer_name = models.CharField(_("người ký báo cáo"), max_length=100, blank=True)
    recognition_number = models.CharField(_("số quyết định công nhận"), max_length=60, blank=True)
    recognition_date = models.DateField(_("ngày quyết định công nhận"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ đánh giá")
        verbose_name_plural = _("hồ sơ đánh giá")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["unit", "state"], name="assessment_unit_state")]

    def __str__(self) -> str:
        return f"{self.unit} – {self.criteria_set_slug} v{self.criteria_set_version} – {self.at:%d/%m/%Y}"

    @property
    def latest_version(self) -> AssessmentVersion | None:
        return self.versions.order_by("-number").first()

    @property
    def is_editable(self) -> bool:
        return self.state in (State.DRAFT, State.RETURNED)


class AssessmentVersion(models.Model):
    """One submission: the frozen evaluation. Its snapshot is never updated after creation; only
    its outcome, and its report metadata until the commune confirms it, change."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("phiên bản"))
    snapshot = models.JSONField(_("dữ liệu chốt"))
    content_hash = models.CharField(_("mã băm nội dung"), max_length=64)
    # Hash of the registry-derived part only, compared with a live evaluation for "data changed".
    data_hash = models.CharField(max_length=64)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("thời điểm nộp"))
    # The report of this version (Mẫu số 01 metadata: number, date, signer; and the narrative):
    # as submitted, then as the commune completed it while the version awaited its confirmation;
    # frozen from confirmation on. Empty for versions made before this field: the snapshot's
    # narrative is used then. Outside the snapshot, so the snapshot and its hash never change.
    report_meta = models.JSONField(_("nội dung báo cáo của phiên bản"), default=dict, blank=True)
    outcome = models.CharField(
        _("kết quả"), max_length=12, choices=State.choices, default=State.SUBMITTED
    )

    class Meta:
        verbose_name = _("phiên bản hồ sơ")
        verbose_name_plural = _("phiên bản hồ sơ")
        ordering = ["assessment_id", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "number"], name="assessment_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} – phiên bản {self.number}"


class AssessmentStep(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="steps")
    version_number = models.PositiveIntegerField(default=0)
    action = models.CharField(_("bước"), max_length=12, choices=StepAction.choices)
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_name = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=40, blank=True)
    at = models.DateTimeField(_("thời điểm"))
    comment = models.TextField(_("ý kiến"), blank=True)

    class Meta:
        verbose_name = _("bước xử lý")
        verbose_name_plural = _("bước xử lý")
        ordering = ["assessment_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()} – {self.actor_name} – {self.at:%d/%m/%Y %H:%M}"


class CriterionAppraisal(models.Model):
    """The appraiser's verdict on one criterion of one submitted version."""

    version = models.ForeignKey(
        AssessmentVersion, on_delete=models.CASCADE, related_name="appraisals"
    )
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=20)
    agreed = models.BooleanField(_("thống nhất"))
    comment = models.TextField(_("ý kiến"), blank=True)
    appraiser = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        verbose_name = _("ý kiến thẩm định tiêu chí")
        verbose_name_plural = _("ý kiến thẩm định tiêu chí")
        ordering = ["version_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "criterion_code"], name="appraisal_unique_code"
            )
        ]

    def __str__(self) -> str:
        return f"{self.criterion_code}: {'đồng ý' if self.agreed else 'không đồng ý'}"
