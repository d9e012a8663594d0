from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "smartvillage.plans"
    label = "plans"
    verbose_name = "Kế hoạch"
