"""The hall's terms typed in pinyin are read back as Chinese before the models see a message."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.faq import FaqIndex, decide
from bot.faq_entries import load_entries
from bot.nlu.pinyin import PinyinReader, spelling, terms_of, vocabulary_of, written_with

FAQ = Path(__file__).resolve().parents[2] / "data" / "faq"


@pytest.fixture(scope="module")
def index() -> FaqIndex:
    return FaqIndex(load_entries(FAQ))


def test_a_term_is_known_by_its_toneless_pinyin() -> None:
    assert spelling("跨省通办") == "kuashengtongban"
    reader = PinyinReader.of_terms(terms_of(["跨省通办/异地办理", "好差评"]))
    assert reader.read("kuashengtongban") == ["跨省通办"]
    assert reader.read("YiDiBanLi") == ["异地办理"]


def test_of_two_terms_spelt_alike_the_more_frequent_is_read() -> None:
    reader = PinyinReader.of_terms({"部门报道": 1, "部门报到": 3})
    assert reader.read("bumenbaodao") == ["部门报到"]


def test_a_reading_of_terms_spells_three_syllables_or_more() -> None:
    reader = PinyinReader.of_terms({"免费": 1, "好差评": 1})
    assert reader.read("mianfei") is None
    assert reader.read("haochaping") == ["好差评"]


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("俺想问 kuasheng tongban 怎么申请", "跨省通办"),  # word by word
        ("给个haochaping在哪儿点", "好差评"),  # glued to Chinese
        ("wanrenzhuwanqi 这个活动是干啥的", "万人助万企"),  # one run, one term
        ("俺们工地能申请 chuishao baodao 不", "吹哨报到"),  # two terms
        ("RongQue ShouLi 是啥意思", "容缺受理"),  # capitals
    ],
)
def test_the_faqs_terms_in_pinyin_are_read(index: FaqIndex, text: str, reading: str) -> None:
    assert reading in index.pinyin.with_readings(text)


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("gexing zhinan zai na kan", "个性指南在哪看"),  # a title's term and the question around it
        ("banjian jindu zai na cha", "办件进度在哪查"),
        ("zenme ban", "怎么办"),
        ("Zenme ban", "怎么办"),  # a phone's capital first letter
        ("yao dai shenme cailiao", "要带什么材料"),
        ("xuyao duojiu", "需要多久"),
        ("俺想问下 duoshao qian", "俺想问下 多少钱"),
        ("开办企业 xuyao shenme", "开办企业 需要什么"),  # words alone: one of two syllables is enough
        ("开办企业 cailiao 有哪些", "开办企业 材料 有哪些"),  # a title's term, in lower case a word too
        ("WANGSHANG YUYUE", "网上预约"),  # titles' terms, capitals or not, though words of a question too
        ("请问 Haochaping Chuangkou", "请问 好差评窗口"),
        ("wo xiang yuyue", "我想预约"),
        ("zenme ban zhege xiaoxi", "怎么办这个 xiaoxi"),  # words that spell nothing stay
        ("dating zai nar", "大厅在哪儿"),  # 哪儿 as it is said
        ("ji dian kaimen", "几点开门"),
        ("dizhi shi Changchun lu 11 hao", "地址是 Changchun lu 11 hao"),
        ("gongjijin zenme tiqu", "gongjijin 怎么提取"),
        ("keyi yuyue ma", "可以预约吗"),
        ("zhuxiao gongsi buzhou", "zhuxiao gongsi 步骤"),  # the nouns of a question (bot.question_words)
        ("shi de", "是的"),
        ("wo jiao wang lei", "我叫 wang lei"),  # what follows 我叫 is a name
        ("wo jiao, ma ling", "我叫, ma ling"),
        ("mingzi jiao li lei", "名字 jiao li lei"),
        ("bu ban le", "不办了"),  # at equal cost, the cut keeping the writer's spaces: not 补办了
        ("dui", "对"),  # a reply of one syllable, the whole message
        ("Zhong!", "中!"),
        ("bu", "不"),
    ],
)
def test_the_everyday_words_of_a_question_are_read(index: FaqIndex, text: str, read: str) -> None:
    assert index.pinyin.with_readings(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "我叫 Qian Yueling",  # 钱约领 in words of a question, but a name is written with capitals
        "ban",  # one syllable
        "aaaaaa",  # one word said over: a key held down
        "我叫 qian yue",  # after 叫: a name
        "ma ling",  # words of one syllable alone: a name as often as 吗领
        "shi yue",
        "shine",  # English
        "Shide-5G",  # joined to digits by a dash: a Wi-Fi's name
        "dizhi-2F",
        "wangshang@163.com",  # an account
        "http://www.zaina.com",
        "banli123",  # joined to digits
        "Li Na 在吗",
        "联系人 Qian Yue",  # 钱约 in words of a question, but written as a name is
        "联系人 qian Yue",
        "bu yao",  # one syllable each: "bu" alone is read only as the whole message
    ],
)
def test_a_run_is_read_only_if_every_word_of_it_is_a_questions(index: FaqIndex, text: str) -> None:
    assert index.pinyin.with_readings(text) == text


@pytest.mark.parametrize(
    "text",
    [
        "wifi密码多少",  # not pinyin
        "HR来办入职",  # initials
        "Please reserve a window for me",  # English, glossary words among them
        "我叫 Zhang Wei",  # a name spells no term
        "ok",
        "hello 在吗",
        "我叫 Zheng Ming",  # 证明 of a title, but two syllables are too few to tell from a name
        "my name is Li",  # "name" is not 那么
        "my name is yu yue",  # nor 预约, after "name"
        "I am called yu yue",  # nor after "called"
        "我的name是 yu yue",  # "name" right after Chinese
        "预约号 BANLI123",
        "ABCD1234",
        "mianfei吗",  # 免费 is no title's word, and two syllables
        "a" * 4000,  # a pasted run is not read at all
    ],
)
def test_other_latin_words_are_left_as_they_are(index: FaqIndex, text: str) -> None:
    assert index.pinyin.with_readings(text) == text


@pytest.mark.parametrize(
    ("text", "topic"),
    [
        ("俺想问 kuasheng tongban 怎么申请", "kuasheng"),
        ("给个haochaping在哪儿点", "haochaping"),
        ("shouxi fuwuguan 是管啥的", "shouxifuwuguan"),
    ],
)
def test_retrieval_answers_a_term_typed_in_pinyin(index: FaqIndex, text: str, topic: str) -> None:
    entry = decide(index.search(text)).entry
    assert entry is not None and entry.id == topic


def test_any_word_of_the_vocabulary_is_read_the_domains_first() -> None:
    vocabulary = vocabulary_of(["登记", "登记", "参保", "x", "登"])
    assert vocabulary[:2] == ["登记", "参保"]  # the training messages' words, most frequent first
    assert "天气" in vocabulary and "等级" in vocabulary  # then jieba's dictionary
    reader = PinyinReader.of_terms({}, vocabulary=vocabulary)
    assert reader.with_readings("dengji canbao") == "登记参保"  # not the dictionary's 等级, 残暴
    assert reader.with_readings("mingtian tianqi zenmeyang") == "明天天气怎么样"
    assert reader.with_readings("Wang Lei") == "Wang Lei"  # capitals: a name


def test_the_cheapest_cut_keeps_the_writers_spaces() -> None:
    reader = PinyinReader.of_terms({}, vocabulary=["卧室", "郑州", "户口", "腰带"])
    assert reader.with_readings("wo shi zhengzhou hukou") == "我是郑州户口"  # not 卧室
    assert reader.with_readings("yao dai shenme") == "要带什么"  # not 腰带
    assert reader.read("woshi") == ["卧室"]  # typed as one word, the word it spells
    # the cheapest cut the guards refuse (one-syllable words alone) gives way to the cheapest they take
    assert PinyinReader.of_terms({}, vocabulary=["不是"]).with_readings("bu shi") == "不是"


def test_numbers_spelled_in_words_are_no_vocabulary() -> None:
    assert "八八" not in vocabulary_of(["八八", "幺三八"])


def test_a_text_read_keeps_where_each_character_came_from() -> None:
    read, origins = written_with("kai fandian 要啥", [(0, 11, "开饭店")])
    assert read == "开饭店 要啥"
    assert origins[:3] == [(0, 11)] * 3
    assert origins[3:] == [(11, 12), (12, 13), (13, 14)]


def test_no_two_everyday_words_are_spelt_alike() -> None:
    """A word spelt as another would never be read (`PinyinReader.of_terms` keeps the first)."""
    from bot.nlu.pinyin import QUESTION_WORDS

    spellings = [spelling(word) for word in QUESTION_WORDS]
    assert len(set(spellings)) == len(spellings)
