from django.apps import AppConfig


class HomesConfig(AppConfig):
    """Homes by role, dashboards, unit pages and the inbox: pages on top of every other app."""

    name = "smartvillage.homes"
    label = "homes"
