"""Survey pages: residents answer (no account), staff create, follow, enter paper answers,
hand out one-time codes, export and import."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST
from django_ratelimit.decorators import ratelimit

from smartvillage.accounts.permissions import get_visible_unit
from smartvillage.audit import services as audit
from smartvillage.core.addresses import absolute
from smartvillage.core.errors import DomainError
from smartvillage.registry.models import Household
from smartvillage.surveys import exchange, services
from smartvillage.surveys.models import QuestionKind, Response, Survey, SurveyStatus


def _raw_answers(request: HttpRequest, survey: Survey) -> dict[int, Any]:
    raw: dict[int, Any] = {}
    for q in survey.questions.all():
        name = f"q{q.pk}"
        raw[q.pk] = (
            request.POST.getlist(name)
            if q.kind == QuestionKind.MULTIPLE
            else request.POST.get(name, "")
        )
    return raw


def _client_address(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


@ratelimit(key="ip", rate="60/h", method="POST", block=False)
@require_http_methods(["GET", "POST"])
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    """The resident's form: household code + 4 digits (or a one-time code), then the answers."""
    survey = get_object_or_404(Survey.objects.select_related("village"), pk=pk)
    today = timezone.localdate()
    context: dict[str, Any] = {"survey": survey, "open": survey.is_open_on(today), "posted": {}}
    if request.method == "POST" and context["open"]:
        context["posted"] = request.POST
        if getattr(request, "limited", False):
            context["error"] = services.TOO_MANY
            return render(request, "surveys/answer.html", context, status=429)
        try:
            proof = services.check_household(
                survey,
                household_code=request.POST.get("household_code", ""),
                digits=request.POST.get("digits", ""),
                one_time_code=request.POST.get("one_time_code", ""),
                address=_client_address(request),
            )
            services.do_answer(survey, proof, _raw_answers(request, survey), today=today)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "surveys/answer.html", context, status=400)
        return render(request, "surveys/thanks.html", {"survey": survey})
    return render(request, "surveys/answer.html", context)


def _staff_survey(request: HttpRequest, pk: int) -> Survey:
    survey = get_object_or_404(Survey.objects.select_related("village"), pk=pk)
    get_visible_unit(request.user, survey.village_id)
    return survey


@login_required
@require_POST
def create(request: HttpRequest, unit_id: int) -> HttpResponse:
    village = get_visible_unit(request.user, unit_id)
    if not services.can_manage(request.user, village):
        raise PermissionDenied
    try:
        opens_on = _date(request.POST.get("opens_on")) or timezone.localdate()
        closes_on = _date(request.POST.get("closes_on")) or opens_on + dt.timedelta(days=30)
        survey = services.do_create_survey(
            request.user,
            village,
            title=request.POST.get("title", "") or services.DEFAULT_TITLE,
            opens_on=opens_on,
            closes_on=closes_on,
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("public:manage", village.pk)
    messages.success(request, "Đã lập cuộc khảo sát theo mẫu. Xem lại rồi bấm “Mở lấy ý kiến”.")
    return redirect("surveys:detail", survey.pk)


def _date(text: str | None) -> dt.date | None:
    text = (text or "").strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    if text:
        raise DomainError(f"Ngày “{text}” không đúng dạng dd/mm/yyyy.", "bad_date")
    return None


@login_required
@require_http_methods(["GET", "POST"])
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    may_manage = services.can_manage(request.user, survey.village)
    if request.method == "POST":
        status = request.POST.get("status", "")
        try:
            services.do_set_status(
                request.user,
                survey,
                status,
                link=absolute(request, reverse("surveys:answer", args=[survey.pk])),
            )
            messages.success(request, "Đã cập nhật trạng thái cuộc khảo sát.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("surveys:detail", survey.pk)
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "unit": survey.village,
            "results": services.results(survey, with_texts=may_manage),
            "may_manage": may_manage,
            "may_enter": services.can_enter_paper(request.user, survey.village),
            "answer_url": absolute(request, reverse("surveys:answer", args=[survey.pk])),
            "statuses": SurveyStatus,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """The digital team types in a paper form: the household by its code, then the answers."""
    survey = _staff_survey(request, pk)
    if not services.can_enter_paper(request.user, survey.village):
        raise PermissionDenied
    context: dict[str, Any] = {"survey": survey, "unit": survey.village, "posted": {}}
    if request.method == "POST":
        context["posted"] = request.POST
        code = request.POST.get("household_code", "").strip()
        household = Household.objects.filter(village=survey.village, code__iexact=code).first()
        try:
            if household is None:
                raise DomainError(f"Không có hộ mã “{code}” trong thôn.", "unknown_household")
            services.do_answer(
                survey,
                services.Proof(household, "paper"),
                _raw_answers(request, survey),
                entered_by=request.user,
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "surveys/paper.html", context, status=400)
        messages.success(request, f"Đã ghi phiếu của hộ {household.code}.")
        return redirect("surveys:paper", survey.pk)
    return render(request, "surveys/paper.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def codes(request: HttpRequest, pk: int) -> HttpResponse:
    """One-time codes for households that have not answered (printable)."""
    survey = _staff_survey(request, pk)
    if not services.can_enter_paper(request.user, survey.village):
        raise PermissionDenied
    issued: list[tuple[Household, str]] = []
    if request.method == "POST":
        answered = Response.objects.filter(survey=survey).values_list("household_id", flat=True)
        wanted = request.POST.get("household_codes", "").replace(",", " ").split()
        households = Household.objects.filter(village=survey.village).exclude(pk__in=answered)
        if wanted:
            folded = {w.casefold() for w in wanted}
            households = [h for h in households if h.code.casefold() in folded]
        issued = services.do_issue_codes(request.user, survey, list(households))
        audit.record_view(
            actor=request.user,
            unit=survey.village,
            object_type="surveys.accesscode",
            object_id=f"{survey.pk}:{timezone.now().isoformat()}",
            object_repr=f"{len(issued)} hộ",
        )
    return render(
        request, "surveys/codes.html", {"survey": survey, "unit": survey.village, "issued": issued}
    )


@login_required
def answers_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    if not services.can_manage(request.user, survey.village):
        raise PermissionDenied
    response = HttpResponse(
        exchange.answers_xlsx(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{survey.pk}-tra-loi.xlsx"'
    return response


@login_required
def xlsform(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    response = HttpResponse(
        exchange.xlsform_xlsx(survey),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="khao-sat-{survey.pk}-xlsform.xlsx"'
    return response


@login_required
@require_POST
def kobo_import(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _staff_survey(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Chọn tệp Excel xuất từ KoboToolbox/ODK.")
        return redirect("surveys:detail", survey.pk)
    if upload.size and upload.size > 10 * 1024 * 1024:
        messages.error(request, "Tệp lớn hơn 10 MB.")
        return redirect("surveys:detail", survey.pk)
    try:
        report = exchange.import_kobo(request.user, survey, upload.read(), upload.name)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("surveys:detail", survey.pk)
    if not report.ok:
        messages.error(
            request,
            "Chưa ghi phiếu nào. "
            + " ".join(report.errors[:20])
            + (f" (và {len(report.errors) - 20} lỗi khác)" if len(report.errors) > 20 else ""),
        )
    else:
        messages.success(
            request,
            f"Đã ghi {report.imported} phiếu từ Kobo."
            + (" " + " ".join(report.skipped[:20]) if report.skipped else ""),
        )
    return redirect("surveys:detail", survey.pk)
