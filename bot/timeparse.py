"""Understand Chinese date and time phrases inside a sentence ("帮我约下周三上午去办退休").

Rules (the booking layer relies on them):

- Nothing is guessed: ``parse_when`` returns None when it finds no date, half-day or time, when a
  date does not exist (2月30日, 32号, 13月1日), when two different dates are named ("明天或者后天"),
  or when a phrase is out of range ("下下下个月", "25点", "上午15点").
- A bare weekday ("周三") is the coming one, today excluded: said on a Wednesday it means next week's.
  With 这周/本周, 下周, 下下周 or 上周 it is that day of that calendar week (Monday to Sunday).
  A bare weekday next to an explicit date ("12月3日周四") only checks it; a mismatch gives None.
- A bare day ("3号") is in this month unless already past, else in next month; "下个月5号" is next month.
- A month and day without a year ("1月5日") is the occurrence closest to today, so in late December
  it means next January, and a date named a few days back stays in the past.
- 元旦, 劳动节 and 国庆节 mean the coming one (today included). A date followed by 以后/之后/前/后
  ("3号以后", "元旦前") names a range, not a day, and is refused.
- Past dates (an explicit year, 昨天, 上周三, a recent month and day) are returned as parsed; the booking
  layer refuses them with a reason.
- 上午/早上 -> half_day "上午"; 下午 -> "下午"; 中午 -> time 12:00 (no half_day); 晚上 adds 12 hours to a
  clock time but gives no half_day (opening hours are decided elsewhere).
- A clock hour from 1 to 6 without 上午/下午 is read as afternoon ("三点" -> 15:00); nobody books a
  service window at 3 a.m. Two different times ("九点或十点") leave ``time`` None; 上午 and 下午 both
  named leave ``half_day`` None. "一点" counts as 1 o'clock only next to 上午/下午/中午, 钟 or minutes
  (早一点 and 快一点 mean "a little"); 晚上十二点 is refused as an ambiguous midnight.
- Colloquial ranges of neighbouring hours ("九十点", "八九点", "三四点钟", "十一二点") and spans
  ("九点到十点", "9-10点") mean the earlier hour: the citizen is offered that time first.
- 月底/月末 is the last day of the month (下个月底: of next month); 周末/这周末 is this week's
  Saturday and 下周末 next week's (whether the hall opens then, 调休 included, is the calendar's
  business, not the parser's).
- Nothing is read from names, addresses, window numbers or codes: "父亲周一鸣", "我叫周五一",
  "长椿路11号", "3号窗口", "K7M3PQ9A" name no date. A 周X followed by a character that cannot
  follow a weekday ("周一鸣") is a name, not a day.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import cn2an

TIMEZONE = ZoneInfo("Asia/Shanghai")
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")
MAX_NEXT = 2  # 下下周 / 下下个月 at most

_NUM = r"(?:\d{1,2}|[零〇一二两三四五六七八九十廿]{1,3})"
_YEAR = r"(?P<y>\d{4}|[零〇一二三四五六七八九]{4})"
# Places and things that are numbered with 号 but are not days: 3号窗口, 1号线, 2号楼.
_NOT_A_DAY = r"(?!\s*(?:窗|楼|门|厅|线|台|柜|口|馆|院|位|座|机|房|室|床|车|内|以内|元|块|人|次|件))"
# "下" in 问一下/线下 and "上" in 早上/马上/网上 are not 下周/上周.
_REL = r"(?:(?<![一线以如])下+|(?<![早晚马网线])上+|这|本)"
# "3号以后", "元旦前": a range, not a day; refused rather than guessed.
_REFUSING_SUFFIX = re.compile(r"^\s*(?:以后|之后|以前|之前|前后|后(?![天儿])|前(?![天往来去]))")

_FULL_DATE = re.compile(
    rf"(?<!\d){_YEAR}\s*年\s*(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]?"
    rf"|(?<!\d)(?P<y2>\d{{4}})[-/.](?P<m2>\d{{1,2}})[-/.](?P<d2>\d{{1,2}})(?!\d)"
)
_MONTH_DAY = re.compile(rf"(?<![\d年])(?P<m>{_NUM})\s*月\s*(?P<d>{_NUM})\s*[日号]{_NOT_A_DAY}")
_REL_MONTH_DAY = re.compile(rf"(?P<rel>{_REL}|当)\s*个?\s*月\s*的?\s*(?P<d>{_NUM})\s*[日号]{_NOT_A_DAY}")
_REL_MONTH_ONLY = re.compile(rf"(?P<rel>{_REL})\s*个?\s*月")
# Characters that may follow a weekday; anything else after 周X ("周一鸣") makes it a name.
_AFTER_WEEKDAY = (
    "上下中早晚午凌傍夜的吧去来过办约可行能有呢啊呀吗嘛么那这还或和跟到至及与前后以再都也就要想是见好中行成哈"
    "點点时整半一二两三四五六七八九十零〇"
)
_WEEKDAY_FOLLOWER = re.compile(rf"[^\u3400-\u9fff]|[{_AFTER_WEEKDAY}]")
_WEEKDAY = re.compile(
    rf"(?P<rel>{_REL})?\s*(?:个)?\s*(?P<word>周|星期|礼拜)(?P<wd>[一二三四五六日天1-7])"
    rf"(?=$|{_WEEKDAY_FOLLOWER.pattern})"
)
_REL_WEEK_ONLY = re.compile(rf"(?P<rel>{_REL})\s*个?\s*(?:周|星期|礼拜)")
_REL_DAY = re.compile(
    r"大后天|大前天|今儿个|明儿个|今天|今日|今儿|明天|明日|明儿|后天|后儿|昨天|昨日|前天|明早上?|今晚|明晚"
)
FESTIVAL = re.compile(r"元旦(?:节)?|国庆节|劳动节|五一劳动节")
"""The holidays read as their coming day (元旦, 劳动节, 国庆节)."""
_DAY_ONLY = re.compile(
    rf"(?<![\dA-Za-z月年周期拜初第路街道巷弄村栋幢组])(?P<d>{_NUM})\s*[日号]{_NOT_A_DAY}(?![A-Za-z0-9])"
)
# A person named after a label or a relative ("父亲周一鸣", "我叫周五一"): blanked before parsing.
_NAMED_PERSON = re.compile(
    r"(?:我叫|俺叫|他叫|她叫|名叫|叫做|姓名(?:是|为|叫)?|名字(?:是|叫)?|预约人(?:是)?|"
    r"(?:我|俺|给|帮|替)?(?:父亲|母亲|爸爸|妈妈|老爸|老妈|爸|妈|爷爷|奶奶|外公|外婆|姥姥|姥爷|"
    r"儿子|女儿|孩子|丈夫|妻子|爱人|老公|老婆|哥哥|姐姐|弟弟|妹妹|同事|朋友))"
    r"[:：\s]*(?P<name>[\u3400-\u9fff]{2,3}?)(?=约|预约|办|去|来|的|想|要|，|,|\s|$)"
)
_HOUR_RANGE = re.compile(
    r"(?<![\d零〇一二两三四五六七八九十])(?P<a>十一|十|[一二两三四五六七八九]|\d{1,2})"
    r"\s*(?:点\s*)?(?:到|至|-|~|～|—|、)?\s*(?P<b>十二|十一|十|[一二两三四五六七八九]|\d{1,2})\s*(?:点|點)钟?"
)
_MONTH_END = re.compile(rf"(?P<rel>{_REL})?\s*个?\s*月(?:底|末)")
_WEEKEND = re.compile(rf"(?P<rel>{_REL})?\s*(?:个)?\s*(?:周末|礼拜天?末|星期末)")

_PERIOD = re.compile(r"上午|早上|早晨|清晨|上半天|下午|下半天|午后|中午|晌午|晚上|傍晚|夜里|夜间|晚间|凌晨")
_CLOCK = re.compile(r"(?<!\d)(?P<h>\d{1,2})\s*[:：]\s*(?P<m>\d{2})(?!\d)")
_HOUR = re.compile(
    rf"(?<!\d)(?P<h>{_NUM})\s*(?:点|點|时(?![间候段限]))\s*(?P<zhong>钟)?"
    rf"\s*(?P<min>半|[一1]\s*刻|[三3]\s*刻|(?P<mn>{_NUM})\s*分?)?"
)

_WEEKDAY_INDEX = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_REL_DAY_OFFSET = {
    **dict.fromkeys(("大前天",), -3),
    **dict.fromkeys(("前天",), -2),
    **dict.fromkeys(("昨天", "昨日"), -1),
    **dict.fromkeys(("今天", "今日", "今儿", "今儿个", "今晚"), 0),
    **dict.fromkeys(("明天", "明日", "明儿", "明儿个", "明早", "明早上", "明晚"), 1),
    **dict.fromkeys(("后天", "后儿"), 2),
    **dict.fromkeys(("大后天",), 3),
}
_HALF_DAY = {
    **dict.fromkeys(("上午", "早上", "早晨", "清晨", "上半天", "明早", "明早上"), "上午"),
    **dict.fromkeys(("下午", "下半天", "午后"), "下午"),
}
_FESTIVAL_DAY = {"元旦": (1, 1), "元旦节": (1, 1), "国庆节": (10, 1), "劳动节": (5, 1), "五一劳动节": (5, 1)}
_EVENING = {"晚上", "傍晚", "夜里", "夜间", "晚间", "今晚", "明晚"}
_NOON = {"中午", "晌午"}


@dataclass(frozen=True)
class ParsedWhen:
    """What a phrase said about when: any of the three parts may be missing."""

    date: dt.date | None
    half_day: str | None
    time: dt.time | None
    text: str


class _RefusedError(Exception):
    """A phrase was found but names no real or allowed date/time: the whole parse is refused."""


def _number(s: str) -> int:
    s = s.strip()
    if s.isdigit():
        return int(s)
    try:
        value = cn2an.cn2an(s, "smart")
    except (ValueError, KeyError, IndexError) as exc:
        raise _RefusedError(s) from exc
    if value != int(value):
        raise _RefusedError(s)
    return int(value)


def _make_date(year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as exc:
        raise _RefusedError(f"{year}-{month}-{day}") from exc


def _add_months(d: dt.date, months: int) -> tuple[int, int]:
    index = d.year * 12 + d.month - 1 + months
    return index // 12, index % 12 + 1


def _rel_count(rel: str | None) -> int:
    """下 -> 1, 下下 -> 2, 上 -> -1, 这/本/当 -> 0; more than two 下 is refused."""
    if not rel or rel in ("这", "本", "当"):
        return 0
    if len(rel) > MAX_NEXT:
        raise _RefusedError(rel)
    return len(rel) if rel[0] == "下" else -len(rel)


class _Scanner:
    """Finds phrases left to right by kind, blanking each found span so later patterns skip it."""

    def __init__(self, text: str):
        self.text = text
        self.masked = text
        self.spans: list[tuple[int, int]] = []

    def find(self, pattern: re.Pattern[str]) -> list[re.Match[str]]:
        matches = list(pattern.finditer(self.masked))
        for m in matches:
            self.spans.append(m.span())
            self.masked = self.masked[: m.start()] + "\x00" * (m.end() - m.start()) + self.masked[m.end() :]
        return matches

    def understood_text(self) -> str:
        pieces: list[list[int]] = []
        for start, end in sorted(self.spans):
            if pieces and not self.text[pieces[-1][1] : start].strip(" 的，,"):
                pieces[-1][1] = max(pieces[-1][1], end)
            else:
                pieces.append([start, end])
        return " ".join(self.text[s:e].strip() for s, e in pieces)


def _check_suffix(scanner: _Scanner, match: re.Match[str]) -> None:
    if _REFUSING_SUFFIX.match(scanner.text[match.end() :]):
        raise _RefusedError(match.group(0))


def _find_dates(sc: _Scanner, today: dt.date) -> tuple[list[dt.date], list[int], set[str]]:
    """Return the dates named, the bare weekdays named, and the half-day/evening words implied."""
    dates: list[dt.date] = []
    implied: set[str] = set()
    for m in sc.find(_FULL_DATE):
        if m.group("y2"):
            dates.append(_make_date(int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))))
        else:
            dates.append(_make_date(_number(m.group("y")), _number(m.group("m")), _number(m.group("d"))))
        _check_suffix(sc, m)
    for m in sc.find(_MONTH_DAY):
        dates.append(_closest_month_day(today, _number(m.group("m")), _number(m.group("d"))))
        _check_suffix(sc, m)
    for m in sc.find(_REL_MONTH_DAY):
        year, month = _add_months(today, _rel_count(m.group("rel")))
        dates.append(_make_date(year, month, _number(m.group("d"))))
        _check_suffix(sc, m)
    bare_weekdays: list[int] = []
    for m in sc.find(_WEEKDAY):
        weekday = _weekday_index(m.group("wd"))
        if m.group("rel") is None:
            bare_weekdays.append(weekday)
        else:
            monday = today - dt.timedelta(days=today.weekday())
            dates.append(monday + dt.timedelta(weeks=_rel_count(m.group("rel")), days=weekday))
        _check_suffix(sc, m)
    for m in sc.find(_REL_DAY):
        word = m.group(0)
        dates.append(today + dt.timedelta(days=_REL_DAY_OFFSET[word]))
        implied.add(word)
        _check_suffix(sc, m)
    for m in sc.find(FESTIVAL):
        _check_suffix(sc, m)
        month, day = _FESTIVAL_DAY[m.group(0)]
        this_year = dt.date(today.year, month, day)
        dates.append(this_year if this_year >= today else dt.date(today.year + 1, month, day))
    for m in sc.find(_MONTH_END):
        year, month = _add_months(today, _rel_count(m.group("rel")))
        dates.append(_last_day(year, month))
    for m in sc.find(_WEEKEND):
        monday = today - dt.timedelta(days=today.weekday())
        dates.append(monday + dt.timedelta(weeks=_rel_count(m.group("rel")), days=5))
    for m in sc.find(_DAY_ONLY):
        dates.append(_day_of_this_or_next_month(today, _number(m.group("d"))))
        _check_suffix(sc, m)
    for pattern in (_REL_MONTH_ONLY, _REL_WEEK_ONLY):  # "下下下个月" alone: refuse rather than ignore
        for m in pattern.finditer(sc.masked):
            _rel_count(m.group("rel"))
    return dates, bare_weekdays, implied


def _last_day(year: int, month: int) -> dt.date:
    following_year, following_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return dt.date(following_year, following_month, 1) - dt.timedelta(days=1)


def _weekday_index(char: str) -> int:
    return int(char) - 1 if char.isdigit() else _WEEKDAY_INDEX[char]


def _closest_month_day(today: dt.date, month: int, day: int) -> dt.date:
    if not 1 <= month <= 12:
        raise _RefusedError(f"{month}月")
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(dt.date(year, month, day))
        except ValueError:
            continue
    if not candidates:
        raise _RefusedError(f"{month}月{day}日")
    return min(candidates, key=lambda d: (abs((d - today).days), d < today))


def _day_of_this_or_next_month(today: dt.date, day: int) -> dt.date:
    if day < today.day:
        year, month = _add_months(today, 1)
        return _make_date(year, month, day)
    return _make_date(today.year, today.month, day)


def _resolve_weekday(today: dt.date, weekday: int) -> dt.date:
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=ahead)


def _to_clock(hour: int, minute: int, period: str | None) -> dt.time:
    """Apply 上午/下午/中午/晚上/凌晨 (or none) to an hour as said; refuse impossible combinations."""
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise _RefusedError(f"{hour}:{minute}")
    if period in _HALF_DAY and _HALF_DAY[period] == "上午":
        if hour > 12:
            raise _RefusedError(f"{period}{hour}点")
    elif period in _HALF_DAY:  # 下午
        if hour == 0:
            raise _RefusedError(f"{period}{hour}点")
        hour = hour + 12 if hour < 12 else hour
    elif period in _NOON:
        if hour in (1, 2):
            hour += 12
        elif hour not in (11, 12, 13, 14):
            raise _RefusedError(f"{period}{hour}点")
    elif period in _EVENING:
        if hour in (0, 12):
            raise _RefusedError(f"{period}{hour}点")
        hour = hour + 12 if hour < 12 else hour
    elif period == "凌晨":
        if hour > 6:
            raise _RefusedError(f"{period}{hour}点")
    elif 1 <= hour <= 6:
        hour += 12
    return dt.time(hour, minute)


def _minutes(match: re.Match[str]) -> int:
    said = (match.group("min") or "").replace(" ", "")
    if not said:
        return 0
    if said == "半":
        return 30
    if said in ("一刻", "1刻"):
        return 15
    if said in ("三刻", "3刻"):
        return 45
    minute = match.group("mn").strip()
    if len(minute) == 1 and not minute.isdigit() and minute != "十" and not said.endswith("分"):
        return 0  # 九点一起去: "一" starts the next word, not the minutes
    return _number(minute)


def _is_time_word(text_before: str, match: re.Match[str], period: str | None) -> bool:
    """Tell a clock hour from a count: 早一点/快一点 ('a little'), 有三点/这两点/第三点 ('points')."""
    previous = text_before.rstrip()[-1:]
    if previous and previous in "有这那第":
        return False
    if match.group("h").strip() != "一":
        return True
    if previous and previous in "早快晚慢多少差再稍大小高低远近":
        return False
    return bool(period or match.group("zhong") or match.group("min"))


def _find_times(sc: _Scanner, implied: set[str]) -> tuple[set[dt.time], set[str], bool]:
    """Return the clock times named, the half-days named, and whether 中午 was said."""
    periods = [(m.end(), m.group(0)) for m in sc.find(_PERIOD)]
    words = [w for _, w in periods] + sorted(implied)
    half_days = {_HALF_DAY[w] for w in words if w in _HALF_DAY}
    noon = any(w in _NOON for w in words)

    def period_before(pos: int) -> str | None:
        before = [word for end, word in periods if end <= pos]
        if before:
            return before[-1]
        spoken = {w for w in words if w in _HALF_DAY or w in _NOON or w in _EVENING or w == "凌晨"}
        return spoken.pop() if len(spoken) == 1 else None

    times: set[dt.time] = set()
    for m in list(_HOUR_RANGE.finditer(sc.masked)):
        first, second = _number(m.group("a")), _number(m.group("b"))
        if m.group("a") == "十" and m.group(0).startswith(("十一", "十二")):
            continue  # 十一点, 十二点: the number eleven or twelve, not ten to one
        if m.group("a") == "十一" and m.group("b") in ("一", "二"):
            second += 10  # 十一二点: eleven or twelve
        if second - first != 1 and not re.search(r"点\s*(?:到|至|-|~|～|—)", m.group(0)):
            continue  # "九十点" is 9-10, but "一十点" or "三五点" are not said as a range
        if second <= first:
            continue
        sc.find(re.compile(re.escape(m.group(0))))
        times.add(_to_clock(first, 0, period_before(m.start())))
    for m in sc.find(_CLOCK):
        times.add(_to_clock(int(m.group("h")), int(m.group("m")), period_before(m.start())))
    for m in list(_HOUR.finditer(sc.masked)):
        period = period_before(m.start())
        if not _is_time_word(sc.text[: m.start()], m, period):
            continue
        minutes = _minutes(m)
        end = m.end() if minutes or not m.group("mn") else m.start("mn")
        sc.spans.append((m.start(), end))
        times.add(_to_clock(_number(m.group("h")), minutes, period))
    return times, half_days, noon


def parse_when(text: str, now: dt.datetime) -> ParsedWhen | None:
    """Find the date, half-day and time a citizen named in ``text``.

    Args:
        text: the citizen's message, or a part of it.
        now: the current moment; an aware datetime is converted to Asia/Shanghai, a naive one is
            taken as Asia/Shanghai wall time.

    Returns:
        What was understood, or None when nothing was understood or the phrase cannot be honoured
        (see the module docstring for the rules).

    """
    if not text or not text.strip():
        return None
    today = (now.astimezone(TIMEZONE) if now.tzinfo else now).date()
    sc = _Scanner(text)
    sc.find(_NAMED_PERSON)  # "父亲周一鸣": a name, never a date
    sc.spans.clear()
    try:
        dates, bare_weekdays, implied = _find_dates(sc, today)
        times, half_days, noon = _find_times(sc, implied)
    except _RefusedError:
        return None
    if len(set(bare_weekdays)) > 1 or len(set(dates)) > 1:
        return None
    date = dates[0] if dates else None
    if bare_weekdays:
        if date is None:
            date = _resolve_weekday(today, bare_weekdays[0])
        elif date.weekday() != bare_weekdays[0]:
            return None
    half_day = next(iter(half_days)) if len(half_days) == 1 else None
    time = next(iter(times)) if len(times) == 1 else None
    if noon and not times:
        time = dt.time(12, 0)
    if date is None and half_day is None and time is None:
        return None
    return ParsedWhen(date=date, half_day=half_day, time=time, text=sc.understood_text())


def describe_date(d: dt.date, today: dt.date) -> str:
    """Return a date as shown in replies: ``12月3日（周四）``, with the year when it is not this year."""
    year = f"{d.year}年" if d.year != today.year else ""
    return f"{year}{d.month}月{d.day}日（{WEEKDAY_NAMES[d.weekday()]}）"


WHEN_FILLER = re.compile(r"[\s，,。.！!~～、]+|的|吧|就|呗|啊|呀|哈|谢谢|可以|都行|也行|行|那么|那|要不|还是")
"""What may stand around a day or a time given alone ("就下礼拜二吧", "下周三的上午", "后天上午 谢谢",
"那周一吧", "要不后天上午", "还是周三吧": "那周一吧" was read as a wish to cancel, which stops a booking
being made). Not 中 (Henan's "OK"), which 中午 holds."""

WHEN_CHECKED = re.compile(
    r"(?:去|来|过去|过来|约|办|的话)?"
    r"(?:中不中|行不行|可以不|可不可以|可以吗|可以么|行吗|行么|中吗|中不|行不|成吗|成不|好不好|好吗"
    r"|有号吗|有号不|有空吗|有位置吗|能约吗|能约不|能预约吗|能不能约|咋样|怎么样|ok吗|OK吗|ok不|OK不)[？?。.!！\s]*$"
)
"""A closing check on a day or time offered as an answer ("明儿个上午中不中", "后天下午可以吗")."""

_SPEAKER = re.compile(r"^\s*(?:那就?)?(?:我|俺)们?(?:就|想)?")
"""The citizen before the day they offer ("我明天上午去行不行")."""

EARLIEST = re.compile(
    r"最早|越早越好|能早就早|早点的?|尽早|尽快|越快越好|最快|最近(?:的|能约|一天|那天)|头一个"
    r"|as soon as possible|asap|earliest",
    re.IGNORECASE,
)
"""Asking for the earliest day or time that can be booked ("最早的", "越早越好", "最近的一天")."""
EARLIEST_LENGTH = 8
"""The most characters besides `WHEN_FILLER` a request for the earliest has ("要最早的那个"); a longer
message asks something of its own ("最早几点开门")."""


def when_alone(text: str, now: dt.datetime) -> ParsedWhen | None:
    """The day, half-day or time ``text`` holds when it holds nothing else (`WHEN_FILLER` aside).

    "后天上午", "下礼拜二", "就下礼拜二吧"; None for a question with one ("明天能办吗") or anything else.
    """
    said = WHEN_FILLER.sub("", text)
    parsed = parse_when(text, now) if said else None
    return parsed if parsed is not None and said == WHEN_FILLER.sub("", parsed.text) else None


_ASKS = re.compile(r"[几吗么呢？?]|什么|啥|咋|怎|多久|多长")


def asks_for_the_earliest(text: str) -> bool:
    """Whether ``text`` asks for the earliest day or time to book (`EARLIEST`), and nothing else.

    Not a question of its own ("最早几点开门", "最快多久能办好"; `_ASKS`).
    """
    said = WHEN_FILLER.sub("", text)
    words = len(re.findall(r"[A-Za-z]+", said))  # an English word counts as one character
    length = len(re.sub(r"[A-Za-z]+", "", said)) + words
    return EARLIEST.search(text) is not None and length <= EARLIEST_LENGTH and _ASKS.search(said) is None


def when_offered(text: str, now: dt.datetime) -> ParsedWhen | None:
    """A day or time given as an answer, alone or with a closing check (`WHEN_CHECKED`: "明儿个上午中不中").

    Asked while the booking form asks for the day or the time, such a message answers it, whatever
    the intent model reads (the form's questions: `actions.form_helpers.offers_the_when_asked`).
    """
    check = WHEN_CHECKED.search(text)
    said = _SPEAKER.sub("", text[: check.start()] if check else text)
    return when_alone(said, now)
