#!/usr/bin/env python3
"""A TLS client for the ingress tests (`listen.tls`): several requests on ONE connection, read with
a small HTTP/1.1 response reader, one JSON line per response on stdout:
{"status": 200, "request_id": "...", "events": N, "done": true, "bytes": N}.
The first line describes the session: {"version": "TLSv1.3", "alpn": "http/1.1", "resumed": false}.

  --sequential N      N chat requests, each sent after the previous answer (keep-alive)
  --pipeline N        N chat requests sent in one write, then the N answers read in order
  --pad BYTES         prompt padding per request (pipelined bytes beyond the gateway's read buffer)
  --stream TOKENS     each request streams that many tokens
  --slow SECONDS      wait that long before reading answers (the gateway must hold back)
  --hold              after the requests, print "held", wait for a line on stdin, then send the
                      same requests again on the same connection (a reload happens meanwhile)
"""
import argparse, json, socket, ssl, sys, time

p = argparse.ArgumentParser()
p.add_argument("--port", type=int, required=True)
p.add_argument("--ca", required=True)
p.add_argument("--sequential", type=int, default=0)
p.add_argument("--pipeline", type=int, default=0)
p.add_argument("--pad", type=int, default=0)
p.add_argument("--stream", type=int, default=0)
p.add_argument("--slow", type=float, default=0)
p.add_argument("--hold", action="store_true")
a = p.parse_args()

ctx = ssl.create_default_context(cafile=a.ca)
ctx.set_alpn_protocols(["http/1.1"])
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", a.port), timeout=20), server_hostname="localhost")


class Reader:
    """Buffered reads with an offset into one bytearray (linear in the bytes received)."""

    def __init__(self):
        self.buf = bytearray()
        self.pos = 0

    def fill(self):
        if self.pos > 1 << 20:
            del self.buf[:self.pos]
            self.pos = 0
        data = sock.recv(1 << 18)
        if not data:
            raise EOFError("connection closed by the gateway")
        self.buf += data

    def take(self, n):
        while len(self.buf) - self.pos < n:
            self.fill()
        out = bytes(self.buf[self.pos:self.pos + n])
        self.pos += n
        return out

    def line(self):
        while True:
            i = self.buf.find(b"\r\n", self.pos)
            if i >= 0:
                out = bytes(self.buf[self.pos:i])
                self.pos = i + 2
                return out
            self.fill()


reader = Reader()


def request(i):
    body = {"model": "gpt-4o-mini", "max_tokens": 2,
            "messages": [{"role": "user", "content": "hi " + "x" * a.pad}]}
    if a.stream:
        body.update(stream=True, max_tokens=a.stream)
    data = json.dumps(body).encode()
    return (b"POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
            b"x-request-id: r%d\r\nContent-Length: %d\r\n\r\n%s" % (i, len(data), data))


def response():
    status = int(reader.line().split(b" ")[1])
    headers = {}
    while True:
        h = reader.line()
        if not h:
            break
        k, v = h.split(b":", 1)
        headers[k.strip().lower().decode()] = v.strip().decode()
    parts = []
    if headers.get("transfer-encoding") == "chunked":
        while True:
            size = int(reader.line().split(b";")[0], 16)
            if size == 0:
                reader.line()
                break
            parts.append(reader.take(size))
            reader.line()
    else:
        parts.append(reader.take(int(headers.get("content-length", 0))))
    body = b"".join(parts)
    return {"status": status, "request_id": headers.get("x-request-id"), "events": body.count(b"data: "),
            "done": b"[DONE]" in body, "bytes": len(body)}


def emit(o):
    print(json.dumps(o), flush=True)


def round_trip(first):
    if a.sequential:
        for i in range(first, first + a.sequential):
            sock.sendall(request(i))
            if a.slow:
                time.sleep(a.slow)
            emit(response())
    if a.pipeline:
        sock.sendall(b"".join(request(i) for i in range(first, first + a.pipeline)))
        if a.slow:
            time.sleep(a.slow)
        for _ in range(a.pipeline):
            emit(response())


emit({"version": sock.version(), "alpn": sock.selected_alpn_protocol(), "resumed": sock.session_reused})
try:
    round_trip(1)
    if a.hold:
        emit({"held": True})
        sys.stdin.readline()
        round_trip(1001)
except (EOFError, OSError) as e:
    emit({"error": str(e)})
