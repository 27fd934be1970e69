"""The Python SDK of the Voltasis API.

    import voltasis

    client = voltasis.Client(api_key="vlt_live_...", base_url="https://api.example.com")
    for project in client.projects.list():
        print(project["name"])

This file and `_core/` are written by hand; `client.py`, `resources/` and `types/` are generated
from openapi/v1.json by `npm run sdk:generate`.
"""

from . import types
from ._core.errors import (
    APIConnectionError,
    APIError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    InternalServerError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    PreconditionFailedError,
    RateLimitError,
    ServiceUnavailableError,
    UnprocessableEntityError,
    ValidationError,
    VoltasisError,
)
from ._core.pagination import Page, Paginator
from ._core.sse import ServerSentEvent, ServerSentEventParser
from ._core.streaming import EventStream
from ._core.transport import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    NOT_GIVEN,
    BaseClient,
    NotGiven,
)
from ._core.version import VERSION as __version__
from ._core.webhooks import (
    WebhookVerificationError,
    verify_signature,
    verify_standard_webhook,
    verify_webhook,
)
from .client import Client

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "BaseClient",
    "Client",
    "ConflictError",
    "DEFAULT_BASE_URL",
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "EventStream",
    "InternalServerError",
    "NOT_GIVEN",
    "NotFoundError",
    "NotGiven",
    "Page",
    "Paginator",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "PreconditionFailedError",
    "RateLimitError",
    "ServerSentEvent",
    "ServerSentEventParser",
    "ServiceUnavailableError",
    "UnprocessableEntityError",
    "ValidationError",
    "VoltasisError",
    "WebhookVerificationError",
    "__version__",
    "types",
    "verify_signature",
    "verify_standard_webhook",
    "verify_webhook",
]


def _name_publicly() -> None:
    """Tracebacks name the public path (`voltasis.NotFoundError`), not the private module."""
    for value in list(globals().values()):
        if isinstance(value, type) and value.__module__.startswith("voltasis._core."):
            value.__module__ = __name__


_name_publicly()
