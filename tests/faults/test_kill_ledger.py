"""The worker killed at each step of a spend at the counter and of an issuance by the second person
(before the entries, after the first entry, before commit): no half transfer is left, balances
still equal the sum of entries, and the retry of the same POST moves the points exactly once.
On the SQLite file of the embedded default and on PostgreSQL, where the cut connection aborts the
transaction on the server's side."""

import http.client
import json
import subprocess

import pytest

from .harness import PYTHON, REPO, Browser, Server
from .inspect_db import rows

POINTS = ("points_before_entries", "points_after_first_entry", "points_before_commit")
SEED = (REPO / "tests" / "faults" / "seed_ledger.py").read_text()


def seed(env):
    result = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "shell"],
        cwd=REPO,
        env={**env, "LEDGER_POINTS": json.dumps(POINTS)},
        input=SEED,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("LEDGER "))
    return json.loads(line.removeprefix("LEDGER "))


def ledger_state(db):
    return {
        "transfers": rows(db, "SELECT kind, count(*) FROM points_transfer GROUP BY kind ORDER BY kind"),
        "unbalanced": rows(db, "SELECT transfer_id FROM points_entry GROUP BY transfer_id HAVING sum(amount) != 0"),
        "empty": rows(
            db, "SELECT t.id FROM points_transfer t LEFT JOIN points_entry e ON e.transfer_id = t.id WHERE e.id IS NULL"
        ),
        "mismatched": rows(
            db,
            "SELECT a.id FROM points_account a LEFT JOIN points_entry e ON e.account_id = a.id "
            "GROUP BY a.id, a.balance HAVING a.balance != coalesce(sum(e.amount), 0)",
        ),
    }


def test_killed_spends_and_issuances_leave_no_half_transfer_and_each_retry_moves_once(any_site):
    site = any_site
    env, db = site["env"], site["db"]
    seeded = seed(env)
    kill_file = site["tmp"] / "kill_at"
    desk = f"/my/desk/{seeded['shop']}/"
    with Server(env, site["tmp"] / "server.log", kill_file=kill_file) as server:
        clerk = Browser(server.port, seeded["clerk_session"])
        worker = Browser(server.port, seeded["worker_session"])
        assert clerk.request("GET", desk)[0] == 200
        assert worker.request("GET", "/admin/points/confirm/")[0] == 200
        for point in POINTS:
            kill_file.write_text(point)
            with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
                clerk.request("POST", desk, {"code": seeded["codes"][point]})
            with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
                worker.request("POST", "/admin/points/confirm/", {"attendance": seeded["attendances"][point]})
            kill_file.write_text("")
            server.wait_ready()
            state = ledger_state(db)
            assert state["transfers"] == [("issue", 1)], point  # only the seed's: nothing half-written
            assert not state["unbalanced"] and not state["empty"] and not state["mismatched"], point
            assert rows(db, "SELECT count(*) FROM points_spendcode WHERE used_at IS NOT NULL") == [(0,)], point
            assert rows(db, "SELECT count(*) FROM points_attendance WHERE transfer_id IS NOT NULL") == [(0,)], point
        assert server.log_text().count("exited with code 137") == 2 * len(POINTS)

        for point in POINTS:
            status, headers, _body = clerk.request("POST", desk, {"code": seeded["codes"][point]})
            assert status == 302 and headers["Location"].endswith(desk), point
            again = clerk.request("POST", desk, {"code": seeded["codes"][point]})  # a second tap: still once
            assert again[0] == 302, point
            status, _headers, _body = worker.request(
                "POST", "/admin/points/confirm/", {"attendance": seeded["attendances"][point]}
            )
            assert status == 302, point
            worker.request("POST", "/admin/points/confirm/", {"attendance": seeded["attendances"][point]})

    state = ledger_state(db)
    assert state["transfers"] == [("issue", 1 + len(POINTS)), ("spend", len(POINTS))]
    assert not state["unbalanced"] and not state["empty"] and not state["mismatched"]
    resident = rows(
        db,
        "SELECT a.balance FROM points_account a JOIN accounts_person p ON p.id = a.person_id "
        "WHERE p.mobile = '13812340000'",
    )
    assert resident == [(10 - 2 * len(POINTS),)]
    volunteers = rows(
        db,
        "SELECT a.balance FROM points_account a JOIN accounts_person p ON p.id = a.person_id "
        "WHERE p.mobile LIKE '1371234000%' ORDER BY p.mobile",
    )
    assert volunteers == [(3,)] * len(POINTS)
    check = subprocess.run(
        [PYTHON, str(REPO / "manage.py"), "reconcile_points"], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stdout + check.stderr
