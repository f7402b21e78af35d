"""Django's database sessions, read by one SQL statement rather than through the ORM.

Every request reads its session; the ORM's query costs about 0.6 ms of CPU to build, the
statement a tenth of that (docs/performance.md, "Load test"). Saving, expiry and
clearing stay Django's.
"""

from typing import Any

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone


class SessionStore(db.SessionStore):
    def _get_session_from_db(self) -> Any:
        if self.session_key is None:  # no cookie, or one Django refused as malformed
            return None
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data FROM {self.model._meta.db_table} "  # noqa: S608 - our table
                "WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=row[0])
