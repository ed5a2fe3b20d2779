"""Fixtures for the fault tests: a migrated, seeded SQLite database copied per test."""

import pytest

from .harness import clean_env, sqlite_copy


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
