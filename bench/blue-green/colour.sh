#!/usr/bin/env bash
# One colour of the release benchmark's app on a simulated host, run by Greenlight's deploy and stop commands over
# SSH (bench/blue-green/release.sh):
#
#   colour.sh start <host-dir> <color> <port> <version>   (re)start the colour on 127.0.0.1:<port> and <host>:<port>
#   colour.sh stop <host-dir> <color>                     stop it
#
# The app is an nginx of the deploy user's own per colour (one worker): `/` answers {"color":…,"version":…},
# `/health` 200, `/health/errors` the JSON file <host-dir>/<color>/errors.json. A version ending in `-bad` is one
# the app treats as bad: while it runs, its error count rises by 5 every 200 ms (a loop of its own, stopped with
# the colour), so the watch after the switch sees errors rise. `/` keeps answering 200: the failed requests the
# benchmark counts are the switch's, not the bad version's. The host's address is the directory's name.
set -euo pipefail

usage() { echo "usage: colour.sh start <host-dir> <color> <port> <version> | stop <host-dir> <color>" >&2; exit 2; }
[[ $# -ge 3 ]] || usage
action=$1 host_dir=$2 color=$3
[[ $color =~ ^[a-z0-9]+$ ]] || usage
dir=$host_dir/$color
host=$(basename "$host_dir")
nginx=/usr/sbin/nginx

# running and not a zombie (where nothing reaps the daemon, its exit leaves a zombie)
alive() { [[ -r /proc/$1/stat ]] && [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) =~ ^[^Z]$ ]]; }

stop_colour() {
  local pid
  if [[ -f $dir/errors.pid ]]; then
    kill "$(cat "$dir/errors.pid")" 2>/dev/null || true
    rm -f "$dir/errors.pid"
  fi
  [[ -f $dir/nginx.pid ]] || return 0
  pid=$(cat "$dir/nginx.pid")
  kill -QUIT "$pid" 2>/dev/null || true
  for _ in $(seq 1 200); do alive "$pid" || return 0; sleep 0.02; done
  kill -KILL "$pid" 2>/dev/null || true
}

case $action in
  start)
    [[ $# -eq 5 ]] || usage
    port=$4 version=$5
    [[ $port =~ ^[0-9]+$ && $version =~ ^[A-Za-z0-9._-]+$ ]] || usage
    stop_colour
    mkdir -p "$dir/www"
    echo '{"errors":0}' >"$dir/www/errors.json"
    cat >"$dir/nginx.conf" <<EOF
pid $dir/nginx.pid;
error_log $dir/error.log warn;
worker_processes 1;
events { worker_connections 4096; }
http {
    access_log off;
    client_body_temp_path $dir/body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    keepalive_requests 100000;
    default_type application/json;
    server {
        listen 127.0.0.1:$port;
        listen $host:$port;
        location = /health { return 200 '{"status":"ok"}\n'; }
        location = /health/errors { root $dir/www; try_files /errors.json =500; }
        location / { return 200 '{"color":"$color","version":"$version"}\n'; }
    }
}
EOF
    "$nginx" -q -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log"
    if [[ $version == *-bad ]]; then
      # detached from the SSH session: the command returns while the loop runs
      setsid bash -c 'n=0; while sleep 0.2; do n=$((n + 5)); echo "{\"errors\":$n}" >"$1.tmp" && mv "$1.tmp" "$1"; done' \
        errors-loop "$dir/www/errors.json" </dev/null >/dev/null 2>&1 &
      echo $! >"$dir/errors.pid"
    fi
    for _ in $(seq 1 100); do
      curl -fsS -o /dev/null -m 1 "http://127.0.0.1:$port/health" 2>/dev/null && { echo "$color $version on $port"; exit 0; }
      sleep 0.05
    done
    echo "colour.sh: $color did not answer on port $port" >&2
    exit 1
    ;;
  stop)
    [[ $# -eq 3 ]] || usage
    stop_colour
    echo "$color stopped"
    ;;
  *) usage ;;
esac
