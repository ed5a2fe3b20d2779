"""The worker killed at each point of the final wizard step: nothing half-saved survives,
the cleanup command removes what the crashes left on disk, and each resident's retry of the
same final POST produces exactly one report with its photo.

One server serves every point: a kill ends its worker, gunicorn forks a fresh one (a new
process, as after a crash in production), and the point is armed per request through a file.
"""

import http.client

import pytest

from portal.faults import POINTS

from .harness import THANKS, Resident, Server, manage, small_jpeg
from .inspect_db import files_under, rows

LEAVES_A_FILE = {"after_photos", "before_commit"}  # the photo file is written inside the transaction


def test_killed_final_step_leaves_nothing_and_each_retry_submits_once(site):
    env, db, private = site["env"], site["db"], site["private"]
    cases, wizard = private / "cases", private / "wizard"
    kill_file = site["tmp"] / "kill_at"
    residents = {}
    with Server(env, site["tmp"] / "server.log", kill_file=kill_file) as server:
        for point in POINTS:
            resident = residents[point] = Resident(server.port)
            resident.fill(site["place"], photo=small_jpeg())
            kill_file.write_text(point)
            with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
                resident.confirm()
            kill_file.write_text("")
            server.wait_ready()  # the replacement worker
            assert rows(db, "SELECT count(*) FROM intake_grievancereport") == [(0,)], point
            expected_files = sum(p in LEAVES_A_FILE for p in POINTS[: POINTS.index(point) + 1])
            assert len(files_under(cases)) == expected_files, point
        assert server.log_text().count("exited with code 137") == len(POINTS)

        out = manage(env, "cleanup_intake", "--orphan-grace-minutes", "0")
        assert f"{len(LEAVES_A_FILE)} 个无记录的照片文件" in out
        assert rows(db, "SELECT count(*) FROM intake_grievancereport") == [(0,)]
        assert rows(db, "SELECT count(*) FROM intake_casephoto") == [(0,)]
        assert files_under(cases) == []
        # The pending uploads belong to live sessions: the cleanup must keep them for the retries.
        assert len(files_under(wizard)) == len(POINTS)

        for point, resident in residents.items():
            retry = resident.confirm()
            assert retry.status == 302 and retry.header("Location").endswith(THANKS), point
            thanks = resident.get(THANKS)
            assert thanks.status == 200 and "已收到您的反映" in thanks.text, point
            again = resident.confirm()  # a second click after the retry: still that one report
            assert again.status == 302 and again.header("Location").endswith(THANKS), point

    assert rows(db, "SELECT count(*) FROM intake_grievancereport") == [(len(POINTS),)]
    assert rows(db, "SELECT count(DISTINCT submission_key) FROM intake_grievancereport") == [(len(POINTS),)]
    photos = rows(db, "SELECT p.file FROM intake_casephoto p JOIN intake_grievancereport r ON r.id = p.report_id")
    assert len(photos) == len(POINTS)
    assert files_under(cases) == sorted(name for (name,) in photos)
    assert files_under(wizard) == []  # the finished wizards' temporary files are gone
