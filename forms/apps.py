from django.apps import AppConfig


class FormsConfig(AppConfig):
    name = "forms"
    label = "intake"
    verbose_name = "民情与入盟"
