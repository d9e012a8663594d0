from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class SetStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    PUBLISHED = "published", _("Đã công bố")


class UploadedCriteriaSet(models.Model):
    """A criteria set stored in the database: uploaded by a system admin (a new province's bộ tiêu
    chí, validated on save) or authored in the app (criteria.authoring). Only published rows are
    loaded; a draft is seen only by its author's unit until it is published."""

    filename = models.CharField(_("tên tệp"), max_length=200)
    content = models.TextField(_("nội dung YAML"))
    slug = models.CharField(max_length=100, editable=False)
    version = models.PositiveIntegerField(editable=False, default=1)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    # Other web workers compare this to notice a changed set (criteria.loader._registry).
    updated_at = models.DateTimeField(auto_now=True, null=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=SetStatus.choices, default=SetStatus.PUBLISHED
    )
    # The unit whose users may see and edit the draft (the appraiser's province); None: the
    # system admins'.
    author_unit = models.ForeignKey(
        "units.AdminUnit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị soạn"),
    )
    # "slug@version" the draft was copied from ("" for a blank one): the default diff.
    based_on = models.CharField(_("tạo từ"), max_length=120, blank=True)
    published_at = models.DateTimeField(_("ngày công bố"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("bộ tiêu chí tải lên")
        verbose_name_plural = _("bộ tiêu chí tải lên")
        constraints = [
            # Drafts may share a number until one of them is published.
            models.UniqueConstraint(
                fields=["slug", "version"],
                condition=models.Q(status="published"),
                name="uploaded_set_unique_published_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} v{self.version}"

    def clean(self) -> None:
        from smartvillage.core.errors import DomainError
        from smartvillage.criteria.loader import load_text

        try:
            cset = load_text(self.content, self.filename or "upload.yaml")
        except DomainError as exc:
            raise ValidationError({"content": exc.message}) from None
        from smartvillage.criteria.loader import (
            CriteriaFormatError,
            _build_registry,
            check_references,
        )

        known = {k: v for k, v in _build_registry().items() if k != (cset.slug, cset.version)}
        try:
            check_references(cset, known)
        except CriteriaFormatError as exc:
            raise ValidationError({"content": exc.message}) from None
        self.slug, self.version = cset.slug, cset.version
