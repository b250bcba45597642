#!/usr/bin/env bash
# The whole test suite, from a fresh machine with Python 3.11 and pip:
# installs the dev requirements and Debian's chromium, postgresql and nginx when missing, then lint,
# format check, the type checker (mypy on core/, ui/ and deploy/), unit + AppTest + architecture tests,
# the unit tests again on PostgreSQL (a throwaway cluster the tests start on a free loopback
# port and remove), and the end-to-end tests in headless Chromium (one flow on PostgreSQL; one
# through nginx to two app servers on one PostgreSQL, one of them killed).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"

"$PYTHON" -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt

MISSING=""
[ -x /usr/bin/chromium ] || MISSING="$MISSING chromium"
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || MISSING="$MISSING postgresql"
[ -x /usr/sbin/nginx ] || MISSING="$MISSING nginx"
if [ -n "$MISSING" ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  # shellcheck disable=SC2086  # the package names are words
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $MISSING >/dev/null
fi
export CALLCENTER_REQUIRE_PG=1  # the PostgreSQL tests fail, not skip, without the binaries

"$PYTHON" -m ruff check .
"$PYTHON" -m ruff format --check .
"$PYTHON" -m mypy
"$PYTHON" -m pytest -q -n 2 --ignore=tests/e2e
# The core's unit tests again, on PostgreSQL (each test process starts a throwaway cluster).
CALLCENTER_TEST_ENGINE=postgresql "$PYTHON" -m pytest -q -n 2 tests/unit
"$PYTHON" -m pytest -q tests/e2e
