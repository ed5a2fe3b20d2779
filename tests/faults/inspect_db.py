"""Reading what a fault left behind: rows in the database, files in a folder."""

import sqlite3

import psycopg


def rows(db, sql):
    """The rows of `sql` in a SQLite file or, given a postgres:// URL, a PostgreSQL database."""
    if str(db).startswith("postgres"):
        with psycopg.connect(str(db), connect_timeout=10) as conn:
            return [tuple(row) for row in conn.execute(sql).fetchall()]
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def files_under(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder.exists() else []
