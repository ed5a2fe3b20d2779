"""Completed grievance wizards per second against gunicorn (production settings, 127.0.0.1).

Each simulated resident walks /report/ as a browser would: GET the first step, then POST
the six steps with the session and CSRF cookies, optionally with a 1 MB photo, and counts a
completion when the last POST redirects to /report/thanks/. Afterwards the number of
reports in the database must equal the number of completions (none lost, none doubled).
Figures, not tests; every loop is bounded in time and stops by itself.

    .venv/bin/python bench/wizard.py                 # SQLite
    .venv/bin/python bench/wizard.py --postgres      # PostgreSQL
    .venv/bin/python bench/wizard.py --photo         # with a 1 MB JPEG on the location step
    .venv/bin/python bench/wizard.py --sqlite-file var/district.sqlite3   # a copy of that database

With `--sqlite-file` (a copy is served, the file itself is not written) or `--database-url` (served
as it is, and the reports stay in it) the wizard runs over that data set, e.g. the district one;
otherwise over a new small demo. The resident reports in the community with the most streets and
buildings, the largest place step. Besides wizards/s it prints gunicorn's CPU ms per completed
wizard (from /proc, PostgreSQL's own CPU not in it), the figure a busy machine moves least.
"""

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from pages import (  # noqa: E402 - the sibling script holds the server plumbing
    BenchError,
    base_env,
    collect_static,
    free_port,
    gunicorn_cpu_seconds,
    log,
    manage,
    prepare_database,
    run,
    start_gunicorn,
    stop_gunicorn,
    wait_until_ready,
)

from tests.wizard_driver import REPORT, HttpResident, report_steps  # noqa: E402 - one driver for tests and bench


def one_megabyte_jpeg():
    from PIL import Image

    # Noise barely compresses, so a 1100x800 JPEG at quality 95 weighs about 1 MB.
    image = Image.frombytes("RGB", (1100, 800), os.urandom(1100 * 800 * 3))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=95)
    return buffer.getvalue()


# The community with the most streets and buildings (the largest place step), one of its areas.
PLACE = (
    "import json; from django.db.models import Count; from casework.models import CaseCategory; "
    "from alliance.models import Community; "
    "c = Community.objects.annotate(n=Count('grids__areas', distinct=True)).order_by('-n', 'pk').first(); "
    "a = c.areas().first(); g = a.grid if a else c.first_grid(); "
    "print(json.dumps({'category': CaseCategory.objects.get(slug='cooking_fumes').pk, "
    "'community': c.pk, 'grid': g.pk, 'area': a.pk if a else None, 'areas': c.n, "
    "'communities': Community.objects.count()}))"
)

COUNT_REPORTS = (
    "import json; from casework.models import GrievanceReport as R; print(json.dumps({'n': R.objects.count()}))"
)


def walk(resident, place, photo):
    """One resident's whole report, with the suite's wizard driver; True when it reached the thank-you page."""
    steps = report_steps(place, category=place["category"], photo=("photo.jpg", photo) if photo else None)
    last = resident.walk(REPORT, steps)
    if resident.completed(REPORT, last):
        return True
    log(f"wizard ended with {last.status} {last.location or last.body[:200]!r}")
    return False


def drive(port, place, photo, clients, duration):
    done, failed, times = [0], [0], []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def resident():
        person = HttpResident(port)
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                ok = walk(person, place, photo)
            except Exception as error:  # counted as a failure and named; the run goes on
                log(f"wizard failed: {error!r}")
                ok = False
            with lock:
                if ok:
                    done[0] += 1
                    times.append(time.monotonic() - started)
                else:
                    failed[0] += 1

    threads = [threading.Thread(target=resident) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=duration + 60)
    return done[0], failed[0], time.monotonic() - began, times


def shell_json(env, code):
    out = run(manage("shell", "-c", code), env, timeout=120)
    return json.loads(next(line for line in out.splitlines() if line.startswith("{")))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--photo", action="store_true", help="upload a 1 MB JPEG with every report")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--sqlite-file", type=Path, help="serve a copy of this SQLite database (migrated)")
    parser.add_argument("--database-url", help="serve this database as it is (migrated; reports stay in it)")
    parser.add_argument(
        "--redis", metavar="URL", help="shared cache, as in production (flushed first), e.g. redis://127.0.0.1:6379/12"
    )
    args = parser.parse_args()
    args.threads = 1
    tmp = Path(tempfile.mkdtemp(prefix="shangju-wizard-"))
    proc = None
    try:
        env = base_env(args, tmp)
        # No minimum fill time and no per-client cap: every simulated resident shares 127.0.0.1.
        env.update(INTAKE_MIN_FILL_SECONDS="0", INTAKE_SUBMISSION_LIMIT="100000000", PRIVATE_MEDIA_ROOT=str(tmp / "p"))
        if args.redis:
            import redis

            redis.Redis.from_url(args.redis).flushdb()
            env["REDIS_URL"] = args.redis
        if args.database_url:
            env.pop("SQLITE_PATH", None)
            env["DATABASE_URL"] = args.database_url
            run(manage("migrate", "--noinput"), env, timeout=900)
        elif args.sqlite_file:
            for suffix in ("", "-wal", "-shm"):
                source = Path(str(args.sqlite_file) + suffix)
                if source.exists():
                    shutil.copyfile(source, env["SQLITE_PATH"] + suffix)
            run(manage("migrate", "--noinput"), env, timeout=900)
        else:
            prepare_database(args, env)
        collect_static(env, tmp)
        place = shell_json(env, PLACE)
        port = free_port()
        proc = start_gunicorn(args, env, port, tmp)
        wait_until_ready(proc, port, tmp)
        photo = one_megabyte_jpeg() if args.photo else None
        drive(port, place, photo, 2, 2)  # warm-up: imports, connections, first renders
        before = shell_json(
            env,
            COUNT_REPORTS,
        )["n"]
        load = os.getloadavg()[0]
        cpu_before = gunicorn_cpu_seconds(proc.pid)
        done, failed, elapsed, times = drive(port, place, photo, args.clients, args.duration)
        cpu_after = gunicorn_cpu_seconds(proc.pid)
        after = shell_json(
            env,
            COUNT_REPORTS,
        )["n"]
        stored = after - before
        database = "PostgreSQL" if args.postgres else "SQLite"
        p50 = statistics.median(times) * 1000 if times else float("nan")
        p99 = sorted(times)[int(len(times) * 0.99) - 1] * 1000 if times else float("nan")
        print(
            f"{database}, {'with a 1 MB photo' if photo else 'no photo'}, {args.clients} residents, "
            f"{args.workers} gunicorn workers, {elapsed:.1f} s, load average {load:.2f} before\n"
            f"completed wizards: {done}  ({done / elapsed:.1f}/s)   failed: {failed}   "
            f"reports stored: {stored}   wizard p50 {p50:.0f} ms  p99 {p99:.0f} ms\n"
            f"{place['communities']} communities; the resident's has {place['areas']} streets and buildings"
        )
        if done and cpu_before is not None and cpu_after is not None:
            print(f"gunicorn CPU per completed wizard: {(cpu_after - cpu_before) * 1000 / done:.1f} ms")
        if photo:
            print(f"photo size: {len(photo) / 1e6:.2f} MB")
        return 0 if stored == done and not failed else 1
    except BenchError as error:
        log(str(error))
        return 2
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
