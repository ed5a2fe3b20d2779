"""A bounded load run with locust: page reads and wizard completions against gunicorn on PostgreSQL.

20 simulated visitors (default) for --duration seconds (default 300): 80% of their tasks read a
public page, 20% complete the grievance wizard, one wizard in five with a ~1 MB photo. At the end
the reports stored must equal the thank-you pages served (none lost, none doubled), with no 5xx
and p95 under 1 s; the exit code is non-zero when a target is missed. 127.0.0.1 only, stops by itself.

    .venv/bin/python bench/load.py                          # 5 minutes on shared PostgreSQL (shangju_load)
    .venv/bin/python bench/load.py --duration 60
    .venv/bin/python bench/load.py --duration 90 --outage-at 30 --outage-seconds 20

With --outage-at, the portal runs on a private PostgreSQL cluster (port 5439) that is stopped
at that second and started again --outage-seconds later: 503s inside that window are expected
(and counted apart), anything else is not; a wizard whose last step met the outage retries it,
as a resident would, so reports must still equal thank-you pages. p95 is not judged then
(the retries wait out the outage on purpose).
"""

# locust patches the standard library for gevent: it must be imported before anything else.
from locust import HttpUser, between, task  # isort: skip
from locust.env import Environment  # isort: skip

import argparse
import itertools
import os
import random
import re
import shutil
import sys
import tempfile
import time
from pathlib import Path

import gevent

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402 - the sibling scripts hold the server plumbing
    HOST,
    PG_ADMIN_URL,
    BenchError,
    base_env,
    collect_static,
    inspect,
    log,
    manage,
    run,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)
from pgcluster import PrivateCluster  # noqa: E402
from wizard import one_megabyte_jpeg, shell_json  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.wizard_driver import KEY, REPORT, payload, report_steps  # noqa: E402 - one driver for tests and bench

LOAD_DB = "shangju_load"
PRIVATE_PG_PORT = 5439
PORTS = range(8120, 8130)
READ_PAGES = ("home", "news", "notices", "honour-rolls", "news-detail", "notice-detail", "honour-roll-detail")
READ_PAGES += ("merchants", "merchant-detail", "search")
THANKS = REPORT.thanks
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COUNT_REPORTS = (
    "import json; from casework.models import GrievanceReport as R, CasePhoto as P; "
    "print(json.dumps({'reports': R.objects.count(), 'photos': P.objects.count(), "
    "'keys': R.objects.values('submission_key').distinct().count()}))"
)


class Tally:
    """What the visitors saw, shared by all of them (one process, gevent: no locks needed)."""

    def __init__(self):
        self.thanks = 0
        self.thanks_with_photo = 0
        self.wizards_started = 0
        self.wizards_abandoned = 0
        self.errors_5xx = {}  # request name -> count, outside the outage window
        self.outage_503 = 0
        self.outage_window = None  # (start, end) monotonic, widened by a grace period
        self.failures = []


TALLY = Tally()
CONFIG = {}
PHOTO_TURN = itertools.count()


def in_outage(now=None):
    window = TALLY.outage_window
    now = time.monotonic() if now is None else now
    return window is not None and window[0] <= now <= window[1]


class Visitor(HttpUser):
    """A resident: mostly reads pages, sometimes reports a problem (4:1)."""

    wait_time = between(1, 3)

    def on_start(self):
        self.client.headers["Referer"] = f"{self.host}/report/"

    def record(self, name, response):
        if response.status_code >= 500 or response.status_code == 0:
            if response.status_code == 503 and in_outage():
                TALLY.outage_503 += 1
            else:
                TALLY.errors_5xx[name] = TALLY.errors_5xx.get(name, 0) + 1

    def cookies(self):
        # Production marks the session and CSRF cookies Secure, so requests would not send them
        # over this plain-HTTP loopback run; a browser behind TLS would. Send them explicitly.
        return {"Cookie": "; ".join(f"{c.name}={c.value}" for c in self.client.cookies)}

    def get(self, path, name):
        response = self.client.get(path, name=name, allow_redirects=False, headers=self.cookies())
        self.record(name, response)
        return response

    @task(4)
    def read_page(self):
        name = random.choice([n for n in READ_PAGES if CONFIG["paths"].get(n)])
        self.get(CONFIG["paths"][name], f"page {name}")

    @task(1)
    def complete_wizard(self):
        TALLY.wizards_started += 1
        photo = CONFIG["photo"] if next(PHOTO_TURN) % 5 == 0 else None
        place = CONFIG["place"]
        self.client.cookies.clear()
        first = self.get("/report/?restart=1", "wizard start")
        found = KEY.search(first.text or "")
        if first.status_code != 200 or not found:
            self.abandon(f"wizard start answered {first.status_code}")
            return
        key = found.group(1)
        # The form's own (masked) token, as a browser posts it; the cookie is sent by cookies().
        token = CSRF_FIELD.search(first.text)
        self.csrf = token.group(1) if token else ""
        steps = report_steps(place, category=place["category"], photo=("photo.jpg", photo) if photo else None)
        for step in steps[:-1]:
            files = {f"{step.name}-{n}": (fn, data, "image/jpeg") for n, (fn, data) in step.photos.items()} or None
            response = self.post(step.name, step.fields, key, files)
            if response.status_code != 200:
                self.abandon(f"wizard {step.name} answered {response.status_code}")
                return
        # The last step: a resident who meets an error page tries again a little later.
        for _attempt in range(60):
            response = self.post("review", {"confirm": "on"}, key)
            if response.status_code == 302 and response.headers.get("Location", "").endswith(THANKS):
                break
            if response.status_code < 500:
                TALLY.failures.append(f"final step answered {response.status_code}")
                return
            gevent.sleep(2)
        else:
            TALLY.failures.append("final step never succeeded")
            return
        for _attempt in range(60):
            thanks = self.get(THANKS, "wizard thanks")
            if thanks.status_code == 200 and "已收到您的反映" in thanks.text:
                TALLY.thanks += 1
                TALLY.thanks_with_photo += bool(photo)
                return
            gevent.sleep(2)
        TALLY.failures.append("thank-you page never shown")

    def abandon(self, why):
        # Met the outage mid-wizard: this resident gives up. Any other reason is a failure.
        TALLY.wizards_abandoned += 1
        if not in_outage():
            TALLY.failures.append(why)

    def post(self, step, fields, key, files=None):
        data = {**payload(REPORT, step, fields, key), "csrfmiddlewaretoken": self.csrf}
        name = f"wizard {step}" + (" +photo" if files else "")
        response = self.client.post(
            "/report/",
            data=data,
            files=files,
            name=name,
            allow_redirects=False,
            headers={"X-CSRFToken": data["csrfmiddlewaretoken"], **self.cookies()},
        )
        self.record(name, response)
        return response


# ---------------------------------------------------------------- set-up


def free_port():
    import socket

    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise BenchError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


def recreate_shared_database():
    import psycopg

    log(f"dropping and creating PostgreSQL database {LOAD_DB}")
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{LOAD_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{LOAD_DB}"')
    return f"postgres://postgres@127.0.0.1:5432/{LOAD_DB}"


def prepare(args, tmp):
    cluster = None
    args.postgres = True
    env = base_env(args, tmp)
    if args.outage_at is not None:
        log(f"private PostgreSQL cluster on port {PRIVATE_PG_PORT} (it will be stopped and started)")
        cluster = PrivateCluster(PRIVATE_PG_PORT).create()
        cluster.psql(f"CREATE DATABASE {LOAD_DB}")
        env["DATABASE_URL"] = cluster.url(LOAD_DB)
    else:
        env["DATABASE_URL"] = recreate_shared_database()
    # Every visitor shares 127.0.0.1 and fills the wizard in seconds; a control socket per run.
    env.update(
        INTAKE_MIN_FILL_SECONDS="0",
        INTAKE_SUBMISSION_LIMIT="100000000",
        PRIVATE_MEDIA_ROOT=str(tmp / "private"),
        GUNICORN_CMD_ARGS="--no-control-socket",
    )
    run(manage("migrate", "--noinput"), env, timeout=900)
    run(manage("load_demo_content"), env, timeout=900)
    collect_static(env, tmp)
    return env, cluster


def schedule_outage(args, cluster):
    def outage():
        log(f"stopping PostgreSQL at {args.outage_at:.0f} s")
        # 503s count as expected from the stop until a grace period after the start.
        TALLY.outage_window = (time.monotonic() - 1, float("inf"))
        cluster.stop()
        gevent.sleep(args.outage_seconds)
        cluster.start()
        log(f"PostgreSQL started again after {args.outage_seconds:.0f} s")
        TALLY.outage_window = (TALLY.outage_window[0], time.monotonic() + 5)

    return gevent.spawn_later(args.outage_at, outage)


def percentile_ms(entry, p):
    return entry.get_response_time_percentile(p) if entry.num_requests else float("nan")


def report(args, environment, before, after, elapsed, load_before):
    stats = environment.stats
    rows = sorted(stats.entries.values(), key=lambda e: e.name)
    print(
        f"\nPostgreSQL{' (private cluster, outage)' if args.outage_at is not None else ''}, "
        f"{args.users} visitors, gunicorn {args.workers} worker(s), {elapsed:.0f} s, "
        f"load average {load_before:.2f} before / {os.getloadavg()[0]:.2f} after"
    )
    print(f"{'request':28} {'count':>6} {'fails':>6} {'p50 ms':>8} {'p95 ms':>8}")
    for entry in rows:
        print(
            f"{entry.name:28} {entry.num_requests:6d} {entry.num_failures:6d} "
            f"{percentile_ms(entry, 0.5):8.0f} {percentile_ms(entry, 0.95):8.0f}"
        )
    total = stats.total
    p95 = percentile_ms(total, 0.95)
    print(f"{'all':28} {total.num_requests:6d} {total.num_failures:6d} {percentile_ms(total, 0.5):8.0f} {p95:8.0f}")
    reports = after["reports"] - before["reports"]
    photos = after["photos"] - before["photos"]
    five_xx = sum(TALLY.errors_5xx.values())
    print(
        f"wizards started {TALLY.wizards_started}, abandoned {TALLY.wizards_abandoned}, "
        f"thank-you pages {TALLY.thanks} ({TALLY.thanks_with_photo} with photo); "
        f"reports stored {reports} ({photos} photos, {after['keys'] - before['keys']} distinct keys)"
    )
    print(
        f"5xx: {five_xx} {TALLY.errors_5xx or ''}"
        + (f"; 503 during the outage: {TALLY.outage_503}" if args.outage_at is not None else "")
    )
    for failure in sorted(set(TALLY.failures)):
        print(f"failure: {failure} x{TALLY.failures.count(failure)}")

    missed = []
    if five_xx:
        missed.append(f"{five_xx} 5xx responses")
    if args.outage_at is None and p95 >= args.p95_ms:
        missed.append(f"p95 {p95:.0f} ms >= {args.p95_ms} ms")
    if reports != TALLY.thanks:
        missed.append(f"{reports} reports stored but {TALLY.thanks} thank-you pages served")
    if photos != TALLY.thanks_with_photo:
        missed.append(f"{photos} photos stored but {TALLY.thanks_with_photo} wizards with a photo thanked")
    if after["keys"] - before["keys"] != reports:
        missed.append("a submission key stored twice")
    if TALLY.failures:
        missed.append(f"{len(TALLY.failures)} wizard failures")
    if args.outage_at is not None and not TALLY.outage_503:
        missed.append("no 503 seen during the outage: the outage did not happen")
    print("targets: " + ("all met" if not missed else "MISSED: " + "; ".join(missed)))
    return 1 if missed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=300, help="seconds of load (default 300)")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn sync workers")
    parser.add_argument("--p95-ms", type=float, default=1000)
    parser.add_argument("--outage-at", type=float, default=None, help="stop PostgreSQL after this many seconds")
    parser.add_argument("--outage-seconds", type=float, default=20)
    args = parser.parse_args()
    args.threads = 1
    if args.outage_at is not None and args.outage_at + args.outage_seconds >= args.duration:
        parser.error("the outage must end before the run does")
    tmp = Path(tempfile.mkdtemp(prefix="shangju-load-"))
    proc = cluster = None
    try:
        env, cluster = prepare(args, tmp)
        CONFIG["paths"] = inspect(env)["paths"]
        CONFIG["place"] = shell_json(
            env,
            "import json; from casework.models import CaseCategory; from alliance.models import Grid; "
            "g = Grid.objects.order_by('pk').first(); a = g.areas.first(); "
            "print(json.dumps({'category': CaseCategory.objects.get(slug='cooking_fumes').pk, "
            "'community': g.community_id, 'grid': g.pk, 'area': a.pk if a else None}))",
        )
        CONFIG["photo"] = one_megabyte_jpeg()
        port = free_port()
        proc = start_gunicorn(args, env, port, tmp)
        wait_until_ready(proc, port, tmp)
        before = shell_json(env, COUNT_REPORTS)
        # On stop, a visitor finishes the task in hand (a wizard reaches its thank-you page) first.
        environment = Environment(user_classes=[Visitor], host=f"http://{HOST}:{port}", stop_timeout=180)
        runner = environment.create_local_runner()
        load_before = os.getloadavg()[0]
        log(f"{args.users} visitors for {args.duration:.0f} s")
        began = time.monotonic()
        runner.start(args.users, spawn_rate=args.spawn_rate)
        if cluster is not None:
            schedule_outage(args, cluster)
        gevent.spawn_later(args.duration, runner.quit)
        runner.greenlet.join()
        elapsed = time.monotonic() - began
        if cluster is not None and not cluster.running():
            cluster.start()
        after = shell_json(env, COUNT_REPORTS)
        return report(args, environment, before, after, elapsed, load_before)
    except BenchError as error:
        log(str(error))
        return 2
    finally:
        stop_gunicorn(proc)
        if cluster is not None:
            cluster.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
