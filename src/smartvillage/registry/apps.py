from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "smartvillage.registry"
    label = "registry"
    verbose_name = "Sổ hộ gia đình"
