"""Typed answers to a button question mean the button: ordinals, titles, yes and no, codes."""

from __future__ import annotations

import pytest

from bot.appointments.codes import find_code
from bot.booking_dialogue import choose_button, confirm_answer

SITUATION = [
    {"title": "本市户籍", "payload": '/inform{"situation": "hukou=local"}'},
    {"title": "非本市户籍", "payload": '/inform{"situation": "hukou=other"}'},
]
TIMES = [
    {"title": "09:00-09:30", "payload": '/inform{"time": "09:00"}'},
    {"title": "09:30-10:00", "payload": '/inform{"time": "09:30"}'},
    {"title": "14:00-14:30", "payload": '/inform{"time": "14:00"}'},
]
ITEMS = [
    {"title": "开办企业一件事", "payload": "/a"},
    {"title": "开办餐饮店一件事", "payload": "/b"},
    {"title": "社会保障卡居民服务一卡通一件事", "payload": "/c"},
]


@pytest.mark.parametrize(
    ("text", "buttons", "index"),
    [
        ("本市户籍", SITUATION, 0),
        ("本市户籍的", SITUATION, 0),
        ("非本市户籍", SITUATION, 1),
        ("我是非本市户籍", SITUATION, 1),
        ("第二个", SITUATION, 1),
        ("第1个", SITUATION, 0),
        ("就选第一个吧", SITUATION, 0),
        ("最后一个", TIMES, 2),
        ("第三个", TIMES, 2),
        ("09:30-10:00", TIMES, 1),
        ("社会保障卡", ITEMS, 2),
        ("餐饮店", ITEMS, 1),
        ("开办餐饮店一件事", ITEMS, 1),
    ],
)
def test_a_typed_answer_chooses_the_button(text: str, buttons: list, index: int) -> None:
    assert choose_button(text, buttons) == buttons[index]


@pytest.mark.parametrize(
    ("text", "buttons"),
    [
        ("第四个", SITUATION),  # there are only two
        ("外地", SITUATION),  # not said by any button
        ("开办", ITEMS),  # two buttons contain it
        ("", SITUATION),
        ("/inform", SITUATION),
        ("第一个", []),
    ],
)
def test_an_unclear_typed_answer_chooses_nothing(text: str, buttons: list) -> None:
    assert choose_button(text, buttons) is None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("确认", True),
        ("确认预约", True),
        ("对的", True),
        ("是的", True),
        ("没问题", True),
        ("好的。", True),
        ("不对", False),
        ("重新填写", False),
        ("有误", False),
        ("我再想想", None),
        ("不约了", None),  # the stop intent, not a no to the summary
    ],
)
def test_yes_and_no_to_the_summary(text: str, answer: bool | None) -> None:
    assert confirm_answer(text) is answer


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("K7M3PQ9A", "K7M3PQ9A"),
        ("预约号是 k7m3-pq9a", "K7M3PQ9A"),
        ("我的预约号K7M3PQ9A，手机13867905678", "K7M3PQ9A"),
        ("Ｋ７Ｍ３ＰＱ９Ａ", "K7M3PQ9A"),
        ("K7M3PQ9", None),
        ("K7M3PQ0A", None),  # 0 is not in the alphabet
        ("13867905678", None),
        ("23456789", None),  # digits only: part of a phone, not a code
    ],
)
def test_a_code_is_read_out_of_the_answer(text: str, code: str | None) -> None:
    assert find_code(text) == code


@pytest.mark.parametrize(
    ("text", "asked", "about"),
    [
        ("我不想给手机号", "person_name", "phone"),  # names the data it withholds
        ("为啥要身份证号", "phone", "id_number"),
        ("不方便说", "phone", "phone"),  # names none: the one asked
        ("凭啥要名字", "id_number", "person_name"),
    ],
)
def test_withholding_personal_data_is_told_what_it_is_for(text: str, asked: str, about: str) -> None:
    from bot.booking_dialogue import WHY_NEEDED, why_needed_text, withheld_slot, withholds

    assert withholds(text)
    assert withheld_slot(text, asked) == about
    reply = why_needed_text(about)
    assert WHY_NEEDED[about][0] in reply and "现场取号" in reply and "不约了" in reply


@pytest.mark.parametrize("text", ["13812345678", "王建国", "我叫王建国", "手机号是13812345678", "说错了"])
def test_an_answer_withholds_nothing(text: str) -> None:
    from bot.booking_dialogue import withholds

    assert not withholds(text)
