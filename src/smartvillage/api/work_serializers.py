"""Serializers of the API's work objects: evidence, plans and tasks, assessments, import jobs.

As in serializers.py they validate and shape only: the views hand validated data to the same
action functions the web uses (evidence.services, plans.services, assessments.services,
transfer.jobs), which check permission, write atomically and audit.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from smartvillage.assessments.models import Assessment, AssessmentStep, AssessmentVersion
from smartvillage.core.text import PrintableSerializerMixin
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.evidence.services import EDITABLE_FIELDS
from smartvillage.plans.models import Executor, Plan, PlanItem, PlanTask, TaskStatus
from smartvillage.plans.services import PLAN_FIELDS, TASK_FIELDS
from smartvillage.transfer.models import ImportJob

# ---- evidence ---------------------------------------------------------------------------------


class EvidenceSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    type_label = serializers.CharField(read_only=True)
    category_label = serializers.CharField(read_only=True)
    has_file = serializers.SerializerMethodField()
    attributes = serializers.DictField(required=False)

    class Meta:
        model = EvidenceRecord
        # The fields the evidence actions take (evidence.services), then what is only read.
        fields = [
            "id",
            "unit",
            *EDITABLE_FIELDS,
            "category_label",
            "type_label",
            "has_file",
            "file_name",
            "file_size",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "unit",
            "file_name",
            "file_size",
            "version",
            "created_at",
            "updated_at",
        ]

    def get_has_file(self, obj: EvidenceRecord) -> bool:
        return bool(obj.file)

    def service_fields(self) -> dict[str, Any]:
        return dict(self.validated_data)


class EvidenceFileSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="PDF, ảnh, Word/Excel… (giới hạn như trang web).")


# ---- plans ------------------------------------------------------------------------------------


class PlanTaskSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    executor = serializers.ChoiceField(choices=Executor.choices, required=False)
    status = serializers.ChoiceField(choices=TaskStatus.choices, required=False)

    class Meta:
        model = PlanTask
        # The fields the plan actions take (plans.services), so the API never lags the forms.
        fields = ["id", "item", *TASK_FIELDS, "version", "updated_at"]
        read_only_fields = ["id", "item", "version", "updated_at"]

    def validate_description(self, value: str) -> str:
        text = " ".join((value or "").split())
        if not text:
            raise serializers.ValidationError(_("Nhiệm vụ: chưa nhập (bắt buộc)."))
        return value.strip()


class PlanItemSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    tasks = PlanTaskSerializer(many=True, read_only=True)

    class Meta:
        model = PlanItem
        fields = ["id", "criterion_code", "order", "title", "requirement", "result_text", "tasks"]
        read_only_fields = fields


class PlanSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    items = PlanItemSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = [
            "id",
            "unit",
            "criteria_set_slug",
            "criteria_set_version",
            *PLAN_FIELDS,
            "items",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "unit",
            "criteria_set_slug",
            "criteria_set_version",
            "items",
            "version",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"year": {"required": False}, "title": {"required": False}}


class PlanCreateSerializer(PlanSerializer):
    criteria_set = serializers.CharField(write_only=True, help_text="Mã (slug) bộ tiêu chí.")
    criteria_set_version = serializers.IntegerField(
        required=False, min_value=1, help_text="Phiên bản bộ tiêu chí (mặc định: mới nhất)."
    )

    class Meta(PlanSerializer.Meta):
        fields = [*PlanSerializer.Meta.fields, "criteria_set"]


# ---- assessments ------------------------------------------------------------------------------


class AssessmentStepSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    # Codes of the assessment's states (the `state` enum of the assessment).
    from_state = serializers.CharField(read_only=True)
    to_state = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentStep
        fields = [
            "version_number",
            "action",
            "from_state",
            "to_state",
            "actor_name",
            "actor_role",
            "at",
            "comment",
        ]
        read_only_fields = fields


class AssessmentVersionSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    """A submitted version: when, by whom, its outcome and the hash of its frozen content (the
    frozen lists of households and persons are in the reports, not here)."""

    submitted_by = serializers.SerializerMethodField()
    # A state code of the assessment (the `state` enum), as the steps' from/to states.
    outcome = serializers.CharField(read_only=True)

    class Meta:
        model = AssessmentVersion
        fields = ["number", "submitted_at", "submitted_by", "outcome", "content_hash"]
        read_only_fields = fields

    def get_submitted_by(self, obj: AssessmentVersion) -> str:
        from smartvillage.accounts.names import actor_label

        return actor_label(obj.submitted_by) if obj.submitted_by else ""


class AssessmentSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    versions = AssessmentVersionSerializer(many=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    steps = AssessmentStepSerializer(many=True, read_only=True)
    allowed_steps = serializers.SerializerMethodField(
        help_text="Các bước người gọi được làm lúc này (submit, confirm, return, appraise, "
        "recognise)."
    )

    class Meta:
        model = Assessment
        fields = [
            "id",
            "unit",
            "criteria_set_slug",
            "criteria_set_version",
            "at",
            "state",
            "state_label",
            "current_version",
            "organisation_text",
            "strengths",
            "difficulties",
            "report_number",
            "report_date",
            "signer_name",
            "recognition_number",
            "recognition_date",
            "allowed_steps",
            "steps",
            "versions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = [
            "id",
            "unit",
            "criteria_set_slug",
            "criteria_set_version",
            "state",
            "state_label",
            "current_version",
            "recognition_number",
            "recognition_date",
            "allowed_steps",
            "steps",
            "versions",
            "created_at",
            "updated_at",
        ]
        extra_kwargs = {"at": {"required": False}}

    def get_allowed_steps(self, obj: Assessment) -> list[str]:
        from smartvillage.assessments import services

        request = self.context.get("request")
        return [str(s) for s in services.allowed_steps(request.user, obj)] if request else []


class AssessmentCreateSerializer(serializers.Serializer):
    criteria_set = serializers.CharField(help_text="Mã (slug) bộ tiêu chí.")
    version = serializers.IntegerField(required=False, min_value=1)
    at = serializers.DateField(help_text="Ngày tham chiếu (YYYY-MM-DD).")


class CommentSerializer(PrintableSerializerMixin, serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class VerdictSerializer(PrintableSerializerMixin, serializers.Serializer):
    agreed = serializers.BooleanField()
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class AppraiseSerializer(CommentSerializer):
    verdicts = serializers.DictField(
        child=VerdictSerializer(), help_text="Ý kiến theo mã tiêu chí: {mã: {agreed, comment}}."
    )


class RecogniseSerializer(CommentSerializer):
    decision_number = serializers.CharField()
    decision_date = serializers.DateField()


# ---- import jobs ------------------------------------------------------------------------------


class CandidateSerializer(serializers.Serializer):
    field = serializers.CharField()
    label = serializers.CharField()


class ImportQuestionSerializer(serializers.Serializer):
    """A column the import could not place by itself: answer with its `ref` in the mapping."""

    ref = serializers.CharField(help_text="“Trang!Cột”: khóa để trả lời ở bước đối chiếu cột.")
    sheet = serializers.CharField()
    column = serializers.CharField()
    header = serializers.CharField()
    samples = serializers.ListField(child=serializers.CharField(), help_text="5 giá trị mẫu.")
    candidates = CandidateSerializer(many=True)
    chosen = serializers.CharField(help_text="Trường đang được đề xuất (rỗng: chưa có).")
    reason = serializers.CharField()


class ImportJobSerializer(PrintableSerializerMixin, serializers.ModelSerializer):
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    file_names = serializers.SerializerMethodField()
    ok = serializers.SerializerMethodField()
    summary = serializers.SerializerMethodField()
    counts = serializers.SerializerMethodField()
    errors = serializers.SerializerMethodField(
        help_text="Lỗi (tối đa 1.000): nơi (tệp, trang, dòng, cột) và lý do, bằng tiếng Việt."
    )
    warnings = serializers.SerializerMethodField()
    columns = serializers.SerializerMethodField(
        help_text="Mọi cột của mọi trang: `ref` (Trang!Cột) để trả lời ở bước đối chiếu cột."
    )
    questions = serializers.SerializerMethodField(
        help_text="Cột cần người dùng trả lời trước khi xác nhận (gửi ở bước đối chiếu cột)."
    )
    proposals = serializers.SerializerMethodField(
        help_text="Cột được đề xuất; xác nhận lượt nhập là đồng ý các đề xuất này."
    )

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "village",
            "status",
            "status_label",
            "message",
            "phase",
            "done",
            "total",
            "file_names",
            "ok",
            "summary",
            "counts",
            "errors",
            "warnings",
            "columns",
            "questions",
            "proposals",
            "mapping",
            "event",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_file_names(self, job: ImportJob) -> list[str]:
        return [f["name"] for f in job.files]

    def get_ok(self, job: ImportJob) -> bool:
        return bool((job.report or {}).get("ok"))

    def get_summary(self, job: ImportJob) -> str:
        return str((job.report or {}).get("summary", ""))

    def get_counts(self, job: ImportJob) -> dict[str, int]:
        return dict((job.report or {}).get("counts") or {})

    def _issues(self, job: ImportJob, key: str) -> list[dict[str, Any]]:
        return [
            {"message": i.get("message", ""), "sheet": i.get("sheet"), "row": i.get("row")}
            for i in (job.report or {}).get(key, [])
        ]

    def get_errors(self, job: ImportJob) -> list[dict[str, Any]]:
        return self._issues(job, "errors")

    def get_warnings(self, job: ImportJob) -> list[dict[str, Any]]:
        return self._issues(job, "warnings")

    @extend_schema_field(ImportQuestionSerializer(many=True))
    def get_questions(self, job: ImportJob) -> list[dict[str, Any]]:
        return _questions(job, "questions")

    @extend_schema_field(ImportQuestionSerializer(many=True))
    def get_proposals(self, job: ImportJob) -> list[dict[str, Any]]:
        return _questions(job, "proposed")

    def get_columns(self, job: ImportJob) -> list[dict[str, Any]]:
        out = []
        for layout in (job.report or {}).get("layouts", []):
            for column in layout.get("all_columns", []):
                out.append(
                    {
                        "ref": f"{layout['name']}!{column['letter']}",
                        "header": column.get("header", ""),
                        "field": column.get("field") or "",
                        "state": column.get("state", ""),
                    }
                )
        return out


def _questions(job: ImportJob, key: str) -> list[dict[str, Any]]:
    from smartvillage.transfer import web_report

    return [
        {
            "ref": q["ref"],
            "sheet": str(q["sheet"]),
            "column": str(q["column"]),
            "header": str(q["header"]),
            "samples": q["samples"],
            "candidates": [
                {"field": c["field"], "label": str(c["label"])} for c in q["candidates"]
            ],
            "chosen": q["chosen"] or "",
            "reason": str(q["reason"] or ""),
        }
        for q in web_report.questions(job.report or {}, key)
    ]


class ImportConfirmSerializer(serializers.Serializer):
    partial = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Chỉ ghi các hộ hợp lệ; các dòng lỗi được trả lại thành tệp để sửa.",
    )


class ImportUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(), allow_empty=False, help_text="Một hoặc nhiều tệp XLSX/CSV."
    )


class ImportMappingSerializer(serializers.Serializer):
    mapping = serializers.DictField(
        child=serializers.CharField(allow_blank=True),
        help_text="{“Trang!Cột”: mã trường, hoặc chuỗi rỗng để bỏ qua cột}.",
    )
