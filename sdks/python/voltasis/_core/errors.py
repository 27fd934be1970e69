"""The errors the SDK raises: one class per HTTP status of SPEC §2, each carrying what the API said
(status, code, message, details) and the request id to quote to support."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any, Dict, Mapping, Optional, Type, cast

from .headers import Headers


class VoltasisError(Exception):
    """The base of every error this SDK raises."""


class APIError(VoltasisError):
    """A request that did not succeed. `status`, `code` and `request_id` are None when no response
    arrived (a connection error or a timeout)."""

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        code: Optional[str] = None,
        details: Optional[Dict[str, Any]] = None,
        request_id: Optional[str] = None,
        headers: Optional[Headers] = None,
        body: Optional[bytes] = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.code = code
        self.details: Dict[str, Any] = details if details is not None else {}
        self.request_id = request_id
        self.headers = headers if headers is not None else Headers()
        self.body = body

    @property
    def field(self) -> Optional[str]:
        """The offending field of a validation error (`details.field`), if the API named one."""
        value = self.details.get("field")
        return value if isinstance(value, str) else None

    def __str__(self) -> str:
        prefix = " ".join(str(part) for part in (self.status, self.code) if part is not None)
        suffix = f" (request {self.request_id})" if self.request_id else ""
        return f"{prefix}: {self.message}{suffix}" if prefix else f"{self.message}{suffix}"


class APIConnectionError(APIError):
    """No response: the server could not be reached or the connection broke."""


class APITimeoutError(APIConnectionError):
    """No response within the request's timeout."""


class APIStatusError(APIError):
    """The API answered with an error status (4xx or 5xx)."""

    status: int


class BadRequestError(APIStatusError):
    """400: malformed JSON, an unknown field, filter or sort, a bad or missing value (`field`)."""


ValidationError = BadRequestError


class AuthenticationError(APIStatusError):
    """401: a missing, malformed, expired or revoked API key or token."""


class PermissionDeniedError(APIStatusError):
    """403: the credential lacks a scope or role, or the resource is another organization's."""


class NotFoundError(APIStatusError):
    """404: no such resource or route."""


class ConflictError(APIStatusError):
    """409: a state conflict (a second running timer, a locked period, a duplicate name), or the
    same Idempotency-Key still running (`IDEMPOTENCY_KEY_IN_USE`)."""


class PreconditionFailedError(APIStatusError):
    """412: `If-Match` names a version that is no longer current."""


class PayloadTooLargeError(APIStatusError):
    """413: the body is over the limit."""


class UnprocessableEntityError(APIStatusError):
    """422: an Idempotency-Key sent again with another method, path or body
    (`IDEMPOTENCY_KEY_REUSED`)."""


class RateLimitError(APIStatusError):
    """429: the plan's limit was hit; `retry_after` says in how many seconds to try again."""

    @property
    def retry_after(self) -> Optional[float]:
        return retry_after_seconds(self.headers, self.details)


class InternalServerError(APIStatusError):
    """5xx: the server failed."""


class ServiceUnavailableError(InternalServerError):
    """503: the server is overloaded or shutting down; `Retry-After` says when to come back."""


_BY_STATUS: Dict[int, Type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    412: PreconditionFailedError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    503: ServiceUnavailableError,
}


def error_from_response(status: int, headers: Headers, body: bytes) -> APIStatusError:
    """The typed error for an error response: the API's envelope when there is one, else (a proxy's
    page, say) the status line and the start of the body."""
    try:
        envelope = _object(json.loads(body.decode("utf-8")) if body else None)
    except ValueError:
        envelope = {}
    error = _object(envelope.get("error"))
    metadata = _object(envelope.get("metadata"))
    message = error.get("message") or body[:200].decode("utf-8", "replace") or f"HTTP {status}"
    code = error.get("code")
    cls = _BY_STATUS.get(status) or (InternalServerError if status >= 500 else APIStatusError)
    return cls(
        str(message),
        status=status,
        code=code if isinstance(code, str) else None,
        details=_object(error.get("details")),
        request_id=metadata.get("request_id") or headers.get("X-Request-ID"),
        headers=headers,
        body=body,
    )


def _object(value: Any) -> Dict[str, Any]:
    """A JSON object as a dict; anything else (a proxy's HTML, null) as an empty one."""
    return cast(Dict[str, Any], value) if isinstance(value, dict) else {}


def retry_after_seconds(headers: Mapping[str, str], details: Mapping[str, Any]) -> Optional[float]:
    """`Retry-After` in seconds (RFC 9110 allows a number or an HTTP date), else the envelope's
    `details.retry_after`, else None."""
    header = headers.get("Retry-After")
    if header:
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                when = parsedate_to_datetime(header)
                return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
            except (TypeError, ValueError):
                pass
    value = details.get("retry_after")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return max(0.0, float(value))
    return None
