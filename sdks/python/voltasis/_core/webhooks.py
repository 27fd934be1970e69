"""Verifying that a webhook delivery came from Voltasis (SPEC §7), by either of the two signatures
every delivery carries:

- `X-Signature`: hex HMAC-SHA256 of the raw body, keyed by the whole secret (`whsec_…` included).
- Standard Webhooks (https://www.standardwebhooks.com): `webhook-id`, `webhook-timestamp` and
  `webhook-signature` (space-separated `v1,<base64>` entries), HMAC-SHA256 over
  `{id}.{timestamp}.{body}` keyed by the base64-decoded part of the secret after `whsec_`; the
  timestamp must be within the tolerance, so a captured delivery cannot be replayed later.

Both compare in constant time. Pass the body exactly as received (bytes), never re-serialized JSON.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from typing import Any, Dict, Iterable, Optional, Protocol, Tuple, Union, cast


from .errors import VoltasisError

DEFAULT_TOLERANCE = 300
_SECRET_PREFIX = "whsec_"

Payload = Union[bytes, str]


class HeaderFields(Protocol):
    """Headers as any framework gives them: a dict, `http.server`'s message, a Mapping."""

    def items(self) -> Iterable[Tuple[str, str]]: ...


class WebhookVerificationError(VoltasisError):
    """The delivery's signature is missing, wrong or too old: answer it with a 4xx and ignore it."""


def verify_webhook(
    payload: Payload,
    headers: HeaderFields,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> Dict[str, Any]:
    """Verifies a delivery and returns its event (`{id, event, timestamp, organization_id, data}`).

    Uses the Standard Webhooks signature when the headers carry one (it also refuses replays),
    else `X-Signature`. `headers` may be any mapping (a dict, `http.server`'s or a framework's
    headers); names are matched regardless of case.
    """
    if _header(headers, "webhook-signature") is not None:
        verify_standard_webhook(payload, headers, secret, tolerance=tolerance, now=now)
    else:
        verify_signature(payload, _header(headers, "x-signature"), secret)
    try:
        event = json.loads(_bytes(payload).decode("utf-8"))
    except ValueError as error:
        raise WebhookVerificationError("The signed body is not JSON") from error
    if not isinstance(event, dict):
        raise WebhookVerificationError("The signed body is not a JSON object")
    return cast(Dict[str, Any], event)


def verify_signature(payload: Payload, signature: Optional[str], secret: str) -> None:
    """Checks an `X-Signature` header: hex HMAC-SHA256 of the raw body keyed by the whole secret."""
    if not signature:
        raise WebhookVerificationError("No X-Signature header")
    expected = hmac.new(secret.encode("utf-8"), _bytes(payload), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode("ascii"), signature.strip().lower().encode("utf-8")):
        raise WebhookVerificationError("X-Signature does not match the body")


def verify_standard_webhook(
    payload: Payload,
    headers: HeaderFields,
    secret: str,
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: Optional[float] = None,
) -> None:
    """Checks the Standard Webhooks headers: one `v1` signature must match and the timestamp must be
    within `tolerance` seconds of `now` (either way, against replays and clock games)."""
    message_id = _header(headers, "webhook-id")
    timestamp = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    if not message_id or not timestamp or not signatures:
        raise WebhookVerificationError("Missing webhook-id, webhook-timestamp or webhook-signature")
    try:
        sent_at = int(timestamp)
    except ValueError as error:
        raise WebhookVerificationError("webhook-timestamp is not a Unix time") from error
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        raise WebhookVerificationError("webhook-timestamp is outside the tolerance (a replay?)")
    signed = f"{message_id}.{timestamp}.".encode("utf-8") + _bytes(payload)
    digest = hmac.new(_standard_key(secret), signed, hashlib.sha256).digest()
    expected = base64.b64encode(digest)
    for entry in signatures.split():
        version, _, signature = entry.partition(",")
        if version == "v1" and hmac.compare_digest(expected, signature.encode("utf-8")):
            return
    raise WebhookVerificationError("No webhook-signature matches the body")


def _standard_key(secret: str) -> bytes:
    encoded = secret[len(_SECRET_PREFIX) :] if secret.startswith(_SECRET_PREFIX) else secret
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as error:
        raise WebhookVerificationError("The secret is not a whsec_ secret (base64 after whsec_)") from error


def _header(headers: HeaderFields, name: str) -> Optional[str]:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def _bytes(payload: Payload) -> bytes:
    return payload.encode("utf-8") if isinstance(payload, str) else bytes(payload)
