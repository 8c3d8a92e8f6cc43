#!/usr/bin/env bash
# The one command that runs Renkei's whole test suite, from the repository root:
#
#   bash scripts/test.sh
#
# 1. makes sure PostgreSQL answers on 127.0.0.1:5432 (trust auth, user postgres),
#    installing/starting it if needed;
# 2. makes sure Debian's Chromium + ChromeDriver (+ Japanese fonts) are installed;
# 3. installs the e2e node modules (npm ci) when missing or stale;
# 4. drops leftover test databases (renkei_t_*, renkei_e2e_*);
# 5. cargo fmt --check, clippy -D warnings, build, test;
# 6. schemathesis against the demo server's /api/openapi.json (scripts/schemathesis.sh;
#    installs its pinned version with pip when missing);
# 7. the browser end-to-end suite (e2e/, node --test) against SQLite and PostgreSQL.
#
# Nothing is skipped, in CI (CI=true) or outside it: a missing prerequisite is
# installed or the script fails.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

START_TS=$(date +%s)
stage() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
APT_UPDATED=0
apt_install() {
  command -v apt-get >/dev/null || die "apt-get not available; cannot install: $*"
  if [ "$APT_UPDATED" = 0 ]; then
    apt-get update
    APT_UPDATED=1
  fi
  apt-get install -y --no-install-recommends "$@"
}

PGHOST_ADDR=127.0.0.1
PGPORT_NUM=5432
pg_up() { pg_isready -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -q; }
pg_query() { PGCONNECT_TIMEOUT=10 psql -w -X -h "$PGHOST_ADDR" -p "$PGPORT_NUM" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"; }

# ---------------------------------------------------------------------------
stage "PostgreSQL on ${PGHOST_ADDR}:${PGPORT_NUM}"
if ! command -v pg_isready >/dev/null || ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
  echo "PostgreSQL is not installed: installing it"
  apt_install postgresql postgresql-client
fi
# shellcheck disable=SC2012 # version directories are plain numbers
PG_VERSION="$(ls /etc/postgresql | sort -V | head -1)"
[ -n "$PG_VERSION" ] || die "no PostgreSQL cluster configuration under /etc/postgresql"
if ! pg_up; then
  if [ ! -d "/etc/postgresql/$PG_VERSION/main" ]; then
    echo "creating cluster $PG_VERSION/main"
    pg_createcluster --locale C.UTF-8 "$PG_VERSION" main
  fi
  echo "starting cluster $PG_VERSION/main"
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main start || echo "pg_ctlcluster start returned $? (checking whether it answers anyway)"
  for _ in $(seq 1 30); do pg_up && break; sleep 1; done
fi
pg_up || die "PostgreSQL does not answer on ${PGHOST_ADDR}:${PGPORT_NUM}"

# Trust auth for user postgres over TCP on loopback (Debian's default for host lines is scram-sha-256).
if ! pg_query -Atc 'SELECT 1' >/dev/null 2>&1; then
  HBA="/etc/postgresql/$PG_VERSION/main/pg_hba.conf"
  [ -f "$HBA" ] || die "cannot connect as postgres over TCP and $HBA does not exist"
  echo "switching loopback host lines in $HBA to trust"
  sed -i -E \
    -e 's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+)[a-z0-9-]+#\1trust#' \
    -e 's#^(host[[:space:]]+all[[:space:]]+all[[:space:]]+::1/128[[:space:]]+)[a-z0-9-]+#\1trust#' \
    "$HBA"
  grep -Eq '^host[[:space:]]+all[[:space:]]+all[[:space:]]+127\.0\.0\.1/32[[:space:]]+trust' "$HBA" \
    || echo 'host    all             all             127.0.0.1/32            trust' | tee -a "$HBA" >/dev/null
  pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" main reload
  sleep 1
fi
pg_query -Atc 'SELECT version()' || die "cannot connect to PostgreSQL as postgres on ${PGHOST_ADDR}:${PGPORT_NUM} without a password"

# ---------------------------------------------------------------------------
stage "Chromium and ChromeDriver"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || ! dpkg -s fonts-noto-cjk >/dev/null 2>&1; then
  apt_install chromium chromium-driver fonts-noto-cjk
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing"
[ -x /usr/bin/chromedriver ] || die "/usr/bin/chromedriver is missing"
/usr/bin/chromium --version 2>/dev/null || die "/usr/bin/chromium does not run"

# ---------------------------------------------------------------------------
stage "Node.js and the e2e node modules"
command -v node >/dev/null || die "node is not installed"
command -v npm >/dev/null || die "npm is not installed"
echo "node $(node --version), npm $(npm --version 2>/dev/null)"
if [ ! -f e2e/node_modules/.package-lock.json ] || [ e2e/package-lock.json -nt e2e/node_modules/.package-lock.json ]; then
  (cd e2e && npm ci --no-audit --no-fund)
else
  echo "e2e/node_modules is up to date"
fi

# ---------------------------------------------------------------------------
stage "Test databases"
export RENKEI_TEST_DATABASE_URL="postgres://postgres@${PGHOST_ADDR}:${PGPORT_NUM}/postgres"
echo "RENKEI_TEST_DATABASE_URL=$RENKEI_TEST_DATABASE_URL"
LEFTOVER="$(pg_query -Atc "SELECT datname FROM pg_database WHERE datname LIKE 'renkei\_t\_%' OR datname LIKE 'renkei\_e2e\_%'")"
if [ -n "$LEFTOVER" ]; then
  while IFS= read -r db; do
    [ -n "$db" ] || continue
    # Without FORCE: a database still in use belongs to a test running right now (another
    # checkout on this machine); it is left alone and its own test drops it.
    if pg_query -qc "DROP DATABASE IF EXISTS \"$db\"" 2>/dev/null; then
      echo "dropped leftover database $db"
    else
      echo "left $db alone: it is in use"
    fi
  done <<<"$LEFTOVER"
else
  echo "no leftover test databases"
fi

# ---------------------------------------------------------------------------
stage "cargo fmt --all -- --check"
cargo fmt --all -- --check

stage "cargo clippy --workspace --all-targets -- -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

stage "cargo build --workspace"
cargo build --workspace
[ -x target/debug/renkei ] || die "target/debug/renkei was not built"

stage "cargo test --workspace"
cargo test --workspace

stage "schemathesis against /api/openapi.json (the demo, no token; fixed seed)"
bash scripts/schemathesis.sh target/debug/renkei

# ---------------------------------------------------------------------------
stage "End-to-end browser tests (Chromium, axe-core; SQLite and PostgreSQL)"
(
  cd e2e
  export RENKEI_BIN=../target/debug/renkei
  export RENKEI_LOG="${RENKEI_LOG:-warn}"
  export RENKEI_E2E_PG_URL="postgres://postgres@${PGHOST_ADDR}:${PGPORT_NUM}"
  node --test --test-concurrency=1 tests/*.test.mjs
)

stage "All tests passed in $(( $(date +%s) - START_TS )) s"
