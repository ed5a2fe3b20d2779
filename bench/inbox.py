"""The admin case inbox at district scale: SQL queries and render time per role.

Uses the database of the environment (DATABASE_URL, else SQLITE_PATH, else a new SQLite
file in a temp dir), migrates it, and if it holds no district data yet, builds the
district's registry, merchants and cases with demo/district.py (no pages: the inbox
does not need them; `manage.py load_demo_content --scale district` builds everything).
Then renders the inbox in-process with Django's test client as a superuser, the moderator of
the busiest community and the worker of the busiest grid: first page, overdue filter, a
search by reference and page 50. Prints queries and the median of several warm renders.
Figures, not tests; on a busy machine the wall times move a lot, CPU per request and the
query counts much less.

    .venv/bin/python bench/inbox.py [--cases 100000] [--repeat 5]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shangju_district .venv/bin/python bench/inbox.py
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases to build when the database has none")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    os.environ.pop("REDIS_URL", None)
    if not os.environ.get("DATABASE_URL") and not os.environ.get("SQLITE_PATH"):
        os.environ["SQLITE_PATH"] = str(Path(tempfile.mkdtemp(prefix="shangju-inbox-")) / "inbox.sqlite3")
    # The test settings: DEBUG off, plain static storage (no collectstatic), local-memory cache.
    # They name a test database only; the database used here is the one above.
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings.test"
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from alliance.models import Community, Grid
    from casework.models import GrievanceReport
    from casework.views import CaseIndexView
    from demo import district

    call_command("migrate", verbosity=0)
    database = connection.vendor
    if not district.exists():
        started = time.perf_counter()
        district.DistrictBuilder(cases=args.cases, stdout=sys.stdout).build(pages=False)
        print(f"{database}: district built in {time.perf_counter() - started:.0f} s")
    total = GrievanceReport.objects.count()

    User = get_user_model()
    root = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser(
        f"{district.PREFIX}root", "root@example.cn", None
    )
    busiest = Community.objects.annotate(n=Count("reports")).filter(moderators__isnull=False).order_by("-n").first()
    moderator = busiest.moderators.first()
    grid = Grid.objects.annotate(n=Count("reports")).filter(workers__isnull=False).order_by("-n").first()
    worker = grid.workers.first()
    reference = GrievanceReport.objects.filter(grid=grid).order_by("pk").values_list("reference", flat=True)[0]

    index = reverse("casework:index")
    print(f"{database}: {total} cases; moderator of {busiest.name} ({busiest.n}), worker of {grid} ({grid.n})")
    # cpu ms: this process only (for SQLite that includes the queries; PostgreSQL's own CPU is not in it).
    # On a busy machine wall times swing with other load; CPU per request much less.
    print(f"{'role':<10} {'view':<11} {'status':>6} {'queries':>7} {'median ms':>9} {'max ms':>7} {'cpu ms':>7}")
    for label, user in (("superuser", root), ("moderator", moderator), ("worker", worker)):
        client = Client()
        client.force_login(user)
        # Page 50, or the last page for a role with fewer cases (a grid has a few hundred).
        deep = min(50, -(-GrievanceReport.objects.visible_to(user).count() // CaseIndexView.paginate_by))
        views = [
            ("first page", index),
            ("overdue", index + "?overdue=true"),
            ("search", index + f"?q={reference}"),
            (f"page {deep}", index + f"?p={deep}"),
        ]
        for view, url in views:
            client.get(url)  # warm caches, as a second visit would be
            timings, cpu = [], []
            for _ in range(args.repeat):
                with CaptureQueriesContext(connection) as captured:
                    begun, begun_cpu = time.perf_counter(), time.process_time()
                    response = client.get(url)
                    timings.append((time.perf_counter() - begun) * 1000)
                    cpu.append((time.process_time() - begun_cpu) * 1000)
            print(
                f"{label:<10} {view:<11} {response.status_code:>6} {len(captured):>7} "
                f"{statistics.median(timings):>9.0f} {max(timings):>7.0f} {statistics.median(cpu):>7.0f}"
            )


if __name__ == "__main__":
    main()
