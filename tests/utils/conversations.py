"""Held-out conversations (``tests/conversations/*.yml``) played through ``/api/chat``.

Each conversation is a list of turns, each a citizen's message and what the reply must hold
(``expect``): the item it is about, the guide aspect it answers, the 个性指南 answer a checklist is
for (``told``), choices instead of a guess, or the kind of non-guide answer (``times``: a day
offered to the booking form was taken). A conversation succeeds when every turn holds. Used by the test
suite (``tests/integration/test_conversations.py``) and by ``make eval``.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Set

import httpx
import yaml

from actions.faq import elsewhere_answer
from bot.catalogue import get_catalogue
from bot.settings import PROJECT_ROOT

CONVERSATIONS = PROJECT_ROOT / "tests" / "conversations"
# answer kind -> domain responses whose text counts as that answer
ELSEWHERE = re.compile(re.escape(elsewhere_answer("\x00")).replace("\x00", ".+"), re.DOTALL)
RESPONSE_KINDS = {
    "out_of_scope": ("utter_out_of_scope",),
    "goodbye": ("utter_goodbye",),
    "thank": ("utter_thank",),
}
# what the booking form's first questions ask (actions/booking_form.py); a request that already
# gives the day ("约下礼拜一早上的号") is shown that day's free slots (SLOTS_OFFERED) straight away
BOOKING_QUESTIONS = ("哪个事项", "哪一天", "哪个时段", "几点")
SLOTS_OFFERED = "空闲时段"
HALL_KINDS = {
    "office_hours": "ask_office_hours",
    "hall_location": "ask_hall_location",
    "human": "request_human",
}


@dataclass
class Turn:
    """One message and what its reply must hold."""

    user: str
    expect: Dict[str, Any]


@dataclass
class Conversation:
    """A held-out conversation."""

    id: str
    kind: str
    turns: List[Turn]
    source: str = ""


@dataclass
class Outcome:
    """How a conversation went: the failed turns, with what was expected and what came."""

    conversation: Conversation
    failures: List[str] = field(default_factory=list)
    failed_turns: Set[int] = field(default_factory=set)

    @property
    def succeeded(self) -> bool:
        """Whether every turn held."""
        return not self.failures


def load_conversations(folder: Path = CONVERSATIONS) -> List[Conversation]:
    """Every conversation of every YAML file in ``folder``."""
    found = []
    for path in sorted(folder.glob("*.yml")):
        for raw in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            turns = [Turn(str(t["user"]), dict(t.get("expect") or {})) for t in raw["turns"]]
            found.append(Conversation(str(raw["id"]), str(raw.get("kind", "")), turns, path.name))
    return found


def _response_texts(name: str) -> List[str]:
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))
    return [v.get("text", "") for v in domain["responses"].get(name, [])]


def check(expect: Dict[str, Any], replies: Sequence[Dict[str, Any]]) -> List[str]:
    """What the replies to one turn fail to hold of ``expect`` (empty when all holds)."""
    catalogue = get_catalogue()
    texts = "\n".join(str(r.get("text") or "") for r in replies)
    cards = [r["custom"] for r in replies if isinstance(r.get("custom"), dict)]
    guide_cards = [c for c in cards if c.get("type") in ("guide", "guide_question")]
    card_items = set()
    for card in guide_cards:
        item = catalogue.get(str(card.get("item") or "")) or catalogue.get(str(card.get("item_id") or ""))
        if item is not None:
            card_items.add(item.name)
    buttons = [b for r in replies for b in (r.get("buttons") or [])]
    button_items = {
        b["title"]
        for b in buttons
        if catalogue.get(b.get("title", "")) is not None and b["title"].endswith("一件事")
    }
    problems: List[str] = []

    item = expect.get("item")
    if item and not expect.get("choices"):
        if item not in card_items and not (not guide_cards and item in texts):
            problems.append(f"expected item {item}, got cards {sorted(card_items)}")
    aspect = expect.get("aspect")
    if aspect:
        aspects = {c.get("aspect") for c in guide_cards}
        if aspect not in aspects:
            problems.append(f"expected aspect {aspect}, got {sorted(a for a in aspects if a)}")
    if expect.get("choices"):
        if guide_cards or len(button_items) < 2:
            problems.append(
                f"expected choices, got cards {sorted(card_items)} and buttons {sorted(button_items)}"
            )
        missing = set(expect.get("choices_include") or []) - button_items
        if missing:
            problems.append(f"choices lack {sorted(missing)}")
    if expect.get("no_item") and (card_items or any(i.name in texts for i in catalogue.items)):
        problems.append(f"expected no item, got {sorted(card_items)}")
    told = expect.get("told")
    if told:
        # the checklist for the 个性指南 answer given: its heading names it ("办理…（已有营业执照）需要…")
        checklists = [c for c in guide_cards if c.get("type") == "guide" and c.get("aspect") == "materials"]
        if not checklists or not re.search(rf"（[^）]*{re.escape(str(told))}[^）]*）需要准备", texts):
            problems.append(f"expected the checklist for {told}, got {texts[:60]!r}")
    answer = expect.get("answer")
    if answer:
        problems.extend(_check_answer(str(answer), expect, replies, cards, texts))
    return problems


def _check_answer(
    answer: str,
    expect: Dict[str, Any],
    replies: Sequence[Dict[str, Any]],
    cards: List[Dict[str, Any]],
    texts: str,
) -> List[str]:
    kinds = {c.get("type") for c in cards}
    if answer == "faq":
        topics = {c.get("id") for c in cards if c.get("type") == "faq"}
        if not topics:
            return [f"expected an FAQ answer, got {texts[:60]!r}"]
        if expect.get("topic") and expect["topic"] not in topics:
            return [f"expected FAQ {expect['topic']}, got {sorted(topics)}"]
        return []
    if answer in HALL_KINDS:
        topics = {c.get("topic") for c in cards if c.get("type") in ("hall", "handoff")}
        return [] if HALL_KINDS[answer] in topics else [f"expected {answer}, got {texts[:60]!r}"]
    if answer in RESPONSE_KINDS:
        allowed = [t for name in RESPONSE_KINDS[answer] for t in _response_texts(name)]
        if answer == "out_of_scope":
            allowed += _response_texts("utter_default")
        ok = any(str(r.get("text") or "") in allowed for r in replies)
        if answer == "out_of_scope":
            # another place's affair gets the out-of-scope action's answer naming that place
            ok = ok or any(ELSEWHERE.fullmatch(str(r.get("text") or "")) for r in replies)
        return [] if ok else [f"expected {answer}, got {texts[:60]!r}"]
    if answer == "greet":
        return [] if "greeting" in kinds else [f"expected a greeting, got {texts[:60]!r}"]
    if answer == "booking":
        asks = ("预约" in texts and any(q in texts for q in BOOKING_QUESTIONS)) or SLOTS_OFFERED in texts
        return [] if asks else [f"expected the booking form, got {texts[:60]!r}"]
    if answer == "times":
        # the day offered was taken: that day's free times are shown, or the next question is asked
        taken = SLOTS_OFFERED in texts or "姓名" in texts
        return [] if taken and "哪一天" not in texts else [f"expected the day taken, got {texts[:60]!r}"]
    if answer == "lookup":
        return [] if "预约号" in texts else [f"expected a request for the 预约号, got {texts[:60]!r}"]
    return [f"unknown answer kind {answer}"]


def new_session(api: str, client: httpx.Client) -> str:
    """A new session of the api, waiting out its per-address limit (``Retry-After``) as a client must."""
    response = client.post(f"{api}/api/session", json={})
    for _ in range(3):
        if response.status_code != 429:
            break
        wait = response.headers.get("Retry-After", "1")
        time.sleep(float(wait) if wait.replace(".", "", 1).isdigit() else 1.0)
        response = client.post(f"{api}/api/session", json={})
    response.raise_for_status()
    return str(response.json()["sender"])


def play(api: str, conversation: Conversation, client: Optional[httpx.Client] = None) -> Outcome:
    """Play one conversation in a new session of the api at ``api``."""
    own = client is None
    client = client or httpx.Client(timeout=30)
    try:
        sender = new_session(api, client)
        outcome = Outcome(conversation)
        for number, turn in enumerate(conversation.turns, 1):
            response = client.post(f"{api}/api/chat", json={"sender": sender, "message": turn.user})
            replies = response.json() if response.status_code == 200 else []
            for problem in check(turn.expect, replies):
                outcome.failures.append(f"turn {number} “{turn.user}”: {problem}")
                outcome.failed_turns.add(number)
        return outcome
    finally:
        if own:
            client.close()


def run_all(api: Optional[str] = None) -> Dict[str, Any]:
    """Play every held-out conversation (starting a stack unless ``api`` is given); return the figures."""
    conversations = load_conversations()
    if api is None:
        from tests.utils.stack import UNLIMITED_SESSIONS, start_stack

        with tempfile.TemporaryDirectory() as folder:
            stack = start_stack(Path(folder), UNLIMITED_SESSIONS)
            try:
                return run_all(stack.api)
            finally:
                stack.stop()
    with httpx.Client(timeout=30) as client:
        outcomes = [play(api, c, client) for c in conversations]
    failed = [o for o in outcomes if not o.succeeded]
    turns = sum(len(c.turns) for c in conversations)
    return {
        "total": len(outcomes),
        "succeeded": len(outcomes) - len(failed),
        "rate": (len(outcomes) - len(failed)) / len(outcomes) if outcomes else 0.0,
        "turns": turns,
        "turns_ok": turns - sum(len(o.failed_turns) for o in failed),
        "failures": {o.conversation.id: o.failures for o in failed},
        "by_file": by_file(outcomes),
    }


def by_file(outcomes: Sequence[Outcome]) -> Dict[str, List[int]]:
    """Per conversation file: ``[conversations that succeeded, conversations]``."""
    found: Dict[str, List[int]] = {}
    for outcome in outcomes:
        counts = found.setdefault(outcome.conversation.source, [0, 0])
        counts[0] += outcome.succeeded
        counts[1] += 1
    return dict(sorted(found.items()))
