"""Serve the site with gunicorn on loopback and print requests/s, p50 and p99 per page.

Not a test: it prints figures and asserts nothing about them. See bench/README.md.

    .venv/bin/python bench/pages.py                 # throw-away SQLite database
    .venv/bin/python bench/pages.py --postgres      # fresh PostgreSQL database shangju_bench
"""

import argparse
import datetime
import http.client
import json
import math
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, unquote

REPO = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
RESULTS = REPO / "bench" / "results" / "latest.md"
HOST = "127.0.0.1"
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_BENCH_DB = "shangju_bench"
PG_BENCH_URL = f"postgres://postgres@127.0.0.1:5432/{PG_BENCH_DB}"

# name -> fixed path, or None when the path is discovered from the database.
PAGES = {
    "home": "/",
    "news": "/news/",
    "notices": "/notices/",
    "honour-rolls": "/honour-rolls/",
    "news-detail": None,
    "notice-detail": None,
    "honour-roll-detail": None,
    "merchants": "/merchants/",
    "merchant-detail": None,
    "search": "/search/?q=" + quote("油烟"),
    # A hashed static file through whitenoise: the ceiling for this server and load generator.
    "static": None,
}

# Runs inside wrk, once per thread. done() reads the other threads' counters through setup().
WRK_LUA = r"""
-- wrk keeps sleeping for the whole --duration even when every thread stopped at the
-- request cap, so its own duration would understate req/s: each thread times itself.
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local ts = ffi.new("bench_timespec")
local function now_us()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  max_responses = tonumber(args[1]) or 0
  responses = 0
  non200 = 0
  elapsed_us = -1 -- stays -1 when the thread ran the full duration
  started_us = now_us()
end

function response(status, headers, body)
  responses = responses + 1
  -- ok_status: a second status that counts as success (302 after a form post), set by bench/run.py
  if status ~= 200 and status ~= ok_status then non200 = non200 + 1 end
  if max_responses > 0 and responses >= max_responses and elapsed_us < 0 then
    elapsed_us = now_us() - started_us
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local bad, duration_us = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("non200") or 0)
    local e = t:get("elapsed_us") or -1
    if e < 0 then e = summary.duration end
    if e > duration_us then duration_us = e end
  end
  local e = summary.errors
  io.write(string.format("BENCH_RESULT %d %d %.3f %.3f %d %d\n",
    summary.requests, math.floor(duration_us),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    bad, e.connect + e.read + e.write + e.timeout))
end
"""


class BenchError(Exception):
    pass


def log(message):
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- set-up


def base_env(args, tmp):
    env = dict(os.environ)
    # Anything pointing at real services must not leak into a benchmark run.
    for name in ("DATABASE_URL", "REDIS_URL", "AWS_STORAGE_BUCKET_NAME", "SQLITE_PATH", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.production",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback; production.py reads this
        SECURE_HSTS_SECONDS="0",
        MEDIA_ROOT=str(tmp / "media"),
        STATIC_ROOT=str(tmp / "static"),  # honoured only if the settings read it; see collect_static()
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    if args.postgres:
        env["DATABASE_URL"] = PG_BENCH_URL
    else:
        env["SQLITE_PATH"] = str(tmp / "bench.sqlite3")
    return env


def run(cmd, env, timeout):
    """Run a set-up command; on failure show its output, which is the useful part."""
    line = " ".join(os.path.relpath(c, REPO) if str(c).startswith("/") else str(c) for c in cmd[1:])
    log(line if len(line) <= 160 else line[:157].replace("\n", " ") + "...")  # shell -c code can be long
    result = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise BenchError(f"{' '.join(map(str, cmd))} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result.stdout


def recreate_postgres():
    import psycopg

    log(f"dropping and creating PostgreSQL database {PG_BENCH_DB}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_BENCH_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{PG_BENCH_DB}"')


def manage(*argv):
    return [PYTHON, str(REPO / "manage.py"), *argv]


def prepare_database(args, env):
    if args.postgres:
        recreate_postgres()
    run(manage("migrate", "--noinput"), env, timeout=600)
    run(manage("load_demo_content"), env, timeout=600)


def collect_static(env, tmp):
    """Collect into the temp STATIC_ROOT when the settings take it from the environment.

    The manifest storage makes every {% static %} fail without collected files when DEBUG
    is off, so when the settings fix STATIC_ROOT we collect there (git-ignored staticfiles/).
    """
    code = "from django.conf import settings; print('STATIC_ROOT=' + str(settings.STATIC_ROOT))"
    out = run(manage("shell", "-c", code), env, timeout=120)
    # shell also prints its auto-import notice, so pick our line out.
    static_root = next(line for line in out.splitlines() if line.startswith("STATIC_ROOT=")).split("=", 1)[1]
    if Path(static_root) != tmp / "static":
        log(f"the settings do not read STATIC_ROOT from the environment; collecting into {static_root}")
    run(manage("collectstatic", "--noinput"), env, timeout=300)
    return static_root


def inspect(env):
    """Discover detail URLs and count SQL queries per page, in a Django process of its own."""
    out = run([PYTHON, str(Path(__file__).resolve()), "--_inspect"], env, timeout=300)
    line = next(line for line in out.splitlines() if line.startswith("INSPECT "))
    return json.loads(line.removeprefix("INSPECT "))


def inspect_in_process():
    """Entry point of the --_inspect child: prints one JSON line with paths and query counts."""
    sys.path.insert(0, str(REPO))
    import django

    django.setup()
    from django.db import connection
    from django.templatetags.static import static
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from alliance.models import Merchant
    from bulletins.models import HonourRollPage, NewsPage, NoticePage

    def first_url(queryset):
        page = queryset.first()
        return page.get_url(None) if page else None

    # Pick the page a visitor most likely opens: the latest news and roll, the next notice.
    merchants = Merchant.objects.members()
    merchant = merchants.filter(honours__page__live=True).order_by("pk").first() or merchants.order_by("pk").first()
    paths = dict(PAGES)
    paths["news-detail"] = first_url(NewsPage.objects.live().public().order_by("-date", "-pk"))
    paths["notice-detail"] = first_url(NoticePage.objects.live().public().order_by("start", "pk"))
    paths["honour-roll-detail"] = first_url(HonourRollPage.objects.live().public().order_by("-period_end", "-pk"))
    paths["merchant-detail"] = reverse("merchant_detail", args=[merchant.pk]) if merchant else None
    try:
        paths["static"] = static("css/site.css")
    except ValueError:  # not in the manifest: the baseline row is skipped, the rest still runs
        paths["static"] = None

    client = Client(HTTP_HOST=HOST)
    queries, statuses = {}, {}
    for name, path in paths.items():
        if path is None:
            continue
        client.get(path)  # the first request fills per-process caches (site root, settings, renditions)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        queries[name] = len(captured)
        statuses[name] = response.status_code
        if hasattr(response, "close"):
            response.close()
    print("INSPECT " + json.dumps({"paths": paths, "queries": queries, "statuses": statuses}))


# ---------------------------------------------------------------- gunicorn


def free_port():
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def start_gunicorn(args, env, port, tmp):
    cmd = [GUNICORN, "portal.wsgi:application", "--bind", f"{HOST}:{port}", "--workers", str(args.workers)]
    if args.threads > 1:
        cmd += ["--worker-class", "gthread", "--threads", str(args.threads)]
    # No control socket: gunicorn 27 puts one at a fixed path, so two servers at once would collide.
    cmd += ["--timeout", "30", "--graceful-timeout", "5", "--no-control-socket"]
    cmd += ["--error-logfile", str(tmp / "gunicorn.log")]
    log(
        f"gunicorn on {HOST}:{port}, {args.workers} worker(s)"
        + (f" x {args.threads} threads" if args.threads > 1 else "")
    )
    # Own session: a Ctrl-C reaches us, and we stop gunicorn in order (it gets SIGTERM from stop_gunicorn).
    return subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL)


def wait_until_ready(proc, port, tmp, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise BenchError(f"gunicorn exited with {proc.returncode}:\n{tail(tmp / 'gunicorn.log')}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/robots.txt")
            status = conn.getresponse().status
            conn.close()
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise BenchError(f"gunicorn did not answer within {timeout} s:\n{tail(tmp / 'gunicorn.log')}")


def stop_gunicorn(proc):
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()  # graceful stop of the master, which stops its workers
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group is gunicorn's own session, started above
        proc.wait(timeout=5)


def tail(path, lines=30):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# ---------------------------------------------------------------- load


def wrk(url, connections, duration, max_requests, threads, script):
    per_thread = math.ceil(max_requests / threads) if max_requests else 0
    cmd = [
        "wrk",
        "--threads",
        str(threads),
        "--connections",
        str(connections),
        "--duration",
        f"{duration}s",
        "--timeout",
        "10s",
        "--script",
        str(script),
        url,
        "--",
        str(per_thread),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    line = next((line for line in result.stdout.splitlines() if line.startswith("BENCH_RESULT ")), None)
    if result.returncode != 0 or line is None:
        raise BenchError(f"wrk failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    requests, duration_us, p50, p99, non200, socket_errors = line.split()[1:]
    seconds = int(duration_us) / 1e6
    return {
        "requests": int(requests),
        "rps": int(requests) / seconds if seconds else 0.0,
        "p50": float(p50),
        "p99": float(p99),
        "errors": int(non200) + int(socket_errors),
        "socket_errors": int(socket_errors),
    }


def gunicorn_cpu_seconds(master_pid):
    """CPU time of gunicorn's master and workers so far (Linux /proc; None elsewhere).

    On a shared machine req/s and latency swing with other load; CPU per request does not
    much, so it is the figure to compare between runs. PostgreSQL's own CPU is not in it.
    """
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    try:
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                stat = Path(entry.path, "stat").read_text()
            except OSError:
                continue  # a process that ended meanwhile
            # Fields after the parenthesised command name: state ppid ... utime(12) stime(13).
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(entry.name) == master_pid or int(fields[1]) == master_pid:
                total += int(fields[11]) + int(fields[12])
    except OSError:
        return None
    return total / ticks


def measure(args, port, paths, tmp, master_pid):
    script = tmp / "bench.lua"
    script.write_text(WRK_LUA)
    threads = min(args.wrk_threads, args.connections)
    rows = []
    for name in args.pages:
        path = paths.get(name)
        if path is None:
            log(f"{name}: no such page in the demo content, skipped")
            rows.append({"page": name, "path": "-", "skipped": True})
            continue
        url = f"http://{HOST}:{port}{path}"
        log(f"{name}: {unquote(path)}")
        # Warm-up: every worker renders the page once or more (renditions, template and site caches).
        wrk(url, min(args.connections, args.workers * 2), 1, 0, 1, script)
        cpu_before = gunicorn_cpu_seconds(master_pid)
        result = wrk(url, args.connections, args.duration, args.requests, threads, script)
        cpu_after = gunicorn_cpu_seconds(master_pid)
        if cpu_before is not None and cpu_after is not None and result["requests"]:
            result["cpu_ms"] = (cpu_after - cpu_before) * 1000 / result["requests"]
        rows.append({"page": name, "path": unquote(path), **result})
    return rows


# ---------------------------------------------------------------- report


def render_table(rows, queries):
    headers = ["page", "path", "req/s", "p50 ms", "p99 ms", "errors", "queries", "cpu ms/req"]
    body = []
    for row in rows:
        q = str(queries.get(row["page"], "-"))
        if row.get("skipped"):
            body.append([row["page"], row["path"], "-", "-", "-", "-", q, "-"])
            continue
        cpu = f"{row['cpu_ms']:.1f}" if "cpu_ms" in row else "-"
        rps, p50, p99 = f"{row['rps']:.1f}", f"{row['p50']:.1f}", f"{row['p99']:.1f}"
        body.append([row["page"], row["path"], rps, p50, p99, str(row["errors"]), q, cpu])
    widths = [max(len(h), *(display_width(r[i]) for r in body)) for i, h in enumerate(headers)]
    numeric = set(range(2, len(headers)))

    def fmt(cells):
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - display_width(cell))
            out.append(pad + cell if i in numeric else cell + pad)
        return "  ".join(out).rstrip()

    text = "\n".join([fmt(headers), fmt(["-" * w for w in widths]), *map(fmt, body)])
    md_rows = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))) + "|",
    ]
    md_rows += ["| " + " | ".join(r) + " |" for r in body]
    return text, "\n".join(md_rows)


def display_width(text):
    # Paths can hold CJK characters, which take two columns in a terminal.
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in text)


def describe(args, static_root, load_before):
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        rev = "?"
    kind = f"{args.threads}-thread gthread" if args.threads > 1 else "sync"
    return (
        f"{datetime.datetime.now().isoformat(timespec='seconds')}, commit {rev}, "
        f"database {'PostgreSQL' if args.postgres else 'SQLite'}, gunicorn {args.workers} {kind} worker(s), "
        f"wrk {args.connections} connections, {args.duration} s or {args.requests} requests per page, "
        f"{os.cpu_count()} CPUs, load average {load_before:.2f} before the run and {os.getloadavg()[0]:.2f} after; "
        f"static files from {static_root}"
    )


def write_results(summary, markdown):
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        f"# Page benchmark\n\n{summary}\n\n{markdown}\n\n"
        "errors = non-200 responses + socket errors; queries = SQL queries for one warm request, "
        "counted in-process with Django's test client against the same database; cpu ms/req = CPU time "
        "of the gunicorn processes per request (the figure least moved by other load on the machine; "
        "PostgreSQL's own CPU not included).\n"
    )


# ---------------------------------------------------------------- main


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", action="store_true", help=f"use a fresh PostgreSQL database {PG_BENCH_DB}")
    parser.add_argument("--connections", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--duration", type=int, default=5, help="seconds per page (default 5)")
    parser.add_argument("--requests", type=int, default=2000, help="request cap per page, 0 for none (default 2000)")
    parser.add_argument("--pages", default=",".join(PAGES), help="comma-separated subset of: " + ", ".join(PAGES))
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3, for 2 cores)")
    parser.add_argument("--threads", type=int, default=1, help="threads per worker; >1 uses gthread (default 1)")
    parser.add_argument(
        "--wrk-threads", type=int, default=1, help="wrk threads (default 1: leave the CPUs to gunicorn)"
    )
    parser.add_argument("--_inspect", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    args.pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    unknown = [p for p in args.pages if p not in PAGES]
    if unknown:
        parser.error(f"unknown page(s): {', '.join(unknown)}; choose from {', '.join(PAGES)}")
    if min(args.connections, args.duration, args.workers, args.threads, args.wrk_threads) < 1 or args.requests < 0:
        parser.error("--connections, --duration, --workers, --threads and --wrk-threads must be at least 1")
    return args


def main(argv=None):
    args = parse_args(argv)
    if args._inspect:
        inspect_in_process()
        return 0
    if shutil.which("wrk") is None:
        log("wrk is not installed: apt-get install -y wrk (or make bench, which installs it)")
        return 2
    # SIGTERM (e.g. from a CI timeout) unwinds like Ctrl-C, so the finally below stops gunicorn.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    # A shell starts background jobs with SIGINT ignored; restore it so Ctrl-C/kill -INT clean up too.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    tmp = Path(tempfile.mkdtemp(prefix="shangju-bench-"))
    proc = None
    try:
        env = base_env(args, tmp)
        prepare_database(args, env)
        static_root = collect_static(env, tmp)
        info = inspect(env)
        for name, status in info["statuses"].items():
            if status != 200:
                log(f"warning: {name} {info['paths'][name]} answers {status} in-process")
        # The machine may be shared; a busy one explains low figures.
        load_before = os.getloadavg()[0]
        port = free_port()
        proc = start_gunicorn(args, env, port, tmp)
        wait_until_ready(proc, port, tmp)
        rows = measure(args, port, info["paths"], tmp, proc.pid)
        text, markdown = render_table(rows, info["queries"])
        summary = describe(args, static_root, load_before)
        print(summary)
        print(text)
        write_results(summary, markdown)
        log(f"written to {RESULTS.relative_to(REPO)}")
        if any(r.get("errors") for r in rows):
            log(f"some requests failed; gunicorn log:\n{tail(tmp / 'gunicorn.log')}")
        return 0
    except BenchError as error:
        log(f"error: {error}")
        return 1
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
