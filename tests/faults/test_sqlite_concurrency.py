"""SQLite under 8 concurrent submitters: every resident reaches the thank-you page and no
"database is locked" reaches anyone (the project's WAL + IMMEDIATE + busy timeout settings)."""

import threading

from .harness import Resident, Server, small_jpeg
from .inspect_db import files_under, rows

SUBMITTERS = 8
WIZARDS_EACH = 2


def test_eight_concurrent_submitters_all_get_thanks_and_no_lock_error(site):
    env, db = site["env"], site["db"]
    photo = small_jpeg()
    outcomes, errors = [], []
    lock = threading.Lock()
    # 4 workers x 2 threads: all eight submitters are inside Django at the same time.
    with Server(env, site["tmp"] / "server.log", workers=4, threads=2) as server:
        start = threading.Barrier(SUBMITTERS)

        def submitter(number):
            resident = Resident(server.port)
            start.wait()
            for round_ in range(WIZARDS_EACH):
                try:
                    # Half the wizards carry a photo, so file writes overlap the inserts too.
                    done = resident.complete(site["place"], photo=photo if (number + round_) % 2 else None)
                except Exception as error:  # recorded with its text; the assertion below shows it
                    with lock:
                        errors.append(f"submitter {number}: {error}")
                    continue
                with lock:
                    outcomes.append(done)

        threads = [threading.Thread(target=submitter, args=(n,)) for n in range(SUBMITTERS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=240)
        log = server.log_text()

    assert errors == [], log[-4000:]
    assert outcomes == [True] * SUBMITTERS * WIZARDS_EACH
    assert "database is locked" not in log
    assert "Internal Server Error" not in log
    assert rows(db, "SELECT count(*) FROM intake_grievancereport") == [(SUBMITTERS * WIZARDS_EACH,)]
    assert rows(db, "SELECT count(DISTINCT reference) FROM intake_grievancereport") == [(SUBMITTERS * WIZARDS_EACH,)]
    with_photo = SUBMITTERS * WIZARDS_EACH // 2
    assert rows(db, "SELECT count(*) FROM intake_casephoto") == [(with_photo,)]
    assert len(files_under(site["private"] / "cases")) == with_photo
