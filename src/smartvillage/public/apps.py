from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "smartvillage.public"
    label = "public"
    verbose_name = _("Trang công khai của thôn")
