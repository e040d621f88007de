#!/usr/bin/env python3
"""The release benchmark's figures (bench/blue-green/release.sh).

record: one scenario of one run as a JSON line: wrk's three phases (count.lua's RESULT lines), the deployment's
        steps as times, and whether it ended as expected with the expected colour answering through the proxy.
report: the Markdown results from all those lines.
"""
import argparse
import datetime
import json
import re
import statistics
import sys


def wrk_result(path):
    for line in open(path):
        if line.startswith("RESULT "):
            r = json.loads(line[len("RESULT "):])
            r["errors"] = r["connect"] + r["read"] + r["write"] + r["timeout"]
            r["failed"] = r["errors"] + r["non2xx"]
            return r
    raise SystemExit(f"{path}: wrk printed no RESULT line:\n{open(path).read()}")


def instant(text):
    # Java writes up to nine fraction digits; Python reads six
    text = re.sub(r"(\.\d{6})\d+", r"\1", text.replace("Z", "+00:00"))
    return datetime.datetime.fromisoformat(text).timestamp()


def steps(deployment, stage):
    return [s for s in deployment["steps"] if s["stage"] == stage and s.get("finishedAt")]


def ms(start, end):
    return None if start is None or end is None else round((end - start) * 1000)


def record(a):
    d = json.load(open(a.deployment))
    phases = {p: wrk_result(getattr(a, p)) for p in ("before", "during", "after")}
    answer = open(a.answer).read().strip()
    status, color, version = a.expect.split()
    ok = d["status"] == status and f'"color":"{color}"' in answer and f'"version":"{version}"' in answer
    end = instant(d["finishedAt"]) if d.get("finishedAt") else None
    out = {"mode": a.mode, "scenario": a.scenario, "run": a.run, "deployment": d["id"], "version": d["version"],
           "status": d["status"], "ok": ok, "answer": answer, "expected": a.expect, "phases": phases,
           "asked_to_end_ms": ms(float(a.asked), end)}
    switch = steps(d, "switch")
    if switch:
        out["switch_ms"] = ms(instant(switch[0]["startedAt"]), instant(switch[-1]["finishedAt"]))
        out["asked_to_switched_ms"] = ms(float(a.asked), instant(switch[-1]["finishedAt"]))
    failed_watch = [s for s in steps(d, "watch") if s["status"] == "failed"]
    back = steps(d, "rollback-switch")
    health = steps(d, "rollback-health")
    if failed_watch:
        detected = instant(failed_watch[0]["finishedAt"])
        out["watch_failure"] = failed_watch[0]["detail"]
        if switch:
            out["switch_to_detection_ms"] = ms(instant(switch[-1]["finishedAt"]), detected)
        out["detection_to_traffic_back_ms"] = ms(detected, instant(back[-1]["finishedAt"])) if back else None
        out["detection_to_health_verified_ms"] = ms(detected, instant(health[-1]["finishedAt"])) if health else None
        if back:
            out["rollback_switch_ms"] = ms(instant(back[0]["startedAt"]), instant(back[-1]["finishedAt"]))
    print(json.dumps(out))


NAMES = {"haproxy": "HAProxy, keep-alive", "nginx-keepalive": "nginx, keep-alive",
         "nginx-close": "nginx, Connection: close"}
SCENARIOS = ["release", "manual-rollback", "watch-rollback"]


def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def fmt_ms(x):
    return "–" if x is None else f"{x:,.0f} ms"


def p99(rs, phase):
    return med([r["phases"][phase]["p99_us"] / 1000 for r in rs])


def rate(rs, phase):
    return med([r["phases"][phase]["requests"] / (r["phases"][phase]["duration_us"] / 1e6) for r in rs])


def report(a):
    runs = [json.loads(l) for l in open(a.runs) if l.strip()]
    modes = [m for m in NAMES if any(r["mode"] == m for r in runs)]
    total = sum(p["requests"] for r in runs for p in r["phases"].values())
    failed = sum(p["failed"] for r in runs for p in r["phases"].values())
    n_runs = max(r["run"] for r in runs)
    out = [f"# Blue-green release under load ({a.started})", "",
           f"`bench/blue-green/release.sh` with {a.settings}. Greenlight (`target/greenlight.jar`) deploys over "
           "OpenSSH to hosts on loopback; each host has the shipped proxy configuration (HAProxy or nginx) in front of "
           "two colours of a small app (an nginx per colour, started and stopped by the deploy and stop commands), "
           "and the environment's switch is the shipped `examples/<proxy>/greenlight-switch`. wrk runs before (a "
           "fixed phase), during (from just before the deployment is asked for until it has ended) and after (a "
           "fixed phase) each scenario.", "",
           "Machine (shared with other engineers' test runs):", "", a.machine, "",
           f"All phases of all runs: {failed:,} failed requests out of {total:,}.", "",
           "## Failed requests and latency", "",
           f"Failed requests (non-2xx answers and wrk's socket errors) are summed over the {n_runs} runs and the three "
           "phases; requests/s and p99 latencies are medians of the runs.", "",
           "| scenario | proxy, clients | failed / requests | ok runs | req/s during | p99 before | p99 during | p99 after |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for s in SCENARIOS:
        for m in modes:
            rs = [r for r in runs if r["mode"] == m and r["scenario"] == s]
            if not rs:
                continue
            req = sum(p["requests"] for r in rs for p in r["phases"].values())
            bad = sum(p["failed"] for r in rs for p in r["phases"].values())
            out.append(f"| {s} | {NAMES[m]} | {bad:,} / {req:,} | {sum(r['ok'] for r in rs)}/{len(rs)} | "
                       f"{rate(rs, 'during'):,.0f} | {p99(rs, 'before'):.1f} ms | {p99(rs, 'during'):.1f} ms | "
                       f"{p99(rs, 'after'):.1f} ms |")
    out += ["", "## Times (medians of the runs)", "",
            "For the watch-triggered rollback: from the end of the first failing watch probe (its step's recorded "
            "time) to the end of the rollback's switch (traffic back on the old colour) and to the end of the "
            "`rollback-health` step (its health verified through the proxy). Detection is from the end of the switch "
            "to that first failing probe (the watch probes every 250 ms; the bad version's errors rise every 200 ms).",
            "",
            "| proxy, clients | release: switch step | release: asked → ended | manual rollback: asked → switched back "
            "| watch rollback: detection | failing probe → traffic back | failing probe → health verified |",
            "|---|---:|---:|---:|---:|---:|---:|"]
    for m in modes:
        def pick(s, key):
            return med([r.get(key) for r in runs if r["mode"] == m and r["scenario"] == s])
        out.append(f"| {NAMES[m]} | {fmt_ms(pick('release', 'switch_ms'))} | {fmt_ms(pick('release', 'asked_to_end_ms'))} | "
                   f"{fmt_ms(pick('manual-rollback', 'asked_to_switched_ms'))} | "
                   f"{fmt_ms(pick('watch-rollback', 'switch_to_detection_ms'))} | "
                   f"{fmt_ms(pick('watch-rollback', 'detection_to_traffic_back_ms'))} | "
                   f"{fmt_ms(pick('watch-rollback', 'detection_to_health_verified_ms'))} |")
    out += ["", "## Every run", "",
            "| run | proxy, clients | scenario | deployment | status | failed before / during / after | "
            "requests | p99 before / during / after | probe → health verified |",
            "|---:|---|---|---:|---|---|---:|---|---:|"]
    for r in sorted(runs, key=lambda r: (r["run"], list(NAMES).index(r["mode"]), SCENARIOS.index(r["scenario"]))):
        ph = r["phases"]
        flag = "" if r["ok"] else f" (expected {r['expected']}, proxy answered {r['answer']})"
        out.append(f"| {r['run']} | {NAMES[r['mode']]} | {r['scenario']} | {r['deployment']} | {r['status']}{flag} | "
                   f"{ph['before']['failed']} / {ph['during']['failed']} / {ph['after']['failed']} | "
                   f"{sum(p['requests'] for p in ph.values()):,} | "
                   f"{ph['before']['p99_us'] / 1000:.1f} / {ph['during']['p99_us'] / 1000:.1f} / "
                   f"{ph['after']['p99_us'] / 1000:.1f} ms | {fmt_ms(r.get('detection_to_health_verified_ms'))} |")
    name = a.out.rsplit("/", 1)[-1].removesuffix(".md")
    out += ["", "Socket errors are wrk's (connect, read, write, timeout); non-2xx answers are counted by "
            f"`bench/blue-green/count.lua`. \"ok runs\": the deployment ended as expected and the expected colour and "
            f"version answered through the proxy afterwards. Raw runs: `{name}-runs.jsonl`.", ""]
    open(a.out, "w").write("\n".join(out))
    print("\n".join(out))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("record")
    for flag in ("mode", "scenario", "asked", "deployment", "answer", "before", "during", "after", "expect"):
        r.add_argument("--" + flag, required=True)
    r.add_argument("--run", type=int, required=True)
    rep = sub.add_parser("report")
    for flag in ("runs", "out", "settings", "machine", "started"):
        rep.add_argument("--" + flag, required=True)
    a = p.parse_args()
    record(a) if a.command == "record" else report(a)


if __name__ == "__main__":
    sys.exit(main())
