"""Processes of a soak run (sluice, sluice-mock, the fault upstream) and their /proc figures.

Every process is started here and stopped by its PID (SIGTERM, then SIGKILL), whatever happens.
Ports are chosen by the kernel (port 0) and read from the `listening on 127.0.0.1:PORT (kind)`
lines the programs print to stderr.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import deque
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
LISTEN_RE = re.compile(r"listening on (127\.0\.0\.1):(\d+) \((\w+)\)")


def bin_dir() -> Path:
    configured = os.environ.get("SLUICE_BIN_DIR")
    return Path(configured) if configured else REPO_ROOT / ".build" / "debug"


class Proc:
    """A child process whose output is drained by threads (pipes never fill)."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str] | None = None):
        self.name = name
        self.argv = argv
        self.ports: dict[str, int] = {}
        self.tail: deque[str] = deque(maxlen=200)
        self._cond = threading.Condition()
        self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=REPO_ROOT, env=env)
        self.pid = self.proc.pid
        for stream, label in ((self.proc.stderr, "stderr"), (self.proc.stdout, "stdout")):
            threading.Thread(target=self._drain, args=(stream, label), daemon=True).start()

    def _drain(self, stream, label: str) -> None:
        for raw in iter(stream.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\n")
            with self._cond:
                self.tail.append(f"[{self.name} {label}] {line}")
                m = LISTEN_RE.search(line) if label == "stderr" else None
                if m and m.group(3) not in self.ports:
                    self.ports[m.group(3)] = int(m.group(2))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def port(self, kind: str, timeout: float = 20.0) -> int:
        deadline = time.monotonic() + timeout
        with self._cond:
            while kind not in self.ports:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.proc.returncode}:\n{self.output()}")
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self.name} announced no {kind} listener:\n{self.output()}")
                self._cond.wait(min(left, 0.2))
            return self.ports[kind]

    def output(self) -> str:
        return "\n".join(list(self.tail))

    def alive(self) -> bool:
        return self.proc.poll() is None

    def signal(self, sig: int) -> None:
        if self.alive():
            os.kill(self.pid, sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        """SIGKILL and reap (a crash, as far as its peers can tell)."""
        if self.alive():
            os.kill(self.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.proc.wait(timeout=10)
            except ProcessLookupError:
                pass


def start_mock(port: int = 0, extra: list[str] | None = None) -> Proc:
    p = Proc("sluice-mock", [str(bin_dir() / "sluice-mock"), "--port", str(port)] + (extra or []))
    p.port("mock")
    return p


def start_fault() -> Proc:
    p = Proc("fault", [sys.executable, str(Path(__file__).with_name("fault_upstream.py")), "--port", "0"])
    p.port("fault")
    return p


def start_sluice(config_path: Path) -> Proc:
    p = Proc("sluice", [str(bin_dir() / "sluice"), "--config", str(config_path)])
    p.port("data")
    p.port("admin")
    return p


def free_port() -> int:
    """A loopback port nothing listens on (bound and released at once)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- /proc figures -------------------------------------------------------------------------------

TCP_STATES = {1: "ESTABLISHED", 2: "SYN_SENT", 3: "SYN_RECV", 4: "FIN_WAIT1", 5: "FIN_WAIT2", 6: "TIME_WAIT",
              7: "CLOSE", 8: "CLOSE_WAIT", 9: "LAST_ACK", 10: "LISTEN", 11: "CLOSING"}


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1



def fd_census(pid: int, upstream_ports: set[int], data_port: int, admin_port: int = -1) -> dict[str, int]:
    """The fds of `pid` by kind, from one listing: upstream sockets, client and admin connections,
    listeners, CLOSE_WAIT sockets (the peer closed, the process did not: a leak if it stays), other
    sockets (e.g. closed but not released), and non-socket fds. `fixed` is what must not change over
    a run: all but upstream sockets (pooled) and CLOSE_WAIT ones (checked apart)."""
    inodes: dict[str, int] = {}
    other = 0
    listing = os.listdir(f"/proc/{pid}/fd")
    for fd in listing:
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes[target[8:-1]] = inodes.get(target[8:-1], 0) + 1
        else:
            other += 1
    census = {"total": 0, "upstream": 0, "client": 0, "admin": 0, "listen": 0, "close_wait": 0, "other_socket": 0,
              "non_socket": other}
    seen = 0
    for table in (f"/proc/{pid}/net/tcp", f"/proc/{pid}/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[9] not in inodes:
                continue
            seen += inodes[f[9]]
            local, remote, state = int(f[1].split(":")[1], 16), int(f[2].split(":")[1], 16), int(f[3], 16)
            if state == 10:
                census["listen"] += 1
            elif state == 8:
                census["close_wait"] += 1
                side = "upstream" if remote in upstream_ports else "client" if local == data_port else "other"
                census[f"close_wait_{side}"] = census.get(f"close_wait_{side}", 0) + 1
            elif remote in upstream_ports:
                census["upstream"] += 1
            elif local == data_port:
                census["client"] += 1
            elif local == admin_port:
                census["admin"] += 1
            else:
                census["other_socket"] += 1
    census["other_socket"] += sum(inodes.values()) - seen
    census["total"] = len(listing)
    census["fixed"] = (census["listen"] + census["client"] + census["admin"] + census["other_socket"]
                       + census["non_socket"])
    return census


def settled_census(pid: int, upstream_ports: set[int], data_port: int, admin_port: int,
                   timeout: float = 3.0) -> dict[str, int]:
    """`fd_census` once no client, admin, CLOSE_WAIT or other socket is left (or after `timeout`):
    closes in progress are not leaks; what stays after `timeout` is."""
    deadline = time.monotonic() + timeout
    while True:
        c = fd_census(pid, upstream_ports, data_port, admin_port)
        if c["client"] + c["admin"] + c["close_wait"] + c["other_socket"] == 0 or time.monotonic() > deadline:
            return c
        time.sleep(0.05)
