#!/usr/bin/env python3
"""A misbehaving OpenAI-style upstream for the soak and hardening tests (stdlib only).

    python3 soak/fault_upstream.py [--port 0] [--host 127.0.0.1]

Prints `listening on 127.0.0.1:PORT (fault)` to stderr, then serves each connection in a thread.
The request header `x-fault` (forwarded by the gateway like any header) picks the behaviour; every
answer closes its connection. Faults that sluice-mock's x-mock-* headers cannot produce:

  ok                  valid chat completion (JSON, or SSE when the body asks for a stream)
  reset               RST before any response byte (SO_LINGER 0)
  close               FIN before any response byte
  hang                no answer; waits until the gateway gives up and closes
  garbage             bytes that are not HTTP, then close
  bad-status          a malformed status line
  huge-head           a response head larger than any gateway accepts (80 KB of fields)
  reset-mid-body      JSON head (Content-Length 4000), 100 body bytes, then RST
  close-mid-body      JSON head (Content-Length 4000), 100 body bytes, then FIN
  reset-mid-stream    SSE head and 2 events, then RST
  hang-mid-stream     SSE head and 1 event, then silence until the gateway closes
  garbage-mid-stream  SSE head and 1 event, then an invalid chunk size
  trickle             a valid JSON answer written 16 bytes at a time, 10 ms apart
  trickle-stream      a valid SSE answer, one event every 20 ms
"""

from __future__ import annotations

import argparse
import json
import os
import select
import socket
import struct
import sys
import threading
import time

HANG_LIMIT_S = 30.0  # a hanging answer never outlives this (bounds every thread)


def read_request(conn: socket.socket) -> tuple[dict[str, str], bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
        if len(data) > 1 << 20:
            return None
    head, _, rest = data.partition(b"\r\n\r\n")
    headers: dict[str, str] = {}
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    length = int(headers.get("content-length", "0") or 0)
    while len(rest) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        rest += chunk
    return headers, rest[:length]


def completion(model: str) -> bytes:
    return json.dumps(
        {
            "id": "chatcmpl-fault",
            "object": "chat.completion",
            "created": 1700000000,
            "model": model,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": "fault server says hi"},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 3, "completion_tokens": 4, "total_tokens": 7},
        }
    ).encode()


def sse_events(model: str, words: int = 8) -> list[bytes]:
    out = []
    for i in range(words):
        chunk = {"id": "chatcmpl-fault", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
                 "choices": [{"index": 0, "delta": {"content": f" w{i}"}, "finish_reason": None}]}
        out.append(b"data: " + json.dumps(chunk).encode() + b"\n\n")
    usage = {"id": "chatcmpl-fault", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
             "choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": words, "total_tokens": 3 + words}}
    out.append(b"data: " + json.dumps(usage).encode() + b"\n\n")
    out.append(b"data: [DONE]\n\n")
    return out


def chunk(b: bytes) -> bytes:
    return b"%x\r\n%s\r\n" % (len(b), b)


JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: %d\r\n\r\n"
SSE_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n"


def reset(conn: socket.socket) -> None:
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


def wait_for_close(conn: socket.socket) -> None:
    """Silence until the peer closes (or HANG_LIMIT_S)."""
    deadline = time.monotonic() + HANG_LIMIT_S
    while time.monotonic() < deadline:
        r, _, _ = select.select([conn], [], [], 0.5)
        if r:
            try:
                if not conn.recv(4096):
                    return
            except OSError:
                return


def serve(conn: socket.socket) -> None:
    try:
        req = read_request(conn)
        if req is None:
            return
        headers, body = req
        fault = headers.get("x-fault", "ok")
        try:
            parsed = json.loads(body or b"{}")
        except ValueError:
            parsed = {}
        model = str(parsed.get("model", "fault"))
        stream = bool(parsed.get("stream"))

        if fault == "reset":
            reset(conn)
            return
        if fault == "close":
            return
        if fault == "hang":
            wait_for_close(conn)
            return
        if fault == "garbage":
            conn.sendall(b"\x00\x01\x02 this is not http \xff\xfe\r\n\r\n")
            return
        if fault == "bad-status":
            conn.sendall(b"HTTP/1.1 2x0 Fine\r\nContent-Length: 0\r\n\r\n")
            return
        if fault == "huge-head":
            conn.sendall(b"HTTP/1.1 200 OK\r\n" + b"".join(b"X-Filler-%d: %s\r\n" % (i, b"f" * 1000) for i in range(80)) + b"\r\n")
            wait_for_close(conn)
            return
        if fault in ("reset-mid-body", "close-mid-body"):
            conn.sendall(JSON_HEAD % 4000 + b'{"id":"' + b"x" * 93)
            time.sleep(0.01)
            if fault == "reset-mid-body":
                reset(conn)
            return
        if fault in ("reset-mid-stream", "hang-mid-stream", "garbage-mid-stream"):
            events = sse_events(model)
            conn.sendall(SSE_HEAD + chunk(events[0]) + (chunk(events[1]) if fault == "reset-mid-stream" else b""))
            time.sleep(0.01)
            if fault == "reset-mid-stream":
                reset(conn)
            elif fault == "hang-mid-stream":
                wait_for_close(conn)
            else:
                conn.sendall(b"zz\r\nnot a chunk\r\n")
                wait_for_close(conn)
            return
        if fault == "trickle":
            data = JSON_HEAD % len(completion(model)) + completion(model)
            for i in range(0, len(data), 16):
                conn.sendall(data[i:i + 16])
                time.sleep(0.01)
            return
        if fault == "trickle-stream" or (fault == "ok" and stream):
            conn.sendall(SSE_HEAD)
            for e in sse_events(model):
                conn.sendall(chunk(e))
                if fault == "trickle-stream":
                    time.sleep(0.02)
            conn.sendall(b"0\r\n\r\n")
            return
        body_out = completion(model)
        conn.sendall(JSON_HEAD % len(body_out) + body_out)
    except OSError:
        pass
    finally:
        try:
            conn.close()
        except OSError:
            pass


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    args = ap.parse_args()
    srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.host, args.port))
    srv.listen(1024)
    print(f"listening on {args.host}:{srv.getsockname()[1]} (fault)", file=sys.stderr, flush=True)
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        os._exit(0)
