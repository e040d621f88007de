#!/usr/bin/env python3
"""Summarises a JFR recording of the service under load: where CPU samples land, and where threads wait.

  jfr-summary.py RECORDING.jfr [--top 25]

CPU (jdk.ExecutionSample): samples per thread pool; per component (the library of the topmost frame that belongs
to a known component); per Greenlight method on the stack (inclusive); hottest frames (self).
Waiting (jdk.SocketRead, jdk.ThreadPark, jdk.JavaMonitorEnter/Wait with the thresholds the recording used): total
time per thread pool and per Greenlight method that was on the stack.
"""
import argparse
import re
import subprocess
from collections import Counter, defaultdict

COMPONENTS = [  # the first frame from the top that matches one of these names the component (JDK frames count for
    # the library that called them); a stack with none of them is "JDK (other)"
    ("javax.crypto|com.sun.crypto|sun.security", "HMAC-SHA256 (JDK crypto)"),
    ("com.fasterxml.jackson", "Jackson (JSON)"),
    ("org.h2", "H2 engine"),
    ("org.postgresql", "PostgreSQL JDBC driver"),
    ("com.zaxxer.hikari", "HikariCP"),
    ("org.flywaydb", "Flyway"),
    ("ch.qos.logback|org.slf4j", "logging"),
    ("io.netty", "Netty"),
    ("io.vertx", "Vert.x"),
    ("org.apache.camel", "Camel"),
    ("dev.greenlight", "Greenlight code"),
    ("com.zaxxer|org.snakeyaml", "other libraries"),
]


def pool(thread_name: str) -> str:
    return re.sub(r"\d+", "N", thread_name or "?")


def component(stack):
    for fr in stack:
        for pattern, name in COMPONENTS:
            if re.match(pattern.replace(".", r"\."), fr):
                return name
    return "JDK (other)"


def entry(stack):
    """The outermost Greenlight method: which step of which route the sample belongs to."""
    gl = [f for f in stack if f.startswith("dev.greenlight.")]
    return gl[-1].replace("dev.greenlight.", "") if gl else "(no Greenlight frame)"


def greenlight_methods(stack):
    seen = []
    for fr in stack:
        if fr.startswith("dev.greenlight.") and fr not in seen:
            seen.append(fr.replace("dev.greenlight.", ""))
    return seen


UNITS = {"ns": 1, "us": 1e3, "ms": 1e6, "s": 1e9, "min": 60e9, "h": 3600e9}


def parse_duration(text: str) -> float:
    """JFR's text durations: "12.3 ms", "1.00 s", "850 ns" -> nanoseconds."""
    value, unit = text.split()
    return float(value) * UNITS[unit]


def load(path, events, depth=64):
    """Streams `jfr print` text output (the JSON form of a busy recording does not fit in memory)."""
    proc = subprocess.Popen(["jfr", "print", "--stack-depth", str(depth), "--events", ",".join(events), path],
                            stdout=subprocess.PIPE, text=True, bufsize=1 << 20)
    event = None
    in_stack = False
    for line in proc.stdout:
        if event is None:
            m = re.match(r"^(jdk\.\w+) \{", line)
            if m:
                event = {"type": m.group(1), "frames": [], "values": {}}
            continue
        stripped = line.strip()
        if in_stack:
            if stripped == "]":
                in_stack = False
            elif stripped != "...":
                event["frames"].append(stripped.split("(", 1)[0])
            continue
        if line.startswith("}"):
            yield event
            event = None
        elif stripped == "stackTrace = [":
            in_stack = True
        elif " = " in stripped:
            k, v = stripped.split(" = ", 1)
            if k in ("sampledThread", "eventThread"):
                event["thread"] = v.split('"')[1] if '"' in v else v
            else:
                event["values"][k] = v
    proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("recording")
    ap.add_argument("--top", type=int, default=25)
    args = ap.parse_args()

    cpu_load(args.recording)
    samples = list(load(args.recording, ["jdk.ExecutionSample"]))
    n = len(samples)
    print(f"CPU samples (jdk.ExecutionSample): {n}")
    by_pool, by_comp, by_gl, self_frames, by_entry = Counter(), Counter(), Counter(), Counter(), Counter()
    for e in samples:
        st = e["frames"]
        by_pool[pool(e.get("thread"))] += 1
        by_comp[component(st)] += 1
        by_entry[entry(st)] += 1
        for m in greenlight_methods(st):
            by_gl[m] += 1
        if st:
            self_frames[st[0]] += 1

    def table(title, counter, limit=None):
        print(f"\n{title}")
        for k, v in counter.most_common(limit):
            print(f"  {100.0 * v / n:5.1f}%  {v:6d}  {k}")

    table("CPU samples per thread pool:", by_pool)
    table("CPU samples per component (library of the topmost recognised frame):", by_comp)
    table("CPU samples per outermost Greenlight method (route step or timer task):", by_entry, args.top)
    table("CPU samples with this Greenlight method on the stack (inclusive):", by_gl, args.top)
    table("Hottest frames (self):", self_frames, args.top)

    waits = load(args.recording, ["jdk.SocketRead", "jdk.ThreadPark", "jdk.JavaMonitorEnter", "jdk.JavaMonitorWait"], 40)
    per_pool = defaultdict(Counter)
    per_gl = defaultdict(Counter)
    count = Counter()
    for e in waits:
        kind = e["type"].replace("jdk.", "")
        d = parse_duration(e["values"]["duration"]) / 1e6
        st = e["frames"]
        t = pool(e.get("thread"))
        where = kind
        if kind == "ThreadPark":
            where = "park in " + next((f for f in st if not f.startswith(("java.", "jdk.", "sun."))), "JDK")
            if "FastThreadLocalRunnable" in where or where == "park in JDK":
                continue  # an idle pool thread waiting for work
        per_pool[t][where] += d
        count[(t, where)] += 1
        gl = [m for m in greenlight_methods(st) if not m.startswith(("store.Jdbc", "intake.WebhookIntake$$Lambda",
                                                                          "intake.WebhookIntake.lambda"))]
        if gl:
            owner = gl[0] + (" → commit" if any(f.endswith(".commit") for f in st) else "")
            per_gl[owner][where] += d
    print("\nWaiting time per thread pool, ms (count), idle pool threads and timers left out:")
    for t, c in sorted(per_pool.items(), key=lambda kv: -sum(kv[1].values())):
        if not t.startswith(("vert.x", "Camel")) or "timer" in t:
            continue
        print(f"  {t}: {sum(c.values()):,.0f} ms")
        for where, ms in c.most_common(6):
            print(f"      {ms:10,.0f} ms  ({count[(t, where)]:,})  {where}")
    print("\nWaiting time by the Greenlight method that issued the statement (innermost outside store.Jdbc), ms:")
    for m, c in sorted(per_gl.items(), key=lambda kv: -sum(kv[1].values()))[:args.top]:
        print(f"  {sum(c.values()):10,.0f} ms  {m}: " + ", ".join(f"{w} {ms:,.0f}" for w, ms in c.most_common(3)))


def cpu_load(path):
    cpu = [e["values"] for e in load(path, ["jdk.CPULoad"])]
    cpu = [v for v in cpu if not v["machineTotal"].startswith("0.00")]
    pct = lambda v, k: float(v[k].rstrip("%")) / 100  # noqa: E731
    if cpu:
        avg = lambda k: sum(pct(v, k) for v in cpu) / len(cpu)  # noqa: E731
        print(f"CPU load (jdk.CPULoad, share of all cores, mean of {len(cpu)} samples): JVM user {avg('jvmUser'):.0%}, "
              f"JVM system {avg('jvmSystem'):.0%}, whole machine {avg('machineTotal'):.0%}")
    gcs = list(load(path, ["jdk.GarbageCollection"]))
    if gcs:
        pauses = sum(parse_duration(e["values"]["sumOfPauses"]) for e in gcs) / 1e6
        print(f"GC: {len(gcs)} collections, pauses {pauses:,.0f} ms in total")


if __name__ == "__main__":
    main()
