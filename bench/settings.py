"""Benchmark settings: production settings plus the two ceiling views and a query-count header.

Used only by the harness (DJANGO_SETTINGS_MODULE=bench.settings); production never loads it, so the
benchmark-only routes exist only here (BENCH = True).
"""

import os

from instaclone.settings import *  # noqa: F403
from instaclone.settings import BASE_DIR, MIDDLEWARE

BENCH = True
ROOT_URLCONF = "bench.urls"
# First, so it sees every query a request makes, the middleware's own included.
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
# collectstatic for DEBUG=0 goes into the harness's own folder, never the project's.
STATIC_ROOT = os.environ.get("BENCH_STATIC_ROOT", str(BASE_DIR / "bench" / "out" / "static"))
