from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo content and demo accounts; no models."""

    name = "demo"
    verbose_name = "演示内容"
