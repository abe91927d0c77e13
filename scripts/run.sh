#!/usr/bin/env bash
# One command: set up and run Instaclone on SQLite with demo data at http://127.0.0.1:8000
set -euo pipefail
source "$(dirname "$0")/_venv.sh" requirements.txt
.venv/bin/python manage.py migrate --noinput
.venv/bin/python manage.py seed_demo
echo
echo "Instaclone is starting at http://127.0.0.1:${PORT:-8000}"
echo "Demo users: alice, bob, charlie, dana, ... password: instaclone-demo (see README)."
echo "Sign-up codes and other email are printed below, in this terminal."
exec .venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}"
