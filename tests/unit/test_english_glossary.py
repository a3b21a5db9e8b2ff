"""English words inside Chinese messages gain their Chinese gloss before featurising."""

import pytest

from bot.nlu.english import GLOSSARY, glosses, meant, with_glosses


@pytest.mark.parametrize(
    "text, expected",
    [
        ("cancel 下周三的号", "cancel取消 下周三的号"),
        ("居住证的 Process 是啥", "居住证的 Process流程 是啥"),
        ("how  long 能办好", "how  long多久 能办好"),
        ("book一下明天", "book预约一下明天"),
        ("OK", "OK好的"),
        # what it costs, in the words people use for it
        ("办这个有extra charge吗", "办这个有extra charge额外收费吗"),
        ("free of charge吗", "free of charge免费吗"),
        # what a whole English question is about, and a wish without the word "cancel"
        ("register a business", "register注册 a business企业"),
        ("I no longer need the appointment", "I no longer need不需要了 the appointment预约"),
        ("the staff was rude", "the staff工作人员 was rude态度差"),
        # to open a shop is to start one, not the hall opening its doors
        ("open a shop", "open a开个 shop"),
        ("when do you open", "when do you open开门"),
        ("要pay多少", "要pay交钱多少"),
        ("in charge的人是谁", "in charge负责的人是谁"),
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


@pytest.mark.parametrize(
    "text, expected",
    [
        ("proces 咋走", "proces流程 咋走"),
        ("materal 要带啥", "materal材料 要带啥"),
        ("能 onlin 办不", "能 onlin网上办 办不"),
    ],
)
def test_a_mistyped_glossary_word_gets_the_gloss_of_the_word_meant(text: str, expected: str) -> None:
    assert with_glosses(text) == expected


def test_a_mistyped_tokenizer_word_is_glossed_too() -> None:
    assert glosses("Proces") == ["流程"] and glosses("materal") == ["材料"] and meant("prcess") == "process"


@pytest.mark.parametrize(
    "word", ["apple", "house", "Hellooo", "stopp", "wifi", "retirement", "Windows", "looking"]
)
def test_short_or_unlike_words_are_not_taken_for_glossary_words(word: str) -> None:
    assert meant(word) is None
    assert with_glosses(f"{word} 咋弄") == f"{word} 咋弄"
