from django.apps import AppConfig


class FormsConfig(AppConfig):
    """What comes in through the public forms: reports, merchant applications, questionnaires.

    The label stays `intake` (its tables are `intake_*`); the folder is named for what it holds.
    """

    name = "forms"
    label = "intake"
    verbose_name = "民情与入盟"

    def ready(self):
        from portal.pagecache import invalidate_on

        from .models import Convention

        # The convention's text is shown on public pages.
        invalidate_on(Convention)
