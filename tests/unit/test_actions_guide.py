"""The guide action's context rules, with the linker's real entities for each message."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.guide import ActionGuide, item_in_context
from bot.catalogue import get_catalogue, load_catalogue
from bot.faq import FAQ_TOPIC
from bot.guide import INTENT_TO_ASPECT
from bot.hall import get_hall
from bot.nlu.service_linker import ServiceIndex

SERVICES = Path(__file__).resolve().parents[2] / "data" / "services"
OPENING, HOUSE, DISABILITY = "开办企业一件事", "二手房转移登记及水电气网联动过户一件事", "残疾人服务一件事"
SOCIAL_CARD, AFTER_DEATH = "社会保障卡居民服务一卡通一件事", "身后一件事"


@pytest.fixture(scope="module")
def index() -> ServiceIndex:
    return ServiceIndex(load_catalogue(SERVICES))


def tracker(
    intent: str,
    text: str,
    entities: List[Dict[str, Any]],
    context: Optional[str] = None,
    slot: Optional[str] = None,
    ranking: Optional[List[Dict[str, Any]]] = None,
    confidence: float = 0.9,
) -> Tracker:
    """A tracker whose item in context is ``context``; ``slot`` is the slot after this message's mappings."""
    events: List[Dict[str, Any]] = []
    if context:
        events.append({"event": "slot", "name": "service", "value": context})
    events.append({"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}})
    return Tracker(
        sender_id="guide-test",
        slots={"service": slot if slot is not None else context},
        latest_message={
            "intent": {"name": intent, "confidence": confidence},
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            "text": text,
            "entities": entities,
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def ask(
    index: ServiceIndex, intent: str, text: str, context: Optional[str] = None, confidence: float = 0.9
) -> tuple[Dict[str, Any], List[Dict[str, Any]]]:
    """Link the message as the NLU pipeline would, apply the slot mapping, run the action."""
    entities = index.link(text, intent)
    slot = entities[-1]["value"] if entities else context
    dispatcher = CollectingDispatcher()
    latest = tracker(intent, text, entities, context, slot, confidence=confidence)
    events = await ActionGuide().run(dispatcher, latest, {})
    assert len(dispatcher.messages) == 1
    return dispatcher.messages[0], events


def answered(message: Dict[str, Any]) -> str:
    """The item a guide reply (or its 个性指南 question) is about."""
    item = get_catalogue().get(message["custom"]["item_id"])
    assert item is not None
    return item.name


def titles(message: Dict[str, Any]) -> List[str]:
    return [button["title"] for button in message.get("buttons") or []]


# --- items described without their name --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("闺女刚满月 医保咋弄", "新生儿出生一件事"),
        ("厂里新招了十几个工人 社保咋交", "员工录用一件事"),
        ("店里想卖点药 要啥证", "开办药店一件事"),
    ],
)
async def test_a_described_item_is_answered(index: ServiceIndex, text: str, item: str) -> None:
    message, events = await ask(index, "ask_service_guide", text)
    assert answered(message) == item
    assert SlotSet("service", item) in events


@pytest.mark.parametrize(
    ("intent", "text", "aspect"),
    [
        # the situation told at length, the aspect only guessed by the intent model: the whole matter
        (
            "ask_materials",
            "我家老爷子上个月过世了，听说户口社保养老金这些都得去注销，能不能跑一趟全弄完",
            "overview",
        ),
        ("ask_time_limit", "厂里这个月新招了十几个工人，社保公积金都还没给他们上，这事咋整才好", "overview"),
        # what a matter covers, however short, unless it names another aspect's matter
        ("ask_eligibility", "员工录用一件事都能办啥", "overview"),
        ("ask_window", "退休一件事 医保也是一块儿办的吗", "overview"),
        ("ask_materials", "公积金提取材料都包括啥事", "materials"),
        # the aspect's own words, or a short question: the aspect asked
        ("ask_materials", "我家老爷子上个月过世了，注销户口和停养老金这些，需要带什么材料过去", "materials"),
        ("ask_online", "老人去世了 销户能在网上弄不", "online"),
        ("ask_online", "家里老人上个月刚去世了，销户和停养老金这些能在网上弄不，不想来回跑", "online"),
    ],
)
async def test_a_situation_told_at_length_gets_the_whole_matter(
    index: ServiceIndex, intent: str, text: str, aspect: str
) -> None:
    message, _ = await ask(index, intent, text)
    assert message["custom"]["aspect"] == aspect


@pytest.mark.parametrize(
    ("intent", "text", "confidence", "aspect"),
    [
        # naming its item, or with a line of the guide it asks about: the whole matter when the
        # intent model only guessed the aspect…
        (
            "ask_eligibility",
            "俺家老人上月走了，听说身后一件事能把销户停保一起弄了，俺能替他办不",
            0.3,
            "overview",
        ),
        (
            "ask_eligibility",
            "公司前年没按时报年报上了异常名录，年报已经补上了，咋样才能移出来",
            0.2,
            "overview",
        ),
        # …the aspect asked when it was sure of it
        (
            "ask_materials",
            "俺想给俺爹办退休，他是企业职工，需要提供哪些东西，身份证户口本要不要",
            0.97,
            "materials",
        ),
        ("ask_materials", "二手房过户的时候水电燃气要一起过户，得带哪些证件跟户口本", 0.99, "materials"),
        # the aspect's own words keep it however unsure the model was
        ("ask_window", "俺想办个残疾证，俺娘腿脚不利索走不了路，去哪个地方办，在几楼", 0.5, "window"),
    ],
)
async def test_a_long_first_message_naming_its_item_keeps_an_aspect_the_model_was_sure_of(
    index: ServiceIndex, intent: str, text: str, confidence: float, aspect: str
) -> None:
    message, _ = await ask(index, intent, text, confidence=confidence)
    assert message["custom"]["aspect"] == aspect


NEWBORN, TRANSPORT, SOLE_TRADER = "新生儿出生一件事", "开办运输企业一件事", "个体工商户登记一件事"


@pytest.mark.parametrize(
    ("intent", "text", "confidence", "context", "item", "aspect"),
    [
        # turning to an item with an aspect the model guessed, and no aspect in words: the overview
        (
            "ask_process",
            "算了太麻烦 还是把店改成个体户干吧 个体户咋登记",
            0.2,
            OPENING,
            SOLE_TRADER,
            "overview",
        ),
        ("ask_materials", "打算开家药店 得跑几个许可证", 0.22, None, "开办药店一件事", "overview"),
        # the model sure of its aspect keeps it
        ("ask_process", "个体户咋登记", 0.8, OPENING, SOLE_TRADER, "process"),
        # the aspect in words keeps it however unsure the model was
        ("ask_process", "个体户登记的流程是啥", 0.2, OPENING, SOLE_TRADER, "process"),
        # a follow-up about the item in context keeps its aspect: it turns to no other item, whether
        # it names the item in context or describes another that the context outweighs
        ("ask_process", "开办企业还要刻章吗 咋弄", 0.2, OPENING, OPENING, "process"),
        ("ask_process", "刻章领发票咋弄", 0.3, TRANSPORT, TRANSPORT, "process"),
        ("ask_time_limit", "我是外地户口 会慢点不", 0.3, NEWBORN, NEWBORN, "time_limit"),
        # the citizen's own situation stays with the item in context, at its aspect
        ("ask_eligibility", "上了黑名单还能办不", 0.3, NEWBORN, NEWBORN, "eligibility"),
        ("ask_eligibility", "我是租房住的 能办不", 0.3, NEWBORN, NEWBORN, "eligibility"),
    ],
)
async def test_an_item_turned_to_with_a_guessed_aspect_gets_its_overview(
    index: ServiceIndex,
    intent: str,
    text: str,
    confidence: float,
    context: Optional[str],
    item: str,
    aspect: str,
) -> None:
    message, _ = await ask(index, intent, text, context=context, confidence=confidence)
    assert answered(message) == item
    assert message["custom"]["aspect"] == aspect


async def test_the_confidence_weighed_is_that_of_the_intent_answered() -> None:
    # the FAQ action passes in a guide intent from the ranking: its own confidence counts, not faq's
    text = "算了太麻烦 还是把店改成个体户干吧 个体户咋登记"
    ranking = [{"name": "faq", "confidence": 0.55}, {"name": "ask_process", "confidence": 0.3}]
    entities = [{"entity": "service", "value": SOLE_TRADER, "extractor": "ServiceLinker"}]
    latest = tracker("faq", text, entities, OPENING, SOLE_TRADER, ranking=ranking, confidence=0.55)
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, latest, {}, intent="ask_process")
    assert answered(dispatcher.messages[-1]) == SOLE_TRADER
    assert dispatcher.messages[-1]["custom"]["aspect"] == "overview"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("听说有补助 咋领", "残疾人服务一件事"),
        ("想问问医保的事", "就医费用报销一件事"),
        ("公司的事想咨询", "开办企业一件事"),
    ],
)
async def test_a_vague_question_gets_choices_not_a_guess(
    index: ServiceIndex, text: str, expected: str
) -> None:
    message, events = await ask(index, "ask_service_guide", text)
    assert message["text"].startswith("您是想办理")
    assert expected in titles(message) and 2 <= len(titles(message)) <= 4
    assert events == []


async def test_nothing_at_all_offers_the_popular_items_and_the_hotline(index: ServiceIndex) -> None:
    message, events = await ask(index, "ask_service_guide", "我想办护照")
    assert get_hall().consultation_phone in message["text"] and message["buttons"]
    assert events == []


# --- follow-ups that lean on the item in context ----------------------------------------------


@pytest.mark.parametrize("intent", ["ask_service_guide", "ask_process", "ask_materials"])
async def test_hearsay_about_a_detail_answers_from_the_item_in_context(
    index: ServiceIndex, intent: str
) -> None:
    message, events = await ask(index, intent, "听人说发票不用去税务局领了 是不是真的", OPENING)
    assert answered(message) == OPENING
    first = message["text"].split("\n\n")[0]
    assert "发票" in first and "税务局" in first  # the line of the guide, before the generic answer
    assert message["custom"]["sections"][0]["title"] == "相关说明"
    assert SlotSet("service", OPENING) in events


async def test_the_other_party_of_the_item_in_context(index: ServiceIndex) -> None:
    message, _ = await ask(index, "ask_service_guide", "买房那边的人也得到场吗", HOUSE)
    assert answered(message) == HOUSE
    assert "到场" in message["text"].split("\n\n")[0]


@pytest.mark.parametrize("intent", ["ask_service_guide", "ask_eligibility", "ask_online"])
async def test_a_relative_who_cannot_come_gets_the_home_assessment(index: ServiceIndex, intent: str) -> None:
    message, _ = await ask(index, intent, "老人出不了门 能上门给评吗", DISABILITY)
    assert answered(message) == DISABILITY
    assert "上门评定" in message["text"].split("\n\n")[0]


@pytest.mark.parametrize(
    ("item", "intent", "text", "aspect"),
    [
        # the intents the model gave these in a review and on trying: conditions, steps, overview
        ("退休一件事", "ask_eligibility", "俺爹腿脚不中，来不了咋办", "online"),
        ("二手房转移登记及水电气网联动过户一件事", "ask_process", "卖家在国外 来不了咋弄", "online"),
        ("公积金提取一件事", "ask_service_guide", "本人来不了能办吗", "online"),
        # an item whose 个性指南 question offers doing it by proxy: the checklist of the one sent
        ("社会保障卡居民服务一卡通一件事", "ask_eligibility", "我妈住院了 过不来 咋办", "materials"),
    ],
)
async def test_someone_who_cannot_come_is_told_how_it_is_done_without_coming(
    index: ServiceIndex, item: str, intent: str, text: str, aspect: str
) -> None:
    dispatcher = CollectingDispatcher()
    entities = index.link(text, intent)
    await ActionGuide().run(dispatcher, tracker(intent, text, entities, item), {})
    assert dispatcher.messages[0]["custom"]["item_id"] == get_catalogue().get(item).id  # type: ignore[union-attr]
    assert dispatcher.messages[0]["custom"]["aspect"] == aspect
    offered = [b["title"] for m in dispatcher.messages[1:] for b in m.get("buttons") or []]
    assert offered == (["委托代办与授权委托书"] if aspect == "online" else [])


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("来不了 要带啥", "ask_materials"),  # an aspect in words
        ("孩子他爸在外地回不来，我一个人能去办不", "ask_eligibility"),  # whether one may come alone
        ("来不了 让俺弟去办中不中", "ask_eligibility"),  # whether someone else may do it
    ],
)
async def test_cannot_come_with_its_own_question_keeps_that_question(
    index: ServiceIndex, text: str, intent: str
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker(intent, text, [], "新生儿出生一件事"), {})
    assert dispatcher.messages[0]["custom"]["aspect"] == INTENT_TO_ASPECT[intent]
    assert len(dispatcher.messages) == 1


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_eligibility", "我这种情况能办吗"),
        ("ask_materials", "我爸的情况要带什么材料"),
        ("ask_fee", "要是找人代办要花钱吗"),
        ("ask_service_guide", "听说这个现在可以网上办了"),
        ("ask_service_guide", "那我媳妇也得去吗"),
        ("ask_time_limit", "多久能办好"),
    ],
)
async def test_a_follow_up_naming_nothing_stays_with_the_item(
    index: ServiceIndex, intent: str, text: str
) -> None:
    message, events = await ask(index, intent, text, "退休一件事")
    assert answered(message) == "退休一件事"
    assert SlotSet("service", "退休一件事") in events


async def test_a_button_payload_keeps_the_item_in_context(index: ServiceIndex) -> None:
    message, _ = await ask(index, "ask_fee", "/ask_fee", OPENING)
    assert answered(message) == OPENING and message["custom"]["aspect"] == "fee"


# --- switching to another item ----------------------------------------------------------------


async def test_a_described_switch_is_followed(index: ServiceIndex) -> None:
    message, events = await ask(index, "ask_service_guide", "闺女刚满月 医保咋弄", OPENING)
    assert answered(message) == "新生儿出生一件事"
    assert SlotSet("service", "新生儿出生一件事") in events


async def test_a_named_switch_is_followed(index: ServiceIndex) -> None:
    message, _ = await ask(index, "ask_materials", "那注销公司要带啥", OPENING)
    assert answered(message) == "企业注销一件事"


async def test_a_vague_other_subject_offers_choices_and_the_way_back(index: ServiceIndex) -> None:
    message, events = await ask(index, "ask_service_guide", "想问问医保的事", OPENING)
    assert "就医费用报销一件事" in titles(message)
    assert titles(message)[-1] == f"继续问{OPENING}"
    assert OPENING not in titles(message)[:-1]
    assert events == []


async def test_an_overview_question_about_nothing_known_does_not_restate_the_item(
    index: ServiceIndex,
) -> None:
    message, events = await ask(index, "ask_service_guide", "我想办护照", "退休一件事")
    assert "退休" not in message["text"]
    assert events == []


async def test_a_description_that_also_fits_the_item_in_context_keeps_it(index: ServiceIndex) -> None:
    """刻章领发票 describes 开办企业 as well as 开办运输企业: in context of the latter, stay there."""
    message, events = await ask(index, "ask_process", "刻章领发票在哪办", "开办运输企业一件事")
    assert answered(message) == "开办运输企业一件事"
    assert SlotSet("service", "开办运输企业一件事") in events


async def test_choices_restore_the_slot_a_description_changed() -> None:
    catalogue = get_catalogue()
    entity = {"entity": "service", "value": "身后一件事", "extractor": "ServiceLinker.description"}
    described = tracker("ask_service_guide", "/ask_service_guide", [entity], OPENING, slot="身后一件事")
    assert item_in_context(described) == OPENING
    assert catalogue.get(OPENING) is not None
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(dispatcher, described, {})
    # a payload naming an item by a button is taken as it is
    assert dispatcher.messages[0]["custom"]["item"] == "身后一件事"
    assert SlotSet("service", "身后一件事") in events


def test_the_context_is_the_slot_before_the_latest_message() -> None:
    assert item_in_context(tracker("ask_fee", "多少钱", [], OPENING, slot="退休一件事")) == OPENING
    bare = Tracker("t", {"service": HOUSE}, {"text": ""}, [], False, None, {}, "action_listen")
    assert item_in_context(bare) == HOUSE


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_eligibility", "我是外地户口 能办不"),
        ("ask_eligibility", "上了黑名单还能办不"),
        ("ask_materials", "我是租房住的 要带啥"),
    ],
)
async def test_the_citizens_own_situation_is_not_a_new_item(
    index: ServiceIndex, intent: str, text: str
) -> None:
    """These words describe other items (居住证, 信用修复), but here they are the citizen's circumstances."""
    assert index.link(text, intent)  # the linker does see another item
    message, events = await ask(index, intent, text, "新生儿出生一件事")
    assert answered(message) == "新生儿出生一件事"
    assert SlotSet("service", "新生儿出生一件事") in events


async def test_an_overview_of_a_described_other_item_switches_even_with_a_relative(
    index: ServiceIndex,
) -> None:
    message, _ = await ask(index, "ask_service_guide", "我爸走了 后事手续怎么办", OPENING)
    assert answered(message) == "身后一件事"


# -- a message the NLU could not place, right after a guide answer ---------------------------------


@pytest.mark.parametrize(
    "text, context",
    [
        ("听说对方不用来了 是真的吗", HOUSE),  # hearsay about the other party
        ("俺娘在床上起不来 家里人能替她去不", DISABILITY),  # a relative, the citizen's situation
    ],
)
async def test_unsure_message_leaning_on_the_item_in_context_gets_its_guide(
    index: ServiceIndex, text: str, context: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    events = await ActionFaq().run(
        dispatcher, tracker("nlu_fallback", text, index.link(text, "nlu_fallback"), context), {}
    )
    [reply] = dispatcher.messages
    assert reply["custom"]["item"] == context, reply
    assert SlotSet("service", context) in events


@pytest.mark.parametrize("context", [None, HOUSE])
async def test_unsure_message_about_nothing_in_context_is_not_forced_onto_the_item(
    index: ServiceIndex, context: Optional[str]
) -> None:
    from actions.guide import answer_in_context

    dispatcher = CollectingDispatcher()
    text = "今天天气怎么样"
    assert answer_in_context(dispatcher, tracker("nlu_fallback", text, [], context)) is None
    assert dispatcher.messages == []


def choices_then(
    text: str, intent: str, entities: List[Dict[str, Any]], after_user: List[Dict[str, Any]]
) -> Tracker:
    """The bot offered three items; the citizen typed ``text``; Rasa may log slot events after it."""
    asked = {
        "event": "bot",
        "text": "您是想办理以下哪个事项？请点击选择：",
        "data": {
            "buttons": [
                {"title": n, "payload": f'/ask_time_limit{{"service": "{n}"}}'}
                for n in ("公积金提取一件事", "申请公租房一件事", "新建商品房转移登记一件事")
            ]
        },
    }
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
    return Tracker(
        sender_id="guide-test",
        slots={"service": None},
        latest_message={"intent": {"name": intent, "confidence": 0.3}, "text": text, "entities": entities},
        events=[asked, {"event": "action", "name": "action_listen"}, user, *after_user],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "after_user", [[], [{"event": "slot", "name": "appointment_operation", "value": None}]]
)
@pytest.mark.parametrize("text", ["公积金那个", "第一个"])
async def test_typed_answer_to_item_choices_is_the_tap(
    index: ServiceIndex, text: str, after_user: List[Dict[str, Any]]
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    events = await ActionFaq().run(dispatcher, choices_then(text, "nlu_fallback", [], after_user), {})
    [reply] = dispatcher.messages
    assert reply["custom"]["item"] == "公积金提取一件事" and reply["custom"]["aspect"] == "time_limit"
    assert SlotSet("service", "公积金提取一件事") in events


async def test_describing_one_offered_item_chooses_it(index: ServiceIndex) -> None:
    from actions.guide import chosen_guide_button

    text = "就是开发商交房以后办房本"
    entities = [{"entity": "service", "value": "新建商品房转移登记一件事", "start": 0, "end": len(text)}]
    chosen = chosen_guide_button(choices_then(text, "nlu_fallback", entities, []))
    assert chosen is not None and "新建商品房转移登记一件事" in chosen["payload"]
    assert chosen_guide_button(choices_then("今天天气咋样", "nlu_fallback", [], [])) is None


async def test_naming_the_item_of_aspect_buttons_is_no_tap(index: ServiceIndex) -> None:
    """After an overview (aspect buttons of one item), naming the item chooses no aspect button."""
    from actions.guide import chosen_guide_button
    from bot.guide import aspect_buttons

    item = get_catalogue().get("社会保障卡居民服务一卡通一件事")
    assert item is not None
    asked = {"event": "bot", "text": "…", "data": {"buttons": aspect_buttons(item, "overview")}}
    text = "社保卡补卡要钱不"
    latest = {"intent": {"name": "ask_fee"}, "text": text, "entities": index.link(text, "ask_fee")}
    tracker = Tracker(
        sender_id="guide-test",
        slots={"service": item.name},
        latest_message=latest,
        events=[asked, {"event": "user", "text": text}],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    assert latest["entities"] and chosen_guide_button(tracker) is None


UNSURE = [{"name": "nlu_fallback", "confidence": 0.3}]


@pytest.mark.parametrize(
    ("text", "best", "item", "aspect"),
    [
        ("社保卡补办", "ask_service_guide", "社会保障卡居民服务一卡通一件事", "overview"),
        ("社保卡补办要带啥", "ask_materials", "社会保障卡居民服务一卡通一件事", "materials"),
    ],
)
async def test_unsure_message_naming_an_item_gets_the_guide_of_its_best_guide_intent(
    index: ServiceIndex, text: str, best: str, item: str, aspect: str
) -> None:
    from actions.faq import ActionFaq

    ranking = [*UNSURE, {"name": best, "confidence": 0.29}, {"name": "faq", "confidence": 0.2}]
    entities = index.link(text, best)
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker("nlu_fallback", text, entities, None, item, ranking), {})
    # the guide's answer, or its 个性指南 question first (which kind of application)
    [card] = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    answered = get_catalogue().get(card.get("item") or card.get("item_id") or "")
    assert card["type"] in ("guide", "guide_question"), card
    assert answered is not None and answered.name == item and card["aspect"] == aspect, card


@pytest.mark.parametrize(
    ("text", "best"),
    [
        ("社保卡补办", "faq"),  # the model's best guess is not a guide question
        ("补办一下", "ask_service_guide"),  # no item named or described
    ],
)
async def test_unsure_message_without_both_is_not_taken_as_a_guide_question(
    index: ServiceIndex, text: str, best: str
) -> None:
    from actions.faq import guide_intent_of_unsure

    ranking = [*UNSURE, {"name": best, "confidence": 0.29}]
    entities = index.link(text, "ask_service_guide")
    assert guide_intent_of_unsure(tracker("nlu_fallback", text, entities, None, None, ranking)) is None


async def test_an_aspect_asked_after_item_choices_is_answered_for_the_first_offered_item() -> None:
    """ "材料清单有吗" instead of a tap: the best-ranked item answers, the others stay a tap away."""
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(dispatcher, choices_then("材料清单有吗", "ask_materials", [], []), {})
    others, answer = dispatcher.messages
    # 公积金's materials depend on the purpose: the 个性指南 question comes last, its buttons the last
    assert (
        answer["custom"]["item_id"] == "housing_fund_withdrawal" and answer["custom"]["aspect"] == "materials"
    )
    assert answer["custom"]["type"] == "guide_question" and answer["buttons"]
    assert "公积金提取一件事" in others["text"]
    assert [b["title"] for b in others["buttons"]] == ["申请公租房一件事", "新建商品房转移登记一件事"]
    assert all(b["payload"].startswith("/ask_materials") for b in others["buttons"])
    assert SlotSet("service", "公积金提取一件事") in events


async def test_an_aspect_asked_after_the_not_found_suggestions_picks_none_of_them() -> None:
    from bot.guide import ask_which_item

    suggested = ask_which_item(get_catalogue(), get_hall(), "ask_service_guide")
    tracker = choices_then("材料清单有吗", "ask_materials", [], [])
    tracker.events[0] = {"event": "bot", "text": suggested.text, "data": {"buttons": suggested.buttons}}
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, tracker, {})
    [reply] = dispatcher.messages
    assert "custom" not in reply or not reply["custom"], "no item guessed from the popular suggestions"
    assert reply["text"] == suggested.text


# --- a subject asked about as such, aspects of the matter at hand, turning to another matter -----


@pytest.mark.parametrize(
    "text, offered",
    [
        ("俺想问问老人这方面的事", {"身后一件事", "退休一件事"}),
        ("想了解下租房方面的政策", {"申请公租房一件事", "公积金提取一件事"}),
        ("想问问水电燃气方面的业务", {"水电气网联合报装一件事", HOUSE}),
        # a term three kinds of shop share (门面) says no one of them beyond the subject
        ("开店方面 门面的事", {"个体工商户登记一件事", "开办药店一件事", "开办餐饮店一件事"}),
    ],
)
def test_a_broad_subject_asked_about_as_such_gets_choices(text: str, offered: set) -> None:
    evidence = get_catalogue().evidence(text)
    assert evidence.item is None
    assert offered <= {item.name for item in evidence.choices}


@pytest.mark.parametrize(
    "text, item",
    [
        ("孩子上学的事", "教育入学一件事"),  # only one item is filed under 上学
        ("闺女刚满月 医保的事咋弄", "新生儿出生一件事"),  # the words besides 医保 are sure of the item
        ("孩子刚出生 办户口的事", "新生儿出生一件事"),
        # a term of the item beyond the subject (新房子交了; 房子 the subject), whatever the vague cue
        ("新房子交了 想问问办证的事", "新建商品房转移登记一件事"),
        ("娃生下来半个月了 得办啥手续", "新生儿出生一件事"),
    ],
)
def test_a_subject_in_a_message_that_says_more_is_not_vague(text: str, item: str) -> None:
    evidence = get_catalogue().evidence(text)
    assert evidence.item is not None and evidence.item.name == item


@pytest.mark.parametrize("text", ["孩子生了水痘 能晚点入学吗", "娃生了场病 住院的钱咋报"])
def test_a_child_fallen_ill_is_no_birth(text: str) -> None:
    """生下来 is a birth; 孩子生了 (a cold, an illness) is not."""
    evidence = get_catalogue().evidence(text)
    assert all(item.name != "新生儿出生一件事" for item, _ in evidence.candidates[:1])


@pytest.mark.parametrize(
    ("text", "first", "offered"),
    [
        # 员工 leans to 员工录用, which lists 公司 last among its topics
        ("想问问公司里员工的手续", "员工录用一件事", {"开办企业一件事", "企业注销一件事"}),
        # nothing beyond the subject: the items listing it first, a company's whole life
        (
            "企业方面的事想问问",
            None,
            {"开办企业一件事", "企业信息变更一件事", "企业迁移登记一件事", "企业注销一件事"},
        ),
    ],
)
def test_a_subject_asked_about_offers_first_the_item_its_other_words_lean_to(
    text: str, first: Optional[str], offered: set
) -> None:
    evidence = get_catalogue().evidence(text)
    names = [item.name for item in evidence.choices]
    assert evidence.item is None and offered <= set(names)
    if first is not None:
        assert names[0] == first


@pytest.mark.parametrize("text", ["跑了好几个地方都办不下来 这种事找谁", "手续一直批不下来 咋回事"])
def test_how_a_matter_went_is_no_evidence_for_an_item(text: str) -> None:
    """办不, 不下 and 下来 say how a matter went; 办不 is also a slice of 办不动产证 (新建商品房's words)."""
    evidence = get_catalogue().evidence(text)
    assert evidence.leading is None and evidence.item is None
    # nor is a 户口 that will not come through a veteran's (下来 of 从部队下来)
    assert get_catalogue().evidence("孩子户口一直落不下来").item is None
    # the item's own words still find it
    own = get_catalogue().evidence("新房的房本一直不下来 开发商说在办").item
    assert own is not None and own.name == "新建商品房转移登记一件事"


@pytest.mark.parametrize("text", ["当了两年兵 前阵子刚退下来", "当了四年兵 刚退下来 手续咋弄"])
def test_having_served_said_with_the_verb_split_is_a_veterans_matter(text: str) -> None:
    """当了两年兵: searched as 当兵 as well (`bot.catalogue.search.SERVED_TERM`); 退下来 alone ties 退休."""
    found = get_catalogue().evidence(text).item
    assert found is not None and found.name == "军人退役一件事"


def test_the_items_listing_a_subject_first_are_offered_first() -> None:
    """公司 is the first topic of the four company items, the third of 开办运输企业 and 信用修复."""
    offered = {item.name for item in get_catalogue().evidence("公司的事").choices}
    assert offered == {"开办企业一件事", "企业信息变更一件事", "企业注销一件事", "企业迁移登记一件事"}


@pytest.mark.parametrize(
    "intent, text, context",
    [
        ("ask_fee", "一年下来得交多少钱", "灵活就业一件事"),  # 一年 of 一年级 is no evidence for 教育入学
        ("ask_online", "白天要守着店没空 网上能申请不", "开办餐饮店一件事"),
        ("ask_eligibility", "俺是外地户口 公积金在郑州缴的 能提出来不", "公积金提取一件事"),
    ],
)
async def test_an_aspect_of_the_matter_at_hand_stays_with_it(
    index: ServiceIndex, intent: str, text: str, context: str
) -> None:
    message, _ = await ask(index, intent, text, context)
    assert answered(message) == context


@pytest.mark.parametrize(
    "intent, text, context, meant",
    [
        # "不干了" is not about the item in context; the citizen's own situation; a sentence opener
        ("ask_materials", "公司不干了 公积金咋取出来 要带啥", "公积金提取一件事", "公积金提取一件事"),
        ("ask_eligibility", "其实我是外地户口 能申请不", "申请公租房一件事", "申请公租房一件事"),
        ("ask_materials", "俺家孩子今年九月要上小学 要带啥材料", "新生儿出生一件事", "教育入学一件事"),
    ],
)
async def test_words_that_only_look_like_a_turn_do_not_decide(
    index: ServiceIndex, intent: str, text: str, context: str, meant: str
) -> None:
    message, _ = await ask(index, intent, text, context)
    assert answered(message) == meant


def test_an_overview_question_naming_one_aspect_asks_for_it() -> None:
    from bot.guide import asked_aspect

    assert asked_aspect("等居住证办下来 申请公租房得够啥条件") == "eligibility"
    assert asked_aspect("开饭店在ＡＰＰ上办行不") == "online"  # full-width letters folded
    for overview in (
        "前几天孩子出生了 想给他上户口",
        "住院的费用咋报销",
        "网上说现在开公司不用刻章了 真的假的",
    ):
        assert asked_aspect(overview) == "overview", overview
    assert asked_aspect("要带啥材料 多久能办好") == "overview"  # two aspects: the overview answers both


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("办灵活就业得去哪儿", "window"),
        ("开饭店的手续上哪个地方交", "window"),
        ("公积金去哪儿办", "window"),
        ("居住证上哪弄", "window"),
        ("水电汽网连合报装 这个业务是干啥的", "overview"),
        ("恁这能给办居住证不 咋个办法", "overview"),
        ("退休这个事都包括哪些", "overview"),
        ("这个一件事是干啥哩", "overview"),  # 哩 for 的
        ("社保卡补一张拿啥", "materials"),
        ("老房子过户得准备哪些", "materials"),
        ("退休以后每月能拿啥钱", None),  # 拿啥 not ending the question
        ("申请廉租的房子要交些啥", "materials"),  # 交啥: what to hand in
        ("卖房子要交哪些税", "fee"),  # a tax: what it costs
        ("开公司以后要办啥税务登记", None),  # 税务, not a tax
        ("社保一个月要交啥", None),  # paid in, not handed in
        ("过户的税费咋算", "fee"),
        ("你们大厅提供什么服务", None),
        ("上户口和办医保一块能办吗", "overview"),
        ("条件是啥", "eligibility"),  # another aspect's words come first
        ("收费标准是啥", None),  # a noun of another aspect: not the overview
        ("需要的材料是啥", None),
        ("退休金是什么时候发", None),
        ("居住证网上在哪办", None),  # online words: not a window
        ("开药店非得有执业药师吗 俺不懂行", None),  # a requirement: only for a guessed aspect (below)
        ("要带啥 是啥流程", None),  # two aspects
        ("退休手续咋弄", None),
        ('/ask_fee{"service": "退休一件事"}', None),
        # what to get ready, a closing date, and under which circumstances
        ("给娃报名之前得准备些啥", "materials"),
        ("今年登记哪天截止", "time_limit"),
        ("哪种情况下才能一次性取完", "eligibility"),
        # a circumstance told, not asked about: no condition asked
        ("一般情况下能当场拿卡吗", None),
        ("材料不全的情况下能先办吗", None),
    ],
)
def test_the_aspect_a_message_asks_in_words(text: str, aspect: Optional[str]) -> None:
    from bot.guide import asked_aspect, worded_aspect

    assert worded_aspect(text) == aspect
    assert asked_aspect(text) == (aspect or "overview")


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("开药店非得有执业药师吗 俺不懂行", "eligibility"),
        ("对人有要求不", "eligibility"),
        ("照片有啥要求", None),  # what is handed in: a materials question
        ("材料有要求吗", None),
    ],
)
def test_a_requirement_asked_about_answers_a_guessed_aspect(text: str, aspect: Optional[str]) -> None:
    from bot.guide import worded_aspect

    assert worded_aspect(text, guessed=True) == aspect
    assert worded_aspect(text) is None, "never for a message whose aspect the model was sure of"


@pytest.mark.parametrize(
    ("intent", "confidence", "aspect"),
    [
        ("ask_process", 0.49, "overview"),  # a guessed aspect gives way to the words of another
        ("ask_process", 0.9, "process"),  # a sure one stands
    ],
)
async def test_an_unsure_aspect_gives_way_to_the_aspect_asked_in_words(
    index: ServiceIndex, intent: str, confidence: float, aspect: str
) -> None:
    message, _ = await ask(index, intent, "水电气网联合报装是啥", confidence=confidence)
    assert answered(message) == "水电气网联合报装一件事"
    assert message["custom"]["aspect"] == aspect


@pytest.mark.parametrize(
    "text, context, meant",
    [
        ("我不做吃的了 就想一个人开个小门面卖水果", "开办餐饮店一件事", "个体工商户登记一件事"),
        ("琢磨了下不注销了 想把公司搬到经开区接着经营", "企业注销一件事", "企业迁移登记一件事"),
        ("哦不对 俺买的不是新房 是别人住过的老房子", "新建商品房转移登记一件事", HOUSE),
    ],
)
async def test_turning_from_the_matter_in_context_to_another_is_followed(
    index: ServiceIndex, text: str, context: str, meant: str
) -> None:
    message, events = await ask(index, "ask_service_guide", text, context)
    assert answered(message) == meant
    assert SlotSet("service", meant) in events


@pytest.mark.parametrize("action_name", ["action_deny", "action_stop"])
async def test_a_no_or_stop_that_turns_to_another_item_gets_its_guide(
    index: ServiceIndex, action_name: str
) -> None:
    from actions.guide import ActionDeny, ActionStop

    action = {"action_deny": ActionDeny, "action_stop": ActionStop}[action_name]()
    intent = action_name.removeprefix("action_")
    text = "哦不对 俺买的不是新房 是别人住过的老房子"
    new_house = "新建商品房转移登记一件事"
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(intent, text, index.link(text, intent), new_house), {})
    [reply] = dispatcher.messages
    assert answered(reply) == HOUSE
    plain = CollectingDispatcher()
    await action.run(plain, tracker(intent, "不是", [], new_house), {})
    assert plain.messages[0]["response"] == f"utter_{intent}"


async def test_a_stop_that_drops_the_item_for_a_likely_one_gets_its_guide(index: ServiceIndex) -> None:
    from actions.guide import ActionStop

    text = "算了 公司不注册了 就开个小饭店"  # 开办餐饮店 likely, not sure: 个体户 and 开办企业 also score
    dispatcher = CollectingDispatcher()
    await ActionStop().run(dispatcher, tracker("stop", text, [], "开办企业一件事"), {})
    assert answered(dispatcher.messages[-1]) == "开办餐饮店一件事"
    buttons = [b["title"] for m in dispatcher.messages for b in m.get("buttons") or []]
    assert "开办企业一件事" not in buttons  # the item left is not offered again


def after_guide_answer(text: str, item: str, topic: Optional[str] = None) -> Tracker:
    """The bot just answered ``item``'s guide; the citizen asks ``text``, which the NLU took for an FAQ.

    ``topic``: the FAQ topic the intent model gave the message as well (``bot.faq.FAQ_TOPIC``).
    """
    item_id = get_catalogue().get(item).id  # type: ignore[union-attr]
    card = {"type": "guide", "item": item, "item_id": item_id}
    answered_card = {"event": "bot", "text": "…", "data": {"custom": card}}
    user = {"event": "user", "text": text, "parse_data": {"intent": {"name": "faq"}}}
    latest: Dict[str, Any] = {"intent": {"name": "faq", "confidence": 0.9}, "text": text, "entities": []}
    if topic is not None:
        latest[FAQ_TOPIC] = {"name": topic, "confidence": 0.5}
    return Tracker(
        sender_id="guide-test",
        slots={"service": item},
        latest_message=latest,
        events=[{"event": "slot", "name": "service", "value": item}, answered_card, user],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


@pytest.mark.parametrize(
    "text, item, aspect, entry",
    [
        ("这个收费吗", "社会保障卡居民服务一卡通一件事", "fee", "mianfei"),
        ("他自己出不了门 俺去替他办中不中", DISABILITY, "eligibility", "weituo"),  # who may apply
        # the aspect asked in words, not the entry's own: what the one going for him brings
        ("他腿脚不利索 俺去替他跑的话得拿啥", "退休一件事", "materials", "weituo"),
        # an unsure answer (under UNSURE_SCORE) to a question about a person: the matter at hand
        ("俺媳妇也得来吗 她白天上班走不开", "新建商品房转移登记一件事", "eligibility", "yanshi"),
        # the applicant themselves asked to come, no person named (`bot.guide._IN_PERSON`)
        ("非要本人过来才行吗", "退休一件事", "eligibility", "weituo"),
        ("兄弟姐妹都在外省 俺自己去能办成不", "身后一件事", "eligibility", "kuasheng"),  # alone
    ],
)
@pytest.mark.parametrize("modelled", [True, False])
async def test_a_hall_wide_rule_asked_right_after_a_guide_answer_is_answered_for_the_item(
    text: str, item: str, aspect: str, entry: str, modelled: bool
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    # with or without the intent model naming the same entry as retrieval: the matter at hand
    events = await ActionFaq().run(
        dispatcher, after_guide_answer(text, item, topic=entry if modelled else None), {}
    )
    guide, hall_wide = dispatcher.messages
    # the guide's answer, or its question on the citizen's situation first (退休's materials)
    assert guide["custom"]["type"] in ("guide", "guide_question")
    assert guide["custom"]["item_id"] == get_catalogue().get(item).id and guide["custom"]["aspect"] == aspect
    # the hall-wide entry stays a tap away
    assert hall_wide["buttons"][0]["payload"] == f'/faq{{"faq_topic": "{entry}"}}'
    assert SlotSet("service", item) in events


@pytest.mark.parametrize(
    "text, item, entry",
    [
        ("在郑好办手机端能直接提交吗", "社会保障卡居民服务一卡通一件事", "zhenghaoban"),
        ("财务用公司电脑在政务网上申请行不", "员工录用一件事", "zhengwuwang"),
        ("在政务服务网上能直接提交申请不", "员工录用一件事", "zhengwuwang"),  # 政务服务 of its name
    ],
)
async def test_whether_the_item_can_be_done_through_a_channel_is_its_online_aspect(
    text: str, item: str, entry: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, item, topic=entry), {})
    guide, channel = dispatcher.messages
    assert guide["custom"]["item"] == item and guide["custom"]["aspect"] == "online"
    assert channel["buttons"][0]["payload"] == f'/faq{{"faq_topic": "{entry}"}}'


@pytest.mark.parametrize("text", ["郑好办在哪下载", "政务网的账号怎么注册", "能在郑好办上改个密码不"])
async def test_how_a_channel_works_stays_the_channels_answer(text: str) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, "员工录用一件事"), {})
    assert dispatcher.messages[-1]["custom"]["type"] == "faq"


@pytest.mark.parametrize(
    "text",
    ["这个大厅几点下班", "我妈能不能帮我排个号", "其他地方的营业执照能在这办吗"],
)
async def test_an_unsure_hall_wide_answer_asking_no_one_to_come_stays_the_faq_answer(text: str) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, OPENING), {})
    *before, reply = dispatcher.messages
    assert reply["custom"]["type"] == "faq"
    hours = [{"type": "hall", "topic": "ask_office_hours"}]
    # the entry on service outside the hours (延时服务) comes after the hours themselves
    assert [m["custom"] for m in before] == (hours if reply["custom"]["id"] == "yanshi" else [])


@pytest.mark.parametrize(
    "text, item, aspect",
    [
        # a fee named without the hall as a whole: the item just answered
        ("工本费收不收", "居住证办理一件事", "fee"),
        ("手续费另外收不收", "企业信息变更一件事", "fee"),
        # a paper of the item's own materials
        ("员工的离职证明开不出来咋弄", "员工录用一件事", "materials"),
    ],
)
async def test_a_fee_or_a_paper_asked_right_after_a_guide_answer_is_the_items(
    text: str, item: str, aspect: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    entry = "mianfei" if aspect == "fee" else "mianzheng"
    await ActionFaq().run(dispatcher, after_guide_answer(text, item, topic=entry), {})
    reply = dispatcher.messages[0]
    assert reply["custom"]["item"] == item and reply["custom"]["aspect"] == aspect


@pytest.mark.parametrize(
    "text, item, entry, paper",
    [
        # the hall's rules on missing papers asked of one of the item's own papers
        ("出生医学证明医院还没给 能不能先受理", "新生儿出生一件事", None, "出生医学证明"),
        ("住院收据丢了一张 还能报不", "就医费用报销一件事", None, "收据"),
        ("俺的档案老单位说找不着了 能先办着不", "退休一件事", None, "档案"),
        # the model's topic agreeing with retrieval, a relative named: the item's line on that paper
        ("孩子的出生医学证明医院还没给 能不能先受理", "新生儿出生一件事", "rongque", "出生医学证明"),
    ],
)
async def test_a_question_about_one_of_the_items_papers_right_after_its_guide_is_the_items(
    text: str, item: str, entry: Optional[str], paper: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, item, topic=entry), {})
    reply = dispatcher.messages[0]
    assert reply["custom"]["item_id"] == get_catalogue().get(item).id  # type: ignore[union-attr]
    if entry is None:
        # its materials (or the 个性指南 question they depend on)
        assert reply["custom"]["aspect"] == "materials"
    else:
        assert paper in reply["text"]  # the item's line on that paper


@pytest.mark.parametrize(
    "text, entry",
    [
        ("身份证落家了 刷个脸能办不", "shualian"),  # a paper nearly every item asks for: the hall's answer
        ("身份证号码存你们那 安全不", "yinsi"),
    ],
)
async def test_a_paper_every_item_asks_for_keeps_the_halls_answer_after_a_guide_answer(
    text: str, entry: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, "退休一件事"), {})
    card = dispatcher.messages[-1]["custom"]
    assert card["type"] == "faq" and card["id"] == entry


async def test_an_entry_about_the_very_paper_stays_the_answer_after_a_guide_answer() -> None:
    """开办企业 asks for a 授权委托书, but how to write one is the hall's entry on 委托代办."""
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer("授权委托书有没有模板", OPENING), {})
    card = dispatcher.messages[-1]["custom"]
    assert card["type"] == "faq" and card["id"] == "weituo"


@pytest.mark.parametrize(
    "text, entry",
    [
        ("你们这儿办事都收工本费吗", "mianfei"),  # the hall as a whole
        ("能刷信用卡交费不", "mianfei"),  # how to pay, not what it costs
        ("免证明了那窗口咋核实我的情况", "mianzheng"),  # the exemption itself
    ],
)
async def test_the_halls_rule_stays_the_answer_after_a_guide_answer_when_asked_as_such(
    text: str, entry: str
) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    tracker = after_guide_answer(text, "居住证办理一件事", topic=entry)
    await ActionFaq().run(dispatcher, tracker, {})
    card = dispatcher.messages[-1]["custom"]
    assert card["type"] == "faq" and card["id"] == entry


async def test_a_plain_message_after_a_guide_answer_leaves_it_the_last_answer() -> None:
    """A guide answer given instead of an FAQ entry, then the entry's button: still a guide answer."""
    from actions.faq import ActionFaq
    from actions.form_helpers import last_bot_card

    tracker = after_guide_answer("工本费收不收", "居住证办理一件事", topic="mianfei")
    offer = {"event": "bot", "text": "大厅的通用规定也可以看这里：", "data": {"buttons": [{"title": "x"}]}}
    tracker.events.insert(-1, offer)
    assert last_bot_card(tracker)["type"] == "guide"
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {})
    assert dispatcher.messages[0]["custom"]["aspect"] == "fee"


async def test_the_fee_of_the_item_just_answered_is_its_own_fee() -> None:
    """ "补卡要钱不" retrieves the hall-wide fee entry; 补卡 is evidence for the social card just answered."""
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer("补卡要钱不", "社会保障卡居民服务一卡通一件事"), {})
    reply = dispatcher.messages[0]
    assert reply["custom"]["item"] == "社会保障卡居民服务一卡通一件事" and reply["custom"]["aspect"] == "fee"


async def test_a_question_whether_someone_must_come_is_answered_from_the_items_guide() -> None:
    """ "他腿脚不行下不了楼 一定要本人到场吗" after 残疾人服务.

    The guide's line on home assessment answers, not a hall rule.
    """
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(
        dispatcher, after_guide_answer("他腿脚不行下不了楼 一定要本人到场吗", DISABILITY), {}
    )
    reply = dispatcher.messages[0]
    assert reply["custom"]["item"] == DISABILITY and "上门" in reply["text"]


@pytest.mark.parametrize(
    "text, entry",
    [
        ("少了一样材料 能不能先给受理", "rongque"),  # another hall-wide topic
        ("委托书咋写", "weituo"),  # the rule itself, pointing at no item or person
        # a person pointed at, but the paper the entry is about asked of
        ("俺爹去不了 我替他办的话委托书有模板没", "weituo"),
    ],
)
async def test_a_hall_wide_question_after_a_guide_answer_keeps_its_faq_answer(text: str, entry: str) -> None:
    from actions.faq import ActionFaq

    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, after_guide_answer(text, OPENING), {})
    [reply] = dispatcher.messages
    assert reply["custom"]["type"] == "faq" and reply["custom"]["id"] == entry


@pytest.mark.parametrize(
    "text, item, topic, ranking, aspect",
    [
        # an aspect question near faq, the FAQ entry not agreed on: a follow-up about the item
        ("用郑好办手机上直接申请中不", SOCIAL_CARD, None, [("faq", 0.67), ("ask_online", 0.33)], "online"),
        # retrieval unsure of 跨省通办 though the model's topic agrees
        (
            "家里姊妹几个都在南方 只有俺在郑州 俺自己跑能弄完不",
            AFTER_DEATH,
            "kuasheng",
            [("faq", 0.4), ("ask_eligibility", 0.17)],
            "eligibility",
        ),
        # retrieval unsure and faq weak, no aspect near it: the item's conditions (whether the citizen
        # alone may do it: `bot.guide.asks_who_may_do_it`), the FAQ a tap away
        (
            "家里姊妹几个都在南方 只有俺在郑州 俺自己跑能弄完不",
            AFTER_DEATH,
            "kuasheng",
            [("faq", 0.32), ("ask_eligibility", 0.08)],
            "eligibility",
        ),
        # no one else and no presence asked: the item's overview
        ("听人说这个现在简单多了 真的假的", AFTER_DEATH, None, [("faq", 0.32), ("affirm", 0.08)], "overview"),
        # taken firmly as faq too: whether the citizen alone can do it asks about the matter at hand
        # (`bot.guide.asks_for_someones_presence`), not the hall's 跨省通办
        (
            "家里姊妹几个都在南方 只有俺在郑州 俺自己跑能弄完不",
            AFTER_DEATH,
            "kuasheng",
            [("faq", 0.62), ("ask_eligibility", 0.08)],
            "eligibility",
        ),
        # a weak faq reading in words that do not lean on the item keeps the FAQ answer, and a
        # message the model was unsure of (nlu_fallback) is no weak faq reading
        ("对办理结果有意见 该到哪儿投诉", SOCIAL_CARD, None, [("faq", 0.34), ("rate_service", 0.29)], None),
        ("对办理结果有意见 该到哪儿投诉", SOCIAL_CARD, None, [("nlu_fallback", 0.15), ("faq", 0.12)], None),
        # hearsay about the item: the aspect the message asks about, not the overview
        (
            "听同事说网上提交完秒到账，真哩假哩",
            "公积金提取一件事",
            None,
            [("faq", 0.35), ("ask_online", 0.15)],
            "online",
        ),
        # a hall-wide question the model's topic and a sure retrieval agree on keeps the FAQ answer
        ("取号要等多久", SOCIAL_CARD, "quhao", [("faq", 0.55), ("ask_time_limit", 0.43)], None),
        # the same question when the model's topic is another: the follow-up reading
        ("取号要等多久", SOCIAL_CARD, "yuyueban", [("faq", 0.55), ("ask_time_limit", 0.43)], "time_limit"),
        # an aspect question far below faq, or no faq ranked at all: the hall's answer
        ("自己开车去 有停车位没", SOCIAL_CARD, None, [("faq", 0.9), ("ask_window", 0.05)], None),
        ("自己开车去 有停车位没", SOCIAL_CARD, None, [("nlu_fallback", 0.15), ("ask_window", 0.001)], None),
    ],
)
async def test_an_aspect_question_near_faq_after_a_guide_answer_is_a_follow_up_about_the_item(
    text: str, item: str, topic: Optional[str], ranking: List[Tuple[str, float]], aspect: Optional[str]
) -> None:
    from actions.faq import ActionFaq

    tracker = after_guide_answer(text, item, topic=topic)
    tracker.latest_message["intent"] = {"name": ranking[0][0], "confidence": ranking[0][1]}
    tracker.latest_message["intent_ranking"] = [{"name": n, "confidence": c} for n, c in ranking]
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    if aspect is None:
        assert [c["type"] for c in cards] == ["faq"]
    else:
        assert [(c["type"], c["item"], c["aspect"]) for c in cards] == [("guide", item, aspect)]


async def test_the_hall_wide_button_beside_an_item_answer_gives_the_faq_answer() -> None:
    from actions.faq import ActionFaq

    tapped = after_guide_answer('/faq{"faq_topic": "mianfei"}', "社会保障卡居民服务一卡通一件事")
    tapped.latest_message["entities"] = [{"entity": "faq_topic", "value": "mianfei"}]
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tapped, {})
    [reply] = dispatcher.messages
    assert reply["custom"]["type"] == "faq" and reply["custom"]["id"] == "mianfei"


async def test_a_guide_question_ends_a_look_up_waiting_for_a_code(index: ServiceIndex) -> None:
    from rasa_sdk.events import ActiveLoop

    text = "开公司要带啥"
    waiting = tracker("ask_materials", text, index.link(text, "ask_materials"))
    waiting.active_loop = {"name": "appointment_lookup_form"}
    waiting.slots.update({"requested_slot": "appointment_code", "appointment_date": "2026-12-03"})
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(dispatcher, waiting, {})
    assert ActiveLoop(None) in events
    assert SlotSet("appointment_date", None) in events and SlotSet("appointment_code", None) in events
    assert SlotSet("service", OPENING) in events
    # a guide question in the booking form leaves the form and the item being booked alone
    booking = tracker("ask_materials", text, index.link(text, "ask_materials"), "退休一件事")
    booking.active_loop = {"name": "appointment_form"}
    assert await ActionGuide().run(CollectingDispatcher(), booking, {}) == []


# --- questions about the hall as a whole ---------------------------------------------------------


async def ask_ranked(
    index: ServiceIndex, intent: str, text: str, faq: float, context: Optional[str] = None
) -> List[Dict[str, Any]]:
    """Run the guide action on a message the intent model ranked ``faq`` second with ``faq``."""
    entities = index.link(text, intent)
    ranking = [{"name": intent, "confidence": 1 - faq}, {"name": "faq", "confidence": faq}]
    dispatcher = CollectingDispatcher()
    slot = entities[-1]["value"] if entities else context
    await ActionGuide().run(dispatcher, tracker(intent, text, entities, context, slot, ranking), {})
    return dispatcher.messages


@pytest.mark.parametrize(
    ("intent", "text", "topic"),
    [
        ("ask_fee", "大厅里办事情得掏钱不", "mianfei"),
        ("ask_materials", "领证的时候要带啥", "zhengzhao_lingqu"),
        ("ask_service_guide", "啥叫一件事", "yijianshi"),
    ],
)
async def test_a_question_about_the_hall_as_a_whole_gets_its_faq_entry(
    index: ServiceIndex, intent: str, text: str, topic: str
) -> None:
    (message,) = await ask_ranked(index, intent, text, faq=0.3)
    assert message["custom"]["type"] == "faq" and message["custom"]["id"] == topic


async def test_without_the_models_doubt_it_stays_a_guide_question(index: ServiceIndex) -> None:
    (message,) = await ask_ranked(index, "ask_fee", "大厅里办事情得掏钱不", faq=0.05)
    assert message["custom"].get("type") != "faq"


async def test_a_subjects_items_or_a_bare_aspect_word_are_not_hall_wide(index: ServiceIndex) -> None:
    (subject,) = await ask_ranked(index, "ask_service_guide", "租房这方面有啥政策", faq=0.26)
    assert subject["text"].startswith("您是想办理") and "申请公租房一件事" in titles(subject)
    (bare,) = await ask_ranked(index, "ask_materials", "材料", faq=0.3)
    assert bare["custom"].get("type") != "faq"


async def test_a_hall_wide_answer_ends_a_waiting_appointment_look_up(index: ServiceIndex) -> None:
    ranking = [{"name": "ask_fee", "confidence": 0.7}, {"name": "faq", "confidence": 0.3}]
    waiting = tracker("ask_fee", "大厅里办事情得掏钱不", [], ranking=ranking)
    waiting.active_loop = {"name": "appointment_lookup_form"}
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(dispatcher, waiting, {})
    assert dispatcher.messages[0]["custom"]["id"] == "mianfei"
    assert ActiveLoop(None) in events


async def test_pointing_at_a_matter_or_having_one_in_context_is_about_the_item(index: ServiceIndex) -> None:
    (pointing,) = await ask_ranked(index, "ask_fee", "这个收费不", faq=0.3)
    assert pointing["custom"].get("type") != "faq"
    (in_context,) = await ask_ranked(index, "ask_fee", "要交钱不", faq=0.3, context=HOUSE)
    assert answered(in_context) == HOUSE


async def test_an_faq_question_no_entry_answers_gets_the_item_the_catalogue_is_sure_of(
    index: ServiceIndex,
) -> None:
    """Taken for an FAQ at 0.19, answered by no entry: the catalogue's sure item, not FAQ near misses."""
    from actions.faq import ActionFaq
    from bot.faq import decide, get_faq_store

    text = "俺爹去年脑梗了 现在走路得拄拐杖 听说能评个残疾等级 每个月还有钱"
    assert decide(get_faq_store().current().search(text)).entry is None
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker("faq", text, index.link(text, "faq"), confidence=0.19), {})
    [reply] = dispatcher.messages
    assert answered(reply) == DISABILITY


async def test_an_faq_question_about_a_subject_of_the_item_in_context_stays_with_it(
    index: ServiceIndex,
) -> None:
    """社保 is filed under four items, the one at hand among them: it is answered, not asked about."""
    from actions.faq import ActionFaq
    from bot.faq import decide, get_faq_store

    text = "社保咋交"
    hiring = "员工录用一件事"
    assert decide(get_faq_store().current().search(text)).entry is None
    evidence = get_catalogue().evidence(text)
    assert evidence.leading is None and hiring in [item.name for item in evidence.choices]
    dispatcher = CollectingDispatcher()
    events = await ActionFaq().run(dispatcher, tracker("faq", text, [], hiring, confidence=0.19), {})
    [reply] = dispatcher.messages
    assert answered(reply) == hiring
    assert SlotSet("service", hiring) in events
    # with nothing in context, the same question asks which of the items is meant
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker("faq", text, [], None, confidence=0.19), {})
    [choices] = dispatcher.messages
    assert hiring in titles(choices) and len(titles(choices)) >= 2


@pytest.mark.parametrize(
    ("text", "intent", "confidence", "aspect"),
    [
        # an aspect button's title inside a question the model is sure asks another aspect
        ("交完材料以后几天能办好", "ask_time_limit", 0.9, "time_limit"),
        # the title typed as the answer to the buttons is a tap, whatever the model guessed
        ("材料", "ask_fee", 0.4, "materials"),
    ],
)
async def test_an_aspect_buttons_title_inside_a_sure_question_is_no_tap(
    text: str, intent: str, confidence: float, aspect: str
) -> None:
    from bot.guide import aspect_buttons

    item = get_catalogue().get("开办药店一件事")
    assert item is not None
    asked = {"event": "bot", "text": "…", "data": {"buttons": aspect_buttons(item, "window")}}
    latest = tracker(intent, text, [], context=item.name, confidence=confidence)
    latest.events.insert(-1, asked)
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, latest, {})
    assert dispatcher.messages[-1]["custom"]["aspect"] == aspect


@pytest.mark.parametrize(
    ("text", "intent", "aspect"),
    [
        # the 个性指南 answer 简易注销 inside a question whose words ask when it may be taken
        ("什么情况下才能走简易注销", "ask_eligibility", "eligibility"),
        ("什么情况下可以走简易注销", "ask_eligibility", "eligibility"),
        # typed as the answer, or told in a sentence (another aspect's words but no question), it is
        # the answer: the checklist
        ("简易注销", "ask_materials", "materials"),
        ("俺们公司走简易注销", "ask_eligibility", "materials"),
        ("查过了 符合条件 简易注销", "ask_eligibility", "materials"),
    ],
)
async def test_a_situation_inside_a_question_in_another_aspects_words_is_no_answer(
    text: str, intent: str, aspect: str
) -> None:
    from bot.guide import situation_buttons

    item = get_catalogue().get("企业注销一件事")
    assert item is not None and item.situations
    buttons = situation_buttons(item, item.situations[0], "ask_materials")
    assert any(b["title"] == "简易注销" for b in buttons)
    asked = {"event": "bot", "text": "…", "data": {"buttons": buttons}}
    latest = tracker(intent, text, [], context=item.name, confidence=0.9)
    latest.events.insert(-1, asked)
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, latest, {})
    assert dispatcher.messages[-1]["custom"]["aspect"] == aspect


async def test_an_unsure_message_naming_an_item_gets_its_overview(index: ServiceIndex) -> None:
    """Under the fallback with ``inform`` best, an item named by its name is the matter asked about."""
    from actions.faq import guide_intent_of_unsure

    text = "军人退役一件事 俺弟刚回来"
    ranking = [*UNSURE, {"name": "inform", "confidence": 0.2}]
    entities = index.link(text, "ask_service_guide")
    assert entities, "the name is linked"
    assert guide_intent_of_unsure(tracker("nlu_fallback", text, entities, None, None, ranking)) == (
        "ask_service_guide"
    )


@pytest.mark.parametrize(
    ("text", "read_first", "right_after", "items"),
    [
        # right after the item's guide: the guide question the model read first, for that item
        ("还用另外掏钱吗", "ask_fee", True, True),
        # the item was talked about, but the bot's last reply was no guide answer: the hall's answer
        ("还用另外掏钱吗", "ask_fee", False, False),
        # the hall as a whole named, or an overview question: retrieval answers
        ("你们这儿复印另外掏钱吗", "ask_fee", True, False),
        ("有没有现成的办事指南", "ask_service_guide", True, False),
    ],
)
async def test_a_guide_question_read_as_faq_is_the_items_right_after_its_guide(
    text: str, read_first: str, right_after: bool, items: bool
) -> None:
    """The intent model read a question naming no matter as ``faq`` (it may be asked of the hall)."""
    from actions.faq import ActionFaq
    from bot.faq import GUIDE_INTENT_READ_AS_FAQ

    read = after_guide_answer(text, OPENING)
    if not right_after:
        read.events = [e for e in read.events if e.get("event") != "bot"]
    read.latest_message["intent_ranking"] = [
        {"name": "faq", "confidence": 0.9},
        {"name": read_first, "confidence": 0.3},
    ]
    read.latest_message[GUIDE_INTENT_READ_AS_FAQ] = read_first
    dispatcher = CollectingDispatcher()
    events = await ActionFaq().run(dispatcher, read, {})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    if items:
        assert cards[0]["type"] == "guide" and cards[0]["item"] == OPENING and cards[0]["aspect"] == "fee"
        assert SlotSet("service", OPENING) in events
    else:
        # the hall's answer, not a guess at the item
        assert all(not str(c.get("type")).startswith("guide") for c in cards), dispatcher.messages


@pytest.mark.parametrize(
    ("ranking", "aspect"),
    [
        # the best intent under the fallback is an aspect's: that aspect of the item in context
        ([("nlu_fallback", 0.15), ("ask_eligibility", 0.13), ("ask_materials", 0.11)], "eligibility"),
        ([("nlu_fallback", 0.15), ("ask_materials", 0.12), ("faq", 0.1)], "materials"),
        # an overview question, or no guide intent first: the overview
        ([("nlu_fallback", 0.15), ("ask_service_guide", 0.13), ("ask_fee", 0.1)], "overview"),
        ([("nlu_fallback", 0.15), ("faq", 0.14), ("ask_fee", 0.1)], "overview"),
        # no leaning: the best aspect hardly ahead of the next intent
        ([("nlu_fallback", 0.15), ("ask_materials", 0.135), ("ask_fee", 0.128)], "overview"),
    ],
)
async def test_unsure_hearsay_in_context_gets_the_aspect_the_model_leaned_to(
    ranking: List[Tuple[str, float]], aspect: str
) -> None:
    from actions.faq import ActionFaq

    text = "听朋友说这个也能办 是真的吗"
    ranked = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(
        dispatcher, tracker("nlu_fallback", text, [], HOUSE, ranking=ranked, confidence=0.15), {}
    )
    # the guide's answer, or the 个性指南 question it asks first about that aspect
    cards = [
        m["custom"] for m in dispatcher.messages if m.get("custom", {}).get("type", "").startswith("guide")
    ]
    catalogue = get_catalogue()
    items = [c.get("item") or getattr(catalogue.get(str(c.get("item_id"))), "name", None) for c in cards]
    assert items == [HOUSE] and cards[0]["aspect"] == aspect, dispatcher.messages


async def test_unsure_hearsay_in_context_asking_an_aspect_in_words_gets_that_aspect() -> None:
    from actions.faq import ActionFaq

    text = "有人说能在网上办了 是不是真的"  # the words ask whether it is done online
    ranked = [
        {"name": "nlu_fallback", "confidence": 0.15},
        {"name": "ask_materials", "confidence": 0.14},
        {"name": "faq", "confidence": 0.05},
    ]
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(
        dispatcher, tracker("nlu_fallback", text, [], HOUSE, ranking=ranked, confidence=0.15), {}
    )
    cards = [
        m["custom"] for m in dispatcher.messages if m.get("custom", {}).get("type", "").startswith("guide")
    ]
    assert cards and cards[0]["aspect"] == "online", dispatcher.messages


async def test_cannot_come_after_answering_in_person_gives_the_proxy_checklist() -> None:
    """ "本人", then "我来不了": the checklist of the one sent, not the in-person one again."""
    latest = tracker("ask_eligibility", "我来不了 咋办", [], SOCIAL_CARD)
    latest.slots["situation_answers"] = {
        "item": SOCIAL_CARD,
        "answers": {"apply_type": "reissue", "agent": "self"},
    }
    dispatcher = CollectingDispatcher()
    events = await ActionGuide().run(dispatcher, latest, {})
    assert "（补办或换卡、委托他人代办）" in dispatcher.messages[0]["text"]
    stored = [e["value"] for e in events if e.get("name") == "situation_answers"]
    assert stored == [{"item": SOCIAL_CARD, "answers": {"apply_type": "reissue", "agent": "proxy"}}]
