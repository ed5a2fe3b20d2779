"""Fixtures for the fault tests: a migrated, seeded database copied per test."""

import uuid

import psycopg
import pytest

from .harness import PG_SHARED, clean_env, pg_restore_copy, sqlite_copy


@pytest.fixture
def site(tmp_path):
    """A fresh migrated and seeded SQLite database, its private files folder and the server environment."""
    db, place = sqlite_copy(tmp_path / "db.sqlite3")
    private = tmp_path / "private"
    return {
        "db": db,
        "private": private,
        "place": place,
        "tmp": tmp_path,
        "env": clean_env(SQLITE_PATH=db, PRIVATE_MEDIA_ROOT=private),
    }


@pytest.fixture
def pg_site(tmp_path):
    """The same on the shared PostgreSQL server: a database of its own, restored from the kept template.

    A killed worker's connection is cut mid-transaction there, which is what production sees.
    """
    name = f"shangju_fault_{uuid.uuid4().hex[:12]}"
    url, place = pg_restore_copy(name, tmp_path / "template.dump")
    private = tmp_path / "private"
    try:
        yield {
            "db": url,
            "private": private,
            "place": place,
            "tmp": tmp_path,
            "env": clean_env(DATABASE_URL=url, PRIVATE_MEDIA_ROOT=private),
        }
    finally:
        with psycopg.connect(f"{PG_SHARED}/postgres", autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_site(request):
    """Each database in turn: the SQLite file of the embedded default, then PostgreSQL."""
    return request.getfixturevalue("site" if request.param == "sqlite" else "pg_site")
