#!/usr/bin/env bash
# The naive rolling deployment: for each batch, for each host, ssh the deploy command, then curl the six
# health paths one after another. A failure stops the rollout (in parallel mode, after its batch).
#   shell-loop.sh seq|par VERSION BATCH HOST...
# seq: the hosts of a batch one after another; par: the hosts of a batch at the same time (& and wait).
# Needs WORK, SSH_PORT, HTTP_PORT and BENCH_USER in the environment (run.sh sets them).
set -euo pipefail
mode=$1 version=$2 batch=$3
shift 3
hosts=("$@")
# shellcheck source=hosts.sh
. "$(dirname "${BASH_SOURCE[0]}")/hosts.sh"

update_host() {
    local host=$1 path
    ssh "${SSH_OPTS[@]}" "$BENCH_USER@$host" "$(deploy_command "$version" "$host")"
    for path in "${HEALTH_PATHS[@]}"; do
        curl -fsS -o /dev/null --max-time 2 "http://$host:$HTTP_PORT$path"
    done
}

for ((i = 0; i < ${#hosts[@]}; i += batch)); do
    if [ "$mode" = seq ]; then
        for host in "${hosts[@]:i:batch}"; do update_host "$host"; done
    else
        # every host of the batch is waited for, so that nothing of this run is still writing afterwards
        pids=() failed=0
        for host in "${hosts[@]:i:batch}"; do update_host "$host" & pids+=($!); done
        for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
        [ "$failed" -eq 0 ] || exit 1
    fi
done
