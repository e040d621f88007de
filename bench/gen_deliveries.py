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

--mix load (bench/webhook-load.sh): --environments E environments of Codertocat/Hello-World, environment n deployed by
pushes to branch "env-n". Writes two lists: <prefix>-start-0.tsv, one push to each environment's branch in order
(each starts that environment's deployment), and <prefix>-burst-0.tsv, --count deliveries in shuffled blocks of 20:
3 pushes to the branch of an environment picked at random (they queue behind its running deployment), 4 redeliveries
(each of a start push or of a burst push at least --gap deliveries earlier; a delivery may be
redelivered more than once), 6 "create" events, 4 pushes from another
repository and 3 pushes to a branch no environment deploys (all ignored). So 65 % are ignored and a fifth are
redeliveries. Kinds: push, redelivery, ignored-event, ignored-repo, ignored-branch. With --warmup N, also
<prefix>-warm-0.tsv: N deliveries of the ignored kinds alone, in the burst's proportions (they queue nothing).
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
LOAD_BLOCK = (["push"] * 3 + ["redelivery"] * 4 + ["ignored-event"] * 6 + ["ignored-repo"] * 4
              + ["ignored-branch"] * 3)
OTHER_BRANCH = "feature/not-deployed"


def push_template(repo: str, branch: str = "master") -> str:
    payload = json.loads(Path(PUSH_FIXTURE).read_text())
    payload["ref"] = f"refs/heads/{branch}"
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


class Signer:
    """Makes a delivery's line: a fresh delivery id, the body from its template, and the body's signature."""

    def __init__(self, rng: random.Random, secret: bytes, templates: list[str]):
        self.rng, self.secret, self.templates = rng, secret, templates

    def sha(self) -> str:
        return "%040x" % self.rng.getrandbits(160)

    def line(self, event: str, tmpl: int, before: str, after: str) -> str:
        delivery = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        body = self.templates[tmpl].replace("@@BEFORE@@", before).replace("@@AFTER@@", after).encode()
        sig = "sha256=" + hmac.new(self.secret, body, hashlib.sha256).hexdigest()
        return "\t".join([delivery, event, str(tmpl), before, after, sig])


def write_list(out: Path, name: str, lines: list[str], kinds: list[str]) -> None:
    (out / f"{name}.tsv").write_text("\n".join(lines) + "\n")
    (out / f"{name}.kinds").write_text("\n".join(kinds) + "\n")


def load_mix(args, out: Path, secret: bytes) -> None:
    """The two lists of the load benchmark (see the module's description)."""
    envs = args.environments
    templates = [push_template(REPO, f"env-{n}") for n in range(1, envs + 1)]
    templates += [push_template(REPO, OTHER_BRANCH), push_template(OTHER_REPO), create_template()]
    (out / "templates.txt").write_text("".join(t + "\n" for t in templates))
    rng = random.Random(f"{args.prefix}-{args.seed}")
    sign = Signer(rng, secret, templates)
    head = [sign.sha() for _ in range(envs)]  # each environment's branch head: a push's "before"

    def push(env: int) -> str:
        before, head[env] = head[env], sign.sha()
        return sign.line("push", env, before, head[env])

    start = [push(n) for n in range(envs)]
    write_list(out, f"{args.prefix}-start-0", start, ["push"] * envs)

    ignored = {"ignored-branch": ("push", envs), "ignored-repo": ("push", envs + 1),
               "ignored-event": ("create", envs + 2)}
    ignored_block = [k for k in LOAD_BLOCK if k in ignored]
    warm_kinds = ignored_block * (args.warmup // len(ignored_block) + 1)
    rng.shuffle(warm_kinds)
    warm_kinds = warm_kinds[:args.warmup]
    warm = [sign.line(ignored[k][0], ignored[k][1], sign.sha(), sign.sha()) for k in warm_kinds]
    write_list(out, f"{args.prefix}-warm-0", warm, warm_kinds)
    lines, kinds = [], []
    old = list(start)        # pushes a redelivery may repeat: every start push, and burst pushes --gap old
    recent = []              # (position, line) of burst pushes not yet --gap old
    while len(lines) < args.count:
        block = LOAD_BLOCK[:]
        rng.shuffle(block)
        for kind in block:
            while recent and recent[0][0] <= len(lines) - args.gap:
                old.append(recent.pop(0)[1])
            if kind == "redelivery":
                line = rng.choice(old)  # GitHub may redeliver one delivery more than once
            elif kind == "push":
                line = push(rng.randrange(envs))
                recent.append((len(lines), line))
            else:
                event, tmpl = ignored[kind]
                line = sign.line(event, tmpl, sign.sha(), sign.sha())
            lines.append(line)
            kinds.append(kind)
    write_list(out, f"{args.prefix}-burst-0", lines[:args.count], kinds[:args.count])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--prefix", required=True)
    ap.add_argument("--count", type=int, required=True, help="deliveries per wrk thread (--mix load: of the burst)")
    ap.add_argument("--mix", choices=["intake", "load"], default="intake")
    ap.add_argument("--environments", type=int, default=50, help="--mix load: how many environments")
    ap.add_argument("--warmup", type=int, default=0, help="--mix load: how many ignored deliveries to warm up with")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--gap", type=int, default=200, help="minimum distance from a push to its redelivery")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--secret-file", required=True)
    args = ap.parse_args()

    secret = Path(args.secret_file).read_bytes().strip()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.mix == "load":
        load_mix(args, out, secret)
        return
    templates = [push_template(REPO), push_template(OTHER_REPO), create_template()]
    assert all("\n" not in t for t in templates)
    (out / "templates.txt").write_text("".join(t + "\n" for t in templates))
    events = {"push": ("push", 0), "ignored-repo": ("push", 1), "ignored-event": ("create", 2)}

    rng = random.Random(f"{args.prefix}-{args.seed}")
    sign = Signer(rng, secret, templates)
    for t in range(args.threads):
        lines, kinds = [], []
        pushes = []          # (position, line) of pushes not redelivered yet
        prev_sha = sign.sha()
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
                before, after = prev_sha, sign.sha()
                if kind == "push":
                    prev_sha = after
                line = sign.line(event, tmpl, before, after)
                lines.append(line)
                kinds.append(kind)
                if kind == "push":
                    pushes.append((pos, line))
        write_list(out, f"{args.prefix}-{t}", lines[:args.count], kinds[:args.count])


if __name__ == "__main__":
    main()
