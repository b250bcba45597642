#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Python 3.11 and pip:
# installs the dev requirements and Debian's chromium when missing, then lint, format check,
# the type checker (mypy on core/ and ui/), unit + AppTest + architecture tests, and the
# end-to-end tests in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m mypy
"$PYTHON" -m pytest -q -n 2 --ignore=tests/e2e
"$PYTHON" -m pytest -q tests/e2e
