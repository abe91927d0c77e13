"""A database outage answers 503 "try again in a minute", never a bare 500 or a hang.

`DatabaseOutageMiddleware` sits early in MIDDLEWARE (after the header-only security and CSP
middleware, before sessions and auth). A request that cannot reach the database (Django's
`OperationalError` / `InterfaceError`: connection refused, connect timeout, connection terminated,
"unable to open database file") gets `templates/503.html`, rendered without any database or cache
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


def _mark_request(sender, request=None, **kwargs):
    error = sys.exc_info()[1]
    if request is not None and isinstance(error, OUTAGE_ERRORS):
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
            return outage_response(request, error)
        error = getattr(request, _MARK, None)
        if error is not None and response.status_code >= 500 and response.status_code != 503:
            return outage_response(request, error)
        return response

    def process_exception(self, request, exception):
        if isinstance(exception, OUTAGE_ERRORS):
            return outage_response(request, exception)
        return None
