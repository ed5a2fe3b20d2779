from django.apps import AppConfig


class CaseworkConfig(AppConfig):
    """Cases once they exist: handling to a deadline, answering, supervising (民情诉求)."""

    name = "casework"
    verbose_name = "民情诉求"
