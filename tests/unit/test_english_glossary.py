"""English words inside Chinese messages gain their Chinese gloss before featurising."""

import pytest

from bot.nlu.english import GLOSSARY, glosses, with_glosses


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cancel 下周三的号", "cancel取消 下周三的号"),
        ("居住证的 Process 是啥", "居住证的 Process流程 是啥"),
        ("how  long 能办好", "how  long多久 能办好"),
        ("book一下明天", "book预约一下明天"),
        ("OK", "OK好的"),
    ],
)
def test_glossary_words_are_followed_by_their_gloss(text: str, expected: str) -> None:
    assert with_glosses(text) == expected


@pytest.mark.parametrize("text", ["ebook 在哪买", "booked", "我要办退休", "SF1234567890 快递", "bookkeeping"])
def test_other_text_is_left_alone(text: str) -> None:
    assert with_glosses(text) == text


def test_words_and_glossary_entries() -> None:
    assert glosses("Cancel") == ["取消"] and glosses("预约") == [] and glosses("ebook") == []
    assert all(key == key.lower() and value for key, value in GLOSSARY.items())
