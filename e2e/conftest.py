"""End-to-end fixtures: a real `sluice-mock` and a real `sluice` on loopback, port 0.

Both binaries print `listening on 127.0.0.1:PORT (data|admin|mock)` to stderr at start
(SPEC §1); the fixtures read the ports from those lines, so suites can run in parallel.
Binaries come from $SLUICE_BIN_DIR, else .build/debug (what `swift build --build-tests` makes).
Every process started here is stopped by its PID at teardown, whatever happened.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import textwrap
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 10.0
LISTEN_RE = re.compile(r"listening on (127\.0\.0\.1):(\d+) \((data|admin|mock)\)")


def bin_dir() -> Path:
    configured = os.environ.get("SLUICE_BIN_DIR")
    return Path(configured) if configured else REPO_ROOT / ".build" / "debug"


class ManagedProcess:
    """A child process whose stdout and stderr are drained by threads, so its pipes never fill.

    Remembers the listener ports announced on stderr and the last lines of output for
    failure messages. `stop()` signals the PID (SIGTERM, then SIGKILL) and reaps it.
    """

    def __init__(self, name: str, argv: list[str]):
        self.name = name
        self.argv = argv
        self.ports: dict[str, int] = {}
        self.tail: deque[str] = deque(maxlen=200)
        self._cond = threading.Condition()
        self._threads: list[threading.Thread] = []
        exe = Path(argv[0])
        if not exe.is_file():
            raise FileNotFoundError(
                f"{exe} not found: build first (`swift build --build-tests`) or set SLUICE_BIN_DIR"
            )
        self.proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=REPO_ROOT,
        )
        self.pid = self.proc.pid
        for stream, label in ((self.proc.stderr, "stderr"), (self.proc.stdout, "stdout")):
            t = threading.Thread(target=self._drain, args=(stream, label), daemon=True)
            t.start()
            self._threads.append(t)

    def _drain(self, stream, label: str) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.tail.append(f"[{self.name} {label}] {line}")
                if label == "stderr":
                    m = LISTEN_RE.search(line)
                    if m and m.group(3) not in self.ports:
                        self.ports[m.group(3)] = int(m.group(2))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for_ports(self, kinds: list[str], timeout: float = START_TIMEOUT_S) -> dict[str, int]:
        """Blocks until every listener kind in `kinds` was announced, in any order."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not all(k in self.ports for k in kinds):
                if self.proc.poll() is not None:
                    self._cond.wait(0.2)  # let the drain threads catch the last lines
                    raise RuntimeError(
                        f"{self.name} exited with {self.proc.returncode} before listening on "
                        f"{kinds}:\n{self.output()}"
                    )
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{self.name} did not announce {kinds} within {timeout}s "
                        f"(saw {self.ports}):\n{self.output()}"
                    )
                self._cond.wait(min(remaining, 0.2))
            return {k: self.ports[k] for k in kinds}

    def output(self) -> str:
        with self._cond:
            return "\n".join(self.tail)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT_S)
            except ProcessLookupError:
                pass
        for t in self._threads:
            t.join(timeout=2)


@dataclass
class Gateway:
    """Addresses of a running sluice + sluice-mock pair."""

    data_port: int
    admin_port: int
    mock_port: int
    config_path: Path
    sluice: ManagedProcess
    mock: ManagedProcess

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.data_port}"

    @property
    def admin_url(self) -> str:
        return f"http://127.0.0.1:{self.admin_port}"

    @property
    def mock_url(self) -> str:
        return f"http://127.0.0.1:{self.mock_port}"


# Route model names that GET /v1/models must list (exact names only, never globs).
ROUTE_MODELS = ["llama-3.1-8b", "gpt-4o-mini", "gpt-4o", "text-embedding-3-small"]
LLAMA_UPSTREAM_MODEL = "meta-llama/Llama-3.1-8B-Instruct"


def write_config(directory: Path, mock_port: int) -> Path:
    config = textwrap.dedent(
        f"""\
        version: 1
        listen:
          address: 127.0.0.1:0
        admin:
          address: 127.0.0.1:0
        server:
          workers: 2
        logging:
          level: info
          access_log: stdout
        auth:
          mode: none
        backends:
          - name: mock
            endpoints: ["http://127.0.0.1:{mock_port}"]
        routes:
          - name: llama
            models: ["llama-3.1-8b", "llama-*"]
            backends:
              - {{backend: mock, model: "{LLAMA_UPSTREAM_MODEL}"}}
          - name: gpt
            models: ["gpt-4o-mini", "gpt-4o"]
            backends:
              - {{backend: mock}}
          - name: embeddings
            models: ["text-embedding-3-small"]
            backends:
              - {{backend: mock}}
        pipeline:
          - {{name: router, type: model_router}}
        """
    )
    path = directory / "sluice-e2e.yaml"
    path.write_text(config)
    return path


@pytest.fixture(scope="session")
def mock_server():
    proc = ManagedProcess("sluice-mock", [str(bin_dir() / "sluice-mock"), "--port", "0"])
    try:
        port = proc.wait_for_ports(["mock"])["mock"]
        yield proc, port
    finally:
        proc.stop()


@pytest.fixture(scope="session")
def gateway(mock_server, tmp_path_factory):
    mock, mock_port = mock_server
    config_path = write_config(tmp_path_factory.mktemp("sluice"), mock_port)
    proc = ManagedProcess("sluice", [str(bin_dir() / "sluice"), "--config", str(config_path)])
    try:
        ports = proc.wait_for_ports(["data", "admin"])
        yield Gateway(
            data_port=ports["data"],
            admin_port=ports["admin"],
            mock_port=mock_port,
            config_path=config_path,
            sluice=proc,
            mock=mock,
        )
    finally:
        proc.stop()


@pytest.fixture()
def client(gateway):
    """The official openai SDK pointed at the gateway; no retries so every failure shows."""
    import openai

    c = openai.OpenAI(base_url=f"{gateway.base_url}/v1", api_key="sk-test", max_retries=0, timeout=20.0)
    try:
        yield c
    finally:
        c.close()


@pytest.fixture()
def route_models():
    return list(ROUTE_MODELS)


@pytest.fixture()
def http(gateway):
    """A plain httpx client for what the SDK hides (headers, raw SSE, admin calls)."""
    import httpx

    with httpx.Client(timeout=20.0) as c:
        yield c


def pytest_runtest_makereport(item, call):
    """Attach the processes' last output to a failing test's report."""
    if call.when != "call" or call.excinfo is None:
        return
    gw = item.funcargs.get("gateway") if hasattr(item, "funcargs") else None
    if isinstance(gw, Gateway):
        item.add_report_section("call", "sluice output", gw.sluice.output())
        item.add_report_section("call", "sluice-mock output", gw.mock.output())
