#!/usr/bin/env python3
"""Open-loop load: sends a precomputed delivery list (gen_deliveries.py) at a fixed rate and measures each request's
latency from the moment it was *scheduled*, so a slow answer cannot hold back the requests behind it (no coordinated
omission: if the service or the generator falls behind, the wait counts in the latency).

Request i is due at start + i / rate. It goes out on an idle keep-alive connection, or on a new one while fewer than
--connections are open; otherwise it waits for one to free up (and that wait is part of its latency). The run is
bounded: exactly --count requests, each with a --timeout.

Writes a JSON summary (--out): achieved rate, latency percentiles (exact, from every sample), status counts, the
generator's lag (due → written, including any wait for a free connection), its own delay (due → the moment it got
round to the request: time it was starved of CPU, which is not the service's doing), the latency with that own delay
taken out, and the number of connections it needed.
"""
import argparse
import asyncio
import json
import time
from pathlib import Path


def build_requests(directory: Path, prefix: str, count: int, host: str, path: str) -> list[bytes]:
    templates = (directory / "templates.txt").read_text().splitlines()
    out = []
    with open(directory / f"{prefix}-0.tsv") as f:
        for line in f:
            if len(out) == count:
                break
            delivery, event, tmpl, before, after, sig = line.rstrip("\n").split("\t")
            body = templates[int(tmpl)].replace("@@BEFORE@@", before).replace("@@AFTER@@", after).encode()
            head = (f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: GitHub-Hookshot/bench\r\n"
                    f"Content-Type: application/json\r\nX-GitHub-Event: {event}\r\nX-GitHub-Delivery: {delivery}\r\n"
                    f"X-Hub-Signature-256: {sig}\r\nContent-Length: {len(body)}\r\n\r\n")
            out.append(head.encode() + body)
    if len(out) < count:
        raise SystemExit(f"{prefix}-0.tsv holds only {len(out)} deliveries, {count} requested")
    return out


async def read_response(reader: asyncio.StreamReader) -> int:
    """Reads one HTTP/1.1 response (Content-Length or chunked); returns its status."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {}
    for h in lines[1:]:
        if ":" in h:
            k, v = h.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding", "").lower() == "chunked":
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    if headers.get("connection", "").lower() == "close":
        raise ConnectionResetError("server closed the connection")
    return status


async def run(args) -> dict:
    requests = build_requests(Path(args.dir), args.prefix, args.count, f"{args.host}:{args.port}", args.path)
    cpu_start = time.process_time()
    loop = asyncio.get_running_loop()
    idle: asyncio.Queue = asyncio.Queue()
    opened = 0
    latencies = [None] * args.count
    lags = [None] * args.count       # due -> written: the generator's own delay plus any wait for a connection
    late = [None] * args.count       # due -> the generator got round to it: its own delay only
    statuses: dict[str, int] = {}
    errors: dict[str, int] = {}

    async def connection():
        nonlocal opened
        try:
            return idle.get_nowait()
        except asyncio.QueueEmpty:
            pass
        if opened < args.connections:
            opened += 1
            return await asyncio.open_connection(args.host, args.port)
        return await idle.get()

    async def send(i: int, due: float):
        nonlocal opened
        conn = None
        late[i] = loop.time() - due
        try:
            conn = await asyncio.wait_for(connection(), args.timeout)
            reader, writer = conn
            lags[i] = loop.time() - due
            writer.write(requests[i])
            status = await asyncio.wait_for(read_response(reader), args.timeout)
            latencies[i] = loop.time() - due
            statuses[str(status)] = statuses.get(str(status), 0) + 1
            idle.put_nowait(conn)
        except Exception as e:  # noqa: BLE001 - every failure is counted by kind
            name = type(e).__name__
            errors[name] = errors.get(name, 0) + 1
            if conn is not None:
                conn[1].close()
                opened -= 1

    t_loop0 = loop.time()
    wall_start = time.time()
    start = loop.time() + 0.05
    tasks = []
    for i in range(args.count):
        due = start + i / args.rate
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(i, due)))
    await asyncio.gather(*tasks)
    elapsed = loop.time() - start
    while not idle.empty():
        idle.get_nowait()[1].close()

    done = sorted(x for x in latencies if x is not None)
    lag = sorted(x for x in lags if x is not None)
    own = sorted(x for x in late if x is not None)
    # the latency with the generator's own delay taken out: what the service (and the connection pool) cost
    service_only = sorted(lat - lt for lat, lt in zip(latencies, late) if lat is not None)

    def pct(xs, p):
        if not xs:
            return None
        return xs[min(len(xs) - 1, max(0, int(round(p / 100 * len(xs) + 0.5)) - 1))]

    us = lambda x: None if x is None else round(x * 1e6)  # noqa: E731
    return {
        "mode": "open-loop",
        "target_rate": args.rate,
        "requests": args.count,
        "completed": len(done),
        "duration_us": us(elapsed),
        "achieved_rate": round(len(done) / elapsed, 1),
        "latency_us": {"min": us(done[0]) if done else None, "mean": us(sum(done) / len(done)) if done else None,
                       "p50": us(pct(done, 50)), "p90": us(pct(done, 90)), "p95": us(pct(done, 95)),
                       "p99": us(pct(done, 99)), "p999": us(pct(done, 99.9)), "max": us(done[-1]) if done else None},
        "latency_without_generator_delay_us": {"p50": us(pct(service_only, 50)), "p90": us(pct(service_only, 90)),
                                               "p95": us(pct(service_only, 95)), "p99": us(pct(service_only, 99)),
                                               "max": us(service_only[-1]) if service_only else None},
        "generator_lag_us": {"p50": us(pct(lag, 50)), "p99": us(pct(lag, 99)), "max": us(lag[-1]) if lag else None},
        "generator_own_delay_us": {"p50": us(pct(own, 50)), "p99": us(pct(own, 99)), "max": us(own[-1]) if own else None},
        "statuses": statuses,
        "errors": errors,
        "connections_opened": opened,
        "issued_per_thread": [args.count],
        "generator_cpu_s": round(time.process_time() - cpu_start, 2),
        "_latencies": latencies,
        "_late": late,
        "_start_wall": wall_start + (start - t_loop0),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--path", default="/webhooks/github")
    ap.add_argument("--dir", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--rate", type=float, required=True, help="requests per second")
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--timeout", type=float, default=10.0)
    ap.add_argument("--out", required=True)
    ap.add_argument("--samples-out", help="also write every request's due time and latency here")
    args = ap.parse_args()
    result = asyncio.run(run(args))
    latencies, late, start_wall = result.pop("_latencies"), result.pop("_late"), result.pop("_start_wall")
    Path(args.out).write_text(json.dumps(result, indent=1) + "\n")
    if args.samples_out:
        # one line per request: when it was due (Unix time, s), its latency in ms ("-" if it failed), and how late
        # the generator itself got round to sending it (ms)
        with open(args.samples_out, "w") as f:
            for i, lat in enumerate(latencies):
                f.write(f"{start_wall + i / args.rate:.4f}\t{'-' if lat is None else f'{lat * 1000:.2f}'}"
                        f"\t{(late[i] or 0) * 1000:.2f}\n")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
