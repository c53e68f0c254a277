"""A real HTTP server on the loopback that records the webhooks it receives (``http.server`` in a thread).

``answers`` is the script of responses: each request takes the next (status, body, delay); the last
one repeats. ``verify_standard_webhook`` checks a request's signature the way the Standard Webhooks
specification tells a receiver to, written here apart from the portal's own signing code.
"""

import base64
import hashlib
import hmac
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    path: str
    headers: dict
    body: bytes


@dataclass
class Receiver:
    url: str
    answers: list = field(default_factory=lambda: [(200, "ok", 0)])
    received: list = field(default_factory=list)
    _lock: threading.Condition = field(default_factory=threading.Condition)

    def wait_for(self, count: int, timeout: float = 20) -> list[Received]:
        with self._lock:
            if not self._lock.wait_for(lambda: len(self.received) >= count, timeout=timeout):
                raise AssertionError(f"The receiver got {len(self.received)} request(s), not {count}, in {timeout} s.")
            return list(self.received)


@contextmanager
def webhook_receiver(answers=None):
    receiver = Receiver(url="")
    if answers:
        receiver.answers = list(answers)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with receiver._lock:
                index = len(receiver.received)
                status, text, delay = receiver.answers[min(index, len(receiver.answers) - 1)]
            if delay:
                time.sleep(delay)
            with receiver._lock:
                receiver.received.append(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body))
                receiver._lock.notify_all()
            payload = text.encode()
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "http://elsewhere.example.com/hook")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/portal"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def verify_standard_webhook(*, secret: str, headers: dict, body: bytes, tolerance_seconds: int = 300) -> bool:
    """A receiver's check, after the Standard Webhooks specification: the key is the base64 part of the
    secret after "whsec_"; the signed content is "<webhook-id>.<webhook-timestamp>.<body>"; the header
    holds space-separated "v1,<base64 HMAC-SHA256>" signatures; a timestamp too far from now is refused."""
    msg_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > tolerance_seconds:
        return False
    key = base64.b64decode(secret.split("_", 1)[1])
    content = msg_id.encode() + b"." + timestamp.encode() + b"." + body
    expected = base64.b64encode(hmac.new(key, content, hashlib.sha256).digest())
    for candidate in headers["webhook-signature"].split(" "):
        version, _, signature = candidate.partition(",")
        if version == "v1" and hmac.compare_digest(signature.encode(), expected):
            return True
    return False
