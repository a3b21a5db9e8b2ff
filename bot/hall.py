"""The hall's own facts (营业时间、地址、交通、咨询电话) from the staff-editable ``data/hall.yml``."""

from __future__ import annotations

import re
from datetime import time
from functools import lru_cache
from pathlib import Path
from typing import List, NamedTuple, Optional

import yaml
from pydantic import BaseModel, Extra

from bot import pii
from bot.appointments.config import get_config
from bot.settings import get_settings

NOON = time(12, 0)

#: Words naming the city's 12345 hotline, not the hall's own phone ("便民热线的电话是多少", "12345几点有人接",
#: "能打热线问问吗"): 12345 standing alone, or 热线 at the start of a phrase or named as the city's;
#: not another body's line ("社保热线", "公积金热线", "大厅咨询热线").
HOTLINE_WORDS = re.compile(
    r"(?<!\d)12345(?!\d)|(?:政务|便民|市长)(?:服务)?热线|市长电话|便民电话|(?:^|[^\u3400-\u9fff]|[有个打拨])热线"
)
#: The hall named, or its people addressed: a message naming the hotline with them asks the hall's own
#: hours and phone ("大厅几点开门 打12345也行吗", "热线上说你们周六也上班"). Also the first words of
#: `bot.nlu.intent_classifier.HALL_CUES`.
HALL_WORDS = re.compile(r"大厅|中心|你们|恁们|您们|窗口")
#: Times outside the hall's usual hours that `HallInfo.hours_faq` is about: weekends, evenings after
#: work and the lunch break ("星期天过去有人上班不", "白天要上班 只能周末抽空去"). Holidays are not
#: among them: that entry does not speak of them, and the hours answer's own day line does.
OUTSIDE_HOURS_WORDS = re.compile(
    r"周[六日天末]|星期[六日天]|礼拜[六日天]|双休|晚上|夜里|夜间|下班(以|之)?后|中午|午休|午间|延时|错时"
)

CLOCK_TIME = re.compile(r"几点|几时|什么时间|啥时间|时间是")
"""A question of a clock time ("几点开门", "上班时间是"): the hours answer it (`hours_answer`)."""
HOURS_ASKED = re.compile(r"(?:办公|上班|工作|营业|开放|服务)时间|几点(?:开门|上班|下班|关门|开|关)")
"""Words that ask the hall's hours ("办公时间", "几点开门")."""
WHERE_ASKED = re.compile(
    r"在哪|哪里|哪儿|地址|地点|位置|定位|地图|咋走|怎么走|怎么去|咋去|怎么到|咋到|路线|导航|坐|公交|地铁|几楼"
)
"""Words that ask where the hall is or how to get there, which an hours question may also ask."""

#: Parking and vehicles, which `HallInfo.parking_faq` is about: a way-to-the-hall question naming them
#: ("停车场从哪个口进", "电瓶车能停门口不", "车往哪搁") asks where to leave the vehicle, not only the
#: address; a bus's stop ("公交车停哪站") and a bag left somewhere ("行李放哪") do not.
PARKING_WORDS = re.compile(
    r"停车|泊车|车位|车库|车场|(?<!交)车.{0,4}[停放搁]|开车|自驾|电动车|电瓶车|电驴|摩托|自行车|单车"
)


class OpeningHours(BaseModel, extra=Extra.forbid):
    """营业时间 as citizens are told it: which days, and a note.

    The periods of a day are not repeated here: they come from ``data/appointments/windows.yml``,
    the file the booking rules use, so what 高小新 says and what can be booked never disagree.
    """

    weekdays: str
    note: str = ""


class Suggestion(BaseModel, extra=Extra.forbid):
    """A 猜你想问 button: what the citizen sees and what is sent when tapped."""

    title: str
    payload: str


class HallInfo(BaseModel, extra=Extra.forbid):
    """Everything 高小新 says about the hall itself."""

    name: str
    assistant_name: str
    address: str
    transit: List[str]
    opening_hours: OpeningHours
    consultation_phone: str
    hotline_12345: str
    complaint: List[str]
    complaint_faq: Optional[str] = None
    """The FAQ entry (id) a complaint is answered with after the apology; `complaint` if it is gone."""
    hours_faq: Optional[str] = None
    """The FAQ entry (id) on service outside the usual hours (延时、午间、周末): an opening-hours
    question that retrieval answers with it, at `bot.faq.UNSURE_SCORE` or more, or that names such
    a time (`OUTSIDE_HOURS_WORDS`), gets it after the hours."""
    hotline_faq: Optional[str] = None
    """The FAQ entry (id) on the 12345 hotline (`asks_about_the_hotline`): a question for the
    hotline's hours gets it instead of the hall's hours, one for its number before the hall's
    numbers."""
    parking_faq: Optional[str] = None
    """The FAQ entry (id) on parking: a location question naming parking or a vehicle
    (`PARKING_WORDS`) gets it after the address and the ways there."""
    rating_faq: Optional[str] = None
    """The FAQ entry (id) on the 好差评 system: a wish to rate the service that asks how or where
    (`asks_how_or_where`: "咋给窗口打差评") gets it before the rating prompt."""
    proxy_faq: Optional[str] = None
    """The FAQ entry (id) on 委托代办: a guide question about no item asking whether someone else may
    do it for the person it concerns (`bot.guide.proxy_entry`: "儿子能替他办不") gets it."""
    suggestions: List[Suggestion]
    popular_items: List[str]

    def hours_text(self) -> str:
        """营业时间 as one sentence, e.g. "周一至周五，上午09:00—12:00，下午13:00—17:00"."""
        periods = "，".join(
            f"{'上午' if p.start < NOON else '下午'}{p.start:%H:%M}—{p.end:%H:%M}"
            for p in get_config().hall.opening_hours
        )
        return f"{self.opening_hours.weekdays}，{periods}"


class HoursAnswer(NamedTuple):
    """What an opening-hours question gets (`hours_answer`)."""

    hours: bool
    """Whether the hall's own hours are said."""
    entry: Optional[str]
    """The FAQ entry (id) said instead of the hours, or after them; ``None`` for none."""


def hours_answer(text: str, hall: HallInfo, retrieved: Optional[str], sure: bool) -> HoursAnswer:
    """What an opening-hours question gets: the hall's hours, an FAQ entry, or both.

    Args:
        text: the citizen's message, read as ``ask_office_hours``.
        hall: the hall's facts (``hotline_faq``, ``hours_faq``).
        retrieved: FAQ retrieval's best entry for ``text`` (`bot.faq.decide`), or ``None``.
        sure: whether retrieval scored it at `bot.faq.UNSURE_SCORE` or more.

    The hotline's hours ("打热线啥时候有人接听") are the hotline entry's alone, not the hall's
    (`asks_about_the_hotline`). Otherwise the hall's hours, then ``hours_faq`` when the message
    names a time outside them (`OUTSIDE_HOURS_WORDS`: "周六能领证不" asks whether the hall serves
    then); a question of a clock time ("几点开门", `CLOCK_TIME`) not that entry, though its questions
    share words (周六开门不), but one about the citizen's own hours ("我五点半下班 赶过去还开门不") it;
    else the entry retrieval is sure of (the hours of one of the hall's own services: "自助机几点能用"
    → 自助服务区, "停车场几点关门" → 停车).

    """
    if hall.hotline_faq and asks_about_the_hotline(text):
        return HoursAnswer(hours=False, entry=hall.hotline_faq)
    if hall.hours_faq and OUTSIDE_HOURS_WORDS.search(text):
        return HoursAnswer(hours=True, entry=hall.hours_faq)
    clock_only = retrieved == hall.hours_faq and CLOCK_TIME.search(text) is not None
    if retrieved is not None and sure and retrieved != hall.hotline_faq and not clock_only:
        return HoursAnswer(hours=True, entry=retrieved)
    return HoursAnswer(hours=True, entry=None)


def parking_entry(text: str, hall: HallInfo) -> Optional[str]:
    """The FAQ entry (id) a location question gets after the address and the ways there.

    ``parking_faq`` when ``text`` names parking or a vehicle (`PARKING_WORDS`), else ``None``.
    """
    return hall.parking_faq if hall.parking_faq and PARKING_WORDS.search(text) else None


def asks_about_the_hotline(text: str) -> bool:
    """Whether ``text`` asks about the 12345 hotline rather than the hall itself.

    It names the hotline (`HOTLINE_WORDS`) once personal data is masked (a phone number holding
    12345 names nothing) and names nothing of the hall (`HALL_WORDS`).
    """
    masked = pii.mask_text(text)
    return HOTLINE_WORDS.search(masked) is not None and HALL_WORDS.search(masked) is None


HOW_OR_WHERE = re.compile(r"咋|怎么|怎样|如何|在哪|哪里|哪儿|去哪|上哪|渠道|入口")
"""Words asking how or where something is done ("咋给窗口打差评", "在哪评价")."""


def asks_how_or_where(text: str) -> bool:
    """Whether ``text`` asks how or where something is done (`HOW_OR_WHERE`), not merely wants it."""
    return HOW_OR_WHERE.search(text) is not None


def rating_entry(text: str, hall: HallInfo) -> Optional[str]:
    """``rating_faq`` when a wish to rate asks how or where (`asks_how_or_where`), else ``None``."""
    return hall.rating_faq if hall.rating_faq and asks_how_or_where(text) else None


def load_hall(path: Path) -> HallInfo:
    """Read and validate the hall file."""
    with path.open(encoding="utf-8") as handle:
        return HallInfo.parse_obj(yaml.safe_load(handle))


@lru_cache(maxsize=1)
def get_hall() -> HallInfo:
    """The hall facts of the configured data folder, read once per process."""
    return load_hall(get_settings().data_dir / "hall.yml")
