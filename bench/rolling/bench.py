#!/usr/bin/env python3
"""The measured side of the rolling benchmark, and the report. Every run appends one JSON line to --out, with
"ok" true only when it succeeded and every host holds the new version afterwards (hosts/<address>/version
under --work); the exit status is 0 exactly then.

  bench.py deploy    --api URL --token-env VAR --app A --env E --pid PID RUN...
      A Greenlight deployment: POSTs it, polls it until it ends (every 20 ms, one kept-alive connection;
      cancelled after --timeout), samples the service's RSS every 100 ms meanwhile, and records the service's
      own duration (finishedAt - startedAt), the end-to-end one (POST to seeing the end), peak RSS, CPU time
      and the per-step breakdown.

  bench.py baseline  --user U --command CMD --http-port P --path PATH... RUN...
      The same work with no SSH: per batch, its hosts in parallel, each runs CMD ({version}, {host}) in bash
      as user U, then GETs every PATH in parallel; timed from the first batch's start to the last one's end.

  bench.py record    --method M --seconds S --exit-code C RUN...
      Records a run timed by run.sh (the shell loop, Ansible).

  RUN: --work DIR --version V --hosts N --batch B --out FILE [--label L] [--variant X] [--warmup]
      (the hosts are the first N lines of DIR/hosts.txt)

  bench.py calibrate-shell --ms MS
      Prints how many turns of an empty bash loop take MS of CPU here, and the CPU time they took.

  bench.py report    --results FILE [--java-opts OPTS]
      Markdown on stdout: the targets against what was measured, then every method and point (medians of
      the measured runs, every run, success counts, Greenlight's step breakdown).

Standard library only.
"""
import argparse
import http.client
import json
import os
import pwd
import resource
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime


def ts(text):
    """ISO-8601 instant (as the API writes it) to epoch seconds."""
    if text is None:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


class Api:
    def __init__(self, base, token):
        u = urllib.parse.urlsplit(base)
        self.host, self.port = u.hostname, u.port
        self.token = token
        self.conn = None

    def call(self, method, path, body=None):
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
            try:
                headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = "application/json"
                self.conn.request(method, path, body=data, headers=headers)
                r = self.conn.getresponse()
                payload = r.read()
                return r.status, json.loads(payload) if payload else None
            except (http.client.HTTPException, ConnectionError, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise


class RssSampler(threading.Thread):
    """VmRSS of a process every `period` seconds until stopped; keeps the peak (kB)."""

    def __init__(self, pid, period=0.1):
        super().__init__(daemon=True)
        self.pid, self.period = pid, period
        self.peak = 0
        self.samples = 0
        self.stop_event = threading.Event()

    def read(self, field):
        try:
            with open(f"/proc/{self.pid}/status") as f:
                for line in f:
                    if line.startswith(field + ":"):
                        return int(line.split()[1])
        except OSError:
            pass
        return 0

    def run(self):
        while not self.stop_event.is_set():
            self.peak = max(self.peak, self.read("VmRSS"))
            self.samples += 1
            self.stop_event.wait(self.period)

    def stop(self):
        self.stop_event.set()
        self.join()
        self.peak = max(self.peak, self.read("VmRSS"))


def cpu_seconds(pid):
    """User + system CPU time of a process so far (all its threads)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except OSError:
        return None


def breakdown(d):
    """Where the time went, from the deployment's step records (seconds from startedAt)."""
    t0 = ts(d["startedAt"])
    steps = d.get("steps") or []
    rel = lambda t: None if t is None else round(ts(t) - t0, 3)
    pre = [s for s in steps if s["stage"] == "pre-check"]
    deploy = {s["host"]: s for s in steps if s["stage"] == "deploy"}
    health = {}
    for s in steps:
        if s["stage"] == "health":
            health.setdefault(s["host"], []).append(s)
    hosts = []
    for host, s in deploy.items():
        h = health.get(host, [])
        last = h[-1] if h else None
        hosts.append({
            "host": host,
            "deploy_start": rel(s["startedAt"]),
            "deploy_end": rel(s["finishedAt"]),
            "deploy_s": round(ts(s["finishedAt"]) - ts(s["startedAt"]), 3),
            "health_end": rel(last["finishedAt"]) if last else None,
            "health_s": round(ts(last["finishedAt"]) - ts(s["finishedAt"]), 3) if last else None,
            "health_attempts": len(h),
        })
    out = {
        "pre_check_start": min((rel(s["startedAt"]) for s in pre), default=None),
        "pre_check_end": max((rel(s["finishedAt"]) for s in pre), default=None),
        "hosts": hosts,
        "finished": rel(d["finishedAt"]),
        "steps": len(steps),
    }
    return out


def batches_of(b, batch):
    """Per batch: start (first deploy start), end (last health end), in host order."""
    hosts = b["hosts"]
    out = []
    for i in range(0, len(hosts), batch):
        group = hosts[i:i + batch]
        out.append({
            "start": min(h["deploy_start"] for h in group),
            "end": max(h["health_end"] or h["deploy_end"] for h in group),
        })
    return out


TERMINAL = ("succeeded", "failed", "rolled_back", "rollback_failed", "cancelled")


def host_addresses(work, n):
    """The first n host addresses, in order, as hosts.sh wrote them to WORK/hosts.txt."""
    with open(os.path.join(work, "hosts.txt")) as f:
        hosts = [line.strip() for line in f if line.strip()]
    if len(hosts) < n:
        raise SystemExit(f"{work}/hosts.txt lists {len(hosts)} hosts, {n} needed")
    return hosts[:n]


def version_problems(work, hosts, version):
    """Every host that does not hold `version` after a run, as readable lines."""
    out = []
    for host in hosts:
        try:
            with open(os.path.join(work, "hosts", host, "version")) as f:
                got = f.read().strip()
        except OSError:
            got = "<none>"
        if got != version:
            out.append(f"host {host} has version '{got}', expected '{version}'")
    return out


def load1():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def finish(a, rec, problems):
    """Checks every host's version unless the run already failed, appends the record, prints the outcome.
    Returns the exit status: 0 only for a run that succeeded and left every host on the new version."""
    if not problems:
        problems = version_problems(a.work, host_addresses(a.work, a.hosts), a.version)
    problems = [shorten(p) for p in problems]
    rec.update({"ok": not problems, "problems": problems[:10], "problem_count": len(problems),
                "load": load1()})
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    for line in problems[:10]:
        print("  " + line, file=sys.stderr)
    if len(problems) > 10:
        print(f"  … and {len(problems) - 10} more", file=sys.stderr)
    return 0 if not problems else 1


def base_record(a, method):
    return {"method": method, "label": a.label, "variant": a.variant, "hosts": a.hosts, "batch": a.batch,
            "warmup": a.warmup, "version": a.version}


def cmd_deploy(a):
    try:
        return deploy(a)
    except (http.client.HTTPException, OSError, ValueError, KeyError) as e:
        # the service did not answer as its API says: a failed run, recorded like any other
        rec = base_record(a, "greenlight")
        rec.update({"status": "no answer", "seconds": None})
        return finish(a, rec, [f"the API failed: {type(e).__name__}: {e}"])


def deploy(a):
    token = os.environ[a.token_env]
    api = Api(a.api, token)
    sampler = RssSampler(a.pid) if a.pid else None
    if sampler:
        sampler.start()
    cpu_before = cpu_seconds(a.pid) if a.pid else None
    t_post = time.time()
    status, created = api.call("POST", "/api/v1/deployments",
                               {"app": a.app, "environment": a.env, "version": a.version})
    if status != 202:
        if sampler:
            sampler.stop()
        rec = base_record(a, "greenlight")
        rec.update({"status": f"refused ({status})", "seconds": None})
        return finish(a, rec, [f"POST answered {status}: {created}"])
    dep_id = created["id"]
    deadline = time.time() + a.timeout
    d = None
    timed_out = False
    while True:
        _, d = api.call("GET", f"/api/v1/deployments/{dep_id}")
        if d["status"] in TERMINAL:
            break
        if time.time() > deadline and not timed_out:
            # stop it, so that it cannot run into the next deployment of this environment
            timed_out = True
            api.call("POST", f"/api/v1/deployments/{dep_id}/cancel", {"reason": "benchmark time-out"})
            deadline = time.time() + 120
        elif time.time() > deadline:
            break
        time.sleep(0.02)
    t_seen = time.time()
    cpu_after = cpu_seconds(a.pid) if a.pid else None
    if sampler:
        sampler.stop()
    problems = []
    if timed_out:
        problems.append(f"deployment {dep_id} still running after {a.timeout:.0f} s: cancelled")
    if d["status"] != "succeeded":
        problems += failure_summary(d)
    started, ended = ts(d.get("startedAt")), ts(d.get("finishedAt"))
    rec = base_record(a, "greenlight")
    rec.update({
        "deployment": dep_id,
        "status": d["status"],
        "seconds": round(ended - started, 3) if started and ended else None,
        "e2e_seconds": round(t_seen - t_post, 3),
        "queued_seconds": round(started - ts(d["createdAt"]), 3) if started else None,
        "rss_peak_kb": sampler.peak if sampler else None,
        "rss_hwm_kb": sampler.read("VmHWM") if sampler else None,
        "rss_samples": sampler.samples if sampler else None,
        "cpu_seconds": round(cpu_after - cpu_before, 2) if cpu_before is not None and cpu_after is not None else None,
        "breakdown": breakdown(d) if d["status"] == "succeeded" else None,
    })
    rc = finish(a, rec, problems)
    print(f"greenlight {a.label}: {d['status']}"
          + (f", {rec['seconds']:.3f} s (service)" if rec["seconds"] is not None else "")
          + f", {rec['e2e_seconds']:.3f} s end to end"
          + (f", peak RSS {rec['rss_peak_kb'] / 1024:.0f} MB" if sampler else "")
          + ("" if rc == 0 else ": FAILED"), file=sys.stderr)
    return rc


def shorten(text, most=300):
    text = " ".join(str(text).split())
    return text if len(text) <= most else text[:most - 1] + "…"


def failure_summary(d):
    """A failed deployment in a few lines: its status and detail, how many steps failed per stage, the first."""
    failed = [s for s in d.get("steps") or [] if s["status"] != "succeeded"]
    lines = [f"deployment {d['id']} ended {d['status']}: {shorten(d.get('detail'))}"]
    if failed:
        stages = {}
        for s in failed:
            stages[s["stage"]] = stages.get(s["stage"], 0) + 1
        lines.append("failed steps: " + ", ".join(f"{stage} × {n}" for stage, n in stages.items()))
        s = failed[0]
        lines.append(shorten(f"first: {s['stage']} {s['host']} #{s['attempt']}: {s['status']} {s.get('detail')}"))
    return lines


def cmd_baseline(a):
    """The same work with no SSH at all: per batch, its hosts in parallel, each running the deploy command
    in bash as the deploy user, then its six health paths in parallel (as Greenlight requests them)."""
    hosts = host_addresses(a.work, a.hosts)
    user = pwd.getpwnam(a.user)
    env = {"HOME": user.pw_dir, "USER": user.pw_name, "LOGNAME": user.pw_name, "SHELL": user.pw_shell,
           "PATH": "/usr/local/bin:/usr/bin:/bin"}

    def get(host, path):
        conn = http.client.HTTPConnection(host, a.http_port, timeout=2)
        try:
            conn.request("GET", path)
            r = conn.getresponse()
            r.read()
            return None if r.status == 200 else f"{host}{path}: HTTP {r.status}"
        except (http.client.HTTPException, OSError) as e:
            return f"{host}{path}: {e}"
        finally:
            conn.close()

    def update(host, paths_pool):
        command = a.command.replace("{version}", a.version).replace("{host}", host)
        p = subprocess.run(["/bin/bash", "-c", command], user=user.pw_uid, group=user.pw_gid, extra_groups=[],
                           env=env, cwd=user.pw_dir, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
        if p.returncode != 0:
            return [f"{host}: deploy command exited {p.returncode}: {p.stderr.decode(errors='replace').strip()}"]
        return [x for x in paths_pool.map(lambda path: get(host, path), a.path) if x]

    problems = []
    with ThreadPoolExecutor(a.batch) as host_pool, ThreadPoolExecutor(a.batch * len(a.path)) as paths_pool:
        t0 = time.monotonic()
        for i in range(0, len(hosts), a.batch):
            for result in host_pool.map(lambda h: update(h, paths_pool), hosts[i:i + a.batch]):
                problems += result
            if problems:  # like the other methods, a failure stops the rollout
                break
        seconds = time.monotonic() - t0
    rec = base_record(a, "no-ssh")
    rec["seconds"] = round(seconds, 3)
    rc = finish(a, rec, problems)
    print(f"no-ssh {a.label}: {seconds:.3f} s" + ("" if rc == 0 else ": FAILED"), file=sys.stderr)
    return rc


def cmd_record(a):
    """Records a run timed by run.sh (shell loop, Ansible): its exit status and the hosts' versions."""
    rec = base_record(a, a.method)
    rec["seconds"] = a.seconds
    problems = [] if a.exit_code == 0 else [f"{a.method} exited {a.exit_code}"]
    rc = finish(a, rec, problems)
    print(f"{a.method} {a.label}: {a.seconds:.3f} s" + ("" if rc == 0 else ": FAILED"), file=sys.stderr)
    return rc


def cmd_calibrate_shell(a):
    """How many turns of an empty bash loop take a.ms of CPU here: prints the count and the CPU time (ms) it
    was measured to take. CPU time, not wall time, so that other load on the machine does not shorten it."""
    def cpu_ms(turns):
        best = None
        for _ in range(3):
            r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run(["/bin/bash", "--norc", "-c", f"for ((i = 0; i < {turns}; i++)); do :; done"],
                           check=True, stdin=subprocess.DEVNULL)
            r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
            used = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) * 1000
            best = used if best is None else min(best, used)
        return best

    turns = 200000
    for _ in range(2):  # the second pass measures at about the final length
        turns = max(1, round(turns * a.ms / cpu_ms(turns)))
    print(turns, round(cpu_ms(turns)))
    return 0


# ---------------------------------------------------------------- report

KEX_VARIANT = "kex-curve25519"
# the same rounds with sessions closed when each deployment ends: every deployment opens all its sessions
COLD_VARIANT = "ssh-persist-0"
SLOW_VARIANT_PREFIX = "slow-shell-"
TARGET_MS_PER_HOST = 40
TARGET_RSS_MB = 512

LABELS = {
    "shell-seq": "Shell loop, sequential (ssh, then 6 × curl, host after host)",
    "shell-par": "Shell loop, the hosts of a batch in parallel (`&` / `wait`)",
    "ansible-lean": "Ansible, `gather_facts` off, pipelining on",
    "ansible-default": "Ansible, defaults (facts gathered, no pipelining)",
    "no-ssh": "No SSH at all: the same deploy commands and health calls, run locally (baseline)",
    "greenlight": "Greenlight, `finishedAt - startedAt`",
    "greenlight-e2e": "Greenlight, end to end (POST to seeing `succeeded`)",
}


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x):
    return "–" if x is None or x != x else f"{x:.2f}"


def fmt_mb(x):
    return "–" if x is None else f"{x:.0f}"


def slow_cost(variant):
    """'slow-shell-150ms' -> '150 ms'."""
    return variant[len(SLOW_VARIANT_PREFIX):].replace("ms", " ms")


def ok(r):
    return r.get("ok", True)  # records of earlier versions of this script were all of successful runs


def run_text(r, key="seconds"):
    """One run in a list of runs: its time, or why it failed."""
    if ok(r):
        return fmt(r[key])
    return "✗" + (f" ({fmt(r[key])})" if r.get(key) is not None else "")


def runs_line(rs, key="seconds"):
    return ", ".join(run_text(r, key) for r in rs)


def of(runs, method, hosts, batch):
    return [r for r in runs if r["method"] == method and r["hosts"] == hosts and r["batch"] == batch]


def times(rs, key="seconds"):
    return [r[key] for r in rs if ok(r) and r.get(key) is not None]


def success(rs):
    return f"{sum(ok(r) for r in rs)}/{len(rs)}"


def rss_mb(rs):
    peaks = [r["rss_peak_kb"] for r in rs if r.get("rss_peak_kb")]
    return max(peaks) / 1024 if peaks else None


def rounds_of(runs, first, second, hosts, batch):
    """Pairs of runs of two methods at one point, in run order (the benchmark's rounds: one of each)."""
    return list(zip(of(runs, first, hosts, batch), of(runs, second, hosts, batch)))


def good_rounds(runs, first, second, hosts, batch):
    """The rounds in which both runs succeeded."""
    return [(x, y) for x, y in rounds_of(runs, first, second, hosts, batch) if ok(x) and ok(y)]


def cmd_report(a):
    recs = [json.loads(line) for line in open(a.results) if line.strip()]
    measured = [r for r in recs if not r.get("warmup")]
    warmups = [r for r in recs if r.get("warmup")]
    main_runs = [r for r in measured if not r.get("variant")]
    out = []
    w = out.append

    targets(w, main_runs, warmups, measured, a)
    ten_hosts(w, main_runs)
    side_by_side(w, main_runs, "", list_failed=("shell-par",))  # Greenlight's failures: under "at scale"
    gl = [r for r in main_runs if r["method"] == "greenlight"]
    points = sorted({(r["hosts"], r["batch"]) for r in gl})
    if points:
        scale(w, gl, points, recs)
        steps(w, gl, points)
    slow_shell(w, measured, warmups)
    kex(w, measured, main_runs)
    cold_pass(w, measured)

    loads = [float(r["load"]) for r in measured if r.get("load")]
    if loads:
        w(f"1-minute load average of the machine when runs ended: median {med(loads):.1f}, min {min(loads):.1f}, "
          f"max {max(loads):.1f} ({os.cpu_count()} cores, shared).\n")
    print("\n".join(out))
    return 0


def targets(w, main_runs, warmups, measured, a):
    """The project's targets for this benchmark, each against what this run measured."""
    rows = []
    gl10 = of(main_runs, "greenlight", 10, 2)
    if rounds_of(main_runs, "greenlight", "no-ssh", 10, 2):
        diffs = [(g["seconds"] - b["seconds"]) / 10 * 1000 for g, b in good_rounds(main_runs, "greenlight", "no-ssh", 10, 2)]
        d = med(diffs)
        met = bool(diffs) and d <= TARGET_MS_PER_HOST and all(ok(r) for r in gl10)
        rows.append((f"10 hosts, batch 2: Greenlight within {TARGET_MS_PER_HOST} ms per host of the no-SSH baseline "
                     "(same rounds)",
                     f"{d:.0f} ms per host (median of {len(diffs)} rounds; Greenlight "
                     f"{fmt(med(times(gl10)))} s, baseline {fmt(med(times(of(main_runs, 'no-ssh', 10, 2))))} s); "
                     f"Greenlight succeeded {success(gl10)}" if diffs else f"no round where both succeeded; "
                     f"Greenlight succeeded {success(gl10)}",
                     "yes" if met else "no"))
    cold = [r for r in measured if r.get("variant") == COLD_VARIANT]
    cold_pairs = good_rounds(cold, "greenlight", "no-ssh", 10, 2)
    if cold_pairs:
        diffs = [(g["seconds"] - b["seconds"]) / 10 * 1000 for g, b in cold_pairs]
        gl10_cold = of(cold, "greenlight", 10, 2)
        met = med(diffs) <= TARGET_MS_PER_HOST and all(ok(r) for r in gl10_cold)
        rows.append((f"the same, sessions closed when each deployment ends (`greenlight.ssh.persist=0`): every "
                     f"deployment opens its 10 sessions", f"{med(diffs):.0f} ms per host (median of {len(diffs)} "
                     f"rounds; Greenlight {fmt(med(times(gl10_cold)))} s, baseline "
                     f"{fmt(med(times(of(cold, 'no-ssh', 10, 2))))} s); Greenlight succeeded {success(gl10_cold)}",
                     "yes" if met else "no"))
    gl100 = of(main_runs, "greenlight", 100, 10)
    if gl100:
        warm = of([r for r in warmups if not r.get("variant")], "greenlight", 100, 10)
        all_ok = all(ok(r) for r in gl100 + warm)
        rows.append(("100 hosts, batch 10: every deployment succeeds",
                     f"{success(gl100)} measured, {success(warm)} warm-up", "yes" if all_ok else "no"))
        sh = of(main_runs, "shell-par", 100, 10)
        if sh:
            g, s = med(times(gl100)), med(times(sh))
            wins = sum(1 for x, y in good_rounds(main_runs, "greenlight", "shell-par", 100, 10)
                       if x["seconds"] < y["seconds"])
            met = all_ok and all(ok(r) for r in sh) and g < s
            rows.append(("100 hosts, batch 10: faster than `ssh` + `curl` in batches of 10 (same rounds)",
                         f"Greenlight {fmt(g)} s, shell loop {fmt(s)} s (medians); Greenlight faster in {wins} of "
                         f"{len(sh)} rounds (counting only rounds both succeeded); shell loop succeeded {success(sh)}", "yes" if met else "no"))
        peak = rss_mb(gl100 + warm)
        heap = "-Xmx256m" in (a.java_opts or "").split()
        rows.append((f"100 hosts, batch 10: peak RSS under {TARGET_RSS_MB} MB at `-Xmx256m`",
                     f"{peak:.0f} MB, measured and warm-up runs (JVM options: `{a.java_opts}`)" if peak else "not sampled",
                     ("yes" if peak < TARGET_RSS_MB else "no") if peak and heap else
                     "not comparable (other JVM options)" if peak else "–"))
    gl300 = of(main_runs, "greenlight", 300, 30)
    if gl300:
        warm = of([r for r in warmups if not r.get("variant")], "greenlight", 300, 30)
        rows.append(("300 hosts, batch 30: every deployment succeeds",
                     f"{success(gl300)} measured, {success(warm)} warm-up; median {fmt(med(times(gl300)))} s, "
                     f"peak RSS {fmt_mb(rss_mb(gl300 + warm))} MB",
                     "yes" if all(ok(r) for r in gl300 + warm) else "no"))
    slow = [r for r in measured if r.get("variant", "").startswith(SLOW_VARIANT_PREFIX)]
    for hosts, batch in sorted({(r["hosts"], r["batch"]) for r in slow if r["method"] == "greenlight"}):
        rs = of(slow, "greenlight", hosts, batch)
        warm = of([r for r in warmups if r.get("variant") == rs[0]["variant"]], "greenlight", hosts, batch)
        sh = of(slow, "shell-par", hosts, batch)
        rows.append((f"{hosts} hosts, batch {batch}, a login shell whose start-up costs {slow_cost(rs[0]['variant'])} "
                     "of CPU: every deployment succeeds",
                     f"{success(rs)} measured, {success(warm)} warm-up; median {fmt(med(times(rs)))} s"
                     + (f" (shell loop in batches of {batch}: {fmt(med(times(sh)))} s, succeeded {success(sh)})"
                        if sh else ""),
                     "yes" if all(ok(r) for r in rs + warm) else "no"))
    if not rows:
        return
    w("### Targets\n")
    w("| target | measured | met? |")
    w("| --- | --- | --- |")
    for row in rows:
        w("| " + " | ".join(row) + " |")
    w("")


def ten_hosts(w, main_runs):
    w("### 10 hosts, batch 2\n")
    w("| method | succeeded | median (s) | min | max | all runs (s, in order) |")
    w("| --- | ---: | ---: | ---: | ---: | --- |")
    for method in LABELS:
        key = "e2e_seconds" if method == "greenlight-e2e" else "seconds"
        rs = of(main_runs, "greenlight" if method == "greenlight-e2e" else method, 10, 2)
        xs = times(rs, key)
        if rs:
            label = LABELS[method].replace("the hosts of a batch", "the 2 hosts of a batch")
            w(f"| {label} | {success(rs)} | **{fmt(med(xs))}** | {fmt(min(xs, default=None))} | "
              f"{fmt(max(xs, default=None))} | {runs_line(rs, key)} |")
    w("")
    failures(w, [r for r in main_runs if r["hosts"] == 10 and r["batch"] == 2 and r["method"] not in ("greenlight", "no-ssh")])
    rounds_table(w, main_runs, "#### Greenlight against the no-SSH baseline, round by round\n",
                 "The baseline runs the same deploy command (`bash -c`, as the deploy user) and the same six health "
                 "requests (in parallel) for each host, the hosts of a batch in parallel, batch after batch, with no "
                 "SSH: what is left of Greenlight's time over it is its orchestration and SSH overhead. Greenlight "
                 "keeps each host's session for `greenlight.ssh.persist` (60 s) after a deployment, and the rounds "
                 "come seconds apart, so these deployments reuse the sessions of the one before (the pass with "
                 "`greenlight.ssh.persist=0` below opens them every time). "
                 f"Target: at most {TARGET_MS_PER_HOST} ms per host.\n")


def cold_pass(w, measured):
    cold = [r for r in measured if r.get("variant") == COLD_VARIANT]
    if not cold:
        return
    rounds_table(w, cold, "### Sessions closed when each deployment ends (`greenlight.ssh.persist=0`)\n",
                 "The service restarted with `-Dgreenlight.ssh.persist=0` after the rounds above, on the same hosts: "
                 "every deployment opens its ten sessions (key exchange and authentication) in its pre-check, as "
                 "the first deployment after a quiet minute does. Rounds of the no-SSH baseline and Greenlight, as "
                 "above.\n")
    good = [r for r in of(cold, "greenlight", 10, 2) if ok(r) and r.get("breakdown")]
    if good:
        w(f"Pre-check (every session opened): median {fmt(med([r['breakdown']['pre_check_end'] for r in good]))} s.\n")


def rounds_table(w, runs, title, text):
    pairs = rounds_of(runs, "greenlight", "no-ssh", 10, 2)
    if pairs:
        w(title)
        w(text)
        w("| round | Greenlight (s) | no SSH (s) | difference (s) | per host (ms) |")
        w("| ---: | ---: | ---: | ---: | ---: |")
        diffs = []
        for i, (g, b) in enumerate(pairs, 1):
            if not (ok(g) and ok(b)):
                w(f"| {i} | {run_text(g)} | {run_text(b)} | – | – |")
                continue
            d = g["seconds"] - b["seconds"]
            diffs.append(d)
            w(f"| {i} | {fmt(g['seconds'])} | {fmt(b['seconds'])} | {d:.3f} | {d / 10 * 1000:.0f} |")
        good = [(g, b) for g, b in pairs if ok(g) and ok(b)]
        if good:
            w(f"| median | {fmt(med([g['seconds'] for g, _ in good]))} | {fmt(med([b['seconds'] for _, b in good]))} | "
              f"{med(diffs):.3f} | **{med(diffs) / 10 * 1000:.0f}** |")
        w("")
        failures(w, [r for g, b in pairs for r in (g, b)])


def side_by_side(w, runs, title_suffix, level="###", list_failed=("greenlight", "shell-par")):
    """Every point other than 10/2 where Greenlight and the shell loop ran in the same rounds."""
    points = sorted({(r["hosts"], r["batch"]) for r in runs if r["method"] == "shell-par"} - {(10, 2)})
    for hosts, batch in points:
        pairs = rounds_of(runs, "greenlight", "shell-par", hosts, batch)
        if not pairs:
            continue
        gl, sh = of(runs, "greenlight", hosts, batch), of(runs, "shell-par", hosts, batch)
        w(f"{level} {hosts} hosts, batch {batch}: Greenlight and the shell loop side by side{title_suffix}\n")
        w(f"Each round deploys once with Greenlight and once with the shell loop (`ssh` + `curl`, the {batch} hosts "
          "of a batch in parallel), alternating which goes first. ✗: the run failed.\n")
        w("| round | Greenlight (s) | shell loop (s) | Greenlight − shell loop (s) | Greenlight peak RSS (MB) |")
        w("| ---: | ---: | ---: | ---: | ---: |")
        for i, (g, s) in enumerate(pairs, 1):
            d = f"{g['seconds'] - s['seconds']:.2f}" if ok(g) and ok(s) else "–"
            w(f"| {i} | {run_text(g)} | {run_text(s)} | {d} | {fmt_mb(rss_mb([g]))} |")
        w(f"| median | **{fmt(med(times(gl)))}** | **{fmt(med(times(sh)))}** | | {fmt_mb(rss_mb(gl))} (peak) |")
        w(f"| succeeded | {success(gl)} | {success(sh)} | | |")
        w("")
        failures(w, [r for r in gl + sh if r["method"] in list_failed])


def failures(w, rs):
    failed = [r for r in rs if not ok(r)]
    if not failed:
        return
    w("Failed runs:\n")
    for r in failed:
        shown = (r.get("problems") or [])[:3]
        more = r.get("problem_count", 0) - len(shown)
        w(f"- {r['method']} {r['version']}: " + "; ".join(shown) + (f" (and {more} more)" if more > 0 else ""))
    w("")


def scale(w, gl, points, recs):
    w("### Greenlight at scale\n")
    w("| hosts | batch | batches | succeeded | median (s) | median end to end (s) | service CPU per deployment (s) | "
      "peak RSS (MB) | all runs (s, in order) |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for hosts, batch in points:
        rs = of(gl, "greenlight", hosts, batch)
        nb = -(-hosts // batch)
        cpu = med([r["cpu_seconds"] for r in rs if ok(r) and r.get("cpu_seconds") is not None])
        w(f"| {hosts} | {batch} | {nb} | {success(rs)} | **{fmt(med(times(rs)))}** | "
          f"{fmt(med(times(rs, 'e2e_seconds')))} | {fmt(cpu)} | {fmt_mb(rss_mb(rs))} | {runs_line(rs)} |")
    w("")
    hwm = max((r.get("rss_hwm_kb") or 0 for r in recs if r["method"] == "greenlight"), default=0) / 1024
    w("Times are of the runs that succeeded (✗: failed). Peak RSS: the largest VmRSS sample (every 100 ms, from the "
      "POST to seeing the end) of the service during the measured runs of that point. VmHWM (lifetime peak of the "
      f"process) after the last run: {hwm:.0f} MB.\n")
    failures(w, gl)


def steps(w, gl, points):
    gl = [r for r in gl if ok(r) and r.get("breakdown")]
    w("### Where Greenlight's time goes (medians over the measured runs that succeeded)\n")
    w("Seconds. *Pre-check*: `startedAt` to the last host's pre-check record (each is written once that host "
      "has been connected to and authenticated). *Batch*: first deploy start to last health record of the "
      "batch. *Deploy*: the deploy step of one host (the remote command takes 0.1 s). *Health*: deploy end to "
      "the health record (six paths in parallel).\n")
    w("| hosts | batch | pre-check | pre-check → first deploy | batch | deploy per host (median / max) | "
      "health per host (median / max) | between batches | last health → `finishedAt` | "
      "sum of batches | POST → `startedAt` |")
    w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for hosts, batch in points:
        rs = of(gl, "greenlight", hosts, batch)
        if rs:
            w("| " + " | ".join(breakdown_row(rs, hosts, batch)) + " |")
    w("")

    rs = sorted(of(gl, "greenlight", 10, 2), key=lambda r: r["seconds"])
    if rs:
        r = rs[len(rs) // 2]
        b = r["breakdown"]
        w(f"### The median 10-host run step by step (deployment {r['deployment']}, {r['seconds']:.3f} s)\n")
        w(f"Seconds from `startedAt`. Pre-check records (one per host, written after its SSH connection is up): "
          f"{b['pre_check_start']:.3f} … {b['pre_check_end']:.3f}. `finishedAt`: {b['finished']:.3f}.\n")
        w("| host | deploy starts | deploy ends | deploy (s) | health recorded | health (s) |")
        w("| --- | ---: | ---: | ---: | ---: | ---: |")
        for h in b["hosts"]:
            w(f"| {h['host']} | {h['deploy_start']:.3f} | {h['deploy_end']:.3f} | {h['deploy_s']:.3f} | "
              f"{h['health_end']:.3f} | {h['health_s']:.3f} |")
        w("")


def slow_shell(w, measured, warmups):
    variants = sorted({r["variant"] for r in measured if r.get("variant", "").startswith(SLOW_VARIANT_PREFIX)})
    for v in variants:
        runs = [r for r in measured if r.get("variant") == v]
        w(f"### Slow login shell: the deploy user's `~/.bashrc` burns {slow_cost(v)} of CPU\n")
        w("Every command run over SSH (Greenlight's pre-check probe and deploy command, the shell loop's `ssh`) "
          "starts bash, which runs the deploy user's `~/.bashrc` first. Failed runs are recorded, not fatal.\n")
        side_by_side(w, runs, ", slow login shell", "####")
        warm = [r for r in warmups if r.get("variant") == v]
        if warm:
            w(f"Warm-up runs of this pass: {', '.join(r['method'] + ' ' + ('ok' if ok(r) else 'failed') for r in warm)}.\n")
            failures(w, warm)


def kex(w, measured, main_runs):
    diag = [r for r in measured if r.get("variant") == KEX_VARIANT]
    if not diag:
        return
    w("### Diagnostic pass: sshd offering only `curve25519-sha256`\n")
    w("The same hosts with `KexAlgorithms curve25519-sha256` in sshd's configuration, so that neither client "
      "negotiates `sntrup761x25519-sha512`. Medians; the default-KEX medians from above for comparison.\n")
    w("| method | hosts / batch | succeeded | median (s), curve25519 | default KEX median (s) | pre-check, curve25519 | "
      "service CPU, curve25519 (s) | all runs, curve25519 (s) |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
    for method, hosts, batch in (("shell-seq", 10, 2), ("shell-par", 10, 2), ("greenlight", 10, 2),
                                 ("greenlight", 100, 10)):
        rs = of(diag, method, hosts, batch)
        if not rs:
            continue
        base = times(of(main_runs, method, hosts, batch))
        pre = cpu = "–"
        if method == "greenlight":
            good = [r for r in rs if ok(r) and r.get("breakdown")]
            pre = fmt(med([r["breakdown"]["pre_check_end"] for r in good]))
            cpu = fmt(med([r["cpu_seconds"] for r in good if r.get("cpu_seconds") is not None]))
        w(f"| {LABELS[method]} | {hosts} / {batch} | {success(rs)} | **{fmt(med(times(rs)))}** | "
          f"{fmt(med(base)) if base else '–'} | {pre} | {cpu} | {runs_line(rs)} |")
    w("")
    failures(w, diag)


def breakdown_row(rs, hosts, batch):
    pre, gap0, dep, hl, bt, gap, tail, total_b, queued = [], [], [], [], [], [], [], [], []
    for r in rs:
        b = r["breakdown"]
        pre.append(b["pre_check_end"])
        gap0.append(min(h["deploy_start"] for h in b["hosts"]) - b["pre_check_end"])
        dep += [h["deploy_s"] for h in b["hosts"]]
        hl += [h["health_s"] for h in b["hosts"] if h["health_s"] is not None]
        bs = batches_of(b, batch)
        bt += [x["end"] - x["start"] for x in bs]
        total_b.append(sum(x["end"] - x["start"] for x in bs))
        gap += [bs[i + 1]["start"] - bs[i]["end"] for i in range(len(bs) - 1)]
        tail.append(b["finished"] - max(h["health_end"] or h["deploy_end"] for h in b["hosts"]))
        queued.append(r["queued_seconds"])
    return [str(hosts), str(batch), fmt(med(pre)), f"{med(gap0):.3f}", f"{med(bt):.3f}",
            f"{med(dep):.3f} / {max(dep):.3f}", f"{med(hl):.3f} / {max(hl):.3f}", f"{med(gap):.3f}" if gap else "–",
            f"{med(tail):.3f}", fmt(med(total_b)), f"{med(queued):.3f}"]


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)

    def run_args(q):
        q.add_argument("--work", required=True, help="the benchmark's work directory (hosts.txt, hosts/)")
        q.add_argument("--version", required=True)
        q.add_argument("--hosts", type=int, required=True, help="the first HOSTS addresses of hosts.txt")
        q.add_argument("--batch", type=int, required=True)
        q.add_argument("--out", required=True)
        q.add_argument("--label", default="")
        q.add_argument("--variant", default="")
        q.add_argument("--warmup", action="store_true")

    d = sub.add_parser("deploy")
    run_args(d)
    d.add_argument("--api", required=True)
    d.add_argument("--token-env", required=True)
    d.add_argument("--app", required=True)
    d.add_argument("--env", required=True)
    d.add_argument("--pid", type=int)
    d.add_argument("--timeout", type=float, default=300)
    b = sub.add_parser("baseline")
    run_args(b)
    b.add_argument("--user", required=True)
    b.add_argument("--command", required=True, help="the deploy command, with {version} and {host}")
    b.add_argument("--http-port", type=int, required=True)
    b.add_argument("--path", action="append", required=True, help="a health path (repeat for each)")
    c = sub.add_parser("record")
    run_args(c)
    c.add_argument("--method", required=True)
    c.add_argument("--seconds", type=float, required=True)
    c.add_argument("--exit-code", type=int, required=True)
    k = sub.add_parser("calibrate-shell")
    k.add_argument("--ms", type=float, required=True)
    r = sub.add_parser("report")
    r.add_argument("--results", required=True)
    r.add_argument("--java-opts", default="")
    a = p.parse_args()
    return {"deploy": cmd_deploy, "baseline": cmd_baseline, "record": cmd_record,
            "calibrate-shell": cmd_calibrate_shell, "report": cmd_report}[a.cmd](a)


if __name__ == "__main__":
    sys.exit(main())
