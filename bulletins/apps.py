from django.apps import AppConfig
from django.db.models.signals import post_save


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = "联盟公告"

    def ready(self):
        from wagtail.signals import post_page_move

        from .models import NoticePage
        from .occurrences import notice_saved, page_moved

        # Every save of a notice (publish, unpublish, scheduled publishing, a revert) rewrites its
        # stored occurrences; deleting it removes them by CASCADE.
        post_save.connect(notice_saved, sender=NoticePage, dispatch_uid="bulletins-notice-occurrences")
        # Any page's move renumbers tree paths, the notices' among them.
        post_page_move.connect(page_moved, dispatch_uid="bulletins-notice-occurrence-paths")
