"""A small raw HTTP/1.1 client for the soak: keep-alive, exact framing, cut-stream detection."""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes
    chunked: bool = False
    #: False when a chunked body ended without its terminating zero-length chunk (a cut stream).
    complete: bool = True
    #: The server closed the connection after this response.
    closed: bool = False
    chunks: list[bytes] = field(default_factory=list)

    def json(self) -> dict:
        return json.loads(self.body)

    @property
    def error_code(self) -> str | None:
        try:
            return self.json().get("error", {}).get("code")
        except ValueError:
            return None

    def sse_data(self) -> list[bytes]:
        return [line[5:].strip() for line in self.body.split(b"\n") if line.startswith(b"data:")]


class ProtocolError(Exception):
    pass


class Connection:
    """One keep-alive client connection; reconnects when the server closed it."""

    def __init__(self, port: int, timeout: float = 15.0):
        self.port = port
        self.timeout = timeout
        self.sock: socket.socket | None = None
        self.buf = b""

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None
        self.buf = b""

    def _connect(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=self.timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def _fill(self) -> bool:
        """Reads more; False at EOF or on a reset (a timeout raises)."""
        assert self.sock is not None
        try:
            data = self.sock.recv(65536)
        except ConnectionResetError:
            return False
        if not data:
            return False
        self.buf += data
        return True

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                head_only: bool = False) -> Response:
        """Sends one request and reads its response. `head_only` returns after the response head
        and closes the connection (a client that goes away mid-answer)."""
        if self.sock is None:
            self._connect()
        assert self.sock is not None
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        for k, v in (headers or {}).items():
            lines.append(f"{k}: {v}")
        if body is not None:
            lines.append("Content-Type: application/json")
            lines.append(f"Content-Length: {len(body)}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + (body or b""))
        return self._read_response(head_only)

    def _read_response(self, head_only: bool) -> Response:
        while True:
            while b"\r\n\r\n" not in self.buf:
                if not self._fill():
                    raise ProtocolError("EOF before a response head")
            head, _, self.buf = self.buf.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ")[1])
            headers: dict[str, str] = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            if 100 <= status < 200:
                continue
            break
        resp = Response(status, headers, b"")
        if head_only:
            self.close()
            resp.closed = True
            return resp
        if "chunked" in headers.get("transfer-encoding", "").lower():
            resp.chunked = True
            self._read_chunked(resp)
        elif "content-length" in headers:
            n = int(headers["content-length"])
            while len(self.buf) < n:
                if not self._fill():
                    raise ProtocolError(f"EOF in a body of {n} bytes")
            resp.body, self.buf = self.buf[:n], self.buf[n:]
        else:
            while self._fill():
                pass
            resp.body, self.buf = self.buf, b""
            resp.closed = True
        if resp.closed or headers.get("connection", "").lower() == "close" or not resp.complete:
            self.close()
            resp.closed = True
        return resp

    def _read_chunked(self, resp: Response) -> None:
        body = []
        while True:
            while b"\r\n" not in self.buf:
                if not self._fill():
                    resp.complete = False
                    resp.body = b"".join(body)
                    return
            line, _, rest = self.buf.partition(b"\r\n")
            size = int(line.split(b";")[0], 16)
            if size == 0:
                self.buf = rest
                while b"\r\n" not in self.buf:
                    if not self._fill():
                        break
                self.buf = self.buf.partition(b"\r\n")[2]
                resp.body = b"".join(body)
                return
            self.buf = rest
            while len(self.buf) < size + 2:
                if not self._fill():
                    resp.complete = False
                    body.append(self.buf)
                    resp.body = b"".join(body)
                    return
            body.append(self.buf[:size])
            resp.chunks.append(self.buf[:size])
            self.buf = self.buf[size + 2:]


def chat_body(model: str, stream: bool = False, max_tokens: int = 8) -> bytes:
    b = {"model": model, "messages": [{"role": "user", "content": "soak test"}], "max_tokens": max_tokens}
    if stream:
        b["stream"] = True
    return json.dumps(b).encode()


def admin_json(port: int, path: str, method: str = "GET") -> tuple[int, dict]:
    c = Connection(port, timeout=10)
    try:
        r = c.request(method, path, headers={"Connection": "close"})
        try:
            return r.status, r.json()
        except ValueError:
            return r.status, {}
    finally:
        c.close()
