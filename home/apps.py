from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "home"
    verbose_name = "门户"

    def ready(self):
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model
        from wagtail.images import get_image_model
        from wagtail.models import Page
        from wagtail.signals import page_published, page_unpublished, post_page_move

        from portal.pagecache import content_changed

        # Publishing goes through these signals, scheduled publishing and workflow approval included.
        for signal in (page_published, page_unpublished, post_page_move):
            signal.connect(content_changed, dispatch_uid=f"pagecache-{signal}")

        def page_deleted(sender, instance, **kwargs):
            if isinstance(instance, Page):
                content_changed()

        post_delete.connect(page_deleted, weak=False, dispatch_uid="pagecache-page-deleted")

        # What public pages show from outside the page tree.
        shown_on_public_pages = [
            apps.get_model("alliance", "Community"),
            apps.get_model("alliance", "Grid"),
            apps.get_model("alliance", "GridArea"),
            apps.get_model("alliance", "Merchant"),
            apps.get_model("intake", "Convention"),
            apps.get_model("home", "OfficeSettings"),
            apps.get_model("wagtailcore", "Site"),
            apps.get_model("wagtailcore", "PageViewRestriction"),
            apps.get_model("wagtailredirects", "Redirect"),
            apps.get_model("taggit", "Tag"),
            get_image_model(),
            get_document_model(),
        ]
        for model in shown_on_public_pages:
            for signal in (post_save, post_delete):
                signal.connect(content_changed, sender=model, dispatch_uid=f"pagecache-{model._meta.label}-{signal}")
