# Sourced by run.sh and test.sh: check Python, make (or repair) .venv and install the pinned
# requirements into it, showing progress.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}

if ! command -v "$PY" >/dev/null 2>&1; then
  echo "Instaclone needs Python 3.11 or newer, and '$PY' was not found. Install python3 (or set PYTHON=/path/to/python3.11)." >&2
  exit 1
fi
if ! "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)'; then
  echo "Instaclone needs Python 3.11 or newer; '$PY' is $("$PY" --version 2>&1)." >&2
  echo "Install a newer Python and run again with PYTHON=/path/to/python3.11 (or newer)." >&2
  exit 1
fi

# A .venv left half-made by an earlier failure (no python, or a python without pip) is rebuilt.
if [ -d .venv ] && ! { [ -x .venv/bin/python ] && .venv/bin/python -m pip --version >/dev/null 2>&1; }; then
  echo "--- .venv is incomplete (an earlier setup failed); recreating it"
  rm -rf .venv
fi
if [ ! -d .venv ]; then
  echo "--- creating the virtual environment .venv with $("$PY" --version)"
  if ! "$PY" -m venv .venv; then
    rm -rf .venv
    echo "Could not create a virtual environment. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi

REQ=${1:-requirements.txt}
HASH=$(cat requirements.txt requirements-dev.txt bench/requirements.txt | sha1sum | cut -c1-12)
STAMP=".venv/.installed-$HASH-$(basename "$REQ")"
# requirements-dev.txt includes requirements.txt, so its stamp covers both.
if [ ! -f "$STAMP" ] && [ ! -f ".venv/.installed-$HASH-requirements-dev.txt" ]; then
  echo "--- installing $REQ into .venv (the first run downloads packages and takes a few minutes)"
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar on --upgrade pip
  .venv/bin/python -m pip install --disable-pip-version-check --progress-bar on -r "$REQ"
  touch "$STAMP"
  echo "--- packages installed"
fi
