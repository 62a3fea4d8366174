#!/usr/bin/env bash
# The project's test command (README "Run the tests"). It prepares what the tests need on a
# fresh machine, then runs the whole workspace suite:
#   - PostgreSQL on 127.0.0.1:5432 (started if down) and MSEZ_TEST_DATABASE_URL pointing at it;
#   - xmllint (Debian libxml2-utils) for ISO 20022 schema validation;
#   - a Python virtualenv with PyPI rfc8785 and cryptography for the independent oracle;
#   - the gated slow tests switched on (MSEZ_LOAD_SMOKE).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '[test.sh] %s\n' "$*" >&2; }

export MSEZ_TEST_DATABASE_URL="${MSEZ_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}"
if command -v pg_isready >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then
  log "PostgreSQL is down; starting it"
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start || true
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! command -v xmllint >/dev/null 2>&1; then
  log "installing libxml2-utils (xmllint)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq libxml2-utils >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq libxml2-utils >/dev/null
  fi
fi

venv=".venv"
if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import rfc8785, cryptography' 2>/dev/null; then
  log "creating the oracle virtualenv in $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r tests/oracle/requirements.txt
fi
export MSEZ_ORACLE_PYTHON="$PWD/$venv/bin/python"

# Slow tests are gated by environment variables (STYLE rule 21) and CI runs them: the load and
# chaos smoke run (500 corridors for 20 s with one node SIGKILL, no-loss invariants asserted).
export MSEZ_LOAD_SMOKE="${MSEZ_LOAD_SMOKE:-1}"

cargo test --workspace --all-targets "$@"
