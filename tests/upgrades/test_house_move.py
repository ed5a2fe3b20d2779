"""Data survives the house move (issue 8): a database built and filled by the code before it,
migrated forward by today's code, keeps every row, permission and group membership, and the moved
admin views open for each role.

The previous code is the commit before the move, taken from this clone's history (`git archive`):
its own migrations, its own demo loader and fill_before_house.py build the database, on SQLite, or
on PostgreSQL when the suite runs there (a database of its own, dropped afterwards).
"""

import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import dj_database_url
import psycopg
import pytest

REPO = Path(__file__).resolve().parents[2]
HERE = Path(__file__).parent
# The last commit before casework/ and the ApplicationEvent history existed.
PREVIOUS = "94c95db"
MOVED = ["calendarday", "casecategory", "caseevent", "casephoto", "dailysequence", "grievancereport"]

pytestmark = pytest.mark.subprocess


def git(*args, **kwargs):
    return subprocess.run(["git", "-C", str(REPO), *args], capture_output=True, check=False, **kwargs)


def previous_tree(target):
    if git("cat-file", "-e", f"{PREVIOUS}^{{commit}}").returncode != 0:
        pytest.fail(f"commit {PREVIOUS} is not in this clone; the migration test needs the project's history")
    archive = git("archive", "--format=tar", PREVIOUS)
    assert archive.returncode == 0, archive.stderr.decode()
    target.mkdir()
    archive_path = target.parent / "previous.tar"
    archive_path.write_bytes(archive.stdout)
    with tarfile.open(archive_path) as tar:
        tar.extractall(target, filter="data")
    return target


def manage(tree, env, *args, stdin=None, marker=None, timeout=900):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=tree,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert result.returncode == 0, f"{tree.name}: manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    if marker:
        line = next(line for line in result.stdout.splitlines() if line.startswith(marker + " "))
        return json.loads(line[len(marker) + 1 :])
    return result.stdout


@pytest.fixture
def database(tmp_path):
    """A fresh database for the old code: a SQLite file, or a PostgreSQL database on the suite's server."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        yield {"SQLITE_PATH": str(tmp_path / "house.sqlite3")}
        return
    name = f"shangju_house_{uuid.uuid4().hex[:10]}"
    server = dj_database_url.parse(url)
    admin = f"postgresql://{server['USER']}@{server['HOST']}:{server['PORT'] or 5432}/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {"DATABASE_URL": f"postgres://{server['USER']}@{server['HOST']}:{server['PORT'] or 5432}/{name}"}
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def environment(tmp_path, database):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH", "PYTHONPATH")}
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings.dev",
        MEDIA_ROOT=str(tmp_path / "media"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "private"),
        PAGE_CACHE_SECONDS="0",
        **database,
    )
    return env


def test_a_database_of_the_previous_release_migrates_forward_with_nothing_lost(tmp_path, database):
    env = environment(tmp_path, database)
    old = previous_tree(tmp_path / "previous")
    manage(old, env, "migrate", "--noinput")
    manage(old, env, "load_demo_content")
    filled = manage(old, env, "shell", stdin=(HERE / "fill_before_house.py").read_text())
    assert "FILLED" in filled
    before = manage(old, env, "shell", stdin=(HERE / "snapshot.py").read_text(), marker="SNAPSHOT")

    manage(REPO, env, "migrate", "--noinput")
    after = manage(REPO, env, "shell", stdin=(HERE / "snapshot.py").read_text(), marker="SNAPSHOT")
    checked = manage(REPO, env, "shell", stdin=(HERE / "check_after_house.py").read_text(), marker="CHECKED")

    # Every row of every table is still there: the cases' tables were taken over, not copied.
    # Later migrations add rows here (new models' permissions, points/0005's grants to the staff groups,
    # evaluation/0002's 商会 group for the chamber's raters).
    grown = {"django_migrations", "django_content_type", "auth_permission", "auth_group_permissions", "auth_group"}
    lost = {
        t: (n, after["counts"].get(t))
        for t, n in before["counts"].items()
        if t not in grown and after["counts"].get(t) != n
    }
    assert not lost, f"tables whose row count changed: {lost}"
    for table in grown:
        assert after["counts"][table] >= before["counts"][table], table
    assert before["counts"]["intake_grievancereport"] >= 13 and before["counts"]["intake_caseevent"] >= 38
    for key in ("reports", "events", "case_photos", "categories", "calendar", "sequences", "submissions"):
        assert after[key] == before[key], key
    assert after["applications"] == before["applications"]
    assert after["application_photos"] == before["application_photos"]
    assert after["memberships"] == before["memberships"] and after["memberships"]
    assert after["moderators"] == before["moderators"] and after["workers"] == before["workers"]

    # The moved models keep their content types (same ids, new label), so group permissions,
    # Wagtail's log entries and references still point at them.
    old_types = {(label, model): pk for pk, label, model in before["content_types"]}
    new_types = {(label, model): pk for pk, label, model in after["content_types"]}
    for model in MOVED:
        assert new_types[("casework", model)] == old_types[("intake", model)], model
        assert ("intake", model) not in new_types
    relabel = {("intake", model): ("casework", model) for model in MOVED}
    expected = sorted(
        [group, *relabel.get((label, model), (label, model)), codename]
        for group, label, model, codename in before["group_permissions"]
    )
    # Every grant kept; what later apps grant (accounts/, points/ in points/0005, evaluation/ and its 商会
    # group in evaluation/0002) comes on top.
    later = [
        row for row in after["group_permissions"] if row[1] in ("accounts", "points", "evaluation") or row[0] == "商会"
    ]
    assert sorted(row for row in after["group_permissions"] if row not in later) == expected

    # The last decision each application held is now its history, with who and when.
    reviews = {row[0]: row for row in before["reviews"]}
    history = {}
    for application_id, action, from_state, to_state, actor_id, note, created_at in after["application_events"]:
        history.setdefault(application_id, []).append((action, from_state, to_state, actor_id, note, created_at))
    assert set(history) == set(reviews)
    for pk, (_pk, state, reviewer, reviewed_at, note, created_at, _updated) in reviews.items():
        events = history[pk]
        assert events[0][:3] == ("submit", "", "submitted") and events[0][5] == created_at
        assert events[-1][2] == state
        if reviewer:
            decision = next(e for e in events if e[0] in ("approve", "more_info", "reject"))
            assert decision[3] == reviewer and decision[5] == reviewed_at
            if decision[0] != "approve":
                assert decision[4] == note
    resubmitted = history[max(reviews)]  # the last application was sent back and resubmitted
    assert [e[0] for e in resubmitted] == ["submit", "more_info", "resubmit"]

    views = checked["views"]
    for label in ("inbox", "case", "supervision", "stats", "applications", "application", "categories", "calendar"):
        assert views[f"old_moderator {label}"] == [200, True], (label, views[f"old_moderator {label}"])
    for label in ("convention", "survey_answers"):
        assert views[f"old_moderator {label}"] == [200, True], (label, views[f"old_moderator {label}"])
    assert views["old_moderator case_photo"][0] == 200
    assert views["old_worker inbox"] == [200, True] and views["old_worker case"] == [200, True]
    assert views["old_worker case_photo"][0] == 200
    assert views["old_worker supervision"][0] == 302 and views["old_worker categories"][0] == 302
    assert views["old_editor inbox"][0] == 302 and views["old_editor convention"] == [200, True]
    assert views["old_editor categories"][0] == 302
    assert views["old_moderator_y case"][0] == 404  # another community's case stays out of reach
    assert checked["permissions"] == {
        "old_editor casework.change_casecategory": False,
        "old_editor casework.add_calendarday": False,
        "old_editor intake.change_convention": False,
        "old_moderator casework.change_casecategory": True,
        "old_moderator casework.add_calendarday": True,
        "old_moderator intake.change_convention": True,
    }
