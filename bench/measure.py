#!/usr/bin/env python3
"""Runs a load generator command and accounts for the CPU time spent while it ran.

  measure.py --out cpu.json --service-pid PID [--db-pids 1,2,3] -- command args...

CPU seconds, from /proc: the service JVM (all its threads, H2 included), the PostgreSQL backends serving it
(--db-pids; PostgreSQL's shared background processes are not counted), the load generator (the command and its
children), the whole machine (busy time over all cores), and "other" = machine - the three, i.e. what other
processes on the machine used meanwhile.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def proc_cpu(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def machine_busy() -> float:
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return (sum(v[:8]) - idle) / TICK


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--service-pid", type=int, required=True)
    ap.add_argument("--db-pids", default="")
    ap.add_argument("command", nargs=argparse.REMAINDER)
    args = ap.parse_args()
    cmd = args.command[1:] if args.command[:1] == ["--"] else args.command
    db_pids = [int(p) for p in args.db_pids.split(",") if p]

    t0, s0, d0, m0, g0 = (time.monotonic(), proc_cpu(args.service_pid), sum(proc_cpu(p) for p in db_pids),
                          machine_busy(), children_cpu())
    rc = subprocess.call(cmd)
    t1, s1, d1, m1, g1 = (time.monotonic(), proc_cpu(args.service_pid), sum(proc_cpu(p) for p in db_pids),
                          machine_busy(), children_cpu())
    service, db, gen, machine = s1 - s0, d1 - d0, g1 - g0, m1 - m0
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    result = {
        "wall_s": round(t1 - t0, 2),
        "cores": os.cpu_count(),
        "cpu_s": {"service": round(service, 2), "database": round(db, 2), "generator": round(gen, 2),
                  "machine": round(machine, 2), "other": round(max(0.0, machine - service - db - gen), 2)},
        "loadavg_after": load,
        "exit_code": rc,
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    return rc


if __name__ == "__main__":
    sys.exit(main())
