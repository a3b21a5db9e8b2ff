"""The Rasa input channel the api talks to.

Rasa's ``--auth-token`` and JWT options guard its HTTP API but not channel webhooks, so this
channel, a REST channel at ``/webhooks/gxx/webhook``, also requires the shared secret in the
``X-Channel-Secret`` header. Rasa can then sit on a private network without being open.
"""

from __future__ import annotations

import hmac
import logging
import os
from contextvars import ContextVar
from typing import Any, Awaitable, Callable, Dict, List, Optional

from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import heap, rasa_tuning, redis_async
from bot.channel_contract import SECRET_HEADER, SERVICE_APOLOGY
from bot.logs import REQUEST_ID

rasa_tuning.apply()
logger = logging.getLogger(__name__)

# Rasa logs a custom action that failed (action server down, timeout, bad answer) and carries on
# with nothing said; the channel notices it and apologises with the hotline (SERVICE_APOLOGY) instead.
FAILED_ACTIONS: ContextVar[Optional[List[str]]] = ContextVar("gxx_failed_actions", default=None)
_REMOTE_RUN = RemoteAction.run


async def _run_remembering_failure(self: RemoteAction, *args: Any, **kwargs: Any) -> Any:
    """Rasa's ``RemoteAction.run``, noting a failure for the turn's apology."""
    try:
        return await _REMOTE_RUN(self, *args, **kwargs)
    except Exception:
        failed = FAILED_ACTIONS.get()
        if failed is not None:
            failed.append(self.name())
        raise


RemoteAction.run = _run_remembering_failure


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

        async def handle_turn(message: UserMessage) -> None:
            """Run the turn with its request id; apologise when an action or a store failed."""
            failed: List[str] = []
            FAILED_ACTIONS.set(failed)
            REQUEST_ID.set(str((message.metadata or {}).get("request_id") or "-")[:64])
            try:
                await on_new_message(message)
            except Exception:
                await message.output_channel.send_text_message(message.sender_id, SERVICE_APOLOGY)
                raise
            if failed:
                logger.warning("turn answered with an apology: action(s) %s failed", ", ".join(failed))
                await message.output_channel.send_text_message(message.sender_id, SERVICE_APOLOGY)
            else:
                logger.info("turn handled")

        blueprint = super().blueprint(handle_turn)

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

        @blueprint.listener("after_server_start")
        async def freeze_startup_objects(*_: Any) -> None:
            # the model is loaded before the server starts: its objects leave the collector's walks
            heap.freeze_startup_objects()

        @blueprint.listener("after_server_stop")
        async def close_pooled_sessions(*_: Any) -> None:
            await rasa_tuning.close_pooled_sessions()  # the action server's kept connections
            await redis_async.close_loop_clients()  # the tracker and lock stores' Redis connections

        return blueprint
