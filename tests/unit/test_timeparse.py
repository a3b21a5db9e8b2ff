"""Chinese date/time phrases -> ParsedWhen, against two fixed "now" moments."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from bot.timeparse import ParsedWhen, describe_date, parse_when

SH = ZoneInfo("Asia/Shanghai")
# Thursday 2026-11-26 10:00 in Zhengzhou.
NOW = dt.datetime(2026, 11, 26, 10, 0, tzinfo=SH)
# Monday 2026-12-28 10:00: phrases that cross into January 2027.
LATE_DEC = dt.datetime(2026, 12, 28, 10, 0, tzinfo=SH)

D = dt.date
T = dt.time

# (phrase, expected date, expected half_day, expected time)
NOVEMBER_CASES = [
    # issue 8: what citizens actually typed
    ("明天上午九十点吧", D(2026, 11, 27), "上午", T(9, 0)),  # colloquial range: the earlier hour
    ("后天八九点", D(2026, 11, 28), None, T(8, 0)),
    ("明天下午三四点钟", D(2026, 11, 27), "下午", T(15, 0)),
    ("三四点钟吧", None, None, T(15, 0)),
    ("上午十一二点", None, "上午", T(11, 0)),
    ("明天9-10点", D(2026, 11, 27), None, T(9, 0)),
    ("帮我约12月7号上午十点办社保卡", D(2026, 12, 7), "上午", T(10, 0)),
    ("帮我约下礼拜一下午两点办社保卡", D(2026, 11, 30), "下午", T(14, 0)),
    ("帮我约下周一上午十点办社保卡", D(2026, 11, 30), "上午", T(10, 0)),
    ("换成后天上午吧", D(2026, 11, 28), "上午", None),
    ("改到12月4号下午", D(2026, 12, 4), "下午", None),
    ("礼拜三", D(2026, 12, 2), None, None),
    ("星期三", D(2026, 12, 2), None, None),
    ("下礼拜三", D(2026, 12, 2), None, None),
    ("下个星期三", D(2026, 12, 2), None, None),
    ("下周三", D(2026, 12, 2), None, None),
    ("礼拜天", D(2026, 11, 29), None, None),
    ("下下周一", D(2026, 12, 7), None, None),
    ("下下礼拜一上午", D(2026, 12, 7), "上午", None),
    ("月底", D(2026, 11, 30), None, None),
    ("这个月底", D(2026, 11, 30), None, None),
    ("下个月底", D(2026, 12, 31), None, None),
    ("月末下午", D(2026, 11, 30), "下午", None),
    ("这周末", D(2026, 11, 28), None, None),
    ("周末", D(2026, 11, 28), None, None),
    ("下周末上午", D(2026, 12, 5), "上午", None),
    ("周一鸣帮我约明天", D(2026, 11, 27), None, None),  # the name gives no Monday
    ("我叫周五一，约周二", D(2026, 12, 1), None, None),
    ("给我妈周三妹约后天下午", D(2026, 11, 28), "下午", None),
    ("周二去办", D(2026, 12, 1), None, None),
    ("周四下午", D(2026, 12, 3), "下午", None),
    ("大厅在长椿路11号吧，我明天去", D(2026, 11, 27), None, None),
    ("去5号窗口，周五上午", D(2026, 11, 27), "上午", None),
    ("预约号K7M3PQ9A改到周五", D(2026, 11, 27), None, None),
    ("１２月３日上午", D(2026, 12, 3), "上午", None),
    # inside sentences
    ("帮我约下周三上午去办退休", D(2026, 12, 2), "上午", None),
    ("我想明天下午去大厅办营业执照", D(2026, 11, 27), "下午", None),
    ("能不能约后天上午十点", D(2026, 11, 28), "上午", T(10, 0)),
    ("问一下周三能办吗", D(2026, 12, 2), None, None),  # 一下 is not 下周
    ("网上周三能办吗", D(2026, 12, 2), None, None),  # 网上 is not 上周 (11-18)
    # relative days
    ("今天", D(2026, 11, 26), None, None),
    ("明天", D(2026, 11, 27), None, None),
    ("后天", D(2026, 11, 28), None, None),
    ("大后天", D(2026, 11, 29), None, None),
    ("今儿", D(2026, 11, 26), None, None),
    ("明儿个上午", D(2026, 11, 27), "上午", None),
    ("明儿", D(2026, 11, 27), None, None),
    ("昨天", D(2026, 11, 25), None, None),  # past: returned as parsed, refused by booking
    # bare weekdays: the coming one, today (Thursday) excluded
    ("周三", D(2026, 12, 2), None, None),
    ("星期三", D(2026, 12, 2), None, None),
    ("礼拜三", D(2026, 12, 2), None, None),
    ("周四", D(2026, 12, 3), None, None),
    ("周五", D(2026, 11, 27), None, None),
    ("周日", D(2026, 11, 29), None, None),
    ("星期天", D(2026, 11, 29), None, None),
    ("礼拜天下午", D(2026, 11, 29), "下午", None),
    # weeks relative to this calendar week (Mon 11-23 .. Sun 11-29)
    ("这周五", D(2026, 11, 27), None, None),
    ("本周五", D(2026, 11, 27), None, None),
    ("这周三", D(2026, 11, 25), None, None),  # already past: returned as parsed
    ("下周三", D(2026, 12, 2), None, None),
    ("下周一", D(2026, 11, 30), None, None),
    ("下周日", D(2026, 12, 6), None, None),
    ("下下周一", D(2026, 12, 7), None, None),
    ("下个星期二", D(2026, 12, 1), None, None),
    ("下个礼拜五上午", D(2026, 12, 4), "上午", None),
    ("上周三", D(2026, 11, 18), None, None),
    # month and day
    ("12月3日", D(2026, 12, 3), None, None),
    ("12月3号", D(2026, 12, 3), None, None),
    ("十二月三号", D(2026, 12, 3), None, None),
    ("12月3日（周四）", D(2026, 12, 3), None, None),  # weekday agrees
    ("12月10日周四上午", D(2026, 12, 10), "上午", None),
    ("11月20日", D(2026, 11, 20), None, None),  # closest occurrence: 6 days ago, not next year
    ("1月5日", D(2027, 1, 5), None, None),
    # day of month: this month unless past, else next month
    ("3号", D(2026, 12, 3), None, None),
    ("三号", D(2026, 12, 3), None, None),
    ("二十号上午", D(2026, 12, 20), "上午", None),
    ("30号", D(2026, 11, 30), None, None),
    ("26号", D(2026, 11, 26), None, None),
    ("25号", D(2026, 12, 25), None, None),
    ("下个月5号", D(2026, 12, 5), None, None),
    ("下月5号", D(2026, 12, 5), None, None),
    ("下下个月1号", D(2027, 1, 1), None, None),
    ("这个月28号下午", D(2026, 11, 28), "下午", None),
    # full dates
    ("2026-12-03", D(2026, 12, 3), None, None),
    ("2026/12/3", D(2026, 12, 3), None, None),
    ("2026年12月3日", D(2026, 12, 3), None, None),
    ("二〇二六年十二月三日", D(2026, 12, 3), None, None),
    ("2025年12月3日", D(2025, 12, 3), None, None),  # past: returned as parsed
    ("2026-12-03 14:30", D(2026, 12, 3), None, T(14, 30)),
    ("元旦", D(2027, 1, 1), None, None),
    ("国庆节", D(2027, 10, 1), None, None),
    # half-days
    ("明天上午", D(2026, 11, 27), "上午", None),
    ("明天早上", D(2026, 11, 27), "上午", None),
    ("明天下午", D(2026, 11, 27), "下午", None),
    ("明天中午", D(2026, 11, 27), None, T(12, 0)),
    ("明天晚上", D(2026, 11, 27), None, None),
    ("下午", None, "下午", None),
    ("明早九点", D(2026, 11, 27), "上午", T(9, 0)),
    # clock times
    ("九点", None, None, T(9, 0)),
    ("9点半", None, None, T(9, 30)),
    ("十点一刻", None, None, T(10, 15)),
    ("两点三刻", None, None, T(14, 45)),  # bare 1-6 o'clock = afternoon
    ("三点", None, None, T(15, 0)),
    ("14:30", None, None, T(14, 30)),
    ("14：30", None, None, T(14, 30)),
    ("下午三点", None, "下午", T(15, 0)),
    ("下午2点", None, "下午", T(14, 0)),
    ("下午一点", None, "下午", T(13, 0)),
    ("上午9:30", None, "上午", T(9, 30)),
    ("下午14:30", None, "下午", T(14, 30)),
    ("9点05", None, None, T(9, 5)),
    ("九点零五分", None, None, T(9, 5)),
    ("十点十分", None, None, T(10, 10)),
    ("中午十二点半", None, None, T(12, 30)),
    ("中午1点", None, None, T(13, 0)),
    ("晚上8点", None, None, T(20, 0)),
    ("今晚八点", D(2026, 11, 26), None, T(20, 0)),
    ("明天一点钟", D(2026, 11, 27), None, T(13, 0)),
    ("九点一起去", None, None, T(9, 0)),  # "一" starts the next word
    ("下下周五下午三点一刻", D(2026, 12, 11), "下午", T(15, 15)),
    ("明天下午2点半", D(2026, 11, 27), "下午", T(14, 30)),
    ("明天九点到十点", D(2026, 11, 27), None, T(9, 0)),  # a span: the earlier hour
    ("明天上午下午都行", D(2026, 11, 27), None, None),  # either half-day
    ("明天前往大厅", D(2026, 11, 27), None, None),  # 前往 is not 之前
    ("今天周四", D(2026, 11, 26), None, None),
]

REFUSED = [
    "下下下个月",
    "下下下个月5号",
    "下下下周一",
    "2月30号",
    "2月29日",  # neither 2026 nor 2027 is a leap year
    "2027年2月29日",
    "asdf",
    "随便哪天",
    "我想约个时间",
    "32号",
    "三十二号",
    "13月1日",
    "2026-13-01",
    "31号",  # November has 30 days
    "明天或者后天",  # two different dates
    "周一至周五",
    "12月3日周三",  # 12-03 is a Thursday
    "今天周五",
    "3号以后",
    "12月3号之前",
    "元旦后",
    "上午15点",
    "25点",
    "9点70分",
    "明天晚上十二点",
    "晚上",
    "去3号窗口",
    "乘坐地铁1号线",
    "早一点去",
    "这两点要注意",
    "两小时",
    "",
    "   ",
]

DECEMBER_CASES = [
    ("1月5日", D(2027, 1, 5), None, None),
    ("一月五号上午", D(2027, 1, 5), "上午", None),
    ("元旦", D(2027, 1, 1), None, None),
    ("下周三", D(2027, 1, 6), None, None),
    ("周三", D(2026, 12, 30), None, None),
    ("问一下周三能办吗", D(2026, 12, 30), None, None),  # 一下 is not 下周 (01-06)
    ("线下周三去办", D(2026, 12, 30), None, None),
    ("下下周一", D(2027, 1, 11), None, None),
    ("周五", D(2027, 1, 1), None, None),
    ("周一", D(2027, 1, 4), None, None),  # today (Monday) excluded
    ("3号", D(2027, 1, 3), None, None),
    ("30号下午", D(2026, 12, 30), "下午", None),
    ("下个月5号", D(2027, 1, 5), None, None),
    ("下下个月5号", D(2027, 2, 5), None, None),
    ("大后天", D(2026, 12, 31), None, None),
    ("12月30日", D(2026, 12, 30), None, None),
    ("12月20日", D(2026, 12, 20), None, None),  # closest occurrence is in the past
    ("2027年1月4日9点半", D(2027, 1, 4), None, T(9, 30)),
    ("2027/1/4", D(2027, 1, 4), None, None),
]


def _check(result: ParsedWhen | None, date, half_day, time) -> None:
    assert result is not None
    assert (result.date, result.half_day, result.time) == (date, half_day, time)
    assert result.text


# Messages that name no date or time at all: names, addresses, windows, codes (issue 8).
NOTHING_SAID = [
    "帮我父亲周一鸣约一下办退休",
    "我叫周五一",
    "周一鸣",
    "俺爸周日新想办退休",
    "大厅地址是长椿路11号",
    "请到3号窗口办理",
    "2号楼怎么走",
    "预约号K7M3PQ9A",
    "我的手机是 138-6790-5678",
    "身份证号：110105 19491231 002X",
    "我想办社保卡",
    "九点或十点",  # two choices: ask, do not pick
]


@pytest.mark.parametrize("phrase", NOTHING_SAID)
def test_nothing_is_read_from_names_addresses_or_numbers(phrase):
    assert parse_when(phrase, NOW) is None


@pytest.mark.parametrize(("phrase", "date", "half_day", "time"), NOVEMBER_CASES)
def test_phrases_on_a_thursday_in_november(phrase, date, half_day, time):
    _check(parse_when(phrase, NOW), date, half_day, time)


@pytest.mark.parametrize(("phrase", "date", "half_day", "time"), DECEMBER_CASES)
def test_phrases_crossing_into_january(phrase, date, half_day, time):
    _check(parse_when(phrase, LATE_DEC), date, half_day, time)


@pytest.mark.parametrize("phrase", REFUSED)
def test_refused_phrases(phrase):
    assert parse_when(phrase, NOW) is None


def test_enough_cases():
    assert len(NOVEMBER_CASES) + len(DECEMBER_CASES) + len(REFUSED) + len(NOTHING_SAID) >= 120


def test_text_is_the_understood_phrase():
    result = parse_when("帮我约下周三上午去办退休", NOW)
    assert result is not None
    assert result.text == "下周三上午"
    scattered = parse_when("明天我想去办事，下午三点吧", NOW)
    assert scattered is not None
    assert scattered.text == "明天 下午三点"
    assert (scattered.date, scattered.half_day, scattered.time) == (D(2026, 11, 27), "下午", T(15, 0))


def test_bare_weekday_on_that_weekday_means_next_week():
    wednesday = dt.datetime(2026, 12, 2, 9, 0, tzinfo=SH)
    result = parse_when("周三", wednesday)
    assert result is not None and result.date == D(2026, 12, 9)
    this_week = parse_when("这周三", wednesday)
    assert this_week is not None and this_week.date == D(2026, 12, 2)


def test_now_in_another_timezone_is_converted_to_shanghai():
    utc_evening = dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.timezone.utc)  # 04:00 on 27 Nov in Shanghai
    result = parse_when("今天", utc_evening)
    assert result is not None and result.date == D(2026, 11, 27)


def test_a_leap_day_is_understood_in_a_leap_year():
    result = parse_when("2月29日", dt.datetime(2027, 12, 20, 10, 0, tzinfo=SH))
    assert result is not None and result.date == D(2028, 2, 29)


@pytest.mark.parametrize(
    ("day", "today", "text"),
    [
        (D(2026, 12, 3), D(2026, 11, 26), "12月3日（周四）"),
        (D(2026, 11, 29), D(2026, 11, 26), "11月29日（周日）"),
        (D(2027, 1, 4), D(2026, 12, 28), "2027年1月4日（周一）"),
    ],
)
def test_describe_date(day, today, text):
    assert describe_date(day, today) == text


# --- properties (issue 8): nothing is invented -----------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_DATE_WORDS = set(
    "〇零一二两三四五六七八九十廿天日号月年周星期礼拜今明后前昨大早晚上下午中点點时分半刻这本当个末底元旦国庆劳动节钟晌夜凌晨傍清儿"
)
PLAIN_CHINESE = st.text(
    alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5).filter(lambda c: c not in _DATE_WORDS),
    max_size=20,
)
ANY_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(sorted(_DATE_WORDS) + list("0123456789:：-/ ，")),
        st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5),
    ),
    max_size=20,
)
EMBEDDED = ["下周三上午", "12月7号上午十点", "明天下午三点", "下礼拜一下午两点", "后天", "周五上午九十点"]


@settings(max_examples=500, deadline=None)
@given(text=PLAIN_CHINESE)
def test_text_without_date_words_yields_no_date(text):
    assert parse_when(text, NOW) is None


@settings(max_examples=500, deadline=None)
@given(text=ANY_TEXT)
def test_whatever_is_understood_is_in_the_text(text):
    result = parse_when(text, NOW)
    if result is not None:
        assert result.text, text
        for piece in result.text.split(" "):
            assert piece in text, (piece, text)


@settings(max_examples=300, deadline=None)
@given(before=PLAIN_CHINESE, after=PLAIN_CHINESE, phrase=st.sampled_from(EMBEDDED))
def test_a_phrase_in_random_text_means_what_it_means_alone(before, after, phrase):
    alone = parse_when(phrase, NOW)
    inside = parse_when(f"{before}，{phrase}，{after}", NOW)
    assert alone is not None and inside is not None
    assert (inside.date, inside.half_day, inside.time) == (alone.date, alone.half_day, alone.time)


@pytest.mark.parametrize(
    ("text", "date", "half_day", "time"),
    [
        ("明儿个上午中不中", D(2026, 11, 27), "上午", None),
        ("后天下午可以吗", D(2026, 11, 28), "下午", None),
        ("俺想下周一去中不中", D(2026, 11, 30), None, None),
        ("我明天上午去行不行", D(2026, 11, 27), "上午", None),
        ("9点半行吗", None, None, T(9, 30)),
        ("就下礼拜二吧", D(2026, 12, 1), None, None),  # no check: a day given alone
    ],
)
def test_a_day_or_time_offered_with_a_closing_check(text, date, half_day, time):
    from bot.timeparse import when_offered

    parsed = when_offered(text, NOW)
    assert parsed is not None
    assert (parsed.date, parsed.half_day, parsed.time) == (date, half_day, time)


@pytest.mark.parametrize("text", ["明天能办吗", "明天上午人多不多", "我是明天生日", "周三中午有人值班吗"])
def test_a_question_holding_a_day_offers_none(text):
    from bot.timeparse import when_offered

    assert when_offered(text, NOW) is None


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("最早的", True),
        ("越早越好", True),
        ("要最早的那个", True),
        ("尽快吧", True),
        ("能早就早", True),
        ("最近的一天", True),
        ("as soon as possible 吧", True),
        ("最早几点开门", False),  # a question of its own
        ("最快多久能办好", False),
        ("你们最早的时候人多不多啊 我想问问", False),
    ],
)
def test_asking_for_the_earliest(text, asked):
    from bot.timeparse import asks_for_the_earliest

    assert asks_for_the_earliest(text) is asked


@pytest.mark.parametrize(
    ("phrase", "time"),
    [("十一点", T(11, 0)), ("十一点半", T(11, 30)), ("后天上午十一点", T(11, 0)), ("十二点", T(12, 0))],
)
def test_eleven_and_twelve_are_numbers_not_ranges(phrase, time):
    # "十一点" was read as the range 十、一点 (ten or eleven), booked at 10:00
    parsed = parse_when(phrase, NOW)
    assert parsed is not None and parsed.time == time
