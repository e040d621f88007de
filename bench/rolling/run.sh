#!/usr/bin/env bash
# Rolling-deployment benchmark: a shell loop, Ansible, a no-SSH baseline and Greenlight deploy the same
# simulated hosts (OpenSSH + HTTP health paths on loopback addresses), then Greenlight at larger scales, side by
# side with the shell loop where asked, then with a slow login shell.
#
#   bench/rolling/run.sh           the whole benchmark
#   bench/rolling/run.sh serve     only the hosts and the service, for profiling by hand; stops after
#                                  SERVE_SECONDS (default 1800) or Ctrl-C
#
# Does everything: installs what is missing (openssh-server, ansible, nginx-light), starts its own sshd and
# nginx on 127.0.0.11 onwards (a hundred addresses per third octet: 127.0.1.11 is host 101), builds
# target/greenlight.jar if missing, starts Greenlight, runs every method (warm-up first, then RUNS measured
# rounds, the methods interleaved in each round so that background load falls on all of them alike), checks
# after every run that every host holds the new version, writes the report and stops everything it started.
# A failed run (a method that fails, or a host not on the new version afterwards) is recorded and reported,
# and the benchmark goes on. See bench/rolling/README.md.
#
# Settings (environment):
#   RUNS=5                     measured runs per method and per scale point
#   SCALE="20:2 50:5 100:10 100:20 300:30"   Greenlight scale points, hosts:batch (at most 1000 hosts)
#   SHELL_SCALE="100:10"       points where the shell loop (hosts of a batch in parallel) runs in the same
#                              rounds as Greenlight; added to SCALE when missing; empty for none
#   SLOW_SHELL_MS=150          CPU the deploy user's ~/.bashrc burns per ssh command in the slow-shell pass
#   SLOW_SHELL_SCALE="100:10"  points of the slow-shell pass (Greenlight and the shell loop side by side);
#                              empty (or SLOW_SHELL_MS=0) skips the pass
#   KEX_PASS=1                 then a diagnostic pass with the servers offering only curve25519-sha256
#                              key exchange (shell loop and Greenlight at 10/2 and 100/10); 0 skips it
#   COLD_PASS=1                then the 10-host rounds again with the service restarted on
#                              greenlight.ssh.persist=0 (every deployment opens its sessions); 0 skips it
#   ANSIBLE_VARIANTS="lean default"   which Ansible set-ups to run (empty: none)
#   GL_JAVA_OPTS="-Xmx256m"    JVM options of the service
#   GL_PORT=18280 GL_MGMT_PORT=18281 SSH_PORT=2222 HTTP_PORT=18290
#   GREENLIGHT_DB_URL, GREENLIGHT_DB_USER   PostgreSQL instead of embedded H2 (a schema of its own, dropped at the end)
#   REPORT=bench/work/rolling/report.md
#   SSHD_KEX=…                 diagnostics: KexAlgorithms of the hosts' sshds for the whole run
#   GL_KEX=…                   Greenlight's ssh.key-exchange for every environment (comma-separated), e.g.
#                              GL_KEX=curve25519-sha256,sntrup761x25519-sha512
#   GL_SSH_EXTRA=…             more ssh settings for every environment, YAML flow-map entries, e.g.
#                              GL_SSH_EXTRA="connect-timeout: 10s"
#   SERVE_SLOW_SHELL=0         serve only: 1 turns the slow login shell (SLOW_SHELL_MS) on while serving
#   GL_MAX_STARTS=…            Greenlight's ssh.max-concurrent-starts for every environment (default 30), e.g.
#                              GL_MAX_STARTS=100 for every host at once, GL_MAX_STARTS=10 for a tighter bound
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$ROOT/bench/rolling
WORK=$ROOT/bench/work/rolling
RUNS=${RUNS:-5}
SCALE=${SCALE-"20:2 50:5 100:10 100:20 300:30"}
SHELL_SCALE=${SHELL_SCALE-"100:10"}
SLOW_SHELL_MS=${SLOW_SHELL_MS:-150}
SLOW_SHELL_SCALE=${SLOW_SHELL_SCALE-"100:10"}
KEX_PASS=${KEX_PASS:-1}
COLD_PASS=${COLD_PASS:-1}
VARIANT=
ANSIBLE_VARIANTS=${ANSIBLE_VARIANTS-"lean default"}
GL_JAVA_OPTS=${GL_JAVA_OPTS:-"-Xmx256m"}
GL_PORT=${GL_PORT:-18280}
GL_MGMT_PORT=${GL_MGMT_PORT:-18281}
REPORT=${REPORT:-$WORK/report.md}
RESULTS=$WORK/results.jsonl
PY=/usr/bin/python3
START_TIMEOUT=120

now_ns() { date +%s%N; }
seconds_since() { awk -v s="$1" -v e="$(now_ns)" 'BEGIN { printf "%.3f", (e - s) / 1e9 }'; }
log() { echo "[bench $(date +%H:%M:%S)] $*" >&2; }
die() { echo "bench: error: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it installs packages, adds the deploy user and starts sshd)"
[[ "$RUNS" =~ ^[0-9]+$ ]] && [ "$RUNS" -ge 1 ] && [ "$RUNS" -le 50 ] || die "RUNS must be 1..50"
[[ "$SLOW_SHELL_MS" =~ ^[0-9]+$ ]] && [ "$SLOW_SHELL_MS" -le 5000 ] || die "SLOW_SHELL_MS must be 0..5000"
[ "$SLOW_SHELL_MS" -gt 0 ] || SLOW_SHELL_SCALE=

export WORK SSH_PORT HTTP_PORT BENCH_USER
# shellcheck source=hosts.sh
. "$HERE/hosts.sh"
export SSH_PORT HTTP_PORT BENCH_USER

# Checks hosts:batch points; prints the largest number of hosts among them.
check_points() {
    local p most=0
    for p in "$@"; do
        [[ "$p" =~ ^([0-9]+):([0-9]+)$ ]] || die "scale point '$p' is not hosts:batch"
        [ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[1]}" -le "$MAX_HOSTS_LIMIT" ] \
            || die "scale point '$p': 1 to $MAX_HOSTS_LIMIT hosts ($(host_addr 1) … $(host_addr "$MAX_HOSTS_LIMIT"))"
        [ "${BASH_REMATCH[2]}" -ge 1 ] && [ "${BASH_REMATCH[2]}" -le "${BASH_REMATCH[1]}" ] \
            || die "scale point '$p': the batch must be 1 to the number of hosts"
        [ "${BASH_REMATCH[1]}" -gt "$most" ] && most=${BASH_REMATCH[1]}
    done
    echo "$most"
}
# The words of all arguments, each once, in the order first seen.
unique() { printf '%s\n' $* | awk 'NF && !seen[$0]++' | tr '\n' ' '; }
# Whether point $1 is one of the words of $2.
listed() { [[ " $2 " == *" $1 "* ]]; }

MEASURED_POINTS=$(unique $SCALE $SHELL_SCALE)    # Greenlight's scale points of the main pass
GL_POINTS=$(unique 10:2 $MEASURED_POINTS $SLOW_SHELL_SCALE)
[ "$KEX_PASS" = 1 ] && GL_POINTS=$(unique $GL_POINTS 100:10)
MAX_HOSTS=$(check_points $GL_POINTS)

# Each run starts without SSH connections (as the shell loop and Greenlight do): its ControlPersist
# masters live in a directory of their own and are told to exit after the run.
ansible_masters_stop() {
    local s
    for s in "$WORK"/ansible/cp-*/*; do
        [ -S "$s" ] && ssh -F /dev/null -S "$s" -O exit bench >/dev/null 2>&1
    done
    rm -rf "$WORK"/ansible/cp-*
}

GL_PID=
DB_SCHEMA=
SERVE_SLEEP=
stop_greenlight() {
    if [ -n "$GL_PID" ] && kill -0 "$GL_PID" 2>/dev/null; then
        log "stopping Greenlight (pid $GL_PID)"
        local t0
        t0=$(now_ns)
        kill "$GL_PID"
        for ((i = 0; i < 600; i++)); do kill -0 "$GL_PID" 2>/dev/null || break; sleep 0.1; done
        if kill -0 "$GL_PID" 2>/dev/null; then
            log "Greenlight still running after 60 s: killing it"
            kill -9 "$GL_PID"
        else
            log "Greenlight exited $(seconds_since "$t0") s after SIGTERM"
        fi
    fi
    GL_PID=
}
cleanup() {
    local rc=$?
    set +e
    [ -n "$SERVE_SLEEP" ] && kill "$SERVE_SLEEP" 2>/dev/null
    stop_greenlight
    ansible_masters_stop
    slow_shell_off
    hosts_stop
    if [ -n "$DB_SCHEMA" ]; then
        psql_admin -c "drop schema if exists $DB_SCHEMA cascade" >/dev/null 2>&1
    fi
    log "stopped everything it started"
    exit $rc
}
# one run at a time on this work directory (checked before anything can be stopped)
mkdir -p "$WORK"
exec 9>"$WORK/.lock"
flock -n 9 || die "another run of the benchmark is using $WORK"
trap cleanup EXIT
trap 'exit 130' INT TERM
trap 'log "failed (exit $?) at line $LINENO: $BASH_COMMAND"' ERR

# ------------------------------------------------------------------------------------------- set-up
mkdir -p "$WORK"
need_packages
ensure_user
slow_shell_off
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
hosts_setup
: >"$RESULTS"

if [ ! -f "$ROOT/target/greenlight.jar" ]; then
    log "building target/greenlight.jar"
    (cd "$ROOT" && mvn -B -q -o package -DskipTests) || (cd "$ROOT" && mvn -B -q package -DskipTests)
fi

# A failed run is recorded (bench.py has written down what failed) and reported; the benchmark goes on.
failed_run() { log "$1: recorded, going on"; }

# bench.py with what every run's record needs
bench_py() {
    local cmd=$1
    shift
    "$PY" "$HERE/bench.py" "$cmd" --work "$WORK" --out "$RESULTS" --variant "$VARIANT" "$@"
}

# ------------------------------------------------------------------------------------------- shell loop
run_shell() { # MODE HOSTS BATCH VERSION WARMUP
    local start s rc=0 warm=()
    [ "$5" = true ] && warm=(--warmup)
    start=$(now_ns)
    "$HERE/shell-loop.sh" "$1" "$4" "$3" $(host_list "$2") || rc=$?
    s=$(seconds_since "$start")
    bench_py record --method "shell-$1" --seconds "$s" --exit-code "$rc" --hosts "$2" --batch "$3" \
        --version "$4" --label "$4" "${warm[@]}" || failed_run "shell loop ($1, $2 hosts, batch $3) failed"
}

# ------------------------------------------------------------------------------------------- no SSH at all
HEALTH_ARGS=()
for path in "${HEALTH_PATHS[@]}"; do HEALTH_ARGS+=(--path "$path"); done
run_baseline() { # HOSTS BATCH VERSION WARMUP
    local warm=()
    [ "$4" = true ] && warm=(--warmup)
    bench_py baseline --user "$BENCH_USER" --command "$(deploy_command '{version}' '{host}')" \
        --http-port "$HTTP_PORT" "${HEALTH_ARGS[@]}" --hosts "$1" --batch "$2" --version "$3" --label "$3" \
        "${warm[@]}" || failed_run "no-SSH baseline ($1 hosts, batch $2) failed"
}

# ------------------------------------------------------------------------------------------- Ansible
mkdir -p "$WORK/ansible/tmp"
{
    echo "[bench]"
    host_list 10
    echo
    echo "[bench:vars]"
    echo "ansible_port=$SSH_PORT"
    echo "ansible_user=$BENCH_USER"
    echo "ansible_ssh_private_key_file=$WORK/ssh/deploy_ed25519"
    echo "ansible_python_interpreter=/usr/bin/python3"
} >"$WORK/ansible/inventory.ini"
cat >"$WORK/ansible/ansible.cfg" <<EOF
[defaults]
inventory = $WORK/ansible/inventory.ini
host_key_checking = True
retry_files_enabled = False
local_tmp = $WORK/ansible/tmp
forks = 10
[ssh_connection]
ssh_args = -F /dev/null -C -o ControlMaster=auto -o ControlPersist=60s -o IdentitiesOnly=yes -o UserKnownHostsFile=$WORK/ssh/known_hosts -o StrictHostKeyChecking=yes
EOF

run_ansible() { # VARIANT VERSION WARMUP
    local variant=$1 version=$2 start s gathering=implicit pipelining=False rc=0 warm=()
    [ "$variant" = lean ] && gathering=explicit && pipelining=True
    [ "$3" = true ] && warm=(--warmup)
    start=$(now_ns)
    ANSIBLE_CONFIG=$WORK/ansible/ansible.cfg ANSIBLE_GATHERING=$gathering ANSIBLE_PIPELINING=$pipelining \
        ANSIBLE_SSH_CONTROL_PATH_DIR=$WORK/ansible/cp-$version \
        ansible-playbook "$HERE/playbook.yml" \
        -e "version=$version work=$WORK http_port=$HTTP_PORT" >"$WORK/ansible/last-$variant.log" 2>&1 || rc=$?
    s=$(seconds_since "$start")
    ansible_masters_stop
    [ "$rc" -eq 0 ] || cat "$WORK/ansible/last-$variant.log" >&2
    bench_py record --method "ansible-$variant" --seconds "$s" --exit-code "$rc" --hosts 10 --batch 2 \
        --version "$version" --label "$version" "${warm[@]}" || failed_run "ansible ($variant) failed"
}

# ------------------------------------------------------------------------------------------- Greenlight
env_name() { echo "h$1-b$2"; }
write_greenlight_config() {
    local p hosts batch names=() a
    for p in $GL_POINTS; do names+=("$(env_name "${p%:*}" "${p#*:}")"); done
    {
        echo "# Rolling benchmark: one environment per scale point, hosts $(host_addr 1) onwards"
        echo "access:"
        echo "  - name: bench"
        echo "    token-env: GREENLIGHT_TOKEN_BENCH"
        echo "    environments: [$(IFS=,; echo "${names[*]}" | sed 's/,/, /g')]"
        echo "apps:"
        echo "  bench:"
        echo "    repository: greenlight/bench"
        echo "    environments:"
        for p in $GL_POINTS; do
            hosts=${p%:*} batch=${p#*:}
            echo "      $(env_name "$hosts" "$batch"):"
            echo "        strategy: rolling"
            echo "        batch: $batch"
            echo "        hosts:"
            for a in $(host_list "$hosts"); do echo "          - \"$a:$SSH_PORT\""; done
            echo "        ssh: { user: $BENCH_USER, key-file: $WORK/ssh/deploy_ed25519, known-hosts: $WORK/ssh/known_hosts${GL_KEX:+, key-exchange: [$GL_KEX]}${GL_MAX_STARTS:+, max-concurrent-starts: $GL_MAX_STARTS}${GL_SSH_EXTRA:+, $GL_SSH_EXTRA} }"
            echo "        commands:"
            echo "          deploy: \"$(deploy_command '{{version}}' '{{host}}')\""
            echo "        health:"
            echo "          url: \"http://{{host}}:$HTTP_PORT\""
            echo "          paths: [$(IFS=,; echo "${HEALTH_PATHS[*]}" | sed 's/,/, /g')]"
            echo "          attempts: 3"
            echo "          interval: 1s"
            echo "          timeout: 2s"
        done
    } >"$WORK/greenlight.yaml"
}

psql_admin() {
    local url=${GREENLIGHT_DB_URL#jdbc:postgresql://}
    local hostport=${url%%/*} db=${url#*/}
    db=${db%%\?*}
    PGPASSWORD=${GREENLIGHT_DB_PASSWORD:-} psql -X -q -h "${hostport%:*}" -p "${hostport#*:}" \
        -U "${GREENLIGHT_DB_USER:-postgres}" -d "$db" "$@"
}

start_greenlight() {
    local db_opts=() i
    write_greenlight_config
    if [ -n "${GREENLIGHT_DB_URL:-}" ]; then
        DB_SCHEMA=benchroll_$$
        db_opts=(-Dgreenlight.db.schema=$DB_SCHEMA)
        log "database: PostgreSQL, schema $DB_SCHEMA"
    else
        rm -rf "$ROOT/data"
        log "database: embedded H2 under ./data/ (fresh)"
    fi
    GREENLIGHT_TOKEN_BENCH=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
    export GREENLIGHT_TOKEN_BENCH
    (cd "$ROOT" && GREENLIGHT_CONFIG=$WORK/greenlight.yaml exec java $GL_JAVA_OPTS ${GL_EXTRA_OPTS:-} \
        -Dcamel.server.port="$GL_PORT" -Dcamel.management.port="$GL_MGMT_PORT" "${db_opts[@]}" \
        -jar target/greenlight.jar >"$WORK/greenlight.log" 2>&1) &
    GL_PID=$!
    for ((i = 0; i < START_TIMEOUT * 5; i++)); do
        kill -0 "$GL_PID" 2>/dev/null || { tail -20 "$WORK/greenlight.log" >&2; die "Greenlight exited"; }
        curl -fsS -o /dev/null -m 1 "http://127.0.0.1:$GL_MGMT_PORT/observe/health" 2>/dev/null && break
        sleep 0.2
    done
    curl -fsS -o /dev/null -m 1 "http://127.0.0.1:$GL_MGMT_PORT/observe/health" \
        || die "Greenlight not ready after $START_TIMEOUT s"
    log "Greenlight ready (pid $GL_PID, $GL_JAVA_OPTS, API :$GL_PORT)"
}

run_greenlight() { # HOSTS BATCH VERSION WARMUP LABEL
    local warm=()
    [ "$4" = true ] && warm=(--warmup)
    bench_py deploy --api "http://127.0.0.1:$GL_PORT" --token-env GREENLIGHT_TOKEN_BENCH --app bench \
        --env "$(env_name "$1" "$2")" --pid "$GL_PID" --hosts "$1" --batch "$2" --version "$3" --label "$5" \
        "${warm[@]}" || failed_run "Greenlight deployment $3 ($1 hosts, batch $2) failed"
}

# A scale point: a warm-up deployment (and shell loop, with $3 = shell), then RUNS rounds; with the shell
# loop, each round runs both, alternating which goes first. $4 names the versions.
scale_point() { # HOSTS BATCH shell|- TAG
    local hosts=$1 batch=$2 shell=$3 tag=$4 r
    log "Greenlight at $hosts hosts, batch $batch${VARIANT:+ ($VARIANT)}$([ "$shell" = shell ] && echo ", with the shell loop")"
    run_greenlight "$hosts" "$batch" "w-h$hosts-b$batch-$tag" true warmup
    [ "$shell" = shell ] && run_shell par "$hosts" "$batch" "w-sh$hosts-b$batch-$tag" true
    for ((r = 1; r <= RUNS; r++)); do
        if [ "$shell" = shell ] && ((r % 2 == 0)); then
            run_shell par "$hosts" "$batch" "r$r-sh$hosts-b$batch-$tag" false
        fi
        run_greenlight "$hosts" "$batch" "r$r-h$hosts-b$batch-$tag" false "$hosts/$batch run $r${VARIANT:+ $VARIANT}"
        if [ "$shell" = shell ] && ((r % 2 == 1)); then
            run_shell par "$hosts" "$batch" "r$r-sh$hosts-b$batch-$tag" false
        fi
    done
    return 0
}

# Median wall time of five `ssh <first host> true`, in ms.
ssh_true_ms() {
    local k start times=()
    for k in 1 2 3 4 5; do
        start=$(now_ns)
        ssh "${SSH_OPTS[@]}" "$BENCH_USER@$(host_addr 1)" true || die "ssh $(host_addr 1) true failed"
        times+=($((($(now_ns) - start) / 1000000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | sed -n 3p
}

# ------------------------------------------------------------------------------------------- runs
start_greenlight

if [ "${1:-}" = serve ]; then
    [ "${SERVE_SLOW_SHELL:-0}" = 1 ] && slow_shell_on "$SLOW_SHELL_MS"
    echo "GREENLIGHT_TOKEN_BENCH=$GREENLIGHT_TOKEN_BENCH" >"$WORK/serve.env"
    log "serving: API http://127.0.0.1:$GL_PORT (token in $WORK/serve.env), pid $GL_PID, config $WORK/greenlight.yaml"
    log "environments: $(for p in $GL_POINTS; do printf '%s ' "$(env_name "${p%:*}" "${p#*:}")"; done)"
    sleep "${SERVE_SECONDS:-1800}" &
    SERVE_SLEEP=$!
    wait "$SERVE_SLEEP" || true
    exit 0
fi
tag=$(date +%H%M%S)

log "warm-up (not counted): one run of each method, two Greenlight deployments"
run_shell seq 10 2 "w-seq-$tag" true
run_shell par 10 2 "w-par-$tag" true
for v in $ANSIBLE_VARIANTS; do run_ansible "$v" "w-an-$v-$tag" true; done
run_baseline 10 2 "w-nossh-$tag" true
run_greenlight 10 2 "w1-gl-$tag" true warmup
run_greenlight 10 2 "w2-gl-$tag" true warmup

for ((r = 1; r <= RUNS; r++)); do
    log "round $r/$RUNS (10 hosts, batch 2)"
    run_shell seq 10 2 "r$r-seq-$tag" false
    run_shell par 10 2 "r$r-par-$tag" false
    for v in $ANSIBLE_VARIANTS; do run_ansible "$v" "r$r-an-$v-$tag" false; done
    run_baseline 10 2 "r$r-nossh-$tag" false
    run_greenlight 10 2 "r$r-gl-$tag" false "10/2 run $r"
done

# The same rounds with sessions closed when each deployment ends: what the first deployment after a quiet minute
# (greenlight.ssh.persist) pays, every time.
if [ "$COLD_PASS" = 1 ]; then
    log "pass with greenlight.ssh.persist=0: every deployment opens its sessions"
    stop_greenlight
    GL_EXTRA_OPTS=-Dgreenlight.ssh.persist=0 start_greenlight
    VARIANT=ssh-persist-0
    run_baseline 10 2 "w-nossh-cold-$tag" true
    # as many warm-up deployments as the JVM had before the first pass's rounds, and one more: a restarted JVM's
    # handshake code is not yet compiled
    for w in 1 2 3; do run_greenlight 10 2 "w$w-gl-cold-$tag" true warmup; sleep 3; done
    # the rounds of the first pass, shell loops included: the pause they leave between two deployments is when the
    # service refills its supply of sntrup761 key pairs (after 2 s without a handshake)
    for ((r = 1; r <= RUNS; r++)); do
        run_shell seq 10 2 "r$r-seq-cold-$tag" false
        run_shell par 10 2 "r$r-par-cold-$tag" false
        run_baseline 10 2 "r$r-nossh-cold-$tag" false
        run_greenlight 10 2 "r$r-gl-cold-$tag" false "10/2 persist 0 run $r"
    done
    VARIANT=
    stop_greenlight
    start_greenlight
fi

for p in $MEASURED_POINTS; do
    shell=-
    listed "$p" "$SHELL_SCALE" && shell=shell
    scale_point "${p%:*}" "${p#*:}" "$shell" "$tag"
done

# Slow-shell pass: the deploy user's shell start-up costs SLOW_SHELL_MS of CPU per ssh command (the issue's
# scenario of a login account running e.g. `pyenv init` in ~/.bashrc).
SSH_TRUE_PLAIN_MS= SSH_TRUE_SLOW_MS=
if [ -n "$SLOW_SHELL_SCALE" ]; then
    SSH_TRUE_PLAIN_MS=$(ssh_true_ms)
    slow_shell_on "$SLOW_SHELL_MS"
    SSH_TRUE_SLOW_MS=$(ssh_true_ms)
    log "ssh <host> true: $SSH_TRUE_PLAIN_MS ms with the plain shell, $SSH_TRUE_SLOW_MS ms with the slow one"
    VARIANT=slow-shell-${SLOW_SHELL_MS}ms
    for p in $(unique $SLOW_SHELL_SCALE); do scale_point "${p%:*}" "${p#*:}" shell "slow-$tag"; done
    VARIANT=
    slow_shell_off
fi

# Diagnostic pass: the same hosts, but sshd offers only curve25519-sha256 (OpenSSH's default list puts the
# post-quantum sntrup761x25519-sha512 first, and both clients then use it). Shows what the key exchange costs.
if [ "$KEX_PASS" = 1 ]; then
    VARIANT=kex-curve25519
    log "diagnostic pass: sshd offers only curve25519-sha256"
    SSHD_KEX=curve25519-sha256 hosts_setup
    run_shell seq 10 2 "w-seq-kex-$tag" true
    run_greenlight 10 2 "w-gl-kex-$tag" true warmup
    run_greenlight 100 10 "w-h100-kex-$tag" true warmup
    for ((r = 1; r <= RUNS; r++)); do
        run_shell seq 10 2 "r$r-seq-kex-$tag" false
        run_shell par 10 2 "r$r-par-kex-$tag" false
        run_greenlight 10 2 "r$r-gl-kex-$tag" false "10/2 curve25519 run $r"
        run_greenlight 100 10 "r$r-h100-kex-$tag" false "100/10 curve25519 run $r"
    done
    VARIANT=
fi

# ------------------------------------------------------------------------------------------- report
{
    echo "# Rolling benchmark run, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo
    echo "- machine: $(nproc) cores, $(lscpu | sed -n 's/^Model name: *//p'), $(free -g | awk '/^Mem:/ {print $2}') GiB memory"
    echo "- load average (1, 5, 15 min): $LOAD_AT_START at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
    echo "- OS: $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
    echo "- Java: $(java -version 2>&1 | head -1); service options: $GL_JAVA_OPTS"
    echo "- OpenSSH: $(ssh -V 2>&1); Ansible: $(ansible --version 2>/dev/null | awk "NR == 1"); nginx: $(/usr/sbin/nginx -v 2>&1 | sed 's/.*: //')"
    echo "- sshd key exchange: ${SSHD_KEX:-the OpenSSH defaults (from 9.0 on, sntrup761x25519-sha512 is preferred)}"
    echo "- Greenlight ssh.key-exchange: ${GL_KEX:-not set (the client default: ML-KEM hybrid, then sntrup761, then curve25519, …)}"
    [ -n "${GL_SSH_EXTRA:-}" ] && echo "- Greenlight ssh settings added: \`$GL_SSH_EXTRA\`"
    echo "- deploy user's shell start-up: plain (\`/etc/skel\`) in every pass but the slow-shell one"
    if [ -n "$SLOW_SHELL_SCALE" ]; then
        echo "- slow-shell pass ($SLOW_SHELL_SCALE): \`~/.bashrc\` runs $SLOW_SHELL_ITERATIONS turns of an empty bash loop first," \
            "$SLOW_SHELL_CPU_MS ms of CPU when calibrated (target $SLOW_SHELL_MS ms); \`ssh <host> true\` took" \
            "$SSH_TRUE_PLAIN_MS ms with the plain shell and $SSH_TRUE_SLOW_MS ms with the slow one (medians of 5)"
    fi
    echo "- database: ${GREENLIGHT_DB_URL:+PostgreSQL $(psql_admin -Atc 'show server_version' 2>/dev/null)}${GREENLIGHT_DB_URL:-embedded H2}"
    echo "- measured runs per method and point: $RUNS (after warm-up); scale points ${MEASURED_POINTS% }; shell loop alongside at ${SHELL_SCALE:-none}"
    echo
    "$PY" "$HERE/bench.py" report --results "$RESULTS" --java-opts="$GL_JAVA_OPTS"
} >"$REPORT"
cat "$REPORT"
log "report: $REPORT (every run: $RESULTS)"
