"""Append-only tables: rows the database itself refuses to change or delete (the points ledger).

`install(schema_editor, table)` creates the triggers for the connection's database (SQLite and
PostgreSQL); migrations call it. The ORM refuses too (the models override save and delete), but
the database is the guard that no code path, shell session or raw SQL can pass.

Emptying the whole database (`manage.py flush`, which tests run between transactional tests) is
the one exception: on PostgreSQL it is a TRUNCATE, which row triggers do not see; on SQLite it is
DELETE per table, so our SQLite backend (portal/db/sqlite3) lifts these triggers for the flush and
puts them back in the same transaction.
"""

from django.db import NotSupportedError

TRIGGER_MARK = "append_only"
MESSAGE = "rows of %s are append-only: write a new row (a reversal) instead"


def trigger_names(table):
    return [f"{table}_{TRIGGER_MARK}_update", f"{table}_{TRIGGER_MARK}_delete"]


def sqlite_sql(table):
    update, delete = trigger_names(table)
    message = (MESSAGE % table).replace("'", "''")
    refuse = f"BEGIN SELECT RAISE(ABORT, '{message}'); END;"
    return [
        f'CREATE TRIGGER IF NOT EXISTS "{update}" BEFORE UPDATE ON "{table}" {refuse}',
        f'CREATE TRIGGER IF NOT EXISTS "{delete}" BEFORE DELETE ON "{table}" {refuse}',
    ]


def postgresql_sql(table):
    function = f"{table}_{TRIGGER_MARK}"
    message = (MESSAGE % table).replace("'", "''")
    return [
        f'CREATE OR REPLACE FUNCTION "{function}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f"BEGIN RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation'; END $$;",
        f'DROP TRIGGER IF EXISTS "{function}" ON "{table}";',
        f'CREATE TRIGGER "{function}" BEFORE UPDATE OR DELETE ON "{table}" '
        f'FOR EACH ROW EXECUTE FUNCTION "{function}"();',
    ]


def install(schema_editor, table):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = sqlite_sql(table)
    elif vendor == "postgresql":
        statements = postgresql_sql(table)
    else:
        raise NotSupportedError(f"append-only triggers for {vendor}: only SQLite and PostgreSQL are supported")
    for statement in statements:
        schema_editor.execute(statement)


def uninstall(schema_editor, table):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for name in trigger_names(table):
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}";')
    elif vendor == "postgresql":
        function = f"{table}_{TRIGGER_MARK}"
        schema_editor.execute(f'DROP TRIGGER IF EXISTS "{function}" ON "{table}";')
        schema_editor.execute(f'DROP FUNCTION IF EXISTS "{function}"();')
