"""Shared fixtures: real Redis, the trained model, and the whole running stack."""

from __future__ import annotations

import socket
import subprocess
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.db import make_engine, run_migrations
from bot.faq_entries import FaqEntry
from bot.launcher import redis_server_binary
from bot.settings import PROJECT_ROOT
from tests.utils.stack import UNLIMITED_SESSIONS, Stack, free_port, start_stack


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free port, private to the test session."""
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            redis_server_binary(),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    end = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            if time.monotonic() > end:
                proc.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="session")
def trained_model() -> Path:
    """The model, trained once per session and only when its inputs changed."""
    from bot.training import ensure_model

    return ensure_model()


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole running stack, shared by the integration and browser tests."""
    running = start_stack(tmp_path_factory.mktemp("stack"), UNLIMITED_SESSIONS)
    yield running
    running.stop()


class Clock:
    """A settable clock for services that take ``clock=``."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def migrated_engine(path: Path) -> Engine:
    """A real SQLite database at ``path``, migrated to the newest schema."""
    url = f"sqlite:///{path}"
    run_migrations(url)
    return make_engine(url)


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture(scope="session")
def domain() -> Dict[str, Any]:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(PROJECT_ROOT / "domain.yml")).as_dict()


PARKING_ENTRY = FaqEntry(
    id="parking",
    title="停车",
    questions=["大厅能停车吗"],
    answer="东侧有停车场。",
    source="样例",
    last_checked=date(2026, 12, 1),
)
"""A one-question FAQ entry for tests of retrieval's decisions (sample data)."""


def make_tracker(
    intent: str = "greet", slots: Dict[str, Any] | None = None, text: str = "", entities: list | None = None
) -> Tracker:
    """A tracker whose latest message has ``intent`` and whose slots are ``slots``."""
    return Tracker(
        sender_id="test-sender",
        slots=slots or {},
        latest_message={
            "intent": {"name": intent, "confidence": 0.99},
            "text": text,
            "entities": entities or [],
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
