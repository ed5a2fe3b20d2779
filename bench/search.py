"""Site search in-process: SQL queries, CPU milliseconds per request and database CPU per request.

Uses the database of the environment (DATABASE_URL, else SQLITE_PATH) as it is: it neither
migrates nor loads anything, so point it at a copy of the district data set, e.g.

    cp /work/district/district.sqlite3 var/ && SQLITE_PATH=var/district.sqlite3 .venv/bin/python manage.py migrate
    SQLITE_PATH=var/district.sqlite3 .venv/bin/python bench/search.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shangju_search_district .venv/bin/python bench/search.py

Renders /search/ with Django's test client (test settings: DEBUG off, local-memory cache, no page
cache, the content cache on as in production) and prints, per query, the result count, the SQL
queries of one warm request, and the median over several rounds of the process CPU per request
(on SQLite that includes the database's work, which runs in this process) and, on PostgreSQL, of
the server backend's CPU per request read from /proc. Figures, not tests.
"""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent

QUERIES = [
    ("油烟", {}),
    ("油烟", {"page": "2"}),
    ("便民集市", {}),
    ("油烟净化器", {}),
    ("志愿者积分", {}),
    ("面", {}),
    ("wifi", {}),
    ("幸福里", {}),
    ("社区", {}),
    ("社区", {"page": "300"}),
]


def backend_cpu_seconds(pid):
    """utime + stime of a local PostgreSQL backend, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()

    os.environ.pop("REDIS_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    os.environ["CONTENT_CACHE_SECONDS"] = "300"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client, override_settings

    client = Client()
    with override_settings(CONTENT_CACHE_SECONDS=300, PAGE_CACHE_SECONDS=0):
        connection.ensure_connection()
        pg_pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pg_pid = cursor.fetchone()[0]
        print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
        print("| query | results | SQL queries | CPU ms/request (app) | DB backend CPU ms/request |")
        print("|---|---:|---:|---:|---:|")
        for query, extra in QUERIES:
            url = "/search/?" + urlencode({"q": query, **extra})
            for _ in range(3):
                response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            found = re.search(r"找到 (\d+) 条", response.content.decode())
            executed = []

            def count(execute, sql, params, many, context, executed=executed):
                executed.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                client.get(url)
            app, db = [], []
            for _ in range(args.rounds):
                cpu = time.process_time()
                backend = backend_cpu_seconds(pg_pid) if pg_pid else 0.0
                for _ in range(args.requests):
                    client.get(url)
                app.append((time.process_time() - cpu) * 1000 / args.requests)
                if pg_pid:
                    db.append((backend_cpu_seconds(pg_pid) - backend) * 1000 / args.requests)
            label = query + (f" (page {extra['page']})" if extra else "")
            db_text = f"{statistics.median(db):.1f}" if db else "(in process)"
            print(
                f"| {label} | {found.group(1) if found else '?'} | {len(executed)} | "
                f"{statistics.median(app):.1f} | {db_text} |"
            )


if __name__ == "__main__":
    main()
