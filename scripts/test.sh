#!/usr/bin/env bash
# One command: run the whole test suite (SQLite unless DATABASE_URL / REDIS_URL say otherwise).
# Browser tests drive /usr/bin/chromium and are skipped, with a reason, only when it is absent.
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements-dev.txt
.venv/bin/python manage.py makemigrations --check --dry-run >/dev/null || { echo "Models and migrations differ: run makemigrations" >&2; exit 1; }
.venv/bin/ruff check --quiet .
exec .venv/bin/python -m pytest "$@"
