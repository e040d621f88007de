#!/usr/bin/env bash
# Webhook intake benchmark: signed GitHub deliveries posted concurrently to POST /webhooks/github, against
# PostgreSQL and against the embedded H2 default. See bench/README.md.
#
# Every run starts a fresh service on a fresh store and then:
#   smoke     12 deliveries at 10/s (a push, its redelivery, ignored events): the answers are printed
#   warm-up   wrk, closed loop, WARMUP_S seconds (not reported)
#   target    open loop at TARGET_RATE deliveries/s for TARGET_COUNT deliveries (bench/openloop.py): the latency
#             of every request from the moment it was due, so no coordinated omission; this is the check of the
#             target (>= 500/s with p99 < 50 ms)
#   capacity  wrk, closed loop, CONNECTIONS connections, CAPACITY_S seconds: the most the service answers
#   verify    service stopped, the store is read: one deployment per distinct push delivery sent, none twice
# then the schema (PostgreSQL) or database files (H2) are removed. bench/report.py writes RESULTS from all runs.
#
# Settings (environment): RUNS STORES WARMUP_S TARGET_RATE TARGET_COUNT CAPACITY_S CONNECTIONS WRK_THREADS
# PORT MGMT_PORT PG_URL PG_USER JAR LABEL RESULTS QUIET_CORES QUIET_WAIT_S
# PROFILE=1: JFR recordings of the target and capacity phases, summarised (bench/jfr-summary.py, bench/stalls.py)
# next to the run's other files under bench/work/out/. Profiling costs CPU: do not compare its figures with others.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-5}
STORES=${STORES:-"postgresql h2"}
WARMUP_S=${WARMUP_S:-15}
TARGET_RATE=${TARGET_RATE:-500}
TARGET_COUNT=${TARGET_COUNT:-10000}
CAPACITY_S=${CAPACITY_S:-20}
CONNECTIONS=${CONNECTIONS:-16}
WRK_THREADS=${WRK_THREADS:-1}
MAX_RATE=${MAX_RATE:-10000}          # sizes the wrk delivery lists: a run faster than this is reported as exhausted
PORT=${PORT:-18180}
MGMT_PORT=${MGMT_PORT:-18181}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}
JAR=${JAR:-target/greenlight.jar}
LABEL=${LABEL:-"the service as committed"}
RESULTS=${RESULTS:-bench/results/webhook-intake.md}
PROFILE=${PROFILE:-0}
QUIET_CORES=${QUIET_CORES:-0.6}     # before each run, wait until other processes use at most this many cores...
QUIET_WAIT_S=${QUIET_WAIT_S:-300}   # ...but no longer than this
CONFIG=bench/greenlight-bench.yaml
CLOSED_HOST_PORT=1                  # the environment's only host is 127.0.0.1:1 (greenlight-bench.yaml)

WORK=bench/work
OUT=${OUT_DIR:-$WORK/out}
LISTS=$WORK/lists
H2_DIR=$WORK/h2
SCHEMA=""
SERVICE_PID=""

log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }

psql_pg() { psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d "$PG_DB" -v ON_ERROR_STOP=1 -qAt "$@"; }

stop_service() {
  [[ -n "$SERVICE_PID" ]] || return 0
  if kill -0 "$SERVICE_PID" 2>/dev/null; then
    kill -TERM "$SERVICE_PID" 2>/dev/null || true
    for _ in $(seq 1 90); do kill -0 "$SERVICE_PID" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$SERVICE_PID" 2>/dev/null; then
      log "service did not stop within 45 s: killing it"
      kill -KILL "$SERVICE_PID" 2>/dev/null || true
    fi
    wait "$SERVICE_PID" 2>/dev/null || true
  fi
  SERVICE_PID=""
}

drop_store() {
  if [[ -n "$SCHEMA" ]]; then psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1 || true; SCHEMA=""; fi
  rm -rf "$H2_DIR"
}

cleanup() { stop_service; drop_store; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites --------------------------------------------------------------------------------------------
command -v java >/dev/null || die "java is required"
command -v python3 >/dev/null || die "python3 is required"
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
if [[ " $STORES " == *" postgresql "* ]]; then
  command -v psql >/dev/null || die "psql is required for the PostgreSQL runs"
  [[ $PG_URL =~ ^jdbc:postgresql://([^:/]+)(:([0-9]+))?/([^?]+) ]] || die "PG_URL must be jdbc:postgresql://host[:port]/db"
  PG_HOST=${BASH_REMATCH[1]}; PG_PORT=${BASH_REMATCH[3]:-5432}; PG_DB=${BASH_REMATCH[4]}
  psql_pg -c "select 1" >/dev/null || die "cannot connect to PostgreSQL at $PG_HOST:$PG_PORT/$PG_DB as $PG_USER"
fi
if [[ ! -f $JAR ]]; then
  [[ $JAR == target/greenlight.jar ]] || die "$JAR does not exist"
  log "building $JAR"
  mvn -B -o -q package -DskipTests
fi
for p in "$PORT" "$MGMT_PORT"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then die "port $p is in use: set PORT / MGMT_PORT"; fi
done
if (exec 3<>/dev/tcp/127.0.0.1/$CLOSED_HOST_PORT) 2>/dev/null; then
  log "warning: something listens on 127.0.0.1:$CLOSED_HOST_PORT, the environment's host in $CONFIG"
fi

rm -rf "$OUT" "$LISTS" "$H2_DIR"
mkdir -p "$OUT" "$LISTS" "$WORK/ssh" "$(dirname "$RESULTS")"
# Credentials for this benchmark only, generated afresh; never used outside bench/work/.
head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/secret"
API_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
[[ -f $WORK/ssh/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C greenlight-bench -f "$WORK/ssh/id_ed25519" 2>/dev/null \
  || : > "$WORK/ssh/id_ed25519"
: > "$WORK/ssh/known_hosts"
H2_URL=$(grep -o 'jdbc:h2:file:[^"]*' src/main/java/dev/greenlight/store/Database.java | head -1)
[[ -n $H2_URL ]] || die "cannot find the embedded H2 URL in Database.java"
# The embedded default's URL and options, with the database file under bench/work/ instead of ./data/
H2_URL=${H2_URL/file:.\/data\//file:./$H2_DIR/}

RUN_TAG=$(date +%s)

busy_cores() {  # cores the whole machine keeps busy over 5 s
  python3 - <<'EOF'
import time
def busy():
    v = [int(x) for x in open("/proc/stat").readline().split()[1:9]]
    return sum(v) - v[3] - v[4], sum(v)
b0, t0 = busy(); time.sleep(5); b1, t1 = busy()
import os
print(f"{(b1 - b0) / (t1 - t0) * os.cpu_count():.2f}")
EOF
}

wait_quiet() {  # out.json: waits (bounded) until other processes leave the cores mostly free, records what it saw
  local start=$SECONDS cores
  while :; do
    cores=$(busy_cores)
    if python3 -c "import sys; sys.exit(0 if float('$cores') <= float('$QUIET_CORES') else 1)"; then break; fi
    if (( SECONDS - start >= QUIET_WAIT_S )); then
      log "other processes still use $cores cores after ${QUIET_WAIT_S}s: running anyway"; break
    fi
    log "other processes use $cores cores: waiting for a quieter moment"
    sleep 10
  done
  printf '{"busy_cores_before": %s, "waited_s": %d}\n' "$cores" $(( SECONDS - start )) > "$1"
}

wait_healthy() {
  local log_file=$1
  for _ in $(seq 1 120); do
    kill -0 "$SERVICE_PID" 2>/dev/null || { tail -30 "$log_file" >&2; die "the service exited during start-up"; }
    curl -fsS "http://127.0.0.1:$MGMT_PORT/observe/health" >/dev/null 2>&1 && return 0
    sleep 0.5
  done
  die "the service did not become healthy within 60 s"
}

start_service() {  # store run_dir
  local store=$1 dir=$2
  local -a env_vars=(GREENLIGHT_CONFIG="$CONFIG" GREENLIGHT_WEBHOOK_SECRET="$(cat "$WORK/secret")"
                     GREENLIGHT_TOKEN_BENCH="$API_TOKEN")
  local -a props=(-Dcamel.server.host=127.0.0.1 -Dcamel.server.port="$PORT"
                  -Dcamel.management.host=127.0.0.1 -Dcamel.management.port="$MGMT_PORT")
  if [[ $store == postgresql ]]; then
    SCHEMA="bench_intake_${RUN_TAG}_$$"
    psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1
    env_vars+=(GREENLIGHT_DB_URL="$PG_URL" GREENLIGHT_DB_USER="$PG_USER")
    props+=(-Dgreenlight.db.schema="$SCHEMA")
  else
    rm -rf "$H2_DIR"
    env_vars+=(GREENLIGHT_DB_URL="$H2_URL" GREENLIGHT_DB_USER=sa)
  fi
  env "${env_vars[@]}" java "${props[@]}" -jar "$JAR" > "$dir/service.log" 2>&1 &
  SERVICE_PID=$!
  wait_healthy "$dir/service.log"
}

db_backend_pids() {  # PostgreSQL backends connected from the service JVM
  local ports
  ports=$(ss -tnpH state established "( dport = :$PG_PORT )" 2>/dev/null \
          | grep "pid=$SERVICE_PID," | awk '{print $3}' | sed 's/.*://' | paste -sd, -)
  [[ -n $ports ]] || return 0
  psql_pg -c "select string_agg(pid::text, ',') from pg_stat_activity where client_port in ($ports)"
}

gen_lists() {  # prefix count gap
  python3 bench/gen_deliveries.py --out "$LISTS" --prefix "$1" --count "$2" --threads "${4:-1}" --gap "$3" \
    --seed "$RUN_TAG" --secret-file "$WORK/secret"
}

run_wrk() {  # prefix duration out.json cpu.json
  BENCH_DIR=$LISTS BENCH_PREFIX=$1 BENCH_OUT=$3 python3 bench/measure.py --out "$4" --service-pid "$SERVICE_PID" \
    --db-pids "$DB_PIDS" -- timeout $(( $2 + 30 )) \
    wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$2"s --timeout 10s --latency -s bench/webhook-intake.lua \
    "http://127.0.0.1:$PORT/webhooks/github" > "${3%.json}.txt"
}

dump_store() {  # store run_dir
  local store=$1 dir=$2
  if [[ $store == postgresql ]]; then
    psql_pg -c "select delivery_id from $SCHEMA.deployments order by id" > "$dir/deployments.tsv"
    psql_pg -F $'\t' -c "select delivery_id, response_status from $SCHEMA.webhook_deliveries" > "$dir/deliveries.tsv"
    psql_pg -F $'\t' -c "select status, count(*) from $SCHEMA.deployments group by status order by 1" > "$dir/statuses.tsv"
  else
    # H2 allows one process at a time: read it with H2's own shell once the service has stopped
    local abs; abs=$(pwd)/$dir
    java -cp "$JAR" org.h2.tools.Shell -url "$H2_URL" -user sa -password "" -sql \
      "call csvwrite('$abs/deployments.tsv', 'select delivery_id from deployments order by id');
       call csvwrite('$abs/deliveries.tsv', 'select delivery_id, response_status from webhook_deliveries');
       call csvwrite('$abs/statuses.tsv', 'select status, count(*) from deployments group by status order by 1')" >/dev/null
  fi
}

machine_json() {
  local model mem os pgv
  model=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -1)
  mem=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
  os="$(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
  pgv=""
  if [[ " $STORES " == *" postgresql "* ]]; then pgv=$(psql_pg -c "select version()"); fi
  python3 - "$model" "$mem" "$os" "$pgv" <<'EOF'
import json, subprocess, sys
def out(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except Exception:
        return ""
print(json.dumps({"nproc": out(["nproc"]), "cpu_model": sys.argv[1], "memory": sys.argv[2], "os": sys.argv[3],
                  "java": out(["java", "-version"]), "postgresql": sys.argv[4], "wrk": out(["wrk", "-v"]).split(" Copyright")[0],
                  "python": out(["python3", "--version"])}))
EOF
}

# ---- the runs -------------------------------------------------------------------------------------------------
WARM_COUNT=$(( MAX_RATE * WARMUP_S ))
CAP_COUNT=$(( MAX_RATE * CAPACITY_S ))
settings_env="RUNS=$RUNS STORES=\"$STORES\" WARMUP_S=$WARMUP_S TARGET_RATE=$TARGET_RATE TARGET_COUNT=$TARGET_COUNT CAPACITY_S=$CAPACITY_S CONNECTIONS=$CONNECTIONS WRK_THREADS=$WRK_THREADS"
command_env=$settings_env
if [[ $JAR != target/greenlight.jar ]]; then command_env+=" JAR=$JAR LABEL=\"$LABEL\""; fi
if [[ $RESULTS != bench/results/webhook-intake.md ]]; then command_env+=" RESULTS=$RESULTS"; fi
machine_json > "$OUT/machine.json"
BENCH_LABEL=$LABEL BENCH_JAR=$JAR BENCH_SETTINGS=$settings_env BENCH_COMMAND=$command_env \
BENCH_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
BENCH_DIRTY=$(git status --porcelain -- src routes pom.xml application.properties 2>/dev/null | head -1) \
python3 - "$OUT/meta.json" <<'EOF'
import json, os, sys, time
e = os.environ
json.dump({"label": e["BENCH_LABEL"], "jar": e["BENCH_JAR"], "commit": e["BENCH_COMMIT"],
           "dirty": bool(e["BENCH_DIRTY"]), "settings": e["BENCH_SETTINGS"],
           "command": e["BENCH_COMMAND"] + " bench/webhook-intake.sh",
           "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, open(sys.argv[1], "w"), indent=1)
EOF

for store in $STORES; do
  for run in $(seq 1 "$RUNS"); do
    dir=$OUT/$store/run-$run
    mkdir -p "$dir"
    log "$store run $run/$RUNS: generating deliveries"
    p="$store-$run"
    gen_lists "$p-smoke" 12 1
    gen_lists "$p-warm" $(( WARM_COUNT / WRK_THREADS + 1 )) 200 "$WRK_THREADS"
    gen_lists "$p-target" "$TARGET_COUNT" 200
    gen_lists "$p-cap" $(( CAP_COUNT / WRK_THREADS + 1 )) 200 "$WRK_THREADS"

    wait_quiet "$dir/background.json"
    log "$store run $run/$RUNS: starting the service (background load $(cat "$dir/background.json"))"
    start_service "$store" "$dir"
    DB_PIDS=""
    if [[ $store == postgresql ]]; then DB_PIDS=$(db_backend_pids); fi

    python3 bench/openloop.py --port "$PORT" --dir "$LISTS" --prefix "$p-smoke" --rate 10 --count 12 \
      --out "$dir/smoke.json" > /dev/null
    log "$store run $run/$RUNS: smoke answers $(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['statuses'])" "$dir/smoke.json")"

    log "$store run $run/$RUNS: warm-up ${WARMUP_S}s"
    run_wrk "$p-warm" "$WARMUP_S" "$dir/warm.json" "$dir/warm-cpu.json"
    if [[ $store == postgresql ]]; then DB_PIDS=$(db_backend_pids); fi   # the pool is full by now
    sleep 2

    log "$store run $run/$RUNS: target check, open loop $TARGET_RATE/s x $TARGET_COUNT"
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.start name=target settings=profile filename="$(pwd)/$dir/target.jfr" >/dev/null
    fi
    python3 bench/measure.py --out "$dir/target-cpu.json" --service-pid "$SERVICE_PID" --db-pids "$DB_PIDS" -- \
      python3 bench/openloop.py --port "$PORT" --dir "$LISTS" --prefix "$p-target" --rate "$TARGET_RATE" \
      --count "$TARGET_COUNT" --out "$dir/target.json" --samples-out "$dir/target-samples.tsv" > /dev/null
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.stop name=target >/dev/null
      { python3 bench/stalls.py "$dir/target-samples.tsv" "$dir/target.jfr"; echo
        python3 bench/jfr-summary.py "$dir/target.jfr"; } > "$dir/target-profile.txt" 2>&1 || true
    fi
    sleep 2

    log "$store run $run/$RUNS: capacity, closed loop ${CONNECTIONS} connections ${CAPACITY_S}s"
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.start name=capacity settings=profile filename="$(pwd)/$dir/capacity.jfr" \
        'jdk.SocketRead#threshold=0ms' 'jdk.ThreadPark#threshold=0ms' >/dev/null
    fi
    run_wrk "$p-cap" "$CAPACITY_S" "$dir/cap.json" "$dir/cap-cpu.json"
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.stop name=capacity >/dev/null
      python3 bench/jfr-summary.py "$dir/capacity.jfr" > "$dir/capacity-profile.txt" 2>&1 || true
    fi
    sleep 3   # answers still in flight when wrk stopped

    ps -o rss= -p "$SERVICE_PID" > "$dir/rss.txt" 2>/dev/null || true
    stop_service
    dump_store "$store" "$dir"
    python3 bench/verify.py --dir "$LISTS" --phase "$p-smoke=$dir/smoke.json" --phase "$p-warm=$dir/warm.json" \
      --phase "$p-target=$dir/target.json" --phase "$p-cap=$dir/cap.json" \
      --deployments "$dir/deployments.tsv" --deliveries "$dir/deliveries.tsv" --out "$dir/verify.json" >&2
    drop_store
    rm -f "$LISTS/$p-"*
  done
done

python3 bench/report.py --out-dir "$OUT" --results "$RESULTS"
log "wrote $RESULTS"
