#!/usr/bin/env bash
# Renkei benchmark harness: one server (or, with --db pg2, two app servers on one PostgreSQL
# database), every page and API people and integrations use often, measured with wrk.
# Prints a Markdown table and writes it to target/bench/results-<db>.md.
# Exit status: 0 all runs without error and all checks passed, 3 an error in a run or a
# failed check, 2 bad usage / set-up failure. See docs/benchmarks.md.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HELPER="python3 $ROOT/scripts/bench_helper.py"
LUA="$ROOT/scripts/bench"

DB=sqlite
DATA_DIR=""
DATABASE_URL=""
BIN="$ROOT/target/release/renkei"
DURATION=10s
CONNECTIONS=64
THREADS=2
ONLY=""
TENANT=141003
DESK_EMAIL=desk@t141003.bench.example
DEPT_EMAIL=dept1@t141003.bench.example
ADMIN_EMAIL=admin@t141003.bench.example
PASSWORD=renkei-bench-2026
PREPARE=""
SKIP_CHECKS=0
CHECK_N=50
PG_BASE_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432}
set_tenant=0 set_desk=0 set_dept=0 set_admin=0 set_pw=0

usage() {
  cat <<'EOF'
usage: scripts/bench.sh [options]
  --db sqlite|postgres|pg2    database (pg2: two app servers on one PostgreSQL database)
  --data-dir DIR              SQLite data directory (existing data set)
  --database-url URL          PostgreSQL database (existing data set)
  --prepare demo              fresh data: `serve --demo` on a new temp data dir / database
  --bin PATH                  server binary (default target/release/renkei; built if missing)
  --duration 10s  --connections 64  --threads 2
  --only REGEX                run only the endpoints whose name matches
  --tenant CODE (141003)  --desk-email E  --dept-email E  --admin-email E  --password P
  --skip-checks               skip the correctness checks (receipts present; pg2 checks)
  --check-n N                 proposals submitted for the pg2 outbox check (50)
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --db) DB=$2; shift 2 ;;
    --data-dir) DATA_DIR=$2; shift 2 ;;
    --database-url) DATABASE_URL=$2; shift 2 ;;
    --bin) BIN=$2; shift 2 ;;
    --duration) DURATION=$2; shift 2 ;;
    --connections) CONNECTIONS=$2; shift 2 ;;
    --threads) THREADS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    --tenant) TENANT=$2; set_tenant=1; shift 2 ;;
    --desk-email) DESK_EMAIL=$2; set_desk=1; shift 2 ;;
    --dept-email) DEPT_EMAIL=$2; set_dept=1; shift 2 ;;
    --admin-email) ADMIN_EMAIL=$2; set_admin=1; shift 2 ;;
    --password) PASSWORD=$2; set_pw=1; shift 2 ;;
    --prepare) PREPARE=$2; shift 2 ;;
    --skip-checks) SKIP_CHECKS=1; shift ;;
    --check-n) CHECK_N=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
done

case "$DB" in sqlite|postgres|pg2) ;; *) echo "--db must be sqlite, postgres or pg2" >&2; exit 2 ;; esac
if [ -n "$PREPARE" ] && [ "$PREPARE" != demo ]; then echo "--prepare: only 'demo'" >&2; exit 2; fi
if [ "$PREPARE" = demo ]; then
  # The demo's local government and accounts (printed by `renkei serve --demo`).
  [ $set_tenant = 1 ] || TENANT=272027
  [ $set_desk = 1 ] || DESK_EMAIL=desk@kishiwada.demo.renkei.jp
  [ $set_dept = 1 ] || DEPT_EMAIL=kikikanri@kishiwada.demo.renkei.jp
  [ $set_admin = 1 ] || ADMIN_EMAIL=admin@kishiwada.demo.renkei.jp
  [ $set_pw = 1 ] || PASSWORD=renkei-demo-2026
fi
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
if [ ! -x "$BIN" ]; then
  echo "building $BIN (cargo build --release -p renkei)…" >&2
  (cd "$ROOT" && cargo build --release -p renkei) || exit 2
fi

OUT="$ROOT/target/bench"
mkdir -p "$OUT"
STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RUN="$OUT/run-$DB-$STAMP"
mkdir -p "$RUN"
RESULTS="$RUN/results.jsonl"
: > "$RESULTS"
CLK_TCK=$(getconf CLK_TCK)
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
RC=0
PIDS=()           # every process this script started
SERVERS=()        # the app servers being measured
BASES=()          # their base URLs
COLD=()           # their cold-start times (ms)

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }
fail() { log "FAIL: $*"; RC=3; }

# ---------------------------------------------------------------------------------------
# Data
PG_DB_URL=""
if [ "$DB" = sqlite ]; then
  if [ -z "$DATA_DIR" ] && [ -z "$DATABASE_URL" ]; then
    if [ "$PREPARE" = demo ]; then
      DATA_DIR="$RUN/data"
    else
      echo "--db sqlite needs --data-dir (or --prepare demo)" >&2; exit 2
    fi
  fi
  if [ -n "$DATABASE_URL" ]; then
    DB_ARGS=(--database-url "$DATABASE_URL")
    SQL_DB="sqlite:$(echo "$DATABASE_URL" | sed -e 's#^sqlite:\(//\)\{0,1\}##' -e 's#?.*##')"
  else
    DB_ARGS=(--data-dir "$DATA_DIR")
    SQL_DB="sqlite:$DATA_DIR/renkei.db"
  fi
else
  if [ -z "$DATABASE_URL" ]; then
    if [ "$PREPARE" = demo ]; then
      DATABASE_URL="$PG_BASE_URL/renkei_bench_$DB"
    else
      echo "--db $DB needs --database-url (or --prepare demo)" >&2; exit 2
    fi
  fi
  DB_ARGS=(--database-url "$DATABASE_URL")
  SQL_DB="$DATABASE_URL"
fi

fresh_pg() { # fresh_pg URL: drop and create the database
  local url=$1 name=${1##*/} admin
  admin="${1%/*}/postgres"
  PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$admin" -c "DROP DATABASE IF EXISTS \"$name\" WITH (FORCE)" >/dev/null &&
    PGOPTIONS="-c client_min_messages=warning" psql -X -q -d "$admin" -c "CREATE DATABASE \"$name\"" >/dev/null
}

# start_server NAME PORT [ENV=VALUE…] [-- extra serve args]: starts a server, waits for a
# passing /healthz; sets STARTED_PID and STARTED_MS.
start_server() {
  local name=$1 port=$2; shift 2
  local envs=() extra=()
  while [ $# -gt 0 ]; do
    if [ "$1" = -- ]; then shift; extra=("$@"); break; fi
    envs+=("$1"); shift
  done
  local line
  line=$(env RENKEI_LOG=warn RENKEI_INTAKE_RATE_LIMIT=0 RENKEI_MAIL_POLL_SECS=1 "${envs[@]}" \
    $HELPER launch --url "http://127.0.0.1:$port" --log "$RUN/server-$name.log" -- \
    "$BIN" serve --addr "127.0.0.1:$port" "${DB_ARGS[@]}" "${extra[@]}")
  local status=$?
  STARTED_PID=${line%% *}
  STARTED_MS=${line##* }
  [[ $STARTED_PID =~ ^[0-9]+$ ]] && PIDS+=("$STARTED_PID")
  if [ $status -ne 0 ]; then
    log "server $name did not start; see $RUN/server-$name.log"; tail -5 "$RUN/server-$name.log" >&2
    exit 3
  fi
  log "server $name pid $STARTED_PID on :$port, /healthz passing after ${STARTED_MS} ms"
}

stop_server() { # stop_server PID
  kill "$1" 2>/dev/null
  for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
}

prepare_demo() {
  if [ "$DB" = sqlite ]; then
    rm -rf "$DATA_DIR"; mkdir -p "$DATA_DIR"
  else
    fresh_pg "$DATABASE_URL" || { log "cannot create $DATABASE_URL"; exit 2; }
  fi
  local port; port=$($HELPER freeport)
  log "preparing demo data (serve --demo)…"
  start_server prepare "$port" -- --demo
  log "demo data loaded in ${STARTED_MS} ms (launch to passing /healthz, including the demo load)"
  stop_server "$STARTED_PID"
}
[ "$PREPARE" = demo ] && prepare_demo

# ---------------------------------------------------------------------------------------
# The servers under test (cold start = launch to passing /healthz on existing data)
NSERVERS=1; [ "$DB" = pg2 ] && NSERVERS=2
for i in $(seq 1 $NSERVERS); do
  port=$($HELPER freeport)
  start_server "app$i" "$port"
  SERVERS+=("$STARTED_PID"); BASES+=("http://127.0.0.1:$port"); COLD+=("$STARTED_MS")
done
BASE=${BASES[0]}

# Sign in through the real form (CSRF cookie + field), and a Bearer token for the API.
DESK_COOKIE=$($HELPER login --base "$BASE" --email "$DESK_EMAIL" --password "$PASSWORD") || { log "desk sign-in failed"; exit 3; }
DEPT_COOKIE=$($HELPER login --base "$BASE" --email "$DEPT_EMAIL" --password "$PASSWORD") || { log "department sign-in failed"; exit 3; }
ADMIN_COOKIE=$($HELPER login --base "$BASE" --email "$ADMIN_EMAIL" --password "$PASSWORD") || { log "admin sign-in failed"; exit 3; }
TOKEN=$("$BIN" token create --email "$DESK_EMAIL" "${DB_ARGS[@]}" 2>>"$RUN/token.log" | grep -o 'rk_[A-Za-z0-9_-]*' | head -1)
[ -n "$TOKEN" ] || { log "renkei token create failed; see $RUN/token.log"; exit 3; }
eval "$($HELPER discover --base "$BASE" --cookie "$DESK_COOKIE" --tenant "$TENANT" --kind desk)" || { log "no proposal found"; exit 3; }
eval "$($HELPER discover --base "$BASE" --cookie "$ADMIN_COOKIE" --tenant "$TENANT" --kind admin)" || { log "audit page not readable"; exit 3; }
# The prefecture of the tenant: JIS X 0402 code PP000 + check digit.
PREF5="${TENANT:0:2}000"
s=0; for k in 0 1 2 3 4; do s=$((s + ${PREF5:$k:1} * (6 - k))); done
cd_=$(( (11 - s % 11) % 11 )); [ $cd_ -eq 10 ] && cd_=0
PREF="$PREF5$cd_"
log "tenant $TENANT, prefecture $PREF, proposal $RECEIPT, older audit page: ${AUDIT_OLDER:-none}"

cpu_ticks() { # utime+stime of the servers under test, in clock ticks
  local t=0 p f
  for p in "${SERVERS[@]}"; do
    f=$(cut -d' ' -f14,15 "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + ${f% *} + ${f#* }))
  done
  echo $t
}

# bench NAME GROUP PATH [wrk args…]: one endpoint, all servers at once (load split evenly).
bench() {
  local name=$1 group=$2 path=$3; shift 3
  if [ -n "$ONLY" ] && ! [[ "$name" =~ $ONLY ]]; then return 0; fi
  local hdrs=() script="$LUA/report.lua" method=GET
  while [ $# -gt 0 ]; do
    case "$1" in
      -H) hdrs+=(-H "$2"); shift 2 ;;
      -s) script=$2; method=POST; shift 2 ;;
      *) shift ;;
    esac
  done
  # A page answering anything but 200 (a sign-in redirect counts as success for wrk) is an error.
  if [ "$method" = GET ]; then
    local code hargs=()
    for h in "${hdrs[@]}"; do [ "$h" = -H ] || hargs+=(-H "$h"); done
    code=$(curl -s -o /dev/null -w '%{http_code}' "${hargs[@]}" "$BASE$path")
    if [ "$code" != 200 ]; then fail "$name: GET $path answered $code, not 200"; fi
  fi
  local n=${#BASES[@]} c t files=() i before after
  c=$(( CONNECTIONS / n )); t=$(( THREADS / n )); [ $t -ge 1 ] || t=1
  before=$(cpu_ticks)
  for i in $(seq 0 $((n - 1))); do
    BENCH_RECEIPTS="$RUN/receipts-$name-$i.txt" BENCH_TENANT="$TENANT" \
      wrk -t"$t" -c"$c" -d"$DURATION" --latency -s "$script" "${hdrs[@]}" "${BASES[$i]}$path" \
      > "$RUN/wrk-$name-$i.txt" 2>&1 &
    files+=("$RUN/wrk-$name-$i.txt")
  done
  wait
  after=$(cpu_ticks)
  local merged
  merged=$($HELPER merge "${files[@]}")
  python3 - "$name" "$group" "$path" $((after - before)) "$CLK_TCK" "$merged" >> "$RESULTS" <<'EOF'
import json, sys
name, group, path, ticks, clk, merged = sys.argv[1:]
r = json.loads(merged)
r.update(name=name, group=group, path=path)
r["cpu_ms_per_req"] = int(ticks) * 1000 / int(clk) / r["requests"] if r["requests"] else None
print(json.dumps(r, ensure_ascii=False))
EOF
  local line; line=$(tail -1 "$RESULTS")
  log "$name: $(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print("%.0f req/s p50 %.2f ms p99 %.2f ms errors %d+%d" % (r["rps"], r["p50_ms"], r["p99_ms"], r["non2xx"], r["socket_errors"]))' "$line")"
  if python3 -c 'import json,sys; r=json.loads(sys.argv[1]); sys.exit(0 if r["non2xx"]+r["socket_errors"]==0 and r["requests"]>0 else 1)' "$line"; then :; else
    fail "$name: errors during the run (see ${files[*]})"
  fi
}

# stream_csv NAME PATH: a streamed download (see bench_helper.py stream).
stream_csv() {
  local name=$1 path=$2
  if [ -n "$ONLY" ] && ! [[ "$name" =~ $ONLY ]]; then return 0; fi
  local out
  if ! out=$($HELPER stream --url "$BASE$path" --pid "${SERVERS[0]}" --parallel 8); then
    fail "$name: the downloads of $path failed"; return 0
  fi
  python3 - "$name" "$path" "$out" >> "$RESULTS" <<'EOF'
import json, sys
name, path, out = sys.argv[1:]
r = json.loads(out)
r.update(name=name, group="stream", path=path)
print(json.dumps(r, ensure_ascii=False))
EOF
  log "$name: $out"
}

enc() { python3 -c 'import sys,urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
DESK=(-H "Cookie: $DESK_COOKIE")
DEPT=(-H "Cookie: $DEPT_COOKIE")
ADMIN=(-H "Cookie: $ADMIN_COOKIE")
API=(-H "Authorization: Bearer $TOKEN")
T=$TENANT
INBOX="/t/$T/desk/proposals"

# --- public pages, and the static CSS route as the reference
bench static-css          static  /static/css/renkei.css
bench public-top          public  /
bench public-prefecture   public  "/t/$PREF"
bench public-desk-page    public  "/t/$T"
bench public-intake-form  public  "/t/$T/propose"
# --- the public side: national search (a two-character word and a phrase, with and without
# facets), the case library, a case, the register, statistics, open calls, the open-data CSV
bench public-search-2char  search "/cases?q=$(enc 防災)"
# phrases the national data set holds: 1,046 cases, and 34,976 (the common case)
bench public-search-phrase search "/cases?q=$(enc 放課後の学習支援)"
bench public-search-phrase-common search "/cases?q=$(enc 防災訓練)"
bench public-search-facets search "/cases?q=$(enc 防災)&prefecture=${T:0:2}&form=business"
bench public-search-all    public "/cases"
bench public-tenant-cases  public "/t/$T/cases"
if [ -n "${CASE:-}" ]; then
  bench public-case-page   public "/t/$T/cases/$CASE"
fi
bench public-register      public "/t/$T/agreements"
bench public-stats         public "/t/$T/stats"
bench public-stats-national public "/stats"
bench public-calls         public "/calls"
bench api-cases            search "/api/v1/cases?q=$(enc 防災)"
# The open-data CSV streams: 8 downloads at once read to the end while the server's memory
# is sampled, for the tenant's file and for the national one (many times larger).
stream_csv public-opendata-csv          "/t/$T/opendata/partnerships.csv"
stream_csv public-opendata-csv-national "/opendata/partnerships.csv"
# --- the desk (signed in through the form)
bench desk-home           desk    "/t/$T/desk" "${DESK[@]}"
for f in "status=open" "status=all" "status=overdue" "status=received" "status=hearing" \
         "status=coordinating" "kind=proposal" "field=disaster" "partner_type=company" \
         "route=free" "age=30" "assignee=0"; do
  bench "inbox-$f-p1"  desk "$INBOX?$f" "${DESK[@]}"
  bench "inbox-$f-p50" desk "$INBOX?$f&page=49" "${DESK[@]}"
done
for s in newest oldest due updated; do
  bench "inbox-sort=$s-p1"  desk "$INBOX?status=all&sort=$s" "${DESK[@]}"
  bench "inbox-sort=$s-p50" desk "$INBOX?status=all&sort=$s&page=49" "${DESK[@]}"
done
bench "search-防災"        desk "$INBOX?status=all&q=$(enc 防災)" "${DESK[@]}"
bench "search-子育て支援"  desk "$INBOX?status=all&q=$(enc 子育て支援)" "${DESK[@]}"
bench desk-proposal       desk    "$INBOX/$RECEIPT" "${DESK[@]}"
bench audit-p1            desk    "/t/$T/admin/audit" "${ADMIN[@]}"
if [ -n "${AUDIT_OLDER:-}" ]; then
  bench audit-older       desk    "$AUDIT_OLDER" "${ADMIN[@]}"
else
  log "audit page has no ?before= link (fewer than one page of entries): audit-older skipped"
fi
bench department-list     desk    "/t/$T/department" "${DEPT[@]}"
# --- partnerships: the desk's dashboard, the list (filters, a deep page), one partnership
bench desk-dashboard      desk    "/t/$T/desk/dashboard" "${DESK[@]}"
bench partnerships-p1     desk    "/t/$T/partnerships" "${DESK[@]}"
bench partnerships-p20    desk    "/t/$T/partnerships?page=19" "${DESK[@]}"
bench partnerships-dormant desk   "/t/$T/partnerships?dormant=1" "${DESK[@]}"
bench partnerships-ending desk    "/t/$T/partnerships?ending=1" "${DESK[@]}"
bench partnerships-field  desk    "/t/$T/partnerships?field=disaster&status=active" "${DESK[@]}"
if [ -n "${PARTNERSHIP:-}" ]; then
  bench partnership-page  desk    "/t/$T/partnerships/$PARTNERSHIP" "${DESK[@]}"
else
  log "no signed partnership in the list: partnership-page skipped"
fi
# --- the API (Bearer token)
bench api-inbox-all       api     "/api/v1/tenants/$T/proposals" "${API[@]}"
bench api-proposal        api     "/api/v1/tenants/$T/proposals/$RECEIPT" "${API[@]}"
bench api-partnerships    api     "/api/v1/tenants/$T/partnerships" "${API[@]}"
# --- durable intake (last: it adds thousands of proposals)
INTAKE_DONE=0
if [ -z "$ONLY" ] || [[ intake =~ $ONLY ]]; then
  COUNT_BEFORE=$($HELPER proposals-count --db "$SQL_DB" --tenant "$T")
  bench intake intake "/api/v1/tenants/$T/proposals" -s "$LUA/intake.lua"
  INTAKE_DONE=1
fi

# ---------------------------------------------------------------------------------------
# Checks
CHECKS="$RUN/checks.md"
: > "$CHECKS"
check() { # check NAME PASS|FAIL DETAIL
  echo "- $2: $1 — $3" >> "$CHECKS"
  log "$2: $1 — $3"
  [ "$2" = PASS ] || RC=3
}
if [ $INTAKE_DONE = 1 ] && [ $SKIP_CHECKS = 0 ]; then
  cat "$RUN"/receipts-intake-*.txt > "$RUN/receipts-intake.txt"
  acked=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readlines()[-1]); print(r.get("statuses",{}).get("201",0))' "$RESULTS")
  lines=$(wc -l < "$RUN/receipts-intake.txt")
  COUNT_AFTER=$($HELPER proposals-count --db "$SQL_DB" --tenant "$T")
  if out=$($HELPER receipts --db "$SQL_DB" --tenant "$T" --file "$RUN/receipts-intake.txt") && [ "$acked" = "$lines" ]; then
    check "every acknowledged receipt is stored" PASS "$acked answered 201, $lines receipt numbers read, all in the database ($out); proposals $COUNT_BEFORE → $COUNT_AFTER"
  else
    check "every acknowledged receipt is stored" FAIL "$acked answered 201, $lines receipt numbers read; $out; proposals $COUNT_BEFORE → $COUNT_AFTER"
  fi
fi

PEAK_RSS=()
for p in "${SERVERS[@]}"; do
  PEAK_RSS+=("$(awk '/VmHWM/ {printf "%.1f", $2/1024}' /proc/$p/status 2>/dev/null)")
done

if [ "$DB" = pg2 ] && [ $SKIP_CHECKS = 0 ]; then
  log "pg2 checks: a fresh database, two servers with RENKEI_INTAKE_RATE_LIMIT=5 and an SMTP sink"
  for p in "${SERVERS[@]}"; do stop_server "$p"; done
  SERVERS=(); BASES=()
  MAIN_URL=$DATABASE_URL
  DATABASE_URL="${MAIN_URL%/*}/renkei_bench_pg2checks"
  DB_ARGS=(--database-url "$DATABASE_URL")
  fresh_pg "$DATABASE_URL" || { log "cannot create $DATABASE_URL"; exit 2; }
  # The checks' database is a fresh demo: its tenant and accounts, whatever data set the
  # endpoints above were measured on.
  T=272027; DESK_EMAIL=desk@kishiwada.demo.renkei.jp; PASSWORD=renkei-demo-2026
  SMTP_PORT=$($HELPER freeport)
  : > "$RUN/sink.jsonl"
  $HELPER smtp-sink --port "$SMTP_PORT" --out "$RUN/sink.jsonl" > "$RUN/sink.log" 2>&1 &
  PIDS+=($!)
  CHECK_ENV=(RENKEI_INTAKE_RATE_LIMIT=5 "RENKEI_SMTP_URL=smtp://127.0.0.1:$SMTP_PORT" RENKEI_MAIL_POLL_SECS=1)
  pa=$($HELPER freeport); start_server checkA "$pa" "${CHECK_ENV[@]}" -- --demo; A_PID=$STARTED_PID
  pb=$($HELPER freeport); start_server checkB "$pb" "${CHECK_ENV[@]}"; B_PID=$STARTED_PID
  SERVERS=("$A_PID" "$B_PID"); A="http://127.0.0.1:$pa"; B="http://127.0.0.1:$pb"
  # Load on both servers while the checks run.
  C_COOKIE=$($HELPER login --base "$A" --email "$DESK_EMAIL" --password "$PASSWORD") || C_COOKIE=""
  LOAD_PIDS=()
  for u in "$A" "$B"; do
    wrk -t1 -c16 -d30s -H "Cookie: $C_COOKIE" "$u/t/$T/desk/proposals?status=all" > "$RUN/wrk-checkload-${u##*:}.txt" 2>&1 &
    PIDS+=($!); LOAD_PIDS+=($!)
  done
  # (a) a session created through A works on B
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: $C_COOKIE" "$B/t/$T/desk")
  if [ -n "$C_COOKIE" ] && [ "$code" = 200 ]; then
    check "(a) session from server A works on server B" PASS "signed in on A, GET /t/$T/desk on B answered $code"
  else
    check "(a) session from server A works on server B" FAIL "GET /t/$T/desk on B answered $code"
  fi
  # (b) the intake rate limit holds across both servers
  out=$($HELPER fire --urls "$A,$B" --n 20 --tenant "$T" --source 127.0.0.77 --email-prefix bench-rate-)
  ok201=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["counts"].get("201",0))' "$out")
  counts=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["counts"])' "$out")
  if [ "$ok201" = 5 ]; then
    check "(b) intake rate limit 5/hour across A and B" PASS "20 concurrent submissions from 127.0.0.77 split over A and B: $counts"
  else
    check "(b) intake rate limit 5/hour across A and B" FAIL "20 concurrent submissions from 127.0.0.77: $counts (want exactly 5 × 201)"
  fi
  # (c) outbox: each receipt mail delivered exactly once
  out=$($HELPER fire --urls "$A,$B" --n "$CHECK_N" --tenant "$T" --sources-from 127.0.1.0 --email-prefix bench-outbox-)
  okc=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["counts"].get("201",0))' "$out")
  pending=-1
  for _ in $(seq 240); do
    pending=$($HELPER outbox-pending --db "$DATABASE_URL")
    [ "$pending" = 0 ] && break
    sleep 0.5
  done
  sleep 2   # a double send would come after the row was marked: give it time to show
  if res=$($HELPER sink-count --file "$RUN/sink.jsonl" --prefix bench-outbox- --n "$CHECK_N") && [ "$okc" = "$CHECK_N" ] && [ "$pending" = 0 ]; then
    check "(c) outbox delivers each receipt mail exactly once" PASS "$okc/$CHECK_N submissions accepted over A and B, outbox drained; $res"
  else
    check "(c) outbox delivers each receipt mail exactly once" FAIL "$okc/$CHECK_N accepted, outbox pending $pending; $res"
  fi
  wait "${LOAD_PIDS[@]}" 2>/dev/null
fi

# ---------------------------------------------------------------------------------------
# Report
$HELPER verdict --in "$RESULTS" --db "$DB"
REPORT="$OUT/results-$DB${ONLY:+-subset}.md"
{
  echo "## Renkei benchmark: $DB, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "- binary: \`$BIN\` ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"
  echo "- data: ${PREPARE:+fresh \`serve --demo\`, }tenant $TENANT; ${DATA_DIR:+data dir $DATA_DIR}${DATABASE_URL:+database ${MAIN_URL:-$DATABASE_URL}}"
  echo "- wrk: $DURATION per endpoint, $CONNECTIONS connections, $THREADS threads$([ "$DB" = pg2 ] && echo ", split evenly over the two servers (p50: request-weighted; p99: the worse server)")"
  echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); load generator on the same machine"
  echo "- load average (1/5/15 min) at start: $LOAD_START, at end: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine skews the numbers)"
  echo "- cold start (launch → passing /healthz): ${COLD[*]} ms (target ≤ 1000)"
  echo "- peak RSS (VmHWM) over the run: ${PEAK_RSS[*]} MB (target ≤ 150)"
  echo "- CPU ms/req: utime+stime of the app server(s) over the endpoint's run ÷ requests (PostgreSQL's own CPU not included)"
  echo
  $HELPER table --in "$RESULTS" --title "Endpoints ($DB)"
  if [ -s "$CHECKS" ]; then echo; echo "### Checks"; echo; cat "$CHECKS"; fi
  echo
  echo "Raw wrk output and server logs: \`${RUN#$ROOT/}\`"
} > "$RUN/results.md"
cp "$RUN/results.md" "$REPORT"
cat "$REPORT"
for r in "${COLD[@]}"; do [ "$r" -le 1000 ] 2>/dev/null || log "note: cold start $r ms is over the 1 s target"; done
log "written: $REPORT (exit $RC)"
exit $RC
