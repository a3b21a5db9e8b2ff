"""Prometheus metrics of the api (``GET /metrics``) and the request id that follows each turn.

What is counted, all from the api's side of each request (no change to the routes needed):

- ``gxx_http_requests_total{method,route,status}`` and ``gxx_http_request_duration_seconds{route}``;
- ``gxx_chat_turns_total{outcome}`` (``answered``, ``fallback``, ``apology`` when an action or a
  store failed, ``unavailable`` when Rasa did not answer, ``refused`` for 4xx) and
  ``gxx_chat_turn_duration_seconds``; the fallback rate is
  ``rate(gxx_chat_turns_total{outcome="fallback"}) / rate(gxx_chat_turns_total)``;
- ``gxx_bookings_total`` (replies carrying a booking card), ``gxx_ratings_total`` (ratings
  accepted by ``POST /api/rating``);
- ``gxx_errors_total{kind}``: ``rasa_unavailable``, ``action_failed``, ``server_error`` (5xx),
  ``rate_limited`` (429), ``too_large`` (413), ``bad_request`` (other 4xx on ``/api/``).

Each request gets an id: the caller's ``X-Request-ID`` when it is a short token, else a new one.
It is set in ``bot.logs.REQUEST_ID`` (every log line carries it), returned in the response's
``X-Request-ID`` header, and sent with the turn to Rasa as message metadata ``request_id``, whose
channel and the action server log it too.

``/metrics`` answers when ``METRICS_TOKEN`` is given as a bearer token; without that setting,
only to loopback and private-network addresses (a Prometheus beside the api).
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import time
import uuid
from typing import Any, Awaitable, Callable, List, MutableMapping, Optional

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

from bot.channel_contract import SERVICE_APOLOGY
from bot.logs import REQUEST_ID
from bot.settings import PROJECT_ROOT

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

logger = logging.getLogger(__name__)
REQUEST_ID_HEADER = "X-Request-ID"
REQUEST_ID_PATTERN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
LATENCY_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0)
CHAT_PATH = "/api/chat"
RATING_PATH = "/api/rating"

REGISTRY = CollectorRegistry(auto_describe=True)
HTTP_REQUESTS = Counter(
    "gxx_http_requests", "HTTP requests by route and status", ["method", "route", "status"], registry=REGISTRY
)
HTTP_LATENCY = Histogram(
    "gxx_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=LATENCY_BUCKETS,
    registry=REGISTRY,
)
CHAT_TURNS = Counter("gxx_chat_turns", "Chat turns by outcome", ["outcome"], registry=REGISTRY)
CHAT_LATENCY = Histogram(
    "gxx_chat_turn_duration_seconds", "Time to answer a chat turn", buckets=LATENCY_BUCKETS, registry=REGISTRY
)
BOOKINGS = Counter("gxx_bookings", "Appointments booked (replies with a booking card)", registry=REGISTRY)
RATINGS = Counter("gxx_ratings", "Ratings accepted", registry=REGISTRY)
ERRORS = Counter("gxx_errors", "Errors by kind", ["kind"], registry=REGISTRY)

for _outcome in ("answered", "fallback", "apology", "unavailable", "refused"):
    CHAT_TURNS.labels(_outcome)
for _kind in (
    "rasa_unavailable",
    "action_failed",
    "server_error",
    "rate_limited",
    "too_large",
    "bad_request",
):
    ERRORS.labels(_kind)


def fallback_texts() -> frozenset[str]:
    """The texts of ``utter_default`` in ``domain.yml``: a reply made of one is a fallback."""
    import yaml

    with (PROJECT_ROOT / "domain.yml").open(encoding="utf-8") as handle:
        responses = (yaml.safe_load(handle) or {}).get("responses") or {}
    return frozenset(str(v.get("text")) for v in responses.get("utter_default") or [] if v.get("text"))


FALLBACK_TEXTS = fallback_texts()


def new_request_id(given: Optional[str]) -> str:
    """The caller's request id when it is a plain short token, else a new random one."""
    if given and REQUEST_ID_PATTERN.match(given):
        return given
    return uuid.uuid4().hex


def chat_outcome(status: int, replies: Any) -> str:
    """Classify one ``/api/chat`` answer (its status and decoded body)."""
    if status == 503:
        return "unavailable"
    if status >= 400 or not isinstance(replies, list):
        return "refused" if status < 500 else "unavailable"
    texts = [str(r.get("text") or "") for r in replies if isinstance(r, dict)]
    if any(t == SERVICE_APOLOGY for t in texts):
        return "apology"
    if texts and all(t in FALLBACK_TEXTS for t in texts if t):
        return "fallback"
    return "answered"


def booked(replies: Any) -> int:
    """How many booking cards the replies carry."""
    if not isinstance(replies, list):
        return 0
    return sum(
        1
        for r in replies
        if isinstance(r, dict) and isinstance(r.get("custom"), dict) and r["custom"].get("type") == "booking"
    )


def record_errors(path: str, status: int) -> None:
    """Count the error kinds a status stands for."""
    if status >= 500:
        ERRORS.labels("server_error").inc()
    elif status == 429:
        ERRORS.labels("rate_limited").inc()
    elif status == 413:
        ERRORS.labels("too_large").inc()
    elif status >= 400 and path.startswith("/api/"):
        ERRORS.labels("bad_request").inc()


def route_of(scope: Scope) -> str:
    """The route's path template (``/api/admin/faq/{entry_id}``), never the raw path (bounded labels)."""
    endpoint = scope.get("endpoint")
    app = scope.get("app")
    if endpoint is not None and app is not None:
        for route in getattr(app, "routes", []):
            if getattr(route, "endpoint", None) is endpoint:
                return str(getattr(route, "path", "other"))
    return "unmatched"


class MetricsMiddleware:
    """Pure ASGI middleware: request id, request counts and latency, chat outcomes."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one request, observing it."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}
        request_id = new_request_id(headers.get(REQUEST_ID_HEADER.lower()))
        token = REQUEST_ID.set(request_id)
        path = str(scope.get("path") or "")
        is_chat = path == CHAT_PATH and scope.get("method") == "POST"
        status = 500
        body: List[bytes] = []
        started = time.perf_counter()

        async def observing_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (REQUEST_ID_HEADER.encode(), request_id.encode()),
                ]
            elif message["type"] == "http.response.body" and is_chat:
                body.append(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, observing_send)
        finally:
            elapsed = time.perf_counter() - started
            route = route_of(scope)
            HTTP_REQUESTS.labels(scope.get("method", ""), route, str(status)).inc()
            HTTP_LATENCY.labels(route).observe(elapsed)
            record_errors(path, status)
            if is_chat:
                self._observe_chat(status, b"".join(body), elapsed)
            elif path == RATING_PATH and 200 <= status < 300:
                RATINGS.inc()
            REQUEST_ID.reset(token)

    @staticmethod
    def _observe_chat(status: int, raw: bytes, elapsed: float) -> None:
        try:
            replies = json.loads(raw) if raw else None
        except ValueError:
            replies = None
        outcome = chat_outcome(status, replies)
        logger.info("chat turn %s (%d) in %.0f ms", outcome, status, elapsed * 1000)
        CHAT_TURNS.labels(outcome).inc()
        if status < 400:
            CHAT_LATENCY.observe(elapsed)
        if outcome == "unavailable":
            ERRORS.labels("rasa_unavailable").inc()
        elif outcome == "apology":
            ERRORS.labels("action_failed").inc()
        count = booked(replies)
        if count:
            BOOKINGS.inc(count)


router = APIRouter(tags=["health"])


def _may_scrape(request: Request, token: str) -> bool:
    if token:
        given = request.headers.get("authorization", "")
        return hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
    host = request.client.host if request.client else ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host in ("testclient", "localhost")
    return address.is_loopback or address.is_private


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request) -> Response:
    """The Prometheus text exposition of the api's metrics."""
    settings = request.app.state.settings
    if not _may_scrape(request, getattr(settings, "metrics_token", "")):
        raise HTTPException(status_code=403, detail="无权访问监控数据。")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)


def install(app: Any) -> None:
    """Add the middleware and the ``/metrics`` route to ``app``."""
    app.add_middleware(MetricsMiddleware)
    app.include_router(router)
