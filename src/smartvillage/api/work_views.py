"""API views of the work objects: evidence, plans and tasks, assessments, import jobs.

Thin, like views.py: visibility from accounts.permissions (invisible objects are a 404), the
right to change checked before the body is read (403), then the same action function the web
page calls (evidence.services, plans.services, assessments.services, transfer.jobs), which checks
again, writes atomically and audits. Versioned objects answer with an ETag and honour If-Match.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from smartvillage.accounts import permissions
from smartvillage.accounts.permissions import Action
from smartvillage.api import permissions as api_permissions
from smartvillage.api.views import (
    IF_MATCH,
    WITH_ETAG,
    ApiView,
    Pagination,
    Versioned,
    _errors,
    _OneObject,
    _UnitScoped,
)
from smartvillage.api.work_serializers import (
    AppraiseSerializer,
    AssessmentCreateSerializer,
    AssessmentSerializer,
    CommentSerializer,
    EvidenceFileSerializer,
    EvidenceSerializer,
    ImportConfirmSerializer,
    ImportJobSerializer,
    ImportMappingSerializer,
    ImportUploadSerializer,
    PlanCreateSerializer,
    PlanSerializer,
    PlanTaskSerializer,
    RecogniseSerializer,
)
from smartvillage.assessments import services as assessment_services
from smartvillage.assessments.models import Assessment, StepAction
from smartvillage.audit import services as audit
from smartvillage.evidence import services as evidence_services
from smartvillage.evidence.models import EvidenceRecord
from smartvillage.plans import services as plan_services
from smartvillage.plans.models import Plan, PlanItem, PlanTask
from smartvillage.transfer import jobs, mappings, web_report
from smartvillage.transfer.headers import all_fields
from smartvillage.transfer.models import ImportJob, JobStatus
from smartvillage.units.models import AdminUnit, Level

MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class UnitActionPermission(BasePermission):
    """Reading needs VIEW on the object's unit; changing needs the view's `write_action` there.

    Visibility itself is the querysets' (invisible objects are a 404 before this runs)."""

    message = api_permissions.DENIED_OTHER

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        action = Action.VIEW if request.method in SAFE_METHODS else view.write_action
        return permissions.can(request.user, action, view.unit_of(obj))


def _visible(user: Any) -> QuerySet[AdminUnit]:
    return api_permissions.visible_units(user)


# ---- evidence ---------------------------------------------------------------------------------


@extend_schema(
    methods=["GET"],
    summary="Minh chứng của đơn vị",
    responses={200: EvidenceSerializer(many=True), **_errors(404)},
)
@extend_schema(
    methods=["POST"],
    summary="Thêm minh chứng (không kèm tệp; tệp tải lên ở trang web)",
    responses={201: EvidenceSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["evidence"])
class UnitEvidenceView(_UnitScoped, ApiView, generics.ListCreateAPIView):
    """Minh chứng (văn bản, mô hình, thiết chế, kênh thông tin…) của một đơn vị."""

    serializer_class = EvidenceSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[EvidenceRecord]:
        if getattr(self, "swagger_fake_view", False):
            return EvidenceRecord.objects.none()
        return EvidenceRecord.objects.filter(unit=self.unit).order_by(
            "category", "type", "-issued_date", "id"
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.unit
        api_permissions.require(request.user, Action.MANAGE_EVIDENCE, unit)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = evidence_services.do_create_evidence(
            request.user, unit, **serializer.service_fields()
        )
        return Response(self.get_serializer(record).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["PATCH"],
    parameters=[IF_MATCH],
    responses={
        200: OpenApiResponse(EvidenceSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
@extend_schema(
    methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, **_errors(400, 403, 404, 412)}
)
@extend_schema(
    tags=["evidence"],
    responses={200: OpenApiResponse(EvidenceSerializer, description=WITH_ETAG), **_errors(404)},
)
class EvidenceDetailView(Versioned, _OneObject, ApiView, generics.RetrieveUpdateDestroyAPIView):
    """Một minh chứng. Sửa/xóa cần quyền quản lý minh chứng; minh chứng đã chốt trong hồ sơ đã nộp
    không xóa được."""

    not_found_message = gettext_lazy("Không tìm thấy minh chứng.")
    serializer_class = EvidenceSerializer
    permission_classes = [*ApiView.permission_classes, UnitActionPermission]
    write_action = Action.MANAGE_EVIDENCE
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def unit_of(self, obj: EvidenceRecord) -> AdminUnit:
        return obj.unit

    def get_queryset(self) -> QuerySet[EvidenceRecord]:
        return EvidenceRecord.objects.filter(unit__in=_visible(self.request.user)).select_related(
            "unit"
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        record = self.get_object()
        self.etag_object = record
        return Response(self.get_serializer(record).data)

    def perform_update(self, serializer: EvidenceSerializer) -> None:
        serializer.instance = self.etag_object = evidence_services.do_update_evidence(
            self.request.user,
            serializer.instance,
            expected_version=self.expected_version(serializer.instance),
            **serializer.service_fields(),
        )

    @transaction.atomic
    def perform_destroy(self, instance: EvidenceRecord) -> None:
        self.check_version_locked(instance)
        evidence_services.do_delete_evidence(self.request.user, instance)


@extend_schema(
    tags=["evidence"],
    summary="Tải tệp của minh chứng (được ghi nhật ký)",
    responses={
        (200, "*/*"): OpenApiResponse(
            OpenApiTypes.BINARY, description="Tệp (PDF, ảnh, Word…) như đã tải lên."
        ),
        **_errors(404),
    },
)
@extend_schema(
    methods=["POST"],
    summary="Gắn hoặc thay tệp của minh chứng (kiểm tra loại, kích thước như trang web)",
    parameters=[IF_MATCH],
    request={"multipart/form-data": EvidenceFileSerializer},
    responses={
        200: OpenApiResponse(EvidenceSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
class EvidenceFileView(Versioned, ApiView):
    """Tệp của một minh chứng: tải về (GET) hoặc gắn/thay (POST, multipart, trường `file`)."""

    parser_classes = [MultiPartParser, FormParser]

    def _record(self, pk: int) -> EvidenceRecord:
        record = (
            EvidenceRecord.objects.filter(pk=pk, unit__in=_visible(self.request.user))
            .select_related("unit")
            .first()
        )
        if record is None:
            raise Http404(_("Không tìm thấy minh chứng."))
        return record

    def get(self, request: Request, pk: int) -> Any:
        record = self._record(pk)
        if not record.file:
            raise Http404(_("Minh chứng này chưa có tệp."))
        try:
            handle = record.file.open("rb")
        except FileNotFoundError:
            raise Http404(_("Minh chứng này chưa có tệp.")) from None
        evidence_services.audit_download(request.user, record)
        response = FileResponse(
            handle,
            as_attachment=True,
            filename=record.file_name or "minh-chung",
            content_type=record.content_type or "application/octet-stream",
        )
        response["X-Content-Type-Options"] = "nosniff"
        response["Cache-Control"] = "private, no-store"
        return response

    def post(self, request: Request, pk: int) -> Response:
        record = self._record(pk)
        api_permissions.require(request.user, Action.MANAGE_EVIDENCE, record.unit)
        body = EvidenceFileSerializer(data={"file": request.FILES.get("file")})
        body.is_valid(raise_exception=True)
        saved = evidence_services.do_update_evidence(
            request.user,
            record,
            upload=body.validated_data["file"],
            expected_version=self.expected_version(record),
        )
        self.etag_object = saved
        return Response(EvidenceSerializer(saved).data)


# ---- plans ------------------------------------------------------------------------------------


def _plans_with_tasks() -> QuerySet[Plan]:
    return Plan.objects.select_related("unit").prefetch_related("items__tasks")


@extend_schema(
    methods=["GET"],
    summary="Kế hoạch của đơn vị",
    responses={200: PlanSerializer(many=True), **_errors(404)},
)
@extend_schema(
    methods=["POST"],
    summary="Lập kế hoạch theo bộ tiêu chí (mỗi tiêu chí một mục)",
    request=PlanCreateSerializer,
    responses={201: PlanSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["plans"])
class UnitPlansView(_UnitScoped, ApiView, generics.ListCreateAPIView):
    """Kế hoạch xây dựng thôn/xã thông minh của một đơn vị."""

    pagination_class = Pagination

    def get_serializer_class(self) -> type:
        return PlanCreateSerializer if self.request.method == "POST" else PlanSerializer

    def get_queryset(self) -> QuerySet[Plan]:
        if getattr(self, "swagger_fake_view", False):
            return Plan.objects.none()
        return _plans_with_tasks().filter(unit=self.unit).order_by("-year", "-id")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.unit
        api_permissions.require(request.user, Action.MANAGE_PLAN, unit)
        serializer = PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        slug = data.pop("criteria_set")
        version = data.pop("criteria_set_version", None)
        year = data.pop("year", None)
        plan = plan_services.do_create_plan(
            request.user, unit, slug, year=year, version=version, **data
        )
        plan = _plans_with_tasks().get(pk=plan.pk)
        return Response(PlanSerializer(plan).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["PATCH"],
    parameters=[IF_MATCH],
    responses={
        200: OpenApiResponse(PlanSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
@extend_schema(
    tags=["plans"],
    responses={200: OpenApiResponse(PlanSerializer, description=WITH_ETAG), **_errors(404)},
)
class PlanDetailView(Versioned, _OneObject, ApiView, generics.RetrieveUpdateAPIView):
    """Một kế hoạch với các mục (tiêu chí) và nhiệm vụ. Sửa cần quyền quản lý kế hoạch."""

    not_found_message = gettext_lazy("Không tìm thấy kế hoạch.")
    serializer_class = PlanSerializer
    permission_classes = [*ApiView.permission_classes, UnitActionPermission]
    write_action = Action.MANAGE_PLAN
    http_method_names = ["get", "patch", "head", "options"]

    def unit_of(self, obj: Plan) -> AdminUnit:
        return obj.unit

    def get_queryset(self) -> QuerySet[Plan]:
        return _plans_with_tasks().filter(unit__in=_visible(self.request.user))

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        plan = self.get_object()
        self.etag_object = plan
        return Response(self.get_serializer(plan).data)

    def perform_update(self, serializer: PlanSerializer) -> None:
        plan = plan_services.do_update_plan(
            self.request.user,
            serializer.instance,
            expected_version=self.expected_version(serializer.instance),
            **serializer.validated_data,
        )
        serializer.instance = self.etag_object = _plans_with_tasks().get(pk=plan.pk)


@extend_schema(
    tags=["plans"],
    summary="Thêm nhiệm vụ cho một mục (tiêu chí) của kế hoạch",
    request=PlanTaskSerializer,
    responses={201: PlanTaskSerializer, **_errors(400, 403, 404)},
)
class PlanItemTasksView(ApiView, generics.CreateAPIView):
    """Thêm nhiệm vụ (cấp thực hiện, nội dung, người chịu trách nhiệm, kinh phí, thời hạn)."""

    serializer_class = PlanTaskSerializer

    @cached_property
    def item(self) -> PlanItem:
        item = (
            PlanItem.objects.select_related("plan__unit")
            .filter(pk=self.kwargs["item_pk"], plan__unit__in=_visible(self.request.user))
            .first()
        )
        if item is None:
            raise Http404(_("Không tìm thấy mục của kế hoạch."))
        return item

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        item = self.item
        api_permissions.require(request.user, Action.MANAGE_PLAN, item.plan.unit)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = plan_services.do_add_task(request.user, item, **serializer.validated_data)
        return Response(self.get_serializer(task).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["PATCH"],
    parameters=[IF_MATCH],
    responses={
        200: OpenApiResponse(PlanTaskSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
@extend_schema(
    methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, **_errors(403, 404, 412)}
)
@extend_schema(
    tags=["plans"],
    responses={200: OpenApiResponse(PlanTaskSerializer, description=WITH_ETAG), **_errors(404)},
)
class TaskDetailView(Versioned, _OneObject, ApiView, generics.RetrieveUpdateDestroyAPIView):
    """Một nhiệm vụ của kế hoạch: tiến độ, trạng thái, kinh phí, thời hạn."""

    not_found_message = gettext_lazy("Không tìm thấy nhiệm vụ.")
    serializer_class = PlanTaskSerializer
    permission_classes = [*ApiView.permission_classes, UnitActionPermission]
    write_action = Action.MANAGE_PLAN
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def unit_of(self, obj: PlanTask) -> AdminUnit:
        return obj.item.plan.unit

    def get_queryset(self) -> QuerySet[PlanTask]:
        return PlanTask.objects.select_related("item__plan__unit").filter(
            item__plan__unit__in=_visible(self.request.user)
        )

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        task = self.get_object()
        self.etag_object = task
        return Response(self.get_serializer(task).data)

    def perform_update(self, serializer: PlanTaskSerializer) -> None:
        serializer.instance = self.etag_object = plan_services.do_update_task(
            self.request.user,
            serializer.instance,
            expected_version=self.expected_version(serializer.instance),
            **serializer.validated_data,
        )

    @transaction.atomic
    def perform_destroy(self, instance: PlanTask) -> None:
        self.check_version_locked(instance)
        plan_services.do_delete_task(self.request.user, instance)


# ---- assessments ------------------------------------------------------------------------------


@extend_schema(
    methods=["GET"],
    summary="Hồ sơ đánh giá của đơn vị",
    responses={200: AssessmentSerializer(many=True), **_errors(404)},
)
@extend_schema(
    methods=["POST"],
    summary="Lập hồ sơ tự đánh giá (dự thảo)",
    request=AssessmentCreateSerializer,
    responses={201: AssessmentSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["assessments"])
class UnitAssessmentsView(_UnitScoped, ApiView, generics.ListCreateAPIView):
    """Hồ sơ đánh giá của một thôn (hoặc xã): trạng thái, các bước đã làm, bước được làm tiếp."""

    serializer_class = AssessmentSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Assessment]:
        if getattr(self, "swagger_fake_view", False):
            return Assessment.objects.none()
        return (
            Assessment.objects.filter(unit=self.unit)
            .select_related("unit")
            .prefetch_related("steps", "versions__submitted_by")
            .order_by("-at", "-id")
        )

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.unit
        api_permissions.require(request.user, Action.SUBMIT, unit)
        serializer = AssessmentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        assessment = assessment_services.do_create(
            request.user, unit, data["criteria_set"], data["at"], version=data.get("version")
        )
        return Response(self.get_serializer(assessment).data, status=status.HTTP_201_CREATED)


def _visible_assessments(user: Any) -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(unit__in=_visible(user))
        .select_related("unit")
        .prefetch_related("steps", "versions__submitted_by")
    )


@extend_schema(
    methods=["PATCH"],
    summary="Sửa ngày tham chiếu, nội dung và thông tin báo cáo",
    responses={200: AssessmentSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["assessments"], responses={200: AssessmentSerializer, **_errors(404)})
class AssessmentDetailView(_OneObject, ApiView, generics.RetrieveUpdateAPIView):
    """Một hồ sơ đánh giá. Sửa theo cùng quy tắc với trang web (assessments.services.do_edit)."""

    not_found_message = gettext_lazy("Không tìm thấy hồ sơ đánh giá.")
    serializer_class = AssessmentSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[Assessment]:
        return _visible_assessments(self.request.user)

    def perform_update(self, serializer: AssessmentSerializer) -> None:
        data = dict(serializer.validated_data)
        at = data.pop("at", None)
        assessment_services.do_edit(self.request.user, serializer.instance, at=at, **data)
        serializer.instance = _visible_assessments(self.request.user).get(pk=serializer.instance.pk)


class _AssessmentStepView(ApiView, generics.GenericAPIView):
    """One workflow step through the web's action function and its permission checks."""

    step: str = ""
    serializer_class: Any = CommentSerializer

    def get_queryset(self) -> QuerySet[Assessment]:
        return _visible_assessments(self.request.user)

    def post(self, request: Request, pk: int) -> Response:
        assessment = _visible_assessments(request.user).filter(pk=pk).first()
        if assessment is None:
            raise Http404(_("Không tìm thấy hồ sơ đánh giá."))
        # The right first (403), the state after (400 from the action, in Vietnamese).
        needed = assessment_services.required_action(assessment, self.step)
        if not permissions.can(request.user, needed, assessment.unit):
            raise api_permissions.Refused(api_permissions.DENIED_OTHER)
        body = self.get_serializer(data=request.data)
        body.is_valid(raise_exception=True)
        self.take(request.user, assessment, body.validated_data)
        fresh = _visible_assessments(request.user).get(pk=pk)
        return Response(AssessmentSerializer(fresh, context={"request": request}).data)

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        raise NotImplementedError


def _step_schema(summary: str, request: Any = CommentSerializer) -> Any:
    return extend_schema(
        tags=["assessments"],
        summary=summary,
        request=request,
        responses={200: AssessmentSerializer, **_errors(400, 403, 404)},
    )


@_step_schema("Nộp hồ sơ (chốt kết quả thành một phiên bản)")
class AssessmentSubmitView(_AssessmentStepView):
    """Nộp: thôn → UBND xã; xã → cấp thẩm định."""

    step = StepAction.SUBMIT

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        assessment_services.do_submit(user, assessment, data.get("comment", ""))


@_step_schema("UBND xã xác nhận hồ sơ của thôn")
class AssessmentConfirmView(_AssessmentStepView):
    """Xác nhận hồ sơ thôn đã nộp."""

    step = StepAction.CONFIRM

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        assessment_services.do_confirm(user, assessment, data.get("comment", ""))


@_step_schema("Trả lại hồ sơ (cần ý kiến)")
class AssessmentReturnView(_AssessmentStepView):
    """Trả lại hồ sơ để sửa, kèm lý do."""

    step = StepAction.RETURN

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        assessment_services.do_return(user, assessment, data.get("comment", ""))


@_step_schema("Thẩm định từng tiêu chí", AppraiseSerializer)
class AssessmentAppraiseView(_AssessmentStepView):
    """Ý kiến thẩm định cho mọi tiêu chí của phiên bản đã nộp."""

    step = StepAction.APPRAISE
    serializer_class = AppraiseSerializer

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        verdicts = {
            code: (bool(v["agreed"]), v.get("comment", "")) for code, v in data["verdicts"].items()
        }
        assessment_services.do_appraise(user, assessment, verdicts, data.get("comment", ""))


@_step_schema("Công nhận (số và ngày quyết định)", RecogniseSerializer)
class AssessmentRecogniseView(_AssessmentStepView):
    """Ghi quyết định công nhận sau thẩm định."""

    step = StepAction.RECOGNISE
    serializer_class = RecogniseSerializer

    def take(self, user: Any, assessment: Assessment, data: dict[str, Any]) -> None:
        assessment_services.do_recognise(
            user,
            assessment,
            data["decision_number"],
            data["decision_date"],
            data.get("comment", ""),
        )


# ---- import jobs ------------------------------------------------------------------------------


def _village_for_import(user: Any, unit: AdminUnit) -> AdminUnit:
    if unit.level != Level.VILLAGE:
        raise ValidationError({"detail": _("Chỉ nhập dữ liệu vào thôn (ấp, xóm, bản…).")})
    api_permissions.require(user, Action.EDIT_REGISTRY, unit)
    return unit


def _job_or_404(user: Any, pk: Any) -> ImportJob:
    job = ImportJob.objects.select_related("village").filter(pk=pk).first()
    if job is None or not permissions.can(user, Action.VIEW, job.village):
        raise Http404(_("Không tìm thấy lượt nhập."))
    api_permissions.require(user, Action.EDIT_REGISTRY, job.village)
    return job


def _job_response(request: Request, job: ImportJob, code: int = 200) -> Response:
    job.refresh_from_db()
    data = ImportJobSerializer(job).data
    shown = sum(len(data[key]) for key in ("errors", "warnings", "questions", "proposals"))
    if shown:
        # The check's messages quote cells of the file (names, dates): who read them, how many.
        audit.record(
            actor=request.user,
            action="view",
            unit=job.village,
            object_type="import_job",
            object_id=str(job.pk),
            object_repr=", ".join(data["file_names"])[:200],
            note="API: kết quả kiểm tra tệp nhập",
            count=shown,
        )
    return Response(data, status=code)


@extend_schema(
    methods=["GET"],
    summary="Các lượt nhập tệp của thôn",
    responses={200: ImportJobSerializer(many=True), **_errors(403, 404)},
)
@extend_schema(
    methods=["POST"],
    summary="Tải tệp lên và kiểm tra (chưa ghi gì)",
    request={"multipart/form-data": ImportUploadSerializer},
    responses={201: ImportJobSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["imports"])
class UnitImportsView(_UnitScoped, ApiView, generics.ListCreateAPIView):
    """Nhập hộ và nhân khẩu từ tệp: tải lên → kiểm tra → trả lời câu hỏi cột → xác nhận."""

    serializer_class = ImportJobSerializer
    pagination_class = Pagination
    parser_classes = [MultiPartParser, FormParser]

    def get_queryset(self) -> QuerySet[ImportJob]:
        if getattr(self, "swagger_fake_view", False):
            return ImportJob.objects.none()
        api_permissions.require(self.request.user, Action.EDIT_REGISTRY, self.unit)
        return ImportJob.objects.filter(village=self.unit).order_by("-created_at")

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        village = _village_for_import(request.user, self.unit)
        upload = ImportUploadSerializer(data={"files": request.FILES.getlist("files")})
        upload.is_valid(raise_exception=True)
        files = upload.validated_data["files"]
        if sum(f.size for f in files) > MAX_UPLOAD_BYTES:
            raise ValidationError({"files": [_("Tệp quá lớn (tối đa 50 MB).")]})
        job = jobs.create_job(village, request.user, files)
        jobs.start_preview(job)
        return _job_response(request, job, status.HTTP_201_CREATED)


@extend_schema(tags=["imports"], responses={200: ImportJobSerializer, **_errors(403, 404)})
class ImportJobDetailView(ApiView):
    """Trạng thái một lượt nhập: tiến độ, kết quả kiểm tra, lỗi và cảnh báo theo dòng, các cột."""

    def get(self, request: Request, pk: Any) -> Response:
        return _job_response(request, _job_or_404(request.user, pk))


@extend_schema(
    tags=["imports"],
    summary="Trả lời câu hỏi về cột (đối chiếu cột với trường), rồi kiểm tra lại",
    request=ImportMappingSerializer,
    responses={200: ImportJobSerializer, **_errors(400, 403, 404, 409)},
)
class ImportMappingView(ApiView):
    """Gán cột “Trang!Cột” cho một trường (mã trong danh sách trường), hoặc "" để bỏ qua."""

    serializer_class = ImportMappingSerializer

    def post(self, request: Request, pk: Any) -> Response:
        job = _job_or_404(request.user, pk)
        body = ImportMappingSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if job.status != JobStatus.PREVIEWED:
            return _conflict(job)
        fields = all_fields()
        unknown = [v for v in body.validated_data["mapping"].values() if v and v not in fields]
        if unknown:
            raise ValidationError(
                {"mapping": [_("Không có trường “%(key)s”.") % {"key": key} for key in unknown]}
            )
        job.mapping = {**job.mapping, **body.validated_data["mapping"]}
        job.save(update_fields=["mapping", "updated_at"])
        jobs.start_preview(job)
        return _job_response(request, job)


def _conflict(job: ImportJob, detail: str = "") -> Response:
    return Response(
        {
            "detail": detail
            or _("Lượt nhập đang ở trạng thái “%(state)s”: không làm được bước này.")
            % {"state": job.get_status_display()}
        },
        status=status.HTTP_409_CONFLICT,
    )


@extend_schema(
    tags=["imports"],
    summary="Xác nhận và ghi vào sổ (một lần; ghi tất cả hoặc không gì, hoặc chỉ các hộ hợp lệ)",
    request=ImportConfirmSerializer,
    responses={200: ImportJobSerializer, **_errors(400, 403, 404, 409)},
)
class ImportConfirmView(ApiView):
    """Ghi lượt nhập đã kiểm tra, như nút xác nhận trên trang: các đề xuất cột được nhận, cột đã
    đối chiếu được nhớ cho xã. Còn câu hỏi về cột, hoặc còn lỗi mà không chọn `partial`: 409.
    Gửi lại lần hai không ghi thêm gì."""

    def post(self, request: Request, pk: Any) -> Response:
        job = _job_or_404(request.user, pk)
        body = ImportConfirmSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if job.status in (JobStatus.APPLYING, JobStatus.DONE):
            return _job_response(request, job)  # confirmed already: applies once
        report = job.report or {}
        partial = body.validated_data["partial"]
        if job.status != JobStatus.PREVIEWED or report.get("questions"):
            return _conflict(
                job, _("Còn cột chưa trả lời hoặc tệp chưa kiểm tra xong; chưa ghi gì.")
            )
        if not partial and not report.get("ok"):
            return _conflict(job, _("Tệp còn lỗi; chưa ghi gì."))
        # As on the page: confirming takes the proposed columns as the user's choices.
        proposed = {
            item["ref"]: item["chosen"]
            for item in web_report.questions(report, "proposed")
            if item["chosen"]
        }
        job.mapping = {**proposed, **job.mapping}
        job.partial = partial
        job.save(update_fields=["mapping", "partial", "updated_at"])
        mappings.do_remember_mapping(job, request.user)
        jobs.start_apply(job)
        return _job_response(request, job)
