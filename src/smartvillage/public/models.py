"""A village's public page: opt-in per village by the commune, aggregates and public facts only.

Nothing of the registry (names, codes, identity numbers, per-household data) is ever read for
it; the page is built from the results, public evidence types, plan progress and announcements.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartvillage.units.models import AdminUnit


class PublicPage(models.Model):
    village = models.OneToOneField(
        AdminUnit, on_delete=models.CASCADE, related_name="public_page", verbose_name=_("thôn")
    )
    slug = models.SlugField(_("địa chỉ trang"), max_length=80, unique=True)
    published = models.BooleanField(_("đang công khai"), default=False)
    intro = models.TextField(_("lời giới thiệu"), blank=True)
    criteria_set_slug = models.CharField(_("bộ tiêu chí hiển thị"), max_length=100, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("trang công khai")
        verbose_name_plural = _("trang công khai")

    def __str__(self) -> str:
        return self.slug


class Announcement(models.Model):
    village = models.ForeignKey(
        AdminUnit, on_delete=models.CASCADE, related_name="announcements", verbose_name=_("thôn")
    )
    title = models.CharField(_("tiêu đề"), max_length=200)
    body = models.TextField(_("nội dung"), max_length=4000)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    posted_at = models.DateTimeField(auto_now_add=True)
    hidden = models.BooleanField(_("đã gỡ"), default=False)

    class Meta:
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title
