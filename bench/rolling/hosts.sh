# Simulated hosts for the rolling benchmark, sourced by run.sh.
#
# Each host is a loopback address, i = 1..MAX_HOSTS, a hundred per third octet: 127.0.0.11 … 127.0.0.110,
# then 127.0.1.11 … 127.0.1.110, 127.0.2.11 …; WORK/hosts.txt lists them in order, one a line. Each has:
#   - an OpenSSH server at SSH_PORT: sshd processes of our own (own configs, host key, authorized_keys,
#     pid files), one per ten addresses, logging in the unprivileged user BENCH_USER;
#   - a directory WORK/hosts/<address>/ where the deploy command records the version;
#   - HTTP health paths: one nginx process of our own listening on every address at HTTP_PORT.
# Nothing listens outside 127.0.0.0/8. hosts_stop ends both servers by the pids they wrote.
# Also sourced by shell-loop.sh, for the health paths, the deploy command and the ssh options. The set-up
# functions use log, die, PY and HERE from run.sh.

MAX_HOSTS=${MAX_HOSTS:-100}
SSH_PORT=${SSH_PORT:-2222}
HTTP_PORT=${HTTP_PORT:-18290}
BENCH_USER=${BENCH_USER:-glbench}
HEALTH_PATHS=(/health /health/db /health/errors /api/v1/health /api/v1/auth/status /api/v1/stats)

HOSTS_PER_OCTET=100
MAX_HOSTS_LIMIT=$((10 * HOSTS_PER_OCTET)) # up to 127.0.9.110

host_addr() {
    local j=$(($1 - 1))
    echo "127.0.$((j / HOSTS_PER_OCTET)).$((11 + j % HOSTS_PER_OCTET))"
}

# The first $1 host addresses, one per line.
host_list() {
    local i
    for ((i = 1; i <= $1; i++)); do host_addr "$i"; done
}

# The deploy command run on a host; $1 = version, $2 = host address (the same text for every method).
deploy_command() {
    echo "sleep 0.1; echo $1 > $WORK/hosts/$2/version"
}

# OpenSSH client options of every ssh the benchmark runs: the deploy key, host keys checked, no prompts.
SSH_OPTS=(-F /dev/null -p "$SSH_PORT" -i "$WORK/ssh/deploy_ed25519" -o IdentitiesOnly=yes -o BatchMode=yes
          -o StrictHostKeyChecking=yes -o UserKnownHostsFile="$WORK/ssh/known_hosts" -o ConnectTimeout=10)

need_packages() {
    local missing=()
    command -v sshd >/dev/null 2>&1 || [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
    command -v ssh >/dev/null 2>&1 || missing+=(openssh-client)
    command -v ssh-keyscan >/dev/null 2>&1 || missing+=(openssh-client)
    command -v ansible-playbook >/dev/null 2>&1 || missing+=(ansible)
    [ -x /usr/sbin/nginx ] || missing+=(nginx-light)
    command -v curl >/dev/null 2>&1 || missing+=(curl)
    [ -x /usr/bin/python3 ] || missing+=(python3)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing: ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

# The deploy user: a plain account whose non-interactive shell reads no start-up files that take time.
ensure_user() {
    if ! id "$BENCH_USER" >/dev/null 2>&1; then
        log "creating user $BENCH_USER"
        useradd --create-home --shell /bin/bash "$BENCH_USER"
    fi
    # no password at all ('*'), rather than a locked one ('!'): without PAM, sshd refuses locked accounts
    if [ "$(getent shadow "$BENCH_USER" | cut -d: -f2)" != '*' ]; then usermod -p '*' "$BENCH_USER"; fi
}

# The slow-shell scenario: the deploy user's ~/.bashrc burns about $1 ms of CPU before anything else, each
# time bash starts. Bash reads ~/.bashrc for a command run by sshd (not for other non-interactive shells), so
# every ssh command pays it, as with a login account that runs e.g. `pyenv init` there. The burn is a bash
# loop whose length is calibrated here by CPU time (not wall time), so that a busy machine makes it slower,
# as it would a real start-up file. Put before the skeleton's early return for non-interactive shells.
SLOW_SHELL_BEGIN="# >>> rolling benchmark: slow shell start-up"
SLOW_SHELL_END="# <<< rolling benchmark"
SLOW_SHELL_ITERATIONS=
SLOW_SHELL_CPU_MS=

slow_shell_on() {
    local ms=$1 home rc calibration
    home=$(getent passwd "$BENCH_USER" | cut -d: -f6)
    rc=$home/.bashrc
    slow_shell_off
    calibration=$("$PY" "$HERE/bench.py" calibrate-shell --ms "$ms") || die "could not calibrate the slow shell"
    read -r SLOW_SHELL_ITERATIONS SLOW_SHELL_CPU_MS <<<"$calibration"
    {
        echo "$SLOW_SHELL_BEGIN"
        echo "# about $ms ms of CPU ($SLOW_SHELL_CPU_MS ms measured when written), then a mark the benchmark checks"
        echo "for ((bench_i = 0; bench_i < $SLOW_SHELL_ITERATIONS; bench_i++)); do :; done; unset bench_i"
        echo "export BENCH_SLOW_SHELL_MS=$ms"
        echo "$SLOW_SHELL_END"
        if [ -f "$rc" ]; then cat "$rc"; fi
    } >"$rc.bench"
    chown "$BENCH_USER": "$rc.bench"
    mv "$rc.bench" "$rc"
    # the scenario is real only if sshd's bash reads the file
    local seen
    seen=$(ssh "${SSH_OPTS[@]}" "$BENCH_USER@$(host_addr 1)" 'echo "${BENCH_SLOW_SHELL_MS:-none}"') \
        || die "slow shell: ssh to $(host_addr 1) failed"
    [ "$seen" = "$ms" ] || die "slow shell: an ssh command did not run ~/.bashrc's start-up (saw '$seen')"
    log "slow shell on: $BENCH_USER's ~/.bashrc burns $SLOW_SHELL_ITERATIONS loop turns, $SLOW_SHELL_CPU_MS ms of CPU"
}

slow_shell_off() {
    local home rc
    home=$(getent passwd "$BENCH_USER" | cut -d: -f6) || return 0
    rc=$home/.bashrc
    [ -f "$rc" ] && grep -qF "$SLOW_SHELL_BEGIN" "$rc" || return 0
    sed -i "/^$SLOW_SHELL_BEGIN\$/,/^$SLOW_SHELL_END\$/d" "$rc"
}

hosts_setup() {
    local n i a
    n=$MAX_HOSTS
    mkdir -p "$WORK/ssh" "$WORK/hosts" "$WORK/nginx"
    chmod 755 "$WORK" "$WORK/hosts"
    host_list "$n" >"$WORK/hosts.txt"
    for a in $(host_list "$n"); do
        mkdir -p "$WORK/hosts/$a"
        rm -f "$WORK/hosts/$a/version"
    done
    chown -R "$BENCH_USER" "$WORK/hosts"

    # keys: the server's host key and the deployer's client key (no passphrase), made once
    [ -f "$WORK/ssh/host_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bench-host -f "$WORK/ssh/host_ed25519"
    [ -f "$WORK/ssh/deploy_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C bench-deploy -f "$WORK/ssh/deploy_ed25519"
    cp "$WORK/ssh/deploy_ed25519.pub" "$WORK/ssh/authorized_keys"
    chmod 644 "$WORK/ssh/authorized_keys"

    # One sshd per group of ten addresses: OpenSSH listens on at most 16 sockets per process.
    hosts_stop
    mkdir -p /run/sshd
    local g first last
    for ((g = 0; g * 10 < n; g++)); do
        first=$((g * 10 + 1))
        last=$((g * 10 + 10 < n ? g * 10 + 10 : n))
        {
            echo "# sshd of the rolling benchmark, hosts $first..$last: loopback only, key authentication only"
            for ((i = first; i <= last; i++)); do echo "ListenAddress $(host_addr "$i"):$SSH_PORT"; done
            echo "HostKey $WORK/ssh/host_ed25519"
            echo "PidFile $WORK/ssh/sshd-$g.pid"
            echo "AuthorizedKeysFile $WORK/ssh/authorized_keys"
            echo "AllowUsers $BENCH_USER"
            echo "PermitRootLogin no"
            echo "PubkeyAuthentication yes"
            echo "PasswordAuthentication no"
            echo "KbdInteractiveAuthentication no"
            echo "UsePAM no"
            echo "StrictModes no"
            echo "UseDNS no"
            echo "PrintMotd no"
            echo "PrintLastLog no"
            echo "MaxSessions 100"
            echo "MaxStartups 200:30:400"
            echo "LogLevel ERROR"
            # diagnostics only: restrict the key exchanges the server offers (default: OpenSSH's own list)
            if [ -n "${SSHD_KEX:-}" ]; then echo "KexAlgorithms $SSHD_KEX"; fi
        } >"$WORK/ssh/sshd-$g.conf"
        /usr/sbin/sshd -t -f "$WORK/ssh/sshd-$g.conf"
        /usr/sbin/sshd -f "$WORK/ssh/sshd-$g.conf" -E "$WORK/ssh/sshd-$g.log"
    done

    {
        echo "# nginx of the rolling benchmark: the six health paths on every host address"
        echo "worker_processes 1;"
        echo "worker_rlimit_nofile 16384;"
        echo "pid $WORK/nginx/nginx.pid;"
        echo "error_log $WORK/nginx/error.log warn;"
        echo "events { worker_connections 4096; }"
        echo "http {"
        echo "  access_log off;"
        for t in client_body proxy fastcgi uwsgi scgi; do echo "  ${t}_temp_path $WORK/nginx/$t;"; done
        echo "  keepalive_requests 100000;"
        echo "  server {"
        for a in $(host_list "$n"); do echo "    listen $a:$HTTP_PORT;"; done
        for p in "${HEALTH_PATHS[@]}"; do echo "    location = $p { default_type text/plain; return 200 \"ok\\n\"; }"; done
        echo "    location / { return 404; }"
        echo "  }"
        echo "}"
    } >"$WORK/nginx/nginx.conf"
    /usr/sbin/nginx -t -q -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"
    /usr/sbin/nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf"

    # both servers up on the last address, within 10 s
    for ((i = 0; i < 100; i++)); do
        if (exec 3<>"/dev/tcp/$(host_addr "$n")/$SSH_PORT") 2>/dev/null \
            && curl -fsS -o /dev/null -m 1 "http://$(host_addr "$n"):$HTTP_PORT/health"; then
            break
        fi
        sleep 0.1
    done

    # known_hosts: one "[127.0.x.y]:port ssh-ed25519 ..." line per address, as the server presents it
    # (one ssh-keyscan for all of them: it scans the addresses it is given concurrently)
    # (one ssh-keyscan for all of them: it scans the addresses it is given concurrently; on a busy machine a
    # scan can time out, hence up to three tries)
    local try
    for try in 1 2 3; do
        host_list "$n" | ssh-keyscan -T 5 -p "$SSH_PORT" -t ed25519 -f - 2>/dev/null | sort -V >"$WORK/ssh/known_hosts"
        [ "$(grep -c ssh-ed25519 "$WORK/ssh/known_hosts")" -eq "$n" ] && break
        [ "$try" -lt 3 ] || die "ssh-keyscan did not return a host key for each of the $n addresses"
        log "ssh-keyscan: $(grep -c ssh-ed25519 "$WORK/ssh/known_hosts") of $n host keys, scanning again"
    done
    chmod 644 "$WORK/ssh/known_hosts"
    log "hosts ready: $n addresses $(host_addr 1) … $(host_addr "$n"), sshd :$SSH_PORT, nginx :$HTTP_PORT"
}

# Running and not a zombie (a stopped daemon stays a zombie until init reaps it).
alive() {
    local state
    state=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$state" ] && [ "$state" != Z ]
}

# Stops the processes whose pid files are given: TERM to all, up to 5 s, then KILL.
stop_pidfiles() {
    local f pid pids=() i
    for f in "$@"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        if [ -n "$pid" ] && alive "$pid"; then
            kill "$pid" 2>/dev/null && pids+=("$pid")
        fi
        rm -f "$f"
    done
    for ((i = 0; i < 50; i++)); do
        local left=()
        for pid in ${pids[@]+"${pids[@]}"}; do alive "$pid" && left+=("$pid"); done
        [ ${#left[@]} -eq 0 ] && return 0
        pids=("${left[@]}")
        sleep 0.1
    done
    kill -9 "${pids[@]}" 2>/dev/null || true
}

hosts_stop() {
    stop_pidfiles "$WORK"/ssh/sshd-*.pid "$WORK/nginx/nginx.pid"
}
