#!/usr/bin/env bash
# Metrics benchmark: GET /api/v1/metrics over a seeded history of 100,000 deployments (bench/metrics/seed.sql), on
# PostgreSQL and on the embedded H2 in file mode, as the service runs them. See bench/README.md.
#
# For each store: the service starts on a fresh store (its migrations run), the history is seeded (H2: with the
# service stopped, as the file is the service's alone), the service starts again, and each query is asked WARMUP
# times (not reported), then RUNS times; the median and the slowest of the timed runs are written to RESULTS.
#
# Settings (environment): RUNS WARMUP STORES PORT MGMT_PORT PG_URL PG_USER JAR RESULTS
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-15}
WARMUP=${WARMUP:-5}
STORES=${STORES:-"postgresql h2"}
command -v python3 >/dev/null || { echo "python3 is required (free ports)" >&2; exit 1; }
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${PORT:-$(free_port)}           # the service's ports: free ones the kernel picks unless given
MGMT_PORT=${MGMT_PORT:-$(free_port)}
[[ $PORT != "$MGMT_PORT" ]] || MGMT_PORT=$(free_port)
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}
JAR=${JAR:-target/greenlight.jar}
RESULTS=${RESULTS:-bench/results/metrics-$(date +%F).md}
CONFIG=bench/metrics/greenlight-metrics.yaml
TOKEN=bench-token-$RANDOM$RANDOM
QUERIES=("days=30" "days=366" "app=shop&environment=production&days=366" "app=blog&days=90")

WORK=bench/work/metrics
H2_DIR=$WORK/h2
SCHEMA=""
SERVICE_PID=""

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

PG_HOST=$(sed -E 's#jdbc:postgresql://([^:/]+).*#\1#' <<<"$PG_URL")
PG_PORT=$(sed -E 's#jdbc:postgresql://[^:/]+:?([0-9]*)/.*#\1#' <<<"$PG_URL"); PG_PORT=${PG_PORT:-5432}
PG_DB=$(sed -E 's#.*/([^/?]+).*#\1#' <<<"$PG_URL")
psql_pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  kill -TERM "$SERVICE_PID" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  SERVICE_PID=""
}
cleanup() {
  stop_service
  if [[ -n "$SCHEMA" ]]; then psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || true; fi
  rm -rf "$H2_DIR"
}
trap cleanup EXIT

command -v java >/dev/null || die "java is required"
command -v curl >/dev/null || die "curl is required"
[[ -f $JAR ]] || { log "building $JAR"; mvn -B -q package -DskipTests; }
H2_URL="jdbc:h2:file:$PWD/$H2_DIR/greenlight;MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;WRITE_DELAY=0"
mkdir -p "$WORK"

start_service() { # store
  local -a env_vars=(GREENLIGHT_CONFIG="$CONFIG" GREENLIGHT_TOKEN_BENCH="$TOKEN")
  local -a props=(-Dcamel.server.port="$PORT" -Dcamel.management.port="$MGMT_PORT" -Dcamel.server.host=127.0.0.1
                  -Dcamel.management.host=127.0.0.1)
  if [[ $1 == postgresql ]]; then
    env_vars+=(GREENLIGHT_DB_URL="$PG_URL" GREENLIGHT_DB_USER="$PG_USER")
    props+=(-Dgreenlight.db.schema="$SCHEMA")
  else
    env_vars+=(GREENLIGHT_DB_URL="$H2_URL" GREENLIGHT_DB_USER=sa)
  fi
  env "${env_vars[@]}" java "${props[@]}" -jar "$JAR" >> "$WORK/service-$1.log" 2>&1 &
  SERVICE_PID=$!
  for _ in $(seq 1 120); do
    curl -fsS -o /dev/null -m 1 "http://127.0.0.1:$MGMT_PORT/observe/health" 2>/dev/null && return 0
    kill -0 "$SERVICE_PID" 2>/dev/null || die "the service stopped; see $WORK/service-$1.log"
    sleep 0.5
  done
  die "the service did not become healthy"
}

seed() { # store
  if [[ $1 == postgresql ]]; then
    sed 's/SERIES/generate_series(1, 100000) as g(n)/' bench/metrics/seed.sql \
      | psql_pg -c "set search_path to $SCHEMA" -f - >/dev/null
    psql_pg -c "set search_path to $SCHEMA; select setval(pg_get_serial_sequence('deployments', 'id'), 100000); analyze;" >/dev/null
  else
    { sed 's/SERIES/system_range(1, 100000) as g(n)/' bench/metrics/seed.sql
      echo "alter table deployments alter column id restart with 100001;"; } > "$WORK/seed-h2.sql"
    java -cp "$JAR" org.h2.tools.RunScript -url "$H2_URL" -user sa -script "$WORK/seed-h2.sql"
  fi
}

# the service folds the closed days a few seconds after it starts (routes/delivery-days.camel.yaml): the history was
# seeded while it was stopped, so the first fold after this start takes all of it
wait_for_fold() { # store
  for _ in $(seq 1 120); do
    grep -q "closed days folded" "$WORK/service-$1.log" && return 0
    sleep 0.5
  done
  die "the service did not fold the seeded days; see $WORK/service-$1.log"
}

# the median and the slowest of RUNS timed requests, in ms
measure() { # query
  local url="http://127.0.0.1:$PORT/api/v1/metrics?$1" i
  for i in $(seq 1 "$WARMUP"); do curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$url"; done
  for i in $(seq 1 "$RUNS"); do
    curl -fsS -o /dev/null -w '%{time_total}\n' -H "Authorization: Bearer $TOKEN" "$url"
  done | sort -n | awk '{ t[NR] = $1 * 1000 } END { printf "%.1f %.1f\n", t[int((NR + 1) / 2)], t[NR] }'
}

{
  echo "# GET /api/v1/metrics over 100,000 deployments ($(date +%F))"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), $(free -g | awk '/Mem:/ {print $2}') GiB;"
  echo "$(java -version 2>&1 | head -1); PostgreSQL $(psql_pg -c 'show server_version'); H2 in file mode (the embedded default's settings)."
  echo "History: bench/metrics/seed.sql (100,000 deployments over 365 days). $WARMUP warm-up requests, then $RUNS timed"
  echo "(curl's time_total, loopback, one at a time): median and slowest in ms. Target: under 200 ms."
  echo
  echo "| store | query | deployments counted | median ms | slowest ms |"
  echo "| --- | --- | --- | --- | --- |"
} > "$RESULTS.tmp"

for store in $STORES; do
  log "$store: fresh store"
  rm -rf "$H2_DIR"
  if [[ $store == postgresql ]]; then SCHEMA=gl_bench_metrics_$$; psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null; fi
  start_service "$store"
  stop_service
  log "$store: seeding"
  seed "$store"
  mv "$WORK/service-$store.log" "$WORK/service-$store-before-seeding.log"
  start_service "$store"
  wait_for_fold "$store"
  for q in "${QUERIES[@]}"; do
    counted=$(curl -fsS -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/metrics?$q" \
      | grep -o '"total":[0-9]*' | head -1 | cut -d: -f2)
    read -r median slowest < <(measure "$q")
    log "$store $q: $counted deployments, median $median ms, slowest $slowest ms"
    echo "| $store | \`$q\` | $counted | $median | $slowest |" >> "$RESULTS.tmp"
  done
  stop_service
  if [[ $store == postgresql ]]; then psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null; SCHEMA=""; fi
done
mv "$RESULTS.tmp" "$RESULTS"
log "results in $RESULTS"
