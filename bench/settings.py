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

# Template experiments (bench/experiments/<name>/): copies of other apps' templates with a proposed
# speed fix, put in front of the real ones to measure the fix before its owner adopts it.
# Never set in the benchmark table runs; bench/profile.py --experiment NAME sets it.
_experiment = os.environ.get("BENCH_TEMPLATE_EXPERIMENT", "")
if _experiment:
    TEMPLATES = [{**TEMPLATES[0], "DIRS": [BASE_DIR / "bench" / "experiments" / _experiment, *TEMPLATES[0]["DIRS"]]}]  # noqa: F405
# Settings experiment for bench/profile.py: the app ships in English only; how much does i18n cost?
if os.environ.get("BENCH_USE_I18N") == "0":
    USE_I18N = False
