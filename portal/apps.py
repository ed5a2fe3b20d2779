from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class PortalConfig(AppConfig):
    """The ground floor: mechanisms every app uses (portal/*.py), no models of its own."""

    name = "portal"
    verbose_name = "门户基础"

    def ready(self):
        from django.contrib.auth import get_user_model
        from taggit.models import Tag
        from wagtail.contrib.redirects.models import Redirect
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import PageViewRestriction, Site

        from . import people
        from .pagecache import invalidate_on, invalidate_on_pages, new_generation
        from .sharedcache import when_recovered
        from .siteaddress import adopt_configured_address
        from .spreadsheets import protect_wagtail_exports

        # Every name shown, Wagtail's included, in the Chinese order (portal/people.py).
        people.install(get_user_model())

        # The framework's own models that public pages show; each app registers its own models.
        invalidate_on_pages()
        invalidate_on(Site, PageViewRestriction, Redirect, Tag, get_image_model(), get_document_model())
        # A publish while the cache was unreachable could not store its new generation: pages cached
        # before the outage must not come back with the cache, so a new generation starts then.
        when_recovered(new_generation)
        # Every cell and heading of every Wagtail export (snippets, form submissions, reports).
        protect_wagtail_exports()
        # Once per migrate (portal has no models, so no post_migrate of its own): the placeholder
        # Site of the first migration takes the configured address (portal/siteaddress.py).
        post_migrate.connect(
            adopt_configured_address, sender=apps.get_app_config("wagtailcore"), dispatch_uid="portal.site_address"
        )
