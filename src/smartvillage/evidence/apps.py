from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "smartvillage.evidence"
    label = "evidence"
    verbose_name = "Minh chứng"
