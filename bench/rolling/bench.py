#!/usr/bin/env python3
"""Greenlight side of the rolling benchmark, and the report.

  bench.py deploy  --api URL --token-env VAR --app A --env E --version V --pid PID --out FILE [--label L]
      POSTs a deployment, polls it until it ends (every 20 ms, one kept-alive connection), samples the
      service's RSS every 100 ms meanwhile, and appends one JSON line to FILE: the service's own duration
      (finishedAt - startedAt), the end-to-end one (POST to seeing the end), the peak RSS and the per-step
      breakdown. Exits non-zero unless the deployment succeeded.

  bench.py report  --results FILE --machine FILE
      Markdown tables of every run in FILE (medians, all runs, Greenlight's step breakdown) on stdout.

Standard library only.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time
import urllib.parse
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


def cmd_deploy(a):
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
        print(f"POST answered {status}: {created}", file=sys.stderr)
        return 1
    dep_id = created["id"]
    deadline = time.time() + a.timeout
    d = None
    while time.time() < deadline:
        _, d = api.call("GET", f"/api/v1/deployments/{dep_id}")
        if d["status"] not in ("queued", "running"):
            break
        time.sleep(0.02)
    t_seen = time.time()
    cpu_after = cpu_seconds(a.pid) if a.pid else None
    if sampler:
        sampler.stop()
    if d is None or d["status"] != "succeeded":
        print(f"deployment {dep_id} ended {d and d['status']}: {d and d.get('detail')}", file=sys.stderr)
        if d:
            for s in d.get("steps") or []:
                if s["status"] != "succeeded":
                    print(f"  {s['stage']} {s['host']} #{s['attempt']}: {s['status']} {s.get('detail')}",
                          file=sys.stderr)
        return 1
    rec = {
        "method": "greenlight",
        "label": a.label,
        "variant": a.variant,
        "hosts": a.hosts,
        "batch": a.batch,
        "warmup": a.warmup,
        "version": a.version,
        "deployment": dep_id,
        "seconds": round(ts(d["finishedAt"]) - ts(d["startedAt"]), 3),
        "e2e_seconds": round(t_seen - t_post, 3),
        "queued_seconds": round(ts(d["startedAt"]) - ts(d["createdAt"]), 3),
        "rss_peak_kb": sampler.peak if sampler else None,
        "rss_hwm_kb": sampler.read("VmHWM") if sampler else None,
        "rss_samples": sampler.samples if sampler else None,
        "cpu_seconds": round(cpu_after - cpu_before, 2) if cpu_before is not None and cpu_after is not None else None,
        "load": open("/proc/loadavg").read().split()[0],
        "breakdown": breakdown(d),
    }
    with open(a.out, "a") as f:
        f.write(json.dumps(rec) + "\n")
    print(f"greenlight {a.label}: {rec['seconds']:.3f} s (service), {rec['e2e_seconds']:.3f} s end to end"
          + (f", peak RSS {rec['rss_peak_kb'] / 1024:.0f} MB" if sampler else ""), file=sys.stderr)
    return 0


# ---------------------------------------------------------------- report

def med(xs):
    return statistics.median(xs) if xs else float("nan")


def fmt(x):
    return f"{x:.2f}"


def runs_line(xs):
    return ", ".join(fmt(x) for x in xs)


def cmd_report(a):
    recs = [json.loads(line) for line in open(a.results) if line.strip()]
    measured = [r for r in recs if not r.get("warmup")]
    main_runs = [r for r in measured if not r.get("variant")]
    out = []
    w = out.append

    labels = {
        "shell-seq": "Shell loop, sequential (ssh, then 6 × curl, host after host)",
        "shell-par": "Shell loop, the 2 hosts of a batch in parallel (`&` / `wait`)",
        "ansible-lean": "Ansible, `gather_facts` off, pipelining on",
        "ansible-default": "Ansible, defaults (facts gathered, no pipelining)",
        "greenlight": "Greenlight, `finishedAt - startedAt`",
        "greenlight-e2e": "Greenlight, end to end (POST to seeing `succeeded`)",
    }

    def series(runs, method, hosts, batch):
        key = "seconds"
        if method == "greenlight-e2e":
            method, key = "greenlight", "e2e_seconds"
        return [r[key] for r in runs if r["method"] == method and r["hosts"] == hosts and r["batch"] == batch]

    w("### 10 hosts, batch 2\n")
    w("| method | median (s) | min | max | all runs (s, in order) |")
    w("| --- | ---: | ---: | ---: | --- |")
    for method in labels:
        xs = series(main_runs, method, 10, 2)
        if xs:
            w(f"| {labels[method]} | **{fmt(med(xs))}** | {fmt(min(xs))} | {fmt(max(xs))} | {runs_line(xs)} |")
    w("")

    gl = [r for r in main_runs if r["method"] == "greenlight"]
    points = sorted({(r["hosts"], r["batch"]) for r in gl})
    if points:
        w("### Greenlight at scale\n")
        w("| hosts | batch | batches | median (s) | median end to end (s) | service CPU per deployment (s) | "
          "peak RSS (MB) | all runs (s, in order) |")
        w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |")
        for hosts, batch in points:
            rs = [r for r in gl if r["hosts"] == hosts and r["batch"] == batch]
            xs = [r["seconds"] for r in rs]
            nb = -(-hosts // batch)
            rss = max(r["rss_peak_kb"] or 0 for r in rs) / 1024
            cpu = med([r["cpu_seconds"] for r in rs if r.get("cpu_seconds") is not None])
            w(f"| {hosts} | {batch} | {nb} | **{fmt(med(xs))}** | {fmt(med([r['e2e_seconds'] for r in rs]))} | "
              f"{fmt(cpu)} | {rss:.0f} | {runs_line(xs)} |")
        w("")
        hwm = max(r["rss_hwm_kb"] or 0 for r in recs if r["method"] == "greenlight") / 1024
        w("Peak RSS: the largest VmRSS sample (every 100 ms, from the POST to seeing the end) of the service "
          f"during the measured runs of that point. VmHWM (lifetime peak of the process) after the last run: "
          f"{hwm:.0f} MB.\n")

        w("### Where Greenlight's time goes (medians over the measured runs)\n")
        w("Seconds. *Pre-check*: `startedAt` to the last host's pre-check record (each is written once that host "
          "has been connected to and authenticated). *Batch*: first deploy start to last health record of the "
          "batch. *Deploy*: the deploy step of one host (the remote command takes 0.1 s). *Health*: deploy end to "
          "the health record (six paths in parallel).\n")
        w("| hosts | batch | pre-check | pre-check → first deploy | batch | deploy per host (median / max) | "
          "health per host (median / max) | between batches | last health → `finishedAt` | "
          "sum of batches | POST → `startedAt` |")
        w("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for hosts, batch in points:
            rs = [r for r in gl if r["hosts"] == hosts and r["batch"] == batch]
            w("| " + " | ".join(breakdown_row(rs, hosts, batch)) + " |")
        w("")

        rs = sorted([r for r in gl if r["hosts"] == 10], key=lambda r: r["seconds"])
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

    diag = [r for r in measured if r.get("variant")]
    if diag:
        w("### Diagnostic pass: sshd offering only `curve25519-sha256`\n")
        w("The same hosts with `KexAlgorithms curve25519-sha256` in sshd's configuration, so that neither client "
          "negotiates `sntrup761x25519-sha512`. Medians; the default-KEX medians from above for comparison.\n")
        w("| method | hosts / batch | median (s), curve25519 | default KEX median (s) | pre-check, curve25519 | "
          "service CPU, curve25519 (s) | all runs, curve25519 (s) |")
        w("| --- | ---: | ---: | ---: | ---: | ---: | --- |")
        for method, hosts, batch in (("shell-seq", 10, 2), ("shell-par", 10, 2), ("greenlight", 10, 2),
                                     ("greenlight", 100, 10)):
            xs = series(diag, method, hosts, batch)
            if not xs:
                continue
            base = series(main_runs, method, hosts, batch)
            pre = cpu = "–"
            if method == "greenlight":
                rs = [r for r in diag if r["method"] == method and r["hosts"] == hosts]
                pre = fmt(med([r["breakdown"]["pre_check_end"] for r in rs]))
                cpu = fmt(med([r["cpu_seconds"] for r in rs if r.get("cpu_seconds") is not None]))
            w(f"| {labels[method]} | {hosts} / {batch} | **{fmt(med(xs))}** | {fmt(med(base)) if base else '–'} | "
              f"{pre} | {cpu} | {runs_line(xs)} |")
        w("")

    loads = [float(r["load"]) for r in measured if r.get("load")]
    if loads:
        w(f"1-minute load average of the machine when runs ended: median {med(loads):.1f}, min {min(loads):.1f}, "
          f"max {max(loads):.1f} (2 cores, shared).\n")
    print("\n".join(out))
    return 0


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
    d = sub.add_parser("deploy")
    d.add_argument("--api", required=True)
    d.add_argument("--token-env", required=True)
    d.add_argument("--app", required=True)
    d.add_argument("--env", required=True)
    d.add_argument("--version", required=True)
    d.add_argument("--hosts", type=int, required=True)
    d.add_argument("--batch", type=int, required=True)
    d.add_argument("--pid", type=int)
    d.add_argument("--out", required=True)
    d.add_argument("--label", default="")
    d.add_argument("--variant", default="")
    d.add_argument("--warmup", action="store_true")
    d.add_argument("--timeout", type=float, default=300)
    r = sub.add_parser("report")
    r.add_argument("--results", required=True)
    a = p.parse_args()
    return cmd_deploy(a) if a.cmd == "deploy" else cmd_report(a)


if __name__ == "__main__":
    sys.exit(main())
