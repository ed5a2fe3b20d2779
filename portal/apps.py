from django.apps import AppConfig


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
        from .pagecache import invalidate_on, invalidate_on_pages

        # Every name shown, Wagtail's included, in the Chinese order (portal/people.py).
        people.install(get_user_model())

        # The framework's own models that public pages show; each app registers its own models.
        invalidate_on_pages()
        invalidate_on(Site, PageViewRestriction, Redirect, Tag, get_image_model(), get_document_model())
