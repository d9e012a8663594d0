"""A plan (kế hoạch) to bring a unit up to a criteria set, in the shape of the seeds' plans
(seed 001: per criterion the requirement, the current result, the tasks of the village and of the
commune with budget, person responsible and deadline)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class Plan(models.Model):
    unit = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="plans", verbose_name=_("đơn vị")
    )
    criteria_set_slug = models.CharField(_("bộ tiêu chí"), max_length=100)
    criteria_set_version = models.PositiveIntegerField(_("phiên bản bộ tiêu chí"))
    title = models.CharField(_("trích yếu"), max_length=300)
    year = models.PositiveIntegerField(_("năm"))
    number = models.CharField(
        _("số, ký hiệu"), max_length=60, blank=True, help_text=_("Ví dụ: 25/KH-UBND")
    )
    issued_date = models.DateField(_("ngày ban hành"), null=True, blank=True)
    place = models.CharField(_("địa danh"), max_length=100, blank=True)
    preamble = models.TextField(_("căn cứ"), blank=True)
    purpose = models.TextField(_("mục đích"), blank=True)
    requirements = models.TextField(_("yêu cầu"), blank=True)
    deadline = models.DateField(_("thời gian hoàn thành"), null=True, blank=True)
    # "II. HIỆN TRẠNG" of seed 003: the area, the population and the households, then the state.
    area_ha = models.DecimalField(
        _("diện tích tự nhiên (ha)"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    population = models.PositiveIntegerField(_("dân số (người)"), null=True, blank=True)
    households = models.PositiveIntegerField(_("số hộ"), null=True, blank=True)
    current_state = models.TextField(_("hiện trạng"), blank=True)
    # "III. PHƯƠNG HƯỚNG THỰC HIỆN" of seed 003.
    directions = models.TextField(_("phương hướng thực hiện"), blank=True)
    # "IV. KINH PHÍ THỰC HIỆN: Dự kiến khoảng 90 triệu đồng" (seed 001) and the sources (seed 000:
    # "Nguồn kinh phí của các hộ gia đình trong khu dân cư đóng góp và nguồn kinh phí xã hội hóa").
    budget_planned = models.PositiveBigIntegerField(
        _("kinh phí dự kiến (đồng)"), null=True, blank=True
    )
    funding_state = models.PositiveBigIntegerField(
        _("ngân sách nhà nước (đồng)"), null=True, blank=True
    )
    funding_socialisation = models.PositiveBigIntegerField(
        _("xã hội hóa (đồng)"), null=True, blank=True
    )
    funding_households = models.PositiveBigIntegerField(
        _("nhân dân, hộ gia đình đóng góp (đồng)"), null=True, blank=True
    )
    funding_note = models.TextField(
        _("nguồn kinh phí (diễn giải)"),
        blank=True,
        help_text=_("Ví dụ: Nguồn kinh phí của các hộ gia đình đóng góp và nguồn xã hội hóa."),
    )
    organisation = models.TextField(_("tổ chức thực hiện"), blank=True)
    recipients = models.TextField(_("nơi nhận"), blank=True, help_text=_("Mỗi dòng một nơi nhận."))
    signer_authority = models.CharField(
        _("thẩm quyền ký"), max_length=100, default="TM. ỦY BAN NHÂN DÂN"
    )
    signer_title = models.CharField(_("chức vụ người ký"), max_length=100, default="CHỦ TỊCH")
    signer_name = models.CharField(_("người ký"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every audited update (audit.update_audited) adds 1; an edit based on an
    # older number is refused and shown the other change (web forms, API ETag/If-Match).
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def total_budget(self) -> int:
        return PlanTask.objects.filter(item__plan=self).aggregate(total=Sum("budget"))["total"] or 0

    @property
    def funding_lines(self) -> list[tuple[str, int | None]]:
        """(source, amount) of the sources named, in the order seeds list them."""
        return [
            (
                str(self._meta.get_field(name).verbose_name).split(" (")[0].capitalize(),
                getattr(self, name),
            )
            for name in ("funding_state", "funding_socialisation", "funding_households")
            if getattr(self, name) is not None
        ]

    @property
    def recipient_lines(self) -> list[str]:
        return [line.strip() for line in self.recipients.splitlines() if line.strip()]


class PlanItem(models.Model):
    """One criterion of the plan: its requirement and the current result written by the commune."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="items")
    criterion_code = models.CharField(_("mã tiêu chí"), max_length=20)
    order = models.PositiveIntegerField(default=0)
    title = models.TextField(_("tiêu chí"))
    requirement = models.TextField(_("yêu cầu của tiêu chí"), blank=True)
    result_text = models.TextField(
        _("kết quả tiêu chí (ghi chép)"),
        blank=True,
        help_text=_(
            "Với tiêu chí định tính; với tiêu chí tính được, kết quả tính từ dữ liệu được hiển thị kèm."
        ),
    )

    class Meta:
        verbose_name = _("tiêu chí trong kế hoạch")
        verbose_name_plural = _("tiêu chí trong kế hoạch")
        ordering = ["plan_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "criterion_code"], name="plan_item_unique_code")
        ]

    def __str__(self) -> str:
        return f"{self.criterion_code}. {self.title[:60]}"

    @property
    def total_budget(self) -> int:
        return self.tasks.aggregate(total=Sum("budget"))["total"] or 0


class Executor(models.TextChoices):
    VILLAGE = "village", _("Thôn")
    VILLAGE_HEAD = "head", _("Trưởng thôn")
    COMMUNE = "commune", _("UBND xã")
    # A telecom company, a school, the commune police …: named in `owner`.
    ORGANISATION = "org", _("Cơ quan, tổ chức, doanh nghiệp")


class TaskStatus(models.TextChoices):
    TODO = "todo", _("Chưa thực hiện")
    IN_PROGRESS = "in_progress", _("Đang thực hiện")
    DONE = "done", _("Hoàn thành")
    CANCELLED = "cancelled", _("Hủy bỏ")


class PlanTask(models.Model):
    item = models.ForeignKey(PlanItem, on_delete=models.CASCADE, related_name="tasks")
    executor = models.CharField(
        _("cấp thực hiện"), max_length=10, choices=Executor.choices, default=Executor.VILLAGE
    )
    owner = models.CharField(
        _("tên cơ quan, tổ chức"),
        max_length=200,
        blank=True,
        help_text=_("Khi nhiệm vụ giao cho tổ chức, ví dụ: Viễn thông Hà Trung."),
    )
    description = models.TextField(_("nhiệm vụ"))
    responsible = models.CharField(_("người chịu trách nhiệm"), max_length=200, blank=True)
    budget = models.PositiveBigIntegerField(_("kinh phí (đồng)"), null=True, blank=True)
    budget_note = models.CharField(
        _("ghi chú kinh phí"),
        max_length=200,
        blank=True,
        help_text=_("Ví dụ: Thôn chịu trách nhiệm"),
    )
    # Seed 001: "Thời gian điều tra tổng hợp hoàn thành trước 30/10/2022. Thời gian hoàn thành
    # trước 30/11/2022": a survey deadline before the completion deadline.
    survey_deadline = models.DateField(_("thời hạn điều tra, tổng hợp"), null=True, blank=True)
    deadline = models.DateField(_("thời hạn"), null=True, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO
    )
    progress_note = models.TextField(_("tiến độ"), blank=True)
    order = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    # Optimistic locking: every audited update (audit.update_audited) adds 1; an edit based on an
    # older number is refused and shown the other change (web forms, API ETag/If-Match).
    version = models.PositiveIntegerField(_("phiên bản"), default=1, editable=False)

    class Meta:
        verbose_name = _("nhiệm vụ")
        verbose_name_plural = _("nhiệm vụ")
        ordering = ["item_id", "executor", "order", "id"]
        indexes = [models.Index(fields=["status", "deadline"], name="plan_task_status_deadline")]

    def __str__(self) -> str:
        return self.description[:80]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return (
            self.deadline is not None
            and self.deadline < today
            and self.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
        )

    @property
    def overdue(self) -> bool:
        return self.is_overdue()
