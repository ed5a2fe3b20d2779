from django.apps import AppConfig
from django.db.models.signals import post_save


class BulletinsConfig(AppConfig):
    name = "bulletins"
    verbose_name = "联盟公告"

    def ready(self):
        from .models import NoticePage
        from .occurrences import notice_saved

        # Every save of a notice (publish, unpublish, scheduled publishing, a revert) rewrites its
        # stored occurrences; deleting it removes them by CASCADE.
        post_save.connect(notice_saved, sender=NoticePage, dispatch_uid="bulletins-notice-occurrences")
