#!/usr/bin/env python3
"""Writes the results page of the webhook intake benchmark from the files bench/webhook-intake.sh left in --out-dir."""
import argparse
import json
import re
import statistics
from pathlib import Path

STORE_NAMES = {"postgresql": "PostgreSQL", "h2": "H2 (embedded default)"}
P99_LIMIT_MS = 50.0
QUIET = 0.2  # cores used by other processes during the target check below which a run counts as undisturbed


def load(path: Path):
    return json.loads(path.read_text()) if path.exists() else None


def ms(us):
    return None if us is None else us / 1000.0


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, int) or (isinstance(x, float) and x.is_integer() and abs(x) >= 100):
        return f"{int(x):,}"
    return f"{x:,.{digits}f}"


def median(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None


def non2xx(statuses: dict) -> dict:
    return {s: n for s, n in statuses.items() if not s.startswith("2")}


def status_text(statuses: dict, errors: dict | None = None) -> str:
    parts = [f"{s}: {n:,}" for s, n in sorted(statuses.items())]
    parts += [f"{k}: {n:,}" for k, n in sorted((errors or {}).items()) if n]
    return ", ".join(parts) if parts else "none"


def wrk_errors(r: dict) -> dict:
    e = r.get("errors", {})
    return {f"socket {k}": e[k] for k in ("connect", "read", "write", "timeout") if e.get(k)}


def run_figures(d: Path) -> dict | None:
    target, cap, verify = load(d / "target.json"), load(d / "cap.json"), load(d / "verify.json")
    if not (target and cap and verify):
        return None
    tcpu, ccpu = load(d / "target-cpu.json") or {}, load(d / "cap-cpu.json") or {}
    smoke = load(d / "smoke.json") or {}
    background = load(d / "background.json") or {}
    statuses = {}
    for line in (d / "statuses.tsv").read_text().splitlines() if (d / "statuses.tsv").exists() else []:
        cells = [c.strip('"') for c in line.replace(",", "\t").split("\t")]
        if len(cells) == 2 and cells[1].isdigit():
            statuses[cells[0]] = int(cells[1])
    log = (d / "service.log").read_text(errors="replace") if (d / "service.log").exists() else ""
    cap_rate = cap["requests"] / (cap["duration_us"] / 1e6)
    cap_cpu = ccpu.get("cpu_s", {})
    per_req = {k: (v * 1000.0 / cap["requests"] if cap["requests"] else None) for k, v in cap_cpu.items()}
    return {
        "smoke": smoke.get("statuses", {}),
        "background": background.get("busy_cores_before"),
        "t_rate": target["achieved_rate"], "t_p50": ms(target["latency_us"]["p50"]),
        "t_p90": ms(target["latency_us"]["p90"]), "t_p99": ms(target["latency_us"]["p99"]),
        "t_p999": ms(target["latency_us"]["p999"]), "t_max": ms(target["latency_us"]["max"]),
        "t_non2xx": non2xx(target["statuses"]), "t_errors": target.get("errors", {}),
        "t_completed": target["completed"], "t_requests": target["requests"],
        "t_lag_p99": ms(target["generator_lag_us"]["p99"]), "t_conns": target["connections_opened"],
        "t_own_p99": ms((target.get("generator_own_delay_us") or {}).get("p99")),
        "t_svc_p99": ms((target.get("latency_without_generator_delay_us") or {}).get("p99")),
        "t_other_cpu": tcpu.get("cpu_s", {}).get("other"), "t_wall": tcpu.get("wall_s"),
        "c_rate": cap_rate, "c_p50": ms(cap["latency_us"]["p50"]), "c_p90": ms(cap["latency_us"]["p90"]),
        "c_p99": ms(cap["latency_us"]["p99"]), "c_max": ms(cap["latency_us"]["max"]),
        "c_non2xx": non2xx(cap["statuses"]), "c_errors": wrk_errors(cap), "c_requests": cap["requests"],
        "c_exhausted": cap.get("exhausted_requests", 0),
        "cpu_ms": per_req, "cpu_wall": ccpu.get("wall_s"), "load": ccpu.get("loadavg_after"),
        "v": verify, "deploy_statuses": statuses,
        "log_errors": sum(1 for line in log.splitlines() if " ERROR " in line),
        "log_timeouts": len(re.findall(r"SedaConsumer - Error processing exchange.*ExchangeTimedOutException", log)),
        "log_started": len(re.findall(r"Dispatcher - deployment \d+ started", log)),
        "log_db_failures": log.count("ApiErrors - database failure"),
        "rss_mb": int((d / "rss.txt").read_text().strip() or 0) / 1024 if (d / "rss.txt").exists() else None,
    }


def merge_counts(dicts: list[dict]) -> dict:
    keys = sorted({k for d in dicts for k in d})
    return {k: median([d.get(k, 0) for d in dicts]) for k in keys}


def verdict(runs: list[dict]) -> tuple[bool, list[str]]:
    why = []
    rate = median([r["t_rate"] for r in runs])
    p99 = median([r["t_p99"] for r in runs])
    if rate is None or rate < 0.99 * runs[0]["target_rate"]:
        why.append(f"the open loop achieved {fmt(rate)}/s, below the offered {runs[0]['target_rate']:g}/s")
    if p99 is None or p99 >= P99_LIMIT_MS:
        why.append(f"p99 at {runs[0]['target_rate']:g}/s is {fmt(p99)} ms (limit {P99_LIMIT_MS:g} ms)")
    bad = sum(1 for r in runs if r["t_non2xx"] or r["t_errors"] or (r["c_non2xx"] and not r["c_exhausted"])
              or r["c_errors"])
    if bad:
        why.append(f"non-2xx answers or socket errors in {bad} of {len(runs)} runs")
    failed = sum(1 for r in runs if not r["v"]["ok"])
    if failed:
        why.append(f"deployment count check failed in {failed} of {len(runs)} runs")
    return not why, why


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    out = Path(args.out_dir)
    machine, meta = load(out / "machine.json"), load(out / "meta.json")
    settings = dict(kv.split("=", 1) for kv in meta["settings"].replace('"', "").split(" ") if "=" in kv)
    target_rate = float(settings.get("TARGET_RATE", 500))
    stores = {}
    for store in ("postgresql", "h2"):
        runs = []
        for d in sorted((out / store).glob("run-*"), key=lambda p: int(p.name.split("-")[1])):
            r = run_figures(d)
            if r:
                r["name"] = d.name
                r["target_rate"] = target_rate
                runs.append(r)
        if runs:
            stores[store] = runs

    L = []
    w = L.append
    w("# Webhook intake benchmark: results")
    w("")
    w(f"Generated by `bench/webhook-intake.sh` on {meta['started']} from commit `{meta['commit']}`"
      f"{' (with uncommitted changes to the service)' if meta['dirty'] else ''}; service measured: "
      f"{meta['label']} (`{meta['jar']}`). How to run it and what it does: [bench/README.md](../README.md).")
    w("")
    w("## Machine")
    w("")
    w("| | |")
    w("|---|---|")
    for k, label in (("nproc", "`nproc`"), ("cpu_model", "CPU (`lscpu` model name)"), ("memory", "Memory"),
                     ("os", "OS"), ("java", "Java"), ("postgresql", "PostgreSQL"), ("wrk", "wrk"),
                     ("python", "Python (open-loop generator)")):
        w(f"| {label} | {machine.get(k) or '–'} |")
    w("")
    w("The machine's 2 cores are shared: the service, PostgreSQL, the load generator (wrk or the Python open-loop "
      "generator) and other processes on the machine (builds and tests) all compete for them. The \"other CPU\" "
      "column below is what those other processes used during the measured phase.")
    w("")
    w("Command:")
    w("")
    w("```sh")
    w(meta["command"])
    w("```")
    w("")
    w("## Summary (median of the runs)")
    w("")
    headers = [STORE_NAMES[s] for s in stores]
    w("| | " + " | ".join(headers) + " |")
    w("|---|" + "---|" * len(stores) + "")

    def row(label, f):
        w(f"| {label} | " + " | ".join(f(runs) for runs in stores.values()) + " |")

    row("Runs", lambda rs: str(len(rs)))
    row(f"**Target check, open loop at {target_rate:g} deliveries/s**", lambda rs: "")
    row("achieved throughput (deliveries/s)", lambda rs: fmt(median([r["t_rate"] for r in rs])))
    for p in ("p50", "p90", "p99", "p999", "max"):
        row(f"latency {p.replace('p999', 'p99.9')} (ms)", lambda rs, p=p: fmt(median([r["t_" + p] for r in rs])))
    def quiet(rs):
        q = [r for r in rs if r["t_other_cpu"] is not None and r["t_wall"] and r["t_other_cpu"] / r["t_wall"] < QUIET]
        if not q:
            return "no such run"
        return f"{fmt(median([r['t_p99'] for r in q]))} ({len(q)} of {len(rs)} runs: " + \
            ", ".join(fmt(r["t_p99"]) for r in q) + ")"

    row(f"latency p99 (ms) in the runs where other processes used under {QUIET:g} cores", quiet)
    row("latency p99 without the generator's own delay (ms)", lambda rs: fmt(median([r["t_svc_p99"] for r in rs])))
    row("generator's own delay p99 (ms)", lambda rs: fmt(median([r["t_own_p99"] for r in rs])))
    row("non-2xx answers by status", lambda rs: status_text(merge_counts([r["t_non2xx"] for r in rs]),
                                                            merge_counts([r["t_errors"] for r in rs])))
    row(f"**Capacity, closed loop, {settings.get('CONNECTIONS', '?')} connections**", lambda rs: "")
    row("throughput (deliveries/s)", lambda rs: fmt(median([r["c_rate"] for r in rs])))
    for p in ("p50", "p90", "p99", "max"):
        row(f"latency {p} (ms)", lambda rs, p=p: fmt(median([r["c_" + p] for r in rs])))
    row("non-2xx answers by status", lambda rs: status_text(merge_counts([r["c_non2xx"] for r in rs]),
                                                            merge_counts([r["c_errors"] for r in rs])))
    row("CPU per delivery: service JVM (ms)", lambda rs: fmt(median([r["cpu_ms"].get("service") for r in rs]), 2))
    row("CPU per delivery: PostgreSQL backends (ms)",
        lambda rs: fmt(median([r["cpu_ms"].get("database") for r in rs]), 2))
    row("CPU per delivery: wrk (ms)", lambda rs: fmt(median([r["cpu_ms"].get("generator") for r in rs]), 2))
    row("other processes' CPU during the phase (cores)",
        lambda rs: fmt(median([(r["cpu_ms"].get("other") or 0) * r["c_requests"] / 1000 / r["cpu_wall"]
                               for r in rs if r["cpu_wall"]]), 2))
    row("**Deployments (whole run: smoke, warm-up, target, capacity)**", lambda rs: "")
    row("distinct push deliveries sent", lambda rs: fmt(median([r["v"]["distinct_push_deliveries"] for r in rs])))
    row("deployments in the database", lambda rs: fmt(median([r["v"]["deployments"] for r in rs])))
    row("runs where deployments = distinct push deliveries, none twice",
        lambda rs: f"{sum(1 for r in rs if r['v']['ok'])} of {len(rs)}")
    row("**Target met** (≥ offered rate, p99 < 50 ms, only 2xx, count verified)",
        lambda rs: "**yes**" if verdict(rs)[0] else "**no**: " + "; ".join(verdict(rs)[1]))
    w("")
    w("Latency is measured per request. In the target check (bench/openloop.py) it runs from the moment the "
      "request was due by the fixed schedule, so time spent waiting for a free connection or for the generator "
      "counts (no coordinated omission); the verdict uses these figures. The generator shares the 2 cores too: "
      "its \"own delay\" is how late it got round to a request because it was itself waiting for a core, and the "
      "line above it shows p99 with that delay taken out. The capacity phase is wrk's fixed-concurrency closed loop: its latencies "
      "are per request from the moment wrk wrote it, and a closed loop slows its offered load down when the "
      "service slows down (coordinated omission), so use its percentiles for comparison only.")
    w("")

    w("## What the deployment pipeline was doing")
    w("")
    for store, runs in stores.items():
        st = merge_counts([r["deploy_statuses"] for r in runs])
        by_phase = [r["v"].get("distinct_push_deliveries_by_phase", {}) for r in runs]
        queued_before_target = median([p.get("smoke", 0) + p.get("warm", 0) for p in by_phase])
        queued_before_cap = median([p.get("smoke", 0) + p.get("warm", 0) + p.get("target", 0) for p in by_phase])
        w(f"- {STORE_NAMES[store]}: deployments by status at the end of a run (median): "
          f"{', '.join(f'{k} {fmt(v)}' for k, v in st.items()) or 'none'}; deployments started by the dispatcher "
          f"per run: {', '.join(str(r['log_started']) for r in runs)}; dispatch exchanges that timed out waiting "
          f"for `seda:deployments`: {', '.join(str(r['log_timeouts']) for r in runs)}. Deployments accepted before "
          f"the target check started: {fmt(queued_before_target)}; before the capacity phase: {fmt(queued_before_cap)} "
          f"(median).")
    w("")
    w("See bench/README.md, \"The deployment pipeline during the benchmark\", for what this means.")
    w("")

    w("## All runs")
    for store, runs in stores.items():
        w("")
        w(f"### {STORE_NAMES[store]}")
        w("")
        w(f"Target check, open loop at {target_rate:g}/s ({runs[0]['t_requests']:,} deliveries per run):")
        w("")
        w("| run | achieved/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | p99 without generator delay ms "
          "| non-2xx / errors | generator own delay p99 ms | connections | other CPU (cores) "
          "| machine busy before the run (cores) | smoke answers |")
        w("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
        for r in runs:
            other = r["t_other_cpu"] / r["t_wall"] if r["t_other_cpu"] is not None and r["t_wall"] else None
            w(f"| {r['name']} | {fmt(r['t_rate'])} | {fmt(r['t_p50'])} | {fmt(r['t_p90'])} | {fmt(r['t_p99'])} "
              f"| {fmt(r['t_p999'])} | {fmt(r['t_max'])} | {fmt(r['t_svc_p99'])} "
              f"| {status_text(r['t_non2xx'], r['t_errors'])} "
              f"| {fmt(r['t_own_p99'])} | {r['t_conns']} | {fmt(other, 2)} | {fmt(r['background'], 2)} "
              f"| {status_text(r['smoke'])} |")
        w("")
        w(f"Capacity, closed loop, {settings.get('CONNECTIONS', '?')} connections, {settings.get('CAPACITY_S', '?')} s:")
        w("")
        w("| run | deliveries/s | p50 ms | p90 ms | p99 ms | max ms | non-2xx / errors | CPU ms per delivery: "
          "service / database / wrk | other CPU (cores) | load avg after |")
        w("|---|---|---|---|---|---|---|---|---|---|")
        for r in runs:
            c = r["cpu_ms"]
            other = (c.get("other") or 0) * r["c_requests"] / 1000 / r["cpu_wall"] if r["cpu_wall"] else None
            exhausted = f" (list exhausted: {r['c_exhausted']} filler requests)" if r["c_exhausted"] else ""
            w(f"| {r['name']} | {fmt(r['c_rate'])}{exhausted} | {fmt(r['c_p50'])} | {fmt(r['c_p90'])} "
              f"| {fmt(r['c_p99'])} | {fmt(r['c_max'])} | {status_text(r['c_non2xx'], r['c_errors'])} "
              f"| {fmt(c.get('service'), 2)} / {fmt(c.get('database'), 2)} / {fmt(c.get('generator'), 2)} "
              f"| {fmt(other, 2)} | {' '.join(r['load'] or [])} |")
        w("")
        w("Deployments (verified after the service stopped):")
        w("")
        w("| run | deliveries sent (push / redelivery / ignored) | distinct push deliveries | deployments "
          "| delivery ids with 2+ deployments | pushes without deployment | deliveries not recorded | result |")
        w("|---|---|---|---|---|---|---|---|")
        for r in runs:
            v = r["v"]
            s = v["sent"]
            ign = s.get("ignored-event", 0) + s.get("ignored-repo", 0)
            nr = v["deliveries_not_recorded_count"]
            w(f"| {r['name']} | {s.get('push', 0):,} / {s.get('redelivery', 0):,} / {ign:,} "
              f"| {v['distinct_push_deliveries']:,} | {v['deployments']:,} | {len(v['duplicated_delivery_ids'])} "
              f"| {v['push_deliveries_without_deployment']:,} | {nr:,} | {'ok' if v['ok'] else '**failed**'} |")
        errs = [r["log_db_failures"] for r in runs]
        if any(errs):
            w("")
            w(f"The service logged \"database failure\" (answered 503) {', '.join(map(str, errs))} times in the runs.")
    w("")
    Path(args.results).write_text("\n".join(L))


if __name__ == "__main__":
    main()
