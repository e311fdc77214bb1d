#!/bin/sh
# The reference of haven_search_bench's name-only queries: PostgreSQL 15 pg_trgm with a GIN index
# on the same plain-text names, in a throwaway cluster on a free loopback port, stopped after.
#   bench/pg_trgm_compare.sh BUILD_DIR DEMO_DIR TRUTH_CSV KEY_FILE
# Runs haven_search_bench --export-plain (synthetic names only: never point it at real data),
# loads persons.tsv (one row per name and alias) into PostgreSQL, and runs every query as
#   SELECT id ... WHERE org = $org AND id <> $self AND name % $query
#   GROUP BY id ORDER BY max(similarity(name, $query)) DESC LIMIT 10
# inside one PL/pgSQL loop, timing each with clock_timestamp() on the server (no client round
# trip: the comparison favours PostgreSQL). Prints recall@10 and p50/p99 of both, and the ratio.
set -eu
build=${1:?build dir}; demo=${2:?demo data dir}; truth=${3:?truth csv}; key=${4:?key file}
pgbin=/usr/lib/postgresql/15/bin
work=$(mktemp -d /tmp/haven-pgtrgm.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup() { as_pg "$pgbin/pg_ctl" -D "$work/db" -m fast stop >/dev/null 2>&1 || true; rm -rf "$work"; }
trap cleanup EXIT

"$build/bench/haven_search_bench" --febrl "" --demo "$demo" --truth "$truth" --key-file "$key" \
  --scan-queries 0 --export-plain "$work/plain" | tee "$work/haven.txt"
[ "$(id -u)" = 0 ] && chown -R postgres "$work"
as_pg "$pgbin/initdb" -D "$work/db" -E UTF8 --locale=C.UTF-8 -A trust >/dev/null
as_pg "$pgbin/pg_ctl" -D "$work/db" -o "-p $port -k $work -c listen_addresses=127.0.0.1 -c shared_buffers=512MB -c work_mem=64MB" \
  -l "$work/pg.log" -w start >/dev/null
psql() { as_pg /usr/lib/postgresql/15/bin/psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
start=$(date +%s.%N)
psql <<SQL
CREATE EXTENSION pg_trgm;
CREATE TABLE names (id bigint, org bigint, name text);
CREATE TABLE queries (qid bigint, org bigint, name text, expected bigint);
\copy names FROM '$work/plain/persons.tsv'
\copy queries FROM '$work/plain/queries.tsv'
CREATE INDEX names_trgm ON names USING gin (name gin_trgm_ops);
CREATE INDEX names_org ON names (org);
ANALYZE names;
SQL
build_s=$(echo "$(date +%s.%N) - $start" | bc)
psql <<'SQL'
CREATE TABLE results (qid bigint, found boolean, ms double precision);
DO $$
DECLARE q record; t0 timestamptz; hit boolean;
BEGIN
  FOR q IN SELECT * FROM queries LOOP
    t0 := clock_timestamp();
    SELECT coalesce(bool_or(id = q.expected), false) INTO hit FROM (
      SELECT id FROM names WHERE org = q.org AND id <> q.qid AND name % q.name
      GROUP BY id ORDER BY max(similarity(name, q.name)) DESC, id LIMIT 10) top;
    INSERT INTO results VALUES (q.qid, hit, extract(epoch FROM clock_timestamp() - t0) * 1000);
  END LOOP;
END $$;
SQL
psql -F ' ' -c "SELECT count(*), round(avg(found::int)::numeric, 4),
  round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 3),
  round(percentile_cont(0.99) WITHIN GROUP (ORDER BY ms)::numeric, 3) FROM results" > "$work/pg.txt"
read -r n recall p50 p99 < "$work/pg.txt"
echo "PostgreSQL 15 pg_trgm (GIN, similarity threshold 0.3), same names: load+index ${build_s}s"
echo "  pg_trgm name query     queries $n  recall@10 $recall  p50 $p50 ms  p99 $p99 ms"
line=$(grep 'name only (blocked)' "$work/haven.txt")
h50=$(echo "$line" | sed 's/.*  p50 \([0-9.]*\) ms.*/\1/'); h99=$(echo "$line" | sed 's/.* p99 \([0-9.]*\) ms  (CPU.*/\1/')
echo "  Haven name-only faster than pg_trgm: p50 $(echo "scale=1; $p50 / $h50" | bc)x, p99 $(echo "scale=1; $p99 / $h99" | bc)x"
