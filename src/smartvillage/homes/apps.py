from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomesConfig(AppConfig):
    """Homes by role, dashboards, unit pages and the inbox: pages on top of every other app."""

    name = "smartvillage.homes"
    label = "homes"
    verbose_name = _("Trang chủ và bảng điều khiển")

    def ready(self) -> None:
        from django.apps import apps
        from django.contrib import admin

        # The admin speaks Vietnamese throughout: its titles, and the headings of the apps that
        # name themselves in English (django-axes' login lockouts).
        admin.site.site_header = _("Quản trị Thôn thông minh")
        admin.site.site_title = _("Quản trị Thôn thông minh")
        admin.site.index_title = _("Quản trị hệ thống")
        if apps.is_installed("axes"):
            apps.get_app_config("axes").verbose_name = _("Khóa đăng nhập (chống dò mật khẩu)")
