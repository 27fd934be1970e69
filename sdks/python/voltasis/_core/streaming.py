"""A live stream of events (`GET /v1/events/stream`, Server-Sent Events), as an iterator that is also
a context manager:

    with client.events.stream() as events:
        for event in events:
            print(event["event"], event["resource_id"])

`client.events.stream()` returns once the server accepted the stream (a 401, 403 or 429 raises its
typed error there), so what commits after it is seen. Each item is the event's `data` (what
GET /v1/events/{id} answers); heartbeats are skipped. A dropped connection, a body silent for the
client's timeout (the server sends a heartbeat every 15 s) and a `stream_closed` saying
`reconnect: true` (a server shutting down) are followed, after the server's `retry:` delay, by a
reconnection with `Last-Event-ID`, so no event is lost or repeated. A `stream_closed` saying
`reconnect: false` (the credential was revoked, expired or lost `read:events`) raises
AuthenticationError or PermissionDeniedError, as the reconnection would. `close()`, or leaving the
`with` block, closes the connection, which frees the server's stream slot."""

from __future__ import annotations

import codecs
import http.client
import json
from typing import TYPE_CHECKING, Any, Callable, Dict, Generator, Iterator, Optional, TypeVar

from .errors import APIError, APIStatusError, AuthenticationError, PermissionDeniedError
from .headers import Headers
from .sse import ServerSentEvent, ServerSentEventParser

if TYPE_CHECKING:
    from .transport import Response

T = TypeVar("T")

#: Seconds before reconnecting when the server has not said (`retry:`); EventSource's usual.
DEFAULT_RECONNECT_DELAY = 3.0
_READ_SIZE = 65536


class EventStream(Iterator[T]):
    """The events of one stream, in order, as they come; see the module's documentation."""

    def __init__(
        self, connect: Callable[[Optional[str]], "Response"], *, sleep: Callable[[float], None]
    ) -> None:
        self._connect = connect
        self._sleep = sleep
        self._reconnect_delay = DEFAULT_RECONNECT_DELAY
        self._closed = False
        #: The id of the last event received: where a later stream can resume (`last_event_id=`).
        self.last_event_id: Optional[str] = None
        self._response = connect(None)
        self._events = self._iterate()

    def __iter__(self) -> "EventStream[T]":
        return self

    def __next__(self) -> T:
        return next(self._events)

    def __enter__(self) -> "EventStream[T]":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        """Closes the connection; iterating further ends at once."""
        self._closed = True
        if self._response.raw is not None:
            self._response.raw.close()

    def _iterate(self) -> Generator[T, None, None]:
        try:
            while not self._closed:
                closing = yield from self._read(self._response)
                if self._closed:
                    return
                if closing is not None and closing.get("reconnect") is not True:
                    raise _closed_error(closing, self._response.headers)
                self._sleep(self._reconnect_delay)
                if self._closed:
                    return
                self._response = self._connect(self.last_event_id)
        finally:
            self.close()

    def _read(self, response: "Response") -> Generator[T, None, Optional[Dict[str, Any]]]:
        """One connection's events, until it ends: the `stream_closed` it ended with, or None."""
        raw = response.raw
        if raw is None:
            return None
        parser = ServerSentEventParser()
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        try:
            while True:
                chunk = raw.read1(_READ_SIZE)
                if not chunk:
                    return None
                for message in parser.feed(decoder.decode(chunk)):
                    if self._closed:
                        return None
                    if message.event == "stream_closed":
                        return _json_object(message.data)
                    event = _parse_event(message, response)
                    self.last_event_id = message.id or self.last_event_id
                    yield event
                if parser.retry is not None:
                    self._reconnect_delay = parser.retry / 1000
        except (OSError, ValueError, http.client.HTTPException):
            # A connection that broke (or timed out, or was closed) mid-body: the caller reconnects
            # unless it was closed on purpose.
            return None
        finally:
            raw.close()


def _parse_event(message: ServerSentEvent, response: "Response") -> Any:
    try:
        return json.loads(message.data)
    except ValueError:
        raise APIError(
            f"The event {message.id or message.event} of the stream is not JSON",
            status=response.status,
            code="INVALID_RESPONSE",
            request_id=response.request_id,
            headers=response.headers,
        ) from None


def _json_object(text: str) -> Dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _closed_error(closing: Dict[str, Any], headers: Headers) -> APIStatusError:
    """The error a `stream_closed` that forbids reconnecting stands for: the 403 or 401 a
    reconnection would get, with `details["reason"]` saying why (`revoked_token`, ...)."""
    reason = closing.get("reason") if isinstance(closing.get("reason"), str) else "stream_closed"
    forbidden = reason == "insufficient_scope"
    cls = PermissionDeniedError if forbidden else AuthenticationError
    message = closing.get("message")
    return cls(
        message if isinstance(message, str) else f"The stream was closed: {reason}",
        status=403 if forbidden else 401,
        code="FORBIDDEN" if forbidden else "UNAUTHORIZED",
        details={"reason": reason, "reconnect": False},
        request_id=headers.get("X-Request-ID"),
        headers=headers,
    )
