# The parts of the webhook benchmarks (webhook-intake.sh, webhook-load.sh) that run the service on a fresh store and
# read the store afterwards; sourced by them, from the repository root. Uses, from the sourcing script: STORES PG_URL
# PG_USER JAR CONFIG PORT MGMT_PORT QUIET_CORES QUIET_WAIT_S SCHEMA_PREFIX, and WORK (bench/work).

H2_DIR=$WORK/h2
SCHEMA=""
SERVICE_PID=""
RUN_TAG=$(date +%s)

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

# The checks every run needs: java, python, psql and PostgreSQL for the PostgreSQL runs, the jar (built if it is the
# default one and missing); then the H2 URL, and fresh credentials under WORK.
service_prerequisites() {
  command -v java >/dev/null || die "java is required"
  command -v python3 >/dev/null || die "python3 is required"
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
  H2_URL=$(grep -o 'jdbc:h2:file:[^"]*' src/main/java/dev/greenlight/store/Database.java | head -1)
  [[ -n $H2_URL ]] || die "cannot find the embedded H2 URL in Database.java"
  # The embedded default's URL and options, with the database file under bench/work/ instead of ./data/
  H2_URL=${H2_URL/file:.\/data\//file:./$H2_DIR/}
  mkdir -p "$WORK"
  # Credentials for this benchmark only, generated afresh; never used outside bench/work/.
  head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$WORK/secret"
  API_TOKEN=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
}

free_port() {  # a port nothing listens on now, chosen by the kernel
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

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

start_service() {  # store run_dir: a fresh service (java -jar, default JVM settings) on a fresh store
  local store=$1 dir=$2
  local -a env_vars=(GREENLIGHT_CONFIG="$CONFIG" GREENLIGHT_WEBHOOK_SECRET="$(cat "$WORK/secret")"
                     GREENLIGHT_TOKEN_BENCH="$API_TOKEN")
  local -a props=(-Dcamel.server.host=127.0.0.1 -Dcamel.server.port="$PORT"
                  -Dcamel.management.host=127.0.0.1 -Dcamel.management.port="$MGMT_PORT")
  if [[ $store == postgresql ]]; then
    SCHEMA="${SCHEMA_PREFIX}_${RUN_TAG}_$$"
    psql_pg -c "drop schema if exists $SCHEMA cascade" >/dev/null 2>&1
    env_vars+=(GREENLIGHT_DB_URL="$PG_URL" GREENLIGHT_DB_USER="$PG_USER")
    props+=(-Dgreenlight.db.schema="$SCHEMA")
  else
    rm -rf "$H2_DIR"
    env_vars+=(GREENLIGHT_DB_URL="$H2_URL" GREENLIGHT_DB_USER=sa)
  fi
  # SERVICE_PROPS: more -D settings for the service (word-split), e.g. "-Dgreenlight.db.pool-size=20"
  read -r -a extra <<< "${SERVICE_PROPS:-}"
  env "${env_vars[@]}" java "${props[@]}" "${extra[@]}" -jar "$JAR" > "$dir/service.log" 2>&1 &
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

# store run_dir name=query...: each query's rows into run_dir/name.tsv, once the service has stopped. PostgreSQL:
# tab-separated, no header (the run's schema first on the search path); H2: CSV with a header, through H2's own Shell,
# because an embedded H2 file is held by one process at a time. Queries name tables unqualified.
dump_store() {
  local store=$1 dir=$2 spec sql="" abs
  shift 2
  abs=$(pwd)/$dir
  for spec in "$@"; do
    if [[ $store == postgresql ]]; then
      PGOPTIONS="-c search_path=$SCHEMA" psql_pg -F $'\t' -c "${spec#*=}" > "$dir/${spec%%=*}.tsv"
    else
      sql+="call csvwrite('$abs/${spec%%=*}.tsv', '${spec#*=}');"
    fi
  done
  if [[ $store == h2 ]]; then
    java -cp "$JAR" org.h2.tools.Shell -url "$H2_URL" -user sa -password "" -sql "$sql" >/dev/null
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
import json, shutil, subprocess, sys
def out(cmd):
    try:
        r = subprocess.run(cmd, capture_output=True, text=True)
        return (r.stdout + r.stderr).strip().splitlines()[0]
    except Exception:
        return ""
m = {"nproc": out(["nproc"]), "cpu_model": sys.argv[1], "memory": sys.argv[2], "os": sys.argv[3],
     "java": out(["java", "-version"]), "postgresql": sys.argv[4], "python": out(["python3", "--version"])}
if shutil.which("wrk"):
    m["wrk"] = out(["wrk", "-v"]).split(" Copyright")[0]
print(json.dumps(m))
EOF
}
