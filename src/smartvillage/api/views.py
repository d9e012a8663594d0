"""REST API views. Thin: permissions from accounts.permissions (via api.permissions), writes
through registry.services, evaluation from criteria.engine.

Errors: invisible objects are 404, visible but forbidden 403, bad input 400 with the field's
errors (Django ValidationError raised inside a service is mapped the same way; the service's
transaction has rolled back, so nothing is half-written).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound, ParseError, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from smartvillage.accounts.permissions import Action
from smartvillage.api import permissions as api_permissions
from smartvillage.api.serializers import (
    CriteriaSetDetailSerializer,
    CriteriaSetSummarySerializer,
    ErasureRequestSerializer,
    ErasureResultSerializer,
    ErrorSerializer,
    EvaluationQuerySerializer,
    EvaluationSerializer,
    HouseholdSerializer,
    PersonSerializer,
    StaleErrorSerializer,
    UnitSerializer,
    WorklistItemSerializer,
    WorklistQuerySerializer,
    criteria_set_detail,
    worklist_item,
)
from smartvillage.audit import services as audit
from smartvillage.audit.models import AuditAction
from smartvillage.core import concurrency
from smartvillage.core.errors import DomainError
from smartvillage.criteria import engine
from smartvillage.criteria.loader import CriteriaSet, all_sets, get_set
from smartvillage.registry import services
from smartvillage.registry.models import Household, Person
from smartvillage.units.models import AdminUnit, Level

log = logging.getLogger(__name__)

_ERRORS = {
    400: OpenApiResponse(description="Dữ liệu không hợp lệ: lỗi theo từng trường."),
    403: OpenApiResponse(ErrorSerializer, description="Không có quyền."),
    404: OpenApiResponse(ErrorSerializer, description="Không tìm thấy (hoặc không được xem)."),
    409: OpenApiResponse(ErrorSerializer, description="Trạng thái không cho phép thao tác này."),
    412: OpenApiResponse(
        StaleErrorSerializer,
        description=(
            "If-Match không khớp phiên bản hiện tại: người khác đã sửa; chưa ghi gì. "
            "`detail` nói thay đổi của họ, `current_etag` là ETag mới."
        ),
    ),
}

IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "ETag đã đọc (GET). Khớp: ghi; không khớp: 412, chưa ghi gì. Không gửi: vẫn ghi "
        "(không bắt buộc, để các ứng dụng cũ vẫn chạy; không trả 428)."
    ),
)
# The ETag response header is added to these operations' 200 by api.schema.document_errors.
WITH_ETAG = "Kèm tiêu đề ETag (phiên bản), gửi lại trong If-Match khi sửa/xóa."


def _errors(*codes: int) -> dict[int, OpenApiResponse]:
    return {code: _ERRORS[code] for code in codes}


def _field_errors(exc: DjangoValidationError) -> dict[str, list[str]]:
    """A model ValidationError (from full_clean in a service) as DRF's {field: [messages]}."""
    if hasattr(exc, "error_dict"):
        return {
            ("non_field_errors" if name == NON_FIELD_ERRORS else name): [
                message for error in errors for message in error.messages
            ]
            for name, errors in exc.error_dict.items()
        }
    return {"non_field_errors": list(exc.messages)}


def _shown(response: Response) -> int:
    """How many records a list response carries (paginated or not)."""
    data = response.data
    rows = data.get("results", []) if isinstance(data, dict) else data
    return len(rows or [])


class _OneObject:
    # Django's get_object_or_404 says "No Household matches the given query."; say it in Vietnamese.
    not_found_message = gettext_lazy("Không tìm thấy.")

    def get_object(self) -> Any:
        try:
            return super().get_object()  # type: ignore[misc]
        except Http404:
            raise Http404(str(self.not_found_message)) from None


class Versioned:
    """One versioned object (optimistic locking, core.concurrency): its ETag on every 2xx
    response, and the version named by If-Match checked under the row lock before a write."""

    request: Request
    etag_object: Any = None

    def expected_version(self, instance: Any) -> int | None:
        value = self.request.headers.get("If-Match", "").strip()
        if not value:
            return None  # optional (documented): clients that send none keep working
        version = concurrency.version_from_etag(value, instance)
        if version is None:
            raise PreconditionFailed(
                _("If-Match “%(given)s” không phải ETag của đối tượng này (%(etag)s); chưa ghi gì.")
                % {"given": value[:60], "etag": concurrency.etag(instance)}
            )
        return version

    def check_version_locked(self, instance: Any) -> None:
        """Inside the write's transaction: lock the row and refuse a stale If-Match (DELETE)."""
        expected = self.expected_version(instance)
        if expected is None:
            return
        locked = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        if locked.version != expected:
            raise concurrency.StaleEdit(
                locked, expected, concurrency.other_changes(locked, expected)
            )

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any):
        response = super().finalize_response(request, response, *args, **kwargs)  # type: ignore[misc]
        obj = self.etag_object
        if obj is not None and response.status_code in (200, 201):
            response["ETag"] = concurrency.etag(obj)
        return response


class Pagination(PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 500


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"
    default_detail = gettext_lazy("Điều kiện If-Match không khớp; chưa ghi gì.")


class ApiView(APIView):
    """API REST của smartvillage."""

    # Base of every API view: domain and model errors become 400 responses, a stale edit 412.

    def get_authenticate_header(self, request: Request) -> str:
        # Not logged in is a 401 with a challenge (the session is not the only way in: Basic
        # works too), not the 403 DRF gives when session authentication comes first.
        return 'Basic realm="smartvillage API", charset="UTF-8"'

    def handle_exception(self, exc: Exception) -> Response:
        if isinstance(exc, concurrency.StaleEdit):
            current = concurrency.etag(exc.current)
            response = Response(
                {"detail": exc.message, "current_etag": current},
                status=status.HTTP_412_PRECONDITION_FAILED,
            )
            response["ETag"] = current
            return response
        if isinstance(exc, DjangoPermissionDenied):
            # An action function's refusal is worded for logs ("submit on assessment 5"): people
            # get the plain Vietnamese sentence (item 9 of issue #11: no internal names).
            exc = api_permissions.Refused(api_permissions.DENIED_OTHER)
        elif isinstance(exc, DjangoValidationError):
            exc = ValidationError(_field_errors(exc))
        elif isinstance(exc, DomainError):
            exc = ValidationError({"detail": exc.message})
        elif isinstance(exc, ParseError):
            # DRF quotes the JSON parser's English ("Expecting value: line 1 column 1").
            exc = ParseError(
                _("Nội dung gửi lên không đọc được (JSON hoặc biểu mẫu không hợp lệ).")
            )
        elif not isinstance(exc, APIException | Http404):
            # Anything unforeseen: logged with its traceback for the administrator; the client
            # gets JSON in plain Vietnamese, never the exception's name or a server path.
            log.exception("API error on %s", self.request.path)
            return Response(
                {
                    "detail": _(
                        "Lỗi hệ thống; thao tác chưa hoàn tất. Hãy thử lại hoặc báo quản trị."
                    )
                },
                status=status.HTTP_500_INTERNAL_SERVER_ERROR,
            )
        return super().handle_exception(exc)


# ---- units ------------------------------------------------------------------------------------


class IdFilter(django_filters.NumberFilter):
    """An id: a whole number within the database's range (else a 400, never an overflow)."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class UnitFilter(django_filters.FilterSet):
    parent = IdFilter(field_name="parent_id", label="id của đơn vị cha")
    level = django_filters.ChoiceFilter(choices=Level.choices, label="cấp")
    q = django_filters.CharFilter(method="search", label="tìm theo tên hoặc mã")

    class Meta:
        model = AdminUnit
        fields = ["parent", "level", "q"]

    def search(self, queryset: QuerySet[AdminUnit], name: str, value: str) -> QuerySet[AdminUnit]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


@extend_schema(tags=["units"])
class UnitListView(ApiView, generics.ListAPIView):
    """Đơn vị người dùng được xem (tỉnh, huyện, xã, thôn), lọc theo cha, cấp, tên."""

    serializer_class = UnitSerializer
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend]
    filterset_class = UnitFilter

    def get_queryset(self) -> QuerySet[AdminUnit]:
        return api_permissions.visible_units(self.request.user).order_by("path")


@extend_schema(tags=["units"], responses={200: UnitSerializer, **_errors(404)})
class UnitDetailView(_OneObject, ApiView, generics.RetrieveAPIView):
    """Một đơn vị người dùng được xem."""

    not_found_message = gettext_lazy("Không tìm thấy đơn vị.")

    serializer_class = UnitSerializer

    def get_queryset(self) -> QuerySet[AdminUnit]:
        return api_permissions.visible_units(self.request.user)


# ---- households -------------------------------------------------------------------------------


class _UnitScoped:
    # Views under /units/{unit_pk}/: the unit, 404 unless the user may view it.

    kwargs: dict[str, Any]
    request: Request

    @cached_property
    def unit(self) -> AdminUnit:
        return api_permissions.visible_unit_or_404(self.request.user, self.kwargs["unit_pk"])


@extend_schema(
    methods=["GET"],
    summary="Danh sách hộ của đơn vị",
    description="Các hộ của thôn (hoặc mọi thôn dưới xã/huyện/tỉnh).",
    responses={200: HouseholdSerializer(many=True), **_errors(404)},
)
@extend_schema(
    methods=["POST"],
    summary="Thêm hộ vào thôn",
    responses={201: HouseholdSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["registry"])
class UnitHouseholdsView(_UnitScoped, ApiView, generics.ListCreateAPIView):
    """Hộ gia đình của một đơn vị. Thêm hộ: chỉ vào thôn, cần quyền sửa danh sách hộ."""

    serializer_class = HouseholdSerializer
    pagination_class = Pagination

    def get_queryset(self) -> QuerySet[Household]:
        if getattr(self, "swagger_fake_view", False):
            return Household.objects.none()
        unit = self.unit
        qs = Household.objects.select_related("village")
        if unit.level == Level.VILLAGE:
            return qs.filter(village=unit).order_by("code")
        return qs.filter(village__path__startswith=unit.path).order_by("village__path", "code")

    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        if not getattr(self, "swagger_fake_view", False) and self.request.method == "POST":
            context["village"] = self.unit
        return context

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        # Personal-data access log (Law 91/2025/QH15): every page, with how many it showed.
        services.record_household_list_view(
            request.user, self.unit, channel="api", count=_shown(response)
        )
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        unit = self.unit
        api_permissions.require(request.user, Action.EDIT_REGISTRY, unit)
        if unit.level != Level.VILLAGE:
            raise ValidationError({"detail": _("Hộ chỉ thêm được vào một thôn (ấp, xóm, bản…).")})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        household = services.do_create_household(request.user, unit, **serializer.service_fields())
        return Response(self.get_serializer(household).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["PATCH"],
    parameters=[IF_MATCH],
    responses={
        200: OpenApiResponse(HouseholdSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
@extend_schema(
    methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, **_errors(403, 404, 412)}
)
@extend_schema(
    tags=["registry"],
    responses={
        200: OpenApiResponse(HouseholdSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404),
    },
)
class HouseholdDetailView(Versioned, _OneObject, ApiView, generics.RetrieveUpdateDestroyAPIView):
    """Một hộ gia đình. Sửa/xóa cần quyền sửa danh sách hộ; mọi thay đổi được ghi nhật ký."""

    not_found_message = gettext_lazy("Không tìm thấy hộ.")

    serializer_class = HouseholdSerializer
    permission_classes = [*ApiView.permission_classes, api_permissions.RegistryObjectPermission]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Household]:
        return api_permissions.visible_households(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.get_object()
        services.record_household_view(request.user, household, channel="api")
        self.etag_object = household
        return Response(self.get_serializer(household).data)

    def perform_update(self, serializer: HouseholdSerializer) -> None:
        serializer.instance = self.etag_object = services.do_update_household(
            self.request.user,
            serializer.instance,
            expected_version=self.expected_version(serializer.instance),
            **serializer.service_fields(),
        )

    @transaction.atomic
    def perform_destroy(self, instance: Household) -> None:
        self.check_version_locked(instance)
        services.do_delete_household(self.request.user, instance)


# ---- persons ----------------------------------------------------------------------------------


@extend_schema(
    methods=["GET"],
    summary="Nhân khẩu của hộ",
    responses={200: PersonSerializer(many=True), **_errors(404)},
)
@extend_schema(
    methods=["POST"],
    summary="Thêm nhân khẩu vào hộ",
    responses={201: PersonSerializer, **_errors(400, 403, 404)},
)
@extend_schema(tags=["registry"])
class HouseholdPersonsView(ApiView, generics.ListCreateAPIView):
    """Nhân khẩu của một hộ. Số định danh chỉ trả về dạng đã che."""

    serializer_class = PersonSerializer
    pagination_class = Pagination

    @cached_property
    def household(self) -> Household:
        try:
            return api_permissions.visible_households(self.request.user).get(
                pk=self.kwargs["household_pk"]
            )
        except Household.DoesNotExist:
            raise Http404(_("Không tìm thấy hộ.")) from None

    def get_queryset(self) -> QuerySet[Person]:
        if getattr(self, "swagger_fake_view", False):
            return Person.objects.none()
        return self.household.persons.select_related("household").order_by("id")

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        services.record_person_list_view(
            request.user, self.household, channel="api", count=_shown(response)
        )
        return response

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        household = self.household
        api_permissions.require(request.user, Action.EDIT_REGISTRY, household.village)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.do_create_person(request.user, household, **serializer.service_fields())
        return Response(self.get_serializer(person).data, status=status.HTTP_201_CREATED)


@extend_schema(
    methods=["PATCH"],
    parameters=[IF_MATCH],
    responses={
        200: OpenApiResponse(PersonSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404, 412),
    },
)
@extend_schema(
    methods=["DELETE"], parameters=[IF_MATCH], responses={204: None, **_errors(403, 404, 412)}
)
@extend_schema(
    tags=["registry"],
    responses={
        200: OpenApiResponse(PersonSerializer, description=WITH_ETAG),
        **_errors(400, 403, 404),
    },
)
class PersonDetailView(Versioned, _OneObject, ApiView, generics.RetrieveUpdateDestroyAPIView):
    """Một nhân khẩu. Số định danh chỉ trả về dạng đã che; sửa/xóa được ghi nhật ký."""

    not_found_message = gettext_lazy("Không tìm thấy nhân khẩu.")

    serializer_class = PersonSerializer
    permission_classes = [*ApiView.permission_classes, api_permissions.RegistryObjectPermission]
    http_method_names = ["get", "patch", "delete", "head", "options"]

    def get_queryset(self) -> QuerySet[Person]:
        return api_permissions.visible_persons(self.request.user)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        services.record_person_view(request.user, person, channel="api")
        self.etag_object = person
        return Response(self.get_serializer(person).data)

    def perform_update(self, serializer: PersonSerializer) -> None:
        serializer.instance = self.etag_object = services.do_update_person(
            self.request.user,
            serializer.instance,
            expected_version=self.expected_version(serializer.instance),
            **serializer.service_fields(),
        )

    @transaction.atomic
    def perform_destroy(self, instance: Person) -> None:
        self.check_version_locked(instance)
        services.do_delete_person(self.request.user, instance)


def _visible_person(request: Request, pk: int) -> Person:
    person = (
        api_permissions.visible_persons(request.user)
        .select_related("household__village")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise NotFound(_("Không tìm thấy nhân khẩu."))
    return person


@extend_schema(
    tags=["registry"],
    summary="Dữ liệu cá nhân của một người (quyền truy cập của chủ thể dữ liệu)",
    responses={200: OpenApiTypes.OBJECT, **_errors(403, 404)},
)
class PersonDataView(ApiView):
    """Mọi dữ liệu hệ thống giữ về một người, đúng như trang “Dữ liệu cá nhân” tải về; lần xuất
    được ghi nhật ký (Luật Bảo vệ dữ liệu cá nhân 91/2025/QH15)."""

    def get(self, request: Request, pk: int) -> Response:
        person = _visible_person(request, pk)
        return Response(services.do_export_person_data(request.user, person))


@extend_schema(
    tags=["registry"],
    summary="Xóa dữ liệu cá nhân theo yêu cầu của chủ thể dữ liệu",
    request=ErasureRequestSerializer,
    responses={200: ErasureResultSerializer, **_errors(400, 403, 404)},
)
class PersonErasureView(ApiView):
    """Xóa một người theo yêu cầu (Luật 91/2025/QH15): bản ghi bị xóa, mọi bản sao khác (nhật
    ký, hồ sơ đã chốt, tệp đang chờ nhập, khảo sát) bị xóa hoặc thay bằng bí danh; nhật ký chỉ
    giữ việc đã xóa. Cần `{"confirm": true}`; không hoàn tác được. Cùng quyền như trên web."""

    def post(self, request: Request, pk: int) -> Response:
        person = _visible_person(request, pk)
        body = ErasureRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.do_erase_person(request.user, person)
        return Response(
            ErasureResultSerializer(
                {
                    "erased": True,
                    "audit_entries": result.audit_entries,
                    "households": result.households,
                    "housemates": result.housemates,
                    "snapshots": result.snapshots,
                    "import_jobs": result.import_jobs,
                    "survey_answers": result.survey_answers,
                    "files": len(result.files),
                }
            ).data
        )


# ---- criteria sets ----------------------------------------------------------------------------


@extend_schema(tags=["criteria"], responses={200: CriteriaSetSummarySerializer(many=True)})
class CriteriaSetListView(ApiView):
    """Các bộ tiêu chí (phiên bản mới nhất của mỗi bộ)."""

    def get(self, request: Request) -> Response:
        return Response([cset.summary() for cset in all_sets()])


@extend_schema(
    tags=["criteria"],
    parameters=[
        OpenApiParameter("version", OpenApiTypes.INT, description="Phiên bản (mặc định: mới nhất).")
    ],
    responses={200: CriteriaSetDetailSerializer, **_errors(404)},
)
class CriteriaSetDetailView(ApiView):
    """Một bộ tiêu chí: căn cứ pháp lý, hiệu lực, nhóm và từng tiêu chí."""

    def get(self, request: Request, slug: str) -> Response:
        version = request.query_params.get("version")
        if version is not None and not version.isdigit():
            raise ValidationError({"version": [_("Phiên bản phải là số nguyên dương.")]})
        try:
            cset = get_set(slug, int(version) if version else None)
        except DomainError as exc:
            raise Http404(exc.message) from None
        return Response(criteria_set_detail(cset))


# ---- evaluation and worklist ------------------------------------------------------------------


def _criteria_set(params: dict[str, Any]) -> CriteriaSet:
    try:
        return get_set(params["criteria_set"], params.get("version"))
    except DomainError as exc:
        raise ValidationError({"criteria_set": [exc.message]}) from None


def _at(params: dict[str, Any]) -> dt.date:
    return params.get("at") or timezone.localdate()


def evaluation_json(unit: AdminUnit, cset: CriteriaSet, at: dt.date) -> dict[str, Any]:
    """The JSON of `smartvillage evaluate --format json`: the unit, then each village below it."""
    engine.check_level(unit, cset)  # the same refusal as evaluate() for a unit of another level
    # One read of the villages' counts for the unit and its children (the unit's totals are the
    # sums of its children's rows).
    result, children = engine.evaluate_with_children(unit, cset, at)
    assert result is not None
    data = result.to_dict()
    if unit.level != Level.VILLAGE:
        data["children"] = [child.to_dict() for child in children]
    return data


@extend_schema(
    tags=["criteria"],
    summary="Đánh giá đơn vị theo bộ tiêu chí",
    parameters=[EvaluationQuerySerializer],
    responses={200: EvaluationSerializer, **_errors(400, 404)},
)
class UnitEvaluationView(_UnitScoped, ApiView):
    """Kết quả đánh giá như `smartvillage evaluate --format json` (kèm từng thôn với xã)."""

    def get(self, request: Request, unit_pk: int) -> Response:
        unit = self.unit
        query = EvaluationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        cset = _criteria_set(query.validated_data)
        try:
            return Response(evaluation_json(unit, cset, _at(query.validated_data)))
        except DomainError as exc:
            raise ValidationError({"criteria_set": [exc.message]}) from None


@extend_schema(
    tags=["criteria"],
    summary="Danh sách hộ/người của một tiêu chí tỷ lệ (mặc định: chưa đạt)",
    description=(
        "Cần quyền xem dữ liệu cá nhân (export_personal) trên đơn vị. Mỗi lần đọc được ghi "
        "vào nhật ký (thao tác “view”). Số định danh luôn được che."
    ),
    parameters=[
        WorklistQuerySerializer,
        OpenApiParameter("page", OpenApiTypes.INT, description="Trang (từ 1)."),
        OpenApiParameter("page_size", OpenApiTypes.INT, description="Số dòng mỗi trang."),
    ],
    responses={200: WorklistItemSerializer(many=True), **_errors(400, 403, 404)},
)
class UnitWorklistView(_UnitScoped, ApiView, generics.GenericAPIView):
    """Danh sách hộ/người của một tiêu chí tỷ lệ."""

    pagination_class = Pagination
    serializer_class = WorklistItemSerializer

    def get(self, request: Request, unit_pk: int) -> Response:
        unit = self.unit
        api_permissions.require(request.user, Action.EXPORT_PERSONAL, unit)
        query = WorklistQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        cset = _criteria_set(params)
        try:
            criterion = cset.criterion(params["criterion"])
        except DomainError as exc:
            raise ValidationError({"criterion": [exc.message]}) from None
        if criterion.kind != "ratio":
            raise ValidationError(
                {"criterion": [_("Tiêu chí này không tính theo danh sách hộ/người.")]}
            )
        met = {"false": False, "true": True, "all": None}[params["met"]]
        at = _at(params)
        qs = engine.members(unit, criterion, at, met=met, cset=cset)
        text = (params.get("q") or "").strip()
        if text:
            qs = (
                qs.filter(Q(head_name__icontains=text) | Q(code__icontains=text))
                if criterion.population == "households"
                else qs.filter(Q(full_name__icontains=text) | Q(household__code__icontains=text))
            )
        page = self.paginate_queryset(qs)
        rows = [worklist_item(obj) for obj in page] if page is not None else []
        # Personal-data access log (Law 91/2025/QH15): who read which list, when.
        audit.record(
            actor=request.user,
            action=AuditAction.VIEW,
            unit=unit,
            object_type="worklist",
            object_repr=f"{cset.slug} {criterion.code} (met={params['met']})",
            note=f"API, ngày {at:%d/%m/%Y}, {len(rows)} dòng",
            count=len(rows),
        )
        return self.get_paginated_response(rows)


# ---- schema and docs --------------------------------------------------------------------------


class DocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its files served by drf-spectacular-sidecar from our static files (no CDN)."""

    url_name = "api:schema"


@extend_schema(exclude=True)
class NotFoundView(ApiView):
    """Any path under /api/ that names no resource: a JSON 404 (any method, logged in or not)."""

    permission_classes: list[Any] = []
    authentication_classes: list[Any] = []

    def _not_found(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        raise NotFound(
            _("Không có đường dẫn API “%(path)s”. Danh sách đường dẫn: /api/docs/.")
            % {"path": request.path[:200]}
        )

    get = post = put = patch = delete = head = options = _not_found
