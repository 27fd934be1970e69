"""The conformance scenario (test/sdk/SCENARIO.md) against the live server in VOLTASIS_BASE_URL,
which test/sdk/python.test.ts starts. Its steps run in order and share one organization."""

from __future__ import annotations

import logging
import os
import queue
import threading
import unittest
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Dict, List, Tuple
from unittest import mock

import voltasis

from .live import BASE_URL, SERVER_NEEDED, new_organization_key

ENTRIES_FROM = datetime(2024, 3, 1, tzinfo=timezone.utc)


class RequestLog(logging.Handler):
    """The requests the SDK logs (`voltasis` logger, DEBUG), to count what a list fetched."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.requests: List[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage().split(" ")[0] in ("GET", "POST", "PATCH", "PUT", "DELETE"):
            self.requests.append(record.getMessage())


class Receiver:
    """A webhook endpoint on 127.0.0.1 that keeps the raw body and headers of each delivery."""

    def __init__(self) -> None:
        self.deliveries: "queue.Queue[Tuple[bytes, Dict[str, str]]]" = queue.Queue()
        deliveries = self.deliveries

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                deliveries.put((body, dict(self.headers.items())))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@unittest.skipUnless(BASE_URL, SERVER_NEEDED)
class ConformanceScenario(unittest.TestCase):
    client: voltasis.Client
    state: Dict[str, Any] = {}

    @classmethod
    def setUpClass(cls) -> None:
        # 1 and 2: a new account, an API key made with its access token; the client takes the key
        # (and the server's URL) from the environment.
        key = new_organization_key("conformance")
        cls.state["key"] = key
        with mock.patch.dict(os.environ, {"VOLTASIS_API_KEY": key["secret"], "VOLTASIS_BASE_URL": str(BASE_URL)}):
            cls.client = voltasis.Client()

    def test_1_and_2_the_key_comes_from_the_environment(self) -> None:
        self.assertTrue(self.state["key"]["secret"].startswith("vlt_live_"))
        self.assertEqual(self.client.api_key, self.state["key"]["secret"])
        self.assertEqual(self.client.auth.me()["name"], "Ada Lovelace")

    def test_3_client_project_task_and_tag(self) -> None:
        customer = self.client.clients.create(name="Globex")
        project = self.client.projects.create(name="Website", client_id=customer["id"])
        task = self.client.tasks.create(title="Design", project_id=project["id"])
        tag = self.client.tags.create(name="deep-work")
        self.assertEqual(self.client.projects.retrieve(project["id"])["client_id"], customer["id"])
        self.state.update(project=project, task=task, tag=tag)

    def test_4_a_timer(self) -> None:
        project, task, tag = self.state["project"], self.state["task"], self.state["tag"]
        running = self.client.time_entries.start(
            project_id=project["id"], task_id=task["id"], tag_ids=[tag["id"]], description="Wireframes"
        )
        self.assertTrue(running["running"])
        current = self.client.time_entries.current()
        self.assertEqual(current and current["id"], running["id"])
        stopped = self.client.time_entries.stop(running["id"])
        self.assertFalse(stopped["running"])
        self.assertIsNone(self.client.time_entries.current())

    def test_5_iterate_every_entry_lazily(self) -> None:
        project = self.client.projects.create(name="Reporting")
        for n in range(120):
            self.client.time_entries.create(
                start=ENTRIES_FROM + timedelta(hours=n), duration=600, project_id=project["id"]
            )
        self.state["report_project"] = project
        log = RequestLog()
        logger = logging.getLogger("voltasis")
        logger.addHandler(log)
        previous = logger.level
        logger.setLevel(logging.DEBUG)
        try:
            entries = self.client.time_entries.list(per_page=50)
            self.assertEqual(log.requests, [])
            iterator = iter(entries)
            next(iterator)
            self.assertEqual(len(log.requests), 1)
            ids = [entry["id"] for entry in entries]
        finally:
            logger.removeHandler(log)
            logger.setLevel(previous)
        self.assertEqual(len(ids), 121)
        self.assertEqual(len(set(ids)), 121)
        # One request for the first item above, then three for the whole iteration.
        self.assertEqual(len(log.requests), 1 + 3)

    def test_6_a_summary_report(self) -> None:
        project = self.state["report_project"]
        summary = self.client.reports.summary(from_="2024-03-01T00:00:00Z", to="2024-03-07T00:00:00Z", group_by="project")
        group = next(g for g in summary["groups"] if g["key"].get("project_id") == project["id"])
        self.assertEqual((group["seconds"], group["entries"]), (120 * 600, 120))

    def test_7_a_404(self) -> None:
        with self.assertRaises(voltasis.NotFoundError) as caught:
            self.client.projects.retrieve("prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P")
        error = caught.exception
        self.assertEqual((error.status, error.code), (404, "NOT_FOUND"))
        self.assertIn("prj_01JD6V7W9Q3E4R5T6Y7Z8H9K0P", error.message)
        self.assertIsInstance(error.details, dict)
        self.assertTrue(error.request_id and error.request_id.startswith("req_"))
        self.assertEqual(error.request_id, error.headers["X-Request-ID"])

    def test_8_a_webhook_delivery_verified_both_ways(self) -> None:
        receiver = Receiver()
        self.addCleanup(receiver.close)
        webhook = self.client.webhooks.create(url=receiver.url, events=["tag.created"])
        tag = self.client.tags.create(name="from-a-webhook")
        body, headers = receiver.deliveries.get(timeout=30)
        secret = webhook["secret"]

        voltasis.verify_signature(body, headers["X-Signature"], secret)
        voltasis.verify_standard_webhook(body, headers, secret)
        event = voltasis.verify_webhook(body, headers, secret)
        self.assertEqual((event["event"], event["data"]["id"]), ("tag.created", tag["id"]))

        wrong = "whsec_" + "A" * 32
        sent_at = int(headers["webhook-timestamp"])
        for attempt in (
            lambda: voltasis.verify_signature(body + b" ", headers["X-Signature"], secret),
            lambda: voltasis.verify_signature(body, headers["X-Signature"], wrong),
            lambda: voltasis.verify_standard_webhook(body + b" ", headers, secret),
            lambda: voltasis.verify_standard_webhook(body, headers, wrong),
            lambda: voltasis.verify_standard_webhook(body, headers, secret, now=sent_at + 301),
        ):
            with self.assertRaises(voltasis.WebhookVerificationError):
                attempt()

    def test_9_a_429_on_the_free_plan_is_retried(self) -> None:
        self.assertEqual(self.client.organization.update(plan="free")["plan"], "free")
        with self.assertLogs("voltasis", logging.INFO) as logs:
            for _ in range(6):
                self.client.auth.me()
        self.assertTrue(any("after 429 RATE_LIMIT_EXCEEDED" in line for line in logs.output), logs.output)

        hasty = self.client.with_options(max_retries=0)
        with self.assertRaises(voltasis.RateLimitError) as caught:
            for _ in range(6):
                hasty.auth.me()
        self.assertEqual(caught.exception.status, 429)
        self.assertGreater(caught.exception.retry_after or 0, 0)
