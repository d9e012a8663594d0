"""Opinion surveys of residents (seed 003, criterion 3.6: "lấy ý kiến người dân về kết quả xây
dựng nông thôn mới"): a survey of a village, its questions, one response per household.

A response is tied to its household so that each household answers once and the share of
households satisfied can feed a criterion; the household is never shown on the public side and
the answers' page shows aggregates only.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.registry.models import Household
from smartvillage.units.models import AdminUnit


class SurveyStatus(models.TextChoices):
    DRAFT = "draft", _("Đang soạn")
    OPEN = "open", _("Đang lấy ý kiến")
    CLOSED = "closed", _("Đã kết thúc")


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Chọn một")
    MULTIPLE = "multiple", _("Chọn nhiều")
    SCALE = "scale", _("Thang điểm")
    TEXT = "text", _("Trả lời tự do")


class Channel(models.TextChoices):
    WEB = "web", _("Trực tuyến (mã hộ)")
    CODE = "code", _("Trực tuyến (mã một lần)")
    PAPER = "paper", _("Phiếu giấy")
    KOBO = "kobo", _("Nhập từ Kobo/ODK")


class Survey(models.Model):
    village = models.ForeignKey(
        AdminUnit, on_delete=models.PROTECT, related_name="surveys", verbose_name=_("thôn")
    )
    title = models.CharField(_("tên cuộc khảo sát"), max_length=300)
    description = models.TextField(_("lời giới thiệu"), blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SurveyStatus.choices, default=SurveyStatus.DRAFT
    )
    opens_on = models.DateField(_("mở từ ngày"))
    closes_on = models.DateField(_("đến hết ngày"))
    feeds_criterion = models.BooleanField(
        _("dùng kết quả cho tiêu chí tỷ lệ hộ hài lòng"),
        default=True,
        help_text=_(
            "Tỷ lệ hộ hài lòng được ghi thành số liệu báo cáo “Hộ dân hài lòng (khảo sát ý "
            "kiến)” của thôn, cập nhật sau mỗi phiếu trả lời."
        ),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("cuộc khảo sát")
        verbose_name_plural = _("cuộc khảo sát")
        ordering = ["-opens_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def is_open_on(self, day: object) -> bool:
        return self.status == SurveyStatus.OPEN and self.opens_on <= day <= self.closes_on  # type: ignore[operator]


class Question(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    order = models.PositiveIntegerField(_("thứ tự"), default=0)
    kind = models.CharField(_("loại câu hỏi"), max_length=10, choices=QuestionKind.choices)
    text = models.CharField(_("câu hỏi"), max_length=500)
    # Choices for single/multiple; for a scale, the labels of 1..n.
    choices = models.JSONField(_("các lựa chọn"), default=list, blank=True)
    required = models.BooleanField(_("bắt buộc"), default=True)
    # The answers that count as "satisfied" (choice texts; for a scale, the points as text).
    # At most one question of a survey has them: the survey's satisfaction question.
    satisfied_choices = models.JSONField(
        _("các lựa chọn tính là hài lòng"), default=list, blank=True
    )

    class Meta:
        verbose_name = _("câu hỏi")
        verbose_name_plural = _("câu hỏi")
        ordering = ["survey_id", "order", "id"]

    def __str__(self) -> str:
        return self.text


class Response(models.Model):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(_("cách trả lời"), max_length=10, choices=Channel.choices)
    satisfied = models.BooleanField(_("hài lòng"), null=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiếu trả lời")
        verbose_name_plural = _("phiếu trả lời")
        constraints = [
            # One answer per household: the database says so, not only a check before the write.
            models.UniqueConstraint(fields=["survey", "household"], name="survey_one_per_household")
        ]

    def __str__(self) -> str:  # no household name: a response is shown without who gave it
        return f"Phiếu {self.pk}"


class Answer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    # A list of choice texts (single: one), a scale point as int, or free text.
    value = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="answer_one_per_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.value}"


class AccessCode(models.Model):
    """A one-time code the digital team hands to a household without a phone or identity number
    on record. Only its hash is kept."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="codes")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    code_hash = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("mã trả lời một lần")
        verbose_name_plural = _("mã trả lời một lần")

    def __str__(self) -> str:
        return f"Mã {self.pk}"
