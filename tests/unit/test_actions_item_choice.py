"""Which item a turn is about after choices, a switch or a return, and for messages the model could not place.

Each test runs the real action on a tracker shaped as Rasa sends it (the bot's last message with
its buttons, the slot events before the latest message) over the real catalogue.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import UNSURE_OUT_OF_SCOPE, ActionFaq, ActionOutOfScope
from actions.guide import ActionGuide, earlier_item
from bot.catalogue import get_catalogue
from bot.catalogue.linking import asks_about_a_benefit
from bot.faq import FAQ_TOPIC, UNSURE_SCORE, get_faq_store
from bot.guide import (
    ask_which_item,
    aspect_buttons,
    aspect_for_paper,
    choose_item,
    did_you_mean,
    opens_new_matter,
    paper_trouble,
    several_items,
    subject_alone,
)
from bot.hall import get_hall
from bot.nlu.service_linker import ServiceIndex

SHOP_CHOICES = ["个体工商户登记一件事", "开办餐饮店一件事", "开办药店一件事"]


def choices_event(names: List[str]) -> Dict[str, Any]:
    """The bot's "您是想办理以下哪个事项？" with one button per item, as Rasa stores it."""
    catalogue = get_catalogue()
    reply = did_you_mean([catalogue.get(n) for n in names], "ask_service_guide")  # type: ignore[misc]
    return {"event": "bot", "text": reply.text, "data": {"buttons": reply.buttons}}


def tracker(
    text: str,
    intent: str,
    before: List[Dict[str, Any]],
    entities: Optional[List[Dict[str, Any]]] = None,
    slot: Optional[str] = None,
    confidence: float = 0.5,
) -> Tracker:
    """A tracker whose events are ``before`` and then the latest message ``text``."""
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return Tracker(
        sender_id="choice",
        slots={"service": slot},
        latest_message={
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": [{"name": intent, "confidence": confidence}],
            "text": text,
            "entities": entities or [],
        },
        events=[*before, user],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def guide_item(dispatcher: CollectingDispatcher) -> Optional[str]:
    custom = dispatcher.messages[0].get("custom") or {}
    item = get_catalogue().get(str(custom.get("item_id") or ""))
    return item.name if item is not None else None


# --- a reply to "您是想办理以下哪个事项？" in the citizen's own words -------------------------------


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("卖吃的 就一个小馆子", "out_of_scope", "开办餐饮店一件事"),
        ("药铺那种", "nlu_fallback", "开办药店一件事"),
        ("就是摆个小摊", "inform", "个体工商户登记一件事"),
    ],
)
async def test_a_reply_in_own_words_picks_one_of_the_offered_items(
    text: str, intent: str, expected: str
) -> None:
    action = {"out_of_scope": ActionOutOfScope(), "nlu_fallback": ActionFaq()}.get(intent, ActionGuide())
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent, [choices_event(SHOP_CHOICES)]), {})
    assert guide_item(dispatcher) == expected
    assert {"event": "slot", "timestamp": None, "name": "service", "value": expected} in events


async def test_out_of_scope_without_choices_stays_a_polite_refusal() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionOutOfScope().run(dispatcher, tracker("今天天气咋样", "out_of_scope", []), {})
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"
    assert events == []


async def test_an_out_of_scope_reply_to_choices_that_picks_none_is_refused() -> None:
    dispatcher = CollectingDispatcher()
    events = await ActionOutOfScope().run(
        dispatcher, tracker("明天会下雨吗", "out_of_scope", [choices_event(SHOP_CHOICES)]), {}
    )
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"
    assert events == []


@pytest.mark.parametrize(
    ("item", "text", "aspect"),
    [
        ("就医费用报销一件事", "门诊的发票弄丢了", "materials"),
        ("新生儿出生一件事", "医院给的出生证明找不着了 还补得了不", "materials"),
    ],
)
async def test_an_out_of_scope_reading_of_trouble_with_a_paper_of_the_item_in_context_is_its_materials(
    item: str, text: str, aspect: str
) -> None:
    catalogue = get_catalogue()
    found = catalogue.get(item)
    assert found is not None
    card = {"event": "bot", "text": "…", "data": {"custom": {"type": "guide", "item_id": found.id}}}
    before = [{"event": "slot", "name": "service", "value": item}, card]
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(
        dispatcher, tracker(text, "out_of_scope", before, slot=item, confidence=0.9), {}
    )
    assert guide_item(dispatcher) == item
    assert dispatcher.messages[0]["custom"]["aspect"] == aspect


async def test_an_unsure_out_of_scope_message_about_items_gets_them_as_choices() -> None:
    # the model's 0.26 "out of scope" for a question the catalogue knows two items for
    dispatcher = CollectingDispatcher()
    latest = tracker("房产证到底咋弄下来", "out_of_scope", [], confidence=0.26)
    await ActionOutOfScope().run(dispatcher, latest, {})
    titles = {button["title"] for m in dispatcher.messages for button in m.get("buttons") or []}
    assert {"新建商品房转移登记一件事", "二手房转移登记及水电气网联动过户一件事"} <= titles
    assert not any((m.get("custom") or {}).get("type") == "guide" for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "confidence"),
    [("房产证到底咋弄下来", UNSURE_OUT_OF_SCOPE), ("今天天气咋样", 0.2), ("深圳的房子过户咋弄", 0.2)],
)
async def test_out_of_scope_stays_a_refusal_when_sure_or_without_evidence_here(
    text: str, confidence: float
) -> None:
    dispatcher = CollectingDispatcher()
    latest = tracker(text, "out_of_scope", [], confidence=confidence)
    events = await ActionOutOfScope().run(dispatcher, latest, {})
    assert events == []
    assert len(dispatcher.messages) == 1 and not dispatcher.messages[0].get("buttons")
    reply = dispatcher.messages[0]
    assert reply.get("response") == "utter_out_of_scope" or "深圳" in reply["text"]


def test_choose_among_needs_evidence_for_one_offered_item_over_the_others() -> None:
    catalogue = get_catalogue()
    offered = [catalogue.get(n) for n in SHOP_CHOICES]
    assert catalogue.choose_among("好的", offered) is None  # type: ignore[arg-type]
    assert catalogue.choose_among("都不是", offered) is None  # type: ignore[arg-type]
    picked = catalogue.choose_among("卖药的", offered)  # type: ignore[arg-type]
    assert picked is not None and picked.name == "开办药店一件事"


@pytest.mark.parametrize(
    ("offered", "reply", "meant"),
    [
        (["水电气网联合报装一件事", "二手房转移登记及水电气网联动过户一件事"], "新装 不是过户", 0),
        (["二手房转移登记及水电气网联动过户一件事", "水电气网联合报装一件事"], "新装 不是过户", 1),
        (
            ["新建商品房转移登记一件事", "二手房转移登记及水电气网联动过户一件事"],
            "不是开发商的 是从个人手里买的",
            1,
        ),
        (["开办企业一件事", "个体工商户登记一件事"], "不是公司", 1),
        (["退休一件事", "身后一件事"], "不是退休", 1),
    ],
)
def test_of_two_offered_items_a_reply_saying_what_it_is_not_means_the_other(
    offered: list, reply: str, meant: int
) -> None:
    catalogue = get_catalogue()
    items = [catalogue.get(name) for name in offered]
    picked = catalogue.choose_among(reply, items)  # type: ignore[arg-type]
    assert picked is not None and picked.name == offered[meant]


def test_saying_what_it_is_not_among_three_or_about_neither_picks_none() -> None:
    catalogue = get_catalogue()
    three = [catalogue.get(n) for n in SHOP_CHOICES]
    assert len(three) == 3
    assert catalogue.choose_among("不是公司", three) is None  # type: ignore[arg-type]
    two = [catalogue.get("水电气网联合报装一件事"), catalogue.get("二手房转移登记及水电气网联动过户一件事")]
    assert catalogue.choose_among("不是这个的", two) is None  # type: ignore[arg-type]
    houses = [
        catalogue.get(name) for name in ("新建商品房转移登记一件事", "二手房转移登记及水电气网联动过户一件事")
    ]
    assert catalogue.choose_among("不是全款", houses) is None  # type: ignore[arg-type]


def test_a_reply_sure_of_an_item_not_offered_picks_none_of_them() -> None:
    catalogue = get_catalogue()
    offered = [catalogue.get(n) for n in SHOP_CHOICES]
    assert catalogue.choose_among("二手房过户要带啥", offered) is None  # type: ignore[arg-type]


# --- the aspect buttons of one item do not capture a question about another ----------------------


async def test_a_title_inside_a_question_about_another_item_does_not_tap_that_button() -> None:
    catalogue = get_catalogue()
    residence = catalogue.get("居住证办理一件事")
    assert residence is not None
    asked = {"event": "bot", "text": "…", "data": {"buttons": aspect_buttons(residence, "time_limit")}}
    text = "等居住证办下来 申请公租房得够啥条件"  # holds 条件, the title of one of those buttons
    entities = ServiceIndex(catalogue).link(text, "ask_eligibility")
    before = [{"event": "slot", "name": "service", "value": residence.name}, asked]
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker(text, "ask_eligibility", before, entities), {})
    assert guide_item(dispatcher) == "申请公租房一件事"
    assert dispatcher.messages[0]["custom"]["aspect"] == "eligibility"


# --- switching and going back --------------------------------------------------------------------


def test_of_two_named_items_the_one_not_in_context_is_asked_about() -> None:
    catalogue = get_catalogue()
    mentions = [{"value": "居住证办理一件事"}, {"value": "申请公租房一件事"}]
    in_context = catalogue.get("居住证办理一件事")
    choice = choose_item(catalogue, "居住证办好了 公租房能申请不", mentions, in_context, "eligibility")
    assert choice.item is not None and choice.item.name == "申请公租房一件事"
    # without context both are offered
    assert [i.name for i in choose_item(catalogue, "居住证和公租房", mentions, None, "overview").choices] == [
        "居住证办理一件事",
        "申请公租房一件事",
    ]


@pytest.mark.parametrize(
    ("text", "context", "linked", "expected"),
    [
        # 注销, 变更, 过户: words several matters share, which the linker takes for the item whose name
        # holds them; with another matter at hand the message is weighed as if it named none
        (
            "注销要带啥",
            "社会保障卡居民服务一卡通一件事",
            "企业注销一件事",
            ["社会保障卡居民服务一卡通一件事"],
        ),
        ("变更要带啥", "个体工商户登记一件事", "企业信息变更一件事", ["个体工商户登记一件事"]),
        # 过户 after 个体户: the flats 过户 is filed under, as choices, as before the linker read it
        (
            "过户要带啥",
            "个体工商户登记一件事",
            "二手房转移登记及水电气网联动过户一件事",
            ["二手房转移登记及水电气网联动过户一件事", "新建商品房转移登记一件事"],
        ),
        # a new matter opened: the item linked
        ("另外 注销要带啥", "开办企业一件事", "企业注销一件事", ["企业注销一件事"]),
    ],
)
def test_a_shared_word_linked_to_one_item_gives_way_to_the_item_in_context(
    text: str, context: str, linked: str, expected: List[str]
) -> None:
    catalogue = get_catalogue()
    mentions = ServiceIndex.for_folder("data/services").link(text, "ask_materials")
    assert [m["value"] for m in mentions] == [linked]
    choice = choose_item(catalogue, text, mentions, catalogue.get(context), "materials")
    got = [choice.item.name] if choice.item is not None else [i.name for i in choice.choices]
    assert got == expected
    # without a matter at hand the linked item is answered
    alone = choose_item(catalogue, text, mentions, None, "materials")
    assert alone.item is not None and alone.item.name == linked


def test_a_switch_cue_follows_a_described_item_even_if_the_context_shares_words() -> None:
    catalogue = get_catalogue()
    opening, hiring = catalogue.get("开办企业一件事"), catalogue.get("员工录用一件事")
    assert opening is not None and hiring is not None
    text = "另外 新员工入职 给他们参保登记咋弄"
    described = [{"value": hiring.name, "extractor": "ServiceLinker.description"}]
    without_cue = choose_item(catalogue, text.removeprefix("另外 "), described, opening, "overview")
    assert without_cue.item is not None and without_cue.item.name == opening.name  # 职工参保登记 is bundled
    with_cue = choose_item(catalogue, text, described, opening, "overview")
    assert with_cue.item is not None and with_cue.item.name == hiring.name


@pytest.mark.parametrize(
    "text",
    [
        "营业执照拿到以后 新员工入职 给他们参保登记咋弄",
        "公司注册办完了 接着要给招的人交社保",
        "等公司搞好了 招工人的手续咋弄",
        "公司开起来还得雇几个工人 给他们参保咋弄",
    ],
)
def test_the_matter_before_told_as_done_follows_the_next_one(text: str) -> None:
    catalogue = get_catalogue()
    opening, hiring = catalogue.get("开办企业一件事"), catalogue.get("员工录用一件事")
    assert opening is not None and hiring is not None
    described = [{"value": hiring.name, "extractor": "ServiceLinker.description"}]
    choice = choose_item(catalogue, text, described, opening, "overview")
    assert choice.item is not None and choice.item.name == hiring.name
    # without a described item the question stays with the matter at hand
    assert choose_item(catalogue, "执照下来以后还要干啥", [], opening, "process").item == opening


@pytest.mark.parametrize("in_context", ["军人退役一件事", None])
def test_the_item_in_context_named_only_as_a_state_gives_way_to_the_matter_described(
    in_context: str | None,
) -> None:
    catalogue = get_catalogue()
    text = "堂弟退伍回来了 在家待业 打算按零工身份自个儿缴社保 咋弄"
    described = [{"value": "灵活就业一件事", "extractor": "ServiceLinker.description"}]
    context = catalogue.get(in_context) if in_context else None
    choice = choose_item(catalogue, text, described, context, "overview")
    assert choice.item is not None and choice.item.name == "灵活就业一件事"
    # the state's own matter asked about stays it
    veteran = catalogue.get("军人退役一件事")
    assert choose_item(catalogue, "退伍回来了 还要办啥", [], veteran, "process").item == veteran


@pytest.mark.parametrize(
    ("in_context", "text", "described"),
    [
        # a two-character name parted by 了/完 (退了休), or its first character alone before 了以后
        ("退休一件事", "退了休 住房公积金能一次全提出来不", "公积金提取一件事"),
        ("退休一件事", "退完休以后住房公积金咋提", "公积金提取一件事"),
        ("退休一件事", "退了以后住房公积金能一次全提出来不", "公积金提取一件事"),
        ("军人退役一件事", "退了伍 想按零工身份自个儿缴社保 咋弄", "灵活就业一件事"),
    ],
)
def test_the_item_in_context_parted_as_a_done_state_gives_way_to_the_matter_described(
    in_context: str, text: str, described: str
) -> None:
    catalogue = get_catalogue()
    context = catalogue.get(in_context)
    mentions = [{"value": described, "extractor": "ServiceLinker.description"}]
    choice = choose_item(catalogue, text, mentions, context, "overview")
    assert choice.item is not None and choice.item.name == described


def test_a_parted_name_still_ahead_or_asked_about_keeps_the_item_in_context() -> None:
    from bot.guide import named_as_a_state

    retirement = get_catalogue().get("退休一件事")
    assert retirement is not None
    assert named_as_a_state("退了休 住房公积金咋提", retirement)
    assert not named_as_a_state("办退休要走哪些手续", retirement)  # the matter itself
    assert not named_as_a_state("快退休了 公积金咋提", retirement)  # still ahead
    assert not named_as_a_state("住房公积金咋提", retirement)  # not named at all
    # parted, but still ahead or in doubt
    for text in ("快退了休了 公积金能全提出来吗", "等退了休 公积金能提吗", "要是退了休 公积金咋办"):
        assert not named_as_a_state(text, retirement), text
    # the first character alone only of a two-character short name: 转 of 转业 is not 军人退役's
    veteran = get_catalogue().get("军人退役一件事")
    assert veteran is not None
    assert not named_as_a_state("档案转了以后 社保咋交", veteran)
    assert named_as_a_state("转了业 社保咋交", veteran)


def test_a_description_that_leaves_the_item_in_context_far_behind_is_followed() -> None:
    catalogue = get_catalogue()
    transport, hiring = catalogue.get("开办运输企业一件事"), catalogue.get("员工录用一件事")
    assert transport is not None and hiring is not None
    # 公司 alone scores the transport company
    text = "公司办下来以后准备雇几个司机 要给他们做用工登记和交社保"
    choice = choose_item(catalogue, text, [], transport, "overview")
    assert choice.item is not None and choice.item.name == hiring.name
    # a matter the item in context bundles keeps it, however much another item scores
    kept = choose_item(catalogue, "刻章领发票在哪办", [], transport, "window")
    assert kept.item is not None and kept.item.name == transport.name


@pytest.mark.parametrize(
    ("in_context", "text", "aspect"),
    [
        # a switch cue before a question about the matter at hand leaves nothing
        ("开办企业一件事", "再问下 营业执照副本在哪领", "window"),
        ("开办企业一件事", "另外 营业执照要多久能下来", "time_limit"),
        ("开办企业一件事", "还有个事 公司章在哪刻", "window"),
        # "打不开了" is a result, not a matter given up; another item's lead over a well-evidenced
        # item in context is not a sure link's
        ("开办企业一件事", "电子营业执照打不开了 咋办", "overview"),
        ("开办企业一件事", "营业执照副本的二维码扫不开了", "overview"),
        # hearsay about a rule, and a matter put off, give nothing up
        ("居住证办理一件事", "听说纸质居住证现在不办了 是真的吗", "overview"),
        ("个体工商户登记一件事", "个体户执照先不办了 等店面租下来再说 租房合同要啥样的", "materials"),
    ],
)
def test_a_question_about_the_matter_at_hand_keeps_it(in_context: str, text: str, aspect: str) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), aspect)
    assert choice.item is not None and choice.item.name == in_context


@pytest.mark.parametrize(
    ("in_context", "text", "expected"),
    [
        ("开办企业一件事", "算了 公司不注册了 就开个小饭店", "开办餐饮店一件事"),
        ("开办餐饮店一件事", "饭店不开了 想开个卖药的店", "开办药店一件事"),
    ],
)
def test_leaving_the_item_in_context_never_answers_it_again(
    in_context: str, text: str, expected: str
) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), "overview")
    offered = [choice.item] if choice.item is not None else choice.choices
    assert offered and offered[0].name == expected
    assert all(item.name != in_context for item in [*offered, *choice.alternatives])


async def test_going_back_to_the_earlier_item() -> None:
    before = [
        {"event": "slot", "name": "service", "value": "新生儿出生一件事"},
        {"event": "user", "text": "上学的事"},
        {"event": "slot", "name": "service", "value": "教育入学一件事"},
    ]
    latest = tracker("再回到刚才那个 要几天能办好", "ask_time_limit", before, slot="教育入学一件事")
    assert earlier_item(latest) == "新生儿出生一件事"
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, latest, {})
    assert guide_item(dispatcher) == "新生儿出生一件事"
    assert dispatcher.messages[0]["custom"]["aspect"] == "time_limit"


# --- a message the model could not place ----------------------------------------------------------


async def test_an_unsure_message_the_catalogue_is_sure_of_gets_the_guide() -> None:
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker("二手房买好了 得办过户", "nlu_fallback", []), {})
    assert guide_item(dispatcher) == "二手房转移登记及水电气网联动过户一件事"


async def test_an_unsure_message_close_to_several_items_gets_choices() -> None:
    catalogue = get_catalogue()
    text = "我们公司准备搬地方"  # 搬地方 of 企业迁移登记 (out of the district) and 企业信息变更 (within it)
    evidence = catalogue.evidence(text)
    assert evidence.item is None and not evidence.likely and len(evidence.choices) >= 2
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker(text, "nlu_fallback", []), {})
    titles = [b["title"] for b in dispatcher.messages[0]["buttons"]]
    assert dispatcher.messages[0]["text"].startswith("您是想办理")
    assert {"企业迁移登记一件事", "企业信息变更一件事"} <= set(titles)


async def test_an_answer_to_choices_naming_an_item_not_offered_gets_that_item() -> None:
    """Offered 开办企业 and 新生儿出生, the citizen names 居住证: its guide, though retrieval is sure of
    the 跨省通办 entry and the intent model's FAQ topic agrees."""
    text = "户口在外省的 办居住证"
    match = get_faq_store().current().search(text)[0]
    assert match.entry.id == "kuasheng" and match.score >= UNSURE_SCORE
    before = [choices_event(["开办企业一件事", "新生儿出生一件事"])]
    latest = tracker(
        text, "faq", before, [{"entity": "service", "value": "居住证办理一件事"}], confidence=0.55
    )
    latest.latest_message[FAQ_TOPIC] = {"name": "kuasheng", "confidence": 0.47}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    assert guide_item(dispatcher) == "居住证办理一件事"


def test_only_an_item_named_and_not_offered_after_a_choice_is_another_item() -> None:
    from bot.choices import names_another_item

    catalogue = get_catalogue()
    offered = choices_event(["开办企业一件事", "新生儿出生一件事"])["data"]["buttons"]
    assert names_another_item(catalogue, "那个居住证", offered).name == "居住证办理一件事"  # type: ignore[union-attr]
    assert names_another_item(catalogue, "开公司那个", offered) is None  # offered: typed_choice takes it
    assert names_another_item(catalogue, "停车收费吗", offered) is None  # names no item
    aspects = aspect_buttons(catalogue.get("开办企业一件事"), "overview")  # type: ignore[arg-type]
    assert names_another_item(catalogue, "那个居住证", aspects) is None  # no choice between items asked
    situations = [  # a 个性指南 question about one item: its answers, not a choice between items
        {"title": title, "payload": f'/ask_materials{{"service": "身后一件事", "situation": "{title}"}}'}
        for title in ("直系亲属", "其他亲属")
    ]
    assert names_another_item(catalogue, "俺是他闺女 俺爹有退休金", situations) is None


async def test_an_unsure_message_likely_about_one_item_answers_it_with_the_others_beside() -> None:
    catalogue = get_catalogue()
    text = "想开个饭店 还招几个人 麻烦不"  # 开办餐饮店 17.3 against 员工录用 12.3: not sure, but ahead
    evidence = catalogue.evidence(text)
    assert evidence.item is None and evidence.likely
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker(text, "nlu_fallback", []), {})
    notice, answer = dispatcher.messages
    assert notice["text"].startswith("以下按“开办餐饮店一件事”为您解答")
    assert [b["title"] for b in notice["buttons"]] == ["员工录用一件事"]
    assert answer["custom"]["item"] == "开办餐饮店一件事"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the particular item's own words: the broader item's general ones do not compete with it
        ("想开家饭店 成立个公司 要办啥", "开办餐饮店一件事"),  # 开办企业 32.2 beside 20.1
        ("家里有几辆货车 跑运输 想成立个公司", "开办运输企业一件事"),
        # without them, the broader item
        ("想成立个公司 手续复杂不", "开办企业一件事"),
    ],
)
def test_a_particular_case_in_its_own_words_is_sure_over_the_broader_item(text: str, expected: str) -> None:
    evidence = get_catalogue().evidence(text)
    assert evidence.item is not None and evidence.item.name == expected


def test_a_broader_item_named_by_its_alias_still_weighs() -> None:
    """注册公司 is an alias of 开办企业: the message asks about both, not the drugstore alone."""
    evidence = get_catalogue().evidence("开药店要注册公司吗")
    assert evidence.item is None
    assert {item.name for item in evidence.choices} >= {"开办企业一件事", "开办药店一件事"}


# --- broad subjects ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("住房方面有啥政策", {"申请公租房一件事", "公积金提取一件事", "新建商品房转移登记一件事"}),
        ("打算自己开间店 得办些啥", {"个体工商户登记一件事", "开办餐饮店一件事", "开办药店一件事"}),
    ],
)
def test_a_broad_subject_offers_the_items_that_list_it(text: str, expected: set[str]) -> None:
    catalogue = get_catalogue()
    evidence = catalogue.evidence(text)
    assert evidence.item is None
    assert expected <= {item.name for item in evidence.choices} | {
        item.name for item, _ in catalogue.about_topic(text, limit=8)
    }


def test_a_subject_inside_an_items_topic_ranks_as_that_topic() -> None:
    catalogue = get_catalogue()
    # 执照, a topic no item lists, inside 营业执照, which four list: those come before the items that
    # only have the word among their terms (执照异常, 注销执照)
    offered = [item.name for item, _ in catalogue.about_topic("执照的事想了解下", limit=4)]
    assert {"开办企业一件事", "个体工商户登记一件事"} <= set(offered)
    assert "信用修复一件事" not in offered  # 执照异常 among its terms only


# Sentences written for this test: money heard of before knowing which matter pays it.
@pytest.mark.parametrize(
    "text",
    ["听邻居说政府在发补贴 俺能领不", "有个补助金听说能领 去哪领", "补贴的事 俺想问问咋申请"],
)
def test_a_benefit_heard_of_offers_the_items_paying_it(text: str) -> None:
    catalogue = get_catalogue()
    evidence = catalogue.evidence(text)
    assert evidence.item is None
    offered = {item.name for item in evidence.choices}
    assert len(offered) >= 3
    assert "残疾人服务一件事" in offered and "身后一件事" in offered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("租房补贴咋申请", "申请公租房一件事"),  # an everyday term of one item
        ("丧葬补助找谁领", "身后一件事"),  # an alias
        ("俺爸腿脚不好使 想办个证领补贴", "残疾人服务一件事"),  # the other words lean to one payer
        ("想租政府盖的那种便宜房子", "申请公租房一件事"),
        ("政府分房咋申请", "申请公租房一件事"),  # 政府 inside a term staff wrote
        ("送快递的有补贴不", "灵活就业一件事"),  # the other words lean to one payer, weakly
    ],
)
def test_a_benefit_with_words_of_one_matter_is_that_matter(text: str, expected: str) -> None:
    catalogue = get_catalogue()
    assert not asks_about_a_benefit(catalogue, text)
    assert catalogue.evidence(text).leading == catalogue.get(expected)


@pytest.mark.parametrize("text", ["听说政府给发补贴 俺家能领不", "国家给发的补助 俺能领不"])
def test_who_pays_a_benefit_leans_to_no_item(text: str) -> None:
    # 府给 of 政府给的房 (申请公租房's everyday terms), 国家 of 国家企业信用信息公示系统 (信用修复):
    # who pays says no matter
    evidence = get_catalogue().evidence(text)
    assert evidence.item is None
    offered = {item.name for item in evidence.choices}
    assert {"残疾人服务一件事", "身后一件事"} <= offered and "信用修复一件事" not in offered


def test_an_item_the_other_words_lean_to_comes_first_among_the_payers() -> None:
    # 家政 says a flexible worker, whom 补助 does not file under any item
    evidence = get_catalogue().evidence("俺是干家政的 有补助吗")
    assert evidence.item is None
    assert evidence.choices[0].name == "灵活就业一件事"
    assert "身后一件事" in {item.name for item in evidence.choices}


def test_a_benefit_beside_another_subject_is_weighed_as_usual() -> None:
    # 社保补贴 is the flexible workers' subsidy, 企业补贴 the hall's entry on enterprise policies
    catalogue = get_catalogue()
    assert not asks_about_a_benefit(catalogue, "社保补贴怎么领")
    assert not asks_about_a_benefit(catalogue, "企业的补贴在哪申报")


def test_the_word_government_alone_says_no_matter() -> None:
    # every matter here is the government's: 政府 must not link 政府的房子's item by itself
    catalogue = get_catalogue()
    assert catalogue.score(catalogue.get("申请公租房一件事"), "政府那边的事找谁问") == 0.0


# Sentences written for this test: a shop front says a shop is meant, not which kind.
@pytest.mark.parametrize(
    "text", ["打算开个门店 得办哪些证", "刚租下一间门面 啥手续都还没跑呢", "咋开门面", "开门店要办啥证"]
)
def test_a_shop_front_alone_offers_the_kinds_of_shop(text: str) -> None:
    evidence = get_catalogue().evidence(text)
    assert evidence.item is None
    offered = {item.name for item in evidence.choices}
    assert {"个体工商户登记一件事", "开办餐饮店一件事", "开办药店一件事"} <= offered


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("租了间门面卖水果", "个体工商户登记一件事"),
        ("门店打算卖麻辣烫", "开办餐饮店一件事"),
        ("门面盘下来了 准备卖中西药", "开办药店一件事"),
        ("开个门面卖衣服", "个体工商户登记一件事"),  # a term shared by the shops is no particular case
    ],
)
def test_a_shop_front_with_what_it_sells_is_that_kind(text: str, expected: str) -> None:
    catalogue = get_catalogue()
    assert catalogue.evidence(text).leading == catalogue.get(expected)


# Sentences written for this test: a card or certificate asked for by no name.
@pytest.mark.parametrize(
    "text",
    [
        "俺要办个证",
        "想弄张卡",
        "补个证件吧",
        "能帮我办一张卡吗？",
        "想办个证 咋弄",
        "办个证要多久",
        "弄张卡哩",
    ],
)
def test_a_paper_asked_for_by_no_name_offers_the_items_issuing_papers(text: str) -> None:
    evidence = get_catalogue().evidence(text)
    assert evidence.item is None
    assert {"居住证办理一件事", "社会保障卡居民服务一卡通一件事", "残疾人服务一件事"} <= {
        item.name for item in evidence.choices
    }


@pytest.mark.parametrize(
    "text",
    [
        "打算给俺闺女办个居住证",
        "办个证明要多久",
        "俺俩下个月去领证",  # marrying
        "不用办卡吧",
        "俺不是要办卡",
        "银行卡丢了 想补卡",  # another card, named before
    ],
)
def test_a_paper_named_or_not_wanted_is_no_bare_paper(text: str) -> None:
    assert "证件" not in get_catalogue().subjects(text)


# --- several matters at once, and a relative's death told in passing (sentences written for this test)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("医保报销和公积金这俩事都想问问", {"就医费用报销一件事", "公积金提取一件事"}),
        ("俺姑前几天不在了 俺自己也快退休了 两件事都想咨询", {"身后一件事", "退休一件事"}),
        # what all needs doing, for two situations told
        ("我当过兵刚复员 还评上了残疾 都要办哪些手续", {"军人退役一件事", "残疾人服务一件事"}),
    ],
)
def test_several_matters_asked_together_are_offered_as_choices(text: str, expected: set) -> None:
    choice = choose_item(get_catalogue(), text, [], None, "overview")
    assert choice.item is None
    assert {item.name for item in choice.choices} == expected


@pytest.mark.parametrize(
    "text",
    [
        "社保卡那些事都想了解下",
        "这两件事都想问问",
        "公积金跟社保卡咋办",
        "孩子出生了 户口和社保卡都想问问",
        "刚复员回来 都要办哪些手续",
        # what all there is to do, but only one clause sure of an item in its own words
        "我是中药专业毕业的 想开个小药铺 都要办哪些证",
    ],
)
def test_one_matter_or_no_cue_is_not_several(text: str) -> None:
    assert several_items(get_catalogue(), text) == []


@pytest.mark.parametrize(
    "text", ["俺爹前天刚走 后面手续咋弄", "俺舅上个月走了，他的户口咋销", "家里老太太昨晚没了 要办啥"]
)
def test_a_relative_who_has_died_is_the_matter_after_a_death(text: str) -> None:
    assert choose_item(get_catalogue(), text, [], None, "overview").item == get_catalogue().get("身后一件事")


@pytest.mark.parametrize(
    "text",
    [
        "好了 俺走了",
        "老公送我到门口就走了 身份证在他车上",
        "俺妈没了工作 想自己交社保",
        "俺妈的卡没了 咋补",
        "窗口那个阿姨刚走 俺的材料还没交完",
        "俺的奶茶店没了 执照咋注销",
        "俺哥搬走了 他的居住证咋办",
    ],
)
def test_leaving_or_losing_something_is_not_a_death(text: str) -> None:
    choice = choose_item(get_catalogue(), text, [], None, "overview")
    assert choice.item != get_catalogue().get("身后一件事")
    assert all(item.id != "after_death" for item in choice.choices[:1])


@pytest.mark.parametrize(
    ("text", "context", "named", "expected"),
    [
        # whether the matter at hand bundles the item named: the matter at hand answers
        ("社保卡是不是也一块办的", "新生儿出生一件事", "社会保障卡居民服务一卡通一件事", "新生儿出生一件事"),
        ("员工参保也一块办吗", "开办企业一件事", "员工录用一件事", "开办企业一件事"),
        # it does not bundle it, or the question is not whether it covers it: the item named
        (
            "社保卡是不是也一块办的",
            "退休一件事",
            "社会保障卡居民服务一卡通一件事",
            "社会保障卡居民服务一卡通一件事",
        ),
        (
            "社保卡丢了咋补",
            "新生儿出生一件事",
            "社会保障卡居民服务一卡通一件事",
            "社会保障卡居民服务一卡通一件事",
        ),
    ],
)
def test_a_named_item_the_matter_at_hand_bundles(text: str, context: str, named: str, expected: str) -> None:
    catalogue = get_catalogue()
    mentions = [{"entity": "service", "value": named, "extractor": "ServiceLinker"}]
    choice = choose_item(catalogue, text, mentions, catalogue.get(context), "overview")
    assert choice.item is not None and choice.item.name == expected


@pytest.mark.parametrize(
    ("text", "answered"),
    [
        # treated elsewhere, paid back here: the other city is what the model read as out of scope
        ("在北京住的院 回郑州了 垫的医药费咋报", True),
        # nothing ties it here: another place's affair
        ("北京住院的医药费咋报", False),
        # Zhengzhou named, no other place: out of scope as the model read it
        ("郑州哪家医院看病报销比例高 想换个医院", False),
    ],
)
async def test_an_out_of_scope_reading_of_an_item_tied_here_gets_its_guide(text: str, answered: bool) -> None:
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, tracker(text, "out_of_scope", [], confidence=0.45), {})
    items = {(m.get("custom") or {}).get("item") for m in dispatcher.messages}
    assert ("就医费用报销一件事" in items) is answered
    if not answered:
        (reply,) = dispatcher.messages
        assert reply.get("response") == "utter_out_of_scope" or "北京" in reply["text"]


@pytest.mark.parametrize(
    ("in_context", "text"),
    [
        ("个体工商户登记一件事", "我们的经营场地是租来的，租房合同原件和复印件都要吗"),
        ("开办药店一件事", "药店那间铺子是跟房东租的，签的租房合同算证明不"),
        ("开办餐饮店一件事", "跟房东签的租赁合同得带原件吗"),
    ],
)
def test_a_paper_the_item_in_context_asks_for_keeps_it_though_another_item_has_its_words(
    in_context: str, text: str
) -> None:
    """The proof of the premises is a rental contract: 合同 and 房合 say 二手房 only by themselves."""
    catalogue = get_catalogue()
    context = catalogue.get(in_context)
    assert context is not None
    lines = catalogue.details(context, text)
    assert any("租房合同" in line for line in lines), "the item's guide says which paper"
    choice = choose_item(catalogue, text, [], context, "materials")
    assert choice.item is not None and choice.item.name == in_context
    assert choice.details == lines


@pytest.mark.parametrize(
    ("in_context", "text"),
    [
        # 发票 is bundled by 开办企业 and 开办运输企业 too, 档案 by no item; each is a paper of the item
        ("就医费用报销一件事", "门诊的发票让我弄丢了 咋整"),
        ("退休一件事", "档案在原单位找不着了 咋弄"),
    ],
)
def test_one_of_the_papers_of_the_item_in_context_keeps_it(in_context: str, text: str) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), "overview")
    assert choice.item is not None and choice.item.name == in_context


@pytest.mark.parametrize(
    ("in_context", "text"),
    [
        # 户口本 and 房产证: 居民户口簿 and 房屋产权证明 by their everyday names; 房产证 is evidence for
        # 新建商品房 and 二手房 too
        ("教育入学一件事", "户口本和房产证都得带上吗"),
        ("教育入学一件事", "房产证要带原件不"),
    ],
)
def test_papers_of_the_item_in_context_named_as_people_name_them_keep_it(in_context: str, text: str) -> None:
    catalogue = get_catalogue()
    assert catalogue.evidence(text).candidates, "the words are evidence for other items too"
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), "materials")
    assert choice.item is not None and choice.item.name == in_context
    # a message naming the other item turns to it (the linker's mention of 二手房过户)
    named = [{"entity": "service", "value": "二手房转移登记及水电气网联动过户一件事"}]
    turned = choose_item(catalogue, "二手房过户要带房产证吗", named, catalogue.get(in_context), "materials")
    assert turned.item is not None and turned.item.name == "二手房转移登记及水电气网联动过户一件事"


@pytest.mark.parametrize(
    ("in_context", "text", "expected"),
    [
        # a paper of the item in context (发票, 营业执照) named while turning to another matter
        ("新建商品房转移登记一件事", "看病住院的发票丢了 还能报销不", "就医费用报销一件事"),
        ("新建商品房转移登记一件事", "购房发票开了 公积金能提出来付首付不", "公积金提取一件事"),
        ("开办企业一件事", "股东要变了 营业执照要换吗", "企业信息变更一件事"),
    ],
)
def test_a_turn_to_another_matter_is_followed_though_it_names_a_paper_of_the_item_in_context(
    in_context: str, text: str, expected: str
) -> None:
    catalogue = get_catalogue()
    context = catalogue.get(in_context)
    assert context is not None and catalogue.papers_named(context, text)
    choice = choose_item(catalogue, text, [], context, "overview")
    assert choice.item is not None and choice.item.name == expected


@pytest.mark.parametrize(
    ("item", "text", "trouble"),
    [
        ("就医费用报销一件事", "住院发票不见了", True),
        ("新生儿出生一件事", "出生证明让俺弄丢了 还能办不", True),
        ("新生儿出生一件事", "没带结婚证咋办", True),
        # a trouble word not about the paper, or asking whether there is one
        ("就医费用报销一件事", "有没有医疗费用报销的上限", False),
        ("就医费用报销一件事", "还没出院能报销吗", False),
        ("公积金提取一件事", "名下没有房子 能提吗", False),
        ("教育入学一件事", "儿童还没满六岁能报名吗", False),
    ],
)
def test_trouble_is_with_a_paper_only_when_the_words_stand_together(
    item: str, text: str, trouble: bool
) -> None:
    catalogue = get_catalogue()
    found = catalogue.get(item)
    assert found is not None
    assert paper_trouble(catalogue, found, text) is trouble


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "aspect"),
    [
        ("俺的身份证上礼拜过期了 还能用不", "ask_eligibility", 0.4, "materials"),
        # whether it can still be done with the paper lost or expired: what to do is in the materials
        ("俺的身份证上礼拜过期了 还能用不", "ask_eligibility", 0.9, "materials"),
        # another aspect the model is sure of stays
        ("俺的身份证上礼拜过期了 补一个得多久", "ask_time_limit", 0.9, "time_limit"),
    ],
)
async def test_trouble_with_a_paper_of_the_item_in_context_is_answered_with_its_materials(
    text: str, intent: str, confidence: float, aspect: str
) -> None:
    """Unless the model is sure the question asks an aspect other than eligibility."""
    dispatcher = CollectingDispatcher()
    before = [{"event": "slot", "name": "service", "value": "退休一件事"}]
    latest = tracker(text, intent, before, slot="退休一件事", confidence=confidence)
    await ActionGuide().run(dispatcher, latest, {})
    card = dispatcher.messages[0]["custom"]
    assert card["item_id"] == "retirement" and card["aspect"] == aspect


def test_evidence_beyond_the_line_the_item_in_context_answers_with_is_followed() -> None:
    catalogue = get_catalogue()
    context = catalogue.get("个体工商户登记一件事")
    resale = catalogue.get("二手房转移登记及水电气网联动过户一件事")
    assert context is not None and resale is not None
    plain, more = "租房合同复印一份就够了吧", "租房合同要带 顺便问下二手房过户咋办"
    described = catalogue.evidence(plain).item  # the item the words alone point to (居住证)
    assert described is not None and described.name != context.name
    assert catalogue.explained_by(described, plain, catalogue.details(context, plain))
    assert not catalogue.explained_by(described, plain, []), "no line of the item in context answers"
    assert not catalogue.explained_by(resale, more, catalogue.details(context, more))
    choice = choose_item(catalogue, more, [], context, "materials")
    assert choice.item is not None and choice.item.name == resale.name


def test_an_item_named_or_pointed_to_by_the_line_is_never_explained_away() -> None:
    catalogue = get_catalogue()
    newborn, permit = catalogue.get("新生儿出生一件事"), catalogue.get("居住证办理一件事")
    change, move = catalogue.get("企业信息变更一件事"), catalogue.get("企业迁移登记一件事")
    assert newborn and permit and change and move
    named = "我媳妇想办河南省居住证 需要啥"  # the parents' 居住证 is a material of 新生儿出生
    assert any("居住证" in line for line in catalogue.details(newborn, named))
    assert not catalogue.explained_by(permit, named, catalogue.details(newborn, named))
    pointed = "迁移登记要带什么材料"  # 企业信息变更's line only points to 企业迁移登记
    assert not catalogue.explained_by(move, pointed, catalogue.details(change, pointed))


HOUSE = "二手房转移登记及水电气网联动过户一件事"


@pytest.mark.parametrize(
    ("in_context", "text", "expected"),
    [
        # "what if instead …" turns to another matter the catalogue is sure of, named or not
        (HOUSE, "那要是一手房呢 头回办证咋弄", "新建商品房转移登记一件事"),
        (HOUSE, "如果是开发商交的新房 房本咋办", "新建商品房转移登记一件事"),
        # the same words about the matter at hand, or the citizen's own situation, turn nowhere
        (HOUSE, "那要是材料不全呢", HOUSE),
        ("公积金提取一件事", "如果是贷款买的旧房子 能提吗", "公积金提取一件事"),
        ("新建商品房转移登记一件事", "如果是公积金贷款买的房 办证要带啥", "新建商品房转移登记一件事"),
    ],
)
def test_a_turn_to_another_matter_the_catalogue_is_sure_of_is_followed(
    in_context: str, text: str, expected: str
) -> None:
    catalogue = get_catalogue()
    aspect = (
        "materials" if "材料" in text or "带啥" in text else "eligibility" if "能提" in text else "overview"
    )
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), aspect)
    assert choice.item is not None and choice.item.name == expected


@pytest.mark.parametrize(
    ("in_context", "text", "expected"),
    [
        # a subject only the described item is filed under (公积金), nothing for the item in context
        (HOUSE, "首付差点钱 公积金账户里的能提出来用不", "公积金提取一件事"),
        # the citizen's situation, told in a subject several items share (户口), stays with the matter
        ("个体工商户登记一件事", "俺是外省户口 在这边也能登记吗", "个体工商户登记一件事"),
        # or told as who they are, or asking whether they still may, in a subject of one item
        ("申请公租房一件事", "俺是持证的残疾人 能优先不", "申请公租房一件事"),
        ("申请公租房一件事", "之前上过失信名单 现在还能申请不", "申请公租房一件事"),
    ],
)
def test_an_eligibility_question_leaves_the_matter_only_for_a_subject_of_the_other_item(
    in_context: str, text: str, expected: str
) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [], catalogue.get(in_context), "eligibility")
    assert choice.item is not None and choice.item.name == expected


def test_an_item_named_as_a_persons_state_in_asking_whether_the_matter_applies_keeps_it() -> None:
    catalogue = get_catalogue()
    hiring = catalogue.get("员工录用一件事")
    text = "刚招的老师傅是返聘的退休职工 也按这个办不"
    named = [{"value": "退休一件事", "extractor": "ServiceLinker"}]
    kept = choose_item(catalogue, text, named, hiring, "eligibility")
    assert kept.item is not None and kept.item.name == "员工录用一件事"
    alone = choose_item(catalogue, text, named, None, "eligibility")
    assert alone.item is not None and alone.item.name == "退休一件事"
    asked = choose_item(catalogue, "退休手续能在网上办吗", named, hiring, "online")
    assert asked.item is not None and asked.item.name == "退休一件事"
    # the item itself asked about, not a state: 退休手续, 居住证也能办
    for text, name in (("那退休手续还能办不", "退休一件事"), ("那居住证也能办不", "居住证办理一件事")):
        other = choose_item(catalogue, text, [{"value": name}], hiring, "eligibility")
        assert other.item is not None and other.item.name == name, text


@pytest.mark.parametrize(
    ("in_context", "text", "named", "expected"),
    [
        # what a person has or is, named after 有/是/领着/缴的: the matter at hand is asked about
        ("申请公租房一件事", "我们老两口都领着退休金 这样够条件吗", "退休一件事", "申请公租房一件事"),
        ("退休一件事", "俺媳妇是自己缴的灵活就业社保 到年龄了也这么办吗", "灵活就业一件事", "退休一件事"),
        # what a person has, asked whether it will do ("能…不", 中不中): the matter at hand
        (
            "教育入学一件事",
            "我们夫妻户口都在外地 手里有居住证 娃能在这边上学不",
            "居住证办理一件事",
            "教育入学一件事",
        ),
        (
            "申请公租房一件事",
            "没单位 手里就有个个体户执照 行不行",
            "个体工商户登记一件事",
            "申请公租房一件事",
        ),
        # what the matter at hand requires: its conditions
        ("教育入学一件事", "是不是要求居住证满半年", "居住证办理一件事", "教育入学一件事"),
        ("教育入学一件事", "家长得有居住证吗", "居住证办理一件事", "教育入学一件事"),
        # the other matter itself, wanted: followed
        ("员工录用一件事", "我自己想办退休 够条件吗", "退休一件事", "退休一件事"),
        ("申请公租房一件事", "俺要问的是居住证 俺符合条件吗", "居住证办理一件事", "居住证办理一件事"),
        ("教育入学一件事", "想先办个居住证 能办不", "居住证办理一件事", "居住证办理一件事"),
        # the other matter asked about after all: its own conditions, another act of it, or its word
        # in the question itself
        ("教育入学一件事", "学校要求居住证 办居住证要啥条件", "居住证办理一件事", "居住证办理一件事"),
        ("申请公租房一件事", "我有居住证 快到期了能延期不", "居住证办理一件事", "居住证办理一件事"),
        ("开办餐饮店一件事", "我有个体户执照 能注销不", "个体工商户登记一件事", "个体工商户登记一件事"),
        ("员工录用一件事", "我有个员工到年龄了 退休中不中", "退休一件事", "退休一件事"),
        ("申请公租房一件事", "我是退休的 退休金能涨不", "退休一件事", "退休一件事"),
        # a symptom told, asking whether the other matter may be done: that matter
        (
            "就医费用报销一件事",
            "脑梗以后半边身子动不了了 这样能评残疾不",
            "残疾人服务一件事",
            "残疾人服务一件事",
        ),
    ],
)
def test_what_a_person_has_or_is_in_asking_whether_the_matter_applies_keeps_it(
    in_context: str, text: str, named: str, expected: str
) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [{"value": named}], catalogue.get(in_context), "eligibility")
    assert choice.item is not None and choice.item.name == expected


@pytest.mark.parametrize(
    ("text", "intent", "answered"),
    [
        # an aspect button's title (材料) inside a question of its own: the hall's rule it asks
        ("证明里头有一样材料暂时开不了 先收件回头补交中不中", "faq", "rongque"),
        # the title with a few words around it answers the buttons: the item's materials
        ("那材料都有哪些呀", "faq", "materials"),
    ],
)
async def test_an_aspect_buttons_title_in_a_question_of_its_own_is_no_tap(
    text: str, intent: str, answered: str
) -> None:
    catalogue = get_catalogue()
    disability = catalogue.get("残疾人服务一件事")
    assert disability is not None
    card = {
        "event": "bot",
        "text": "…",
        "data": {
            "custom": {"type": "guide", "item_id": disability.id},
            "buttons": aspect_buttons(disability, "overview"),
        },
    }
    before = [{"event": "slot", "name": "service", "value": disability.name}, card]
    latest = tracker(text, intent, before, slot=disability.name, confidence=0.95)
    latest.latest_message[FAQ_TOPIC] = {"name": "rongque", "confidence": 0.95}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    custom = dispatcher.messages[0].get("custom") or {}
    assert answered in (custom.get("id"), custom.get("aspect")), dispatcher.messages[0]


@pytest.mark.parametrize(
    ("text", "named", "offered"),
    [
        # a broad subject named alone, which the linker took for one item: the items filed under it
        ("营业执照怎么弄", "开办企业一件事", {"开办企业一件事", "个体工商户登记一件事"}),
        ("想上户口", "新生儿出生一件事", {"新生儿出生一件事", "军人退役一件事"}),
        # two subjects overlapping (落户 and 户口)
        ("落户口的事咋弄", "新生儿出生一件事", {"新生儿出生一件事", "军人退役一件事"}),
    ],
)
def test_a_broad_subject_named_alone_offers_its_items(text: str, named: str, offered: set) -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, text, [{"value": named}], None, "overview")
    assert choice.item is None and offered <= {item.name for item in choice.choices}
    assert choice.choices[0].name == named


@pytest.mark.parametrize(
    ("text", "offered"),
    [
        # a broad subject alone that no item is named or sure for: the items filed under it first,
        # then the others the catalogue found (身后一件事 cancels a 户口)
        ("问下注销", ["企业注销一件事", "个体工商户登记一件事", "身后一件事"]),
        ("想变更一下", ["企业信息变更一件事", "个体工商户登记一件事"]),
        # a project's paperwork: starting the works and connecting the utilities are both of it
        ("工程上那些手续咋弄", ["建设项目开工一件事", "水电气网联合报装一件事"]),
        ("项目手续在这办吗", ["建设项目开工一件事", "水电气网联合报装一件事"]),
        # water, power and gas: connected anew or moved to the buyer of a resold flat
        ("燃气水电这块能在这儿办吗", ["水电气网联合报装一件事", "二手房转移登记及水电气网联动过户一件事"]),
        ("水电的事在你们这办不", ["水电气网联合报装一件事", "二手房转移登记及水电气网联动过户一件事"]),
    ],
)
def test_a_broad_subject_alone_no_item_is_sure_of_offers_its_items(text: str, offered: List[str]) -> None:
    choice = choose_item(get_catalogue(), text, [], None, "overview")
    assert choice.item is None and [item.name for item in choice.choices][: len(offered)] == offered


@pytest.mark.parametrize(
    "text", ["想上个户口", "上一下户口咋弄", "我想上社保", "户口上有错字咋改", "户口在办吗"]
)
def test_a_subject_with_a_verb_of_its_own_is_no_subject_alone(text: str) -> None:
    # 上 of 上户口 / 上社保 is doing it, not "about" the subject (工程上的手续)
    assert subject_alone(get_catalogue(), text) == []


def test_a_broad_subject_alone_asked_in_context_or_with_more_words_is_not_offered_as_choices() -> None:
    catalogue = get_catalogue()
    context = catalogue.get("个体工商户登记一件事")
    assert choose_item(catalogue, "问下注销", [], context, "overview").item is context
    choice = choose_item(catalogue, "公司好多东西都要变更一下", [], None, "overview")
    assert "个体工商户登记一件事" not in {item.name for item in choice.choices}


def test_a_subject_typed_to_choose_an_offered_item_is_that_item() -> None:
    """ "注销" typed after 开办企业, 企业注销, … were offered chooses 企业注销 (`actions.guide.as_tapped`),
    though the subject alone, asked first, offers every item filed under it."""
    from bot.guide import CHOSEN_BUTTON

    catalogue = get_catalogue()
    chosen = [{"entity": "service", "value": "企业注销一件事", "extractor": CHOSEN_BUTTON}]
    assert choose_item(catalogue, "注销", chosen, None, "overview").item.name == "企业注销一件事"
    linked = [{"entity": "service", "value": "企业注销一件事"}]
    assert choose_item(catalogue, "注销", linked, None, "overview").item is None


@pytest.mark.parametrize(
    ("text", "named", "aspect", "in_context"),
    [
        ("闺女想上户口", "新生儿出生一件事", "overview", None),  # 闺女 and 户口 share one item
        ("营业执照多少天能拿到", "开办企业一件事", "time_limit", None),  # another aspect asked
        ("营业执照怎么弄", "个体工商户登记一件事", "overview", "个体工商户登记一件事"),  # the matter at hand
        (
            "开办企业这个咋整",
            "开办企业一件事",
            "overview",
            None,
        ),  # its own name, though 开办 and 企业 are subjects
    ],
)
def test_a_subject_told_more_of_keeps_the_item_named(
    text: str, named: str, aspect: str, in_context: Optional[str]
) -> None:
    catalogue = get_catalogue()
    context = catalogue.get(in_context) if in_context else None
    choice = choose_item(catalogue, text, [{"value": named}], context, aspect)
    assert choice.item is not None and choice.item.name == named


@pytest.mark.parametrize(("topic_confidence", "offered"), [(0.2, True), (0.9, False)])
async def test_a_broad_subject_alone_read_as_faq_offers_its_items_unless_the_model_is_sure(
    topic_confidence: float, offered: bool
) -> None:
    latest = tracker("想办执照", "faq", [], confidence=0.4)
    latest.latest_message[FAQ_TOPIC] = {"name": "dianzizhengzhao", "confidence": topic_confidence}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    titles = [b["title"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert ("个体工商户登记一件事" in titles) is offered, dispatcher.messages
    faq = [m for m in dispatcher.messages if (m.get("custom") or {}).get("type") == "faq"]
    assert bool(faq) is not offered


async def test_utilities_asked_of_as_a_subject_and_read_as_faq_offer_both_items() -> None:
    latest = tracker("燃气水电这块能在这儿办吗", "faq", [], confidence=0.39)
    latest.latest_message[FAQ_TOPIC] = {"name": "kuasheng", "confidence": 0.2}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    titles = [b["title"] for m in dispatcher.messages for b in m.get("buttons") or []]
    both = {"水电气网联合报装一件事", "二手房转移登记及水电气网联动过户一件事"}
    assert both <= set(titles), dispatcher.messages
    assert not [m for m in dispatcher.messages if (m.get("custom") or {}).get("type") == "faq"]


async def test_an_aspect_asked_after_nothing_was_found_keeps_the_item_in_context() -> None:
    """The popular items offered when nothing matched are no choice an aspect question picks by characters."""
    catalogue = get_catalogue()
    reply = ask_which_item(catalogue, get_hall(), "ask_service_guide")
    before = [
        {"event": "slot", "name": "service", "value": "开办药店一件事"},
        {"event": "bot", "text": reply.text, "data": {"buttons": reply.buttons}},
    ]
    latest = tracker("它的收费标准", "ask_fee", before, slot="开办药店一件事", confidence=0.45)
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, latest, {})
    assert guide_item(dispatcher) == "开办药店一件事", dispatcher.messages
    assert (dispatcher.messages[0].get("custom") or {}).get("aspect") == "fee"


@pytest.mark.parametrize("found_nothing_between", [False, True])
async def test_a_fee_question_after_a_message_not_understood_is_still_the_items(
    found_nothing_between: bool,
) -> None:
    """A reply that found nothing leaves the item in context: its fee, not the hall's rule on fees."""
    catalogue = get_catalogue()
    drugstore = catalogue.get("开办药店一件事")
    assert drugstore is not None
    card = {"event": "bot", "text": "…", "data": {"custom": {"type": "guide", "item_id": drugstore.id}}}
    before: List[Dict[str, Any]] = [{"event": "slot", "name": "service", "value": drugstore.name}, card]
    if found_nothing_between:
        reply = ask_which_item(catalogue, get_hall(), "ask_process")
        before += [
            {"event": "user", "text": "xyz是啥", "parse_data": {"intent": {"name": "nlu_fallback"}}},
            {"event": "bot", "text": reply.text, "data": {"buttons": reply.buttons}},
        ]
    latest = tracker("收费标准是多少", "faq", before, slot=drugstore.name, confidence=0.7)
    latest.latest_message[FAQ_TOPIC] = {"name": "mianfei", "confidence": 0.7}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    custom = dispatcher.messages[0].get("custom") or {}
    assert (custom.get("item_id"), custom.get("aspect")) == (drugstore.id, "fee"), dispatcher.messages


@pytest.mark.parametrize(
    ("text", "topic_confidence", "offered", "entry_offered"),
    [
        # money several items pay, asked about as such: the items paying it; 惠企政策兑现, which speaks
        # of 补贴 too, a tap away below them
        ("听人讲政府在发补贴 我能领吗", 0.44, {"残疾人服务一件事", "灵活就业一件事"}, True),
        # 补助: paid by other items; the entry does not speak of it
        ("有人说有补助可以领 俺家能领不", 0.3, {"残疾人服务一件事", "身后一件事"}, False),
        # the FAQ writers' own question, the model sure of it: their entry
        ("补贴咋领", 0.93, set(), False),
        # a kind of subsidy the catalogue does not know (稳岗, 研发): an enterprise's, the FAQ's
        ("稳岗补贴能领不", 0.33, set(), False),
        ("研发补贴能领吗", 0.3, set(), False),
    ],
)
async def test_a_benefit_asked_about_as_such_offers_the_items_paying_it(
    text: str, topic_confidence: float, offered: set, entry_offered: bool
) -> None:
    latest = tracker(text, "faq", [], confidence=0.6)
    latest.latest_message[FAQ_TOPIC] = {"name": "zhengceduixian", "confidence": topic_confidence}
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, latest, {})
    first = {b["title"] for b in dispatcher.messages[0].get("buttons") or []}
    assert offered <= first if offered else not first, dispatcher.messages
    faq = [m for m in dispatcher.messages if (m.get("custom") or {}).get("type") == "faq"]
    assert bool(faq) is not offered, dispatcher.messages
    payloads = [b["payload"] for m in dispatcher.messages[1:] for b in m.get("buttons") or []]
    assert any(p.endswith('"zhengceduixian"}') for p in payloads) is entry_offered, dispatcher.messages


@pytest.mark.parametrize(
    ("text", "named", "offered"),
    [
        # a broad subject typed by its sound (执造 for 执照), which the linker took for one item
        ("营业执造怎么弄", "开办企业一件事", {"开办企业一件事", "个体工商户登记一件事"}),
        ("营业执找咋办", "开办企业一件事", {"开办企业一件事", "个体工商户登记一件事"}),
    ],
)
def test_a_broad_subject_typed_by_its_sound_offers_its_items(text: str, named: str, offered: set) -> None:
    catalogue = get_catalogue()
    mentions = [{"value": named, "extractor": "ServiceLinker.description"}]
    choice = choose_item(catalogue, text, mentions, None, "overview")
    assert choice.item is None and offered <= {item.name for item in choice.choices}


def test_a_broad_subject_typed_in_pinyin_offers_its_items() -> None:
    catalogue = get_catalogue()
    choice = choose_item(catalogue, "guohu怎么办", [], None, "overview")
    assert choice.item is None
    assert {"二手房转移登记及水电气网联动过户一件事", "新建商品房转移登记一件事"} <= {
        i.name for i in choice.choices
    }


def test_taking_on_staff_after_opening_a_shop_turns_to_hiring() -> None:
    catalogue = get_catalogue()
    restaurant = catalogue.get("开办餐饮店一件事")
    choice = choose_item(catalogue, "等店开起来 要雇俩帮厨 他们的保险咋弄", [], restaurant, "overview")
    assert choice.item is not None and choice.item.name == "员工录用一件事"


def test_the_matter_at_hand_told_as_finished_before_another_is_a_switch() -> None:
    catalogue = get_catalogue()
    credit = catalogue.get("信用修复一件事")
    assert credit is not None
    assert opens_new_matter(catalogue, "等修复完 还得变更下经营范围 流程咋走", credit)
    named = [{"value": "企业信息变更一件事", "extractor": "ServiceLinker.description"}]
    choice = choose_item(catalogue, "等修复完 还得变更下经营范围 流程咋走", named, credit, "process")
    assert choice.item is not None and choice.item.name == "企业信息变更一件事"
    # a step of the matter at hand finished, in words not of its name: no switch
    hiring = catalogue.get("员工录用一件事")
    assert hiring is not None
    assert not opens_new_matter(catalogue, "社保登记办完还得去交公积金吗", hiring)
    # a step of the matter at hand finished, with nothing else named: no switch is looked for
    kept = choose_item(catalogue, "交完材料还要等几天", [], credit, "time_limit")
    assert kept.item is not None and kept.item.name == "信用修复一件事"


def test_another_as_the_other_one_is_no_switch_cue() -> None:
    catalogue = get_catalogue()
    opening = catalogue.get("开办企业一件事")
    assert opening is not None
    assert not opens_new_matter(catalogue, "另外一个合伙人在外地 他签字咋弄", opening)
    assert opens_new_matter(catalogue, "另外 招的人社保咋交", opening)
    assert opens_new_matter(catalogue, "另外一个事 招的员工社保咋交", opening)


def test_a_sure_eligibility_question_about_a_paper_the_citizen_lacks_keeps_its_conditions() -> None:
    catalogue = get_catalogue()
    drugstore = catalogue.get("开办药店一件事")
    assert drugstore is not None
    assert (
        aspect_for_paper(catalogue, drugstore, "俺还没有执业药师证 能开不", "eligibility", False)
        == "eligibility"
    )
    assert (
        aspect_for_paper(catalogue, drugstore, "执业药师证丢了 还能开不", "eligibility", False) == "materials"
    )
    # not issued yet by whoever issues it: what to do meanwhile is in the materials
    newborn = catalogue.get("新生儿出生一件事")
    assert newborn is not None
    for text in ("出生证明到现在还没发 先办行不", "娃的出生医学证明没拿到 能办吗"):
        assert aspect_for_paper(catalogue, newborn, text, "eligibility", False) == "materials", text


async def test_a_sure_out_of_scope_message_merely_naming_a_paper_stays_out_of_scope() -> None:
    catalogue = get_catalogue()
    medical = catalogue.get("就医费用报销一件事")
    assert medical is not None
    card = {"event": "bot", "text": "…", "data": {"custom": {"type": "guide", "item_id": medical.id}}}
    before = [{"event": "slot", "name": "service", "value": medical.name}, card]
    text = "网购的东西发票怎么开"
    dispatcher = CollectingDispatcher()
    latest = tracker(text, "out_of_scope", before, slot=medical.name, confidence=0.95)
    await ActionOutOfScope().run(dispatcher, latest, {})
    assert dispatcher.messages[0]["response"] == "utter_out_of_scope"


async def test_a_subject_alone_read_as_an_aspect_offers_its_items_to_open_as_overviews() -> None:
    """ "问下注销" read as ask_eligibility: the choices' buttons ask no aspect of the item chosen."""
    dispatcher = CollectingDispatcher()
    latest = tracker("问下注销", "ask_eligibility", [], confidence=0.3)
    await ActionGuide().run(dispatcher, latest, {})
    buttons = dispatcher.messages[0]["buttons"]
    assert {"企业注销一件事", "个体工商户登记一件事"} <= {b["title"] for b in buttons}
    assert all(b["payload"].startswith("/ask_service_guide") for b in buttons)


def test_a_subject_alone_after_an_item_not_filed_under_it_offers_its_items() -> None:
    catalogue = get_catalogue()
    context = catalogue.get("开办企业一件事")
    for aspect in ("overview", "eligibility"):
        choice = choose_item(catalogue, "问下注销", [], context, aspect)
        assert choice.item is None and choice.current is context
        assert {"企业注销一件事", "个体工商户登记一件事"} <= {item.name for item in choice.choices}


async def test_a_subject_typed_to_choose_among_offered_items_answers_that_item() -> None:
    """The typed reply becomes the tapped button (`actions.guide.as_tapped`), marked as chosen."""
    from bot.guide import did_you_mean

    catalogue = get_catalogue()
    offered = [catalogue.get(name) for name in ("开办企业一件事", "企业注销一件事", "企业迁移登记一件事")]
    question = did_you_mean([item for item in offered if item is not None], "ask_service_guide")
    before = [{"event": "bot", "text": question.text, "data": {"buttons": question.buttons}}]
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker("注销", "ask_service_guide", before, confidence=1.0), {})
    assert guide_item(dispatcher) == "企业注销一件事"


def test_a_subject_the_linker_takes_for_one_item_after_another_item_offers_its_items() -> None:
    """ "想上户口", linked to 新生儿出生: after 开办企业 the items filed under 户口, 开办企业 last; after
    军人退役, which is filed under it too, that item stays."""
    catalogue = get_catalogue()
    linked = [{"entity": "service", "value": "新生儿出生一件事"}]
    choice = choose_item(catalogue, "想上户口", linked, catalogue.get("开办企业一件事"), "overview")
    assert choice.item is None and choice.current is catalogue.get("开办企业一件事")
    assert [item.name for item in choice.choices][:2] == ["新生儿出生一件事", "军人退役一件事"]
    kept = choose_item(catalogue, "想上户口", linked, catalogue.get("军人退役一件事"), "eligibility")
    assert kept.item is catalogue.get("军人退役一件事")


@pytest.mark.parametrize(
    ("earlier", "in_context", "text", "expected"),
    [
        # 孩子 is a subject of 新生儿出生, talked about before, not of 身后一件事 at hand: back to it
        ("新生儿出生一件事", "身后一件事", "孩子那个的手续大概要多少天", "新生儿出生一件事"),
        # no far pointer, or a subject the matter at hand is filed under too: the matter at hand
        ("新生儿出生一件事", "身后一件事", "孩子的事办得咋样", "身后一件事"),
        ("退休一件事", "身后一件事", "老人那个事要多久", "身后一件事"),
        ("新生儿出生一件事", "教育入学一件事", "孩子那个要多久", "教育入学一件事"),
    ],
)
def test_a_far_pointer_with_a_subject_of_the_earlier_matter_goes_back_to_it(
    earlier: str, in_context: str, text: str, expected: str
) -> None:
    catalogue = get_catalogue()
    choice = choose_item(
        catalogue, text, [], catalogue.get(in_context), "time_limit", earlier=catalogue.get(earlier)
    )
    assert choice.item is not None and choice.item.name == expected


def test_a_lone_offered_item_named_in_the_reply_is_chosen() -> None:
    from bot.choices import typed_choice

    catalogue = get_catalogue()
    lone = choices_event(["建设项目开工一件事"])["data"]["buttons"]
    named = {"建设项目开工一件事"}
    chosen = typed_choice(catalogue, "就是盖厂房要办施工许可证", lone, named)
    assert chosen is not None and chosen["title"] == "建设项目开工一件事"
    assert typed_choice(catalogue, "就是盖厂房要办施工许可证", lone) is None  # the NLU linked nothing
    assert typed_choice(catalogue, "个体户咋办", lone, {"个体工商户登记一件事"}) is None  # another item
    # a question naming the item asks its own (the hall's weekend hours), no choice
    assert typed_choice(catalogue, "办施工许可周六能去吗", lone, named) is None
    # an item's own aspect buttons (材料, 流程 …) offer no item to choose
    aspects = aspect_buttons(catalogue.get("建设项目开工一件事"), "overview")  # type: ignore[arg-type]
    assert typed_choice(catalogue, "施工许可证办下来要多久", aspects, named) is None


@pytest.mark.parametrize(
    ("text", "stays"),
    [
        ("等证办下来以后 每月能领多少补贴", True),
        ("另外问问 失业了以后每个月有补贴没有", False),  # turns away
        ("那要是失业了 办下来以后有补贴没有", False),  # supposes another state
        ("每月补贴有没有", False),  # tells nothing done: the model's reading decides
        ("办下来以后 我自己没工作 补贴咋领", False),  # the citizen's own other state
    ],
)
def test_a_subject_the_matter_at_hand_shares_asked_of_it_keeps_it(text: str, stays: bool) -> None:
    catalogue = get_catalogue()
    disability, flexible = catalogue.get("残疾人服务一件事"), catalogue.get("灵活就业一件事")
    assert disability is not None and flexible is not None
    described = [{"value": flexible.name, "extractor": "ServiceLinker.description"}]
    from bot.guide import shares_a_subject

    assert shares_a_subject(catalogue, text, flexible, disability) is stays
    if stays:
        assert choose_item(catalogue, text, described, disability, "overview").item == disability
