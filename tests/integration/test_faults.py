"""Faults on the real stack: a killed process comes back, citizens get an apology meanwhile.

The stack is started here, not shared (``tests/conftest.py``'s ``stack``), because these tests
kill its processes and finally stop it with Ctrl-C to check that nothing is left behind.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import time
from pathlib import Path
from typing import Iterator

import httpx
import pytest

from bot.training import MODEL_PATH
from tests.utils.stack import Stack, start_stack, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
RECOVERY_SECONDS = 240


@pytest.fixture(scope="module")
def own_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    # the model as it is (``make test`` trains a stale one first through the shared fixtures)
    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run make train")
    previous = os.environ.get("LOG_FORMAT")
    os.environ["LOG_FORMAT"] = "json"  # the processes log JSON lines with the request id
    try:
        running = start_stack(tmp_path_factory.mktemp("faults"))
    finally:
        if previous is None:
            os.environ.pop("LOG_FORMAT", None)
        else:
            os.environ["LOG_FORMAT"] = previous
    yield running
    running.stop()


def pid_of(stack: Stack, name: str) -> int:
    return int((Path(stack.env["GXX_VAR_DIR"]) / "run" / f"{name}.pid").read_text())


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def new_session(stack: Stack) -> str:
    return str(httpx.post(f"{stack.api}/api/session", json={}, timeout=10).json()["sender"])


def test_one_request_id_follows_a_turn_through_api_rasa_and_actions(own_stack: Stack) -> None:
    sender = new_session(own_stack)
    turn = httpx.post(
        f"{own_stack.api}/api/chat",
        json={"sender": sender, "message": "开饭店要带啥材料"},
        headers={"X-Request-ID": "trace-0123456789"},
        timeout=30,
    )
    assert turn.status_code == 200 and turn.headers["X-Request-ID"] == "trace-0123456789"
    time.sleep(1.0)
    lines = [
        line for line in own_stack.log.read_text(errors="replace").splitlines() if "trace-0123456789" in line
    ]
    print("\n".join(lines))
    roles = {line.split("|", 1)[0].split()[-1] for line in lines}
    assert {"api", "rasa", "actions"} <= roles
    for line in lines:
        entry = json.loads(line.split("| ", 1)[1])
        assert entry["request_id"] == "trace-0123456789"


def test_killed_action_server_restarts_and_citizens_get_an_apology_meanwhile(own_stack: Stack) -> None:
    sender = new_session(own_stack)
    before = pid_of(own_stack, "actions")
    os.kill(before, signal.SIGKILL)
    turn = httpx.post(
        f"{own_stack.api}/api/chat", json={"sender": sender, "message": "开饭店要带啥材料"}, timeout=30
    )
    ready = httpx.get(f"{own_stack.api}/readyz", timeout=10)
    print("during the outage:", turn.status_code, turn.text, "| readyz:", ready.status_code, ready.text)
    assert turn.status_code == 200
    texts = " ".join(str(r.get("text") or "") for r in turn.json())
    assert "12345" in texts and "抱歉" in texts
    if ready.status_code == 503:  # unless the action server was already back
        assert "actions" in ready.json()["failed"]

    wait_for(f"{own_stack.api}/readyz", RECOVERY_SECONDS)
    after = pid_of(own_stack, "actions")
    assert after != before and alive(after)
    log = own_stack.log.read_text(errors="replace")
    assert f"actions (pid {before}) died" in log and "restarting in" in log
    again = httpx.post(
        f"{own_stack.api}/api/chat", json={"sender": sender, "message": "开饭店要带啥材料"}, timeout=30
    )
    assert again.status_code == 200 and "12345热线咨询" not in again.text


def test_killed_rasa_server_gives_503_in_chinese_then_comes_back(own_stack: Stack) -> None:
    sender = new_session(own_stack)
    before = pid_of(own_stack, "rasa")
    os.kill(before, signal.SIGKILL)
    turn = httpx.post(f"{own_stack.api}/api/chat", json={"sender": sender, "message": "你好"}, timeout=30)
    ready = httpx.get(f"{own_stack.api}/readyz", timeout=10)
    print("rasa down:", turn.status_code, turn.text, "| readyz:", ready.status_code, ready.text)
    assert turn.status_code == 503 and "12345" in turn.json()["detail"]
    assert ready.status_code == 503 and ready.json()["failed"] == ["rasa"]
    wait_for(f"{own_stack.api}/readyz", RECOVERY_SECONDS)
    assert alive(pid_of(own_stack, "rasa"))
    back = httpx.post(f"{own_stack.api}/api/chat", json={"sender": sender, "message": "你好"}, timeout=30)
    assert back.status_code == 200


def test_ctrl_c_stops_everything_and_frees_the_ports(own_stack: Stack) -> None:
    pids = [pid_of(own_stack, name) for name in ("redis", "actions", "rasa", "api")]
    started = time.monotonic()
    assert own_stack.stop() == 0
    print(f"stopped in {time.monotonic() - started:.1f}s")
    assert not any(alive(p) for p in pids)
    for port in own_stack.ports:
        with socket.socket() as sock:
            assert sock.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still answers"
    assert not list((Path(own_stack.env["GXX_VAR_DIR"]) / "run").glob("*.pid"))
