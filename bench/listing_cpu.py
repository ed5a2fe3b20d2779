"""CPU milliseconds per request of the listing pages, in one process with Django's test client.

No server and no network: it renders each page N times against the database the settings name
(SQLITE_PATH or DATABASE_URL, e.g. a copy of the district data set) with the page cache off, and
prints the queries of one request and the mean and median process CPU per request (the database
work of SQLite included; PostgreSQL's own CPU is not). Figures, not a test.

    SQLITE_PATH=var/district.sqlite3 .venv/bin/python bench/listing_cpu.py [N] [URL ...]
    CONTENT_CACHE_SECONDS=0 ...   # as production runs without a shared cache
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.dev")
os.environ["PAGE_CACHE_SECONDS"] = "0"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings  # noqa: E402

URLS = ["/", "/notices/", "/notices/?archive=1", "/notices/?page=5", "/notices/?kind=market_day"]


class Counter:
    """A database execute wrapper that lists the SQL it sees."""

    def __init__(self, seen):
        self.seen = seen

    def __call__(self, execute, sql, params, many, context):
        self.seen.append(sql)
        return execute(sql, params, many, context)


def main(argv):
    count = int(argv[0]) if argv and argv[0].isdigit() else 60
    urls = [a for a in argv if not a.isdigit()] or URLS
    plain_static = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(DEBUG=False, ALLOWED_HOSTS=["*"], STORAGES=plain_static):
        client = Client()
        print(f"CONTENT_CACHE_SECONDS={settings.CONTENT_CACHE_SECONDS}, {connection.vendor}, {count} requests each")
        for url in urls:
            for _ in range(5):
                assert client.get(url).status_code == 200, url
            queries = []
            with connection.execute_wrapper(Counter(queries)):
                client.get(url)
            spent = []
            for _ in range(count):
                started = time.process_time()
                client.get(url)
                spent.append(time.process_time() - started)
            spent.sort()
            mean, median = 1000 * sum(spent) / count, 1000 * spent[count // 2]
            print(f"{url:28} queries {len(queries):3}  cpu ms/req mean {mean:6.2f}  median {median:6.2f}")


if __name__ == "__main__":
    main(sys.argv[1:])
