"""The session engine (SESSION_ENGINE): Django's database sessions, read more cheaply.

Every signed-in request reads its session row first (SessionLifetimeMiddleware looks at it before
anything else). Django's `SessionStore.load()` does it through the ORM — a queryset built, compiled
to `SELECT ... WHERE session_key = %s AND expire_date > %s LIMIT 21` and a model instance made —
which costs several times the query itself. Here `load()` runs that one SELECT directly (table and
column names from the model's _meta) and decodes the data, with the same outcome in every case: an
unknown or expired key loads nothing and is forgotten (so a new key is issued on save rather than
the one the client sent). Everything else — saving, deleting on logout, `exists`, the async
methods — is Django's own: sessions stay in the database only (see the note on SESSION_ENGINE in
instaclone/settings.py), so a logout or "sign out other sessions" deletes the one copy there is.
"""

from __future__ import annotations

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    def load(self):
        key = self.session_key
        data = self._session_data(key) if key else None
        if data is None:
            self._session_key = None
            return {}
        return self.decode(data)

    def _session_data(self, key: str) -> str | None:
        """The stored data of the unexpired session `key`, or None."""
        model = self.model
        connection = connections[router.db_for_read(model)]
        meta, quote = model._meta, connection.ops.quote_name
        expire_date = meta.get_field("expire_date")
        data, table = quote(meta.get_field("session_data").column), quote(meta.db_table)
        key_column, expires = quote(meta.get_field("session_key").column), quote(expire_date.column)
        sql = f"SELECT {data} FROM {table} WHERE {key_column} = %s AND {expires} > %s"  # noqa: S608 - names from _meta
        now = expire_date.get_db_prep_value(timezone.now(), connection)
        with connection.cursor() as cursor:
            cursor.execute(sql, [key, now])
            row = cursor.fetchone()
        return row[0] if row else None
