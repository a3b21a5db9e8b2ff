"""Liveness and readiness."""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable, Dict

import aiohttp
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)
ACTIONS_HEALTH_TIMEOUT = aiohttp.ClientTimeout(total=2.0)


@router.get("/healthz")
async def healthz() -> Dict[str, str]:
    """200 whenever the api process is up."""
    return {"status": "ok"}


async def _check(name: str, probe: Callable[[], Awaitable[None]]) -> tuple[str, str]:
    try:
        await asyncio.wait_for(probe(), timeout=3.0)
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        logger.warning("readiness check %s failed: %s", name, type(exc).__name__)
        return name, f"unavailable: {type(exc).__name__}"
    return name, "ok"


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    """200 only when Rasa, the action server, SQL and Redis all answer; else 503 naming the failures."""
    state = request.app.state

    async def actions() -> None:
        url = f"{state.settings.action_url.rstrip('/')}/health"
        async with state.http.get(url, timeout=ACTIONS_HEALTH_TIMEOUT) as response:
            response.raise_for_status()

    async def sql() -> None:
        def ping() -> None:
            with state.engine.connect() as connection:
                connection.execute(text("SELECT 1"))

        await asyncio.to_thread(ping)

    async def redis() -> None:
        await state.redis.ping()

    results = dict(
        await asyncio.gather(
            _check("rasa", state.rasa.ping),
            _check("actions", actions),
            _check("sql", sql),
            _check("redis", redis),
        )
    )
    failed = sorted(name for name, status in results.items() if status != "ok")
    body = {"status": "ok" if not failed else "unavailable", "checks": results, "failed": failed}
    return JSONResponse(body, status_code=200 if not failed else 503)
