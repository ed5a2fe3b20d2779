"""Django's SQLite backend, whose flush lifts the append-only triggers (portal/appendonly.py) and
puts them back: emptying the whole database is the one time ledger rows may go."""

from django.db.backends.sqlite3 import base, operations

from portal.appendonly import TRIGGER_MARK


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade)
        if not statements:
            return statements
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s", [f"%{TRIGGER_MARK}%"]
            )
            triggers = cursor.fetchall()
        lift = [f'DROP TRIGGER IF EXISTS "{name}";' for name, _sql in triggers]
        restore = [f"{sql};" for _name, sql in triggers]
        return [*lift, *statements, *restore]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations
