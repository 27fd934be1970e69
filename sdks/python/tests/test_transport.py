"""The transport without a Voltasis server: configuration, what goes on the wire, retries and their
waits, one Idempotency-Key across retries, connection errors and timeouts."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime, timezone
from unittest import mock

import voltasis
from voltasis._core.transport import BaseClient

from .fake_api import ClientTestCase, Reply, envelope, error

PROJECT = {"id": "prj_1", "name": "Site"}


def closed_port_url() -> str:
    """A URL nothing listens on: a port the OS just handed out and took back."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class ConfigurationTest(ClientTestCase):
    def test_reads_the_key_and_the_base_url_from_the_environment(self) -> None:
        env = {"VOLTASIS_API_KEY": "vlt_live_env", "VOLTASIS_BASE_URL": f"{self.api.url}/v1"}
        with mock.patch.dict(os.environ, env):
            voltasis.Client().auth.me()
        request = self.api.requests[0]
        self.assertEqual(request.headers["Authorization"], "Bearer vlt_live_env")
        # The trailing /v1 of the base URL is dropped: the path names its version.
        self.assertEqual(request.path, "/v1/auth/me")

    def test_arguments_win_over_the_environment(self) -> None:
        with mock.patch.dict(os.environ, {"VOLTASIS_API_KEY": "vlt_live_env", "VOLTASIS_BASE_URL": "http://nowhere"}):
            voltasis.Client(api_key="vlt_live_arg", base_url=self.api.url).auth.me()
        self.assertEqual(self.api.requests[0].headers["Authorization"], "Bearer vlt_live_arg")

    def test_defaults_to_the_local_server(self) -> None:
        self.assertEqual(voltasis.Client().base_url, "http://127.0.0.1:3000")
        self.assertIsNone(voltasis.Client().api_key)

    def test_an_access_token_is_a_bearer_credential_like_a_key(self) -> None:
        self.client(api_key=None, access_token="eyJ.token").auth.me()
        self.assertEqual(self.api.requests[0].headers["Authorization"], "Bearer eyJ.token")
        with self.assertRaises(ValueError):
            voltasis.Client(api_key="vlt_live_a", access_token="eyJ.b")

    def test_sends_no_credential_where_the_operation_takes_none(self) -> None:
        self.client().auth.register(email="a@example.com", password="pw-123456789", name="A", organization_name="O")
        self.assertNotIn("Authorization", self.api.requests[0].headers)

    def test_headers_of_every_request(self) -> None:
        client = self.client(organization_id="org_2", default_headers={"X-Trace": "t1"})
        client.projects.update("prj_1", name="New", extra_headers={"If-Match": '"v1"'})
        headers = self.api.requests[0].headers
        self.assertEqual(headers["Accept"], "application/json")
        self.assertTrue(headers["User-Agent"].startswith("voltasis-python/"))
        self.assertEqual(headers["X-Organization-ID"], "org_2")
        self.assertEqual(headers["X-Trace"], "t1")
        self.assertEqual(headers["If-Match"], '"v1"')

    def test_with_options_copies_the_client_with_changes(self) -> None:
        client = self.client(organization_id="org_2")
        quiet = client.with_options(max_retries=0, timeout=5)
        self.assertEqual((quiet.max_retries, quiet.timeout), (0, 5))
        self.assertEqual((quiet.api_key, quiet.organization_id), ("vlt_live_unit", "org_2"))
        self.assertEqual(client.max_retries, 2)


class EncodingTest(ClientTestCase):
    def test_body_holds_the_given_fields_and_null_for_none(self) -> None:
        self.api.reply(Reply(200, envelope(PROJECT)))
        project = self.client().projects.update("prj/1", name="New", client_id=None)
        self.assertEqual(project, PROJECT)
        request = self.api.requests[0]
        self.assertEqual((request.method, request.path), ("PATCH", "/v1/projects/prj%2F1"))
        self.assertEqual(request.headers["Content-Type"], "application/json")
        self.assertEqual(request.json(), {"name": "New", "client_id": None})

    def test_datetimes_booleans_and_keywords(self) -> None:
        start = datetime(2024, 1, 15, 9, 0, tzinfo=timezone.utc)
        self.client().time_entries.create(start=start, duration=60)
        self.assertEqual(self.api.requests[0].json(), {"start": "2024-01-15T09:00:00Z", "duration": 60})
        self.api.answer = Reply(200, envelope([], pagination={"has_more": False}))
        self.client().time_entries.list(from_=start, billable=False, per_page=5).first_page()
        self.assertEqual(
            self.api.requests[1].query, {"from": "2024-01-15T09:00:00Z", "billable": "false", "per_page": "5"}
        )

    def test_a_204_returns_none_and_a_file_its_bytes(self) -> None:
        self.api.reply(Reply(204), Reply(200, b"start,end\n", {"Content-Type": "text/csv"}))
        self.assertIsNone(self.client().projects.delete("prj_1"))
        self.assertEqual(self.client().jobs.result("job_1"), b"start,end\n")
        self.assertEqual(self.api.requests[1].headers["Accept"], "*/*")


class RetryTest(ClientTestCase):
    def test_a_429_is_retried_after_retry_after(self) -> None:
        self.api.reply(error(429, "RATE_LIMIT_EXCEEDED", "Slow down", {"retry_after": 3}, {"Retry-After": "3"}))
        self.api.reply(Reply(200, envelope(PROJECT)))
        with self.assertLogs("voltasis", "INFO") as logs:
            self.assertEqual(self.client().projects.retrieve("prj_1"), PROJECT)
        self.assertEqual(self.sleeps, [3.0])
        self.assertEqual(len(self.api.requests), 2)
        self.assertIn("Retrying GET /v1/projects/prj_1 in 3.00 s (retry 1 of 2) after 429", logs.output[0])

    def test_retry_after_from_the_body_or_as_an_http_date(self) -> None:
        self.api.reply(error(503, "SERVICE_UNAVAILABLE", "Busy", {"retry_after": 5}))
        self.api.reply(error(429, "RATE_LIMIT_EXCEEDED", "Slow", {}, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}))
        self.client().auth.me()
        # A date in the past means "now".
        self.assertEqual(self.sleeps, [5.0, 0.0])

    def test_without_retry_after_backoff_doubles_with_jitter_then_gives_up(self) -> None:
        self.api.answer = error(503, "SERVICE_UNAVAILABLE", "Busy")
        with self.assertRaises(voltasis.ServiceUnavailableError):
            self.client().auth.me()
        self.assertEqual(len(self.api.requests), 3)
        first, second = self.sleeps
        self.assertTrue(0.375 <= first <= 0.5, first)
        self.assertTrue(0.75 <= second <= 1.0, second)

    def test_backoff_is_capped_at_eight_seconds(self) -> None:
        self.assertTrue(all(6.0 <= BaseClient._backoff(attempt) <= 8.0 for attempt in (4, 10, 50)))

    def test_retries_follow_max_retries(self) -> None:
        self.api.answer = error(429, "RATE_LIMIT_EXCEEDED", "Slow", {"retry_after": 1}, {"Retry-After": "1"})
        with self.assertRaises(voltasis.RateLimitError) as caught:
            self.client(max_retries=0).auth.me()
        self.assertEqual((len(self.api.requests), self.sleeps, caught.exception.retry_after), (1, [], 1.0))
        with self.assertRaises(voltasis.RateLimitError):
            self.client(max_retries=4).auth.me()
        self.assertEqual(len(self.api.requests), 1 + 5)

    def test_a_retry_after_beyond_a_minute_is_raised_not_waited_for(self) -> None:
        self.api.reply(error(429, "RATE_LIMIT_EXCEEDED", "Daily cap", {}, {"Retry-After": "3600"}))
        with self.assertRaises(voltasis.RateLimitError) as caught:
            self.client().auth.me()
        self.assertEqual((caught.exception.retry_after, self.sleeps), (3600.0, []))

    def test_an_idempotency_key_still_in_use_is_retried(self) -> None:
        self.api.reply(error(409, "IDEMPOTENCY_KEY_IN_USE", "Still running", {"retry_after": 1}))
        self.api.reply(Reply(201, envelope(PROJECT)))
        self.assertEqual(self.client().projects.create(name="Site"), PROJECT)
        self.assertEqual(self.sleeps, [1.0])

    def test_other_errors_are_not_retried(self) -> None:
        for reply in (
            error(400, "VALIDATION_ERROR", "Bad"),
            error(404, "NOT_FOUND", "No"),
            error(409, "CONFLICT", "Running already"),
            error(500, "INTERNAL_ERROR", "Oops"),
        ):
            self.api.reply(reply)
            with self.assertRaises(voltasis.APIStatusError):
                self.client().projects.create(name="Site")
        self.assertEqual((len(self.api.requests), self.sleeps), (4, []))


class IdempotencyTest(ClientTestCase):
    def test_one_generated_key_across_the_retries_of_a_post(self) -> None:
        self.api.reply(error(503, "SERVICE_UNAVAILABLE", "Busy"), error(429, "RATE_LIMIT_EXCEEDED", "Slow"))
        self.api.reply(Reply(201, envelope(PROJECT)))
        self.client().projects.create(name="Site")
        keys = {request.headers["Idempotency-Key"] for request in self.api.requests}
        self.assertEqual(len(self.api.requests), 3)
        self.assertEqual(len(keys), 1)
        self.assertEqual(uuid.UUID(keys.pop()).version, 4)

    def test_each_call_has_its_own_key_unless_the_caller_gives_one(self) -> None:
        client = self.client()
        client.projects.create(name="A")
        client.projects.create(name="B")
        client.projects.create(name="C", idempotency_key="order-42")
        keys = [request.headers["Idempotency-Key"] for request in self.api.requests]
        self.assertNotEqual(keys[0], keys[1])
        self.assertEqual(keys[2], "order-42")

    def test_patch_has_a_key_and_get_delete_and_sign_in_have_none(self) -> None:
        client = self.client()
        client.tags.update("tag_1", name="x")
        client.tags.retrieve("tag_1")
        client.tags.delete("tag_1")
        client.auth.login(email="a@example.com", password="pw")
        has_key = ["Idempotency-Key" in request.headers for request in self.api.requests]
        self.assertEqual(has_key, [True, False, False, False])


class ConnectionTest(ClientTestCase):
    def test_a_refused_connection_is_retried_then_raised(self) -> None:
        client = self.client(base_url=closed_port_url())
        with self.assertRaises(voltasis.APIConnectionError) as caught:
            client.projects.retrieve("prj_1")
        self.assertEqual(len(self.sleeps), 2)
        self.assertEqual((caught.exception.status, caught.exception.request_id), (None, None))

    def test_a_post_is_retried_after_a_lost_connection_only_with_a_key(self) -> None:
        client = self.client(base_url=closed_port_url())
        with self.assertRaises(voltasis.APIConnectionError):
            client.auth.register(email="a@example.com", password="pw-123456789", name="A", organization_name="O")
        self.assertEqual(self.sleeps, [])
        with self.assertRaises(voltasis.APIConnectionError):
            client.projects.create(name="Site")
        self.assertEqual(len(self.sleeps), 2)

    def test_a_response_that_does_not_come_in_time_is_a_timeout(self) -> None:
        self.api.answer = Reply(hang=True)
        with self.assertRaises(voltasis.APITimeoutError):
            self.client(timeout=0.2, max_retries=0).auth.me()
        with self.assertRaises(voltasis.APITimeoutError):
            self.client(max_retries=1).auth.me(timeout=0.2)
        self.assertEqual(len(self.api.requests), 1 + 2)
