#!/usr/bin/env bash
# Notifications benchmark: event to message at a local HTTP provider with the provider up (p99, target < 1 s), and
# QUEUED messages drained after a provider OUTAGE without loss or duplicates, in order per channel. A real Greenlight
# on PostgreSQL deploys to the simulated SSH hosts of the tests (src/test/.../notify/NotificationsBench.java).
#
# Settings (environment): OUTAGE (default 10m) QUEUED (1000) CHANNELS (4) LATENCY_DEPLOYMENTS (100) RESULTS
# It needs Java 17, Maven and the PostgreSQL of the tests (127.0.0.1:5432, trust authentication, database test).
set -euo pipefail
cd "$(dirname "$0")/.."

OUTAGE=${OUTAGE:-10m}
QUEUED=${QUEUED:-1000}
CHANNELS=${CHANNELS:-4}
LATENCY_DEPLOYMENTS=${LATENCY_DEPLOYMENTS:-100}
RESULTS=${RESULTS:-bench/results/notifications-$(date +%F).md}
mkdir -p "$(dirname "$RESULTS")"
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT

started=$(date -u +%FT%TZ)
mvn -B -q test -Dtest=NotificationsBench -Dsurefire.failIfNoSpecifiedTests=false \
  -Dbench.outage="$OUTAGE" -Dbench.queued="$QUEUED" -Dbench.channels="$CHANNELS" \
  -Dbench.latency-deployments="$LATENCY_DEPLOYMENTS" -Dbench.out="$raw" >&2
{
  echo "# Notifications benchmark, $started"
  echo
  echo "Machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB; $(java -version 2>&1 | head -1);"
  echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (with uncommitted changes)'). Settings:"
  echo "OUTAGE=$OUTAGE QUEUED=$QUEUED CHANNELS=$CHANNELS LATENCY_DEPLOYMENTS=$LATENCY_DEPLOYMENTS; the service's"
  echo "default delivery settings (retry after 10 s, doubling up to 5 min, 8 attempts)."
  echo
  cat "$raw"
} > "$RESULTS"
cat "$RESULTS"
