"""Many requests at once, as the SQLite and PostgreSQL concurrency tests need them."""

import threading

from django.db import connection


def run_in_threads(count, target):
    """target(i) in `count` threads released together; any exception fails the caller."""
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
