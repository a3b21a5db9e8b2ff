"""The one client of the Rasa server: forwards a turn through the secret-guarded channel.

It uses aiohttp, which Rasa itself depends on: a turn's request cost the api 1.1 ms with it and
4.3 ms with httpx (1,000 sequential POSTs of a chat turn to a local server, the server included).
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional

import aiohttp

from bot.channel_contract import SECRET_HEADER  # not bot.channel: that imports Rasa and TensorFlow

TURN_TIMEOUT = aiohttp.ClientTimeout(total=30.0)
PING_TIMEOUT = aiohttp.ClientTimeout(total=2.0)


class RasaUnavailableError(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    """Talks to the ``gxx`` input channel of the Rasa server over a pooled connection."""

    def __init__(self, http: aiohttp.ClientSession, base_url: str, secret: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        """Send one user message and return the bot's replies in the REST channel's shape."""
        try:
            async with self.http.post(
                f"{self.base_url}/webhooks/gxx/webhook",
                json={"sender": sender, "message": message, "metadata": metadata or {}},
                headers={SECRET_HEADER: self.secret},
                timeout=TURN_TIMEOUT,
            ) as response:
                if response.status != 200:
                    raise RasaUnavailableError(f"rasa answered {response.status}")
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            raise RasaUnavailableError(str(exc) or type(exc).__name__) from exc
        if not isinstance(body, list):
            raise RasaUnavailableError("rasa answered with an unexpected body")
        return body

    async def ping(self) -> None:
        """Raise unless the channel (and so the loaded model) answers."""
        async with self.http.get(f"{self.base_url}/webhooks/gxx/", timeout=PING_TIMEOUT) as response:
            response.raise_for_status()
