"""Model fields with a database-specific column."""

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper


class RowidOneToOneField(models.OneToOneField[Any, Any]):
    """A one-to-one primary key that is SQLite's rowid: declared ``integer``, not
    ``bigint`` (a ``bigint`` primary key gets an index of its own beside the table, which
    every write then changes too). The same ``bigint`` column elsewhere."""

    def db_type(self, connection: BaseDatabaseWrapper) -> str | None:
        # The connection Django asks about (a migration's may not be the default one),
        # so not through core.sql.
        if connection.vendor == "sqlite":
            return "integer"
        return super().db_type(connection)
