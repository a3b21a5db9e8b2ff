"""The Rasa input channel the api talks to.

Rasa's ``--auth-token`` and JWT options guard its HTTP API but not channel webhooks, so this
channel, a REST channel at ``/webhooks/gxx/webhook``, also requires the shared secret in the
``X-Channel-Secret`` header. Rasa can then sit on a private network without being open.
"""

from __future__ import annotations

import hmac
import os
from typing import Any, Awaitable, Callable, Dict, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_tuning

SECRET_HEADER = "X-Channel-Secret"
rasa_tuning.apply()


class SecretRestInput(RestInput):
    """A REST channel that refuses messages without the shared secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise ValueError("The gxx channel needs a non-empty shared secret (CHANNEL_SECRET).")
        self.secret = secret

    @classmethod
    def name(cls) -> str:
        """Names the webhook path: ``/webhooks/gxx/``."""
        return "gxx"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[str, Any]]) -> SecretRestInput:
        """Builds the channel from ``credentials.yml``, falling back to ``CHANNEL_SECRET``."""
        secret = (credentials or {}).get("secret") or os.environ.get("CHANNEL_SECRET", "")
        return cls(secret=str(secret))

    def get_metadata(self, request: Request) -> Optional[Dict[str, Any]]:
        """Passes only the api's metadata object through to the tracker."""
        metadata = (request.json or {}).get("metadata")
        return metadata if isinstance(metadata, dict) else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[None]]) -> Blueprint:
        """Adds the shared-secret check in front of the REST channel's routes."""
        blueprint = super().blueprint(on_new_message)

        @blueprint.middleware("request")
        async def require_secret(request: Request) -> Optional[HTTPResponse]:
            if request.method == "GET":
                return None  # the health route carries no conversation data
            given = request.headers.get(SECRET_HEADER, "")
            if not hmac.compare_digest(given.encode(), self.secret.encode()):
                return response.json({"error": "invalid channel secret"}, status=403)
            if not isinstance(request.json, dict):
                return response.json({"error": "body must be a JSON object"}, status=400)
            return None

        return blueprint
