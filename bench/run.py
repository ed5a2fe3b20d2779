"""The whole benchmark in one command: every page against the framework's ceiling, on SQLite and PostgreSQL.

For each database it loads the district-sized data set (`load_demo_content --scale district`:
about 90 communities, 1,000 merchants, 2,000 news articles, 500 notices, 100,000 cases), serves
the portal with gunicorn and the production settings on 127.0.0.1 (Redis as the shared cache),
and drives it with wrk. The ceiling is /healthz/, a view that runs SELECT 1 and one cache read
through the same middleware, measured by the same server in the same run; every other row is a ratio to it.

Rows: public pages without the page cache (PAGE_CACHE_SECONDS=0, shared fragments still cached),
the same pages served from the page cache, search, a /track/ lookup, the case inbox as a grid worker
and as a moderator (one connection, so p50 is the time to render, not time in a queue), and full
grievance wizards with and without a 1 MB photo. Figures, not tests: nothing here asserts a timing.

    .venv/bin/python bench/run.py                          # both databases, district data
    .venv/bin/python bench/run.py --databases sqlite --scale demo --duration 3   # a quick look

The database is kept between runs (var/bench-<scale>.sqlite3, PostgreSQL shangju_bench_<scale>) so
the district load (minutes) happens once; --fresh rebuilds it. Results: bench/results/run-<databases>.md.
"""

import argparse
import datetime
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402 - the sibling script holds the server plumbing
    HOST,
    PG_ADMIN_URL,
    REPO,
    WRK_LUA,
    BenchError,
    base_env,
    collect_static,
    free_port,
    gunicorn_cpu_seconds,
    log,
    manage,
    run,
    start_gunicorn,
    stop_gunicorn,
    tail,
    wait_until_ready,
    wrk,
)
from wizard import drive, one_megabyte_jpeg, shell_json  # noqa: E402

RESULTS = REPO / "bench" / "results"
REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own, flushed before each server start

PUBLIC_PAGES = [
    ("home", "/"),
    ("news index", "/news/"),
    ("news article", None),
    ("notices index", "/notices/"),
    ("notice", None),
    ("honour roll", None),
    ("merchant directory", "/merchants/"),
    ("merchant", None),
    ("search 油烟", "/search/?q=" + quote("油烟")),
]

INSPECT_CODE = r"""
import json, statistics, time
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from alliance.models import Community, Grid, Merchant
from bulletins.models import HonourRollPage, NewsPage, NoticePage
from casework.models import GrievanceReport

def url(qs):
    page = qs.first()
    return page.get_url(None) if page else None

paths = {
    "news article": url(NewsPage.objects.live().order_by("-date", "-pk")),
    "notice": url(NoticePage.objects.live().order_by("-start", "pk")),
    "honour roll": url(HonourRollPage.objects.live().order_by("-period_end", "-pk")),
}
merchant = Merchant.objects.members().order_by("pk").first()
paths["merchant"] = reverse("merchant_detail", args=[merchant.pk])

# Staff for the inbox rows: the grid and the community with the most cases.
User = get_user_model()
from django.db.models import Count
from django.utils import timezone
from casework.models import CaseCategory
busiest = GrievanceReport.objects.values("grid").order_by().annotate(n=Count("pk")).order_by("-n").first()
grid = Grid.objects.get(pk=busiest["grid"]) if busiest else Grid.objects.order_by("pk").first()
if not GrievanceReport.objects.filter(anonymous=False).exists():
    # The small demo has no cases; the tracking row needs one.
    now = timezone.now()
    GrievanceReport.objects.create(
        reference="SJ-20261122-9999", secret_hash="0" * 64, submission_key="bench-track",
        category=CaseCategory.objects.get(slug="noise"), community=grid.community, grid=grid,
        accept_due=now + timezone.timedelta(hours=4), resolve_due=now + timezone.timedelta(days=7),
        address="解放路 18 号", description="夜里施工噪声", reporter_name="王秀兰", reporter_mobile="13812345678")
worker, _ = User.objects.get_or_create(username="bench-worker")
worker.groups.add(Group.objects.get(name="网格员"))
grid.workers.add(worker)
moderator, _ = User.objects.get_or_create(username="bench-moderator")
moderator.groups.add(Group.objects.get(name="审核"))
grid.community.moderators.add(moderator)

sessions, queries = {}, {}
for role, user in (("worker", worker), ("moderator", moderator)):
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    sessions[role] = client.cookies[__import__("django.conf", fromlist=["settings"]).settings.SESSION_COOKIE_NAME].value
    client.get("/admin/cases/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/admin/cases/")
    assert response.status_code == 200, (role, response.status_code)
    queries["inbox " + role] = len(captured)
    scope = {"grid": grid} if role == "worker" else {"community": grid.community}
    queries["cases " + role] = GrievanceReport.objects.filter(**scope).count()

# A report a resident tracks: reference + the last four digits of the mobile.
report = GrievanceReport.objects.filter(anonymous=False, contact_purged_at__isnull=True).exclude(
    reporter_mobile="").order_by("-pk").first()
track = {"reference": report.reference, "mobile_last4": report.reporter_mobile[-4:]}

client = Client(HTTP_HOST="127.0.0.1")
for name, path in [("home", "/"), ("news index", "/news/"), ("notices index", "/notices/"),
                   ("merchant directory", "/merchants/"), ("search", "/search/?q=%E6%B2%B9%E7%83%9F"),
                   *[(k, v) for k, v in paths.items()]]:
    client.get(path)
    with CaptureQueriesContext(connection) as captured:
        status = client.get(path).status_code
    queries[name] = len(captured)
    assert status == 200, (name, path, status)

counts = {
    "communities": Community.objects.count(), "merchants": Merchant.objects.count(),
    "news": NewsPage.objects.live().count(), "notices": NoticePage.objects.live().count(),
    "cases": GrievanceReport.objects.count(),
}
place = {"category": CaseCategory.objects.get(slug="cooking_fumes").pk, "community": grid.community_id,
         "grid": grid.pk}
print(json.dumps({"paths": paths, "sessions": sessions, "queries": queries, "track": track,
                  "counts": counts, "place": place}))
"""


def lua_with_request(method="GET", body=None, headers=None, ok_status=200):
    """The shared wrk script plus the request it sends."""
    lines = [f'wrk.method = "{method}"', f"ok_status = {ok_status}"]
    if body is not None:
        lines.append(f"wrk.body = {json.dumps(body)}")
    for name, value in (headers or {}).items():
        lines.append(f'wrk.headers["{name}"] = {json.dumps(value)}')
    return "\n".join(lines) + "\n" + WRK_LUA


def database_env(args, database, tmp):
    class Options:
        postgres = database == "postgres"

    env = base_env(Options, tmp)
    name = f"shangju_bench_{args.scale}"
    if database == "postgres":
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    else:
        (REPO / "var").mkdir(exist_ok=True)
        env["SQLITE_PATH"] = str(REPO / "var" / f"bench-{args.scale}.sqlite3")
    env.update(
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX="bench",
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        MEDIA_ROOT=str(REPO / "var" / f"bench-media-{args.scale}"),
        # Every simulated visitor shares 127.0.0.1: the per-client limits would stop the run.
        INTAKE_MIN_FILL_SECONDS="0",
        INTAKE_SUBMISSION_LIMIT="100000000",
        INTAKE_TRACK_LIMIT="100000000",
    )
    return env, name


def prepare(args, database, env, pg_name):
    import psycopg

    fresh = args.fresh
    if database == "postgres":
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [pg_name]).fetchone()
            if fresh and exists:
                conn.execute(f'DROP DATABASE "{pg_name}" WITH (FORCE)')
            if fresh or not exists:
                conn.execute(f'CREATE DATABASE "{pg_name}"')
    elif fresh:
        for suffix in ("", "-wal", "-shm"):
            Path(env["SQLITE_PATH"] + suffix).unlink(missing_ok=True)
    run(manage("migrate", "--noinput"), env, timeout=900)
    loaded = shell_json(
        env, "import json; from bulletins.models import NewsPage; print(json.dumps({'n': NewsPage.objects.count()}))"
    )["n"]
    if not loaded:
        started = time.monotonic()
        scale = [] if args.scale == "demo" else ["--scale", args.scale]
        run(manage("load_demo_content", *scale), env, timeout=3600)
        log(f"{args.scale} data loaded in {time.monotonic() - started:.0f} s")


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


def serve(args, env, tmp, page_cache):
    env = dict(env, PAGE_CACHE_SECONDS="300" if page_cache else "0")
    flush_redis()
    port = free_port()

    class Options:
        workers = args.workers
        threads = 1

    proc = start_gunicorn(Options, env, port, tmp)
    wait_until_ready(proc, port, tmp)
    return proc, port


def measure(args, port, proc, tmp, name, path, connections=None, method="GET", body=None, headers=None, ok_status=200):
    script = tmp / "row.lua"
    script.write_text(lua_with_request(method, body, headers, ok_status))
    url = f"http://{HOST}:{port}{path}"
    connections = connections or args.connections
    wrk(url, min(connections, args.workers * 2), 1, 0, 1, script)  # warm every worker
    cpu_before = gunicorn_cpu_seconds(proc.pid)
    result = wrk(url, connections, args.duration, 0, 1, script)
    cpu_after = gunicorn_cpu_seconds(proc.pid)
    if cpu_before is not None and cpu_after is not None and result["requests"]:
        result["cpu_ms"] = (cpu_after - cpu_before) * 1000 / result["requests"]
    log(f"  {name}: {result['rps']:.0f} req/s, p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
    if result["errors"]:
        log(f"  {name}: {result['errors']} errors; gunicorn log:\n{tail(tmp / 'gunicorn.log')}")
    return {"name": name, "path": path, "connections": connections, **result}


def count_reports(env):
    code = "import json; from casework.models import GrievanceReport as R; print(json.dumps({'n': R.objects.count()}))"
    return shell_json(env, code)["n"]


def wizard_row(args, env, port, place, photo):
    drive(port, place, photo, 2, 2)  # warm-up
    before = count_reports(env)
    done, failed, elapsed, times = drive(port, place, photo, args.connections, args.wizard_duration)
    stored = count_reports(env) - before
    times.sort()
    row = {
        "name": "grievance wizard" + (", 1 MB photo" if photo else ""),
        "path": "/report/ (6 requests)",
        "connections": args.connections,
        "rps": done / elapsed if elapsed else 0.0,
        "p50": statistics.median(times) * 1000 if times else float("nan"),
        "p99": times[max(0, int(len(times) * 0.99) - 1)] * 1000 if times else float("nan"),
        "errors": failed,
        "unit": "wizards/s",
        "note": f"{done} completed, {stored} stored",
    }
    log(f"  {row['name']}: {row['rps']:.1f} wizards/s, {failed} failed, {done} done, {stored} stored")
    return row


def run_database(args, database):
    tmp = Path(tempfile.mkdtemp(prefix=f"shangju-run-{database}-"))
    proc = None
    try:
        env, pg_name = database_env(args, database, tmp)
        log(f"== {database}: preparing {args.scale} data")
        prepare(args, database, env, pg_name)
        collect_static(env, tmp)
        flush_redis()
        # Queries of a page rendered in full, not of a page-cache hit (which makes none).
        info = shell_json(dict(env, PAGE_CACHE_SECONDS="0"), INSPECT_CODE)
        paths = dict(PUBLIC_PAGES)
        paths.update(info["paths"])
        rows = []

        log(f"== {database}: page cache off")
        proc, port = serve(args, env, tmp, page_cache=False)
        ceiling = measure(args, port, proc, tmp, "ceiling: /healthz/", "/healthz/")
        ceiling["kind"] = "ceiling"
        rows.append(ceiling)
        for name, path in paths.items():
            row = measure(args, port, proc, tmp, name, path)
            row["kind"] = "search" if name.startswith("search") else "uncached"
            row["queries"] = info["queries"].get("search" if name.startswith("search") else name)
            rows.append(row)

        # /track/: the lookup form posted with a CSRF token, as a resident's browser does.
        csrf = secrets.token_hex(16)  # 32 characters, the length Django accepts for a cookie token
        cookie_name = "__Host-csrftoken" if args.host_cookies else "csrftoken"
        track = info["track"]
        body = f"csrfmiddlewaretoken={csrf}&reference={track['reference']}&mobile_last4={track['mobile_last4']}"
        row = measure(
            args,
            port,
            proc,
            tmp,
            "/track/ lookup (POST)",
            "/track/",
            method="POST",
            body=body,
            ok_status=302,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": f"{cookie_name}={csrf}",
                "Referer": f"http://{HOST}/track/",
            },
        )
        row["kind"] = "uncached"
        row["note"] = "302 to the case page counted as success"
        rows.append(row)

        session_cookie = "__Host-sessionid" if args.host_cookies else "sessionid"
        for role in ("worker", "moderator"):
            row = measure(
                args,
                port,
                proc,
                tmp,
                f"case inbox, {'grid worker' if role == 'worker' else 'moderator'}",
                "/admin/cases/",
                connections=1,
                headers={"Cookie": f"{session_cookie}={info['sessions'][role]}"},
            )
            row["kind"] = "inbox"
            row["queries"] = info["queries"][f"inbox {role}"]
            row["note"] = f"{info['queries'][f'cases {role}']:,} cases visible"
            rows.append(row)

        photo = one_megabyte_jpeg()
        for with_photo in (False, True):
            row = wizard_row(args, env, port, info["place"], photo if with_photo else None)
            row["kind"] = "wizard"
            rows.append(row)
        stop_gunicorn(proc)

        log(f"== {database}: page cache on")
        proc, port = serve(args, env, tmp, page_cache=True)
        cached_ceiling = measure(args, port, proc, tmp, "ceiling again, page cache on", "/healthz/")
        cached_ceiling["kind"] = "ceiling"
        rows.append(cached_ceiling)
        for name, path in paths.items():
            row = measure(args, port, proc, tmp, f"{name} (page cache)", path)
            row["kind"] = "cached"
            row["queries"] = 0
            rows.append(row)
        stop_gunicorn(proc)
        proc = None
        return {"database": database, "rows": rows, "counts": info["counts"], "ceiling": ceiling["rps"]}
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(tmp, ignore_errors=True)


# Issue 13: every public page type at least 10% of the ceiling without the page cache (search too),
# p99 under 150 ms at 16 connections; the inbox under 100 ms at the median; 30 and 10 wizards/s.
TARGETS = {"uncached": 0.10, "cached": 0.60, "search": 0.10}
WIZARD_GOALS = {"photo": 10, "plain": 30}
INBOX_MEDIAN_MS = 100
DOCS = REPO / "docs" / "performance.md"
DOCS_START, DOCS_END = "<!-- make bench: results start -->", "<!-- make bench: results end -->"


def verdict(row, ceiling):
    kind = row["kind"]
    if kind in TARGETS:
        ok = row["rps"] / ceiling >= TARGETS[kind] and (kind not in ("uncached", "search") or row["p99"] < 150)
        return "met" if ok and not row["errors"] else "missed"
    if kind == "wizard":
        goal = WIZARD_GOALS["photo" if "photo" in row["name"] else "plain"]
        return "met" if row["rps"] >= goal and not row["errors"] else "missed"
    if kind == "inbox":
        return "met" if row["p50"] < INBOX_MEDIAN_MS and (row.get("queries") or 0) <= 20 else "missed"
    return ""


def render(results, args):
    lines = []
    for result in results:
        ceiling = result["ceiling"]
        counts = ", ".join(f"{v:,} {k}" for k, v in result["counts"].items())
        lines += [f"### {'PostgreSQL' if result['database'] == 'postgres' else 'SQLite'} ({counts})", ""]
        lines += [
            "| row | req/s | p50 ms | p99 ms | SQL queries | % of ceiling | CPU ms/req | target | notes |",
            "|---|---:|---:|---:|---:|---:|---:|---|---|",
        ]
        for row in result["rows"]:
            rate = f"{row['rps']:.1f}" + (" wizards/s" if row.get("unit") else "")
            share = "" if row.get("unit") else f"{100 * row['rps'] / ceiling:.1f}%"
            queries = "" if row.get("queries") is None else str(row["queries"])
            cpu = f"{row['cpu_ms']:.1f}" if "cpu_ms" in row else ""
            notes = row.get("note", "")
            if row.get("errors"):
                notes = (notes + "; " if notes else "") + f"{row['errors']} errors"
            if row.get("connections") != args.connections:
                notes = (notes + "; " if notes else "") + f"{row['connections']} connection(s)"
            lines.append(
                f"| {row['name']} | {rate} | {row['p50']:.1f} | {row['p99']:.1f} | {queries} | {share} | {cpu} "
                f"| {verdict(row, ceiling)} | {notes} |"
            )
        lines.append("")
    return "\n".join(lines)


def describe(args, load_before):
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if "model name" in line
        ),
        "?",
    )
    return (
        f"{datetime.datetime.now().isoformat(timespec='seconds')}, commit {rev.strip()}, "
        f"{os.cpu_count()} CPUs ({cpu}), "
        f"gunicorn {args.workers} sync workers, production settings, Redis cache, wrk {args.connections} connections "
        f"for {args.duration} s per row, wizards {args.wizard_duration} s; load average {load_before:.2f} before "
        f"and {os.getloadavg()[0]:.2f} after."
    )


def update_docs(summary, table):
    """Put this run's tables between the markers of docs/performance.md, leaving the prose around them."""
    text = DOCS.read_text()
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start < 0 or end < start:
        raise BenchError(f"{DOCS} has no {DOCS_START} ... {DOCS_END} markers")
    generated = f"{DOCS_START}\n\nMeasured {summary}\n\n{table}\n"
    DOCS.write_text(text[:start] + generated + text[end:])
    log(f"results written into {DOCS.relative_to(REPO)}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--databases", default="sqlite,postgres", help="sqlite, postgres or both (default both)")
    parser.add_argument("--scale", default="district", choices=["district", "demo"])
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark database")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--duration", type=int, default=10, help="seconds per row (default 10)")
    parser.add_argument("--wizard-duration", type=int, default=20)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3 for 2 cores)")
    parser.add_argument(
        "--update-docs",
        action="store_true",
        help=f"replace the results between the markers in {DOCS.relative_to(REPO)} (make bench does)",
    )
    parser.add_argument(
        "--host-cookies",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="production cookie names (__Host-sessionid, __Host-csrftoken)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        log("wrk is not installed: make bench installs it")
        return 2
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    load_before = os.getloadavg()[0]
    results = []
    try:
        for database in [d.strip() for d in args.databases.split(",") if d.strip()]:
            results.append(run_database(args, database))
    except BenchError as error:
        log(f"error: {error}")
        return 1
    table = render(results, args)
    summary = describe(args, load_before)
    print(summary + "\n\n" + table)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"run-{'-'.join(r['database'] for r in results)}.md"
    path.write_text(f"# Benchmark run\n\n{summary}\n\n{table}\n")
    if args.update_docs:
        update_docs(summary, table)
    log(f"written to {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
