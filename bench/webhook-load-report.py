#!/usr/bin/env python3
"""Writes the results page of the webhook load benchmark from the files bench/webhook-load.sh left in --out-dir."""
import argparse
import json
from pathlib import Path

from report import STORE_NAMES, P99_LIMIT_MS, fmt, load, median, ms, status_text


def run_figures(d: Path) -> dict | None:
    burst, verify, phases = load(d / "burst.json"), load(d / "verify.json"), load(d / "phases.json")
    if not (burst and verify and phases):
        return None
    cpu = load(d / "burst-cpu.json") or {}
    warm = load(d / "warm.json") or {}
    wall = cpu.get("wall_s") or 1
    lat = burst["latency_us"]
    return {
        "run": d.name.split("-")[1],
        "busy_before": (load(d / "background.json") or {}).get("busy_cores_before"),
        "rate": burst["achieved_rate"],
        "p50": ms(lat["p50"]), "p95": ms(lat["p95"]), "p99": ms(lat["p99"]), "max": ms(lat["max"]),
        "p99_own": ms(burst["latency_without_generator_delay_us"]["p99"]),
        "gen_delay_p99": ms(burst["generator_own_delay_us"]["p99"]),
        "statuses": burst["statuses"], "errors": burst["errors"],
        "completed": burst["completed"], "requests": burst["requests"],
        "cores": {k: cpu.get("cpu_s", {}).get(k, 0) / wall for k in ("service", "database", "generator", "other")},
        "warm_p99": ms((warm.get("latency_us") or {}).get("p99")),
        "warm_unanswered": warm.get("requests", 0) - warm.get("completed", 0),
        **phases,
        "verify": verify,
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--results", required=True)
    args = ap.parse_args()
    out = Path(args.out_dir)
    meta, machine = load(out / "meta.json"), load(out / "machine.json")
    stores = {}
    for store in ("postgresql", "h2"):
        runs = [run_figures(d) for d in sorted((out / store).glob("run-*"), key=lambda p: int(p.name.split("-")[1]))]
        runs = [r for r in runs if r]
        if runs:
            stores[store] = runs

    lines = []
    w = lines.append
    w(f"# Webhook load benchmark, {meta['started']}")
    w("")
    # the commit is the checkout's: a JAR given by path may have been built from another one
    built = "built from" if meta['jar'] == "target/greenlight.jar" else "measured from a checkout at"
    w(f"{meta['label']}: `{meta['jar']}`, {built} commit {meta['commit']}"
      f"{' (with uncommitted changes)' if meta['dirty'] else ''}. Command: `{meta['command']}`.")
    w("")
    w("**Requirement:** the webhook endpoint keeps answering within GitHub's 10 s deadline, target p99 under "
      f"{P99_LIMIT_MS:.0f} ms, while the deployments run, under a burst of deliveries (most ignored, some duplicates): "
      "no delivery lost, no duplicate deployment.")
    w("")
    w("## Machine")
    w("")
    for key, name in (("nproc", "cores"), ("cpu_model", "CPU"), ("memory", "memory"), ("os", "OS"), ("java", "Java"),
                      ("postgresql", "PostgreSQL"), ("python", "Python")):
        if machine.get(key):
            w(f"- {name}: {machine[key]}")
    w("- The cores are shared with other work (builds and tests); every run first waits, bounded, for a quiet moment. "
      "\"busy before\" is how many cores the machine kept busy just before the run; \"other\" is the CPU other "
      "processes used during the burst, in cores. The hosts' SSH servers and their deploy commands run on the same "
      "cores.")
    w("")
    w("## Results (median of the runs)")
    w("")
    names = list(stores)
    w("| | " + " | ".join(STORE_NAMES[s] for s in names) + " |")
    w("|---|" + "---:|" * len(names))

    def row(label, f):
        w(f"| {label} | " + " | ".join(f(stores[s]) for s in names) + " |")

    def med(key, digits=1):
        return lambda rs: fmt(median([r[key] for r in rs]), digits)

    row("runs", lambda rs: str(len(rs)))
    row("warm-up (ignored deliveries only, before any deployment): p99 (ms) / not answered within 10 s",
        lambda rs: f"{fmt(median([r['warm_p99'] for r in rs]))} / {fmt(median([r['warm_unanswered'] for r in rs]), 0)}")
    row("deployments running when the burst started (API) / deploy commands executing on the hosts",
        lambda rs: f"{fmt(median([r['running_before'] for r in rs]), 0)} / {fmt(median([r['executing_before'] for r in rs]), 0)}")
    row("still running when the burst ended (API) / executing", lambda rs:
        f"{fmt(median([r['running_after'] for r in rs]), 0)} / {fmt(median([r['executing_after'] for r in rs]), 0)}")
    row("burst: deliveries sent / achieved rate", lambda rs:
        f"{fmt(median([r['requests'] for r in rs]), 0)} / {fmt(median([r['rate'] for r in rs]))}/s")
    row("latency p50 / p95 / **p99** / max (ms)", lambda rs: " / ".join(
        ("**" + fmt(median([r[k] for r in rs])) + "**") if k == "p99" else fmt(median([r[k] for r in rs]))
        for k in ("p50", "p95", "p99", "max")))
    row("p99 without the generator's own delay (ms)", med("p99_own"))
    row(f"runs with p99 under {P99_LIMIT_MS:.0f} ms", lambda rs: f"{sum(r['p99'] < P99_LIMIT_MS for r in rs)} of {len(rs)}")
    row("answers within 10 s (every run)", lambda rs: "yes" if all(
        r["completed"] == r["requests"] and not r["errors"] and r["max"] < 10000 for r in rs) else "no")
    row("answers by status (median)", lambda rs: status_text(
        {s: int(median([r["statuses"].get(s, 0) for r in rs])) for s in sorted({k for r in rs for k in r["statuses"]})}))
    row("deployments queued by the burst (API, when it ended)", med("queued_after", 0))
    row("queue drained after the gate opened (s)", med("drain_s", 0))
    row("every delivery sent has its stored answer", lambda rs: "yes, every run" if all(
        not r["verify"]["deliveries_not_recorded_count"] for r in rs) else "no")
    row("one deployment per distinct push delivery, none twice", lambda rs: "yes, every run" if all(
        not r["verify"]["duplicated_delivery_ids"] and not r["verify"]["push_deliveries_without_deployment"]
        and r["verify"]["deployments"] == r["verify"]["distinct_push_deliveries"] for r in rs) else "no")
    row("every deployment succeeded, and reached its host", lambda rs: "yes, every run" if all(
        r["verify"]["ok"] and r["host_deploys"] == r["verify"]["deployments"] for r in rs) else "no")
    row("service CPU during the burst (cores)", lambda rs: fmt(median([r["cores"]["service"] for r in rs]), 2))
    row("other processes' CPU during the burst (cores)", lambda rs: fmt(median([r["cores"]["other"] for r in rs]), 2))
    w("")
    w("## Every run")
    for s in names:
        w("")
        w(f"### {STORE_NAMES[s]}")
        w("")
        w("| run | busy before | running / executing at the burst | rate | p50 / p95 / p99 / max (ms) | answers | "
          "queued by it | deployments (statuses) | reached hosts | drained (s) | service / db / generator / other "
          "(cores) | verified |")
        w("|---|---:|---:|---:|---:|---|---:|---|---:|---:|---:|---|")
        for r in stores[s]:
            v = r["verify"]
            w(f"| {r['run']} | {fmt(r['busy_before'], 2)} | {r['running_before']} / {r['executing_before']} | "
              f"{fmt(r['rate'])}/s | {fmt(r['p50'])} / {fmt(r['p95'])} / {fmt(r['p99'])} / {fmt(r['max'])} | "
              f"{status_text(r['statuses'], r['errors'])} | {r['queued_after']} | {v['deployments']:,} "
              f"({status_text(v['deployment_statuses'])}) | {r['host_deploys']:,} | {r['drain_s']} | "
              + " / ".join(fmt(r["cores"][k], 2) for k in ("service", "database", "generator", "other"))
              + f" | {'ok' if v['ok'] else 'FAILED'} |")
    w("")
    w("## Reading")
    w("")
    w("- Latency is measured from the moment each request was due (request *i* at start + *i* / rate), so a "
      "slow answer cannot hold back the requests behind it; waiting for a free connection or for the generator "
      "itself counts. \"p99 without the generator's own delay\" takes out the time the generator was late in "
      "getting round to a request (CPU it was starved of).")
    w("- \"running\" is what the API lists with status `running`; \"executing\" counts the deploy commands "
      "actually running on the hosts at that moment (each marks itself in its host's directory).")
    w("- Verified: every delivery id sent has a row in `webhook_deliveries`; the deployments equal the distinct push "
      "delivery ids sent, none has two; every deployment ended `succeeded`; the hosts' deploy scripts recorded as many "
      "versions as there are deployments.")
    Path(args.results).write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
