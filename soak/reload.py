"""Reloads under load: `reloads` config swaps (POST /reload and SIGHUP in turn, two configs that
differ in a harmless way) while wrk (or a Python load) sends chat requests and a few clients keep
streams open. Every request must succeed: no non-2xx answer, no socket error, every stream whole.
"""

from __future__ import annotations

import math
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Callable

from .client import Connection, ProtocolError, admin_json, chat_body
from .faults import is_whole_stream
from .procs import Proc, start_mock, start_sluice

CONFIG = """\
version: 1
listen: {{address: 127.0.0.1:0}}
admin: {{address: 127.0.0.1:0}}
logging: {{level: warn, access_log: off}}
server: {{workers: 2, max_connections: 10000}}
backends:
  - name: mock
    endpoints: ["http://127.0.0.1:{mock}"]
    timeouts: {{connect: 1s, first_byte: {first_byte}, idle: 5s, total: 30s}}
  - name: slow
    endpoints: ["http://127.0.0.1:{slow}"]
    timeouts: {{connect: 1s, first_byte: 5s, idle: 5s, total: 30s}}
routes:
  - {{name: main, models: ["main-model"], backends: [{{backend: mock}}]}}
  - {{name: streams, models: ["stream-model"], backends: [{{backend: slow}}]}}
  - {{name: extra-{variant}, models: ["extra-{variant}"], backends: [{{backend: mock}}]}}
"""

WRK_SCRIPT = """\
wrk.method = "POST"
wrk.body = '{"model":"main-model","messages":[{"role":"user","content":"reload soak"}],"max_tokens":4}'
wrk.headers["Content-Type"] = "application/json"
"""


def write_config(path: Path, variant: str, ports: dict[str, int]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(CONFIG.format(variant=variant, first_byte="5s" if variant == "a" else "6s", **ports))
    tmp.replace(path)  # atomic: a reload never reads half a file


def parse_wrk(text: str) -> dict:
    out = {"requests": 0, "non_2xx": 0, "socket_errors": 0, "rps": 0.0, "p99_ms": None}
    m = re.search(r"(\d+) requests in", text)
    if m:
        out["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    if m:
        out["non_2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    if m:
        out["socket_errors"] = sum(int(x) for x in m.groups())
    m = re.search(r"Requests/sec:\s+([\d.]+)", text)
    if m:
        out["rps"] = float(m.group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
    if m:
        out["p99_ms"] = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    return out


class PythonLoad:
    """Keep-alive chat requests from `n` threads until stopped; counts answers and failures."""

    def __init__(self, port: int, n: int, model: str = "main-model", stream: bool = False, max_tokens: int = 4):
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.requests = 0
        self.failures: list[str] = []
        self.threads = [threading.Thread(target=self._run, args=(port, model, stream, max_tokens), daemon=True)
                        for _ in range(n)]
        for t in self.threads:
            t.start()

    def _run(self, port: int, model: str, stream: bool, max_tokens: int) -> None:
        conn = Connection(port)
        body = chat_body(model, stream, max_tokens)
        while not self.stop_event.is_set():
            try:
                r = conn.request("POST", "/v1/chat/completions", body)
                good = is_whole_stream(r) if stream else r.status == 200
                with self.lock:
                    self.requests += 1
                    if not good:
                        self.failures.append(f"status {r.status}, complete {r.complete}, {r.body[-120:]!r}")
            except (OSError, ProtocolError) as e:
                conn.close()
                with self.lock:
                    self.requests += 1
                    self.failures.append(f"{type(e).__name__}: {e}")
        conn.close()

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.join(timeout=30)


def run(reloads: int, interval: float = 0.1, load: str = "wrk", log: Callable[[str], None] = print) -> dict:
    procs: list[Proc] = []
    result: dict = {"ok": False}
    wrk_proc: subprocess.Popen | None = None
    loads: list[PythonLoad] = []
    if load == "wrk" and shutil.which("wrk") is None:
        log("reload: wrk not found, using the Python load")
        load = "python"
    try:
        mock = start_mock()
        procs.append(mock)
        slow = start_mock(0, ["--tokens-per-second", "100"])
        procs.append(slow)
        ports = {"mock": mock.port("mock"), "slow": slow.port("mock")}
        work = Path(tempfile.mkdtemp(prefix="sluice-reload-"))
        cfg = work / "reload.yaml"
        write_config(cfg, "a", ports)
        gw = start_sluice(cfg)
        procs.append(gw)
        data_port, admin_port = gw.port("data"), gw.port("admin")

        # An upper bound: wrk is stopped with SIGINT (it then prints its summary) once the reloads are done.
        duration = math.ceil(reloads * (interval + 0.5)) + 10
        if load == "wrk":
            script = work / "chat.lua"
            script.write_text(WRK_SCRIPT)
            wrk_proc = subprocess.Popen(
                ["wrk", "-t2", "-c16", f"-d{duration}s", "--latency", "-s", str(script),
                 f"http://127.0.0.1:{data_port}/v1/chat/completions"],
                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        else:
            loads.append(PythonLoad(data_port, 8))
        streams = PythonLoad(data_port, 4, model="stream-model", stream=True, max_tokens=20)
        loads.append(streams)
        time.sleep(0.5)

        started = time.monotonic()
        failures: list[str] = []
        generation = 1
        for i in range(reloads):
            variant = "b" if i % 2 == 0 else "a"
            write_config(cfg, variant, ports)
            generation += 1
            if i % 2 == 0:
                status, body = admin_json(admin_port, "/reload", method="POST")
                if status != 200 or body.get("generation") != generation:
                    failures.append(f"reload {i + 1}: POST /reload answered {status} {body}")
            else:
                gw.signal(signal.SIGHUP)
                deadline = time.monotonic() + 5
                while admin_json(admin_port, "/stats")[1].get("config_generation") != generation:
                    if time.monotonic() > deadline:
                        failures.append(f"reload {i + 1}: SIGHUP did not reach generation {generation}")
                        break
                    time.sleep(0.01)
            time.sleep(interval)
        reload_seconds = time.monotonic() - started

        time.sleep(0.5)
        if wrk_proc is not None:
            still_running = wrk_proc.poll() is None
            wrk_proc.send_signal(signal.SIGINT)
            out, _ = wrk_proc.communicate(timeout=30)
            wrk_proc = None
            load_figures = parse_wrk(out)
            load_figures["reloads_within_run"] = still_running
        else:
            loads[0].stop()
            load_figures = {"requests": loads[0].requests, "failures": len(loads[0].failures),
                            "examples": loads[0].failures[:5], "reloads_within_run": True}
        streams.stop()
        _, stats = admin_json(admin_port, "/stats")
        result = {
            "load": load,
            "reloads": reloads,
            "reload_seconds": round(reload_seconds, 2),
            "reload_failures": failures[:10],
            "generation": stats.get("config_generation"),
            "config_reloads": stats.get("config_reloads"),
            "requests": load_figures,
            "streams": {"completed": streams.requests, "failures": len(streams.failures), "examples": streams.failures[:5]},
            "sluice_alive": gw.alive(),
        }
        bad = load_figures.get("non_2xx", 0) + load_figures.get("socket_errors", 0) + load_figures.get("failures", 0)
        result["ok"] = bool(
            gw.alive() and not failures and bad == 0 and load_figures["requests"] > 0
            and load_figures["reloads_within_run"] and not streams.failures and streams.requests > 0
            and stats.get("config_generation") == 1 + reloads
            and (stats.get("config_reloads") or {}).get("failed") == 0
        )
        return result
    finally:
        if wrk_proc is not None:
            wrk_proc.kill()
            wrk_proc.wait()
        for pl in loads:
            pl.stop()
        for p in reversed(procs):
            p.stop()
        if not result.get("ok"):
            for p in procs:
                if p.name == "sluice":
                    result["sluice_output"] = p.output()[-4000:]
