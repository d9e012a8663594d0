"""The village's public page (no account, cached, rate-limited) and the commune's and village
head's page to publish it and post announcements."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from smartvillage.accounts.permissions import get_visible_unit
from smartvillage.core.addresses import absolute
from smartvillage.core.errors import DomainError
from smartvillage.criteria.services import sets_for_unit
from smartvillage.public import services
from smartvillage.public.models import Announcement, PublicPage
from smartvillage.units.models import Level


def _published(slug: str) -> PublicPage:
    page = PublicPage.objects.select_related("village").filter(slug=slug, published=True).first()
    if page is None:
        raise Http404
    return page


def public_url(request: HttpRequest, page: PublicPage) -> str:
    return absolute(request, reverse("public:page", args=[page.slug]))


def _rate() -> str:
    return getattr(settings, "PUBLIC_PAGE_RATE", "300/m")


@ratelimit(key="ip", rate=lambda group, request: _rate(), block=False)
def page(request: HttpRequest, slug: str) -> HttpResponse:
    if getattr(request, "limited", False):
        return HttpResponse("Quá nhiều yêu cầu, xin thử lại sau ít phút.", status=429)
    key = services.cache_key(slug, get_language() or "vi")
    html = cache.get(key)
    if html is None:
        page_obj = _published(slug)
        content = services.content(page_obj)
        html = render_to_string(
            "public/page.html",
            {"c": content, "url": public_url(request, page_obj)},
            request=None,
        )
        cache.set(key, html, services.CACHE_SECONDS)
    response = HttpResponse(html)
    response["Cache-Control"] = f"public, max-age={services.CACHE_SECONDS}"
    return response


def _qr_svg(url: str, scale: int = 6) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, border=2)


def poster(request: HttpRequest, slug: str) -> HttpResponse:
    page_obj = _published(slug)
    url = public_url(request, page_obj)
    from smartvillage.surveys.models import Survey, SurveyStatus

    survey = Survey.objects.filter(village=page_obj.village, status=SurveyStatus.OPEN).first()
    survey_url = absolute(request, reverse("surveys:answer", args=[survey.pk])) if survey else ""
    return render(
        request,
        "public/poster.html",
        {
            "page": page_obj,
            "village": page_obj.village,
            "url": url,
            "qr": _qr_svg(url, 8),
            "survey": survey,
            "survey_url": survey_url,
            "survey_qr": _qr_svg(survey_url, 5) if survey_url else "",
        },
    )


def qr(request: HttpRequest, slug: str) -> HttpResponse:
    page_obj = _published(slug)
    return HttpResponse(_qr_svg(public_url(request, page_obj)), content_type="image/svg+xml")


# ---- staff: publish, announce ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, unit_id: int) -> HttpResponse:
    village = get_visible_unit(request.user, unit_id)
    if village.level != Level.VILLAGE:
        raise Http404
    may_publish = services.can_publish(request.user, village)
    may_announce = services.can_announce(request.user, village)
    if request.method == "POST":
        try:
            if request.POST.get("action") in ("publish", "unpublish"):
                services.do_publish(
                    request.user,
                    village,
                    published=request.POST["action"] == "publish",
                    intro=request.POST.get("intro"),
                    criteria_set_slug=request.POST.get("criteria_set", ""),
                )
                messages.success(request, "Đã lưu trang công khai.")
            elif request.POST.get("action") == "announce":
                services.do_post_announcement(
                    request.user,
                    village,
                    title=request.POST.get("title", ""),
                    body=request.POST.get("body", ""),
                )
                messages.success(request, "Đã đăng thông báo.")
            elif request.POST.get("action") == "hide":
                item = get_object_or_404(Announcement, pk=request.POST.get("id"), village=village)
                services.do_hide_announcement(request.user, item)
                messages.success(request, "Đã gỡ thông báo.")
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("public:manage", village.pk)
    page_obj = services.page_for(village)
    from smartvillage.surveys.models import Survey
    from smartvillage.surveys.services import can_manage

    context: dict[str, Any] = {
        "unit": village,
        "page_obj": page_obj,
        "url": public_url(request, page_obj) if page_obj else "",
        "may_publish": may_publish,
        "may_announce": may_announce,
        "announcements": Announcement.objects.filter(village=village, hidden=False)[:20],
        "sets": sets_for_unit(village, own_level=True),
        "surveys": Survey.objects.filter(village=village),
        "may_manage_surveys": can_manage(request.user, village),
    }
    return render(request, "public/manage.html", context)
