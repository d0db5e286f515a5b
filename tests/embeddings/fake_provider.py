"""A tiny HTTP server on 127.0.0.1 that records requests and answers like an embedding provider."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class FakeProvider:
    """`respond(request)` builds the JSON answer; `script` replies are served first, in order."""

    respond: Callable[[Request], Any]
    requests: list[Request] = field(default_factory=list)
    script: list[Reply] = field(default_factory=list)
    url: str = ""

    def reply(self, request: Request) -> Reply:
        self.requests.append(request)
        if self.script:
            return self.script.pop(0)
        return Reply(200, self.respond(request))


def vector_for(text: str) -> list[float]:
    """A deterministic stand-in embedding, different for different texts."""
    return [float(len(text)), float(sum(map(ord, text)) % 9973), 1.0]


def serve(fake: FakeProvider) -> Iterator[FakeProvider]:
    """Run `fake` on a free port until the generator is closed."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the stdlib's name
            raw = self.rfile.read(int(self.headers.get("content-length", "0")))
            parts = urlsplit(self.path)
            request = Request(
                "POST",
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                json.loads(raw) if raw else None,
            )
            reply = fake.reply(request)
            payload = json.dumps(reply.body).encode()
            self.send_response(reply.status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
