"""PostgreSQL stopped under a running portal: visitors get a friendly 503 with Retry-After,
and once the database is back the same server process recovers, finishes the wizard that was
interrupted, and no half-saved report exists.

Runs against a private cluster (port 5439) that the test creates, stops and starts: the shared
PostgreSQL server is never touched except to read the migrated template (shangju_h5).
"""

import pytest

from .harness import THANKS, Resident, Server, clean_env, private_postgres, small_jpeg
from .inspect_db import files_under

FRIENDLY = "服务暂时不可用"


@pytest.fixture
def cluster():
    cluster, place = private_postgres()
    yield cluster, place
    cluster.destroy()


def reports(cluster):
    out = cluster.psql(
        "SELECT count(*), count(DISTINCT r.submission_key), "
        "(SELECT count(*) FROM intake_casephoto) FROM intake_grievancereport r",
        database="shangju",
    )
    return tuple(int(n) for n in out.strip().split("|"))


def assert_friendly_503(page, what):
    assert page.status == 503, f"{what}: {page.status} {page.text[:300]}"
    assert FRIENDLY in page.text and "分钟后再试" in page.text, what
    assert page.header("Retry-After") == "60", what
    assert "Traceback" not in page.text and "OperationalError" not in page.text, what


def test_outage_gives_friendly_503_and_the_same_server_recovers(cluster, tmp_path):
    cluster, place = cluster
    private = tmp_path / "private"
    env = clean_env(DATABASE_URL=cluster.url("shangju"), PRIVATE_MEDIA_ROOT=private)
    with Server(env, tmp_path / "server.log", workers=2) as server:
        master = server.proc.pid
        first = Resident(server.port)
        assert first.complete(place) is True
        interrupted = Resident(server.port)
        interrupted.fill(place, photo=small_jpeg())  # at the last step when the database goes away
        assert reports(cluster) == (1, 1, 0)

        cluster.stop()
        visitor = Resident(server.port)
        for path in ("/", "/report/?restart=1", "/merchants/", "/search/?q=%E6%B2%B9%E7%83%9F"):
            assert_friendly_503(visitor.get(path), path)
        assert_friendly_503(interrupted.confirm(), "final wizard step")
        assert_friendly_503(first.get(THANKS), "thank-you page (session in the database)")

        cluster.start()
        # The same gunicorn master: nothing was restarted but the database.
        assert server.proc.poll() is None and server.proc.pid == master
        home = visitor.get("/")
        assert home.status == 200, home.text[:300]
        retry = interrupted.confirm()
        assert retry.status == 302 and retry.header("Location").endswith(THANKS), retry.text[:300]
        thanks = interrupted.get(THANKS)
        assert thanks.status == 200 and "已收到您的反映" in thanks.text
        later = Resident(server.port)
        assert later.complete(place) is True
        log = server.log_text()

    # Three thank-you pages, three reports, each once; the interrupted one kept its photo.
    assert reports(cluster) == (3, 3, 1)
    assert len(files_under(private / "cases")) == 1
    assert "Traceback" not in log or "OperationalError" in log  # only the outage itself was logged
