from django.apps import AppConfig


class CriteriaConfig(AppConfig):
    name = "smartvillage.criteria"
    label = "criteria"
    verbose_name = "Bộ tiêu chí"
