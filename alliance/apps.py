from django.apps import AppConfig


class AllianceConfig(AppConfig):
    name = "alliance"
    verbose_name = "联盟名录"

    def ready(self):
        from portal.pagecache import invalidate_on

        from .models import Community, Grid, GridArea, Merchant

        # The directory, organisation pages, notices and honour rolls show these.
        invalidate_on(Community, Grid, GridArea, Merchant)
