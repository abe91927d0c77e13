#!/usr/bin/env bash
# Instaclone benchmark: one command for the table (bench/RESULTS.md) and the plot (bench/feed_scaling.png).
#
#   bash bench/run.sh                      # SQLite, 10k users / 100k posts / 1M likes, all pages + series
#   bash bench/run.sh --db postgres        # the same on PostgreSQL (BENCH_PG_URL, default postgres://postgres@127.0.0.1:5432;
#                                          # it creates and drops only databases named instaclone_bench*)
#   bash bench/run.sh --quick              # small dataset, 3 s a page: a smoke test of the harness
#   bash bench/run.sh --help               # every option
#
# Datasets are seeded once and reused (bench/out/); --reseed seeds again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install -q -r requirements.txt -r bench/requirements.txt
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk is not installed; trying apt-get (falls back to bench/loadgen.py)" >&2
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    (apt-get install -y -q wrk || (apt-get update -q && apt-get install -y -q wrk)) >/dev/null 2>&1 || true
  fi
fi
exec .venv/bin/python bench/run.py "$@"
