from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest

from smartvillage.accounts.permissions import is_system_admin
from smartvillage.criteria import loader
from smartvillage.criteria.models import UploadedCriteriaSet


class UploadForm(forms.ModelForm):
    upload = forms.FileField(
        label="Tệp YAML", required=False, help_text="Hoặc dán nội dung vào ô bên dưới."
    )

    class Meta:
        model = UploadedCriteriaSet
        fields = ("upload", "filename", "content", "is_active")

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["content"].required = False
        self.fields["filename"].required = False

    def clean(self) -> dict:
        data = super().clean()
        upload = data.get("upload")
        if upload:
            try:
                data["content"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise forms.ValidationError("Tệp phải là văn bản UTF-8.") from None
            data["filename"] = data.get("filename") or upload.name
            self.instance.content, self.instance.filename = data["content"], data["filename"]
        if not data.get("content"):
            raise forms.ValidationError("Hãy chọn tệp YAML hoặc dán nội dung.")
        return data


@admin.register(UploadedCriteriaSet)
class UploadedCriteriaSetAdmin(admin.ModelAdmin):
    """A system admin adds a province's new criteria set by pasting/uploading its YAML; it is
    validated (file, criterion, field) before it is saved."""

    form = UploadForm
    list_display = (
        "slug",
        "version",
        "status",
        "author_unit",
        "filename",
        "is_active",
        "uploaded_by",
        "uploaded_at",
    )
    list_filter = ("status", "is_active")
    # Drafts are written and published on the authoring pages (criteria.authoring).
    readonly_fields = (
        "slug",
        "version",
        "status",
        "author_unit",
        "based_on",
        "published_at",
        "uploaded_by",
        "uploaded_at",
    )

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_system_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return is_system_admin(request.user)

    has_add_permission = has_change_permission = has_delete_permission = (
        lambda self, request, obj=None: is_system_admin(request.user)
    )  # noqa: E731

    def save_model(
        self, request: HttpRequest, obj: UploadedCriteriaSet, form: object, change: bool
    ) -> None:
        obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)
        loader.reload()
        messages.info(request, f"Đã nạp bộ tiêu chí {obj.slug} phiên bản {obj.version}.")

    def delete_model(self, request: HttpRequest, obj: UploadedCriteriaSet) -> None:
        super().delete_model(request, obj)
        loader.reload()
