#!/usr/bin/env python3
"""Relates the slow requests of an open-loop phase to what the JVM recorded meanwhile.

  stalls.py SAMPLES.tsv RECORDING.jfr [--slow-ms 50]

SAMPLES.tsv is bench/openloop.py --samples-out (due time, latency ms). For every request slower than --slow-ms, it
checks whether its lifetime [due, due + latency] overlapped a GC pause (jdk.GCPhasePause) or a safepoint
(jdk.SafepointBegin, duration); it prints how many slow requests each explains, the pauses themselves, and how the
slow requests cluster in time (a stall delays every request in flight, so clusters point at stalls, not at slow
statements).
"""
import argparse
import importlib.util
import re
from datetime import datetime, timezone
from pathlib import Path

spec = importlib.util.spec_from_file_location("jfr_summary", Path(__file__).with_name("jfr-summary.py"))
jfr = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jfr)


def to_epoch(start_time: str, day: datetime) -> float:
    """jfr prints startTime as HH:MM:SS.mmm (local time of the recording, UTC on the benchmark machine)."""
    m = re.match(r"(\d+):(\d+):(\d+(?:\.\d+)?)", start_time)
    h, mi, s = int(m.group(1)), int(m.group(2)), float(m.group(3))
    return day.replace(hour=h, minute=mi, second=0, microsecond=0).timestamp() + s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("samples")
    ap.add_argument("recording")
    ap.add_argument("--slow-ms", type=float, default=50.0)
    args = ap.parse_args()

    reqs = []
    for line in Path(args.samples).read_text().splitlines():
        due, lat = line.split("\t")[:2]
        reqs.append((float(due), None if lat == "-" else float(lat)))
    day = datetime.fromtimestamp(reqs[0][0], tz=timezone.utc)
    t0, t1 = reqs[0][0], reqs[-1][0] + 15

    pauses = []
    for e in jfr.load(args.recording, ["jdk.GCPhasePause"], 1):
        start = to_epoch(e["values"]["startTime"], day)
        d = jfr.parse_duration(e["values"]["duration"]) / 1e9
        if t0 - 1 <= start <= t1:
            pauses.append((start, start + d, f"GC {e['values'].get('name', '')}".strip()))
    for e in jfr.load(args.recording, ["jdk.SafepointBegin"], 1):
        start = to_epoch(e["values"]["startTime"], day)
        d = jfr.parse_duration(e["values"]["duration"]) / 1e9
        if d >= 0.005 and t0 - 1 <= start <= t1:
            pauses.append((start, start + d, "safepoint"))
    pauses.sort()

    done = [(due, lat) for due, lat in reqs if lat is not None]
    slow = [(due, lat) for due, lat in done if lat > args.slow_ms]
    print(f"requests: {len(reqs)}, answered: {len(done)}, slower than {args.slow_ms:g} ms: {len(slow)} "
          f"({100.0 * len(slow) / max(1, len(done)):.2f}%)")
    gc_total = sum(b - a for a, b, k in pauses if k.startswith("GC"))
    print(f"GC pauses during the phase: {sum(1 for p in pauses if p[2].startswith('GC'))}, "
          f"{gc_total * 1000:,.0f} ms in total, longest {max((b - a for a, b, k in pauses), default=0) * 1000:,.0f} ms")
    explained = 0
    for due, lat in slow:
        end = due + lat / 1000
        if any(a < end and b > due for a, b, _ in pauses):
            explained += 1
    print(f"slow requests in flight during a GC pause or a safepoint of 5 ms or more: {explained} of {len(slow)}")

    # clusters: slow requests whose due times are within 200 ms of each other
    clusters = []
    for due, lat in slow:
        if clusters and due - clusters[-1][1] <= 0.2:
            c = clusters[-1]
            clusters[-1] = (c[0], due, c[2] + 1, max(c[3], lat))
        else:
            clusters.append((due, due, 1, lat))
    print(f"slow requests fall into {len(clusters)} clusters (due within 200 ms of each other); the largest:")
    for a, b, n, worst in sorted(clusters, key=lambda c: -c[2])[:8]:
        near = [f"{k} {(pb - pa) * 1000:.0f} ms at +{(pa - a) * 1000:.0f} ms" for pa, pb, k in pauses
                if pa < b + worst / 1000 and pb > a - 0.05]
        if len(near) > 6:
            near = near[:6] + [f"{len(near) - 6} more"]
        print(f"  t+{a - t0:6.2f}s  {n:4d} requests over {(b - a) * 1000:5.0f} ms, worst {worst:6.0f} ms; "
              f"pauses: {', '.join(near) or 'none'}")


if __name__ == "__main__":
    main()
