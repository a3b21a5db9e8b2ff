"""Shared fixtures: real Redis, the trained model, and the whole running stack."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path
from typing import Any, Dict, Iterator

import httpx
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.engine import Engine

from bot.db import make_engine, run_migrations
from bot.launcher import redis_server_binary
from bot.settings import PROJECT_ROOT

STACK_START_TIMEOUT = 300


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(url: str, timeout: float, expect: int = 200) -> httpx.Response:
    end = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < end:
        try:
            last = httpx.get(url, timeout=3)
            if last.status_code == expect:
                return last
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.5)
    raise TimeoutError(f"{url} did not answer {expect} within {timeout}s (last: {last!r})")


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


class Stack:
    """The running processes of 高小新, started by the real launcher."""

    def __init__(self, proc: subprocess.Popen, env: Dict[str, str], log: Path) -> None:
        self.proc = proc
        self.env = env
        self.log = log
        self.api = f"http://127.0.0.1:{env['API_PORT']}"
        self.rasa = f"http://127.0.0.1:{env['RASA_PORT']}"
        self.actions = f"http://127.0.0.1:{env['ACTION_PORT']}"
        self.ports = [int(env[k]) for k in ("API_PORT", "RASA_PORT", "ACTION_PORT", "PRIVATE_REDIS_PORT")]

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        return int(self.proc.returncode)


def start_stack(folder: Path) -> Stack:
    """Start Redis, Rasa, the action server and the api on free ports, as ``make run`` does.

    Returns once ``/readyz`` answers 200; the caller stops it with ``Stack.stop``.
    """
    env = {k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}}
    env.update(
        API_PORT=str(free_port()),
        RASA_PORT=str(free_port()),
        ACTION_PORT=str(free_port()),
        PRIVATE_REDIS_PORT=str(free_port()),
        DATABASE_URL=f"sqlite:///{folder / 'stack.db'}",
        CHANNEL_SECRET="stack-test-secret",
        GXX_VAR_DIR=str(folder),
    )
    log = folder / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.launcher"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Stack(proc, env, log)
    try:
        wait_for(f"{running.api}/readyz", STACK_START_TIMEOUT)
    except BaseException:
        running.stop()
        raise RuntimeError(
            "the stack did not become ready:\n" + log.read_text(errors="replace")[-6000:]
        ) from None
    return running


@pytest.fixture(scope="session")
def stack(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole running stack, shared by the integration and browser tests."""
    running = start_stack(tmp_path_factory.mktemp("stack"))
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
