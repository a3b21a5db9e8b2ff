"""Builds the FastAPI application of 高小新."""

from __future__ import annotations

import asyncio
import logging
import re
from contextlib import asynccontextmanager
from typing import AsyncIterator, FrozenSet

import aiohttp
import yaml
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.exc import InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from api import metrics, security
from api.messages import BACKEND_UNAVAILABLE
from api.rasa_client import RasaClient
from api.routes import api_router
from api.sessions import SessionStore
from bot import heap
from bot.appointments import AppointmentStore, BookingService
from bot.db import make_engine, run_migrations
from bot.faq_db import seed_from_folder
from bot.logs import configure_logging
from bot.settings import PROJECT_ROOT, Settings, get_settings

logger = logging.getLogger(__name__)


def domain_intents() -> FrozenSet[str]:
    """The intents a button payload may name: those of ``domain.yml``."""
    with (PROJECT_ROOT / "domain.yml").open(encoding="utf-8") as handle:
        return frozenset(yaml.safe_load(handle)["intents"])


def _validation_problem(exc: RequestValidationError) -> tuple[int, str]:
    """A status and a Chinese reason for a request body that could not be read."""
    for error in exc.errors():
        if error.get("type") in ("json_invalid", "value_error.jsondecode"):
            return 400, "请求内容不是有效的JSON，请检查后重试。"
        if tuple(error.get("loc", ())) == ("body",) and error.get("type") == "value_error.missing":
            return 400, "请求内容不能为空，请以JSON格式提交。"
    fields = sorted({str(e.get("loc", ("", ""))[-1]) for e in exc.errors() if e.get("loc")})
    rules = sorted({rule for rule in map(_broken_rule, exc.errors()) if rule})
    said = f"：{'；'.join(rules)}" if rules else ""
    return 422, f"请求内容格式不正确（字段：{'、'.join(fields)}）{said}，请检查后重试。"


def _broken_rule(error: dict) -> str:
    """The rule a field broke, in Chinese, for the limits and types the api's models declare.

    Empty for any other error (the field is still named).
    """
    field = str(error.get("loc", ("",))[-1])
    kind = str(error.get("type", ""))
    limit = (error.get("ctx") or {}).get("limit_value")
    if kind.endswith("max_length") and limit is not None:
        return f"{field}不超过{limit}个字符"
    if kind.endswith("min_length") and limit is not None:
        return f"{field}至少{limit}个字符"
    if kind.endswith(("not_le", "not_lt")) and limit is not None:
        return f"{field}不能大于{limit}"
    if kind.endswith(("not_ge", "not_gt")) and limit is not None:
        return f"{field}不能小于{limit}"
    if kind in ("type_error.str", "type_error.none.not_allowed"):
        return f"{field}应为文字"
    if kind == "type_error.integer":
        return f"{field}应为整数"
    if kind == "type_error.list":
        return f"{field}应为列表"
    if kind == "value_error.extra":
        return f"没有名为{field}的字段"
    return ""


def origin_regex(origins: list[str]) -> str | None:
    """A regular expression matching the allowed host origins (``*`` stands for any port)."""
    if not origins:
        return None
    parts = [re.escape(o).replace(r"\*", r"[0-9]+") for o in origins if o != "*"]
    if "*" in origins:
        parts.append(r"https?://[^/]+")
    return "^(" + "|".join(parts) + ")$"


def add_security_headers(app: FastAPI, settings: Settings) -> None:
    """CORS for the allowed host origins.

    The headers every response carries are the edge middleware's (``api/security.py``); pages set
    their own Content-Security-Policy (``api/routes/web.py``), whose ``frame-ancestors`` follows the
    same ``ALLOWED_ORIGINS`` list.
    """
    app.add_middleware(
        CORSMiddleware,
        allow_origin_regex=origin_regex(settings.embed_origins()),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=600,
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    """Create the app; connections are opened at start-up and closed at shutdown."""
    settings = settings or get_settings()
    configure_logging()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        # one pooled HTTP client for Rasa and the action server's health (api/rasa_client.py)
        app.state.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=100))
        app.state.redis = Redis.from_url(settings.redis_url, decode_responses=True)
        app.state.engine = make_engine(settings.database_url)
        await asyncio.to_thread(run_migrations, settings.database_url, app.state.engine)
        await asyncio.to_thread(seed_from_folder, app.state.engine, settings.data_dir / "faq")
        app.state.bookings = BookingService(AppointmentStore(app.state.engine), pii_key=settings.pii_key)
        app.state.rasa = RasaClient(app.state.http, settings.rasa_url, settings.channel_secret)
        app.state.sessions = SessionStore(app.state.redis)
        app.state.intents = domain_intents()
        heap.freeze_startup_objects()  # what start-up loaded leaves the collector's walks (bot/heap.py)
        try:
            yield
        finally:
            await app.state.http.close()
            await app.state.redis.close()
            app.state.engine.dispose()

    app = FastAPI(
        title="高小新 API",
        description="郑州高新区政务服务中心在线智能客服“高小新”的接口：聊天、办事指南、预约和工作人员管理。",
        version="0.1.0",
        lifespan=lifespan,
    )
    app.include_router(api_router)
    add_security_headers(app, settings)
    security.install(app, settings)  # body size, per-address rate limit, CSP/HSTS (api/security.py)
    metrics.install(app)  # outermost: request id, /metrics (api/metrics.py)

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        status, reason = _validation_problem(exc)
        errors = [{"loc": list(e.get("loc", ())), "type": e.get("type")} for e in exc.errors()]
        return JSONResponse({"detail": reason, "errors": errors}, status_code=status)

    @app.exception_handler(RedisError)
    async def on_redis_error(request: Request, exc: RedisError) -> JSONResponse:
        # sessions, history and limits live in Redis: while it restarts, say so and keep nothing half-done
        logger.error("redis unavailable: %s", exc)
        return JSONResponse({"detail": BACKEND_UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def on_database_error(request: Request, exc: Exception) -> JSONResponse:
        logger.error("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"detail": BACKEND_UNAVAILABLE}, status_code=503, headers={"Retry-After": "5"})

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(request: Request, exc: HTTPException) -> JSONResponse:
        detail = exc.detail
        if exc.status_code == 404 and detail == "Not Found":
            detail = "您访问的地址不存在。"
        elif exc.status_code == 405 and detail == "Method Not Allowed":
            detail = "不支持该请求方式。"
        return JSONResponse(
            {"detail": detail}, status_code=exc.status_code, headers=getattr(exc, "headers", None)
        )

    return app


app = create_app()
