"""One request to the API: configuration from arguments or the environment, the credential, JSON in
and out, retries with backoff that honour `Retry-After`, one Idempotency-Key across the retries of a
POST or PATCH, timeouts, and the typed error when it fails (SPEC §2, §8, §9)."""

from __future__ import annotations

import http.client
import json
import logging
import os
import platform
import random
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from datetime import date, datetime, timezone
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple, TypeVar, Union, cast

from .errors import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    error_from_response,
    retry_after_seconds,
)
from .headers import Headers
from .pagination import Page, Paginator
from .streaming import EventStream
from .version import VERSION

logger = logging.getLogger("voltasis")

DEFAULT_BASE_URL = "http://127.0.0.1:3000"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
# A Retry-After beyond this is not waited for inside a call: the error is raised so the caller can
# decide (a free plan's daily cap answers with hours).
MAX_RETRY_AFTER = 60.0

# Methods that change nothing when repeated (RFC 9110 §9.2.2); others are retried after a lost
# connection only when they carry an Idempotency-Key, because the first attempt may have landed.
_IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class NotGiven:
    """The default of an optional argument that was not passed: the field is left out of the
    request, whereas None sends `null` (to clear a project's client, say)."""

    _instance: Optional["NotGiven"] = None

    def __new__(cls) -> "NotGiven":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


class Response:
    """A successful response: status, headers and body as received. A stream's body is not read:
    `raw` is the open response to read it from."""

    def __init__(
        self, status: int, headers: Headers, body: bytes, raw: Optional[http.client.HTTPResponse] = None
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.raw = raw

    @property
    def request_id(self) -> Optional[str]:
        return self.headers.get("X-Request-ID")

    def json(self) -> Any:
        return json.loads(self.body.decode("utf-8")) if self.body else None


_Client = TypeVar("_Client", bound="BaseClient")


class BaseClient:
    """Configuration and transport shared by every resource (the generated `voltasis.Client` adds
    one attribute per resource)."""

    def __init__(
        self,
        api_key: Optional[str] = None,
        base_url: Optional[str] = None,
        *,
        access_token: Optional[str] = None,
        organization_id: Optional[str] = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Optional[Mapping[str, str]] = None,
    ) -> None:
        """
        Args:
            api_key: An API key (`vlt_live_…` or `vlt_test_…`); default `VOLTASIS_API_KEY`.
            base_url: The server, e.g. `https://api.example.com`; default `VOLTASIS_BASE_URL`, else
                `http://127.0.0.1:3000`. A trailing `/v1` is dropped: every path names its version.
            access_token: A user's access token (from `auth.login` or OAuth) instead of an API key;
                both are Bearer credentials, so this is another name for `api_key`.
            organization_id: Sent as `X-Organization-ID` to act in another organization the
                credential belongs to.
            timeout: Seconds to wait for the connection and for each read of a response.
            max_retries: Retries of a 429, a 503 or a lost connection (0 turns them off).
            default_headers: Sent with every request.
        """
        if api_key is not None and access_token is not None and api_key != access_token:
            raise ValueError("Pass api_key or access_token, not two different credentials")
        credential = api_key if api_key is not None else access_token
        self.api_key: Optional[str] = credential or os.environ.get("VOLTASIS_API_KEY") or None
        url = (base_url or os.environ.get("VOLTASIS_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.base_url = url[: -len("/v1")] if url.endswith("/v1") else url
        self.organization_id = organization_id
        self.timeout = timeout
        self.max_retries = max_retries
        self.default_headers: Dict[str, str] = dict(default_headers or {})
        # Replaceable so that tests can record the waits instead of sleeping through them.
        self._sleep: Callable[[float], None] = time.sleep
        self._opener = urllib.request.build_opener()

    def with_options(self: _Client, **changes: Any) -> _Client:
        """A copy of this client with some options changed: `client.with_options(max_retries=0)`."""
        options: Dict[str, Any] = {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "organization_id": self.organization_id,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "default_headers": self.default_headers,
        }
        if "access_token" in changes:
            options.pop("api_key")
        options.update(changes)
        copy = type(self)(**options)
        copy._sleep = self._sleep
        return copy

    def request(
        self,
        method: str,
        path: str,
        *,
        query: Optional[Mapping[str, Any]] = None,
        body: Any = NOT_GIVEN,
        authenticated: bool = True,
        idempotent: bool = False,
        idempotency_key: Optional[str] = None,
        extra_headers: Optional[Mapping[str, str]] = None,
        timeout: Optional[float] = None,
        stream: bool = False,
    ) -> Response:
        """Sends one API request, retrying what is safe to retry, and returns the response or
        raises the typed error. `idempotent` asks for a generated Idempotency-Key (UUID v4) that
        stays the same across the retries, so the server runs the request at most once. `stream`
        returns a 2xx answer as soon as its headers arrive, its body unread (`Response.raw`)."""
        headers = self._headers(authenticated, extra_headers)
        key = idempotency_key or (str(uuid.uuid4()) if idempotent else None)
        if key:
            headers["Idempotency-Key"] = key
        data = None
        if body is not NOT_GIVEN:
            data = json.dumps(_jsonable(body), separators=(",", ":")).encode("utf-8")
            headers["Content-Type"] = "application/json"
        url = self.base_url + path + _query_string(query or {})
        replayable = method in _IDEMPOTENT_METHODS or key is not None
        attempt = 0
        while True:
            try:
                status, response_headers, content = self._send(method, url, headers, data, timeout, stream)
                logger.debug("%s %s -> %d (%s)", method, url, status, response_headers.get("X-Request-ID"))
            except APIConnectionError as error:
                if not replayable or attempt >= self.max_retries:
                    raise
                delay = self._backoff(attempt)
                self._log_retry(method, path, attempt, delay, str(error))
            else:
                if isinstance(content, http.client.HTTPResponse):
                    return Response(status, response_headers, b"", content)
                if status < 400:
                    return Response(status, response_headers, content)
                error = error_from_response(status, response_headers, content)
                delay = self._retry_delay(error, attempt)
                if delay is None:
                    raise error
                self._log_retry(method, path, attempt, delay, f"{status} {error.code}")
            self._sleep(delay)
            attempt += 1

    def get_data(self, method: str, path: str, **kwargs: Any) -> Any:
        """The `data` of the response's envelope, or None for a 204."""
        payload = self.request(method, path, **kwargs).json()
        return cast(Dict[str, Any], payload).get("data") if isinstance(payload, dict) else payload

    def paginate(self, path: str, query: Mapping[str, Any], *, cursor: bool, **kwargs: Any) -> Paginator[Any]:
        """A lazy iterator over every item of a list, one page per request (see Paginator)."""

        def fetch(page_query: Dict[str, Any]) -> Page[Any]:
            response = self.request("GET", path, query=page_query, **kwargs)
            payload: Dict[str, Any] = response.json()
            metadata: Dict[str, Any] = payload.get("metadata") or {}
            request_id = response.request_id or metadata.get("request_id")
            return Page(payload["data"], payload.get("pagination") or {}, request_id)

        return Paginator(fetch, _given(query), cursor=cursor)

    def stream(self, path: str, query: Mapping[str, Any], **kwargs: Any) -> EventStream[Any]:
        """An endless event stream, connected before this returns (see EventStream)."""
        headers = {"Accept": "text/event-stream", **(kwargs.pop("extra_headers", None) or {})}

        def connect(last_event_id: Optional[str]) -> Response:
            resume = {"Last-Event-ID": last_event_id} if last_event_id else {}
            return self.request("GET", path, query=query, extra_headers={**headers, **resume}, stream=True, **kwargs)

        return EventStream(connect, sleep=self._sleep)

    def _headers(self, authenticated: bool, extra: Optional[Mapping[str, str]]) -> Dict[str, str]:
        headers = {
            "Accept": "application/json",
            "User-Agent": f"voltasis-python/{VERSION} python/{platform.python_version()}",
            **self.default_headers,
        }
        if authenticated and self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key}"
        if self.organization_id:
            headers["X-Organization-ID"] = self.organization_id
        headers.update(extra or {})
        return headers

    def _send(
        self,
        method: str,
        url: str,
        headers: Dict[str, str],
        data: Optional[bytes],
        timeout: Optional[float],
        stream: bool = False,
    ) -> Tuple[int, Headers, Union[bytes, http.client.HTTPResponse]]:
        seconds = timeout or self.timeout
        request = urllib.request.Request(url, data=data, headers=headers, method=method)
        try:
            return self._exchange(request, seconds, stream)
        except (socket.timeout, TimeoutError) as error:
            raise APITimeoutError(f"No response from {url} within {seconds} s") from error
        except urllib.error.URLError as error:
            if isinstance(error.reason, (socket.timeout, TimeoutError)):
                raise APITimeoutError(f"No response from {url} within {seconds} s") from error
            raise APIConnectionError(f"Could not reach {url}: {error.reason}") from error
        except (OSError, http.client.HTTPException) as error:
            raise APIConnectionError(f"Connection to {url} failed: {error!r}") from error

    def _exchange(
        self, request: urllib.request.Request, timeout: float, stream: bool = False
    ) -> Tuple[int, Headers, Union[bytes, http.client.HTTPResponse]]:
        try:
            response = self._opener.open(request, timeout=timeout)
            status = response.status
        except urllib.error.HTTPError as error:
            # urllib raises for every 4xx and 5xx; it is still a response.
            response, status = error, error.code
        if stream and status < 400:
            # Its reads keep the socket's timeout: silence that long is a dead connection.
            return status, Headers(response.headers.items()), response
        try:
            return status, Headers(response.headers.items()), response.read() if response.fp else b""
        finally:
            response.close()

    def _retry_delay(self, error: APIStatusError, attempt: int) -> Optional[float]:
        """Seconds to wait before retrying this error response, or None not to retry it."""
        retryable = error.status in (429, 503) or error.code == "IDEMPOTENCY_KEY_IN_USE"
        if not retryable or attempt >= self.max_retries:
            return None
        retry_after = retry_after_seconds(error.headers, error.details)
        if retry_after is None:
            return self._backoff(attempt)
        return retry_after if retry_after <= MAX_RETRY_AFTER else None

    @staticmethod
    def _backoff(attempt: int) -> float:
        """0.5 s × 2^attempt, capped at 8 s, less up to a quarter at random so that clients that
        failed together do not retry together."""
        return min(INITIAL_RETRY_DELAY * 2**attempt, MAX_RETRY_DELAY) * (1 - 0.25 * random.random())

    def _log_retry(self, method: str, path: str, attempt: int, delay: float, reason: str) -> None:
        logger.info(
            "Retrying %s %s in %.2f s (retry %d of %d) after %s",
            method,
            path,
            delay,
            attempt + 1,
            self.max_retries,
            reason,
        )


class APIResource:
    """A group of operations (`client.projects`), sharing its client's transport."""

    def __init__(self, client: BaseClient) -> None:
        self._client = client


def _given(values: Mapping[str, Any]) -> Dict[str, Any]:
    return {name: value for name, value in values.items() if value is not NOT_GIVEN}


def _jsonable(value: Any) -> Any:
    """JSON-ready: NOT_GIVEN fields dropped, datetimes and dates as RFC 3339 text."""
    if isinstance(value, Mapping):
        fields = cast(Mapping[str, Any], value)
        return {name: _jsonable(item) for name, item in fields.items() if item is not NOT_GIVEN}
    if isinstance(value, (list, tuple)):
        return [_jsonable(item) for item in cast(Sequence[Any], value)]
    if isinstance(value, (datetime, date)):
        return _timestamp(value)
    return value


def _timestamp(value: date) -> str:
    if not isinstance(value, datetime):
        return value.isoformat()
    # A naive datetime means local time, as everywhere in Python; the API wants UTC.
    return value.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def _query_string(query: Mapping[str, Any]) -> str:
    pairs: List[Tuple[str, str]] = []
    for name, value in query.items():
        if value is NOT_GIVEN or value is None:
            continue
        if isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (datetime, date)):
            text = _timestamp(value)
        elif isinstance(value, (list, tuple)):
            text = ",".join(str(item) for item in cast(Sequence[Any], value))
        else:
            text = str(value)
        pairs.append((name, text))
    return "?" + urllib.parse.urlencode(pairs) if pairs else ""


def encode_path(value: Any) -> str:
    """A path parameter, escaped so that an id can never reach another route."""
    return urllib.parse.quote(str(value), safe="")
