"""The public edge of the api: client address, body size, per-address rate limit, security headers.

``api/main.py`` adds CORS, and the pages set their own Content-Security-Policy
(``api/routes/web.py``); this pure ASGI middleware (no per-request task group, unlike Starlette's
``BaseHTTPMiddleware``) adds the rest, without overriding a header a route set:

- the client's address: ``X-Forwarded-For`` / ``X-Forwarded-Proto`` are believed only when the
  direct peer is one of ``TRUSTED_PROXIES`` (then the right-most untrusted address is the client);
  the address replaces ``scope["client"]``, so every route sees the citizen, not the proxy;
- request bodies over ``MAX_BODY_BYTES`` get 413 (by ``Content-Length`` or while streaming);
- ``CLIENT_REQUESTS_PER_MINUTE`` POST requests per client address to ``/api/`` (a fixed window in
  Redis, shared by all replicas), then 429; loopback is exempt (local tools, ``make bench``), so
  behind a proxy set ``TRUSTED_PROXIES`` or every citizen looks like the proxy. The limit is
  generous because a whole hall's Wi-Fi may share one address; the per-session limit of chat
  turns is in ``api/routes/chat.py``. Redis being away does not block citizens;
- ``X-Content-Type-Options: nosniff`` and ``Referrer-Policy: strict-origin-when-cross-origin`` on
  every answer, a restrictive Content-Security-Policy on every non-HTML answer (JSON cannot run
  script), and ``Strict-Transport-Security`` when the request came over HTTPS (directly or by a
  trusted proxy);
  ``X-Frame-Options`` is not set: the widget is framed by the hosts that ``frame-ancestors`` allows.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from typing import Any, List, Optional, Sequence, Union

from api.metrics import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

Network = Union[ipaddress.IPv4Network, ipaddress.IPv6Network]
JSON_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOC_PATHS = ("/docs", "/redoc", "/openapi.json")
RATE_KEY_PREFIX = "gxx:api:rate:addr:"


def parse_networks(value: str) -> List[Network]:
    """``TRUSTED_PROXIES`` as networks (a bare address is a /32 or /128); bad entries are skipped."""
    networks: List[Network] = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            networks.append(ipaddress.ip_network(part, strict=False))
        except ValueError:
            logger.warning("TRUSTED_PROXIES: ignored %r (not an address or network)", part)
    return networks


def _trusted(host: str, proxies: Sequence[Network]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return any(address in network for network in proxies)


def client_address(peer: str, forwarded_for: Optional[str], proxies: Sequence[Network]) -> str:
    """The citizen's address: the right-most address in ``X-Forwarded-For`` not of a trusted proxy.

    The header is read only when ``peer`` (the direct connection) is a trusted proxy; anything a
    client writes into it before reaching the first trusted proxy is never believed.
    """
    if not proxies or not forwarded_for or not _trusted(peer, proxies):
        return peer
    hops = [h.strip() for h in forwarded_for.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, proxies):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer
    return hops[0] if hops else peer


def limited_address(client: str) -> bool:
    """Whether ``client`` is rate-limited: every real address but loopback (local tools, benchmarks)."""
    try:
        return not ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


class EdgeMiddleware:
    """Pure ASGI middleware; the settings are read from ``app.state.settings`` per request."""

    def __init__(self, app: ASGIApp, settings: Any) -> None:
        self.app = app
        self.settings = settings
        self.proxies = parse_networks(settings.trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request at the edge."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        peer = (scope.get("client") or ("", 0))[0]
        client = client_address(peer, headers.get("x-forwarded-for"), self.proxies)
        https = scope.get("scheme") == "https"
        if client != peer or (peer and _trusted(peer, self.proxies)):
            https = https or headers.get("x-forwarded-proto", "").split(",")[0].strip() == "https"
        scope["client"] = (client, (scope.get("client") or ("", 0))[1])
        path = str(scope.get("path") or "")

        limit = int(self.settings.max_body_bytes)
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            await self._refuse(send, 413, f"请求内容太大（上限{limit // 1024}KB）。", https)
            return
        if (
            scope.get("method") == "POST"
            and path.startswith("/api/")
            and not await self._within_rate(scope, client)
        ):
            await self._refuse(send, 429, "请求过于频繁，请稍后再试。", https)
            return

        received = 0
        too_large = False

        async def limited_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _BodyTooLargeError()
            return message

        refused = False
        too_large_detail = f"请求内容太大（上限{limit // 1024}KB）。"

        async def secured_send(message: Message) -> None:
            nonlocal refused
            if too_large:  # whatever the app made of the cut-off body, the answer is 413
                if not refused:
                    refused = True
                    await self._refuse(send, 413, too_large_detail, https)
                return
            if message["type"] == "http.response.start":
                message["headers"] = self._secure(list(message.get("headers") or []), path, https)
            await send(message)

        try:
            await self.app(scope, limited_receive, secured_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not refused:
            await self._refuse(send, 413, too_large_detail, https)

    def _secure(self, headers: List[Any], path: str, https: bool) -> List[Any]:
        names = {k.decode("latin-1").lower() for k, _ in headers}
        content_type = next((v.decode("latin-1") for k, v in headers if k.lower() == b"content-type"), "")
        if (
            "content-security-policy" not in names
            and "html" not in content_type
            and not path.startswith(DOC_PATHS)
        ):
            headers.append((b"content-security-policy", JSON_CSP.encode()))
        if https and "strict-transport-security" not in names:
            value = f"max-age={int(self.settings.hsts_max_age_seconds)}; includeSubDomains"
            headers.append((b"strict-transport-security", value.encode()))
        if "x-content-type-options" not in names:
            headers.append((b"x-content-type-options", b"nosniff"))
        if "referrer-policy" not in names:
            headers.append((b"referrer-policy", b"strict-origin-when-cross-origin"))
        return headers

    async def _within_rate(self, scope: Scope, client: str) -> bool:
        per_minute = int(self.settings.client_requests_per_minute)
        redis = getattr(getattr(scope.get("app"), "state", None), "redis", None)
        if per_minute <= 0 or redis is None or not limited_address(client):
            return True
        key = f"{RATE_KEY_PREFIX}{client}"
        try:
            async with redis.pipeline(transaction=True) as pipe:
                pipe.set(key, 0, ex=60, nx=True)
                pipe.incr(key)
                _, count = await pipe.execute()
        except Exception as exc:  # noqa: BLE001 - a rate limit must not take the chat down with Redis
            logger.warning("rate limit unavailable: %s", type(exc).__name__)
            return True
        return int(count) <= per_minute

    async def _refuse(self, send: Send, status: int, detail: str, https: bool) -> None:
        body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
        headers = self._secure(
            [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())], "", https
        )
        if status == 429:
            headers.append((b"retry-after", b"60"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class _BodyTooLargeError(Exception):
    """The body grew past the limit while it was read."""


PROBLEM_SCHEMA = {
    "title": "Problem",
    "type": "object",
    "description": "出错时的回答：detail 为中文说明；请求内容格式不正确时 errors 列出字段",
    "properties": {
        "detail": {"title": "Detail", "type": "string"},
        "errors": {"title": "Errors", "type": "array", "items": {"type": "object"}},
    },
    "required": ["detail"],
}


def document_errors(app: Any) -> None:
    """Make the OpenAPI schema say what a 422 really is: ``{"detail": "<中文>", "errors"?: [...]}``.

    FastAPI documents its own default (``detail`` as a list of errors), but this api answers every
    error with a Chinese sentence (``api/main.py``'s handlers); the fuzz test holds the two together.
    """
    generate = app.openapi

    def openapi() -> Any:
        if app.openapi_schema:
            return app.openapi_schema
        schema = generate()
        schemas = schema.get("components", {}).get("schemas", {})
        if "HTTPValidationError" in schemas:
            schemas["HTTPValidationError"] = PROBLEM_SCHEMA
        return schema

    app.openapi = openapi


def install(app: Any, settings: Any) -> None:
    """Add the edge middleware to ``app`` (outermost but the metrics) and document the error shape."""
    app.add_middleware(EdgeMiddleware, settings=settings)
    document_errors(app)
