import pytest

from api.messages import clean_text, guard_payload

INTENTS = frozenset({"greet", "ask_materials", "book_appointment"})


@pytest.mark.parametrize(
    ("raw", "cleaned"),
    [
        ("  你好  ", "你好"),
        ("开\u200b公司\u200d要带啥", "开公司要带啥"),
        ("\ufeff退休", "退休"),
        ("我的电话是１３８６７９０５６７８", "我的电话是13867905678"),
        ("材料\n\n\t有哪些", "材料 有哪些"),
        ("\x00\x07", ""),
        ("🙂🙂", "🙂🙂"),
        ("办理时间？！", "办理时间?!"),
    ],
)
def test_clean_text(raw: str, cleaned: str) -> None:
    assert clean_text(raw) == cleaned


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/greet", "/greet"),
        ('/ask_materials{"service": "退休一件事"}', '/ask_materials{"service": "退休一件事"}'),
        ("/restart", "restart"),
        ("/unknown_intent", "unknown_intent"),
        ('/ask_materials{"requested_slot": "phone"}', 'ask_materials{"requested_slot": "phone"}'),
        ("/ask_materials{not json}", "ask_materials{not json}"),
        ("///", "你好"),
        ("开公司", "开公司"),
    ],
)
def test_guard_payload(text: str, expected: str) -> None:
    assert guard_payload(text, INTENTS) == expected
