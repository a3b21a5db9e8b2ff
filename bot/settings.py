"""Settings read once from the environment (and an optional ``.env``), with safe local defaults."""

from __future__ import annotations

import os
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import BaseSettings, validator

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# local state (SQLite file, private Redis dump); never committed
VAR_DIR = Path(os.environ.get("GXX_VAR_DIR") or PROJECT_ROOT / "var")
DEV_SECRET = "local-development-only"


class Settings(BaseSettings):
    """Every setting of 高小新; the README lists them with their defaults."""

    env: str = "local"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    action_url: str = "http://127.0.0.1:5055"
    redis_url: str = "redis://127.0.0.1:6379/0"
    database_url: str = f"sqlite:///{VAR_DIR / 'gaoxiaoxin.db'}"
    channel_secret: str = DEV_SECRET
    pii_key: str = DEV_SECRET
    admin_token: str = ""
    data_dir: Path = PROJECT_ROOT / "data"
    max_message_chars: int = 500
    timezone: str = "Asia/Shanghai"
    # the 郑好办 host signs its user: HMAC-SHA256 of "<user id>.<expiry>"; empty: signed users refused
    host_signing_secret: str = ""
    # origins that may embed the chat (CSP frame-ancestors, CORS), comma-separated; "*" ports allowed
    allowed_origins: str = "http://localhost:*,http://127.0.0.1:*"
    signed_user_max_age_seconds: int = 24 * 3600
    # the public edge (api/security.py): proxies whose X-Forwarded-For / -Proto are believed
    # (comma-separated addresses or networks; empty: none), body size, per-address rate limit
    trusted_proxies: str = ""
    max_body_bytes: int = 64 * 1024
    client_requests_per_minute: int = 300
    # new sessions (POST /api/session) per client address and minute; 0 or less: no limit
    sessions_per_minute: int = 300
    hsts_max_age_seconds: int = 31536000
    # bearer token for GET /metrics; empty: only loopback and private addresses may scrape
    metrics_token: str = ""
    # retention (bot/retention.py), in days after the appointment / closing / last sighting
    booking_retention_days: int = 180
    ticket_retention_days: int = 365
    unanswered_retention_days: int = 90
    rating_retention_days: int = 730

    class Config:
        env_file = ".env"
        fields = {
            "env": {"env": "GXX_ENV"},
            "api_host": {"env": "API_HOST"},
            "api_port": {"env": "API_PORT"},
            "rasa_url": {"env": "RASA_URL"},
            "action_url": {"env": "ACTION_URL"},
            "redis_url": {"env": "REDIS_URL"},
            "database_url": {"env": "DATABASE_URL"},
            "channel_secret": {"env": "CHANNEL_SECRET"},
            "pii_key": {"env": "PII_KEY"},
            "admin_token": {"env": "ADMIN_TOKEN"},
            "data_dir": {"env": "GXX_DATA_DIR"},
            "max_message_chars": {"env": "MAX_MESSAGE_CHARS"},
            "timezone": {"env": "GXX_TIMEZONE"},
            "host_signing_secret": {"env": "HOST_SIGNING_SECRET"},
            "allowed_origins": {"env": "ALLOWED_ORIGINS"},
            "signed_user_max_age_seconds": {"env": "SIGNED_USER_MAX_AGE_SECONDS"},
            "trusted_proxies": {"env": "TRUSTED_PROXIES"},
            "max_body_bytes": {"env": "MAX_BODY_BYTES"},
            "client_requests_per_minute": {"env": "CLIENT_REQUESTS_PER_MINUTE"},
            "sessions_per_minute": {"env": "SESSIONS_PER_MINUTE"},
            "hsts_max_age_seconds": {"env": "HSTS_MAX_AGE_SECONDS"},
            "metrics_token": {"env": "METRICS_TOKEN"},
            "booking_retention_days": {"env": "BOOKING_RETENTION_DAYS"},
            "ticket_retention_days": {"env": "TICKET_RETENTION_DAYS"},
            "unanswered_retention_days": {"env": "UNANSWERED_RETENTION_DAYS"},
            "rating_retention_days": {"env": "RATING_RETENTION_DAYS"},
        }

    @validator("channel_secret", "pii_key")
    def _no_placeholder_outside_local(cls, value: str, values: dict) -> str:  # noqa: N805
        if values.get("env", "local") != "local" and value == DEV_SECRET:
            raise ValueError("生产环境必须设置 CHANNEL_SECRET 和 PII_KEY，不能使用本地开发默认值")
        return value

    def embed_origins(self) -> list[str]:
        """The host origins allowed to embed the chat, from ``ALLOWED_ORIGINS``."""
        return [o.strip().rstrip("/") for o in self.allowed_origins.split(",") if o.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, created on first use."""
    return Settings()


def hall_today() -> date:
    """Return today's date in the hall's time zone (``GXX_TIMEZONE``, Asia/Shanghai).

    The day staff see on their calendar: the server's UTC clock is a day behind before 08:00 in Zhengzhou.
    """
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
