#!/usr/bin/env bash
# What a blue-green switch costs the clients: real nginx and real HAProxy (the shipped examples/ configurations,
# run as the current user on free ports) in front of two colours of a small app (one more nginx serving a static
# JSON body per colour), wrk driving a steady load through the proxy while examples/<proxy>/greenlight-switch
# flips the colour every INTERVAL seconds. Reports socket errors and non-2xx answers out of every request, p99
# latency, the flips; the median of RUNS runs per scenario. See bench/blue-green/README.md.
#
#   bench/blue-green/switch.sh                       # 3 runs of 60 s per scenario (about 15 min)
#   RUNS=1 DURATION=20 SCENARIOS="nginx-keepalive" bench/blue-green/switch.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

RUNS=${RUNS:-3}
DURATION=${DURATION:-60}             # seconds of load per run
INTERVAL=${INTERVAL:-2}              # seconds from one flip's start to the next (a slower flip delays the next)
RATE=${RATE:-2500}                   # requests/s aimed at (paced per connection)
CONNECTIONS=${CONNECTIONS:-20}
THREADS=${THREADS:-2}
SCENARIOS=${SCENARIOS:-haproxy-maint haproxy-drain nginx-keepalive nginx-close}
RESULTS=${RESULTS:-bench/results/blue-green-switch-$(date -u +%F).md}

install_missing() {
  local missing=() pair
  for pair in nginx:nginx haproxy:haproxy socat:socat wrk:wrk; do
    command -v "${pair%%:*}" >/dev/null || [[ -x /usr/sbin/${pair%%:*} ]] || missing+=("${pair##*:}")
  done
  ((${#missing[@]} == 0)) && return
  echo "installing ${missing[*]} (apt-get)"
  apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"
}
install_missing
export PATH=$PATH:/usr/sbin

work=$(mktemp -d /tmp/greenlight-bench-bg.XXXXXX)
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await_port() {
  local i
  for i in $(seq 1 100); do curl -fsS -o /dev/null "http://127.0.0.1:$1/health" 2>/dev/null && return; sleep 0.1; done
  echo "nothing answers on port $1" >&2
  exit 1
}
temp_paths() {
  local d
  for d in body proxy fastcgi uwsgi scgi; do printf '    %s_temp_path %s/%s;\n' "${d/body/client_body}" "$1" "$d"; done
}

blue_port=$(free_port)
green_port=$(free_port)
proxy_port=$(free_port)

# the two colours: nginx, one worker, a static JSON body each
mkdir -p "$work/app"
cat >"$work/app/nginx.conf" <<EOF
pid $work/app/nginx.pid;
error_log $work/app/error.log warn;
worker_processes 1;
events { worker_connections 4096; }
http {
$(temp_paths "$work/app")
    access_log off;
    keepalive_requests 100000;
    default_type application/json;
    server { listen 127.0.0.1:$blue_port; location / { return 200 '{"color":"blue"}\n'; } }
    server { listen 127.0.0.1:$green_port; location / { return 200 '{"color":"green"}\n'; } }
}
EOF
env -u NGINX nginx -p "$work/app" -c "$work/app/nginx.conf" -e "$work/app/error.log" -g 'daemon off;' &
pids+=($!)
await_port "$blue_port"
await_port "$green_port"

start_nginx_proxy() {
  local d=$work/nginx
  rm -rf "$d" && mkdir -p "$d/greenlight"
  echo "server 127.0.0.1:$blue_port;" >"$d/greenlight/upstream.conf"
  sed -e "s#listen 80;#listen 127.0.0.1:$proxy_port;#" -e "s#/etc/nginx/greenlight/upstream.conf#$d/greenlight/upstream.conf#" \
    examples/nginx/greenlight.conf >"$d/greenlight.conf"
  cat >"$d/nginx.conf" <<EOF
pid $d/nginx.pid;
error_log $d/error.log warn;
worker_processes auto;
events { worker_connections 4096; }
http {
$(temp_paths "$d")
    access_log off;
    keepalive_requests 100000;
    include $d/greenlight.conf;
}
EOF
  nginx_command="nginx -p $d -c $d/nginx.conf -e $d/error.log"
  env -u NGINX $nginx_command -g 'daemon off;' &
  proxy_pid=$!
  pids+=("$proxy_pid")
  switch_env=(NGINX="$nginx_command" NGINX_PID="$d/nginx.pid" GREENLIGHT_UPSTREAM="$d/greenlight/upstream.conf")
  switch_script=examples/nginx/greenlight-switch
  await_port "$proxy_port"
}

start_haproxy() {
  local d=$work/haproxy
  rm -rf "$d" && mkdir -p "$d"
  # what needs root left out (log socket, chroot, user, daemon); paths and ports moved here
  sed -e '/^    log \/dev\/log local0$/d' -e '/^    chroot /d' -e '/^    user haproxy$/d' -e '/^    group haproxy$/d' \
    -e '/^    daemon$/d' -e "s#/run/haproxy/admin.sock#$d/admin.sock#" -e "s#/var/lib/haproxy/server-state#$d/server-state#" \
    -e "s#bind :80#bind 127.0.0.1:$proxy_port#" -e "s#127.0.0.1:8081#127.0.0.1:$blue_port#" \
    -e "s#127.0.0.1:8082#127.0.0.1:$green_port#" examples/haproxy/haproxy.cfg >"$d/haproxy.cfg"
  haproxy -db -f "$d/haproxy.cfg" >"$d/haproxy.log" 2>&1 &
  proxy_pid=$!
  pids+=("$proxy_pid")
  switch_env=(HAPROXY_SOCKET="$d/admin.sock" HAPROXY_STATE_FILE="$d/server-state" HAPROXY_RETIRE="$1")
  switch_script=examples/haproxy/greenlight-switch
  await_port "$proxy_port"
}

stop_proxy() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
}

# Flips the colour every INTERVAL seconds until $1 (epoch seconds); one line per flip: colour exit-code ms.
flip_loop() {
  local until=$1 log=$2 colour=green port next start rc
  sleep 1
  while ((SECONDS < until)); do
    next=$((SECONDS + INTERVAL))
    [[ $colour == green ]] && port=$green_port || port=$blue_port
    start=$(date +%s%3N)
    rc=0
    env "${switch_env[@]}" "$switch_script" "$colour" "$port" >>"$log.out" 2>&1 || rc=$?
    echo "$colour $rc $(($(date +%s%3N) - start))" >>"$log"
    [[ $colour == green ]] && colour=blue || colour=green
    while ((SECONDS < next && SECONDS < until)); do sleep 0.1; done
  done
}

run_once() {
  local scenario=$1 run=$2 headers=() out=$work/$1-$2
  case $scenario in
    haproxy-maint) start_haproxy maint ;;
    haproxy-drain) start_haproxy drain ;;
    nginx-keepalive) start_nginx_proxy ;;
    nginx-close) start_nginx_proxy; headers=(-H "Connection: close") ;;
    *) echo "unknown scenario $scenario" >&2; exit 2 ;;
  esac
  local pause=$((CONNECTIONS * 1000 / RATE))
  : >"$out.flips"
  flip_loop $((SECONDS + DURATION - 1)) "$out.flips" &
  local flipper=$!
  wrk -t "$THREADS" -c "$CONNECTIONS" -d "${DURATION}s" --timeout 5s "${headers[@]}" -s bench/blue-green/count.lua \
    "http://127.0.0.1:$proxy_port/" -- "$pause" >"$out.wrk" 2>&1 || true
  wait "$flipper" || true
  stop_proxy
  local result
  result=$(sed -n 's/^RESULT //p' "$out.wrk")
  [[ -n $result ]] || { echo "wrk gave no result:" >&2; cat "$out.wrk" >&2; exit 1; }
  python3 - "$scenario" "$run" "$result" "$out.flips" >>"$work/runs.jsonl" <<'EOF'
import json, sys
scenario, run, result, flips = sys.argv[1], int(sys.argv[2]), json.loads(sys.argv[3]), sys.argv[4]
lines = [l.split() for l in open(flips) if l.strip()]
result.update(scenario=scenario, run=run, flips=len(lines), flips_failed=sum(1 for l in lines if l[1] != "0"),
              flip_ms=sorted(int(l[2]) for l in lines))
print(json.dumps(result))
EOF
  echo "$scenario run $run: $(tail -1 "$work/runs.jsonl" | cut -c1-240)"
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
started=$(date -u '+%F %H:%M UTC')
for run in $(seq 1 "$RUNS"); do
  for scenario in $SCENARIOS; do
    run_once "$scenario" "$run"
  done
done
load_end=$(cut -d' ' -f1-3 /proc/loadavg)

machine=$(cat <<EOF
- CPU: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) cores visible; $(free -g | awk '/^Mem:/ { print $2 " GiB" }')
- load average (1, 5, 15 min): at the start $load_start, at the end $load_end
- $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)
- $(nginx -v 2>&1 | sed 's/^nginx version: //'), $(haproxy -v | head -1 | cut -d' ' -f1-3), $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2)
EOF
)
python3 - "$work/runs.jsonl" "$RESULTS" "$started" "$machine" <<EOF
import json, statistics, sys
runs = [json.loads(l) for l in open(sys.argv[1])]
path, started, machine = sys.argv[2], sys.argv[3], sys.argv[4]
names = {"haproxy-maint": "HAProxy, keep-alive clients, old colour to maint",
         "haproxy-drain": "HAProxy, keep-alive clients, old colour to drain",
         "nginx-keepalive": "nginx, keep-alive clients", "nginx-close": "nginx, Connection: close clients"}
def errors(r): return r["connect"] + r["read"] + r["write"] + r["timeout"]
def rate(r): return r["requests"] / (r["duration_us"] / 1e6)
def med(xs): return statistics.median(xs)
out = [f"# Blue-green switch under load ({started})", "",
       "\`bench/blue-green/switch.sh\` with RUNS=$RUNS DURATION=${DURATION}s INTERVAL=${INTERVAL}s RATE=$RATE/s aimed at "
       "CONNECTIONS=$CONNECTIONS THREADS=$THREADS (wrk, each connection paced). The proxies run the shipped "
       "\`examples/\` configurations as the current user on free ports; the colours are one nginx serving a static "
       "JSON body per colour; \`examples/<proxy>/greenlight-switch\` flips the colour every ${INTERVAL}s (or as soon "
       "as the previous flip returned, when it takes longer).", "", "Machine (shared with other work):", "", machine, "",
       "## Medians of the runs", "", "Each column is the median over the runs on its own.", "",
       "| scenario | requests | req/s | socket errors | non-2xx | p99 latency | flips (failed) | flip time, median |",
       "|---|---:|---:|---:|---:|---:|---:|---:|"]
order = [s for s in names if any(r["scenario"] == s for r in runs)]
for s in order:
    rs = [r for r in runs if r["scenario"] == s]
    out.append(f"| {names[s]} | {med([r['requests'] for r in rs]):,.0f} | {med([rate(r) for r in rs]):,.0f} | "
               f"{med([errors(r) for r in rs]):g} | {med([r['non2xx'] for r in rs]):g} | "
               f"{med([r['p99_us'] for r in rs]) / 1000:.1f} ms | {med([r['flips'] for r in rs]):g} "
               f"({med([r['flips_failed'] for r in rs]):g}) | {med([med(r['flip_ms']) for r in rs if r['flip_ms']]):.0f} ms |")
out += ["", "## Every run", "",
        "| scenario | run | requests | socket errors (connect/read/write/timeout) | non-2xx | answered blue / green | p50 / p99 / max | flips (failed) |",
        "|---|---:|---:|---|---:|---|---|---:|"]
for s in order:
    for r in (r for r in runs if r["scenario"] == s):
        out.append(f"| {names[s]} | {r['run']} | {r['requests']:,} | {errors(r)} ({r['connect']}/{r['read']}/{r['write']}/{r['timeout']}) | "
                   f"{r['non2xx']} | {r['blue']:,} / {r['green']:,} | {r['p50_us']/1000:.1f} / {r['p99_us']/1000:.1f} / {r['max_us']/1000:.1f} ms | "
                   f"{r['flips']} ({r['flips_failed']}) |")
out += ["", "Socket errors are wrk's (a read error: the connection was closed under a request); non-2xx are counted "
        "by \`bench/blue-green/count.lua\`. Raw runs: \`" + path.rsplit("/", 1)[-1].removesuffix(".md") + "-runs.jsonl\`.", ""]
open(path, "w").write("\n".join(out))
print("\n".join(out))
EOF
cp "$work/runs.jsonl" "${RESULTS%.md}-runs.jsonl"
echo "written: $RESULTS, ${RESULTS%.md}-runs.jsonl"
