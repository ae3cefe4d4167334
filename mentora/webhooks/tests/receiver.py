"""A webhook receiver the tests start on localhost: it checks each signature the way
docs/integration.md tells a receiver to, and answers with the status codes it is given."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from mentora.webhooks import signing


@dataclass
class Received:
    event: str
    body: bytes
    signed: bool


@dataclass
class Receiver:
    url: str
    secret: str = ""
    # What to answer, in turn; 200 once they are used up.
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)


@contextmanager
def webhook_receiver(port: int) -> Iterator[Receiver]:
    receiver = Receiver(url=f"http://127.0.0.1:{port}/hook")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            signed = signing.verify(
                receiver.secret,
                self.headers.get(signing.TIMESTAMP_HEADER, ""),
                body,
                self.headers.get(signing.SIGNATURE_HEADER, ""),
                now=int(time.time()),
            )
            receiver.received.append(
                Received(self.headers.get(signing.EVENT_HEADER, ""), body, signed)
            )
            code = receiver.answers.pop(0) if receiver.answers else 200
            if not signed:
                code = 401
            answer = b"nope" if code >= 300 else b"thanks"
            self.send_response(code)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
