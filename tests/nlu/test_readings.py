"""Readings of mixed messages by the trained model: the request that matters wins.

A challenge and a request for a person in one message asks for the person; a citizen's past in another
place is not another place's affair; how long a change takes is a question about the matter, not a
booking to move. A plain statement about the citizen is told, not asked; a fee question put to the
hall is the hall's FAQ; the order of the steps is the process; whether it must be done in person is
the online aspect; fault found with the bot is a complaint; whether the hall is open now is its
hours; a greeting with a matter is the question. A message reads the same with full-width or ASCII
punctuation (the chat API folds it). None of these sentences stands in the
training data.
"""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from api.messages import clean_text
from bot.guide import GUIDE_INTENTS
from bot.nlu.intent_classifier import answered_as_service
from tests.utils.nlu import parse

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    "text",
    ["你是个机器人吧 那帮我找个人工客服", "是自动回复吗？麻烦转真人", "你是不是电脑在回啊 我要跟人说"],
)
def test_a_person_asked_for_with_a_challenge_is_a_request_for_a_person(agent: Agent, text: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "request_human", parsed["intent_ranking"][:3]


def test_a_challenge_alone_stays_a_challenge(agent: Agent) -> None:
    parsed = parse(agent, "你是不是机器人呀")
    assert parsed["intent"]["name"] == "bot_challenge", parsed["intent_ranking"][:3]


@pytest.mark.parametrize(
    "text",
    [
        "之前在上海上过三年班 退休时能算上吗",
        "年轻时在广州工作过几年 办退休要开啥证明",
        "在杭州交了五年社保 退休咋算",
    ],
)
def test_a_past_in_another_place_is_a_question_about_a_matter(agent: Agent, text: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] in GUIDE_INTENTS, parsed["intent_ranking"][:3]


def test_how_long_a_change_takes_is_a_time_limit_question(agent: Agent) -> None:
    parsed = parse(agent, "信息改一下大概多久")
    assert parsed["intent"]["name"] == "ask_time_limit", parsed["intent_ranking"][:3]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("我是新乡户口", "inform"),
        ("公司在长椿路上", "inform"),
        ("政府办这些手续要不要钱", "faq"),
        ("开小饭馆先办哪个证后办哪个证", "ask_process"),
        ("个体户登记必须去现场吗", "ask_online"),
        ("这机器人真没用", "complain"),
        ("现在大厅还开着不", "ask_office_hours"),
        ("hi 居住证咋个办", "ask_service_guide"),
    ],
)
def test_the_form_of_a_message_says_what_it_is(agent: Agent, text: str, intent: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]


@pytest.mark.parametrize(
    "typed",
    [
        "帮我转人工吧，号码是13900001111",
        "孩子刚出生，上户口要带啥？",
        "营业执照丢了！补办去哪个窗口？",
        "ETC能在大厅办吗？",
        "公积金（住房的）怎么取：要本人去吗？",
        "你好；我想约个号",
    ],
)
def test_full_width_forms_read_as_the_chat_api_passes_them(agent: Agent, typed: str) -> None:
    """The training data keeps "，？！（）；" as typed; the chat API folds them (`api.messages.clean_text`).

    (Full-width digits and letters, which jieba would cut apart, are folded by the API before the
    tokenizer sees them: `tests/unit/test_messages.py`.)
    """
    served = clean_text(typed)
    assert served != typed
    as_typed, as_served = parse(agent, typed), parse(agent, served)
    assert [r["name"] for r in as_typed["intent_ranking"][:3]] == [
        r["name"] for r in as_served["intent_ranking"][:3]
    ]
    assert as_typed["intent"]["confidence"] == pytest.approx(as_served["intent"]["confidence"], abs=1e-6)


@pytest.mark.parametrize(
    "number", ["138123456", "13812345", "1381234567", "0371-6799", "2026.12.08", "1400", "20261207"]
)
def test_a_number_alone_is_not_a_question(agent: Agent, number: str) -> None:
    """A phone number a digit short (or long), a date or a time typed as digits answers a form."""
    parsed = parse(agent, number)
    assert not answered_as_service(parsed["intent"]["name"]), parsed["intent_ranking"][:3]


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("dating ji dian kaimen", "ask_office_hours"),
        ("zhengwu dating zai nar a", "ask_hall_location"),  # 哪儿 as it is said
        ("mingtian tianqi hao bu hao", "out_of_scope"),  # 天气: a word of no list, from the vocabulary
        ("ba wo de yuyue quxiao le ba", "cancel_appointment"),
        ("fuwu taidu tai cha le, wo yao tousu", "complain"),
        ("wo de dianhua shi 13937112345", "inform"),  # the form's rules read the pinyin too
        ("zhao min dianhua 13937112345", "inform"),  # a name left unread beside a value
        ("bu shi", "deny"),
        ("mingtian shangwu", "inform"),
        ("Wo jiao Zhao Min", "inform"),
        ("dui", "affirm"),  # a reply of one syllable, the whole message
    ],
)
def test_a_message_typed_in_pinyin_reads_as_its_chinese(agent: Agent, text: str, intent: str) -> None:
    """Chinese typed without an input method is read back before the model and its rules see it."""
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == intent, parsed["intent_ranking"][:3]


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("wo xiang kai ge xiao fanguan, yao ban sha", "开办餐饮店一件事"),  # a situation told in pinyin
        ("gongjijin zenme tiqu a", "公积金提取一件事"),
        ("zhuxiao chuangkou zai nar", "企业注销一件事"),
    ],
)
def test_an_item_told_in_pinyin_is_linked(agent: Agent, text: str, item: str) -> None:
    parsed = parse(agent, text)
    linked = {e["value"] for e in parsed["entities"] if e["entity"] == "service"}
    assert linked == {item}, parsed["entities"]
    assert all(0 <= e["start"] < e["end"] <= len(text) for e in parsed["entities"])
