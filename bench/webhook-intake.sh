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
# PORT MGMT_PORT PG_URL PG_USER JAR LABEL RESULTS QUIET_CORES QUIET_WAIT_S SERVICE_PROPS
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

SCHEMA_PREFIX=bench_intake

WORK=bench/work
OUT=${OUT_DIR:-$WORK/out}
LISTS=$WORK/lists
. bench/service-lib.sh
PORT=${PORT:-$(free_port)}          # the service's ports: free ones the kernel picks unless given
MGMT_PORT=${MGMT_PORT:-$(free_port)}
[[ $PORT != "$MGMT_PORT" ]] || MGMT_PORT=$(free_port)

cleanup() { stop_service; drop_store; }
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- prerequisites --------------------------------------------------------------------------------------------
service_prerequisites
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  if [[ $(id -u) -eq 0 ]]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq wrk >/dev/null; fi
fi
for p in "$PORT" "$MGMT_PORT"; do
  if (exec 3<>/dev/tcp/127.0.0.1/"$p") 2>/dev/null; then die "port $p is in use: set PORT / MGMT_PORT"; fi
done
if (exec 3<>/dev/tcp/127.0.0.1/$CLOSED_HOST_PORT) 2>/dev/null; then
  log "warning: something listens on 127.0.0.1:$CLOSED_HOST_PORT, the environment's host in $CONFIG"
fi

rm -rf "$OUT" "$LISTS" "$H2_DIR"
mkdir -p "$OUT" "$LISTS" "$WORK/ssh" "$(dirname "$RESULTS")"
[[ -f $WORK/ssh/id_ed25519 ]] || ssh-keygen -q -t ed25519 -N '' -C greenlight-bench -f "$WORK/ssh/id_ed25519" 2>/dev/null \
  || : > "$WORK/ssh/id_ed25519"
: > "$WORK/ssh/known_hosts"

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
      jcmd "$SERVICE_PID" JFR.start name=target settings=profile filename="$(realpath -m "$dir")/target.jfr" >/dev/null
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
      jcmd "$SERVICE_PID" JFR.start name=capacity settings=profile filename="$(realpath -m "$dir")/capacity.jfr" \
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
    dump_store "$store" "$dir" "deployments=select delivery_id from deployments order by id" \
      "deliveries=select delivery_id, response_status from webhook_deliveries" \
      "statuses=select status, count(*) from deployments group by status order by 1"
    python3 bench/verify.py --dir "$LISTS" --phase "$p-smoke=$dir/smoke.json" --phase "$p-warm=$dir/warm.json" \
      --phase "$p-target=$dir/target.json" --phase "$p-cap=$dir/cap.json" \
      --deployments "$dir/deployments.tsv" --deliveries "$dir/deliveries.tsv" --out "$dir/verify.json" >&2
    drop_store
    rm -f "$LISTS/$p-"*
  done
done

python3 bench/report.py --out-dir "$OUT" --results "$RESULTS"
log "wrote $RESULTS"
