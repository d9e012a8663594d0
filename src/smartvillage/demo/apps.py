from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo world and `smartvillage demo`: it imports every app, and no app imports it."""

    name = "smartvillage.demo"
    label = "demo"
