"""Catalogue phrases typed with a same-sounding wrong character (pinyin keyboard typos)."""

import pytest

from bot.catalogue.sounds import SoundMatcher, allowed_differences
from bot.nlu.service_linker import ServiceIndex

PHRASES = [
    ("公积金提取", "公积金"),
    ("社保卡", "社保卡"),
    ("退休", "退休"),
    ("灵活就业", "灵活就业"),
    ("公租房", "公租房"),
]


@pytest.mark.parametrize(
    "text, found",
    [
        ("公基金提取 俺能自己弄不", [(0, 5, "公积金")]),
        ("补办社宝卡要交照片不", [(2, 5, "社保卡")]),
        ("办退修 流程是啥", [(1, 3, "退休")]),
        ("零活就业是啥意思", [(0, 4, "灵活就业")]),
        ("公积经提取 网上能弄不", [(0, 5, "公积金")]),  # jing for jin: -ing and -in not told apart
        ("补办社宝卡带身份证", [(2, 5, "社保卡")]),  # jieba cuts 卡带, but the wrong 宝 is inside
        ("申请公组房要啥条件", [(2, 5, "公租房")]),
    ],
)
def test_one_same_sounding_character_is_a_typo(text: str, found: list) -> None:
    assert SoundMatcher(PHRASES).find(text) == found


@pytest.mark.parametrize(
    "text",
    [
        "社保局在哪",  # another syllable: 局 ju is not 卡 ka
        "推修一下",  # 推 tui... reads tui xiu, but two of two characters differ from 退休
        "我要退休",  # exact: the phrase matcher's, not a typo
        "shebaoka 补办",  # letters are not characters
        "办租房提取得提供租房发票吗",  # 供租房 reads gong zu fang, but its 供 belongs to 提供
        "公租房保障那一块的事",  # exact 公租房 taken by the phrase matcher, nothing else near it
        "",
    ],
)
def test_no_typo_is_invented(text: str) -> None:
    assert SoundMatcher(PHRASES).find(text) == []


@pytest.mark.parametrize(
    "text", ["材料都交了 剩后面的还有啥步骤", "商事登记咋办", "离开办公室以后去哪", "居住政策咋样"]
)
def test_nearly_the_same_sound_needs_a_long_phrase_and_a_wrong_character_standing_alone(text: str) -> None:
    # 剩后/身后 and 商事/丧事 are two characters; 室 of 开办公室 belongs to 办公室; 政 of 居住政策 begins 政策
    index = ServiceIndex.for_folder("data/services")
    assert [e["value"] for e in index.find(text) if e["extractor"] == "ServiceLinker.sound"] == []


def test_exact_matches_are_left_to_the_phrase_matcher() -> None:
    assert SoundMatcher(PHRASES).find("社宝卡和社保卡", taken=[(0, 3, "社保卡")]) == []


def test_longer_phrases_allow_more_differences() -> None:
    assert [allowed_differences(n) for n in (2, 3, 5, 6, 9)] == [1, 1, 1, 2, 3]


def test_the_linker_marks_a_typo_and_the_classifier_masks_it() -> None:
    index = ServiceIndex.for_folder("data/services")
    [typo] = index.find("公基金提取 俺能自己弄不")
    assert typo["value"] == "公积金提取一件事" and typo["extractor"] == "ServiceLinker.sound"
    assert typo["confidence_entity"] < 1.0
    [exact] = index.find("公积金提取 俺能自己弄不")
    assert exact["extractor"] == "ServiceLinker" and exact["confidence_entity"] == 1.0
