"""The guide: every item answers every aspect, and the action keeps context and asks when unsure."""

from __future__ import annotations

from typing import Any, Dict, List

import pytest
from rasa_sdk.events import SlotSet

from actions.guide import ActionGuide
from bot.catalogue import get_catalogue
from bot.guide import (
    ASPECTS,
    INTENT_TO_ASPECT,
    asks_what_it_covers,
    did_you_mean,
    promise_text,
    render,
    sentence,
    with_ending,
)
from bot.hall import get_hall
from tests.conftest import make_tracker

CATALOGUE = get_catalogue()
ITEMS = CATALOGUE.items


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("item", ITEMS, ids=[i.id for i in ITEMS])
def test_every_item_answers_every_aspect(item, aspect: str) -> None:
    answers = {s.key: next(iter(s.options)) for s in item.situations or []}
    reply = render(item, aspect, get_hall(), answers)
    assert item.name in reply.text
    assert "样例" in reply.text  # sample data says so
    assert reply.custom and reply.custom["item_id"] == item.id and reply.custom["aspect"] == aspect
    assert reply.custom["sections"] and all(section["items"] for section in reply.custom["sections"])
    assert reply.buttons and all(b["payload"].startswith("/") for b in reply.buttons)


def entity(value: str) -> Dict[str, Any]:
    return {"entity": "service", "value": value, "start": 0, "end": 2}


async def run(intent: str, text: str = "", slots: Dict[str, Any] | None = None, entities: List | None = None):
    from rasa_sdk.executor import CollectingDispatcher

    dispatcher = CollectingDispatcher()
    tracker = make_tracker(intent, slots=slots, text=text, entities=entities)
    events = await ActionGuide().run(dispatcher, tracker, {})
    return dispatcher.messages, events


async def test_overview_names_the_bundled_matters() -> None:
    messages, events = await run(
        "ask_service_guide", "宝宝刚出生要办哪些手续", entities=[entity("新生儿出生一件事")]
    )
    text = messages[0]["text"]
    for matter in ("出生医学证明", "预防接种证", "户口登记"):
        assert matter in text
    titles = [b["title"] for b in messages[0]["buttons"]]
    assert {"材料", "流程", "时限", "收费", "条件", "网上办", "窗口", "预约"} <= set(titles)
    assert SlotSet("service", "新生儿出生一件事") in events


async def test_aspect_uses_the_item_in_context() -> None:
    messages, _ = await run("ask_time_limit", "多久能办好", slots={"service": "退休一件事"})
    item = CATALOGUE.get("退休一件事")
    assert item.time_limit.legal in messages[0]["text"] and item.time_limit.promised in messages[0]["text"]
    assert messages[0]["custom"]["aspect"] == "time_limit"


async def test_window_answer_has_window_and_address() -> None:
    messages, _ = await run("ask_window", "去几号窗口", slots={"service": "开办企业一件事"})
    item = CATALOGUE.get("开办企业一件事")
    assert f"{item.window.number}号窗口" in messages[0]["text"]
    assert get_hall().address in messages[0]["text"]


async def test_materials_ask_the_deciding_question_first() -> None:
    item = next(i for i in ITEMS if i.situations)
    messages, events = await run("ask_materials", "要带什么", slots={"service": item.name})
    first = item.situations[0]
    assert first.question in messages[0]["text"]
    assert len(messages[0]["buttons"]) == len(first.options)
    assert "situation" in messages[0]["buttons"][0]["payload"]
    assert SlotSet("situation_answers", {"item": item.name, "answers": {}}) in events


async def test_materials_checklist_follows_the_answers() -> None:
    item = CATALOGUE.get("新生儿出生一件事")
    local = {"entity": "situation", "value": "residence=local"}
    slots = {"service": item.name}
    messages, events = await run("ask_materials", "", slots=slots, entities=[entity(item.name), local])
    while messages[0].get("buttons") and "situation" in messages[0]["buttons"][0]["payload"]:
        answers = events[-1]["value"]["answers"]
        key = next(s.key for s in item.situations if s.key not in answers)
        option = next(iter(item.situation(key).options))
        slots = {"service": item.name, "situation_answers": events[-1]["value"]}
        messages, events = await run(
            "ask_materials", "", slots=slots, entities=[{"entity": "situation", "value": f"{key}={option}"}]
        )
    text = messages[0]["text"]
    assert "户口簿" in text and "居住证" not in text
    assert "□" in text  # a checklist to keep
    assert messages[0]["custom"]["sections"][0]["checklist"] is True


async def test_vague_question_offers_close_items_not_a_guess() -> None:
    messages, events = await run("ask_service_guide", "我想开个店")
    assert messages[0]["text"].startswith("您是想办理")
    assert "开办餐饮店一件事" in [b["title"] for b in messages[0]["buttons"]]
    assert events == []


async def test_unknown_item_gets_the_hotline() -> None:
    messages, events = await run("ask_service_guide", "我想办护照", slots={"service": "退休一件事"})
    assert get_hall().consultation_phone in messages[0]["text"]
    assert "退休" not in messages[0]["text"]  # never the stale item stated with confidence
    assert events == []


async def test_two_items_in_one_message_ask_which() -> None:
    messages, _ = await run("ask_fee", "", entities=[entity("开办企业一件事"), entity("企业注销一件事")])
    assert [b["title"] for b in messages[0]["buttons"]] == ["开办企业一件事", "企业注销一件事"]


@pytest.mark.parametrize("intent", list(INTENT_TO_ASPECT))
async def test_no_item_at_all_asks_which_item(intent: str) -> None:
    messages, events = await run(intent, "")
    assert messages[0]["buttons"] and events == []


# --- answers read naturally whatever staff write ------------------------------------------------


@pytest.mark.parametrize("aspect", list(ASPECTS))
@pytest.mark.parametrize("item", ITEMS, ids=[i.id for i in ITEMS])
def test_no_word_or_full_stop_is_doubled(item, aspect: str) -> None:
    answers = {s.key: next(iter(s.options)) for s in item.situations or []}
    text = render(item, aspect, get_hall(), answers).text
    for doubled in ("办结办结", "。。", "内内", "，。", "。，"):
        assert doubled not in text


@pytest.mark.parametrize(
    ("promised", "said"),
    [
        ("5个工作日", "5个工作日内办结"),
        ("评定结果出具后10个工作日", "评定结果出具后10个工作日内办结"),
        ("0.5个工作日，材料齐全的当场办结", "0.5个工作日，材料齐全的当场办结"),
        ("即时办结", "即时办结"),
        ("3个工作日内办结。", "3个工作日内办结"),
        ("窗口即时制卡，立等可取", "窗口即时制卡，立等可取"),
        ("2小时", "2小时内办结"),
        ("3个工作日内", "3个工作日内办结"),
    ],
)
def test_the_promised_time_reads_naturally(promised: str, said: str) -> None:
    assert promise_text(promised) == said


def test_the_time_limit_sentence_of_a_promise_ending_in_the_appended_word() -> None:
    item = CATALOGUE.get("开办企业一件事")
    assert item is not None
    text = render(item, "time_limit", get_hall()).text
    assert "我们承诺0.5个工作日，材料齐全的当场办结。" in text


@pytest.mark.parametrize(
    ("text", "ending", "expected"),
    [("不收费", "。", "不收费。"), ("不收费。", "。", "不收费。"), ("当场办结", "办结", "当场办结")],
)
def test_text_ending_in_the_appended_word_gets_it_once(text: str, ending: str, expected: str) -> None:
    assert (sentence(text) if ending == "。" else with_ending(text, ending)) == expected


def test_a_detail_line_comes_first_and_is_a_section() -> None:
    item = CATALOGUE.get("残疾人服务一件事")
    assert item is not None
    line = CATALOGUE.details(item, "老人出不了门 能上门给评吗")[0]
    reply = render(item, "overview", get_hall(), details=[line])
    assert reply.text.startswith("关于您问的这一点")
    assert line in reply.text and item.summary not in reply.text  # the detail, not the whole overview
    assert reply.custom and reply.custom["sections"][0] == {"title": "相关说明", "items": [line]}
    assert {"材料", "流程", "时限"} <= {b["title"] for b in reply.buttons}
    fee = render(item, "fee", get_hall(), details=[line])
    assert fee.text.index(line) < fee.text.index("收费标准")


def test_choices_with_the_item_in_context_offer_the_way_back() -> None:
    newborn, opening = CATALOGUE.get("新生儿出生一件事"), CATALOGUE.get("开办企业一件事")
    assert newborn and opening
    reply = did_you_mean([newborn, opening], "ask_fee", current=opening)
    assert [b["title"] for b in reply.buttons] == ["新生儿出生一件事", "继续问开办企业一件事"]
    assert reply.buttons[-1]["payload"] == '/ask_fee{"service": "开办企业一件事"}'


@pytest.mark.parametrize(
    ("text", "covers"),
    [
        ("军人退役这块都管哪些", True),
        ("残疾人服务一件事能办啥", True),
        # an aspect's own words: that aspect, not the whole matter
        ("社保卡在网上能办啥", False),
        ("公积金提取材料都包括哪些", False),
        # who it is for: its conditions
        ("公租房都管哪些人", False),
    ],
)
def test_a_question_about_what_a_matter_covers(text: str, covers: bool) -> None:
    assert asks_what_it_covers(text) is covers


@pytest.mark.parametrize(
    ("intent", "confidence", "text", "read"),
    [
        ("ask_materials", 0.42, "军人退役这块都涵盖哪几样", "ask_service_guide"),
        ("ask_eligibility", 0.9, "社保卡这一块都能办哪些", "ask_service_guide"),
        ("ask_materials", 0.9, "公积金提取要交的材料都包括哪几样", "ask_materials"),  # the aspect's own noun
        ("ask_eligibility", 0.9, "公租房都管哪些人", "ask_eligibility"),  # who it is for
        ("ask_fee", 0.9, "开饭店这块都涵盖哪几样", "ask_fee"),  # only materials and eligibility give way
        ("ask_materials", 0.9, "要带的都包含哪些", "ask_materials"),  # what is handed in
        ("ask_eligibility", 0.9, "外地户口能办哪些", "ask_eligibility"),  # what someone may do
        ("ask_eligibility", 0.9, "低保都管哪些家庭", "ask_eligibility"),
    ],
)
def test_a_reading_of_what_a_matter_covers_is_the_overview(
    intent: str, confidence: float, text: str, read: str
) -> None:
    from bot.guide import guide_intent_read

    assert guide_intent_read(intent, confidence, text) == read


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("这个是网上办还是要去大厅", True),
        ("手机上弄就行还是得跑一趟窗口", True),
        ("去现场办还是线上也行", True),
        ("网上办完还要去窗口拿证吗", False),  # one after the other: a process question
        ("网上能办吗", False),
        ("要去现场吗 还是可以找人代办", False),  # in person or by someone else: not online
        ("网上交了材料 还是要去窗口交原件吗", False),  # a step done, then 还是 is "still"
        ("网上办要多久 还是去窗口快一点", False),  # asks how long
        ("网上申请过了 还是过去那套流程吗", False),  # 过去 is "before" here
        ("我还是想问 网上能办还是得去大厅", True),  # the second 还是 is the choice
        ("二手房过户网上办还是去窗口", True),  # 过 of 过户 tells no step done
        # whether it must be done in person: whether it can be done without going
        ("开饭店的证必须去现场吗", True),
        ("变更法人一定要跑一趟不", True),
        ("这个非得到窗口吗？", True),
        ("两个地方都得跑一趟吗", False),  # both places: the process
        ("非得本人亲自到场不", False),  # the applicant in person: who must come
        ("本人必须到现场吗", False),
        ("俺媳妇也得跑一趟吗", False),  # a relative's presence
        ("要不要去现场", True),
        ("改个经营范围要去窗口不", True),
        ("想要去大厅吗", False),  # a wish, not a need
        ("我要去窗口", False),  # where the citizen is going, no question
        ("俺正要去大厅呢", False),
        ("我马上要到窗口了", False),
        ("开饭店必须去现场核查吗", False),  # a step done on the spot
        ("必须到现场吗 到了找几号窗口", False),  # where to go once there
    ],
)
def test_online_or_in_person_is_the_online_aspect_whatever_the_model_read(text: str, asked: bool) -> None:
    from bot.guide import asks_online_or_in_person, guide_intent_read

    assert asks_online_or_in_person(text) is asked
    expected = "ask_online" if asked else "ask_process"
    assert guide_intent_read("ask_process", 0.95, text) == expected
    # another aspect's question keeps its own aspect
    assert guide_intent_read("ask_materials", 0.95, text) == "ask_materials"


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # who may do it, no aspect in words: the item's conditions (who applies)
        ("俺爹住院了下不了床，叫俺妹去窗口办行不行", "ask_eligibility"),
        ("俺替闺女两口子跑一趟中不中", "ask_eligibility"),
        ("必须老太太本人到场不", "ask_eligibility"),
        # an aspect asked in words keeps it
        ("俺替他去的话得带啥", "ask_materials"),
        ("让俺弟去办要多久", "ask_time_limit"),
        # no one else and no presence: the overview; one sent to ask does nothing, nor does a 委托书
        ("这个咋办", "ask_service_guide"),
        ("经理让我来打听打听开店的事", "ask_service_guide"),
        ("委托书有没有模板", "ask_service_guide"),
        # the citizen sent, 叫 as "be called", a thing sent: no one else doing it
        ("单位叫我去办退休 咋办", "ask_service_guide"),
        ("公司让我来注销 咋办", "ask_service_guide"),
        ("这个叫啥来着", "ask_service_guide"),
        ("能不能让快递送过来", "ask_service_guide"),
        # someone sent, named as a worker or as 别人
        ("派个同事去办行不", "ask_eligibility"),
        ("能叫别人帮忙办吗", "ask_eligibility"),
    ],
)
def test_an_overview_question_who_may_do_it_asks_for_the_conditions(text: str, read: str) -> None:
    from bot.guide import guide_intent_read

    assert guide_intent_read("ask_service_guide", 0.9, text) == read


@pytest.mark.parametrize(
    ("text", "read"),
    [
        # 交 pays taxes or charges named as such: the fee, however sure the model's materials reading
        ("卖房子的话要交些啥税", "ask_fee"),
        ("房子过户得交哪些税费啊", "ask_fee"),
        ("办这个要交哪些费用", "ask_fee"),
        # what is handed in stays materials, papers of a tax or a cost too; both asked at once is
        # left to the model, and costs asked about without 交 are no charge
        ("申请的时候要交哪些材料", "ask_materials"),
        ("要交啥材料 税费多少", "ask_materials"),
        ("卖房的话得交啥税单", "ask_materials"),
        ("报销要交哪些费用票据", "ask_materials"),
        ("住院时候哪些费用给报", "ask_materials"),
    ],
)
def test_taxes_or_charges_to_pay_are_the_fee_not_the_materials(text: str, read: str) -> None:
    from bot.guide import guide_intent_read

    assert guide_intent_read("ask_materials", 0.95, text) == read


@pytest.mark.parametrize(
    ("text", "drawn"),
    [
        # whether the money may be drawn in the situation told: the conditions
        ("俺辞职了 公积金里那点钱能取出来不", True),
        ("装修房子能不能把公积金提出来用", True),
        ("没交满半年能提吗", True),
        # a number, a parcel, handing in, doing it early, cancelling: no drawing of money
        ("能用手机先取个号不", False),
        ("能在网上把材料提交了吗", False),
        ("能提前两天去不", False),
        ("快递到了能取件不", False),
        ("约好的能取消吗", False),
        # an aspect asked in words keeps it
        ("公积金能取出来吗 要带啥", False),
    ],
)
def test_whether_money_may_be_drawn_asks_for_the_conditions(text: str, drawn: bool) -> None:
    from bot.guide import asks_if_it_may_be_drawn, guide_intent_read

    assert asks_if_it_may_be_drawn(text) is drawn
    if drawn:
        assert guide_intent_read("ask_service_guide", 0.9, text) == "ask_eligibility"
        # a fee the model only guessed gives way too; a sure one is the model's
        assert guide_intent_read("ask_fee", 0.3, text) == "ask_eligibility"
        assert guide_intent_read("ask_fee", 0.9, text) == "ask_fee"


def test_what_to_bring_of_someone_else_is_the_materials() -> None:
    from bot.guide import worded_aspect

    assert worded_aspect("俺替俺娘去办 得拿她啥东西") == "materials"
    assert worded_aspect("一个月能拿啥钱") is None
    # the papers of an expense to claim: its materials
    assert worded_aspect("门诊的钱回来报 得交哪些单据") == "materials"
    assert worded_aspect("报销得拿哪些单子来") == "materials"


def test_an_item_not_fully_online_says_where_its_steps_in_person_are() -> None:
    hall = get_hall()
    for item in ITEMS:
        reply = render(item, "online", hall, {})
        window = f"{item.window.number}号窗口"
        assert (window in reply.text) is (not item.online.full_online), item.name


@pytest.mark.parametrize(
    ("intent", "text", "read"),
    [
        ("ask_window", "办残疾证的话 评残是在交材料之前还是之后", "ask_process"),
        ("ask_service_guide", "上户口是在办社保卡以后还是以前", "ask_process"),
        ("ask_window", "先跑税务还是先跑工商", "ask_process"),
        ("ask_window", "开面馆先弄执照再弄卫生许可吗", "ask_process"),
        # no order asked: the reading stays
        ("ask_window", "之前在哪个窗口办的 现在还是那个窗口吗", "ask_window"),
        ("ask_time_limit", "以前要十天 现在还是那么久吗", "ask_time_limit"),
        ("ask_materials", "材料要按顺序排好吗", "ask_materials"),
    ],
)
def test_a_question_of_which_step_comes_first_asks_the_process(intent: str, text: str, read: str) -> None:
    from bot.guide import guide_intent_read

    assert guide_intent_read(intent, 0.95, text) == read
