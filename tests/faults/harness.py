"""Plumbing for the fault tests: real servers in subprocesses, a cookie-keeping client, and
migrated template databases (SQLite file, private PostgreSQL cluster) copied per test.

Migrating from scratch takes the better part of a minute on the shared machine, so each
template is kept between runs (var/faults-template.sqlite3 and the database shangju_h5 on the
shared PostgreSQL) and brought up to date with an ordinary `migrate`, a few seconds when no
migration changed. Tests never serve a template: they get copies.
"""

import fcntl
import hashlib
import http.client
import io
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.wizard_driver import REPORT, HttpResident, Step, report_steps

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import psycopg
from pgcluster import PrivateCluster  # noqa: E402 - shared with bench/load.py --outage-at
from PIL import Image

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
GUNICORN = str(Path(PYTHON).with_name("gunicorn"))
HOST = "127.0.0.1"
SETTINGS = "tests.faults.fault_settings"
SQLITE_TEMPLATE = REPO / "var" / "faults-template.sqlite3"
PG_SHARED = "postgres://postgres@127.0.0.1:5432"
PG_TEMPLATE_DB = "shangju_h5"
PRIVATE_PG_PORT = 5439
PORTS = range(8120, 8130)  # this helper's ports on the shared machine
THANKS = REPORT.thanks

SEED = (
    "import json; from alliance.models import Community, Grid; from casework.models import CaseCategory; "
    "c, _ = Community.objects.get_or_create(slug='faults', defaults={'name': '故障测试社区'}); "
    "g, _ = Grid.objects.get_or_create(community=c, name='第一网格'); "
    "print('PLACE ' + json.dumps({'category': CaseCategory.objects.get(slug='cooking_fumes').pk, "
    "'community': c.pk, 'grid': g.pk}))"
)


class HarnessError(AssertionError):
    pass


def clean_env(**extra):
    """The environment of a server or command: fault settings, nothing leaked from the caller."""
    env = dict(os.environ)
    for name in ("DATABASE_URL", "SQLITE_PATH", "REDIS_URL", "PRIVATE_MEDIA_ROOT", "MEDIA_ROOT", "SHANGJU_KILL_AT"):
        env.pop(name, None)
    env.update(DJANGO_SETTINGS_MODULE=SETTINGS, PYTHONUNBUFFERED="1", LOG_LEVEL="WARNING")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def manage(env, *argv, timeout=300):
    result = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), *argv], cwd=REPO, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise HarnessError(
            f"manage.py {' '.join(argv)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        )
    return result.stdout


def seed(env):
    """Create the community and grid the wizard needs; returns the ids to post."""
    out = manage(env, "shell", "-c", SEED)
    return json.loads(next(line for line in out.splitlines() if line.startswith("PLACE ")).removeprefix("PLACE "))


# ---------------------------------------------------------------- databases


def _locked(path):
    path.parent.mkdir(exist_ok=True)
    handle = open(path.with_suffix(".lock"), "w")
    fcntl.flock(handle, fcntl.LOCK_EX)
    return handle


def fingerprint():
    """Changes when a migration or an installed package changes: then the templates are rebuilt."""
    digest = hashlib.sha256()
    for path in sorted(REPO.glob("*/migrations/*.py")):
        digest.update(f"{path.relative_to(REPO)}:{path.stat().st_size}:{path.stat().st_mtime_ns}\n".encode())
    digest.update((REPO / "requirements.txt").read_bytes())
    digest.update(SEED.encode())
    return digest.hexdigest()[:16]


def _read_place(marker, expected):
    try:
        stamp, place = marker.read_text().split("\n", 1)
    except (OSError, ValueError):
        return None
    return json.loads(place) if stamp == expected else None


def sqlite_copy(dest):
    """(dest, place): a migrated, seeded SQLite database at `dest`, copied from the kept template."""
    marker = SQLITE_TEMPLATE.with_suffix(".stamp")
    with _locked(SQLITE_TEMPLATE):
        stamp = fingerprint()
        place = _read_place(marker, stamp)
        if place is None:
            env = clean_env(SQLITE_PATH=SQLITE_TEMPLATE, PRIVATE_MEDIA_ROOT=dest.parent / "unused")
            manage(env, "migrate", "-v0")
            place = seed(env)
            marker.write_text(stamp + "\n" + json.dumps(place))
        # The backup API copies a consistent state even with the WAL file beside the template.
        with sqlite3.connect(SQLITE_TEMPLATE) as source, sqlite3.connect(dest) as target:
            source.backup(target)
    return dest, place


def _pg_template_dump(dump):
    """Dump shangju_h5 (migrated and seeded, on the shared server) to `dump`; returns the place ids."""

    url = f"{PG_SHARED}/{PG_TEMPLATE_DB}"
    with _locked(REPO / "var" / f"{PG_TEMPLATE_DB}.lock"):
        marker = REPO / "var" / f"{PG_TEMPLATE_DB}.stamp"
        stamp = fingerprint()
        place = _read_place(marker, stamp)
        if place is None:
            # Built from empty: the database on the shared server may have been migrated by another
            # checkout (another branch's migrations), and this clone's stamp in var/ knows nothing of it.
            with psycopg.connect(f"{PG_SHARED}/postgres", autocommit=True, connect_timeout=10) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{PG_TEMPLATE_DB}" WITH (FORCE)')
                conn.execute(f'CREATE DATABASE "{PG_TEMPLATE_DB}"')
            env = clean_env(DATABASE_URL=url, PRIVATE_MEDIA_ROOT="/nonexistent")
            manage(env, "migrate", "-v0")
            place = seed(env)
            marker.write_text(stamp + "\n" + json.dumps(place))
        subprocess.run(["pg_dump", "--no-owner", "--no-acl", "-Fc", "-f", str(dump), url], check=True, timeout=120)
    return place


def pg_restore_copy(name, dump):
    """(url, place): a new database `name` on the shared server, restored from the kept template."""
    place = _pg_template_dump(dump)
    with psycopg.connect(f"{PG_SHARED}/postgres", autocommit=True, connect_timeout=10) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"{PG_SHARED}/{name}"
    subprocess.run(["pg_restore", "--no-owner", "--no-acl", "-d", url, str(dump)], check=True, timeout=120)
    return url, place


def private_postgres(root=None, port=PRIVATE_PG_PORT, max_connections=60):
    """(cluster, place): a private cluster (port 5439 by default) with the migrated, seeded database `shangju`."""
    cluster = PrivateCluster(port, root, max_connections=max_connections).create()
    try:
        dump = cluster.root / "template.dump"
        place = _pg_template_dump(dump)
        os.chmod(dump, 0o644)
        cluster.psql("CREATE DATABASE shangju")
        cluster.as_postgres(
            "pg_restore", "--no-owner", "-h", "127.0.0.1", "-p", str(cluster.port), "-d", "shangju", str(dump)
        )
    except BaseException:
        cluster.destroy()
        raise
    return cluster, place


# ---------------------------------------------------------------- servers


def free_port():
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind((HOST, port))
            except OSError:
                continue
            return port
    raise HarnessError(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class Server:
    """gunicorn serving the portal with the fault settings on one of this helper's ports."""

    def __init__(self, env, log, workers=1, threads=1, kill_file=None):
        self.env, self.log, self.workers, self.threads = env, Path(log), workers, threads
        self.kill_file = kill_file
        self.proc = None
        self.port = None

    def start(self, timeout=90):
        self.port = free_port()
        cmd = [GUNICORN, "portal.wsgi:application", "--bind", f"{HOST}:{self.port}", "--workers", str(self.workers)]
        if self.threads > 1:
            cmd += ["--worker-class", "gthread", "--threads", str(self.threads)]
        cmd += ["--timeout", "60", "--graceful-timeout", "3", "--error-logfile", str(self.log), "--capture-output"]
        # Loaded once in the master: a worker that a kill point ended is replaced by a fork in
        # milliseconds instead of a fresh Django start.
        cmd += ["--no-control-socket", "--preload", "--config", str(Path(__file__).with_name("gunicorn_hooks.py"))]
        env = dict(self.env)
        if self.kill_file:
            env["SHANGJU_KILL_AT_FILE"] = str(self.kill_file)
        self.proc = subprocess.Popen(cmd, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise HarnessError(f"gunicorn exited with {self.proc.returncode}:\n{self.log_text()}")
            try:
                conn = http.client.HTTPConnection(HOST, self.port, timeout=5)
                conn.request("GET", "/robots.txt")
                status = conn.getresponse().status
                conn.close()
                # Any answer means a worker is serving; with the database down on purpose,
                # robots.txt (it names the site's address, from the database) answers 503.
                if status in (200, 503):
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise HarnessError(f"gunicorn did not answer within {timeout} s:\n{self.log_text()}")

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # gunicorn's own session, started above
            self.proc.wait(timeout=5)

    def log_text(self):
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


# ---------------------------------------------------------------- client


def small_jpeg():

    buffer = io.BytesIO()
    Image.frombytes("RGB", (80, 60), os.urandom(80 * 60 * 3)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


class Browser:
    """A signed-in phone or admin tab: its session cookie, the CSRF cookie, a fresh connection per request."""

    def __init__(self, port, session):
        self.port, self.cookies = port, {"sessionid": session}

    def request(self, method, path, data=None):
        headers = {"Host": f"127.0.0.1:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}, doseq=True).encode()
            headers.update(
                {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-CSRFToken": self.cookies.get("csrftoken", ""),
                    "Referer": f"http://127.0.0.1:{self.port}{path}",
                }
            )
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read()
        finally:
            conn.close()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, dict(response.getheaders()), content.decode(errors="replace")


class Resident(HttpResident):
    """One browser against a fault-test server: a fresh connection per request and no retries, so a
    reset or a killed worker shows. The steps are the suite's (tests/wizard_driver.py)."""

    def __init__(self, port):
        super().__init__(port, keep_alive=False)

    def steps(self, place, photo=None):
        return report_steps(
            place,
            category=place["category"],
            photo=("photo.jpg", photo) if photo else None,
            description="楼下饭店排烟管正对居民窗户，油烟很大",
            contact={"name": "王秀兰", "mobile": "13812345678", "consent": "on"},
        )

    def fill(self, place, photo=None):
        """GET the wizard and POST every step before the last; each must lead to the next."""
        page = self.start(REPORT)
        if page.status != 200:
            raise HarnessError(f"/report/ answered {page.status}: {page.text[:300]}")
        for step in self.steps(place, photo)[:-1]:
            page = self.post_step(REPORT, step)
            if page.status != 200 or (step.name == "contact" and "确认提交" not in page.text):
                raise HarnessError(f"step {step.name} answered {page.status}: {page.text[:400]}")

    def confirm(self):
        return self.post_step(REPORT, Step("review", {"confirm": "on"}))

    def complete(self, place, photo=None):
        """Walk the whole wizard; True when the last POST leads to the thank-you page."""
        self.fill(place, photo)
        last = self.confirm()
        if self.completed(REPORT, last):
            thanks = self.get(THANKS)
            return thanks.status == 200 and "已收到您的反映" in thanks.text
        raise HarnessError(f"final step answered {last.status} {last.location}: {last.text[:400]}")
