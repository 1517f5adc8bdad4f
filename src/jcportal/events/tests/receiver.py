"""A real HTTP webhook receiver for tests: ``http.server`` in a thread, on a free port.

It verifies each request with the documented ``signing.verify`` and records what it got; ``answers``
lets a test make it fail (e.g. ``[503]`` answers the first request with 503, then 204)."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from jcportal.core.testing.processes import free_port
from jcportal.events import signing


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    valid: bool
    status: int

    @property
    def event(self) -> dict[str, Any]:
        return json.loads(self.body)


@dataclass
class Receiver:
    secret: str
    port: int = field(default_factory=free_port)
    answers: list[int] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    @property
    def accepted(self) -> list[Received]:
        """What a deduplicating receiver processed: valid, answered 2xx, first per webhook-id."""
        seen: set[str] = set()
        result = []
        for item in self.received:
            if item.valid and item.status < 300 and item.headers["webhook-id"] not in seen:
                seen.add(item.headers["webhook-id"])
                result.append(item)
        return result

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                valid = signing.verify(
                    receiver.secret,
                    body,
                    headers.get("webhook-timestamp", ""),
                    headers.get("webhook-signature", ""),
                )
                status = receiver.answers.pop(0) if receiver.answers else (204 if valid else 401)
                receiver.received.append(Received(headers, body, valid, status))
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
