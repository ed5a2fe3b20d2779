from django.apps import AppConfig


class PointsConfig(AppConfig):
    """Volunteer points: activities and sign-ups, attendance, issuance, spending at member shops."""

    name = "points"
    verbose_name = "志愿积分"
