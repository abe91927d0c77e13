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
# The background worker (fan-out, media processing, periodic sweeps) runs beside the server; Ctrl-C
# or a TERM to this script stops both.
.venv/bin/python manage.py worker --id "local-1" &
worker=$!
.venv/bin/python manage.py runserver "127.0.0.1:${PORT:-8000}" &
server=$!
stop() { trap - INT TERM EXIT; pkill -TERM -P "$server" 2>/dev/null; kill "$server" "$worker" 2>/dev/null; wait; }
trap stop INT TERM EXIT
wait -n "$server" "$worker" || true
