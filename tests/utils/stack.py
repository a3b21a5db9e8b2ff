"""Start the whole running stack of 高小新 on free loopback ports, as ``make run`` does.

Shared by the test fixtures (``tests/conftest.py``), ``make bench`` and ``make eval``.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, Optional

import httpx

from bot.settings import PROJECT_ROOT

STACK_START_TIMEOUT = 300
UNLIMITED_SESSIONS = {"SESSIONS_PER_MINUTE": "0"}
"""Overrides for a stack that plays hundreds of held-out conversations from one address: the
per-address limit on new sessions is for the public, and waiting it out (``Retry-After``) would
be most of such a run's time."""


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


def start_stack(
    folder: Path, overrides: Optional[Dict[str, str]] = None, checkout: Path = PROJECT_ROOT
) -> Stack:
    """Start Redis, Rasa, the action server and the api on free ports, as ``make run`` does.

    ``overrides`` are environment variables that win over the defaults (e.g. ``DATABASE_URL``);
    ``checkout`` is the working tree whose code and trained model run (this one by default).
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
    # the secret the tests sign host users with (the browser suite sets its own before the stack starts)
    env.setdefault("HOST_SIGNING_SECRET", "stack-test-host-secret")
    env.update(overrides or {})
    log = folder / "stack.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bot.launcher"],
            cwd=checkout,
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
