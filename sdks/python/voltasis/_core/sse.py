"""A Server-Sent Events parser, as the WHATWG HTML standard's "event stream interpretation" (§9.2.6)
reads a `text/event-stream` body: lines end with CRLF, LF or CR, even when a chunk splits the CR from
its LF; `data:` lines join with "\\n"; `:` starts a comment (the API's heartbeat); `id:` sets the last
event id, which the event keeps; `retry:` with digits only sets the reconnection delay; a blank line
dispatches the event, none without data."""

from __future__ import annotations

import re
from typing import List, NamedTuple, Optional

_LINE_END = re.compile(r"\r\n|\r|\n")


class ServerSentEvent(NamedTuple):
    """One event of the stream."""

    #: `event:`, or "message" when the event named none.
    event: str
    #: The `data:` lines, joined with "\n".
    data: str
    #: The last event id when it was dispatched (this event's `id:` or an earlier one's).
    id: str


class ServerSentEventParser:
    """Feed it the body's text as it arrives (`feed`); it returns the events each piece completes."""

    def __init__(self) -> None:
        #: The last event id at the latest blank line: where a reconnection resumes.
        self.last_event_id = ""
        #: Milliseconds of the latest valid `retry:`, or None when none came.
        self.retry: Optional[int] = None
        self._id_buffer = ""
        self._event_type = ""
        self._data: List[str] = []
        self._partial_line = ""
        self._after_cr = False
        self._started = False

    def feed(self, chunk: str) -> List[ServerSentEvent]:
        if not chunk:
            return []
        text = chunk
        if not self._started:
            self._started = True
            text = text[1:] if text.startswith("\ufeff") else text
        # A CR that ended the previous chunk has ended its line already; an LF right after it is the
        # rest of that CRLF, not a blank line.
        if self._after_cr and text.startswith("\n"):
            text = text[1:]
        self._after_cr = text.endswith("\r")
        lines = _LINE_END.split(self._partial_line + text)
        self._partial_line = lines.pop()
        events: List[ServerSentEvent] = []
        for line in lines:
            event = self._line(line)
            if event is not None:
                events.append(event)
        return events

    def _line(self, line: str) -> Optional[ServerSentEvent]:
        if line == "":
            return self._dispatch()
        if line.startswith(":"):
            return None
        field, colon, value = line.partition(":")
        if colon and value.startswith(" "):
            value = value[1:]
        if field == "event":
            self._event_type = value
        elif field == "data":
            self._data.append(value)
        elif field == "id" and "\0" not in value:
            self._id_buffer = value
        elif field == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self) -> Optional[ServerSentEvent]:
        self.last_event_id = self._id_buffer
        data, event = self._data, self._event_type or "message"
        self._data, self._event_type = [], ""
        if not data:
            return None
        return ServerSentEvent(event=event, data="\n".join(data), id=self.last_event_id)
