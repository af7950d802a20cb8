#!/usr/bin/env python3
"""A small HTTPS upstream for the egress tests: answers POSTs with an OpenAI-shaped chat
completion, records each request (headers, body) as a JSON line in --log, and optionally
requires a client certificate signed by --client-ca. Prints "listening on 127.0.0.1:PORT (tls)"."""
import argparse, http.server, json, ssl, sys

p = argparse.ArgumentParser()
p.add_argument("--cert", required=True)
p.add_argument("--key", required=True)
p.add_argument("--client-ca")
p.add_argument("--log", required=True)
a = p.parse_args()

class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        n = int(self.headers.get("content-length", 0))
        body = self.rfile.read(n)
        with open(a.log, "a") as f:
            f.write(json.dumps({"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()},
                                "body": body.decode("utf-8", "replace")}) + "\n")
        req = json.loads(body or b"{}")
        out = json.dumps({"id": "tls-1", "object": "chat.completion", "model": req.get("model"),
                          "choices": [{"index": 0, "message": {"role": "assistant", "content": "over tls"},
                                       "finish_reason": "stop"}],
                          "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}}).encode()
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass

ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(a.cert, a.key)
if a.client_ca:
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.load_verify_locations(a.client_ca)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
print(f"listening on 127.0.0.1:{srv.server_address[1]} (tls)", file=sys.stderr, flush=True)
srv.serve_forever()
