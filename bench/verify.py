#!/usr/bin/env python3
"""Checks, after a run, that the service queued exactly one deployment per distinct push delivery it was sent.

  verify.py --dir LISTS --phase PREFIX=RESULT.json [--phase ...] --deployments FILE --deliveries FILE --out OUT.json

What was sent: for each phase, the first N lines of each thread's delivery list, N being the count of requests that
thread issued (from the phase's result JSON). A request that was issued is counted as sent even if the load generator
stopped before its answer arrived: the service still processes it.

--deployments: one delivery id per deployment row (every deployment of the run, so duplicates show), optionally
               followed by the deployment's status.
--deliveries:  "delivery id<TAB>response status" per row of webhook_deliveries.
--strict:      the run also fails when a delivery sent has no stored answer, or a deployment did not end succeeded.
Both may be CSV with a header (as H2's CSVWRITE writes them) or tab-separated without one (psql -At).
"""
import argparse
import csv
import json
from collections import Counter
from pathlib import Path


def read_rows(path: Path) -> list[list[str]]:
    text = path.read_text()
    if text.startswith('"'):  # H2 CSVWRITE: quoted, with a header row
        rows = list(csv.reader(text.splitlines()))[1:]
    else:
        rows = [line.split("\t") for line in text.splitlines() if line]
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--phase", action="append", required=True)
    ap.add_argument("--deployments", required=True)
    ap.add_argument("--deliveries", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--strict", action="store_true")
    args = ap.parse_args()

    push_ids: set[str] = set()
    all_ids: set[str] = set()
    sent = Counter()
    pushes_by_phase = {}
    for spec in args.phase:
        prefix, result = spec.split("=", 1)
        before = len(push_ids)
        issued = json.loads(Path(result).read_text())["issued_per_thread"]
        for t, n in enumerate(issued):
            ids = Path(args.dir, f"{prefix}-{t}.tsv").read_text().splitlines()[:n]
            kinds = Path(args.dir, f"{prefix}-{t}.kinds").read_text().splitlines()[:n]
            for line, kind in zip(ids, kinds):
                delivery = line.split("\t", 1)[0]
                sent[kind] += 1
                all_ids.add(delivery)
                if kind in ("push", "redelivery"):
                    push_ids.add(delivery)
        pushes_by_phase[prefix.rsplit("-", 1)[1]] = len(push_ids) - before

    deployment_rows = read_rows(Path(args.deployments))
    deployments = [r[0] for r in deployment_rows]
    statuses = Counter(r[1] for r in deployment_rows if len(r) > 1)
    per_delivery = Counter(deployments)
    duplicated = {d: n for d, n in per_delivery.items() if n > 1}
    missing = sorted(push_ids - per_delivery.keys())
    unexpected = sorted(per_delivery.keys() - push_ids)
    recorded = {r[0]: (r[1] if len(r) > 1 else "") for r in read_rows(Path(args.deliveries))}
    not_recorded = sorted(all_ids - recorded.keys())

    result = {
        "sent": dict(sent),
        "distinct_push_deliveries_by_phase": pushes_by_phase,
        "distinct_push_deliveries": len(push_ids),
        "deployments": len(deployments),
        "deployments_distinct_delivery_ids": len(per_delivery),
        "duplicated_delivery_ids": duplicated,
        "push_deliveries_without_deployment": len(missing),
        "deployments_for_unknown_delivery": len(unexpected),
        "distinct_deliveries_sent": len(all_ids),
        "deliveries_recorded": len(recorded),
        "deliveries_not_recorded": not_recorded[:20],
        "deliveries_not_recorded_count": len(not_recorded),
        "recorded_answers": dict(Counter(recorded.values())),
        "examples_missing": missing[:5],
        "deployment_statuses": dict(statuses),
        "ok": not duplicated and not missing and not unexpected and len(deployments) == len(push_ids),
    }
    if args.strict:
        result["ok"] = (result["ok"] and not not_recorded
                        and statuses.get("succeeded", 0) == len(deployments) == sum(statuses.values()))
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps({k: result[k] for k in ("distinct_push_deliveries", "deployments", "ok")}))


if __name__ == "__main__":
    main()
