#!/usr/bin/env python3
"""Time to first byte, measured by bench/run.sh (sse case): sequential requests, one at a time.

Usage: ttfb.py BODY_FILE REQUESTS ROUNDS NAME=PORT [NAME=PORT ...]

One keep-alive connection per target (raw socket, HTTP/1.1; reopened if the server closes it).
A few unmeasured warm-up requests per target, then ROUNDS interleaved rounds of REQUESTS/ROUNDS
requests each, the target order rotated every round, so every target sees the same machine.
For each request: first byte = from just before the request is written to the first byte of the
response read (the write's own cost is the same for every target and cancels in the differences);
first event = to the first body read that holds "data:". The whole response is read (chunked,
content-length or until close) before the next request is sent.

Prints one line per target: NAME COUNT P50_FIRST_BYTE P90 P99 P50_FIRST_EVENT, in milliseconds.
Bounded: every socket operation has a 10 s timeout; any failure exits non-zero with a message.
"""

import socket
import sys
import time

HOST = "127.0.0.1"
WARMUP = 20


class Conn:
    def __init__(self, port):
        self.port = port
        self.sock = None
        self.buf = bytearray()

    def open(self):
        self.close()
        self.sock = socket.create_connection((HOST, self.port), timeout=10)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = bytearray()

    def close(self):
        if self.sock is not None:
            self.sock.close()
            self.sock = None

    def fill(self):
        data = self.sock.recv(65536)
        if not data:
            raise EOFError("connection closed by server")
        self.buf += data

    def take(self, n):
        out = bytes(self.buf[:n])
        del self.buf[:n]
        return out

    def line(self):
        while True:
            i = self.buf.find(b"\r\n")
            if i >= 0:
                return self.take(i + 2)[:-2]
            self.fill()


def request_bytes(port, body):
    head = (
        f"POST /v1/chat/completions HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
        "Content-Type: application/json\r\nAuthorization: Bearer sk-bench\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def one(conn, req):
    """One request on conn; returns (first_byte_s, first_event_s or None)."""
    if conn.sock is None:
        conn.open()
    # From before the write: the write itself can wake the server on this core and be preempted
    # until the answer is there; time taken after it would then miss the server's work.
    t0 = time.perf_counter()
    conn.sock.sendall(req)
    conn.fill()
    first_byte = time.perf_counter() - t0
    first_event = None
    while b"\r\n\r\n" not in conn.buf:
        conn.fill()
    end = conn.buf.index(b"\r\n\r\n")
    head = conn.take(end + 4).decode("latin-1").split("\r\n")
    status = head[0].split(" ")
    if len(status) < 2 or status[1] != "200":
        raise RuntimeError(f"port {conn.port}: {head[0]}")
    headers = {}
    for h in head[1:]:
        if ":" in h:
            k, v = h.split(":", 1)
            headers[k.strip().lower()] = v.strip().lower()

    def saw(chunk):
        nonlocal first_event
        if first_event is None and b"data:" in chunk:
            first_event = time.perf_counter() - t0

    if "chunked" in headers.get("transfer-encoding", ""):
        while True:
            size = int(conn.line().split(b";")[0], 16)
            while len(conn.buf) < size + 2:
                conn.fill()
            saw(conn.take(size + 2))
            if size == 0:
                break  # no trailers from these servers: the CRLF taken above ended the message
    elif "content-length" in headers:
        n = int(headers["content-length"])
        while len(conn.buf) < n:
            conn.fill()
        saw(conn.take(n))
    else:
        try:
            while True:
                conn.fill()
        except EOFError:
            pass
        saw(conn.take(len(conn.buf)))
        conn.close()
    if headers.get("connection") == "close":
        conn.close()
    return first_byte, first_event


def pct(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, int(round(p / 100 * (len(s) - 1)))))
    return s[k]


def main():
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    body = open(sys.argv[1], "rb").read()
    total, rounds = int(sys.argv[2]), max(1, int(sys.argv[3]))
    targets = [a.split("=", 1) for a in sys.argv[4:]]
    conns = {name: Conn(int(port)) for name, port in targets}
    reqs = {name: request_bytes(int(port), body) for name, port in targets}
    fb = {name: [] for name, _ in targets}
    fe = {name: [] for name, _ in targets}
    names = [name for name, _ in targets]
    for name in names:
        for _ in range(WARMUP):
            one(conns[name], reqs[name])
    per_round = max(1, total // rounds)
    for r in range(rounds):
        order = names[r % len(names):] + names[: r % len(names)]
        for name in order:
            for _ in range(per_round):
                b, e = one(conns[name], reqs[name])
                fb[name].append(b)
                if e is not None:
                    fe[name].append(e)
    for name in names:
        conns[name].close()
        ms = lambda v: v * 1000.0  # noqa: E731
        print(
            f"{name} {len(fb[name])} {ms(pct(fb[name], 50)):.4f} {ms(pct(fb[name], 90)):.4f} "
            f"{ms(pct(fb[name], 99)):.4f} {ms(pct(fe[name], 50)):.4f}"
        )


if __name__ == "__main__":
    try:
        main()
    except Exception as exc:  # one clear line for the log; run.sh reports the failure
        sys.exit(f"ttfb.py: {type(exc).__name__}: {exc}")
