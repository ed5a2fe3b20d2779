"""The admin case inbox with 100,000 cases: SQL queries and render time per role.

Builds a throw-away database (SQLite file, or PostgreSQL with --postgres), bulk-creates
100,000 cases over 10 grids, and renders the inbox in-process with Django's test client as a
superuser, a community moderator and a grid worker: first page, overdue filter, a search by
reference and a deep page. Prints queries and the median of several renders. Figures, not tests.

    .venv/bin/python bench/inbox.py [--postgres] [--cases 100000]
"""

import argparse
import datetime
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_DB = "shangju_bench_inbox"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL"):
        os.environ.pop(name, None)
    if args.postgres:
        import psycopg

        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DB}"')
        os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="shangju-inbox-")) / "inbox.sqlite3")
    # The test settings: DEBUG off, plain static storage (no collectstatic), local-memory cache.
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse
    from django.utils import timezone

    from alliance.models import Community, Grid
    from forms.models import CaseCategory, GrievanceReport

    call_command("migrate", verbosity=0)
    User = get_user_model()
    community = Community.objects.create(name="压测社区", slug="bench")
    grids = [Grid.objects.create(community=community, name=f"第{n}网格") for n in range(1, 11)]
    password = secrets.token_urlsafe(12)  # never used to log in: the client uses force_login
    moderator = User.objects.create_user("moderator", password=password)
    community.moderators.add(moderator)
    worker = User.objects.create_user("worker", password=password)
    grids[0].workers.add(worker)
    # Admin access comes from the groups the data migrations create.
    moderator.groups.add(Group.objects.get(name="审核"))
    worker.groups.add(Group.objects.get(name="网格员"))
    root = User.objects.create_superuser("root", "root@example.cn", password)
    categories = list(CaseCategory.objects.all())
    states = ["submitted", "accepted", "dispatched", "in_progress", "resolved", "closed"]
    now = timezone.now()
    started = time.perf_counter()
    batch = []
    for n in range(args.cases):
        batch.append(
            GrievanceReport(
                reference=f"SJ-20260101-{n:06d}",
                secret_hash=f"{n:064d}",
                submission_key=f"bench-{n}",
                category=categories[n % len(categories)],
                community=community,
                grid=grids[n % len(grids)],
                address="幸福里 3 号楼",
                description="楼下烧烤店每晚十一点后还在放音乐",
                accept_due=now + datetime.timedelta(hours=n % 50 - 25),
                resolve_due=now + datetime.timedelta(days=n % 20 - 5),
                state=states[n % len(states)],
                created_at=now - datetime.timedelta(minutes=n),
            )
        )
        if len(batch) == 5000:
            GrievanceReport.objects.bulk_create(batch)
            batch = []
    GrievanceReport.objects.bulk_create(batch)
    database = "PostgreSQL" if args.postgres else "SQLite"
    print(f"{database}: {args.cases} cases created in {time.perf_counter() - started:.0f} s")

    index = reverse("intake_cases:index")
    views = [
        ("first page", index),
        ("overdue", index + "?overdue=true"),
        ("search", index + "?q=SJ-20260101-009999"),
        ("page 50", index + "?p=50"),
    ]
    print(f"{'role':<10} {'view':<11} {'status':>6} {'queries':>7} {'median ms':>9} {'max ms':>7}")
    for label, user in (("superuser", root), ("moderator", moderator), ("worker", worker)):
        client = Client()
        client.force_login(user)
        for view, url in views:
            client.get(url)  # warm caches, as a second visit would be
            timings = []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    begun = time.perf_counter()
                    response = client.get(url)
                    timings.append((time.perf_counter() - begun) * 1000)
            print(
                f"{label:<10} {view:<11} {response.status_code:>6} {len(captured):>7} "
                f"{statistics.median(timings):>9.0f} {max(timings):>7.0f}"
            )


if __name__ == "__main__":
    main()
