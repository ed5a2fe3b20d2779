"""Confirmed spends per second at the shops' desks, against gunicorn (production settings, 127.0.0.1).

The database gets the demo content, then 80 residents with 50 points each and one-point spend
codes for all of them (50 a day is the per-day cap), four member shops that take points and a
signed-in clerk at each. Clients (threads, keep-alive) POST codes to their shop's desk as the
counter's "确认抵扣" does; a spend counts when the answer is the redirect back to the desk. The
same clients first measure /healthz/ (SELECT 1 and one cache read, through the same middleware), so
every figure is also a ratio to it, and the shop's desk page (GET) as a clerk sees it.

Afterwards the spend transfers in the database must equal the confirmations counted, and
`reconcile_points` must find the ledger balanced. Figures, not tests: nothing asserts a timing.

    .venv/bin/python bench/spends.py                 # SQLite
    .venv/bin/python bench/spends.py --postgres      # PostgreSQL
"""

import argparse
import http.client
import json
import queue
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pages import (  # noqa: E402 - the sibling script holds the server plumbing
    HOST,
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

RESULTS = Path(__file__).resolve().parent / "results"
RESIDENTS, POINTS_EACH, SHOPS = 80, 50, 4

SEED = f"""
import json
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.utils import timezone
from accounts.models import Person, ShopStaff
from accounts.signin import BACKEND
from alliance.models import Merchant
from points import spending
from points.ledger import transfer
from points.models import Account, Transfer

User = get_user_model()
store = import_module(settings.SESSION_ENGINE).SessionStore

def person(name, mobile):
    user = User.objects.create_user("bench" + mobile)
    return Person.objects.create(user=user, name=name, mobile=mobile, verified_at=timezone.now())

def session(user):
    s = store()
    s[SESSION_KEY], s[BACKEND_SESSION_KEY], s[HASH_SESSION_KEY] = str(user.pk), BACKEND, user.get_session_auth_hash()
    s.create()
    return s.session_key

shops = list(Merchant.objects.members().filter(accepts_volunteer_points=True).order_by("pk")[:{SHOPS}])
clerks = []
for number, shop in enumerate(shops):
    clerk = person("店员" + str(number), "1370000%04d" % number)
    ShopStaff.objects.create(person=clerk, merchant=shop)
    clerks.append({{"shop": shop.pk, "session": session(clerk.user)}})
codes = []
for number in range({RESIDENTS}):
    resident = person("居民" + str(number), "1360000%04d" % number)
    transfer(Transfer.Kind.ISSUE, [(Account.issuer(), -{POINTS_EACH}), (Account.for_person(resident), {POINTS_EACH})],
             key="bench:%d" % number, memo="压测")
    codes.extend(spending.issue_code(resident, 1)[1] for _ in range({POINTS_EACH}))
with open({{path!r}}, "w") as out:
    json.dump({{"clerks": clerks, "codes": codes}}, out)
print("SEEDED", len(codes))
"""

COUNT_SPENDS = (
    "from points.models import Transfer; print('SPENDS', Transfer.objects.filter(kind=Transfer.Kind.SPEND).count())"
)


def stored_spends(env):
    return int(run(manage("shell", "-c", COUNT_SPENDS), env, timeout=120).split("SPENDS")[1].split()[0])


class Client:
    """One keep-alive connection with a clerk's session and CSRF cookies."""

    def __init__(self, port, session):
        self.port = port
        self.cookies = {"__Host-sessionid": session, "sessionid": session}
        self.conn = None

    def request(self, method, path, data=None):
        headers = {"Host": f"{HOST}:{self.port}", "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if data is not None:
            token = next((v for k, v in self.cookies.items() if k.endswith("csrftoken")), "")
            body = urlencode({**data, "csrfmiddlewaretoken": token}).encode()
            headers.update({"Content-Type": "application/x-www-form-urlencoded", "X-CSRFToken": token})
        for attempt in range(2):
            self.conn = self.conn or http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                response.read()
                break
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, val = value.split(";", 1)[0].partition("=")
                self.cookies[key.strip()] = val.strip()
        return response.status, response.getheader("Location", "")


def drive(port, clerks, duration, work):
    """`work(client, clerk)` -> ok, repeated by one thread per clerk session until `duration` is over."""
    times, failures = [], [0]
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def loop(clerk):
        client = Client(port, clerk["session"])
        client.request("GET", f"/my/desk/{clerk['shop']}/")  # the CSRF cookie
        while time.monotonic() < deadline:
            started = time.monotonic()
            try:
                ok = work(client, clerk)
            except (OSError, http.client.HTTPException) as error:
                log(f"request failed: {error!r}")
                ok = None
            if ok is None:
                break  # out of codes
            with lock:
                if ok:
                    times.append(time.monotonic() - started)
                else:
                    failures[0] += 1

    threads = [threading.Thread(target=loop, args=(clerk,)) for clerk in clerks]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=duration + 60)
    return times, failures[0], time.monotonic() - began


def row(name, times, failures, elapsed, cpu):
    count = len(times)
    ordered = sorted(times)
    return {
        "row": name,
        "per_second": count / elapsed,
        "p50_ms": statistics.median(ordered) * 1000 if ordered else float("nan"),
        "p99_ms": ordered[max(int(count * 0.99) - 1, 0)] * 1000 if ordered else float("nan"),
        "cpu_ms": cpu * 1000 / count if count and cpu is not None else float("nan"),
        "count": count,
        "failures": failures,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("--clients", type=int, default=16, help="client threads (spread over the four clerks)")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    args = parser.parse_args()
    args.threads = 1
    tmp = Path(tempfile.mkdtemp(prefix="shangju-spends-"))
    proc = None
    database = "PostgreSQL" if args.postgres else "SQLite"
    try:
        env = base_env(args, tmp)
        env["POINTS_CODE_VALID_SECONDS"] = "3600"  # the codes are made before the run, not at the counter
        prepare_database(args, env)
        collect_static(env, tmp)
        seed_file = tmp / "seed.json"
        run(manage("shell", "-c", SEED.replace("{path!r}", repr(str(seed_file)))), env, timeout=600)
        seeded = json.loads(seed_file.read_text())
        codes = queue.SimpleQueue()
        for code in seeded["codes"]:
            codes.put(code)
        clerks = [seeded["clerks"][n % len(seeded["clerks"])] for n in range(args.clients)]
        spends_before = stored_spends(env)  # the demo content's own

        port = free_port()
        proc = start_gunicorn(args, env, port, tmp)
        wait_until_ready(proc, port, tmp)

        def healthz(client, clerk):
            return client.request("GET", "/healthz/")[0] == 200

        def desk_page(client, clerk):
            return client.request("GET", f"/my/desk/{clerk['shop']}/")[0] == 200

        def confirm(client, clerk):
            try:
                code = codes.get_nowait()
            except queue.Empty:
                return None
            desk = f"/my/desk/{clerk['shop']}/"
            status, location = client.request("POST", desk, {"code": code})
            return status == 302 and location.endswith(desk)

        drive(port, clerks[:4], 2, healthz)  # warm-up: imports, connections, first renders
        drive(port, clerks[:4], 2, desk_page)
        warm_times, warm_failures, _ = drive(port, clerks[:4], 2, confirm)
        rows = []
        for name, work in (
            ("/healthz/ (ceiling)", healthz),
            ("desk page GET", desk_page),
            ("confirmed spend", confirm),
        ):
            cpu_before = gunicorn_cpu_seconds(proc.pid)
            times, failures, elapsed = drive(port, clerks, args.duration, work)
            cpu_after = gunicorn_cpu_seconds(proc.pid)
            cpu = cpu_after - cpu_before if cpu_before is not None and cpu_after is not None else None
            rows.append(row(name, times, failures, elapsed, cpu))
        stop_gunicorn(proc)
        proc = None

        stored = stored_spends(env) - spends_before
        counted = len(warm_times) + rows[-1]["count"]
        reconciled = run(manage("reconcile_points"), env, timeout=300).strip().splitlines()[-1]
        ceiling = rows[0]["per_second"]
        lines = [
            f"# Confirmed spends per second — {database}",
            "",
            f"{args.clients} clients over {SHOPS} shops' clerks, {args.workers} gunicorn sync workers, "
            f"{args.duration:.0f} s per row, production settings on 127.0.0.1.",
            "",
            "| row | per second | p50 ms | p99 ms | CPU ms / request | share of ceiling | failed |",
            "|---|---|---|---|---|---|---|",
        ]
        for r in rows:
            lines.append(
                f"| {r['row']} | {r['per_second']:.1f} | {r['p50_ms']:.1f} | {r['p99_ms']:.1f} | "
                f"{r['cpu_ms']:.2f} | {r['per_second'] / ceiling:.1%} | {r['failures']} |"
            )
        lines += [
            "",
            f"Spend transfers stored: {stored}; confirmations counted: {counted} "
            f"({'equal' if stored == counted else 'NOT EQUAL'}; {warm_failures} failed in the warm-up).",
            f"reconcile_points: {reconciled}",
        ]
        text = "\n".join(lines)
        print(text)
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"spends-{'postgres' if args.postgres else 'sqlite'}.md").write_text(text + "\n")
        return 0 if stored == counted and not rows[-1]["failures"] else 1
    except BenchError as error:
        log(str(error))
        return 2
    finally:
        stop_gunicorn(proc)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
