"""Settings read once from the environment (and an optional ``.env``), with safe local defaults."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

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
        }

    @validator("channel_secret", "pii_key")
    def _no_placeholder_outside_local(cls, value: str, values: dict) -> str:  # noqa: N805
        if values.get("env", "local") != "local" and value == DEV_SECRET:
            raise ValueError("生产环境必须设置 CHANNEL_SECRET 和 PII_KEY，不能使用本地开发默认值")
        return value


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings, created on first use."""
    return Settings()
