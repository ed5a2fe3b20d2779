"""CPU milliseconds per request per public page, in one process through Django's test client.

Not a test: it prints figures and asserts nothing. What the machine's noise moves least is the
process's own CPU time (time.process_time), so this is the figure to compare before and after a
change to the read path; bench/run.py measures throughput through gunicorn and wrk.

Production settings (DEBUG off, Redis as the shared cache in a database of its own, flushed first)
with the whole-page cache off, so every request renders; the fragment and card caches stay on, as
in production. Point it at a copy of a database, never at one someone else writes:

    .venv/bin/python bench/cpu.py --sqlite var/district.sqlite3 --media var/district-media -n 100
    DATABASE_URL=postgres://... .venv/bin/python bench/cpu.py -n 100
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/11"


def configure(args):
    sys.path.insert(0, str(REPO))
    os.environ.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY="bench-only-" + "x" * 50,
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        REDIS_URL=args.redis,
        CACHE_KEY_PREFIX=f"bench-cpu-{os.getpid()}",
        PAGE_CACHE_SECONDS="0",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=str(REPO / "var" / "bench-cpu-static"),
    )
    if args.sqlite:
        os.environ["SQLITE_PATH"] = str(Path(args.sqlite).resolve())
    if args.media:
        os.environ["MEDIA_ROOT"] = str(Path(args.media).resolve())
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)  # hashed names, as production


def pages():
    from alliance.models import Merchant
    from bulletins.models import HonourRollPage, NewsPage

    article = NewsPage.objects.live().order_by("-date", "-pk").first()
    roll = HonourRollPage.objects.live().order_by("-period_end").first()
    shop = Merchant.objects.members().order_by("name", "pk").first()
    found = {"home": "/", "news index": "/news/"}
    if article:
        found["article"] = article.url
    found["honour rolls"] = "/honour-rolls/"
    if roll:
        found["honour roll"] = roll.url
    found["directory"] = "/merchants/"
    if shop:
        found["merchant"] = shop.get_absolute_url()
    return found


def measure(client, url, count):
    from django.db import connection

    for _ in range(3):  # renditions made, caches filled
        assert client.get(url).status_code == 200, url
    queries = []

    def counted(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    # A wrapper, not CaptureQueriesContext: the request's end closes the connection and its log.
    with connection.execute_wrapper(counted):
        client.get(url)
    times = []
    for _ in range(count):
        started = time.process_time()
        response = client.get(url)
        times.append((time.process_time() - started) * 1000)
        assert response.status_code == 200, url
    return statistics.mean(times), statistics.median(times), len(queries)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="requests per page (after 3 to warm up)")
    parser.add_argument("--sqlite", help="SQLite file (a copy); DATABASE_URL otherwise")
    parser.add_argument("--media", help="MEDIA_ROOT holding the database's images")
    parser.add_argument("--redis", default=REDIS_URL)
    parser.add_argument("--pages", help="comma-separated names from the table (all by default)")
    args = parser.parse_args()
    configure(args)

    import redis
    from django.test import Client

    redis.Redis.from_url(args.redis).flushdb()
    client = Client()
    print("| page | CPU ms mean | CPU ms median | queries |")
    print("|---|---:|---:|---:|")
    chosen = args.pages.split(",") if args.pages else None
    for name, url in pages().items():
        if chosen and name not in chosen:
            continue
        mean, median, queries = measure(client, url, args.n)
        print(f"| {name} | {mean:.1f} | {median:.1f} | {queries} |", flush=True)


if __name__ == "__main__":
    main()
