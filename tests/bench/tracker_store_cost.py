"""CPU per save and per retrieve of the tracker store, by conversation length (a developer's tool).

    .venv/bin/python -m tests.bench.tracker_store_cost

Compares, on a private Redis, Rasa's own ``RedisTrackerStore.save`` path (read the stored tracker,
replay it, merge, write) with ``RedactingRedisTrackerStore.save`` (write the latest session), and
both ``retrieve`` paths, for
conversations of 10 and 200 turns of the kind the bench's citizens hold. CPU time of this process
(``time.process_time``), so the machine's other load matters less than for wall-clock numbers.
Then the same with ``bot.rasa_tuning`` applied, as the stack's Rasa runs.
"""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import tempfile
import time
from typing import Any, Callable, Dict, List

from rasa.core.tracker_store import RedisTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import rasa_tuning
from bot.launcher import redis_server_binary
from bot.settings import PROJECT_ROOT
from bot.tracker_store import RedactingRedisTrackerStore
from tests.utils.stack import free_port

ANSWER = "新生儿出生一件事需要准备：□ 出生医学证明（原件1份）□ 父母双方身份证（原件）□ 户口簿（原件）" * 3


def turn_events(number: int) -> List[Event]:
    """One guide turn, as Rasa logs it: the message, its slot, the action, the reply, listening."""
    parse = {
        "intent": {"name": "ask_materials", "confidence": 0.93},
        "entities": [{"entity": "service", "value": "新生儿出生一件事", "start": 0, "end": 4}],
        "text": f"宝宝出生要带什么材料{number}",
        "intent_ranking": [
            {"name": "ask_materials", "confidence": 0.93},
            {"name": "ask_process", "confidence": 0.04},
        ],
    }
    buttons = [{"title": t, "payload": f"/ask_{t}"} for t in ("材料", "流程", "时限", "收费", "条件", "窗口")]
    return [
        UserUttered(parse["text"], parse["intent"], parse["entities"], parse),
        SlotSet("service", "新生儿出生一件事"),
        ActionExecuted("action_guide"),
        BotUttered(
            ANSWER, {"buttons": buttons, "custom": {"item": "新生儿出生一件事", "aspect": "materials"}}
        ),
        SlotSet("situation_answers", {"户籍": "本地"}),
        ActionExecuted("action_listen"),
    ]


def tracker_of(turns: int, domain: Domain, sender: str) -> DialogueStateTracker:
    """A one-session conversation of ``turns`` turns."""
    events: List[Event] = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
    ]
    for number in range(turns):
        events.extend(turn_events(number))
    return DialogueStateTracker.from_events(sender, events, domain.slots)


def cpu_ms(action: Callable[[], Any], repeat: int) -> float:
    """Median CPU milliseconds of ``action`` over ``repeat`` runs."""
    timings = []
    for _ in range(repeat):
        started = time.process_time()
        action()
        timings.append(1000 * (time.process_time() - started))
    return round(sorted(timings)[len(timings) // 2], 2)


def turn_save_ms(store: RedactingRedisTrackerStore, sender: str, repeat: int) -> float:
    """Median CPU milliseconds of saving a tracker that was just read and got one more turn."""
    timings = []
    for number in range(repeat):
        tracker = asyncio.run(store.retrieve(sender))
        assert tracker is not None
        for event in turn_events(1000 + number):
            tracker.update(event)
        started = time.process_time()
        asyncio.run(store.save(tracker))
        timings.append(1000 * (time.process_time() - started))
    return round(sorted(timings)[len(timings) // 2], 2)


def main() -> None:
    """Start a private Redis, time both save paths and retrieve at 10 and 200 turns, print them."""
    folder = tempfile.mkdtemp(prefix="gxx-store-")
    port = free_port()
    redis = subprocess.Popen(
        [redis_server_binary(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", folder],
        stdout=subprocess.DEVNULL,
    )
    try:
        time.sleep(0.5)
        domain = Domain.load(str(PROJECT_ROOT / "domain.yml"))
        store = RedactingRedisTrackerStore(domain, host="127.0.0.1", port=port, key_prefix="bench")
        results: Dict[str, Dict[str, float]] = {}
        for tuned, turns in ((False, 10), (False, 200), (True, 10), (True, 200)):
            if tuned:
                rasa_tuning.apply()  # as the gxx channel does in the Rasa server
            tracker = tracker_of(turns, domain, f"c{turns}")
            asyncio.run(store.save(tracker))
            results[f"{turns} turns{', tuned' if tuned else ''}"] = {
                "rasa_save_ms": cpu_ms(lambda t=tracker: asyncio.run(RedisTrackerStore.save(store, t)), 15),
                "our_save_ms": cpu_ms(lambda t=tracker: asyncio.run(store.save(t)), 15),
                "rasa_retrieve_ms": cpu_ms(
                    lambda t=tracker: asyncio.run(RedisTrackerStore.retrieve(store, t.sender_id)), 15
                ),
                "our_retrieve_ms": cpu_ms(lambda t=tracker: asyncio.run(store.retrieve(t.sender_id)), 15),
                # a real turn: read, add the turn's events, save (only the new events are redacted)
                "our_turn_save_ms": turn_save_ms(store, tracker.sender_id, 15),
            }
        for name, row in results.items():
            print(f"{name:>10}: " + ", ".join(f"{k} {v}" for k, v in row.items()))
    finally:
        redis.terminate()
        redis.wait(10)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
