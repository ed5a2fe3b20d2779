from django.apps import AppConfig


class PointsConfig(AppConfig):
    """Volunteer points: activities and sign-ups, attendance, issuance, spending at member shops."""

    name = "points"
    verbose_name = "志愿积分"

    def ready(self):
        from portal.pagecache import invalidate_on

        from .models import Activity, SignUp, Transfer

        # Notice pages show the places left and the points issued (公示); spends show nowhere public.
        invalidate_on(Activity, SignUp)
        invalidate_on(Transfer, when=lambda transfer: transfer.kind in (Transfer.Kind.ISSUE, Transfer.Kind.REVERSE))
