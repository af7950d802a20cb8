"""Drain under load (SPEC §1, §11): SIGTERM while `streams` streams are open.

1. Streams that fit in `drain_timeout`: /readyz turns 503 at once, a keep-alive request sent
   during the drain is answered with `Connection: close`, every stream completes whole ([DONE] and
   the terminating chunk) within drain_timeout, and the process exits 0 right after the last one.
2. A stream longer than `drain_timeout`: the process exits 0 at drain_timeout, the stream cut.
"""

from __future__ import annotations

import signal
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
server: {{workers: 2, max_connections: 10000, drain_timeout: {drain_timeout}, drain_delay: 0s}}
backends:
  - name: slow
    endpoints: ["http://127.0.0.1:{slow}"]
    timeouts: {{connect: 1s, first_byte: 5s, idle: 5s, total: 120s}}
routes:
  - {{name: streams, models: ["stream-model"], backends: [{{backend: slow}}]}}
"""

TOKENS_PER_SECOND = 20


class Stream(threading.Thread):
    """One streaming request; records when its head arrived and when it ended."""

    def __init__(self, port: int, tokens: int, start_at: float):
        super().__init__(daemon=True)
        self.port, self.tokens, self.start_at = port, tokens, start_at
        self.head_at = 0.0
        self.ended_at = 0.0
        self.whole = False
        self.cut = False
        self.error = ""

    def run(self) -> None:
        time.sleep(max(0.0, self.start_at - time.monotonic()))
        c = Connection(self.port, timeout=60)
        try:
            # Sent by hand so that the head's arrival is timed apart from the body's end.
            body = chat_body("stream-model", True, self.tokens)
            c._connect()
            assert c.sock is not None
            c.sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                           + b"Content-Length: %d\r\n\r\n" % len(body) + body)
            while b"\r\n\r\n" not in c.buf:
                if not c._fill():
                    raise ProtocolError("EOF before the head")
            self.head_at = time.monotonic()
            resp = c._read_response(False)
            self.ended_at = time.monotonic()
            self.whole = is_whole_stream(resp)
            self.cut = resp.chunked and not resp.complete
        except (OSError, ProtocolError) as e:
            self.ended_at = time.monotonic()
            self.error = f"{type(e).__name__}: {e}"
        finally:
            c.close()


def _start(drain_timeout: str) -> tuple[list[Proc], Proc]:
    slow = start_mock(0, ["--tokens-per-second", str(TOKENS_PER_SECOND)])
    cfg = Path(tempfile.mkdtemp(prefix="sluice-drain-")) / "drain.yaml"
    cfg.write_text(CONFIG.format(drain_timeout=drain_timeout, slow=slow.port("mock")))
    try:
        gw = start_sluice(cfg)
    except Exception:
        slow.stop()
        raise
    return [slow, gw], gw


def complete_within_timeout(streams: int, drain_timeout_s: float, stream_seconds: float,
                            log: Callable[[str], None]) -> dict:
    procs, gw = _start(f"{int(drain_timeout_s)}s")
    try:
        port, admin = gw.port("data"), gw.port("admin")
        tokens = int(stream_seconds * TOKENS_PER_SECOND)
        t0 = time.monotonic() + 0.2
        # Spread the starts over one stream's length, so the drain finds them at every stage.
        spread = min(stream_seconds * 0.8, 2.0)
        ss = [Stream(port, tokens, t0 + spread * i / max(1, streams)) for i in range(streams)]
        for s in ss:
            s.start()
        deadline = time.monotonic() + 30
        while not all(s.head_at or s.error for s in ss) and time.monotonic() < deadline:
            time.sleep(0.01)
        keep = Connection(port)
        keep.request("GET", "/v1/models")
        sigterm_at = time.monotonic()
        gw.signal(signal.SIGTERM)
        time.sleep(0.05)
        readyz, _ = admin_json(admin, "/readyz")
        during = keep.request("POST", "/v1/chat/completions", chat_body("stream-model", False, 1))
        keep.close()
        code = gw.wait(drain_timeout_s + 10)
        exited_at = time.monotonic()
        for s in ss:
            s.join(timeout=10)
        ends = [s.ended_at - sigterm_at for s in ss if s.ended_at]
        result = {
            "streams": streams,
            "stream_seconds": stream_seconds,
            "drain_timeout_s": drain_timeout_s,
            "readyz_during_drain": readyz,
            "keepalive_answer_during_drain": {"status": during.status, "connection": during.headers.get("connection")},
            "whole": sum(s.whole for s in ss),
            "errors": [s.error for s in ss if s.error][:5],
            "last_stream_end_s": round(max(ends), 3) if ends else None,
            "exit_code": code,
            "exit_after_s": round(exited_at - sigterm_at, 3),
        }
        result["ok"] = bool(
            readyz == 503 and during.status == 200 and during.headers.get("connection") == "close"
            and result["whole"] == streams and code == 0 and ends
            and max(ends) <= drain_timeout_s and result["exit_after_s"] <= max(ends) + 1.0
        )
        log(f"drain: {result['whole']}/{streams} streams whole, last ended {result['last_stream_end_s']} s after "
            f"SIGTERM, exit {code} after {result['exit_after_s']} s")
        return result
    finally:
        for p in reversed(procs):
            p.stop()


def bounded_by_timeout(drain_timeout_s: float, log: Callable[[str], None]) -> dict:
    procs, gw = _start(f"{int(drain_timeout_s)}s")
    try:
        port = gw.port("data")
        s = Stream(port, int((drain_timeout_s + 8) * TOKENS_PER_SECOND), time.monotonic())
        s.start()
        deadline = time.monotonic() + 10
        while not (s.head_at or s.error) and time.monotonic() < deadline:
            time.sleep(0.01)
        sigterm_at = time.monotonic()
        gw.signal(signal.SIGTERM)
        code = gw.wait(drain_timeout_s + 10)
        exited_at = time.monotonic()
        s.join(timeout=10)
        result = {
            "drain_timeout_s": drain_timeout_s,
            "exit_code": code,
            "exit_after_s": round(exited_at - sigterm_at, 3),
            "stream_cut": s.cut or bool(s.error),
            "stream_whole": s.whole,
        }
        result["ok"] = bool(code == 0 and drain_timeout_s <= result["exit_after_s"] <= drain_timeout_s + 1.0
                            and result["stream_cut"] and not s.whole)
        log(f"drain bound: exit {code} after {result['exit_after_s']} s (drain_timeout {drain_timeout_s} s), "
            f"over-long stream cut: {result['stream_cut']}")
        return result
    finally:
        for p in reversed(procs):
            p.stop()


def run(streams: int, drain_timeout_s: float = 10.0, stream_seconds: float = 4.0, bound_timeout_s: float = 2.0,
        log: Callable[[str], None] = print) -> dict:
    within = complete_within_timeout(streams, drain_timeout_s, stream_seconds, log)
    bound = bounded_by_timeout(bound_timeout_s, log)
    return {"within_timeout": within, "bounded_by_timeout": bound, "ok": within["ok"] and bound["ok"]}
