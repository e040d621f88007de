#!/bin/sh
# A demo host's side of the demo configuration's commands: start and stop a copy of the demo app, move the live
# path to a colour. Written by Greenlight's demo mode into each demo host's directory, where its commands run.
#   ./app start <name> <port> <version>   stop the copy <name>, start <version> on <port>, return once it listens
#   ./app stop <name>                      stop the copy <name> (nothing to do when it does not run)
#   ./app switch <port>                    send the live path's traffic to <port>
set -eu
JAVA=@JAVA@
CLASSPATH=@CLASSPATH@
HOST=@HOST@
PARENT=@PARENT@

stop() {
  if [ -f "$1.pid" ]; then
    pid=$(cat "$1.pid")
    kill "$pid" 2>/dev/null || true
    i=0
    while kill -0 "$pid" 2>/dev/null; do
      i=$((i + 1))
      if [ "$i" -gt 100 ]; then kill -9 "$pid" 2>/dev/null || true; fi
      sleep 0.1
    done
    rm -f "$1.pid" "$1.ready"
  fi
}

case "${1:-}" in
  start)
    name=$2 port=$3 version=$4
    stop "$name"
    nohup "$JAVA" -Xmx32m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$CLASSPATH" dev.greenlight.demo.DemoApp \
      --name "$name" --host "$HOST" --port "$port" --version "$version" --parent "$PARENT" --ready "$PWD/$name.ready" \
      </dev/null >"$name.log" 2>&1 &
    echo $! >"$name.pid"
    i=0
    while [ ! -f "$name.ready" ]; do
      if ! kill -0 "$(cat "$name.pid")" 2>/dev/null; then
        echo "$name: the app stopped while starting:" >&2
        cat "$name.log" >&2
        exit 1
      fi
      i=$((i + 1))
      if [ "$i" -gt 300 ]; then echo "$name: the app did not listen within 30 s" >&2; exit 1; fi
      sleep 0.1
    done
    echo "$name: $version listening on $HOST:$port"
    ;;
  stop)
    stop "$2"
    echo "$2: stopped"
    ;;
  switch)
    printf '%s\n' "$2" >live-port.next
    mv live-port.next live-port
    echo "live path on $HOST now sends to port $2"
    ;;
  *)
    echo "usage: ./app start <name> <port> <version> | stop <name> | switch <port>" >&2
    exit 2
    ;;
esac
