"""Guide journeys through the real stack: the item carries across turns, vague questions get choices."""

from __future__ import annotations

import time
from typing import Any, Dict, List, Optional

import httpx
import pytest

from api.host_user import sign_user
from bot.catalogue import get_catalogue
from tests.conftest import Stack

pytestmark = pytest.mark.integration


class Conversation:
    """One chat session through the api; ``user`` signs it in as that 郑好办 user, as the app would."""

    def __init__(self, stack: Stack, user: Optional[str] = None) -> None:
        self.stack = stack
        body: Dict[str, Any] = {}
        if user:
            expires = int(time.time()) + 600
            body = {
                "user": user,
                "expires": expires,
                "signature": sign_user(user, expires, stack.env["HOST_SIGNING_SECRET"]),
            }
        session = httpx.post(f"{stack.api}/api/session", json=body)
        assert session.status_code == 200, session.text
        assert session.json().get("user") == user
        self.sender = session.json()["sender"]

    def say(self, message: str) -> List[Dict[str, Any]]:
        response = httpx.post(
            f"{self.stack.api}/api/chat", json={"sender": self.sender, "message": message}, timeout=30
        )
        assert response.status_code == 200, response.text
        return response.json()


def text_of(replies: List[Dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def card_of(replies: List[Dict[str, Any]]) -> Dict[str, Any]:
    return next(r["custom"] for r in replies if r.get("custom"))


def buttons_of(replies: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    return [b for r in replies for b in r.get("buttons") or []]


def test_item_then_aspects_keep_context(stack: Stack) -> None:
    chat = Conversation(stack)
    overview = chat.say("宝宝刚出生要办哪些手续")
    assert "新生儿出生一件事" in text_of(overview) and "出生医学证明" in text_of(overview)
    assert {"材料", "流程", "时限", "收费", "条件", "网上办", "窗口"} <= {
        b["title"] for b in buttons_of(overview)
    }

    question = chat.say("那要带什么材料")
    options = buttons_of(question)
    assert "户籍" in text_of(question) and len(options) == 2
    checklist = chat.say(options[0]["payload"])
    assert "□" in text_of(checklist) and "出生医学证明" in text_of(checklist)
    assert card_of(checklist)["item"] == "新生儿出生一件事" and card_of(checklist)["aspect"] == "materials"

    item = get_catalogue().get("新生儿出生一件事")
    limit = chat.say("多久能办好")
    assert item.time_limit.promised in text_of(limit) and item.time_limit.legal in text_of(limit)
    assert f"{item.window.number}号窗口" in text_of(chat.say("去几号窗口办"))


def test_aspect_first_then_item(stack: Stack) -> None:
    chat = Conversation(stack)
    first = chat.say("要带什么材料")
    assert buttons_of(first), "asks which item, with buttons"
    chosen = chat.say(next(b["payload"] for b in buttons_of(first) if "开办企业" in b["title"]))
    assert "开办企业一件事" in text_of(chosen)


def test_switching_items(stack: Stack) -> None:
    chat = Conversation(stack)
    assert "开办企业一件事" in text_of(chat.say("开公司收费吗"))
    assert "企业注销一件事" in text_of(chat.say("那注销公司收费吗"))
    assert "企业注销一件事" in text_of(chat.say("在哪个窗口办"))


def test_everyday_words_find_the_one_item(stack: Stack) -> None:
    """ "开个饭馆" can only be 开办餐饮店一件事: its guide, not a choice and not a guess among others."""
    chat = Conversation(stack)
    replies = chat.say("我想开个饭馆")
    assert "开办餐饮店一件事" in text_of(replies) and "您是想办理" not in text_of(replies)
    assert "开办餐饮店一件事" not in [b["title"] for b in buttons_of(replies)]
    followed = chat.say('/ask_service_guide{"service": "开办餐饮店一件事"}')
    assert "开办餐饮店一件事" in text_of(followed)


def test_unknown_item_gets_the_phone_number(stack: Stack) -> None:
    chat = Conversation(stack)
    replies = chat.say("我要办护照")
    assert "暂时没有找到" in text_of(replies) and "咨询电话" in text_of(replies)
    assert "您是想办理" not in text_of(replies)
    assert "护照" not in "".join(b["title"] for b in buttons_of(replies))


def test_an_item_typed_in_pinyin_or_named_in_english_gets_its_guide(stack: Stack) -> None:
    """Citizens without a Chinese keyboard, and foreign residents, name the matter in Latin letters."""
    pinyin = Conversation(stack).say("shebaoka丢了 补办要带啥")
    assert "社会保障卡居民服务一卡通一件事" in text_of(pinyin) and "您是想办理" not in text_of(pinyin)
    english = Conversation(stack).say("What documents do I need for opening a pharmacy?")
    assert "开办药店一件事" in text_of(english) and "您是想办理" not in text_of(english)


def test_a_subject_only_one_item_is_filed_under_answers_that_item(stack: Stack) -> None:
    """公积金 is 公积金提取's subject alone (others only open or move an account): its window, no choices."""
    window = Conversation(stack).say("公积金窗口在几楼")
    assert "公积金提取一件事" in text_of(window) and "三楼" in text_of(window)
    assert "您是想办理" not in text_of(window)
    initials = Conversation(stack).say("sbk丢了 补办收费不")  # 社保卡 by its initials
    assert "社会保障卡居民服务一卡通一件事" in text_of(initials) and "您是想办理" not in text_of(initials)
    vague = Conversation(stack).say("公积金的事问一下")  # the subject as such: which matter of it
    assert "您是想办理" in text_of(vague)


@pytest.mark.parametrize(
    ("question", "reply", "told"),
    [
        ("开药店要啥材料", "有了", "（已有营业执照）"),
        ("开药店要啥材料", "我已经有营业执照了", "（已有营业执照）"),
        ("退休要带啥", "单位帮办", "（单位代为申请）"),
        ("宝宝刚出生 要带啥材料", "俺们都是外地的", "（外地户籍）"),
    ],
)
def test_a_situation_answered_in_own_words_gives_the_checklist(
    stack: Stack, question: str, reply: str, told: str
) -> None:
    """A typed answer to the 个性指南 question is that answer, whatever the model reads ("有了": stop)."""
    chat = Conversation(stack)
    assert card_of(chat.say(question))["type"] == "guide_question"
    checklist = chat.say(reply)
    assert card_of(checklist)["aspect"] == "materials"
    assert told in text_of(checklist) and "□" in text_of(checklist)


def test_a_situation_told_with_the_question_is_not_asked(stack: Stack) -> None:
    chat = Conversation(stack)
    asked = card_of(chat.say("社保卡丢了 要带啥"))
    assert asked["type"] == "guide_question" and asked["question"] == "agent"
    checklist = chat.say("本人")
    assert "（补办或换卡、本人办理）" in text_of(checklist)


def test_someone_who_cannot_come_is_told_how_it_is_done_without_coming(stack: Stack) -> None:
    chat = Conversation(stack)
    assert card_of(chat.say("俺爹快到六十了，退休咋弄"))["item"] == "退休一件事"
    replies = chat.say("俺爹腿脚不中，来不了咋办")
    assert card_of(replies)["aspect"] == "online" and "全程网办" in text_of(replies)
    assert "委托代办与授权委托书" in [b["title"] for b in buttons_of(replies)]
