"""The intent model's FAQ topic and retrieval agreeing on an entry (`bot.faq.agreed_entry`).

Retrieval and the catalogue are the real ones over the seed data (``data/faq``, ``data/services``);
only the parse result the NLU would give is written by hand.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, Optional

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionFaq
from actions.guide import ActionGuide
from bot import faq
from bot.catalogue import get_catalogue
from bot.faq import (
    AGREED_OVER_ITEMS_CONFIDENCE,
    AGREED_TOPIC_CONFIDENCE,
    ANSWER_SCORE,
    FAQ_TOPIC,
    FaqMatch,
    FaqStore,
    agreed_entry,
)
from bot.guide import item_behind_entry
from bot.settings import PROJECT_ROOT
from tests.conftest import PARKING_ENTRY, make_tracker, migrated_engine


@pytest.mark.parametrize(
    ("score", "topic", "agreed"),
    [
        (0.3, {"name": "parking", "confidence": 0.4}, True),
        (ANSWER_SCORE, {"name": "parking", "confidence": AGREED_TOPIC_CONFIDENCE}, True),
        (0.9, {"name": "rongque", "confidence": 0.9}, False),  # they name different entries
        (0.3, {"name": "parking", "confidence": AGREED_TOPIC_CONFIDENCE - 0.01}, False),
        (ANSWER_SCORE - 0.01, {"name": "parking", "confidence": 0.9}, False),
        (0.9, None, False),  # a model without FAQ topics
        (0.9, {}, False),
    ],
)
def test_the_two_agree_only_on_the_same_entry_above_both_thresholds(
    score: float, topic: Optional[Dict[str, Any]], agreed: bool
) -> None:
    assert (agreed_entry([FaqMatch(PARKING_ENTRY, score)], topic) == PARKING_ENTRY) is agreed


def test_no_matches_agree_with_nothing() -> None:
    assert agreed_entry([], {"name": "parking", "confidence": 0.9}) is None


@pytest.fixture
def seed_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> FaqStore:
    engine = migrated_engine(tmp_path / "bot.db")
    store = FaqStore(PROJECT_ROOT / "data" / "faq")
    monkeypatch.setattr("bot.faq_db.configured_engine", lambda: engine)
    monkeypatch.setattr(faq, "_stores", {})
    monkeypatch.setattr("actions.faq.get_faq_store", lambda: store)
    monkeypatch.setattr("actions.guide.get_faq_store", lambda: store)
    return store


def parsed(intent: str, text: str, topic: Optional[Dict[str, Any]], faq_share: float = 0.3) -> Any:
    tracker = make_tracker(intent, text=text)
    tracker.latest_message["intent_ranking"] = [
        {"name": intent, "confidence": 0.6},
        {"name": "faq", "confidence": faq_share},
    ]
    if topic is not None:
        tracker.latest_message[FAQ_TOPIC] = topic
    return tracker


@pytest.mark.parametrize("topic", [{"name": "youji", "confidence": 0.37}, None])
async def test_an_faq_question_naming_an_item_keeps_its_entry_when_the_two_agree(
    seed_store: FaqStore, topic: Optional[Dict[str, Any]]
) -> None:
    """ "残疾证下来了能快递给我不": retrieval alone is unsure of 证照免费邮寄; 残疾证 names an item."""
    text = "残疾证下来了能快递给我不"
    assert seed_store.current().search(text)[0].entry.id == "youji"
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, parsed("faq", text, topic), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    if topic is not None:
        assert cards and cards[0]["type"] == "faq" and cards[0]["id"] == "youji"
    else:
        assert not any(c["type"] == "faq" for c in cards), (
            "without the model's topic the item's guide answers"
        )


async def test_a_message_naming_an_item_is_about_the_item_though_the_two_agree(seed_store: FaqStore) -> None:
    """ "俺外地哩 在郑州住着 想问那个居住证" names 居住证: 跨省通办 agreed on is not what was asked."""
    text = "俺外地哩 在郑州住着 想问那个居住证"
    assert seed_store.current().search(text)[0].entry.id == "kuasheng"
    tracker = parsed("faq", text, {"name": "kuasheng", "confidence": 0.18})
    tracker.latest_message["entities"] = [
        {
            "entity": "service",
            "value": "居住证办理一件事",
            "start": 15,
            "end": 18,
            "extractor": "ServiceLinker",
        }
    ]
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert cards and cards[0]["type"] == "guide" and cards[0]["item"] == "居住证办理一件事"


@pytest.mark.parametrize(
    ("topic", "agreed"),
    [
        ({"name": "mianfei", "confidence": AGREED_OVER_ITEMS_CONFIDENCE + 0.05}, True),
        # enough where no item is close, not against items offered as choices
        ({"name": "mianfei", "confidence": AGREED_OVER_ITEMS_CONFIDENCE - 0.05}, False),
        (None, False),
    ],
)
async def test_a_hall_wide_question_with_items_close_to_it_gets_the_entry_the_two_agree_on(
    seed_store: FaqStore, topic: Optional[Dict[str, Any]], agreed: bool
) -> None:
    """ "政务服务这块得掏钱不" read as ask_fee.

    服务 brings items close, which a surer agreed entry outweighs.
    """
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, parsed("ask_fee", "政务服务这块得掏钱不", topic), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    if agreed:
        assert cards[0]["type"] == "faq" and cards[0]["id"] == "mianfei"
    else:
        assert dispatcher.messages[0]["buttons"], "the close items are offered"
        assert not any(c["type"] == "faq" for c in cards)


def ranked(text: str, ranking: Dict[str, float], topic: Optional[Dict[str, Any]], described: str = "") -> Any:
    """The parse the NLU gives: ``described`` is the item the linker linked a description to."""
    entities = []
    if described:
        entity = {"entity": "service", "value": described, "start": 0, "end": len(text)}
        entities.append({**entity, "extractor": "ServiceLinker.description"})
    tracker = make_tracker("faq", text=text, entities=entities)
    tracker.latest_message["intent"] = {"name": "faq", "confidence": ranking["faq"]}
    tracker.latest_message["intent_ranking"] = [
        {"name": name, "confidence": confidence}
        for name, confidence in sorted(ranking.items(), key=lambda pair: -pair[1])
    ]
    if topic is not None:
        tracker.latest_message[FAQ_TOPIC] = topic
    return tracker


@pytest.mark.parametrize(
    ("text", "ranking", "topic", "item", "described"),
    [
        # retrieval is sure of 跨省通办 (异地), the linker of the item the message all but names
        (
            "异地看病的医药费怎么报",
            {"faq": 0.33, "ask_service_guide": 0.31, "ask_fee": 0.18},
            {"name": "kuasheng", "confidence": 0.27},
            "就医费用报销一件事",
            "就医费用报销一件事",
        ),
        # the model's topic and retrieval agree on 一件事一次办, retrieval unsure of it
        (
            "俺公司的厂房马上要开建了，开工这些手续能不能一次办完",
            {"faq": 0.41, "ask_service_guide": 0.23, "ask_eligibility": 0.09},
            {"name": "yijianshi", "confidence": 0.28},
            "建设项目开工一件事",
            "",
        ),
    ],
)
async def test_a_guide_question_near_faq_about_an_item_the_catalogue_is_sure_of_gets_the_guide(
    seed_store: FaqStore,
    text: str,
    ranking: Dict[str, float],
    topic: Dict[str, Any],
    item: str,
    described: str,
) -> None:
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, ranked(text, ranking, topic, described), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert cards and cards[0]["type"] == "guide" and cards[0]["item"] == item
    tail = dispatcher.messages[-1]
    assert tail["text"].startswith("大厅的通用规定") and topic["name"] in tail["buttons"][0]["payload"]


@pytest.mark.parametrize(
    ("text", "ranking", "topic", "described", "entry"),
    [
        # an item is named and an aspect question comes near faq, but the model and retrieval agree
        # on the entry and retrieval is sure of it: the hall's answer
        (
            "社保卡能在自助机上办吗",
            {"faq": 0.47, "ask_online": 0.46, "ask_service_guide": 0.02},
            {"name": "zizhu", "confidence": 0.46},
            "社会保障卡居民服务一卡通一件事",
            "zizhu",
        ),
        (
            "社保卡能跨省通办吗",
            {"faq": 0.6, "ask_online": 0.3, "ask_service_guide": 0.05},
            {"name": "kuasheng", "confidence": 0.6},
            "社会保障卡居民服务一卡通一件事",
            "kuasheng",
        ),
        # a guide intent near faq, but no item the catalogue names or is sure of
        (
            "外地的事能在这办吗",
            {"faq": 0.4, "ask_service_guide": 0.35},
            {"name": "kuasheng", "confidence": 0.3},
            "",
            "kuasheng",
        ),
    ],
)
async def test_an_faq_question_keeps_its_entry_unless_it_asks_about_an_item(
    seed_store: FaqStore,
    text: str,
    ranking: Dict[str, float],
    topic: Dict[str, Any],
    described: str,
    entry: str,
) -> None:
    assert seed_store.current().search(text)[0].entry.id == entry
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, ranked(text, ranking, topic, described), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert cards and cards[-1]["type"] == "faq" and cards[-1]["id"] == entry


@pytest.mark.parametrize(
    ("text", "ranking", "described", "expected"),
    [
        ("异地看病的医药费怎么报", {"faq": 0.33, "ask_service_guide": 0.31}, "就医费用报销一件事", None),
        ("社保卡能跨省通办吗", {"faq": 0.8, "ask_online": 0.1}, "", "kuasheng"),
    ],
)
async def test_make_eval_scores_the_faq_answer_the_action_gives(
    seed_store: FaqStore, text: str, ranking: Dict[str, float], described: str, expected: Optional[str]
) -> None:
    """``make eval``'s FAQ figures follow the same rule as the action (`item_question_near_faq`)."""
    from tests.eval.metrics import faq_entry_answered, prediction

    tracker = ranked(text, ranking, {"name": "kuasheng", "confidence": 0.3}, described)
    parsed = {**tracker.latest_message, "entities": tracker.latest_message["entities"]}
    answered = faq_entry_answered(seed_store.current(), text, prediction(parsed))
    assert (answered.id if answered is not None else None) == expected
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    given = next((c["id"] for c in cards if c["type"] == "faq"), None)
    assert given == expected


def test_coming_back_home_is_no_going_back_to_a_matter() -> None:
    from bot.guide import GOING_BACK

    assert GOING_BACK.search("回到开公司的事 执照去哪拿")
    assert not GOING_BACK.search("回到老家了 社保卡能在自助机上办吗")
    assert not GOING_BACK.search("人回到河北了 公积金能取吗")


@pytest.mark.parametrize("cue", ["说回开公司", "开公司的事"])
async def test_going_back_to_an_item_it_names_asks_about_it(seed_store: FaqStore, cue: str) -> None:
    """Going back (`bot.guide.RETURN_CUES`) beats an entry the model and retrieval agree on."""
    text = f"{cue} 执照去哪个窗口拿"
    assert seed_store.current().search(text)[0].entry.id == "zhengzhao_lingqu"
    topic = {"name": "zhengzhao_lingqu", "confidence": 0.7}
    tracker = ranked(text, {"faq": 0.7, "ask_window": 0.28}, topic, "开办企业一件事")
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    guide = cue.startswith("说回")
    assert any(c["type"] == "guide" and c.get("aspect") == "window" for c in cards) is guide, cards
    assert any(c["type"] == "faq" and c["id"] == "zhengzhao_lingqu" for c in cards) is not guide, cards


@pytest.mark.parametrize(
    ("topic", "answered"),
    [
        ({"name": "kuasheng", "confidence": 0.25}, True),
        # the model's topic another entry, or under the floor: which item is asked
        ({"name": "waiji", "confidence": 0.25}, False),
        ({"name": "kuasheng", "confidence": 0.05}, False),
    ],
)
async def test_whether_the_hall_serves_the_citizen_at_all_gets_the_entry_both_agree_on(
    seed_store: FaqStore, topic: Dict[str, Any], answered: bool
) -> None:
    """Read as ask_eligibility naming no item, ``faq`` far under the hall-wide floor."""
    text = "户口在外省的 在高新区这能办不"
    assert seed_store.current().search(text)[0].entry.id == "kuasheng"
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(
        dispatcher, parsed("ask_eligibility", text, topic, faq_share=0.02), {"responses": {}}
    )
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert any(c["type"] == "faq" and c["id"] == "kuasheng" for c in cards) is answered


@pytest.mark.parametrize(
    ("intent", "text"),
    [
        ("ask_eligibility", "俺爹腿脚不好来不了 他闺女能代他办不"),
        ("ask_materials", "单位派个同事去跑 得开啥证明"),
        ("ask_eligibility", "让俺对象去大厅替俺办中不中"),
    ],
)
async def test_whether_someone_else_may_do_it_for_no_item_gets_the_halls_proxy_entry(
    seed_store: FaqStore, intent: str, text: str
) -> None:
    from bot.hall import get_hall

    assert get_hall().proxy_faq == "weituo"
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, parsed(intent, text, None, faq_share=0.02), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert [c.get("id") for c in cards if c["type"] == "faq"] == ["weituo"], cards


@pytest.mark.parametrize(
    "text",
    [
        "退休手续让俺闺女去替俺办中不",  # an item named: its own rules on who must come
        "俺来不了 可以线上弄吗",  # nobody else to do it
    ],
)
def test_a_proxy_for_a_named_item_or_nobody_else_is_not_the_halls_entry(
    seed_store: FaqStore, text: str
) -> None:
    from bot.catalogue import get_catalogue
    from bot.guide import proxy_entry
    from bot.hall import get_hall

    assert proxy_entry(get_catalogue(), text, get_hall(), seed_store.current().search(text)) is None


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("老人腿脚不方便 能帮忙代办吗", "bangban"),  # the hall's own staff doing it: retrieval sure, agreed
        ("老人来不了 让孙子去办房子过户中不", None),  # a matter's subject named: its items, not 委托
    ],
)
def test_a_proxy_question_another_entry_or_a_matter_answers_is_not_the_proxy_entry(
    seed_store: FaqStore, text: str, topic: Optional[str]
) -> None:
    from bot.catalogue import get_catalogue
    from bot.guide import proxy_entry
    from bot.hall import get_hall

    modelled = {"name": topic, "confidence": 0.6} if topic else None
    assert proxy_entry(get_catalogue(), text, get_hall(), seed_store.current().search(text), modelled) is None


@pytest.mark.parametrize(
    ("text", "unsure"),
    [
        ("俺在外地 不回来可以办吗", True),  # retrieval unsure of the entry (under UNSURE_SCORE), both agree
        ("人在外省 事在郑州 不回去能办吗", False),  # without going back
        ("俺户口在外省 不用回老家也能办不", False),
        ("人在外省 回不去 能办吗", False),
    ],
)
def test_whether_it_can_be_done_here_or_without_going_back_gets_the_entry_both_agree_on(
    seed_store: FaqStore, text: str, unsure: bool
) -> None:
    from bot.catalogue import get_catalogue
    from bot.guide import served_here_answer

    topic = {"name": "kuasheng", "confidence": 0.15}
    matches = seed_store.current().search(text)
    assert (matches[0].score < faq.UNSURE_SCORE) is unsure  # the case this row stands for
    answer = served_here_answer(get_catalogue(), text, "eligibility", matches, topic)
    assert answer is not None and answer.entry is not None and answer.entry.id == "kuasheng"


async def test_an_unsure_served_here_answer_is_given_and_put_on_the_staffs_list(
    seed_store: FaqStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import actions.guide as guide_actions

    recorded = []
    monkeypatch.setattr(guide_actions, "record_for_staff", lambda text, *_: recorded.append(text))
    text = "俺在外地 不回来可以办吗"
    dispatcher = CollectingDispatcher()
    topic = {"name": "kuasheng", "confidence": 0.15}
    tracker = parsed("ask_eligibility", text, topic, faq_share=0.02)
    await ActionGuide().run(dispatcher, tracker, {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert [c.get("id") for c in cards if c["type"] == "faq"] == ["kuasheng"]
    assert recorded == [text]


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("居住证在郑州能办不", "eligibility"),  # an item named: its own conditions
        ("户口在外省的 在高新区这能办不", "materials"),  # another aspect
        ("户口在外省的 有啥条件", "eligibility"),  # not whether it can be done here
    ],
)
def test_only_whether_it_can_be_done_here_naming_no_item_is_the_halls(
    seed_store: FaqStore, text: str, aspect: str
) -> None:
    from bot.catalogue import get_catalogue
    from bot.guide import served_here_answer

    topic = {"name": "kuasheng", "confidence": 0.5}
    index = seed_store.current()
    assert served_here_answer(get_catalogue(), text, aspect, index.search(text), topic) is None


@pytest.mark.parametrize(
    ("text", "topic", "answered"),
    [
        ("在你们这儿办业务收费不", {"name": "mianfei", "confidence": 0.01}, True),
        # the model's topic is another entry: retrieval alone does not answer so unlikely a faq
        ("在你们这儿办业务收费不", {"name": "yanshi", "confidence": 0.01}, False),
        ("在你们这儿办业务收费不", None, False),
        # no word of doing business in general: which item's fee is asked
        ("得交多少钱呀", {"name": "mianfei", "confidence": 0.01}, False),
        # the hall's charges in general, though no business is named
        ("你们这里收手续费不", {"name": "mianfei", "confidence": 0.01}, True),
        ("工本费还用自己掏吗", {"name": "mianfei", "confidence": 0.01}, True),
    ],
)
async def test_an_aspect_of_doing_business_in_general_gets_the_entry_the_model_and_retrieval_agree_on(
    seed_store: FaqStore, text: str, topic: Optional[Dict[str, Any]], answered: bool
) -> None:
    """Read as ask_fee with ``faq`` far under the hall-wide floor (`bot.guide.HALL_WIDE_SUBJECT`)."""
    assert seed_store.current().search(text)[0].entry.id == "mianfei"
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, parsed("ask_fee", text, topic, faq_share=0.02), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert any(c["type"] == "faq" and c["id"] == "mianfei" for c in cards) is answered
    if not answered:
        assert dispatcher.messages[0]["buttons"], "items are offered to choose from"


@pytest.mark.parametrize(
    ("intent", "text", "entry"),
    [
        ("ask_materials", "办业务都得带啥", "weituo"),
        ("ask_window", "我要办的业务在哪个窗口", "banbuchengshi"),
    ],
)
async def test_another_aspect_of_doing_business_in_general_asks_which_item(
    seed_store: FaqStore, intent: str, text: str, entry: str
) -> None:
    """Only the fee of doing business in general is the hall's policy; these ask for an item's."""
    topic = {"name": seed_store.current().search(text)[0].entry.id, "confidence": 0.01}
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(dispatcher, parsed(intent, text, topic, faq_share=0.02), {"responses": {}})
    assert not any((m.get("custom") or {}).get("type") == "faq" for m in dispatcher.messages)
    assert dispatcher.messages[0]["buttons"], "items are offered to choose from"


@pytest.mark.parametrize(
    ("topic", "entry_kept"),
    [
        ({"name": "mianfei", "confidence": AGREED_OVER_ITEMS_CONFIDENCE - 0.05}, False),  # weakly agreed
        ({"name": "mianfei", "confidence": AGREED_OVER_ITEMS_CONFIDENCE + 0.2}, True),
    ],
)
async def test_a_weak_agreement_gives_way_to_the_item_the_catalogue_is_sure_of(
    seed_store: FaqStore, topic: Dict[str, Any], entry_kept: bool
) -> None:
    """An entry retrieval is unsure of, whose words the message only brushes ("钱"), against an item
    named in everyday words (公积金 as "扣的住房的钱"): the item, unless the model is surer of the entry."""
    from bot.catalogue import get_catalogue
    from bot.guide import GIVE_WAY_EVIDENCE, agreement_gives_way

    text = "每月工资里扣的住房的钱 现在想取出来装修用"
    matches = seed_store.current().search(text)
    assert matches[0].entry.id == "mianfei" and matches[0].score < faq.UNSURE_SCORE
    assert get_catalogue().evidence(text).score >= GIVE_WAY_EVIDENCE
    assert agreement_gives_way(get_catalogue(), text, matches, topic) is not entry_kept
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, parsed("faq", text, topic), {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert any(c["type"] == "faq" and c["id"] == "mianfei" for c in cards) is entry_kept
    if not entry_kept:
        assert cards[0]["type"] == "guide" and cards[0]["item"] == "公积金提取一件事", cards


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("大伙常挂在嘴边的那个一枚印章管审批 到底是啥", "yimeiyinzhang"),
        ("街坊说签个字保证一下就能当天拿证 有这事没", "chengnuo"),  # 这事: the hearsay itself
    ],
)
async def test_a_back_reference_to_nothing_in_context_gives_way_to_its_own_subject(
    seed_store: FaqStore, text: str, entry: str
) -> None:
    """A first message holding 那个 or 这事 with words enough of its own, which the model and retrieval
    agree on, is the hall's question (`bot.guide.says_more_than_a_pointer`), not a pointer at an item."""
    dispatcher = CollectingDispatcher()
    await ActionGuide().run(
        dispatcher, parsed("ask_service_guide", text, {"name": entry, "confidence": 0.2}), {"responses": {}}
    )
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert cards and cards[0]["type"] == "faq" and cards[0]["id"] == entry, dispatcher.messages
    # without the model's agreement the back reference still asks which item is meant
    dispatcher = CollectingDispatcher()
    other = parsed("ask_service_guide", text, {"name": "parking", "confidence": 0.2})
    await ActionGuide().run(dispatcher, other, {"responses": {}})
    assert not any((m.get("custom") or {}).get("type") == "faq" for m in dispatcher.messages)


async def test_a_back_reference_with_no_more_than_an_aspect_points_at_a_matter(seed_store: FaqStore) -> None:
    """ "这个得掏钱吗" with nothing in context: retrieval and the model agree on 政务服务是否收费, yet
    four characters besides 这个 name no subject: which item is meant is asked."""
    assert seed_store.current().search("这个得掏钱吗")[0].entry.id == "mianfei"
    dispatcher = CollectingDispatcher()
    pointing = parsed("ask_fee", "这个得掏钱吗", {"name": "mianfei", "confidence": 0.3})
    await ActionGuide().run(dispatcher, pointing, {"responses": {}})
    assert not any((m.get("custom") or {}).get("type") == "faq" for m in dispatcher.messages)


@pytest.mark.parametrize(
    ("text", "entry_id", "item"),
    [
        # 补贴 of 惠企政策兑现 is a piece of 残疾人服务's 护理补贴; without it nothing asks for policies
        ("护理补贴要怎么申请", "zhengceduixian", "残疾人服务一件事"),
        ("重度残疾人护理补贴在哪申请", "zhengceduixian", "残疾人服务一件事"),
        # 刷 of 刷脸办事 is a piece of a card that 刷不出来 (社会保障卡)
        ("拿药的卡消磁了 刷不出来咋整", "shualian", "社会保障卡居民服务一卡通一件事"),
    ],
)
def test_an_entry_found_through_a_piece_of_an_items_own_term_gives_way_to_the_item(
    seed_store: FaqStore, text: str, entry_id: str, item: str
) -> None:
    index = seed_store.current()
    match = index.search(text)[0]
    assert match.entry.id == entry_id and match.score >= faq.UNSURE_SCORE, "retrieval is sure of the entry"
    found = item_behind_entry(get_catalogue(), text, match.entry, match.score, index.search)
    assert found is not None and found.name == item


@pytest.mark.parametrize(
    "text",
    [
        "社保卡能在自助机上办吗",  # 自助终端: its other words ask for it
        "社保卡可以跨省通办吗",  # 跨省通办 named
        "残疾人过来办业务也要排长队吗",  # 绿色通道: its questions speak of 残疾人 themselves
        "俺想去办事 窗口能刷脸不",  # no item the catalogue is sure of
        "护理补贴能免申即享不",  # 免申即享, of the entry's own title, is asked about
        "香港人想在郑州开个公司 咋弄",  # 境外人员: a small drop without 开公司 (0.42 to 0.39)
    ],
)
def test_an_entry_asked_for_by_words_of_its_own_keeps_its_answer(seed_store: FaqStore, text: str) -> None:
    index = seed_store.current()
    match = index.search(text)[0]
    assert item_behind_entry(get_catalogue(), text, match.entry, match.score, index.search) is None


async def test_an_entry_found_through_an_items_term_is_answered_with_the_items_guide(
    seed_store: FaqStore,
) -> None:
    """The model and retrieval agree on 惠企政策兑现 for "护理补贴要怎么申请"; the item's guide answers."""
    text = "护理补贴要怎么申请"
    tracker = ranked(text, {"faq": 0.74, "ask_process": 0.1}, {"name": "zhengceduixian", "confidence": 0.68})
    dispatcher = CollectingDispatcher()
    await ActionFaq().run(dispatcher, tracker, {"responses": {}})
    cards = [m["custom"] for m in dispatcher.messages if m.get("custom")]
    assert cards and cards[0]["type"] == "guide" and cards[0]["item"] == "残疾人服务一件事"
    assert not any(c["type"] == "faq" for c in cards)
