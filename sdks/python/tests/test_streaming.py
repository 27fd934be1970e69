"""`client.events.stream()` without a Voltasis server: the SSE parser, what the stream asks for,
reconnection with Last-Event-ID, the stream_closed frame, refusals, and closing."""

from __future__ import annotations

import json
import unittest
from typing import List

import voltasis
from voltasis import ServerSentEventParser

from .fake_api import ClientTestCase, EventStreamReply, error

FRAME = (
    'retry: 3000\n\nid: evt_1\nevent: tag.created\ndata: {"id":"evt_1"}\n\n: heartbeat\n\n'
    'id: evt_2\nevent: tag.updated\ndata: {"id":"evt_2"}\n\n'
)


def parse(*chunks: str):
    parser = ServerSentEventParser()
    events = [event for chunk in chunks for event in parser.feed(chunk)]
    return [tuple(event) for event in events], parser


def event(n: int, name: str = "project.created") -> str:
    data = json.dumps({"id": f"evt_{n}", "event": name, "resource_id": f"prj_{n}"})
    return f"id: evt_{n}\nevent: {name}\ndata: {data}\n\n"


def closed(reason: str, reconnect: bool) -> str:
    data = json.dumps({"reason": reason, "message": f"Closed: {reason}", "reconnect": reconnect})
    return f"event: stream_closed\ndata: {data}\n\n"


class ParserTest(unittest.TestCase):
    def test_reads_the_apis_frames_and_skips_heartbeats(self) -> None:
        events, parser = parse(FRAME)
        self.assertEqual(
            events, [("tag.created", '{"id":"evt_1"}', "evt_1"), ("tag.updated", '{"id":"evt_2"}', "evt_2")]
        )
        self.assertEqual((parser.retry, parser.last_event_id), (3000, "evt_2"))

    def test_gives_the_same_events_however_the_body_is_cut(self) -> None:
        whole, _ = parse(FRAME)
        self.assertEqual(parse(*FRAME)[0], whole)
        for cut in range(1, len(FRAME)):
            self.assertEqual(parse(FRAME[:cut], FRAME[cut:])[0], whole, cut)

    def test_ends_lines_at_crlf_lf_or_cr_even_with_a_crlf_cut_in_two(self) -> None:
        whole, _ = parse(FRAME)
        crlf = FRAME.replace("\n", "\r\n")
        self.assertEqual(parse(crlf)[0], whole)
        self.assertEqual(parse(FRAME.replace("\n", "\r"))[0], whole)
        self.assertEqual(parse(*crlf)[0], whole)
        split = crlf.index("\r\n") + 1
        self.assertEqual(parse(crlf[:split], crlf[split:])[0], whole)

    def test_joins_multi_line_data_and_strips_one_space_only(self) -> None:
        events, _ = parse("data: first\ndata:second\ndata:  third\ndata\n\n")
        self.assertEqual(events, [("message", "first\nsecond\n third\n", "")])

    def test_keeps_the_last_id_and_drops_what_has_no_data_or_no_end(self) -> None:
        events, parser = parse("id: evt_1\n\ndata: a\n\nid: evt_2\ndata: b\n\nid: evt_3\ndata: cut off")
        self.assertEqual(events, [("message", "a", "evt_1"), ("message", "b", "evt_2")])
        self.assertEqual(parser.last_event_id, "evt_2")

    def test_ignores_unknown_fields_a_bad_retry_an_id_with_nul_and_a_bom(self) -> None:
        events, parser = parse("\ufeffretry: 10\n", "retry: soon\nid: a\0b\nfoo: bar\ndata: x\n\n")
        self.assertEqual(events, [("message", "x", "")])
        self.assertEqual(parser.retry, 10)


class EventStreamTest(ClientTestCase):
    def ids(self, stream: "voltasis.EventStream[voltasis.types.Event]", count: int) -> List[str]:
        seen: List[str] = []
        with stream as events:
            for item in events:
                seen.append(item["id"])
                if len(seen) == count:
                    break
        return seen

    def test_asks_for_an_event_stream_with_the_query_and_yields_typed_events(self) -> None:
        reply = EventStreamReply("retry: 3000\n\n", event(1), ": heartbeat\n\n", event(2, "tag.updated"), then="hang")
        self.api.reply(reply)
        with self.client().events.stream(last_event_id="evt_0") as events:
            first, second = next(events), next(events)
            self.assertEqual(events.last_event_id, "evt_2")
        self.assertEqual([first["event"], second["event"]], ["project.created", "tag.updated"])
        self.assertEqual(second["resource_id"], "prj_2")
        request = self.api.requests[0]
        self.assertEqual((request.path, request.query), ("/v1/events/stream", {"last_event_id": "evt_0"}))
        self.assertEqual(request.headers["Accept"], "text/event-stream")
        self.assertEqual(request.headers["Authorization"], "Bearer vlt_live_unit")
        # Leaving the with block closed the connection.
        self.assertTrue(reply.disconnected.wait(5))

    def test_reconnects_after_a_drop_with_the_last_event_id_after_the_servers_retry_delay(self) -> None:
        self.api.reply(
            EventStreamReply("retry: 1500\n\n", event(1), event(2)),
            EventStreamReply(event(3)),
            EventStreamReply(event(4), event(5), then="hang"),
        )
        self.assertEqual(self.ids(self.client().events.stream(), 5), ["evt_1", "evt_2", "evt_3", "evt_4", "evt_5"])
        self.assertEqual([r.headers.get("Last-Event-ID") for r in self.api.requests], [None, "evt_2", "evt_3"])
        self.assertEqual(self.sleeps, [1.5, 1.5])

    def test_reconnects_when_the_body_is_silent_longer_than_the_timeout(self) -> None:
        silent = EventStreamReply(event(1), then="hang")
        self.api.reply(silent, EventStreamReply(event(2), then="hang"))
        self.assertEqual(self.ids(self.client(timeout=0.2).events.stream(), 2), ["evt_1", "evt_2"])
        self.assertTrue(silent.disconnected.wait(5))
        self.assertEqual(self.api.requests[1].headers.get("Last-Event-ID"), "evt_1")

    def test_follows_a_stream_closed_that_allows_reconnecting(self) -> None:
        self.api.reply(
            EventStreamReply(event(1), closed("shutting_down", True), then="hang"),
            EventStreamReply(event(2), then="hang"),
        )
        self.assertEqual(self.ids(self.client().events.stream(), 2), ["evt_1", "evt_2"])
        self.assertEqual(self.api.requests[1].headers.get("Last-Event-ID"), "evt_1")
        self.assertEqual(self.sleeps, [3.0])

    def test_raises_the_typed_error_for_a_stream_closed_that_forbids_reconnecting(self) -> None:
        cases = [("revoked_token", voltasis.AuthenticationError, 401), ("insufficient_scope", voltasis.PermissionDeniedError, 403)]
        for reason, cls, status in cases:
            with self.subTest(reason=reason):
                self.api.requests.clear()
                self.api.reply(EventStreamReply(event(1), closed(reason, False), then="hang"))
                seen: List[str] = []
                with self.assertRaises(cls) as raised:
                    for item in self.client().events.stream():
                        seen.append(item["id"])
                self.assertEqual(seen, ["evt_1"])
                self.assertEqual(raised.exception.status, status)
                self.assertEqual(raised.exception.details["reason"], reason)
                self.assertEqual(raised.exception.message, f"Closed: {reason}")
                self.assertEqual(raised.exception.request_id, "req_stream")
                self.assertEqual(len(self.api.requests), 1)

    def test_a_refused_connection_raises_at_once_and_a_429_is_retried(self) -> None:
        self.api.reply(error(403, "FORBIDDEN", "Missing scope read:events"))
        with self.assertRaises(voltasis.PermissionDeniedError) as raised:
            self.client().events.stream()
        self.assertEqual((raised.exception.request_id, len(self.api.requests)), ("req_403", 1))

        self.api.reply(
            error(429, "RATE_LIMIT_EXCEEDED", "Too many open event streams", headers={"Retry-After": "5"}),
            EventStreamReply(event(1), then="hang"),
        )
        self.assertEqual(self.ids(self.client().events.stream(), 1), ["evt_1"])
        self.assertEqual(self.sleeps, [5.0])

    def test_close_ends_the_iteration_and_the_connection(self) -> None:
        reply = EventStreamReply(event(1), event(2), then="hang")
        self.api.reply(reply)
        events = self.client().events.stream()
        self.assertEqual(next(events)["id"], "evt_1")
        events.close()
        self.assertEqual(list(events), [])
        self.assertTrue(reply.disconnected.wait(5))


if __name__ == "__main__":
    unittest.main()
