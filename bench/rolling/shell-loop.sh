#!/usr/bin/env bash
# The naive rolling deployment: for each batch, for each host, ssh the deploy command, then curl the six
# health paths one after another. A failure stops the rollout.
#   shell-loop.sh seq|par VERSION BATCH HOST...
# seq: the hosts of a batch one after another; par: the hosts of a batch at the same time (& and wait).
# Needs WORK, SSH_PORT, HTTP_PORT and BENCH_USER in the environment (run.sh sets them).
set -euo pipefail
mode=$1 version=$2 batch=$3
shift 3
hosts=("$@")
paths=(/health /health/db /health/errors /api/v1/health /api/v1/auth/status /api/v1/stats)
ssh_opts=(-F /dev/null -p "$SSH_PORT" -i "$WORK/ssh/deploy_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
          -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$WORK/ssh/known_hosts" -o ConnectTimeout=10)

update_host() {
    local host=$1 path
    ssh "${ssh_opts[@]}" "$BENCH_USER@$host" "sleep 0.1; echo $version > $WORK/hosts/$host/version"
    for path in "${paths[@]}"; do
        curl -fsS -o /dev/null --max-time 2 "http://$host:$HTTP_PORT$path"
    done
}

for ((i = 0; i < ${#hosts[@]}; i += batch)); do
    if [ "$mode" = seq ]; then
        for host in "${hosts[@]:i:batch}"; do update_host "$host"; done
    else
        pids=()
        for host in "${hosts[@]:i:batch}"; do update_host "$host" & pids+=($!); done
        for pid in "${pids[@]}"; do wait "$pid"; done
    fi
done
