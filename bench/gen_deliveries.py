#!/usr/bin/env python3
"""Precomputes signed GitHub webhook deliveries for the intake benchmark.

Writes, into --out:
  templates.txt           the request bodies, compact JSON one per line (placeholders @@BEFORE@@ / @@AFTER@@)
  <prefix>-<t>.tsv        the deliveries wrk thread <t> sends, in order:
                          delivery id, event, template index, before, after, signature
  <prefix>-<t>.kinds      the kind of each line of <prefix>-<t>.tsv (push, redelivery, ignored-event,
                          ignored-repo), for the verification after the run

The bodies are GitHub's published example payloads (src/test/resources/github/): push.branch-created.json with
"created": false, a fresh 40-hex "after" (also head_commit.id) and "before" per delivery, and create.tag.json.

Mix, per block of 12 deliveries (shuffled inside the block): 6 pushes to master of Codertocat/Hello-World (each
queues one deployment), 3 redeliveries (same delivery id, event, body and signature as an earlier push of the same
thread, sent at least --gap deliveries after it), 2 "create" events and 1 push from another repository (both
answered 200 "ignored"). So a third of the push deliveries are redeliveries and a quarter of all are ignored.
Until a push is --gap deliveries old, a redelivery slot is filled with a new push instead.
"""
import argparse
import bisect
import hashlib
import hmac
import json
import random
import uuid
from pathlib import Path

PUSH_FIXTURE = "src/test/resources/github/push.branch-created.json"
CREATE_FIXTURE = "src/test/resources/github/create.tag.json"
REPO = "Codertocat/Hello-World"
OTHER_REPO = "Codertocat/Other-World"
BLOCK = ["push"] * 6 + ["redelivery"] * 3 + ["ignored-event"] * 2 + ["ignored-repo"]


def push_template(repo: str) -> str:
    payload = json.loads(Path(PUSH_FIXTURE).read_text())
    payload["ref"] = "refs/heads/master"
    payload["before"] = "@@BEFORE@@"
    payload["after"] = "@@AFTER@@"
    payload["created"] = False
    payload["repository"]["full_name"] = repo
    payload["repository"]["name"] = repo.split("/")[1]
    if payload.get("head_commit"):
        payload["head_commit"]["id"] = "@@AFTER@@"
    payload["compare"] = f"https://github.com/{repo}/compare/@@BEFORE@@...@@AFTER@@"
    # GitHub sends compact JSON; keep the fixture's size (about 7 KB) but not its indentation.
    return json.dumps(payload, separators=(",", ":"))


def create_template() -> str:
    return json.dumps(json.loads(Path(CREATE_FIXTURE).read_text()), separators=(",", ":"))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--count", type=int, required=True, help="deliveries per wrk thread")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--gap", type=int, default=200, help="minimum distance from a push to its redelivery")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--secret-file", required=True)
    args = ap.parse_args()

    secret = Path(args.secret_file).read_bytes().strip()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    templates = [push_template(REPO), push_template(OTHER_REPO), create_template()]
    assert all("\n" not in t for t in templates)
    (out / "templates.txt").write_text("".join(t + "\n" for t in templates))
    events = {"push": ("push", 0), "ignored-repo": ("push", 1), "ignored-event": ("create", 2)}

    rng = random.Random(f"{args.prefix}-{args.seed}")
    for t in range(args.threads):
        lines, kinds = [], []
        pushes = []          # (position, line) of pushes not redelivered yet
        prev_sha = "%040x" % rng.getrandbits(160)
        while len(lines) < args.count:
            block = BLOCK[:]
            rng.shuffle(block)
            for kind in block:
                pos = len(lines)
                if kind == "redelivery":
                    # pushes is in position order: the eligible ones are a prefix of it
                    eligible = bisect.bisect_right(pushes, (pos - args.gap, "\uffff"))
                    if eligible:
                        _, line = pushes.pop(rng.randrange(eligible))
                        lines.append(line)
                        kinds.append(kind)
                        continue
                    kind = "push"
                event, tmpl = events[kind]
                delivery = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                before, after = prev_sha, "%040x" % rng.getrandbits(160)
                if kind == "push":
                    prev_sha = after
                body = templates[tmpl].replace("@@BEFORE@@", before).replace("@@AFTER@@", after).encode()
                sig = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
                line = "\t".join([delivery, event, str(tmpl), before, after, sig])
                lines.append(line)
                kinds.append(kind)
                if kind == "push":
                    pushes.append((pos, line))
        lines, kinds = lines[:args.count], kinds[:args.count]
        (out / f"{args.prefix}-{t}.tsv").write_text("\n".join(lines) + "\n")
        (out / f"{args.prefix}-{t}.kinds").write_text("\n".join(kinds) + "\n")


if __name__ == "__main__":
    main()
