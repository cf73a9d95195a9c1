#!/usr/bin/env python3
"""The webhook receiver of tests/containers/run.sh: python3 receiver.py HOST PORT DIR.
Answers a subscription's verification challenge by echoing it (as R2PTracker.Testing's WebhookReceiver
does) and writes every other POST to DIR/N.json as {path, headers, body}."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

host, port, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
os.makedirs(out, exist_ok=True)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode("utf-8", "replace")
        try:
            parsed = json.loads(body)
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and parsed.get("type") == "webhook.verification":
            answer = json.dumps({"challenge": (parsed.get("data") or {}).get("challenge")}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)
            return
        record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
        name = os.path.join(out, "%d.json" % len(os.listdir(out)))
        with open(name + ".tmp", "w") as f:
            json.dump(record, f)
        os.rename(name + ".tmp", name)
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer((host, port), Handler).serve_forever()
