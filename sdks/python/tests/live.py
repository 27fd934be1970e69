"""What the tests against a live server share: its URL and a fresh organization to work in."""

from __future__ import annotations

import os
import uuid

import voltasis
from voltasis.types import ApiKeyWithSecret

BASE_URL = os.environ.get("VOLTASIS_BASE_URL")
SERVER_NEEDED = "needs a live server: VOLTASIS_BASE_URL (npx vitest run test/sdk/python.test.ts sets it)"


def new_organization_key(label: str) -> ApiKeyWithSecret:
    """Registers a new account without a credential, then creates an admin API key with its access
    token (scenario steps 1 and 2): a new organization, so a test starts from nothing."""
    anonymous = voltasis.Client(api_key=None, base_url=BASE_URL)
    session = anonymous.auth.register(
        email=f"{label}-{uuid.uuid4().hex[:12]}@example.com",
        password="correct horse battery staple",
        name="Ada Lovelace",
        organization_name="Analytical Engines",
    )
    owner = voltasis.Client(access_token=session["access_token"], base_url=BASE_URL)
    return owner.api_keys.create(name=label, scopes=["admin"])
