"""Webhook verification, both schemes of SPEC §7, against signatures computed here the way the
server computes them (src/features/webhooks/signature.ts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import unittest
from typing import Dict, Sequence

import voltasis

SECRET = "whsec_" + base64.b64encode(b"0123456789abcdef01234567").decode()
OTHER = "whsec_" + base64.b64encode(b"another-secret-of-24-byt").decode()
BODY = json.dumps({"id": "evt_1", "event": "tag.created", "data": {"id": "tag_1"}}).encode()
SENT_AT = 1_700_000_000


def signed(body: bytes = BODY, secrets: Sequence[str] = (SECRET,), sent_at: int = SENT_AT) -> Dict[str, str]:
    """The headers of a delivery, as the server signs it (one v1 entry per current secret)."""
    content = f"evt_1.{sent_at}.".encode() + body
    entries = [
        "v1," + base64.b64encode(hmac.new(base64.b64decode(s[6:]), content, hashlib.sha256).digest()).decode()
        for s in secrets
    ]
    return {
        "X-Signature": hmac.new(secrets[0].encode(), body, hashlib.sha256).hexdigest(),
        "webhook-id": "evt_1",
        "webhook-timestamp": str(sent_at),
        "webhook-signature": " ".join(entries),
    }


class XSignatureTest(unittest.TestCase):
    def test_accepts_the_hex_hmac_of_the_body_keyed_by_the_whole_secret(self) -> None:
        voltasis.verify_signature(BODY, signed()["X-Signature"], SECRET)
        voltasis.verify_signature(BODY.decode(), signed()["X-Signature"].upper(), SECRET)

    def test_refuses_a_changed_body_a_wrong_secret_or_no_signature(self) -> None:
        signature = signed()["X-Signature"]
        for body, secret, header in (
            (BODY + b" ", SECRET, signature),
            (BODY, OTHER, signature),
            (BODY, SECRET, None),
            (BODY, SECRET, "not-hex-at-all-é"),
        ):
            with self.subTest(body=body[-5:], secret=secret[:10], header=header), self.assertRaises(
                voltasis.WebhookVerificationError
            ):
                voltasis.verify_signature(body, header, secret)


class StandardWebhooksTest(unittest.TestCase):
    def test_accepts_a_v1_signature_within_the_tolerance(self) -> None:
        voltasis.verify_standard_webhook(BODY, signed(), SECRET, now=SENT_AT + 299)
        voltasis.verify_standard_webhook(BODY, signed(), SECRET, now=SENT_AT - 299)

    def test_accepts_any_of_several_signatures_during_a_rotation(self) -> None:
        headers = signed(secrets=[OTHER, SECRET])
        voltasis.verify_standard_webhook(BODY, headers, SECRET, now=SENT_AT)
        voltasis.verify_standard_webhook(BODY, headers, OTHER, now=SENT_AT)

    def test_refuses_a_changed_body_a_wrong_secret_and_an_old_or_future_timestamp(self) -> None:
        for body, secret, now in (
            (BODY + b" ", SECRET, SENT_AT),
            (BODY, OTHER, SENT_AT),
            (BODY, SECRET, SENT_AT + 301),
            (BODY, SECRET, SENT_AT - 301),
        ):
            with self.subTest(now=now, secret=secret[:10]), self.assertRaises(voltasis.WebhookVerificationError):
                voltasis.verify_standard_webhook(body, signed(), secret, now=now)

    def test_refuses_missing_or_malformed_headers_and_a_secret_that_is_not_base64(self) -> None:
        for change in ({"webhook-id": ""}, {"webhook-timestamp": "yesterday"}, {"webhook-signature": "v2,abc"}):
            with self.subTest(change=change), self.assertRaises(voltasis.WebhookVerificationError):
                voltasis.verify_standard_webhook(BODY, {**signed(), **change}, SECRET, now=SENT_AT)
        with self.assertRaises(voltasis.WebhookVerificationError):
            voltasis.verify_standard_webhook(BODY, signed(), "whsec_%%%", now=SENT_AT)


class VerifyWebhookTest(unittest.TestCase):
    def test_returns_the_event_whichever_scheme_the_headers_carry(self) -> None:
        standard = {k: v for k, v in signed().items() if k != "X-Signature"}
        hex_only = {"x-signature": signed()["X-Signature"]}
        for headers in (standard, hex_only, {k.upper(): v for k, v in signed().items()}):
            with self.subTest(headers=sorted(headers)):
                event = voltasis.verify_webhook(BODY, headers, SECRET, now=SENT_AT)
                self.assertEqual(event["event"], "tag.created")

    def test_prefers_the_standard_scheme_so_a_replay_is_refused(self) -> None:
        with self.assertRaises(voltasis.WebhookVerificationError):
            voltasis.verify_webhook(BODY, signed(), SECRET, now=SENT_AT + 3600)
        with self.assertRaises(voltasis.WebhookVerificationError):
            voltasis.verify_webhook(BODY, {}, SECRET)
