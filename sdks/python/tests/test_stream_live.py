"""The live event stream (docs/streaming.md) through the SDK, against the server in
VOLTASIS_BASE_URL, each test on a new organization."""

from __future__ import annotations

import threading
import unittest
from typing import Any, Callable, List

import voltasis

from .live import BASE_URL, SERVER_NEEDED, new_organization_key

DEADLINE = 20.0


def within_deadline(read: Callable[[], Any]) -> Any:
    """What `read` returns or raises, run in a thread: a stream that misses what it waits for
    would wait forever, this fails the test instead."""
    outcome: List[Any] = []

    def run() -> None:
        try:
            outcome.append(("value", read()))
        except BaseException as error:  # handed to the test's thread
            outcome.append(("error", error))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(DEADLINE)
    if not outcome:
        raise AssertionError(f"nothing within {DEADLINE} s")
    kind, value = outcome[0]
    if kind == "error":
        raise value
    return value


@unittest.skipUnless(BASE_URL, SERVER_NEEDED)
class EventStreamLiveTest(unittest.TestCase):
    def client(self, label: str) -> voltasis.Client:
        return voltasis.Client(api_key=new_organization_key(label)["secret"], base_url=BASE_URL)

    def test_receives_project_created_for_a_project_created_once_it_connected(self) -> None:
        client = self.client("stream")
        with client.events.stream() as events:
            project = client.projects.create(name="Streamed")
            event = within_deadline(lambda: next(events))
        self.assertEqual((event["event"], event["resource_id"]), ("project.created", project["id"]))
        self.assertEqual(event["data"]["name"], "Streamed")
        self.assertEqual(events.last_event_id, event["id"])

    def test_resumes_after_a_given_event_with_exactly_the_events_after_it_then_live_ones(self) -> None:
        client = self.client("resume")
        tags = [client.tags.create(name=name) for name in ("first", "second", "third")]
        page = client.events.list(resource_type="tag", limit=3).first_page()
        first = next(e for e in page.data if e["resource_id"] == tags[0]["id"])

        with client.events.stream(last_event_id=first["id"]) as events:
            seen = [within_deadline(lambda: next(events))["resource_id"] for _ in range(2)]
            tags.append(client.tags.create(name="fourth"))
            seen.append(within_deadline(lambda: next(events))["resource_id"])
        self.assertEqual(seen, [tag["id"] for tag in tags[1:]])

    def test_a_key_without_read_events_raises_permission_denied(self) -> None:
        client = self.client("scope")
        key = client.api_keys.create(name="projects only", scopes=["read:projects"])
        limited = voltasis.Client(api_key=key["secret"], base_url=BASE_URL)
        with self.assertRaises(voltasis.PermissionDeniedError) as raised:
            limited.events.stream()
        self.assertEqual((raised.exception.status, raised.exception.code), (403, "FORBIDDEN"))

    def test_close_frees_the_servers_stream_slot_six_streams_in_turn_under_a_cap_of_5(self) -> None:
        client = self.client("slots")
        for _ in range(3):
            client.events.stream().close()
        for number in range(3):
            with client.events.stream() as events:
                client.tags.create(name=f"slot {number}")
                within_deadline(lambda: next(events))
        # The cap still holds: with five open, a sixth is refused.
        held = [client.events.stream() for _ in range(5)]
        try:
            with self.assertRaises(voltasis.RateLimitError) as raised:
                client.with_options(max_retries=0).events.stream()
            self.assertEqual(raised.exception.details["reason"], "too_many_streams")
        finally:
            for events in held:
                events.close()

    def test_raises_authentication_error_when_the_streams_key_is_revoked(self) -> None:
        admin = self.client("revoke")
        key = admin.api_keys.create(name="revoked soon", scopes=["read"])
        events = voltasis.Client(api_key=key["secret"], base_url=BASE_URL).events.stream()
        admin.api_keys.delete(key["id"])
        with self.assertRaises(voltasis.AuthenticationError) as raised:
            within_deadline(lambda: list(events))
        self.assertEqual((raised.exception.status, raised.exception.details["reason"]), (401, "revoked_token"))


if __name__ == "__main__":
    unittest.main()
