"""Sluice soak driver: fault soak, reloads under load, drain under load (stdlib only).

    python3 -m soak faults --requests 100000
    python3 -m soak reload --reloads 100
    python3 -m soak drain --streams 200
    python3 -m soak all            # the three, full size (what `make soak` runs)

Run from the repository root.
Binaries come from $SLUICE_BIN_DIR (default .build/debug; `make soak` uses the release build).
Every run is bounded in requests and in time, prints its figures as JSON, and exits 1 when a check
failed. Everything listens on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time

from . import drain, faults, reload


def log(msg: str) -> None:
    print(f"[soak {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def report(name: str, result: dict) -> bool:
    print(json.dumps({name: result}, indent=2, default=str), flush=True)
    log(f"{name}: {'ok' if result.get('ok') else 'FAILED'}")
    return bool(result.get("ok"))


def main() -> int:
    # SIGTERM (e.g. from `timeout`) unwinds like Ctrl-C, so every started process is stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("faults")
    f.add_argument("--requests", type=int, default=100_000)
    f.add_argument("--concurrency", type=int, default=64)
    f.add_argument("--max-seconds", type=float, default=900)
    f.add_argument("--kill-every", type=float, default=5.0)
    r = sub.add_parser("reload")
    r.add_argument("--reloads", type=int, default=100)
    r.add_argument("--interval", type=float, default=0.1)
    r.add_argument("--load", choices=["wrk", "python"], default="wrk")
    d = sub.add_parser("drain")
    d.add_argument("--streams", type=int, default=200)
    sub.add_parser("all")
    args = ap.parse_args()

    ok = True
    if args.cmd in ("faults", "all"):
        a = args if args.cmd == "faults" else argparse.Namespace(requests=100_000, concurrency=64, max_seconds=900, kill_every=5.0)
        ok &= report("faults", faults.run(a.requests, a.concurrency, a.max_seconds, a.kill_every, log=log))
    if args.cmd in ("reload", "all"):
        a = args if args.cmd == "reload" else argparse.Namespace(reloads=100, interval=0.1, load="wrk")
        ok &= report("reload", reload.run(a.reloads, a.interval, a.load, log=log))
    if args.cmd in ("drain", "all"):
        a = args if args.cmd == "drain" else argparse.Namespace(streams=200)
        ok &= report("drain", drain.run(a.streams, log=log))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
