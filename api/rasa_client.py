"""The one client of the Rasa server: forwards a turn through the secret-guarded channel."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import httpx

from bot.channel_contract import SECRET_HEADER  # not bot.channel: that imports Rasa and TensorFlow


class RasaUnavailableError(Exception):
    """Rasa did not answer, or answered with an error."""


class RasaClient:
    """Talks to the ``gxx`` input channel of the Rasa server over a pooled connection."""

    def __init__(self, http: httpx.AsyncClient, base_url: str, secret: str) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.secret = secret

    async def send(
        self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None
    ) -> List[Dict[str, Any]]:
        """Send one user message and return the bot's replies in the REST channel's shape."""
        try:
            response = await self.http.post(
                f"{self.base_url}/webhooks/gxx/webhook",
                json={"sender": sender, "message": message, "metadata": metadata or {}},
                headers={SECRET_HEADER: self.secret},
                timeout=30.0,
            )
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(str(exc)) from exc
        if response.status_code != 200:
            raise RasaUnavailableError(f"rasa answered {response.status_code}")
        body = response.json()
        if not isinstance(body, list):
            raise RasaUnavailableError("rasa answered with an unexpected body")
        return body

    async def ping(self) -> None:
        """Raise unless the channel (and so the loaded model) answers."""
        response = await self.http.get(f"{self.base_url}/webhooks/gxx/", timeout=2.0)
        response.raise_for_status()
