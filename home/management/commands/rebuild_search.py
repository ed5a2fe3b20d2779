from django.core.management.base import BaseCommand
from django.db import transaction

from home import searchindex


class Command(BaseCommand):
    help = "重建站内搜索的索引（页面和联盟商户）"

    def handle(self, *args, **options):
        with transaction.atomic():
            searchindex.rebuild(stdout=self.stdout if options["verbosity"] else None)
