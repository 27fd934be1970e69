"""A local HTTP server for the unit tests of the SDK's core: it answers from a script and records
every request, so the tests see exactly what the SDK sent without a Voltasis server."""

from __future__ import annotations

import json
import os
import threading
import unittest
import urllib.parse
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Deque, Dict, List, Optional, Union
from unittest import mock

import voltasis
from voltasis._core.headers import Headers


class Recorded:
    """One request as the server received it."""

    def __init__(self, method: str, target: str, headers: Headers, body: bytes) -> None:
        parsed = urllib.parse.urlsplit(target)
        self.method = method
        self.path = parsed.path
        self.query: Dict[str, str] = dict(urllib.parse.parse_qsl(parsed.query))
        self.headers = headers
        self.body = body

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


class Reply:
    def __init__(
        self, status: int = 200, body: Any = None, headers: Optional[Dict[str, str]] = None, hang: bool = False
    ) -> None:
        self.status = status
        self.body = body
        self.headers = headers or {}
        self.hang = hang


class EventStreamReply(Reply):
    """A text/event-stream answer: each chunk written as it is, then the connection closed (`then`
    "close") or held open until the client closes it ("hang"), which sets `disconnected`."""

    def __init__(self, *chunks: str, then: str = "close") -> None:
        super().__init__(200, None, {"Content-Type": "text/event-stream", "X-Request-ID": "req_stream"})
        self.chunks = chunks
        self.then = then
        self.disconnected = threading.Event()


Answer = Union[Reply, Callable[[Recorded], Reply]]


def envelope(data: Any, request_id: str = "req_ok", **extra: Any) -> Dict[str, Any]:
    return {"data": data, "metadata": {"timestamp": "2024-01-01T00:00:00Z", "request_id": request_id}, **extra}


def error(
    status: int,
    code: str,
    message: str,
    details: Optional[Dict[str, Any]] = None,
    headers: Optional[Dict[str, str]] = None,
) -> Reply:
    """An error in the API's envelope, its request id in the body and in X-Request-ID."""
    body = {
        "error": {"code": code, "message": message, "details": details or {}},
        "metadata": {"timestamp": "2024-01-01T00:00:00Z", "request_id": f"req_{status}"},
    }
    return Reply(status, body, {"X-Request-ID": f"req_{status}", **(headers or {})})


class FakeAPI:
    """`with FakeAPI() as api:` serves on 127.0.0.1; queue answers with `api.reply(...)`, or set
    `api.answer` to answer every request; `api.requests` lists what arrived."""

    def __init__(self) -> None:
        self.requests: List[Recorded] = []
        self.queue: Deque[Answer] = deque()
        self.answer: Answer = Reply(200, envelope({}))
        self._release = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def reply(self, *answers: Answer) -> None:
        self.queue.extend(answers)

    def __enter__(self) -> "FakeAPI":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type:
        api = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                recorded = Recorded(
                    self.command, self.path, Headers(self.headers.items()), self.rfile.read(length)
                )
                api.requests.append(recorded)
                answer = api.queue.popleft() if api.queue else api.answer
                reply = answer(recorded) if callable(answer) else answer
                if reply.hang:
                    api._release.wait(10)
                    return
                if isinstance(reply, EventStreamReply):
                    self._stream(reply)
                    return
                payload = b"" if reply.body is None else (
                    reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
                )
                self.send_response(reply.status)
                headers = {"Content-Type": "application/json", **reply.headers}
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _stream(self, reply: EventStreamReply) -> None:
                # HTTP/1.0 without Content-Length: the body ends when the connection closes.
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                for chunk in reply.chunks:
                    self.wfile.write(chunk.encode("utf-8"))
                    self.wfile.flush()
                if reply.then == "hang":
                    try:
                        self.rfile.read(1)  # returns once the client closed the connection
                    except OSError:
                        pass
                reply.disconnected.set()

            do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _serve

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


class ClientTestCase(unittest.TestCase):
    """A FakeAPI per test, a clean environment (no VOLTASIS_* variables) and a client whose waits
    between retries are recorded in `self.sleeps` instead of slept."""

    def setUp(self) -> None:
        self.api = FakeAPI().__enter__()
        self.addCleanup(self.api.__exit__)
        clean = {k: v for k, v in os.environ.items() if not k.startswith("VOLTASIS_")}
        patcher = mock.patch.dict(os.environ, clean, clear=True)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.sleeps: List[float] = []

    def client(self, **options: Any) -> voltasis.Client:
        options.setdefault("api_key", "vlt_live_unit")
        options.setdefault("base_url", self.api.url)
        client = voltasis.Client(**options)
        client._sleep = self.sleeps.append
        return client
