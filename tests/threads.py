"""Many requests at once, as the SQLite and PostgreSQL concurrency tests need them."""

import contextlib
import fcntl
import tempfile
import threading
from pathlib import Path

from django.db import connection

# Each thread holds its own database connection. Two such tests at once on different xdist workers
# (50 + 50) would pass the shared PostgreSQL server's 100 connections: they take turns instead.
MANY = 10
LOCK = Path(tempfile.gettempdir()) / "shangju-tests-many-connections.lock"


@contextlib.contextmanager
def many_connections():
    """Held while a test opens many connections at once; other processes' such tests wait."""
    with open(LOCK, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def run_in_threads(count, target):
    """target(i) in `count` threads released together; any exception fails the caller."""
    if count > MANY:
        with many_connections():
            return _run(count, target)
    return _run(count, target)


def _run(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def worker(i):
        try:
            barrier.wait(timeout=30)
            target(i)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
