from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "smartvillage.audit"
    label = "audit"
    verbose_name = "Nhật ký thay đổi"
