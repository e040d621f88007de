#!/usr/bin/env bash
# Webhook load benchmark: the webhook endpoint under a burst of signed GitHub deliveries while ENVIRONMENTS
# deployments run on real SSH hosts, against PostgreSQL and against the embedded H2 default. See bench/README.md.
#
# The hosts (bench/webhook-load/Fleet.java) are SSH servers on 127.0.0.1, one per environment, started once. Every
# deploy command waits on the hosts until the benchmark opens a gate, so the deployments are running for as long as
# the burst lasts. Every run starts a fresh service on a fresh store and then:
#   warm-up WARMUP_COUNT ignored deliveries at BURST_RATE (a fresh JVM is slow until its hot code is compiled)
#   start   one signed push per environment; waits (bounded) until the API lists all of them running
#   burst   open loop, BURST_RATE deliveries/s, BURST_COUNT deliveries (bench/openloop.py): most ignored, a fifth
#           redeliveries, the rest new pushes that queue behind the running deployments; latency from the due time
#   drain   the gate opens; waits (bounded) until nothing is queued or running
#   verify  service stopped, the store is read: every delivery sent has its stored answer, one deployment per
#           distinct push delivery, none twice, every deployment succeeded, every one of them reached its host
# then the schema (PostgreSQL) or database files (H2) are removed. bench/webhook-load-report.py writes RESULTS.
#
# Settings (environment): RUNS STORES ENVIRONMENTS WARMUP_COUNT BURST_RATE BURST_COUNT CONNECTIONS RUNNING_WAIT_S DRAIN_WAIT_S
# GATE_MAX_S PG_URL PG_USER JAR LABEL RESULTS QUIET_CORES QUIET_WAIT_S OUT_DIR SERVICE_PROPS
# PROFILE=1: a JFR recording of each burst, summarised (bench/jfr-summary.py, bench/stalls.py) next to the run's
# other files. Profiling costs CPU: do not compare its figures with others.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS=${RUNS:-3}
STORES=${STORES:-"postgresql h2"}
ENVIRONMENTS=${ENVIRONMENTS:-50}
WARMUP_COUNT=${WARMUP_COUNT:-4000}
BURST_RATE=${BURST_RATE:-200}
BURST_COUNT=${BURST_COUNT:-2000}
CONNECTIONS=${CONNECTIONS:-64}
RUNNING_WAIT_S=${RUNNING_WAIT_S:-60}   # start: how long the deployments may take to be listed running
DRAIN_WAIT_S=${DRAIN_WAIT_S:-600}      # drain: how long the queue may take to empty once the gate is open
GATE_MAX_S=${GATE_MAX_S:-300}          # a deploy command fails if the gate stays closed this long
# Bounds connecting, the key exchange and the pre-check's probe. Every environment's first deployment opens its
# host's session at the same moment: on 2 shared cores, 50 key exchanges at once (client and servers on the same
# cores) took longer than 5 s.
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-30s}
PG_URL=${PG_URL:-jdbc:postgresql://127.0.0.1:5432/test}
PG_USER=${PG_USER:-postgres}
JAR=${JAR:-target/greenlight.jar}
LABEL=${LABEL:-"the service as committed"}
RESULTS=${RESULTS:-bench/results/webhook-load-$(date -u +%F).md}
PROFILE=${PROFILE:-0}
QUIET_CORES=${QUIET_CORES:-0.6}
QUIET_WAIT_S=${QUIET_WAIT_S:-300}
SCHEMA_PREFIX=bench_load

WORK=bench/work
OUT=${OUT_DIR:-$WORK/load-out}
LISTS=$WORK/load-lists
FLEET=$WORK/load-hosts
CONFIG=$WORK/load-greenlight.yaml
FLEET_PID=""
. bench/service-lib.sh

stop_fleet() {
  [[ -n $FLEET_PID ]] || return 0
  kill -TERM "$FLEET_PID" 2>/dev/null || true
  wait "$FLEET_PID" 2>/dev/null || true
  FLEET_PID=""
}
cleanup() { stop_service; drop_store; stop_fleet; exec 7>&-; }
trap cleanup EXIT
trap 'exit 130' INT TERM

service_prerequisites
command -v curl >/dev/null || die "curl is required"
rm -rf "$OUT" "$LISTS" "$FLEET" "$H2_DIR"
mkdir -p "$OUT" "$LISTS" "$FLEET" "$(dirname "$RESULTS")"

# ---- the hosts ------------------------------------------------------------------------------------------------
# Host n's deploy script: marks itself executing, waits for the gate (at most GATE_MAX_S), records the version. The
# gate is a FIFO: opening it for reading blocks, using no CPU, until the benchmark holds it open for writing.
for n in $(seq 1 "$ENVIRONMENTS"); do
  mkdir -p "$FLEET/host-$n"
  cat > "$FLEET/host-$n/deploy.sh" <<EOF
# Deploys version \$1: held until the benchmark opens the gate, so the deployment runs through the burst.
echo "\$1" > executing
if ! timeout $GATE_MAX_S sh -c ': < ../gate'; then rm -f executing; echo "the gate stayed closed" >&2; exit 1; fi
echo "\$1" > version
echo "\$1" >> history
rm -f executing
EOF
done
log "starting $ENVIRONMENTS SSH hosts on 127.0.0.1"
java -cp "$JAR" bench/webhook-load/Fleet.java "$FLEET" "$ENVIRONMENTS" > "$WORK/load-fleet.log" 2>&1 &
FLEET_PID=$!
for _ in $(seq 1 120); do [[ -f $FLEET/ready ]] && break; kill -0 "$FLEET_PID" || die "the hosts did not start"; sleep 0.5; done
[[ -f $FLEET/ready ]] || die "the hosts did not start within 60 s"

# ---- the deployment configuration: environment env-n, deployed by pushes to branch env-n, to host n -----------
mapfile -t HOST_PORTS < "$FLEET/ports"
{
  echo "# Written by bench/webhook-load.sh: $ENVIRONMENTS environments of Codertocat/Hello-World, each on its own host."
  echo "access:"
  echo "  - name: bench"
  echo "    token-env: GREENLIGHT_TOKEN_BENCH"
  echo "    environments: [$(seq -f 'env-%g' -s ', ' 1 "$ENVIRONMENTS")]"
  echo "apps:"
  echo "  hello-world:"
  echo "    repository: Codertocat/Hello-World"
  echo "    environments:"
  for n in $(seq 1 "$ENVIRONMENTS"); do
    echo "      env-$n:"
    echo "        trigger: { push: env-$n }"
    echo "        version: \"sha-{{sha7}}\""
    echo "        strategy: rolling"
    echo "        batch: 1"
    echo "        hosts: [\"127.0.0.1:${HOST_PORTS[n - 1]}\"]"
    echo "        ssh: { user: deploy, key-file: $FLEET/id_ed25519, known-hosts: $FLEET/known_hosts, connect-timeout: $CONNECT_TIMEOUT }"
    echo "        command-timeout: $(( GATE_MAX_S + 30 ))s"
    echo "        commands:"
    echo "          deploy: \"sh deploy.sh {{version}}\""
  done
} > "$CONFIG"

api_count() {  # status: how many deployments the API lists with it (at most 500, the API's largest page)
  curl -fsS -H "Authorization: Bearer $API_TOKEN" \
    "http://127.0.0.1:$PORT/api/v1/deployments?status=$1&limit=500" \
    | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["deployments"]))'
}
executing() { find "$FLEET" -name executing | wc -l; }   # deploy commands running on the hosts now

close_gate() {  # a new FIFO nobody holds: the deploy commands wait
  exec 7>&-
  rm -f "$FLEET/gate"
  mkfifo "$FLEET/gate"
}
open_gate() { exec 7<>"$FLEET/gate"; }   # held open (read-write: never blocks) until close_gate

reset_hosts() {
  close_gate
  rm -f "$FLEET"/host-*/{executing,version,history}
}

# ---- the runs -------------------------------------------------------------------------------------------------
settings_env="RUNS=$RUNS STORES=\"$STORES\" ENVIRONMENTS=$ENVIRONMENTS WARMUP_COUNT=$WARMUP_COUNT BURST_RATE=$BURST_RATE BURST_COUNT=$BURST_COUNT CONNECTIONS=$CONNECTIONS"
command_env=$settings_env
if [[ $JAR != target/greenlight.jar ]]; then command_env+=" JAR=$JAR LABEL=\"$LABEL\""; fi
machine_json > "$OUT/machine.json"
BENCH_LABEL=$LABEL BENCH_JAR=$JAR BENCH_SETTINGS=$settings_env BENCH_COMMAND="$command_env bench/webhook-load.sh" \
BENCH_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
BENCH_DIRTY=$(git status --porcelain -- src routes pom.xml application.properties 2>/dev/null | head -1) \
python3 - "$OUT/meta.json" <<'EOF'
import json, os, sys, time
e = os.environ
json.dump({"label": e["BENCH_LABEL"], "jar": e["BENCH_JAR"], "commit": e["BENCH_COMMIT"],
           "dirty": bool(e["BENCH_DIRTY"]), "settings": e["BENCH_SETTINGS"], "command": e["BENCH_COMMAND"],
           "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}, open(sys.argv[1], "w"), indent=1)
EOF

for store in $STORES; do
  for run in $(seq 1 "$RUNS"); do
    dir=$OUT/$store/run-$run
    mkdir -p "$dir"
    p="$store-$run"
    python3 bench/gen_deliveries.py --mix load --environments "$ENVIRONMENTS" --out "$LISTS" --prefix "$p" \
      --count "$BURST_COUNT" --warmup "$WARMUP_COUNT" --gap 200 --seed "$RUN_TAG" --secret-file "$WORK/secret"
    reset_hosts
    PORT=$(free_port); MGMT_PORT=$(free_port)
    [[ $PORT != "$MGMT_PORT" ]] || MGMT_PORT=$(free_port)

    wait_quiet "$dir/background.json"
    log "$store run $run/$RUNS: starting the service on :$PORT (background load $(cat "$dir/background.json"))"
    start_service "$store" "$dir"
    DB_PIDS=""

    if (( WARMUP_COUNT > 0 )); then
      log "$store run $run/$RUNS: warm-up, $WARMUP_COUNT ignored deliveries at $BURST_RATE/s"
      python3 bench/openloop.py --port "$PORT" --dir "$LISTS" --prefix "$p-warm" --rate "$BURST_RATE" \
        --count "$WARMUP_COUNT" --connections "$CONNECTIONS" --out "$dir/warm.json" > /dev/null
    else
      echo '{"issued_per_thread": [0]}' > "$dir/warm.json"
    fi

    log "$store run $run/$RUNS: one push to each of the $ENVIRONMENTS environments"
    python3 bench/openloop.py --port "$PORT" --dir "$LISTS" --prefix "$p-start" --rate 50 --count "$ENVIRONMENTS" \
      --out "$dir/start.json" > /dev/null
    waited=$SECONDS running=0
    while (( SECONDS - waited < RUNNING_WAIT_S )); do
      running=$(api_count running)
      (( running >= ENVIRONMENTS )) && break
      sleep 0.5
    done
    running_wait=$(( SECONDS - waited ))
    (( running >= ENVIRONMENTS )) || log "only $running of $ENVIRONMENTS deployments running after ${RUNNING_WAIT_S}s"
    sleep 2   # the pipelines that can take their deployments have reached the hosts
    if [[ $store == postgresql ]]; then DB_PIDS=$(db_backend_pids); fi
    running_before=$(api_count running); executing_before=$(executing)
    log "$store run $run/$RUNS: $running_before deployments running (the API), $executing_before deploy commands executing on the hosts"

    log "$store run $run/$RUNS: burst, open loop $BURST_RATE/s x $BURST_COUNT"
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.start name=burst settings=profile filename="$(realpath -m "$dir")/burst.jfr" >/dev/null
    fi
    python3 bench/measure.py --out "$dir/burst-cpu.json" --service-pid "$SERVICE_PID" --db-pids "$DB_PIDS" -- \
      python3 bench/openloop.py --port "$PORT" --dir "$LISTS" --prefix "$p-burst" --rate "$BURST_RATE" \
      --count "$BURST_COUNT" --connections "$CONNECTIONS" --out "$dir/burst.json" \
      --samples-out "$dir/burst-samples.tsv" > /dev/null
    if [[ $PROFILE == 1 ]]; then
      jcmd "$SERVICE_PID" JFR.stop name=burst >/dev/null
      { python3 bench/stalls.py "$dir/burst-samples.tsv" "$dir/burst.jfr"; echo
        python3 bench/jfr-summary.py "$dir/burst.jfr"; } > "$dir/burst-profile.txt" 2>&1 || true
    fi
    running_after=$(api_count running); queued_after=$(api_count queued); executing_after=$(executing)
    log "$store run $run/$RUNS: after the burst $running_after running, $queued_after queued, $executing_after executing"

    open_gate
    drain_start=$SECONDS left=1
    while (( SECONDS - drain_start < DRAIN_WAIT_S )); do
      left=$(( $(api_count running) + $(api_count queued) ))
      (( left == 0 )) && break
      sleep 1
    done
    drain_s=$(( SECONDS - drain_start ))
    (( left == 0 )) || log "$left deployments still queued or running ${DRAIN_WAIT_S}s after the gate opened"
    log "$store run $run/$RUNS: queue drained in ${drain_s}s"

    ps -o rss= -p "$SERVICE_PID" > "$dir/rss.txt" 2>/dev/null || true
    stop_service
    dump_store "$store" "$dir" "deployments=select delivery_id, status from deployments order by id" \
      "deliveries=select delivery_id, response_status from webhook_deliveries" \
      "statuses=select status, count(*) from deployments group by status order by 1"
    # the measured phases: the warm-up's ignored deliveries, sent to a cold JVM, are reported apart
    python3 bench/verify.py --strict --dir "$LISTS" --phase "$p-start=$dir/start.json" \
      --phase "$p-burst=$dir/burst.json" --deployments "$dir/deployments.tsv" --deliveries "$dir/deliveries.tsv" \
      --out "$dir/verify.json" >&2
    printf '{"running_wait_s": %d, "running_before": %d, "executing_before": %d, "running_after": %d, "queued_after": %d, "executing_after": %d, "drain_s": %d, "left_after_drain": %d, "host_deploys": %d}\n' \
      "$running_wait" "$running_before" "$executing_before" "$running_after" "$queued_after" "$executing_after" \
      "$drain_s" "$left" "$(cat "$FLEET"/host-*/history 2>/dev/null | wc -l)" > "$dir/phases.json"
    drop_store
    rm -f "$LISTS/$p-"*
  done
done

python3 bench/webhook-load-report.py --out-dir "$OUT" --results "$RESULTS"
log "wrote $RESULTS"
