"""Catalogue phrases typed with a same-sounding wrong character (pinyin keyboard typos)."""

import pytest

from bot.catalogue.sounds import (
    WELL_WORN,
    SoundMatcher,
    allowed_differences,
    initials_of,
    pinyin_words,
    spellings_of,
)
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


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("注销的流陈给说说", "注销的流程给说说"),  # cheng typed chen: nearly the same sound
        ("可以在网尚申请吗", "可以在网上申请吗"),
        ("申情的步揍有几步", "申请的步骤有几步"),
        ("补办要带啥材聊", "补办要带啥材料"),
        ("网上申情要几天", "网上申请要几天"),
        ("收废吗", "收费吗"),
        # in lower-case toneless pinyin right beside Chinese
        ("注销的liucheng给说说", "注销的流程给说说"),
        ("补办要带啥cailiao", "补办要带啥材料"),
        ("shoufei吗 线上可以shenqing吗", "收费吗 线上可以申请吗"),
    ],
)
def test_the_nouns_of_a_question_typed_by_their_sound_are_read_back(text: str, expected: str) -> None:
    from bot.guide import respelled

    assert respelled(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "往上走就是",  # 往上 is a word of its own, not 网上
        "实践证明",  # 实践 is a word, not 时间
        "这事分几步走",  # 步 belongs to 几步: 步走 is no 步骤
        "差不多就行",  # 多 belongs to 差不多
        "郑好办里咋找",  # 办里 is no question noun (办理 is not one)
        "人多就得排队吗",  # 多就: "the more …", and 多久 is no noun
        "刘程让我问问退休手续",  # a name: its surname merely sounds like 流
        "郑明",
        "Liu Cheng让我问问退休手续",  # a name in pinyin stands apart or begins with a capital
        "liucheng",  # nothing Chinese beside it: a name, a handle
        "申请人 zheng ming 退休咋办",
        "shoufeiyong是啥",  # spells more than a noun
        "我叫liucheng",  # a name after 叫, an account before @ or digits
        "联系人 zhengming",
        "邮箱liucheng@qq.com",
        "微信号shenqing2024",
    ],
)
def test_words_that_merely_sound_like_question_nouns_stay(text: str) -> None:
    from bot.guide import respelled

    assert respelled(text) == text


@pytest.mark.parametrize(
    ("text", "aspect"),
    [("注销的流陈给说说", "process"), ("可以在网尚申请吗", "online"), ("得交哪些材聊", "materials")],
)
def test_an_aspect_asked_in_mistyped_words_is_that_aspect(text: str, aspect: str) -> None:
    from bot.guide import worded_aspect

    assert worded_aspect(text) == aspect


def test_a_capitalised_name_in_pinyin_asks_no_aspect() -> None:
    from bot.guide import worded_aspect

    assert worded_aspect("注销的liucheng咋走") == "process"
    assert worded_aspect("我叫Liucheng") is None


def test_everyday_words_are_matched_only_where_no_dictionary_word_stands() -> None:
    nouns = [("网上", "网上"), ("时间", "时间")]
    plain = SoundMatcher(nouns, near_from=2)
    strict = SoundMatcher(nouns, near_from=2, words_are_no_typos=True)
    assert plain.find("往上") == [(0, 2, "网上")]
    assert strict.find("往上") == []
    assert strict.respelled("可以在网尚申请吗") == "可以在网上申请吗"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("营业执造怎么弄", "营业执照怎么弄"),
        ("公积斤怎么提", "公积金怎么提"),
        ("营业执照怎么申请", "营业执照怎么申请"),
        # typed in pinyin, in lower case beside Chinese
        ("guohu怎么办", "过户怎么办"),
        ("想问gongjijin的事", "想问公积金的事"),
        # a name or English stands apart or begins with a capital; letters spelling no subject stay
        ("guohu", "guohu"),
        ("Guohu怎么办", "Guohu怎么办"),
        ("hello你好", "hello你好"),
    ],
)
def test_longer_broad_subjects_typed_by_their_sound_are_read_back(text: str, expected: str) -> None:
    from bot.catalogue import get_catalogue

    assert get_catalogue().spelled_subjects(text) == expected


SPELLINGS = spellings_of(["社保卡", "居住证", "开办企业", "公积金", "开公司", "退休", "个体户"])


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("shebaoka丢了咋办", [(0, 8, "社保卡")]),
        ("kaiban qiye xuyao shenme cailiao", [(0, 11, "开办企业")]),  # the words that spell it, no more
        ("can I apply juzhuzheng online", [(12, 22, "居住证")]),
        ("kaiban-qiye 要啥材料", [(0, 11, "开办企业")]),  # words joined by a hyphen
        ("请问:shebaoka咋办", [(3, 11, "社保卡")]),
        ("name: wang 的 juzhuzheng 到期了", [(13, 23, "居住证")]),  # the name is not, the term after it is
        ("gongjijin 和 shebaoka 都要改", [(0, 9, "公积金"), (12, 20, "社保卡")]),
    ],
)
def test_whole_pinyin_words_that_spell_a_term_are_read(text: str, found: list) -> None:
    assert pinyin_words(text, SPELLINGS) == found


@pytest.mark.parametrize(
    "text",
    [
        "juzhuzhengming 要带不",  # part of a longer word is not the term
        "我叫gongjijin",  # after 叫: a name
        "姓名：gong jijin",
        "my name is gong jijin",
        "Gong Jijin 的预约改到周三",  # a capital: a name is written so
        "GETIHU 咋办",
        "邮箱 gongjijin@qq.com",  # an account
        "我的邮箱：shebaoka-zhang@qq.com",
        "http://shebaoka.gov.cn/apply 打不开",  # a web address
        "文件名 shebaoka.pdf 传不上去",  # a file name
        "shebaoka2026 是啥",  # joined to digits
        "sbk 丢了",  # initials only with a map of them (`initials_of`)
        "tuixiu 咋办",  # two syllables spell too many things (names, English)
        "kai 个 gongsi",  # words apart from each other are not one term
        "没有拼音",
    ],
)
def test_nothing_else_is_read_from_pinyin(text: str) -> None:
    assert pinyin_words(text, SPELLINGS) == []


def test_only_terms_of_three_characters_or_more_are_spelt() -> None:
    assert spellings_of(["退休", "社保卡", "shebao", "社保卡"]) == {"shebaoka": "社保卡"}


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("shebaoka丢了 补办咋走流程", "社会保障卡居民服务一卡通一件事"),  # an alias
        ("kaiban qiye xuyao shenme cailiao", "开办企业一件事"),  # the short name
        ("xinyong xiufu具体咋操作", "信用修复一件事"),
        ("Xinyong xiufu yao duojiu", "信用修复一件事"),  # a phone capitalises a message's first letter
        ("Geti gongshanghu dengji", "个体工商户登记一件事"),
    ],
)
def test_a_name_typed_in_pinyin_is_linked_and_masked(text: str, item: str) -> None:
    index = ServiceIndex.for_folder("data/services")
    [found] = index.find(text)
    assert found["value"] == item and found["extractor"] == "ServiceLinker.pinyin"
    assert found["confidence_entity"] < 1.0
    assert not any("\u4e00" <= c <= "\u9fff" for c in text[found["start"] : found["end"]])


def test_an_everyday_term_typed_in_pinyin_is_weighed_as_its_characters() -> None:
    index = ServiceIndex.for_folder("data/services")
    assert index.find("gongjijin能网上提不") == []  # 公积金 describes the item, it does not name it
    assert index.catalogue.evidence("gongjijin能网上提不") == index.catalogue.evidence("公积金能网上提不")
    assert index.link("gongjijin能网上提不", "ask_online")[0]["value"] == "公积金提取一件事"


def test_of_terms_spelt_alike_the_word_is_read_not_the_typo() -> None:
    # staff list typos for their sound (公基金, 不动产全证); the reading is the word other terms hold
    spellings = spellings_of(["公基金", "公积金", "公积金余额", "住房公积金", "不动产全证", "不动产权证"])
    assert spellings["gongjijin"] == "公积金" and spellings["budongchanquanzheng"] == "不动产权证"


def test_every_reading_of_the_catalogue_sees_a_name_typed_in_latin_letters() -> None:
    catalogue = ServiceIndex.for_folder("data/services").catalogue
    for typed, written in [
        ("我问的是 shebaoka 补办", "我问的是社保卡补办"),
        ("I mean social security card", "社保卡"),
    ]:
        assert catalogue.mentioned_in(typed) == catalogue.mentioned_in(written)
        assert catalogue.mentioned_in(typed) is not None
        item = catalogue.mentioned_in(typed)
        assert item is not None and catalogue.terms_said(item, typed)
        assert catalogue.evidence(typed).leading == item


# the nouns and how many of the catalogue's terms are built on each (8 = `WELL_WORN`)
BUILT_ON = ["公积金"] * 9 + ["营业执照"] * 8 + ["营运资质"] * 2 + ["开公司"] * 5
BUILT_ON += ["公司改名", "公司关门"] * WELL_WORN + ["安顺卡"] * WELL_WORN
NOUNS = ["公积金", "营业执照", "营运资质", "开公司", "公司改名", "公司关门", "安顺卡"]
INITIALS = initials_of(NOUNS, BUILT_ON)


def test_only_well_worn_nouns_are_read_by_their_initials() -> None:
    # 营业执照 over 营运资质 (the one more terms are built on); 开公司 too few ("kgs" is kilograms);
    # 公司改名 and 公司关门 tie; 安顺卡 "ask" holds a vowel, as English words do
    assert INITIALS == {"gjj": "公积金", "yyzz": "营业执照"}


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("gjj咋提", [(0, 3, "公积金")]),
        ("取gjj带啥 身份证就行不", [(1, 4, "公积金")]),
        ("yyzz 咋申请", [(0, 4, "营业执照")]),
        ("gongjijin 和 gjj", [(0, 9, "公积金"), (12, 15, "公积金")]),
        ("Gjj窗口在几楼", [(0, 3, "公积金")]),  # a phone capitalises a message's first letter
        ("Yyzz 咋申请", [(0, 4, "营业执照")]),
    ],
)
def test_a_term_typed_by_its_initials_is_read(text: str, found: list) -> None:
    assert pinyin_words(text, SPELLINGS, INITIALS) == found


@pytest.mark.parametrize(
    "text",
    [
        "GJJ咋提",  # capitals: a name or an acronym
        "我同事gjj想问下公积金在哪个窗口取",  # after a word for a person: chat names people so
        "帮 gjj 问一下 营业执照要带啥",
        "问下 Gjj 咋提",  # a capital inside a message: a name
        "问下 Kaiban qiye",
        "Gjjx 是啥",
        "我叫gjj",  # after 叫: a name
        "gjjx 是啥",  # part of a longer word
        "gjj@qq.com",  # an account
        "gjj2026",  # joined to digits
        "gj 咋提",
        "5 kgs",
    ],
)
def test_nothing_else_is_read_by_initials(text: str) -> None:
    assert pinyin_words(text, SPELLINGS, INITIALS) == []


def test_one_letter_said_over_is_no_initials() -> None:
    assert pinyin_words("zzz 困了", {}, {"zzz": "暂住证"}) == []


def test_the_catalogue_reads_initials_of_its_well_worn_nouns() -> None:
    index = ServiceIndex.for_folder("data/services")
    [found] = index.find("sbk丢了补办收费不")  # 社保卡, an alias
    assert found["value"] == "社会保障卡居民服务一卡通一件事" and found["extractor"] == "ServiceLinker.pinyin"
    catalogue = index.catalogue
    assert catalogue.in_characters("取gjj带啥") == "取公积金带啥"
    assert catalogue.evidence("取gjj带啥") == catalogue.evidence("取公积金带啥")
    assert catalogue.in_characters("5 kgs 的包裹") == "5 kgs 的包裹"
