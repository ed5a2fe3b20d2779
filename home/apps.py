from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "门户"

    def ready(self):
        from portal.pagecache import invalidate_on

        from . import searchindex
        from .models import OfficeSettings

        # The footer, header and share cards of every page read the office's settings.
        invalidate_on(OfficeSettings)
        # Site search reads its own index, rebuilt whenever a page or merchant is saved.
        searchindex.connect()
