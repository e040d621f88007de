#!/usr/bin/env bash
# What a blue-green release, a watch-triggered rollback and a manual rollback cost the clients, end to end:
# Greenlight (target/greenlight.jar) deploys over OpenSSH to simulated hosts on loopback (bench/rolling/hosts.sh:
# an unprivileged login account and sshd of our own), each host with a real proxy in front of two colours of a
# small app (bench/blue-green/colour.sh, started and stopped by the deploy and stop commands), the switch being the
# shipped examples/<proxy>/greenlight-switch. wrk drives a steady load through the proxy for the whole of each
# scenario. See bench/blue-green/README.md.
#
#   bench/blue-green/release.sh                                 # RUNS=3, every mode (about 9 min)
#   RUNS=1 MODES=haproxy bench/blue-green/release.sh
#
# Hosts: 127.0.0.11 has HAProxy (the shipped haproxy.cfg) and is environment `haproxy`; 127.0.0.12 has nginx (the
# shipped greenlight.conf) and is environment `nginx`. Every server runs as the deploy user (the switch talks to
# the proxy it started), on free ports.
#
# Modes (MODES): haproxy (keep-alive clients), nginx-keepalive, nginx-close (`Connection: close` clients). In each
# run, each mode plays three scenarios in turn, with wrk running before (PHASE seconds), during (from just before
# the deployment is asked for until it has ended) and after (PHASE seconds):
#   release          a new version to the idle colour, switched, watched for WATCH seconds: succeeded
#   manual-rollback  POST /api/v1/deployments/{id}/rollback of that release: the old colour (still running,
#                    keep-previous) takes traffic again, watched: succeeded
#   watch-rollback   a version the app treats as bad (errors rise once it runs): switched, the watch fails, traffic
#                    back on the old colour, health verified: rolled_back
#
# Settings (environment): RUNS=3 MODES="haproxy nginx-keepalive nginx-close" RATE=2000 (requests/s aimed at,
# paced per connection) CONNECTIONS=20 THREADS=2 PHASE=5 WATCH=5 GL_JAVA_OPTS=-Xmx256m
# RESULTS=bench/results/blue-green-release-<date>.md
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/blue-green
WORK=$ROOT/bench/work/blue-green
RUNS=${RUNS:-3}
MODES=${MODES:-haproxy nginx-keepalive nginx-close}
RATE=${RATE:-2000}
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
PHASE=${PHASE:-5}
WATCH=${WATCH:-5}
GL_JAVA_OPTS=${GL_JAVA_OPTS:-"-Xmx256m"}
RESULTS=${RESULTS:-$ROOT/bench/results/blue-green-release-$(date -u +%F).md}
PY=/usr/bin/python3

log() { echo "[release $(date +%H:%M:%S)] $*" >&2; }
die() { echo "release: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages, adds the deploy user and starts sshd)"
[[ $RUNS =~ ^[1-9][0-9]?$ ]] || die "RUNS must be 1..99"
for m in $MODES; do [[ $m =~ ^(haproxy|nginx-keepalive|nginx-close)$ ]] || die "unknown mode $m"; done

install_missing() {
  local missing=() pair
  for pair in nginx:nginx haproxy:haproxy socat:socat wrk:wrk sshd:openssh-server ssh-keyscan:openssh-client \
    curl:curl python3:python3 java:default-jre-headless; do
    command -v "${pair%%:*}" >/dev/null || [[ -x /usr/sbin/${pair%%:*} ]] || missing+=("${pair##*:}")
  done
  ((${#missing[@]} == 0)) && return
  log "installing ${missing[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

free_port() { "$PY" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

MAX_HOSTS=2
SSH_PORT=$(free_port)
HTTP_PORT=$(free_port)
export WORK SSH_PORT HTTP_PORT
# shellcheck source=../rolling/hosts.sh
. "$ROOT/bench/rolling/hosts.sh"

GL_PID=
PROXY_PIDS=()
cleanup() {
  local rc=$? pid h c
  set +e
  if [ -n "$GL_PID" ] && kill -0 "$GL_PID" 2>/dev/null; then
    kill "$GL_PID"
    for _ in $(seq 1 300); do kill -0 "$GL_PID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$GL_PID" 2>/dev/null
  fi
  for pid in "${PROXY_PIDS[@]}"; do kill "$pid" 2>/dev/null; done
  for h in $(host_list "$MAX_HOSTS"); do
    for c in blue green; do
      [ -d "$WORK/hosts/$h/$c" ] && "${AS_USER[@]}" "$HERE/colour.sh" stop "$WORK/hosts/$h" "$c" >/dev/null 2>&1
    done
  done
  hosts_stop
  log "stopped everything it started"
  exit $rc
}
mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock -n 9 || die "another run of the benchmark is using $WORK"
trap cleanup EXIT
trap 'exit 130' INT TERM

# a command as the deploy user, which owns every server the switch and the colours talk to (an array, not a
# function: a server started with it in the background is then $!, and the clean-up stops it by that pid)
AS_USER=(setpriv --reuid="$BENCH_USER" --regid="$BENCH_USER" --init-groups env HOME=/tmp)

# ------------------------------------------------------------------------------------------- set-up
install_missing
ensure_user
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
rm -rf "$WORK/hosts" "$WORK/proxy" "$WORK/data" "$WORK/runs"
hosts_setup
mkdir -p "$WORK/proxy" "$WORK/runs"
chown "$BENCH_USER" "$WORK/proxy"

if [ ! -f "$ROOT/target/greenlight.jar" ]; then
  log "building target/greenlight.jar"
  (cd "$ROOT" && mvn -B -q package -DskipTests)
fi

HAPROXY_HOST=$(host_addr 1)
NGINX_HOST=$(host_addr 2)
declare -A BLUE GREEN PROXY
for env in haproxy nginx; do BLUE[$env]=$(free_port); GREEN[$env]=$(free_port); PROXY[$env]=$(free_port); done

start_haproxy() {
  local d=$WORK/proxy/haproxy
  "${AS_USER[@]}" mkdir -p "$d"
  # the shipped haproxy.cfg; what needs root left out (log socket, chroot, user, daemon), paths and ports moved here
  sed -e '/^    log \/dev\/log local0$/d' -e '/^    chroot /d' -e '/^    user haproxy$/d' -e '/^    group haproxy$/d' \
    -e '/^    daemon$/d' -e "s#/run/haproxy/admin.sock#$d/admin.sock#" -e "s#/var/lib/haproxy/server-state#$d/server-state#" \
    -e "s#bind :80#bind $HAPROXY_HOST:${PROXY[haproxy]}#" -e "s#127.0.0.1:8081#127.0.0.1:${BLUE[haproxy]}#" \
    -e "s#127.0.0.1:8082#127.0.0.1:${GREEN[haproxy]}#" "$ROOT/examples/haproxy/haproxy.cfg" >"$d/haproxy.cfg"
  "${AS_USER[@]}" /usr/sbin/haproxy -db -f "$d/haproxy.cfg" >"$d/haproxy.log" 2>&1 &
  PROXY_PIDS+=($!)
  HAPROXY_SWITCH="HAPROXY_SOCKET=$d/admin.sock HAPROXY_STATE_FILE=$d/server-state $ROOT/examples/haproxy/greenlight-switch"
}

start_nginx() {
  local d=$WORK/proxy/nginx t
  "${AS_USER[@]}" mkdir -p "$d/greenlight"
  echo "server 127.0.0.1:${BLUE[nginx]};" >"$d/greenlight/upstream.conf"
  sed -e "s#listen 80;#listen $NGINX_HOST:${PROXY[nginx]};#" \
    -e "s#/etc/nginx/greenlight/upstream.conf#$d/greenlight/upstream.conf#" "$ROOT/examples/nginx/greenlight.conf" \
    >"$d/greenlight.conf"
  {
    echo "pid $d/nginx.pid;"
    echo "error_log $d/error.log warn;"
    echo "worker_processes auto;"
    echo "events { worker_connections 4096; }"
    echo "http {"
    for t in client_body proxy fastcgi uwsgi scgi; do echo "    ${t}_temp_path $d/$t;"; done
    echo "    access_log off;"
    echo "    keepalive_requests 100000;"
    echo "    include $d/greenlight.conf;"
    echo "}"
  } >"$d/nginx.conf"
  chown -R "$BENCH_USER" "$d"
  local command="/usr/sbin/nginx -p $d -c $d/nginx.conf -e $d/error.log"
  "${AS_USER[@]}" env -u NGINX $command -g 'daemon off;' >"$d/nginx.out" 2>&1 &
  PROXY_PIDS+=($!)
  NGINX_SWITCH="NGINX='$command' NGINX_PID=$d/nginx.pid GREENLIGHT_UPSTREAM=$d/greenlight/upstream.conf $ROOT/examples/nginx/greenlight-switch"
}

start_haproxy
start_nginx

environment_yaml() { # NAME HOST SWITCH
  local name=$1 host=$2 switch=$3
  cat <<EOF
      $name:
        strategy: blue-green
        hosts: ["$host:$SSH_PORT"]
        ssh: { user: $BENCH_USER, key-file: $WORK/ssh/deploy_ed25519, known-hosts: $WORK/ssh/known_hosts }
        colors:
          blue: { port: ${BLUE[$name]} }
          green: { port: ${GREEN[$name]} }
        commands:
          deploy: "$HERE/colour.sh start $WORK/hosts/$host {{color}} {{port}} {{version}}"
          switch: "$switch {{color}} {{port}}"
          stop: "$HERE/colour.sh stop $WORK/hosts/$host {{color}}"
        health:
          url: "http://{{host}}:{{port}}"
          live-url: "http://{{host}}:${PROXY[$name]}"
          paths: [/health]
          attempts: 20
          interval: 250ms
          timeout: 2s
        watch: { duration: ${WATCH}s, interval: 250ms, max-errors: 3, errors-path: /health/errors }
        keep-previous: 10m
EOF
}

{
  echo "# Release benchmark (bench/blue-green/release.sh): one environment per proxy"
  echo "access:"
  echo "  - name: bench"
  echo "    token-env: GREENLIGHT_TOKEN_BENCH"
  echo "    environments: [haproxy, nginx]"
  echo "apps:"
  echo "  shop:"
  echo "    repository: greenlight/bench"
  echo "    environments:"
  environment_yaml haproxy "$HAPROXY_HOST" "$HAPROXY_SWITCH"
  environment_yaml nginx "$NGINX_HOST" "$NGINX_SWITCH"
} >"$WORK/greenlight.yaml"

GL_PORT=$(free_port)
GL_MGMT_PORT=$(free_port)
GREENLIGHT_TOKEN_BENCH=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
export GREENLIGHT_TOKEN_BENCH
mkdir -p "$WORK/data"
# from WORK: the embedded database is created under ./data there
(cd "$WORK" && GREENLIGHT_CONFIG=$WORK/greenlight.yaml exec java $GL_JAVA_OPTS -Dcamel.server.port="$GL_PORT" \
  -Dcamel.management.port="$GL_MGMT_PORT" -jar "$ROOT/target/greenlight.jar" >"$WORK/greenlight.log" 2>&1) &
GL_PID=$!
for _ in $(seq 1 600); do
  kill -0 "$GL_PID" 2>/dev/null || { tail -20 "$WORK/greenlight.log" >&2; die "Greenlight exited"; }
  curl -fsS -o /dev/null -m 1 "http://127.0.0.1:$GL_MGMT_PORT/observe/health" 2>/dev/null && break
  sleep 0.2
done
log "Greenlight ready (pid $GL_PID, API :$GL_PORT); HAProxy on $HAPROXY_HOST:${PROXY[haproxy]}, nginx on $NGINX_HOST:${PROXY[nginx]}"

api() { # METHOD PATH [BODY]
  curl -fsS -m 10 -X "$1" -H "Authorization: Bearer $GREENLIGHT_TOKEN_BENCH" -H 'Content-Type: application/json' \
    ${3:+--data "$3"} "http://127.0.0.1:$GL_PORT$2"
}
json_field() { "$PY" -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$1"; }

deploy() { # ENV VERSION: prints the deployment id
  api POST /api/v1/deployments "{\"app\":\"shop\",\"environment\":\"$1\",\"version\":\"$2\"}" | json_field id
}

# Waits for deployment $1 to end (at most 300 s); writes its JSON (with its steps) to $2.
await_end() {
  local status
  for _ in $(seq 1 1500); do
    api GET "/api/v1/deployments/$1" >"$2"
    status=$(json_field status <"$2")
    case $status in succeeded | failed | rolled_back | rollback_failed | cancelled) return 0 ;; esac
    sleep 0.2
  done
  die "deployment $1 did not end within 300 s"
}

# What answers through the proxy of environment $1 now.
through_proxy() {
  local host=$HAPROXY_HOST
  [ "$1" = nginx ] && host=$NGINX_HOST
  curl -sS -m 2 "http://$host:${PROXY[$1]}/" || true
}

# wrk's arguments for a phase through the mode's proxy: WRK_ARGS
wrk_args() { # MODE DURATION
  local env=haproxy host=$HAPROXY_HOST headers=()
  [ "$1" = haproxy ] || { env=nginx; host=$NGINX_HOST; }
  [ "$1" = nginx-close ] && headers=(-H "Connection: close")
  WRK_ARGS=(-t "$THREADS" -c "$CONNECTIONS" -d "$2" --timeout 5s "${headers[@]}" -s "$HERE/count.lua"
    "http://$host:${PROXY[$env]}/" -- "$((CONNECTIONS * 1000 / RATE))")
}

# One scenario under load: wrk before, during (stopped with SIGINT once the deployment has ended) and after.
# $3 is the command that asks for the deployment and prints its id.
scenario() { # MODE NAME COMMAND... ; sets LAST_ID
  local mode=$1 name=$2 out=$WORK/runs/$run-$1-$2 wrk_pid id asked
  shift 2
  wrk_args "$mode" "${PHASE}s"
  wrk "${WRK_ARGS[@]}" >"$out.before.wrk" 2>&1
  # wrk itself in the background (its pid in $!): it ends on SIGINT, printing its figures
  wrk_args "$mode" 600s
  wrk "${WRK_ARGS[@]}" >"$out.during.wrk" 2>&1 &
  wrk_pid=$!
  sleep 0.5
  asked=$(date +%s.%N)
  id=$("$@")
  await_end "$id" "$out.deployment.json"
  sleep 0.5
  kill -INT "$wrk_pid"
  wait "$wrk_pid" || true
  wrk_args "$mode" "${PHASE}s"
  wrk "${WRK_ARGS[@]}" >"$out.after.wrk" 2>&1
  through_proxy "${mode%%-*}" >"$out.answer"
  "$PY" "$HERE/release.py" record --mode "$mode" --scenario "$name" --run "$run" --asked "$asked" \
    --deployment "$out.deployment.json" --answer "$out.answer" --before "$out.before.wrk" \
    --during "$out.during.wrk" --after "$out.after.wrk" --expect "$EXPECT" >>"$WORK/runs.jsonl" \
    || die "no result for $mode $name run $run (see $out.*)"
  log "run $run $mode $name: $(tail -1 "$WORK/runs.jsonl" | cut -c1-200)"
  LAST_ID=$id
}

# a first release on each environment: blue runs 1.0.0 and takes traffic; not measured
for env in haproxy nginx; do
  id=$(deploy "$env" 1.0.0)
  await_end "$id" "$WORK/runs/first-$env.json"
  [ "$(json_field status <"$WORK/runs/first-$env.json")" = succeeded ] || die "the first release on $env failed"
done

: >"$WORK/runs.jsonl"
for run in $(seq 1 "$RUNS"); do
  for mode in $MODES; do
    env=${mode%%-*}
    version=2.$run.$(echo "$MODES" | tr ' ' '\n' | grep -n "^$mode\$" | cut -d: -f1)
    EXPECT="succeeded green $version"
    scenario "$mode" release deploy "$env" "$version"
    EXPECT="succeeded blue 1.0.0"
    scenario "$mode" manual-rollback eval "api POST /api/v1/deployments/$LAST_ID/rollback '{\"reason\":\"benchmark\"}' | json_field id"
    EXPECT="rolled_back blue 1.0.0"
    scenario "$mode" watch-rollback deploy "$env" "$version-bad"
  done
done
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)

machine=$(cat <<EOF
- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores visible; $(free -g | awk '/^Mem:/ { print $2 " GiB" }')
- load average (1, 5, 15 min): at the start $LOAD_AT_START, at the end $LOAD_AT_END
- $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)
- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2), $(ssh -V 2>&1 | cut -d, -f1)
- Java: $(java -version 2>&1 | head -1); service options: $GL_JAVA_OPTS; embedded H2
EOF
)
settings="RUNS=$RUNS RATE=$RATE/s aimed at CONNECTIONS=$CONNECTIONS THREADS=$THREADS PHASE=${PHASE}s WATCH=${WATCH}s"
"$PY" "$HERE/release.py" report --runs "$WORK/runs.jsonl" --out "$RESULTS" --settings "$settings" \
  --machine "$machine" --started "$(date -u -r "$WORK/greenlight.yaml" '+%F %H:%M UTC')"
cp "$WORK/runs.jsonl" "${RESULTS%.md}-runs.jsonl"
log "written: $RESULTS, ${RESULTS%.md}-runs.jsonl"
