from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "smartvillage.core"
    label = "core"
