"""Error responses become typed errors carrying status, code, message, details and request id."""

from __future__ import annotations

import voltasis

from .fake_api import ClientTestCase, Reply, error

CASES = [
    (400, "VALIDATION_ERROR", voltasis.BadRequestError),
    (401, "UNAUTHORIZED", voltasis.AuthenticationError),
    (403, "FORBIDDEN", voltasis.PermissionDeniedError),
    (404, "NOT_FOUND", voltasis.NotFoundError),
    (409, "CONFLICT", voltasis.ConflictError),
    (412, "PRECONDITION_FAILED", voltasis.PreconditionFailedError),
    (413, "PAYLOAD_TOO_LARGE", voltasis.PayloadTooLargeError),
    (422, "IDEMPOTENCY_KEY_REUSED", voltasis.UnprocessableEntityError),
    (429, "RATE_LIMIT_EXCEEDED", voltasis.RateLimitError),
    (500, "INTERNAL_ERROR", voltasis.InternalServerError),
    (503, "SERVICE_UNAVAILABLE", voltasis.ServiceUnavailableError),
]


class ErrorMappingTest(ClientTestCase):
    def test_each_status_has_its_class_and_carries_the_envelope(self) -> None:
        client = self.client(max_retries=0)
        for status, code, cls in CASES:
            with self.subTest(status=status):
                details = {"field": "name", "reason": "required", "retry_after": 2}
                self.api.reply(error(status, code, f"Failed with {status}", details))
                with self.assertRaises(cls) as caught:
                    client.projects.create(name="Site")
                err = caught.exception
                self.assertIs(type(err), cls)
                self.assertIsInstance(err, voltasis.APIStatusError)
                self.assertEqual(err.status, status)
                self.assertEqual(err.code, code)
                self.assertEqual(err.message, f"Failed with {status}")
                self.assertEqual(err.details, details)
                self.assertEqual(err.request_id, f"req_{status}")
                self.assertEqual(str(err), f"{status} {code}: Failed with {status} (request req_{status})")

    def test_validation_names_the_field_and_rate_limit_the_wait(self) -> None:
        self.assertIs(voltasis.ValidationError, voltasis.BadRequestError)
        self.api.reply(error(400, "VALIDATION_ERROR", "name is required", {"field": "name"}))
        with self.assertRaises(voltasis.ValidationError) as invalid:
            self.client().projects.create(name="")
        self.assertEqual(invalid.exception.field, "name")
        self.api.reply(error(429, "RATE_LIMIT_EXCEEDED", "Slow", {"retry_after": 7}))
        with self.assertRaises(voltasis.RateLimitError) as limited:
            self.client(max_retries=0).auth.me()
        self.assertEqual(limited.exception.retry_after, 7.0)

    def test_a_response_that_is_not_the_envelope(self) -> None:
        page = b"<html>Bad gateway</html>"
        self.api.reply(Reply(502, page, {"Content-Type": "text/html", "X-Request-ID": "req_proxy"}))
        with self.assertRaises(voltasis.InternalServerError) as caught:
            self.client().auth.me()
        err = caught.exception
        self.assertEqual((err.status, err.code, err.request_id), (502, None, "req_proxy"))
        self.assertEqual((err.message, err.details, err.body), (page.decode(), {}, page))

    def test_an_unlisted_status_is_the_generic_status_error(self) -> None:
        self.api.reply(error(418, "INVALID_REQUEST", "Teapot"))
        with self.assertRaises(voltasis.APIStatusError) as caught:
            self.client().auth.me()
        self.assertIs(type(caught.exception), voltasis.APIStatusError)
        self.assertIsInstance(caught.exception, voltasis.APIError)
        self.assertIsInstance(caught.exception, voltasis.VoltasisError)
