#!/usr/bin/env bash
# End to end through the haven command: every sub-command's --help, init, demo, export, import
# (round trip and a refused file), backup, and serve answering HTTP until SIGTERM.
set -uo pipefail
haven=$1
work=$(mktemp -d)
server_pid=""
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
passed=0 failed=0
check() {  # check NAME COMMAND...: the command must succeed
  local name=$1; shift
  if "$@" >"$work/out" 2>"$work/err"; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name"; tail -5 "$work/err"; fi
}
check_exit() {  # check_exit NAME CODE COMMAND...: the command must exit with CODE
  local name=$1 code=$2; shift 2
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  if [ "$got" -eq "$code" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: $name (exit $got, expected $code)"; head -20 "$work/err"; fi
}
rows() { tail -n +2 "$1" | grep -c . ; }

for command in "" init serve demo import export backup restore migrate report dedupe version; do
  check "--help $command" "$haven" $command --help
done
check "version" "$haven" version
grep -q "^haven 0.1.0" "$work/out" || { failed=$((failed + 1)); echo "FAIL: version output"; }
check_exit "no sub-command" 2 "$haven"

export HAVEN_ADMIN_PASSWORD="a long admin password"
export HAVEN_PASSPHRASE="a long test passphrase"
check "init" "$haven" init --data "$work/office" --org-name "Field Office Cebu" --country PH --region "Central Visayas"
check_exit "init twice is refused" 1 "$haven" init --data "$work/office" --org-name X --country PH
check_exit "init with a bad country leaves nothing" 3 "$haven" init --data "$work/bad" --org-name X --country Philippines
[ ! -e "$work/bad/haven.db" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: bad init left data"; }
HAVEN_ADMIN_PASSWORD=short check_exit "short password" 3 "$haven" init --data "$work/short" --org-name X --country PH
check_exit "serve without data" 1 "$haven" serve --data "$work/none"

check "demo" "$haven" demo --data "$work/demo" --persons 300 --seed 7 --duplicates-truth "$work/truth.csv"
[ "$(rows "$work/truth.csv")" -gt 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no duplicate truth"; }
check "export every kind" "$haven" export --data "$work/demo" --org 1 --dir "$work/export1"
check "import every kind" "$haven" import --data "$work/office" --org 1 --dir "$work/export1"
check "export again" "$haven" export --data "$work/office" --org 1 --dir "$work/export2"

# Reports on the demo data: text, JSON, CSV with suppressed cells, XLSX, charts; bad requests refused.
check "report funnel" "$haven" report funnel --data "$work/demo" --as-of 2026-11-26
grep -q "Justice pipeline" "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: report text"; head "$work/out"; }
check "report time to justice as JSON" "$haven" report time-to-justice --data "$work/demo" --format json --by region
grep -q '"report": "time-to-justice"' "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: report json"; }
check "report outcomes as CSV" "$haven" report outcomes --data "$work/demo" --org 1 --period quarter --format csv --table scores
head -1 "$work/out" | grep -q "^period,assessments" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: report csv"; head -3 "$work/out"; }
check "report as XLSX with a PNG chart" "$haven" report strengthening --data "$work/demo" --format xlsx --out "$work/r.xlsx" --chart "$work/r.png"
[ "$(head -c 2 "$work/r.xlsx")" = "PK" ] && [ "$(head -c 4 "$work/r.png" | tail -c 3)" = "PNG" ] && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: xlsx or png"; }
check "report chart as SVG" "$haven" report funnel --data "$work/demo" --chart "$work/f.svg"
grep -q "<svg" "$work/f.svg" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: svg chart"; }
check_exit "an unknown report is refused" 3 "$haven" report prevalence --data "$work/demo"
grep -q "funnel, time-to-justice" "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: unknown report message"; }
check_exit "a bad period is refused" 3 "$haven" report funnel --data "$work/demo" --period week
check_exit "xlsx needs --out" 2 "$haven" report funnel --data "$work/demo" --format xlsx

check "estimate from Haven's own victims" "$haven" estimate --data "$work/demo" --json --no-sensitivity
grep -q '"observed":' "$work/out" && grep -q '"lists":\["' "$work/out" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: estimate --data"; head -c 300 "$work/out"; }
check_exit "estimate takes a file or --data, not both" 2 "$haven" estimate "$work/none.csv" --data "$work/demo"

# The duplicate scan fills the review queue once; a second scan adds nothing.
check "dedupe scan" "$haven" dedupe scan --data "$work/demo"
grep -q "persons compared" "$work/out" && ! grep -q "likely duplicate pairs, 0 of them new" "$work/out" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: dedupe scan found nothing"; cat "$work/out"; }
check "dedupe scan again" "$haven" dedupe scan --data "$work/demo"
grep -q ", 0 of them new" "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: second scan"; cat "$work/out"; }
check "dedupe reindex" "$haven" dedupe reindex --data "$work/demo" --org 1
check_exit "a threshold above 1 is a command-line error" 2 "$haven" dedupe scan --data "$work/demo" --threshold 3
for file in "$work"/export1/*.csv; do
  kind=$(basename "$file")
  case "$kind" in users.csv|organisations.csv) continue ;; esac  # matched to what the target already has
  if [ "$(rows "$file")" -eq "$(rows "$work/export2/$kind")" ]; then passed=$((passed + 1)); else
    failed=$((failed + 1)); echo "FAIL: round trip of $kind: $(rows "$file") rows became $(rows "$work/export2/$kind")"; fi
done
# Field data survives the round trip: persons' names and birth dates, column for column.
cut -d, -f6- "$work/export1/persons.csv" > "$work/a"; cut -d, -f6- "$work/export2/persons.csv" > "$work/b"
cmp -s "$work/a" "$work/b" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: person fields changed in the round trip"; }

before=$(rows "$work/export2/cases.csv")
printf 'title,exploitation_form,country,opened_on\nGood,osec,PH,2026-01-01\nBad,osec,PH,2026-02-30\n' > "$work/bad.csv"
check_exit "a bad row refuses the file" 3 "$haven" import --data "$work/office" --org 1 --kind cases "$work/bad.csv"
grep -q "line 3" "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: error does not name line 3"; cat "$work/err"; }
"$haven" export --data "$work/office" --org 1 --kind cases --out "$work/cases.csv" 2>/dev/null
[ "$(rows "$work/cases.csv")" -eq "$before" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a refused file wrote rows"; }
printf 'title,colour\nx,red\n' > "$work/header.csv"
check_exit "a wrong header is refused" 3 "$haven" import --data "$work/office" --org 1 --kind cases "$work/header.csv"
printf 'title,exploitation_form,country,opened_on\n"unterminated,osec,PH,2026-01-01\n' > "$work/truncated.csv"
check_exit "a truncated file is refused" 3 "$haven" import --data "$work/office" --org 1 --kind cases "$work/truncated.csv"

check "backup" "$haven" backup --data "$work/demo" --to "$work/backup.db"
check_exit "backup never overwrites" 3 "$haven" backup --data "$work/demo" --to "$work/backup.db"
[ "$(sqlite3 "$work/backup.db" 'select count(*) from person')" -eq 300 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: backup content"; }
# A restore makes a new data directory from the backup and its keys, and never overwrites one.
check "restore" "$haven" restore --data "$work/restored" --from "$work/backup.db"
check "the restored copy verifies" "$haven" audit verify --data "$work/restored"
[ "$(sqlite3 "$work/restored/haven.db" 'select count(*) from person')" -eq 300 ] && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: restored content"; }
check_exit "restore never overwrites" 3 "$haven" restore --data "$work/restored" --from "$work/backup.db"
check_exit "restore needs the keys beside the backup" 3 "$haven" restore --data "$work/restored2" --from "$work/out"

# Keys: a new passphrase, then a key file, with data keys rotated; the data stays readable and the
# audit chain stays valid throughout; the old passphrase no longer opens it.
"$haven" export --data "$work/demo" --org 1 --kind persons --out "$work/before.csv" 2>/dev/null
HAVEN_NEW_PASSPHRASE="the second passphrase" check "rekey to a new passphrase with rotated data keys" \
  "$haven" rekey --data "$work/demo" --new-passphrase --rotate-data-keys
check_exit "the old passphrase is refused" 1 "$haven" export --data "$work/demo" --org 1 --kind persons --out "$work/x.csv"
check "keygen" "$haven" keygen --to "$work/master.key"
HAVEN_PASSPHRASE="the second passphrase" check "rekey to a key file" "$haven" rekey --data "$work/demo" --new-key-file "$work/master.key"
printf 'not a key' > "$work/broken.key"
check_exit "a corrupted key file is refused" 3 "$haven" export --data "$work/demo" --key-file "$work/broken.key" --org 1 --kind persons --out "$work/x.csv"
grep -q "must hold 32 bytes" "$work/err" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: no clear message for a corrupted key file"; }
check "export with the key file" "$haven" export --data "$work/demo" --key-file "$work/master.key" --org 1 --kind persons --out "$work/after.csv"
cmp -s "$work/before.csv" "$work/after.csv" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: data changed by rekey"; }
check "audit verify after rekeys" "$haven" audit verify --data "$work/demo" --key-file "$work/master.key"
check "audit show" "$haven" audit show --data "$work/demo" --key-file "$work/master.key" --action key_rotation
grep -q key_rotation "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: key rotation not audited"; }
# Tampering with the log through SQL is refused; behind SQLite's back it is found.
sqlite3 "$work/demo/haven.db" "UPDATE audit_log SET actor = 'nobody' WHERE seq = 2" 2>/dev/null \
  && { failed=$((failed + 1)); echo "FAIL: the audit log accepted an UPDATE"; } || passed=$((passed + 1))
sqlite3 "$work/demo/haven.db" "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'nobody' WHERE seq = 2"
check_exit "audit verify finds the edit" 4 "$haven" audit verify --data "$work/demo" --key-file "$work/master.key"

# start_server ARGS...: serve the office on a free port the kernel picks (a fixed one may be taken
# by another test's connection); sets server_pid and port once the server says where it listens.
start_server() {
  "$haven" serve --data "$work/office" --listen 127.0.0.1:0 "$@" 2>"$work/serve.log" &
  server_pid=$!
  port=""
  # Generous waits: under a loaded CI machine (ctest -j2 beside PostgreSQL) a start can take seconds.
  for _ in $(seq 600); do
    port=$(sed -n 's/.*event=serving address=https*:\/\/127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/serve.log")
    if [ -n "$port" ]; then  # bound; wait until it answers
      scheme=$(sed -n 's/.*event=serving address=\(https*\):.*/\1/p' "$work/serve.log")
      for _ in $(seq 600); do curl -skf "$scheme://127.0.0.1:$port/healthz" >/dev/null && return 0; sleep 0.1; done
      return 0
    fi
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "serve did not start:"; cat "$work/serve.log"
  port=1
}

start_server
check "healthz" curl -sf "http://127.0.0.1:$port/healthz"
token=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$HAVEN_ADMIN_PASSWORD\"}" \
  "http://127.0.0.1:$port/api/v1/sessions" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
check "login and list cases" curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/cases?limit=2"
check "metrics" curl -sf "http://127.0.0.1:$port/metrics"
grep -q 'haven_http_requests_total{route="cases",status="200"} 1' "$work/out" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: metrics content"; head -20 "$work/out"; }
kill -TERM "$server_pid"; wait "$server_pid"; code=$?; server_pid=""
[ "$code" -eq 0 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: serve exit $code on SIGTERM"; }

# Data keys rotated by another process while the server runs and takes writes: nothing is lost,
# and the server reads what was re-sealed under keys it had not seen.
start_server
token=$(curl -sf -X POST -H 'Content-Type: application/json' -d "{\"username\":\"admin\",\"password\":\"$HAVEN_ADMIN_PASSWORD\"}" \
  "http://127.0.0.1:$port/api/v1/sessions" | sed -n 's/.*"token":"\([0-9a-f]*\)".*/\1/p')
( for i in $(seq 40); do
    answer=$(curl -sf -X POST -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"given_name\":\"Live$i\",\"family_name\":\"Rotation\"}" "http://127.0.0.1:$port/api/v1/persons")
    echo "$answer" | sed -n 's/.*"id":\([0-9]*\).*/\1/p' >> "$work/live_ids"
  done ) &
writer=$!
check "rotate data keys under a running server" "$haven" rekey --data "$work/office" --rotate-data-keys
wait "$writer"
live_ok=0
while read -r id; do
  curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/persons/$id" | grep -q '"family_name":"Rotation"' && live_ok=$((live_ok + 1))
done < "$work/live_ids"
[ "$live_ok" -eq 40 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: $live_ok of 40 persons written during rotation read back"; }
first=$(curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/persons?limit=1" | sed -n 's/.*"id":\([0-9]*\).*/\1/p')
check "an old record re-sealed by the rotation reads back" curl -sf -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/persons/$first"
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""
check "audit verify after a live rotation" "$haven" audit verify --data "$work/office"

# HTTPS with a certificate made for the test; a key that does not fit is refused at start.
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" -days 1 -subj /CN=localhost 2>/dev/null
check_exit "serve refuses a missing key" 3 "$haven" serve --data "$work/office" --listen 127.0.0.1:0 --tls-cert "$work/cert.pem"
start_server --tls-cert "$work/cert.pem" --tls-key "$work/key.pem"
check "healthz over https" curl -skf "https://127.0.0.1:$port/healthz"
curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && { failed=$((failed + 1)); echo "FAIL: plain http answered on the TLS port"; } || passed=$((passed + 1))
kill -TERM "$server_pid"; wait "$server_pid"; server_pid=""

# PostgreSQL (when scripts/with-postgres runs the tests): the office migrated into a new database,
# checksummed and verified; refused into a database with data; a backup restored into another.
if [ -n "${HAVEN_TEST_POSTGRES:-}" ] && command -v psql >/dev/null; then
  pg_a="haven_cli_$$_a" pg_b="haven_cli_$$_b"
  psql "$HAVEN_TEST_POSTGRES" -X -q -c "CREATE DATABASE $pg_a" -c "CREATE DATABASE $pg_b" >/dev/null
  check "migrate to PostgreSQL" "$haven" migrate --from "$work/office" --to "$work/national" --database "$HAVEN_TEST_POSTGRES dbname=$pg_a"
  grep -q '^person  *[1-9][0-9]*  *[0-9a-f]\{64\}$' "$work/out" && grep -q '^audit_log ' "$work/out" && passed=$((passed + 1)) \
    || { failed=$((failed + 1)); echo "FAIL: migrate checksums"; head -40 "$work/out"; }
  check "the migrated copy verifies" "$haven" audit verify --data "$work/national"
  # And back: a field copy of some cases into a new SQLite directory, all or nothing, verified.
  check "field copy of organisation 1's cases" "$haven" migrate --from "$work/national" --to "$work/field" --org 1
  grep -q '^case  *[1-9][0-9]*  *[0-9a-f]\{64\}$' "$work/out" && grep -q '^person  *[1-9]' "$work/out" && ! grep -q DIFFERS "$work/out" \
    && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: field copy checksums"; head -40 "$work/out"; }
  check "the field copy verifies its own audit chain" "$haven" audit verify --data "$work/field"
  check "the national log records the field copy" "$haven" audit show --data "$work/national" --action export --json
  grep -q '"scope":"cases"' "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: export not audited"; cat "$work/out"; }
  check_exit "a field copy of a case that does not exist is refused" 3 "$haven" migrate --from "$work/national" \
    --to "$work/field2" --cases 1,999999
  [ ! -e "$work/field2" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a refused field copy left a directory"; }
  check_exit "a field copy into a directory with data is refused" 3 "$haven" migrate --from "$work/national" --to "$work/field" --cases 1
  check_exit "a field copy needs a selection" 2 "$haven" migrate --from "$work/national" --to "$work/field3"
  check_exit "migrate into a database with data is refused" 3 "$haven" migrate --from "$work/office" --to "$work/national2" \
    --database "$HAVEN_TEST_POSTGRES dbname=$pg_a"
  [ ! -e "$work/national2" ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: a refused migrate left a directory"; }
  check "backup from PostgreSQL" "$haven" backup --data "$work/national" --to "$work/national.pgdump"
  check "restore into an empty database" "$haven" restore --data "$work/restored-pg" --from "$work/national.pgdump" \
    --database "$HAVEN_TEST_POSTGRES dbname=$pg_b"
  check_exit "restore into a database with data is refused" 3 "$haven" restore --data "$work/restored-pg2" \
    --from "$work/national.pgdump" --database "$HAVEN_TEST_POSTGRES dbname=$pg_b"
  # --database takes precedence over DIR/database.
  echo "host=nowhere.invalid dbname=none" > "$work/national/database"
  check "--database overrides DIR/database" "$haven" audit verify --data "$work/national" --database "$HAVEN_TEST_POSTGRES dbname=$pg_a"
  psql "$HAVEN_TEST_POSTGRES" -X -q -c "DROP DATABASE $pg_a WITH (FORCE)" -c "DROP DATABASE $pg_b WITH (FORCE)" >/dev/null
fi

# Multiple systems estimation needs no data directory: a capture-history table in, an estimate out.
check "--help estimate" "$haven" estimate --help
printf 'b,c,d,count\r\n0,0,1,41\r\n0,1,0,5\r\n1,0,0,5\r\n1,1,0,54\r\n1,0,1,6\r\n1,1,1,12\r\n' > "$work/korea.csv"
check "estimate a table" "$haven" estimate "$work/korea.csv" --chart "$work/korea.svg"
grep -q "Estimated total" "$work/out" && grep -q "Closed population" "$work/out" && grep -q "<svg" "$work/korea.svg" \
  && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: estimate report or chart"; }
check "estimate --json" "$haven" estimate "$work/korea.csv" --json --bootstrap 200 --seed 7
json_ok=1
[ "$(wc -l < "$work/out")" -eq 1 ] || json_ok=0
for field in '"observed":123' '"hidden":' '"total":' '"ci_low":' '"ci_high":' '"model":\["b:c"\]' '"method":"stepwise' '"bootstrap":{'; do
  grep -q "$field" "$work/out" || { json_ok=0; echo "missing $field"; }
done
[ "$json_ok" -eq 1 ] && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: estimate --json fields"; cat "$work/out"; }
cp "$work/out" "$work/first.json"
"$haven" estimate "$work/korea.csv" --json --bootstrap 200 --seed 7 > "$work/second.json" 2>/dev/null
cmp -s "$work/first.json" "$work/second.json" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: the same seed gave another bootstrap"; }
printf 'b,c,d,count\n0,0,1,41\n0,1,0,5\n0,1,0,7\n' > "$work/duplicated.csv"
check_exit "a duplicated capture pattern is refused" 3 "$haven" estimate "$work/duplicated.csv"
grep -q "line 4" "$work/err" && grep -q "given twice" "$work/err" && passed=$((passed + 1)) \
  || { failed=$((failed + 1)); echo "FAIL: refused table message"; cat "$work/err"; }
printf 'b,c,d\n0,0,1\n' > "$work/nocount.csv"
check_exit "a table without a count column is refused" 3 "$haven" estimate "$work/nocount.csv"
check_exit "estimate of a missing file fails" 1 "$haven" estimate "$work/missing.csv"
check_exit "an unknown selection is a command-line error" 2 "$haven" estimate "$work/korea.csv" --select best
mse_data="$(cd "$(dirname "$0")/../.." && pwd)/shared/data/mse"
if [ -f "$mse_data/UKdat_5.csv" ]; then  # the published UK figure (docs/estimation.md)
  check "estimate UKdat_5" "$haven" estimate "$mse_data/UKdat_5.csv" --json --no-sensitivity
  grep -q '"total":11312\.' "$work/out" && passed=$((passed + 1)) || { failed=$((failed + 1)); echo "FAIL: UKdat_5 total"; cat "$work/out"; }
fi

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
