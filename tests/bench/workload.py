"""The simulated citizens of ``make bench``: realistic visits, and the two ways of reaching a bot.

A visit is one citizen's session: a few topics one after another, each a short conversation that
reads the bot's replies the way a person does (it taps the buttons it is offered). Topics, in the
proportions of a day at the hall's online desk:

- a guide question about an item, then aspect questions about it in context (材料, 流程, 时限…);
- FAQ questions, taken from the staff's FAQ entries (``data/faq``);
- a complete booking through the form: item → day button → time button → name → phone →
  ID number → confirm (the write path), then a look-up of that booking with its code and phone;
- small talk and the hall (greeting, "你是机器人吗", opening hours, thanks).

The same visits, from the same seeds, drive both deployments; only the transport differs:
``ApiTransport`` (our stack, ``/api/session`` + ``/api/chat``), ``RestTransport`` (Rasa's REST
webhook, the default deployment) and ``ChannelTransport`` (our Rasa's secret channel, bypassing
the api's per-session rate limit, for the 200-turn conversation).
"""

from __future__ import annotations

import random
import re
import time
import uuid
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, List, Optional

import httpx
import yaml

from bot.pii import id_check_char

Replies = List[Dict[str, Any]]
Say = Callable[[str], Awaitable[Replies]]

#: A session holds topics until it has at least this many turns: the api allows 30 messages a
#: minute per session and 300 new sessions a minute per address, so one fast citizen stays
#: below both and the limits are never what is measured.
TURNS_PER_VISIT = 18

GREETINGS = ["你好", "您好", "在吗", "/greet", "你好，请问一下"]
GUIDE_OPENERS = [
    "宝宝刚出生要办哪些手续",
    "开公司要怎么办",
    "我要办退休",
    "开饭店要办哪些证",
    "个体户登记怎么弄",
    "企业注销怎么办",
    "社保卡丢了怎么补办",
    "信用修复怎么办理",
    "退伍军人要办哪些手续",
    "二手房过户要办什么",
    "家里老人去世了要办哪些手续",
    "孩子上学报名怎么办",
    "看病的钱怎么报销",
    "残疾证怎么办",
]
ASPECTS = [
    "那要带什么材料",
    "流程是什么",
    "多久能办好",
    "要交钱吗",
    "需要什么条件",
    "能在网上办吗",
    "去几号窗口办",
]
BOOKING_REQUESTS = [
    "我想预约办退休",
    "帮我约个时间办就医费用报销",
    "预约办理社保卡",
    "我想预约 退役军人报到",
    "我想预约 办残疾证",
    "想约个号 开公司的事",
    "帮我预约一下水电气报装的窗口",
    "想预约信用修复",
    "预约办报销医药费",
    "我要预约办营业执照",
]
SMALL_TALK = ["你是机器人吗", "大厅几点上班", "政务服务中心在哪里", "中午休息吗", "/ask_office_hours"]
CLOSINGS = ["谢谢", "好的，知道了", "再见"]
NAMES = ["王建国", "李华", "张伟", "刘芳", "陈静", "杨洋", "赵磊", "黄敏", "周杰", "吴霞"]
CODE = re.compile(r"预约号\s*([A-Z0-9]{6,})")


def faq_questions(data_dir: Path) -> List[str]:
    """Every question of every FAQ entry in ``<data_dir>/faq``."""
    found: List[str] = []
    for path in sorted((data_dir / "faq").glob("*.yml")):
        entry = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        found.extend(str(q) for q in entry.get("questions") or [])
    return found


def text_of(replies: Replies) -> str:
    """The texts of the replies, one a line."""
    return "\n".join(str(r.get("text") or "") for r in replies)


def buttons_of(replies: Replies) -> List[Dict[str, Any]]:
    """Every button offered in the replies."""
    return [b for r in replies for b in r.get("buttons") or []]


def random_id_number(rng: random.Random) -> str:
    """A valid 18-digit 身份证号 (GB 11643 check digit), different for each booking."""
    area = rng.choice(["410105", "410102", "410184", "410122"])
    birth = f"{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    first17 = f"{area}{birth}{rng.randint(0, 999):03d}"
    return first17 + id_check_char(first17)


def random_phone(rng: random.Random) -> str:
    """A valid mainland mobile number."""
    return rng.choice(["137", "138", "139", "150", "186"]) + f"{rng.randint(0, 99_999_999):08d}"


@dataclass
class Outcomes:
    """What the citizens achieved, beyond answered turns: the write path must really work."""

    bookings: int = 0
    booking_failures: int = 0
    lookups_found: int = 0
    lookups_missed: int = 0

    def add(self, other: Outcomes) -> None:
        """Add ``other``'s counts to these."""
        for key, value in asdict(other).items():
            setattr(self, key, getattr(self, key) + value)


@dataclass
class Citizen:
    """One simulated citizen: its random choices and what it achieved."""

    rng: random.Random
    faq: List[str]
    outcomes: Outcomes = field(default_factory=Outcomes)

    async def guide(self, say: Say) -> None:
        """An item, then two to four of its aspects in context, tapping a 个性指南 choice if asked."""
        replies = await say(self.rng.choice(GUIDE_OPENERS))
        for aspect in self.rng.sample(ASPECTS, self.rng.randint(2, 4)):
            replies = await say(aspect)
            buttons = buttons_of(replies)
            if "材料" in aspect and buttons and "□" not in text_of(replies):
                await say(self.rng.choice(buttons)["payload"])

    async def faq_questions(self, say: Say) -> None:
        """Two or three questions from the FAQ."""
        for question in self.rng.sample(self.faq, self.rng.randint(2, 3)):
            await say(question)

    async def booking(self, say: Say) -> None:
        """A complete booking through the form, then a look-up of it (the booking in context)."""
        days = buttons_of(await say(self.rng.choice(BOOKING_REQUESTS)))
        if not days:
            self.outcomes.booking_failures += 1
            return
        times = buttons_of(await say(self.rng.choice(days)["payload"]))
        if not times:
            self.outcomes.booking_failures += 1
            return
        phone = random_phone(self.rng)
        await say(self.rng.choice(times)["payload"])
        await say(self.rng.choice(NAMES))
        await say(phone)
        await say(random_id_number(self.rng))
        match = CODE.search(text_of(await say("/affirm")))
        if not match:
            self.outcomes.booking_failures += 1
            return
        self.outcomes.bookings += 1
        # the booking just made is the conversation's booking: found without its code and phone
        if match.group(1) in text_of(await say("查一下我的预约")):
            self.outcomes.lookups_found += 1
        else:
            self.outcomes.lookups_missed += 1

    async def small_talk(self, say: Say) -> None:
        """One or two questions about the bot or the hall."""
        for text in self.rng.sample(SMALL_TALK, self.rng.randint(1, 2)):
            await say(text)

    async def visit(self, say: Say, min_turns: int = TURNS_PER_VISIT) -> None:
        """A greeting, topics until ``min_turns`` turns were said, and a closing."""
        counted = 0

        async def counting(text: str) -> Replies:
            nonlocal counted
            counted += 1
            return await say(text)

        await counting(self.rng.choice(GREETINGS))
        topics = [self.guide, self.faq_questions, self.booking, self.small_talk]
        while counted < min_turns - 1:
            topic = self.rng.choices(topics, weights=[4, 3, 2, 1])[0]
            await topic(counting)
        await counting(self.rng.choice(CLOSINGS))


# --- transports -----------------------------------------------------------------------------------


class TurnFailedError(Exception):
    """A turn got no usable answer (an HTTP error, a non-200 status or an empty reply list)."""


class Transport:
    """How a citizen reaches a deployment: a new conversation, and one turn in it."""

    async def open(self, client: httpx.AsyncClient) -> str:
        """Start a conversation; return its sender id."""
        raise NotImplementedError

    async def turn(self, client: httpx.AsyncClient, sender: str, text: str) -> Replies:
        """Send ``text``; return the replies or raise ``TurnFailedError``."""
        raise NotImplementedError


class ApiTransport(Transport):
    """Our stack as the browser uses it: a session from the api, each turn through ``/api/chat``."""

    def __init__(self) -> None:
        self.session_waits = 0

    async def open(self, client: httpx.AsyncClient) -> str:
        """A session from ``/api/session``; waits and tries again when the api limits new sessions."""
        import asyncio

        while True:
            response = await client.post("/api/session", json={})
            if response.status_code != 429:
                response.raise_for_status()
                return str(response.json()["sender"])
            self.session_waits += 1
            await asyncio.sleep(1)

    async def turn(self, client: httpx.AsyncClient, sender: str, text: str) -> Replies:
        """One ``/api/chat`` turn."""
        return _checked(await client.post("/api/chat", json={"sender": sender, "message": text}))


class RestTransport(Transport):
    """The default Rasa deployment: any sender id, each turn through ``/webhooks/rest/webhook``."""

    path = "/webhooks/rest/webhook"

    def __init__(self, headers: Optional[Dict[str, str]] = None) -> None:
        self.headers = headers or {}

    async def open(self, client: httpx.AsyncClient) -> str:
        """A fresh random sender id."""
        return uuid.uuid4().hex

    async def turn(self, client: httpx.AsyncClient, sender: str, text: str) -> Replies:
        """One webhook turn."""
        body = {"sender": sender, "message": text}
        return _checked(await client.post(self.path, json=body, headers=self.headers))


class ChannelTransport(RestTransport):
    """Our Rasa's own channel (``/webhooks/gxx/webhook`` with the shared secret), without the api."""

    path = "/webhooks/gxx/webhook"


def _checked(response: httpx.Response) -> Replies:
    if response.status_code != 200:
        raise TurnFailedError(f"status {response.status_code}")
    replies = response.json()
    if not isinstance(replies, list) or not replies:
        raise TurnFailedError("no reply")
    return replies


class VisitOverError(Exception):
    """The level's time is up: the citizen leaves in the middle of its visit."""


@dataclass
class Recorder:
    """Collects the latency of every answered turn and counts the failed ones.

    A turn is not started after ``deadline``: ``say`` raises ``VisitOverError`` instead, so a level
    lasts its duration plus at most one turn, whatever the length of a visit.
    """

    latencies: List[float] = field(default_factory=list)
    errors: int = 0
    counting: bool = True
    deadline: float = float("inf")

    def say_for(self, transport: Transport, client: httpx.AsyncClient, sender: str) -> Say:
        """A ``say`` function that times each turn of ``sender`` and records it."""

        async def say(text: str) -> Replies:
            started = time.perf_counter()
            if started >= self.deadline:
                raise VisitOverError
            try:
                replies = await transport.turn(client, sender, text)
            except (TurnFailedError, httpx.HTTPError):
                if self.counting:
                    self.errors += 1
                return []
            if self.counting:
                self.latencies.append(time.perf_counter() - started)
            return replies

        return say
