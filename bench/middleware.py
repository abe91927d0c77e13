"""Counts database queries per request and reports them in response headers: `X-Queries` for
statements that read or write data, `X-Queries-Tx` for transaction control (BEGIN, SAVEPOINT,
RELEASE, COMMIT, ROLLBACK), which Django issues around atomic blocks and get_or_create.

Enabled only by bench.settings. It wraps query execution (connection.execute_wrapper), so it works
with DEBUG=0 and costs a function call per query.
"""

from contextlib import ExitStack

from django.db import connections


class QueryCountMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        counter = _Counter()
        with ExitStack() as stack:
            for conn in connections.all(initialized_only=False):
                stack.enter_context(conn.execute_wrapper(counter))
            response = self.get_response(request)
        response["X-Queries"] = str(counter.count)
        response["X-Queries-Tx"] = str(counter.tx)
        return response


TX_PREFIXES = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")


class _Counter:
    def __init__(self):
        self.count = 0
        self.tx = 0

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip()[:10].upper().startswith(TX_PREFIXES):
            self.tx += 1
        else:
            self.count += 1
        return execute(sql, params, many, context)
