"""Fault soak: ordinary requests mixed with every upstream fault we can produce, then the gateway's
fds back at their baseline and its RSS flat.

Upstreams: `mock` (sluice-mock, fast, with its x-mock-* faults), `fault` (fault_upstream.py:
resets, hangs, garbage, trickles), `victim` (a sluice-mock streaming 50 tokens/s that a killer
thread SIGKILLs and restarts on the same port every few seconds, mid-stream) and `dead` (a port
nothing listens on). The timeouts (2 s first byte and idle) leave a shared, busy machine room for
stalls of a second or more without changing an answer. Each request checks the answer SPEC §3
prescribes: 502 upstream_unavailable, 504 upstream_timeout, upstream statuses passed through, or
for a stream cut after its head the in-band `stream_interrupted` error event and no terminating
chunk.
"""

from __future__ import annotations

import random
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .client import Connection, ProtocolError, Response, admin_json, chat_body
from .procs import Proc, free_port, rss_kib, settled_census, start_fault, start_mock, start_sluice

CONFIG = """\
version: 1
listen: {{address: 127.0.0.1:0}}
admin: {{address: 127.0.0.1:0}}
logging: {{level: error, access_log: off}}
server: {{workers: 2, max_connections: 10000, header_timeout: 5s, idle_timeout: 10s, drain_timeout: 5s}}
backends:
  - name: mock
    endpoints: ["http://127.0.0.1:{mock}"]
    timeouts: {{connect: 1s, first_byte: 2s, idle: 2s, total: 20s}}
  - name: fault
    endpoints: ["http://127.0.0.1:{fault}"]
    timeouts: {{connect: 1s, first_byte: 2s, idle: 2s, total: 20s}}
  - name: victim
    endpoints: ["http://127.0.0.1:{victim}"]
    timeouts: {{connect: 1s, first_byte: 3s, idle: 3s, total: 30s}}
  - name: dead
    endpoints: ["http://127.0.0.1:{dead}"]
    timeouts: {{connect: 500ms, first_byte: 1s, idle: 1s, total: 5s}}
routes:
  - {{name: mock, models: ["mock-*"], backends: [{{backend: mock}}]}}
  - {{name: fault, models: ["fault-*"], backends: [{{backend: fault}}]}}
  - {{name: victim, models: ["victim-*"], backends: [{{backend: victim}}]}}
  - {{name: dead, models: ["dead-*"], backends: [{{backend: dead}}]}}
"""


def is_cut(r: Response) -> bool:
    """A stream cut after its head: 200, the in-band error event last, no terminating chunk."""
    data = r.sse_data()
    return r.status == 200 and r.chunked and not r.complete and bool(data) and b'"stream_interrupted"' in data[-1]


def is_whole_stream(r: Response) -> bool:
    data = r.sse_data()
    return r.status == 200 and r.chunked and r.complete and bool(data) and data[-1] == b"[DONE]"


def is_json_ok(r: Response) -> bool:
    return r.status == 200 and not r.chunked and b'"choices"' in r.body


def gateway_error(status: int, code: str) -> Callable[[Response], bool]:
    return lambda r: r.status == status and r.error_code == code


@dataclass
class Scenario:
    name: str
    weight: int
    model: str
    stream: bool
    headers: dict[str, str]
    check: Callable[[Response], bool]
    max_tokens: int = 8
    #: read the head, then close (the client goes away mid-answer); no check.
    abandon: bool = False


SCENARIOS = [
    Scenario("ok", 30, "mock-a", False, {}, is_json_ok),
    Scenario("ok-stream", 14, "mock-a", True, {}, is_whole_stream),
    Scenario("awkward-chunks", 3, "mock-a", True, {"x-mock-chunk-bytes": "7"}, is_whole_stream),
    Scenario("upstream-503", 4, "mock-a", False, {"x-mock-status": "503"}, lambda r: r.status == 503),
    Scenario("upstream-429", 2, "mock-a", False, {"x-mock-status": "429"}, lambda r: r.status == 429),
    Scenario("drop-mid-stream", 5, "mock-a", True, {"x-mock-drop-after-chunks": "3"}, is_cut),
    Scenario("slow-head", 2, "mock-a", False, {"x-mock-delay-ms": "4000"}, gateway_error(504, "upstream_timeout")),
    Scenario("slow-head-stream", 1, "mock-a", True, {"x-mock-delay-ms": "4000"}, gateway_error(504, "upstream_timeout")),
    Scenario("client-abandons", 3, "mock-a", True, {}, lambda r: True, max_tokens=2000, abandon=True),
    Scenario("refused", 3, "dead-a", False, {}, gateway_error(502, "upstream_unavailable")),
    Scenario("reset", 3, "fault-a", False, {"x-fault": "reset"}, gateway_error(502, "upstream_unavailable")),
    Scenario("close", 3, "fault-a", True, {"x-fault": "close"}, gateway_error(502, "upstream_unavailable")),
    Scenario("hang", 2, "fault-a", False, {"x-fault": "hang"}, gateway_error(504, "upstream_timeout")),
    Scenario("hang-stream", 1, "fault-a", True, {"x-fault": "hang"}, gateway_error(504, "upstream_timeout")),
    Scenario("garbage", 3, "fault-a", False, {"x-fault": "garbage"}, gateway_error(502, "upstream_unavailable")),
    Scenario("bad-status", 2, "fault-a", False, {"x-fault": "bad-status"}, gateway_error(502, "upstream_unavailable")),
    Scenario("huge-head", 1, "fault-a", False, {"x-fault": "huge-head"}, gateway_error(502, "upstream_unavailable")),
    Scenario("reset-mid-body", 3, "fault-a", False, {"x-fault": "reset-mid-body"}, gateway_error(502, "upstream_unavailable")),
    Scenario("close-mid-body", 3, "fault-a", False, {"x-fault": "close-mid-body"}, gateway_error(502, "upstream_unavailable")),
    Scenario("reset-mid-stream", 3, "fault-a", True, {"x-fault": "reset-mid-stream"}, is_cut),
    Scenario("hang-mid-stream", 2, "fault-a", True, {"x-fault": "hang-mid-stream"}, is_cut),
    Scenario("garbage-mid-stream", 2, "fault-a", True, {"x-fault": "garbage-mid-stream"}, is_cut),
    Scenario("trickle", 2, "fault-a", False, {"x-fault": "trickle"}, is_json_ok),
    Scenario("trickle-stream", 2, "fault-a", True, {"x-fault": "trickle-stream"}, is_whole_stream),
    Scenario("fault-ok", 2, "fault-a", False, {}, is_json_ok),
    # The victim is killed now and then: whole, cut mid-stream, or refused/reset before the head.
    Scenario("killed-mid-stream", 5, "victim-a", True, {},
             lambda r: is_whole_stream(r) or is_cut(r) or r.error_code == "upstream_unavailable", max_tokens=20),
]


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    done: int = 0
    by_scenario: dict[str, int] = field(default_factory=dict)
    wrong: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)
    outcomes: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, ok: bool, detail: str, outcome: str) -> None:
        with self.lock:
            self.done += 1
            self.by_scenario[name] = self.by_scenario.get(name, 0) + 1
            self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
            if not ok:
                self.wrong[name] = self.wrong.get(name, 0) + 1
                if len(self.examples) < 10:
                    self.examples.append(f"{name}: {detail}")


def outcome_of(r: Response) -> str:
    if is_whole_stream(r):
        return "200 stream"
    if is_cut(r):
        return "200 cut stream"
    return f"{r.status} {r.error_code or ''}".strip()


def worker(port: int, deadline: float, budget: list[int], budget_lock: threading.Lock, tally: Tally, seed: int) -> None:
    rnd = random.Random(seed)
    weights = [s.weight for s in SCENARIOS]
    conn = Connection(port)
    try:
        while time.monotonic() < deadline:
            with budget_lock:
                if budget[0] <= 0:
                    return
                budget[0] -= 1
            s = rnd.choices(SCENARIOS, weights)[0]
            try:
                r = conn.request("POST", "/v1/chat/completions", chat_body(s.model, s.stream, s.max_tokens), s.headers,
                                 head_only=s.abandon)
                ok = s.check(r)
                tally.add(s.name, ok, f"status {r.status}, complete {r.complete}, body {r.body[-160:]!r}", outcome_of(r))
            except (OSError, ProtocolError) as e:
                conn.close()
                tally.add(s.name, False, f"{type(e).__name__}: {e}", "socket error")
    finally:
        conn.close()


class Killer:
    """SIGKILLs the victim mock every `every` seconds and restarts it on the same port."""

    def __init__(self, victim: Proc, port: int, every: float, tokens_per_second: int):
        self.victim = victim
        self.port = port
        self.every = every
        self.tps = tokens_per_second
        self.kills = 0
        self.stop_event = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self.stop_event.wait(self.every):
            self.victim.kill()
            self.kills += 1
            for _ in range(50):  # the port is free at once (SO_REUSEADDR); retry a bind race briefly
                try:
                    self.victim = start_mock(self.port, ["--tokens-per-second", str(self.tps)])
                    break
                except (RuntimeError, TimeoutError):
                    time.sleep(0.1)

    def stop(self) -> Proc:
        self.stop_event.set()
        self.thread.join(timeout=30)
        return self.victim


def quiesce(admin_port: int, timeout: float = 15.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, stats = admin_json(admin_port, "/stats")
        if stats.get("in_flight") == 0 and stats.get("connections", {}).get("active") == 0:
            return True
        time.sleep(0.1)
    return False


def run(requests: int, concurrency: int = 16, max_seconds: float = 600.0, kill_every: float = 3.0,
        rss_growth_kib: int = 8192, log: Callable[[str], None] = print) -> dict:
    """Runs the fault soak; returns its figures and `ok`.

    Checks: sluice alive; every answer the expected one; all requests done within `max_seconds`;
    afterwards no client socket and no CLOSE_WAIT socket, fds other than pooled upstream
    connections back to the baseline, the pool within its bound; RSS flat: growth over the second
    half of the run at most `rss_growth_kib` (the first half may still fill allocator caches).
    """
    procs: list[Proc] = []
    killers: list[Killer] = []
    result: dict = {"ok": False}
    try:
        mock = start_mock()
        procs.append(mock)
        fault = start_fault()
        procs.append(fault)
        victim = start_mock(0, ["--tokens-per-second", "50"])
        procs.append(victim)
        victim_port = victim.port("mock")
        ports = {"mock": mock.port("mock"), "fault": fault.port("fault"), "victim": victim_port, "dead": free_port()}
        cfg = Path(tempfile.mkdtemp(prefix="sluice-soak-")) / "faults.yaml"
        cfg.write_text(CONFIG.format(**ports))
        gw = start_sluice(cfg)
        procs.append(gw)
        data_port, admin_port = gw.port("data"), gw.port("admin")
        upstream_ports = {ports["mock"], ports["fault"], ports["victim"]}

        lock = threading.Lock()

        def phase(budget: int, tally: Tally, deadline: float, seed: int) -> None:
            left = [budget]
            threads = [threading.Thread(target=worker, daemon=True, args=(data_port, deadline, left, lock, tally, seed + i))
                       for i in range(concurrency)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()

        # Warm-up: pools, allocator arenas, first-use paths; then the baseline.
        phase(min(requests, 400), Tally(), time.monotonic() + 60, 1)
        quiesce(admin_port)
        base_census = settled_census(gw.pid, upstream_ports, data_port, admin_port)
        rss_base = rss_kib(gw.pid)
        log(f"faults: baseline fds {base_census}, RSS {rss_base} KiB")

        killer = Killer(victim, victim_port, kill_every, 50)
        procs.remove(victim)
        killers.append(killer)
        tally = Tally()
        start = time.monotonic()
        deadline = start + max_seconds
        half = requests // 2
        rss_mid = -1
        for n, phase_budget in enumerate((half, requests - half)):
            phase(phase_budget, tally, deadline, 1000 * (n + 1))
            if rss_mid < 0:
                quiesce(admin_port)
                rss_mid = rss_kib(gw.pid)
        elapsed = time.monotonic() - start
        killers.remove(killer)
        procs.append(killer.stop())
        settled = quiesce(admin_port)
        census = settled_census(gw.pid, upstream_ports, data_port, admin_port)
        rss_end = rss_kib(gw.pid)
        _, backends = admin_json(admin_port, "/backends")
        alive = gw.alive()
        result = {
            "requests": tally.done,
            "seconds": round(elapsed, 1),
            "rate": round(tally.done / elapsed, 1) if elapsed else 0,
            "wrong": tally.wrong,
            "examples": tally.examples,
            "outcomes": dict(sorted(tally.outcomes.items(), key=lambda kv: -kv[1])),
            "victim_kills": killer.kills,
            "sluice_alive": alive,
            "settled": settled,
            "fds_before": base_census,
            "fds_after": census,
            "rss_kib": {"baseline": rss_base, "half": rss_mid, "end": rss_end},
            "pooled_upstream_limit": concurrency * 3,
            "rss_growth_second_half_kib": rss_end - rss_mid,
            "rss_growth_allowed_kib": rss_growth_kib,
        }
        result["ok"] = bool(
            alive and settled and not tally.wrong and tally.done == requests
            and census["fixed"] == base_census["fixed"]
            and census["client"] == 0 and census["close_wait"] == 0 and census["other_socket"] == 0
            and census["upstream"] <= result["pooled_upstream_limit"]
            and rss_end - rss_mid <= rss_growth_kib
        )
        log(f"faults: {tally.done} requests in {elapsed:.1f} s, wrong answers {sum(tally.wrong.values())}; "
            f"fds {base_census['total']} -> {census['total']} (upstream pooled {base_census['upstream']} -> "
            f"{census['upstream']}); RSS {rss_base} -> {rss_mid} -> {rss_end} KiB")
        result["endpoints"] = {e.get("backend"): {"requests": e.get("requests"), "failures": e.get("failures")}
                               for e in backends.get("endpoints", [])}
        return result
    finally:
        for k in killers:
            procs.append(k.stop())
        for p in reversed(procs):
            p.stop()
        if not result.get("ok"):
            for p in procs:
                if p.name == "sluice":
                    result["sluice_output"] = p.output()[-4000:]
