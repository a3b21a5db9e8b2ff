import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from actions.hall import ActionGreet, ActionHallInfo, hall_answer
from bot.hall import get_hall, load_hall
from tests.conftest import make_tracker


def test_hall_file_loads_with_real_times() -> None:
    hall = get_hall()
    assert "09:00" in hall.hours_text() and "17:00" in hall.hours_text()
    assert hall.suggestions, "staff configured 猜你想问 buttons"


def test_unknown_field_is_refused(tmp_path: Path) -> None:
    source = (Path("data") / "hall.yml").read_text(encoding="utf-8")
    broken = tmp_path / "hall.yml"
    broken.write_text(source + "\nunknown_field: 1\n", encoding="utf-8")
    with pytest.raises(ValidationError):
        load_hall(broken)


@pytest.mark.parametrize(
    ("intent", "must_contain"),
    [
        ("ask_office_hours", ["09:00", "13:00", "周一至周五"]),
        ("ask_hall_location", ["地址", "地铁"]),
        ("complain", ["抱歉", "好差评"]),
        ("bot_challenge", ["机器人", "12345"]),
    ],
)
def test_hall_answers(intent: str, must_contain: list) -> None:
    text = hall_answer(intent, get_hall())
    for fragment in must_contain:
        assert fragment in text


async def test_greet_offers_buttons(dispatcher, domain) -> None:
    events = await ActionGreet().run(dispatcher, make_tracker("greet"), domain)
    assert events == []
    (message,) = dispatcher.messages
    assert "高小新" in message["text"]
    assert len(message["buttons"]) >= 3
    assert all(b["payload"] for b in message["buttons"])


@pytest.mark.parametrize("intent", ["ask_office_hours", "ask_hall_location", "bot_challenge"])
async def test_hall_action_answers_each_intent(dispatcher, domain, intent: str) -> None:
    await ActionHallInfo().run(dispatcher, make_tracker(intent), domain)
    assert dispatcher.messages[0]["text"] == hall_answer(intent, get_hall())


async def test_a_complaint_gets_an_apology_and_the_complaint_channels_staff_keep(dispatcher, domain) -> None:
    """The channels are the FAQ entry named in data/hall.yml, with its source and date, not a copy."""
    from bot.faq import get_faq_store

    hall = get_hall()
    assert hall.complaint_faq is not None
    entry = get_faq_store().current().get(hall.complaint_faq)
    assert entry is not None
    await ActionHallInfo().run(dispatcher, make_tracker("complain"), domain)
    (message,) = dispatcher.messages
    assert message["text"].startswith("非常抱歉")
    assert entry.cited_answer() in message["text"]
    assert message["custom"]["type"] == "faq" and message["custom"]["id"] == hall.complaint_faq


@pytest.mark.parametrize(
    ("text", "remedy"),
    [
        ("跑了好几趟还没办下来 该找谁", "banbuchengshi"),
        ("窗口的人推来推去 说不归他们管", "banbuchengshi"),
        ("网上提交了好几回都失败 耽误事", "wangban_guzhang"),
    ],
)
async def test_a_complaint_about_what_an_entry_deals_with_gets_that_entry_then_the_channels(
    dispatcher, domain, text: str, remedy: str
) -> None:
    hall = get_hall()
    await ActionHallInfo().run(dispatcher, make_tracker("complain", text=text), domain)
    first, second = dispatcher.messages
    assert first["text"].startswith("非常抱歉") and first["custom"]["id"] == remedy
    assert second["custom"]["id"] == hall.complaint_faq


@pytest.mark.parametrize("text", ["工作人员态度太差了", "我要投诉", "你们这效率太低了"])
async def test_a_complaint_no_other_entry_deals_with_gets_only_the_channels(
    dispatcher, domain, text: str
) -> None:
    await ActionHallInfo().run(dispatcher, make_tracker("complain", text=text), domain)
    (message,) = dispatcher.messages
    assert message["text"].startswith("非常抱歉") and message["custom"]["id"] == get_hall().complaint_faq


@pytest.mark.parametrize(("text", "explained"), [("咋给窗口打个差评", True), ("我要给你们打个好评", False)])
async def test_a_wish_to_rate_asking_how_gets_the_rating_entry_then_the_prompt(
    dispatcher, domain, text: str, explained: bool
) -> None:
    hall = get_hall()
    assert hall.rating_faq is not None
    await ActionHallInfo().run(dispatcher, make_tracker("rate_service", text=text), domain)
    assert dispatcher.messages[-1]["response"] == "utter_rate_service"
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert any(c["type"] == "faq" and c["id"] == hall.rating_faq for c in cards) is explained


def test_popular_items_exist_in_the_catalogue() -> None:
    from bot.catalogue import get_catalogue

    catalogue = get_catalogue()
    assert [catalogue.get(name) is not None for name in get_hall().popular_items] == [True] * len(
        get_hall().popular_items
    )


@pytest.mark.parametrize(
    "text",
    [
        "礼拜天到大厅能办成事不",
        "白天上班赶不上 晚上有延时办理吗",
        # retrieval alone is unsure of the entry: the time named is enough (bot.hall.OUTSIDE_HOURS_WORDS)
        "礼拜六上午过去能办成不",
        "晚上七点还有人没",
        # retrieval sure of another entry (领证): whether the hall serves then is still the question
        "周六能领证不",
        # the citizen's own hours after work, no clock time asked: retrieval sure of the entry
        "俺六点才下班 赶到那还开着门不",
    ],
)
async def test_hours_outside_the_usual_ones_get_the_entry_on_them_after_the_hours(
    dispatcher, domain, text: str
) -> None:
    hall = get_hall()
    assert hall.hours_faq is not None
    await ActionHallInfo().run(dispatcher, make_tracker("ask_office_hours", text=text), domain)
    hours, entry = dispatcher.messages
    assert hours["text"] == hall_answer("ask_office_hours", hall)
    assert entry["custom"]["type"] == "faq" and entry["custom"]["id"] == hall.hours_faq


@pytest.mark.parametrize(
    ("text", "entry_id"),
    [("自助区能用到几点", "zizhu"), ("停车场几点关门", "parking"), ("取号机几点开始出号", "quhao")],
)
async def test_the_hours_of_one_of_the_halls_services_get_its_entry_after_the_hours(
    dispatcher, domain, text: str, entry_id: str
) -> None:
    await ActionHallInfo().run(dispatcher, make_tracker("ask_office_hours", text=text), domain)
    hours, entry = dispatcher.messages
    assert hours["text"] == hall_answer("ask_office_hours", get_hall())
    assert entry["custom"]["type"] == "faq" and entry["custom"]["id"] == entry_id


@pytest.mark.parametrize("text", ["几点开门", "你们大厅每天几点钟开门啊"])
async def test_a_plain_hours_question_gets_the_hours_alone(dispatcher, domain, text: str) -> None:
    # the entry on service outside the hours shares its words (周六开门不), not its question
    await ActionHallInfo().run(dispatcher, make_tracker("ask_office_hours", text=text), domain)
    (message,) = dispatcher.messages
    assert message["custom"] == {"type": "hall", "topic": "ask_office_hours"}


@pytest.mark.parametrize("text", ["夜里打热线能打通不", "12345几点能打通"])
async def test_the_hotlines_hours_are_its_entrys_not_the_halls(dispatcher, domain, text: str) -> None:
    hall = get_hall()
    assert hall.hotline_faq is not None
    await ActionHallInfo().run(dispatcher, make_tracker("ask_office_hours", text=text), domain)
    (entry,) = dispatcher.messages
    assert entry["custom"]["type"] == "faq" and entry["custom"]["id"] == hall.hotline_faq


@pytest.mark.parametrize(
    "text",
    [
        "俺手机15912345086 礼拜六你们开门不",  # a phone number holding 12345 names no hotline
        "热线上说你们周六也上班 真的吗",  # the hall's own hours, the hotline only the hearsay's source
        "社保热线啥时候能打进去",  # another body's line
    ],
)
async def test_hours_asked_of_the_hall_or_another_line_are_the_halls(dispatcher, domain, text: str) -> None:
    hall = get_hall()
    await ActionHallInfo().run(dispatcher, make_tracker("ask_office_hours", text=text), domain)
    assert dispatcher.messages[0]["text"] == hall_answer("ask_office_hours", hall)
    assert not any((m.get("custom") or {}).get("id") == hall.hotline_faq for m in dispatcher.messages)


@pytest.mark.parametrize(
    "text", ["开车过去车往哪停", "骑电瓶车去大厅 车子能放哪", "停车场从哪个口进", "车往哪搁"]
)
async def test_the_way_there_by_vehicle_gets_the_parking_entry_after_the_address(
    dispatcher, domain, text: str
) -> None:
    hall = get_hall()
    assert hall.parking_faq is not None
    await ActionHallInfo().run(dispatcher, make_tracker("ask_hall_location", text=text), domain)
    address, entry = dispatcher.messages
    assert address["text"] == hall_answer("ask_hall_location", hall)
    assert entry["custom"]["type"] == "faq" and entry["custom"]["id"] == hall.parking_faq


@pytest.mark.parametrize(
    "text",
    ["大厅在哪条路上", "坐几路公交能到", "坐公交车 停哪站离大厅近", "地铁停哪站下", "行李放哪 有寄存没"],
)
async def test_the_way_there_without_a_vehicle_gets_the_address_alone(dispatcher, domain, text: str) -> None:
    await ActionHallInfo().run(dispatcher, make_tracker("ask_hall_location", text=text), domain)
    (message,) = dispatcher.messages
    assert message["custom"] == {"type": "hall", "topic": "ask_hall_location"}


def test_whether_the_hall_serves_outside_its_hours_is_taught_as_the_faq_entry_on_it() -> None:
    """One label for one kind of question: whether anyone serves at the weekend is the FAQ entry on it.

    The training data had the same questions both as ``ask_office_hours`` and among that entry's
    ways of asking (星期六大厅上班不 / 星期六开门不); either reply holds the hours and the entry
    (`actions.hall.ActionHallInfo`, `actions.faq.ActionFaq`), but the model split between them. An
    opening-hours example may name such a time only when it asks for a clock time ("周六几点上班").
    """
    from rasa.shared.nlu.training_data.loading import load_data

    from bot.faq_entries import load_entries
    from bot.hall import OUTSIDE_HOURS_WORDS

    data = load_data("data/nlu")
    clock = ("几点", "几时", "时间", "啥时候", "什么时候")
    mixed = [
        e.get("text")
        for e in data.intent_examples
        if e.get("intent") == "ask_office_hours"
        and OUTSIDE_HOURS_WORDS.search(e.get("text"))
        and not any(word in e.get("text") for word in clock)
    ]
    assert not mixed, mixed
    hours_faq = get_hall().hours_faq
    entry = next(e for e in load_entries(Path("data") / "faq") if e.id == hours_faq)
    weekend = [q for q in entry.questions if re.search("周[六日末]|星期[六天]|礼拜[六天]", q)]
    assert len(weekend) >= 10
