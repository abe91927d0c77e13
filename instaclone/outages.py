"""A database outage answers 503 "try again in a minute", never a bare 500 or a hang.

`DatabaseOutageMiddleware` sits early in MIDDLEWARE (after the header-only security and CSP
middleware, before sessions and auth). A request that cannot reach the database (`is_outage`: connection
refused, connect timeout, connection terminated, too many connections, shutdown, statement timeout,
SQLite's "database is locked" / "unable to open database file"; not a query the database refuses,
which is a bug and a 500) gets `templates/503.html`, rendered without any database or cache
access (no context processors, no `request.user`), with `Retry-After`; an htmx request gets the
same sentence as a short text/plain answer, shown by app.js like every htmx error (one channel).

The error can surface in three places, all covered:
- in a view or while a TemplateResponse renders: `process_exception`;
- in an inner middleware (the session save in SessionMiddleware, the lazy `request.user` in a
  middleware): Django turns it into a 500 response there, after sending `got_request_exception`;
  the receiver below marks the request, and `__call__` swaps that 500 for the 503;
- in the 500 handler itself or anything that re-raises: `__call__`'s own `except`.

Nothing is half-saved: every write goes through a service in `transaction.atomic()`, so a dropped
connection rolls back the whole post or comment (instaclone/tests/test_database_outage.py).
Connect attempts are bounded by `DB_CONNECT_TIMEOUT` (settings: libpq `connect_timeout`).
"""

from __future__ import annotations

import logging
import sys

from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError

logger = logging.getLogger("instaclone.outages")

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60
MESSAGE = "Instaclone is having trouble reaching its database. Please try again in a minute."
_MARK = "_instaclone_database_outage"


# PostgreSQL SQLSTATE classes/codes that mean "the database can't serve us right now": connection
# exceptions (08), insufficient resources (53: too many connections, disk full), operator
# intervention (57P: shutdown, "cannot connect now") and a cancelled statement (57014: timeout).
_PG_OUTAGE_STATES = ("08", "53", "57P", "57014")
# SQLite's messages for the same situations.
_SQLITE_OUTAGE_MESSAGES = ("database is locked", "unable to open database file", "disk i/o error", "readonly database")


def is_outage(error: BaseException | None) -> bool:
    """Whether a database error means the database is unreachable or overloaded (503, try again),
    as opposed to a query the database refused (a program limit, a missing table: a bug, 500).
    Django's OperationalError wraps the driver's exception in `__cause__`."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate.startswith(_PG_OUTAGE_STATES)
    if cause is not None and type(cause).__module__ == "sqlite3":
        return any(text in str(cause).lower() for text in _SQLITE_OUTAGE_MESSAGES)
    return True  # no SQLSTATE: libpq could not connect or lost the connection


def _mark_request(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and is_outage(error):
        setattr(request, _MARK, error)


got_request_exception.connect(_mark_request, dispatch_uid="instaclone.outages.mark_request")


def outage_response(request, error: BaseException | None = None):
    """The 503 answer; touches neither the database nor the cache."""
    from .views import error_response

    logger.error("Database unreachable on %s %s: %s", request.method, request.path, error)
    response = error_response(request, 503, message=MESSAGE, minimal=True, template="503.html")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseOutageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            response = self.get_response(request)
        except OUTAGE_ERRORS as error:
            if not is_outage(error):
                raise
            return outage_response(request, error)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code >= 500 and response.status_code != 503:
            return outage_response(request, error)
        return response

    def process_exception(self, request, exception):
        if is_outage(exception):
            return outage_response(request, exception)
        return None
