"""`ServiceLinker`: names and aliases, items described in everyday words, and nothing invented."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Optional

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.catalogue import load_catalogue
from bot.catalogue.linking import SURE_SCORE, filed_alone
from bot.nlu.service_linker import DESCRIPTION_EXTRACTOR, EXTRACTOR, ITEM_INTENTS, ServiceIndex, ServiceLinker

SERVICES = Path(__file__).resolve().parents[2] / "data" / "services"


@pytest.fixture(scope="module")
def index() -> ServiceIndex:
    return ServiceIndex(load_catalogue(SERVICES))


def _linked(index: ServiceIndex, text: str, intent: str = "ask_service_guide") -> list[str]:
    return [entity["value"] for entity in index.link(text, intent)]


# Items described, not named: life events, situations, dialect and typos (written for this test).
DESCRIBED = [
    ("闺女刚满月 医保咋弄", "新生儿出生一件事"),
    # what staff added after reading what citizens asked (2026-12-05)
    ("在郑州想参加摇号买车 得先办啥", "居住证办理一件事"),
    ("医保卡消磁了 药店刷不了 咋弄", "社会保障卡居民服务一卡通一件事"),
    ("单位每月都给交着住房那笔 租房能用不", "公积金提取一件事"),
    ("俺家刚添了个娃 户口咋上", "新生儿出生一件事"),
    ("媳妇生了二胎，要办啥", "新生儿出生一件事"),
    ("厂里新招了十几个工人 社保咋交", "员工录用一件事"),
    ("公司新来的员工五险一金怎么弄", "员工录用一件事"),
    ("店里想卖点药 要啥证", "开办药店一件事"),
    ("想加盟个连锁药店", "开办药店一件事"),
    ("想在小区门口开个胡辣汤店", "开办餐饮店一件事"),
    ("做餐饮要办哪些证", "开办餐饮店一件事"),
    ("想摆摊做点小生意", "个体工商户登记一件事"),
    ("开个理发店要办执照吗", "个体工商户登记一件事"),
    ("我想自己创业开个公司", "开办企业一件事"),
    ("刻章领发票在哪办", "开办企业一件事"),
    ("公司要换老板了", "企业信息变更一件事"),
    ("想给公司改个名字", "企业信息变更一件事"),
    ("公司干不下去了想关掉", "企业注销一件事"),
    ("公司黄了咋弄", "企业注销一件事"),
    ("公司没报年报上了异常名录", "信用修复一件事"),
    ("被拉黑了怎么恢复", "信用修复一件事"),
    ("新店里要接电接水", "水电气网联合报装一件事"),
    ("家里想装宽带和燃气", "水电气网联合报装一件事"),
    ("把房子转给儿子", "二手房转移登记及水电气网联动过户一件事"),
    ("买了新房开发商说可以办房本了", "新建商品房转移登记一件事"),
    ("想把公积金取出来还房贷", "公积金提取一件事"),
    ("辞职了公积金能取吗", "公积金提取一件事"),
    ("我跑外卖的社保怎么交", "灵活就业一件事"),
    ("辞职后社保断了想接着交", "灵活就业一件事"),
    ("我爸今年满60了要办啥", "退休一件事"),
    ("到岁数了养老金怎么领", "退休一件事"),
    ("娃明年上一年级", "教育入学一件事"),
    ("外地孩子在这上学怎么报名", "教育入学一件事"),
    ("当兵回来要去哪报到", "军人退役一件事"),
    ("我妈瘫痪在床能办证吗", "残疾人服务一件事"),
    ("孩子听力残疾可以领补贴吗", "残疾人服务一件事"),
    ("俺爹走路得拄拐 能办证不", "残疾人服务一件事"),
    ("我爸脑溢血走了 后事咋办", "身后一件事"),
    ("社报卡密码忘了", "社会保障卡居民服务一卡通一件事"),
    ("卡坏了要换新卡", "社会保障卡居民服务一卡通一件事"),
    ("我爸走了 后事手续怎么办", "身后一件事"),
    ("在外地住院花的钱能报吗", "就医费用报销一件事"),
    ("看病自己垫的钱怎么报", "就医费用报销一件事"),
    ("外地人在郑州租房住要办什么证", "居住证办理一件事"),
    ("租不起房能申请政府的房子吗", "申请公租房一件事"),
    ("刚毕业想申请人才公寓", "申请公租房一件事"),
    ("盖厂房要报建", "建设项目开工一件事"),
    ("买了几辆大货车要办营运证", "开办运输企业一件事"),
    ("公司准备从二七区挪到这边", "企业迁移登记一件事"),
]
UNRELATED = [
    "今天天气怎么样", "asdf", "你是谁", "讲个笑话", "帮我订外卖", "需要什么材料", "我要投诉",
    "我想买一张火车票", "", "哈哈哈", "你们几点下班", "大厅在哪", "谢谢", "好的", "不用了",
    "人工客服", "多少钱", "多久能办好", "在哪个窗口", "可以网上办吗", "我要预约", "我想办护照",
    "驾照到期了怎么换", "我要买车", "结婚登记去哪", "离婚要带什么", "？？？", "😀", "1234567",
    "他腿脚不好来不了", "路上堵车 今天去不了了",
]  # fmt: skip
VAGUE = ["听说有补助 咋领", "想问问医保的事", "社保的事想咨询一下", "公司的事想咨询", "补贴怎么申请"]


@pytest.mark.parametrize(("text", "expected"), DESCRIBED)
def test_a_described_item_is_linked(index: ServiceIndex, text: str, expected: str) -> None:
    assert _linked(index, text) == [expected]


def test_described_items_cover_every_item_at_least_once() -> None:
    """The test sentences above are no use if they skip half of the catalogue."""
    catalogue = load_catalogue(SERVICES)
    assert len({name for _, name in DESCRIBED}) >= len(catalogue) - 2


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_or_garbage_links_nothing(index: ServiceIndex, text: str) -> None:
    assert _linked(index, text) == []


@pytest.mark.parametrize("text", VAGUE)
def test_a_vague_question_links_nothing_but_has_choices(index: ServiceIndex, text: str) -> None:
    assert _linked(index, text) == []
    assert len(index.catalogue.evidence(text).choices) >= 2


# A subject filed under more items than are offered at once: the choices are the items most about it
# (listed earliest among their ``topics``), not the ones whose other words happen to score higher.
SUBJECT_CHOICES = [
    # six items issue or change a business licence; the specialised shops list it last
    (
        "营业执照的事想咨询下",
        {"开办企业一件事", "个体工商户登记一件事"},
        {"开办药店一件事", "开办餐饮店一件事"},
    ),
    ("营业执照方面能办点啥", {"开办企业一件事", "企业信息变更一件事", "企业注销一件事"}, set()),
    # flexible workers insure themselves for medical care (职工医保) too
    ("问个医保的事", {"就医费用报销一件事", "灵活就业一件事"}, set()),
]


@pytest.mark.parametrize(("text", "offered", "not_offered"), SUBJECT_CHOICES)
def test_a_broad_subject_offers_the_items_most_about_it(
    index: ServiceIndex, text: str, offered: set[str], not_offered: set[str]
) -> None:
    choices = {item.name for item in index.catalogue.evidence(text).choices}
    assert _linked(index, text) == []
    assert offered <= choices
    assert not choices & not_offered


# Terms staff list under both the new flat and the resold one (房子过户, 房产证): asked as such, they say
# neither; with words that tell, they say which (sentences written for this test).
SHARED_ALONE = ["房屋过户要走哪些程序", "房产证怎么弄下来", "过户的事找谁", "想办个不动产证"]
SHARED_TOLD = [
    ("开发商通知可以办房产证了", "新建商品房转移登记一件事"),
    ("房子卖给别人了 过户咋弄", "二手房转移登记及水电气网联动过户一件事"),
    ("一手房交房后过户要多久", "新建商品房转移登记一件事"),
    # words that only lean to one of them (网签, 个税) are enough
    ("网签都弄完了 啥时候能去过户", "二手房转移登记及水电气网联动过户一件事"),
    ("过户那天个税在哪交", "二手房转移登记及水电气网联动过户一件事"),
]
NEGATED = [
    ("从中介手里买的 不是开发商的", "二手房转移登记及水电气网联动过户一件事"),
    ("俺这房不是二手房，是楼盘刚交的房", "新建商品房转移登记一件事"),
    # 这不是…嘛 and 不是说…吗 say the opposite of a negation: what follows counts
    ("俺这不是想开个饭店嘛，得办啥手续", "开办餐饮店一件事"),
    ("不是说交房就能拿证吗", "新建商品房转移登记一件事"),
]


@pytest.mark.parametrize("text", SHARED_ALONE)
def test_a_term_items_share_asks_which(index: ServiceIndex, text: str) -> None:
    evidence = index.catalogue.evidence(text)
    assert _linked(index, text) == []
    assert {item.id for item in evidence.choices} == {"new_house_registration", "secondhand_house"}
    assert not evidence.sure and not evidence.likely


@pytest.mark.parametrize(("text", "expected"), SHARED_TOLD)
def test_a_term_items_share_with_words_that_tell_links_one(
    index: ServiceIndex, text: str, expected: str
) -> None:
    assert _linked(index, text) == [expected]


JOB_LOSS = {"flexible_employment", "housing_fund_withdrawal"}
ADDRESS = {"enterprise_change", "enterprise_relocation"}


@pytest.mark.parametrize(
    ("text", "shared_by", "told"),
    [
        # losing one's job: carrying on one's own social insurance, or drawing the housing fund
        ("上礼拜刚被裁 接下来要办些啥", JOB_LOSS, None),
        ("被辞退了 社保咋续交", JOB_LOSS, "灵活就业一件事"),
        ("厂子倒闭了 公积金里的钱能拿出来吗", JOB_LOSS, "公积金提取一件事"),
        # a company's address to change: within the district or moving across districts
        ("我们公司地址换了 要办啥", ADDRESS, None),
        ("公司就在高新区内搬家 地址换了咋弄", ADDRESS, "企业信息变更一件事"),
    ],
)
def test_a_situation_several_items_follow_from_asks_which_unless_told(
    index: ServiceIndex, text: str, shared_by: set, told: Optional[str]
) -> None:
    assert set().union(*index.catalogue.shared_terms(text).values()) == shared_by
    evidence = index.catalogue.evidence(text)
    if told is None:
        assert {item.id for item in evidence.choices} == shared_by and evidence.item is None
    else:
        assert evidence.item is not None and evidence.item.name == told


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an adverb inside an everyday term (公司关掉) counts as the term
        ("几个合伙人商量好了 把公司彻底关掉算了", "企业注销一件事"),
        ("俺家小孩耳朵听不清 能办啥", "残疾人服务一件事"),
    ],
)
def test_a_situation_in_everyday_words_is_sure_of_its_item(
    index: ServiceIndex, text: str, expected: str
) -> None:
    evidence = index.catalogue.evidence(text)
    assert evidence.item is not None and evidence.item.name == expected


@pytest.mark.parametrize("text", ["下午去的 窗口人都走了 咋办", "大厅里人也都走了 明天几点开门"])
def test_people_gone_home_is_no_death(index: ServiceIndex, text: str) -> None:
    evidence = index.catalogue.evidence(text)
    assert evidence.item is None or evidence.item.name != "身后一件事"


@pytest.mark.parametrize(("text", "expected"), NEGATED)
def test_what_a_message_says_something_is_not_is_no_evidence_for_it(
    index: ServiceIndex, text: str, expected: str
) -> None:
    assert _linked(index, text) == [expected]


def test_is_it_or_not_is_a_question_not_a_negation(index: ServiceIndex) -> None:
    # 是不是 asks; the words after it still count
    assert _linked(index, "是不是得先去开发商那拿资料") == ["新建商品房转移登记一件事"]


def test_names_and_aliases_are_sure_links(index: ServiceIndex) -> None:
    entities = index.link("上户口要带啥", "ask_materials")
    assert entities == [
        {
            "entity": "service",
            "start": 0,
            "end": 3,
            "value": "新生儿出生一件事",
            "extractor": EXTRACTOR,
            "confidence_entity": 1.0,
        }
    ]


def test_a_description_carries_its_confidence(index: ServiceIndex) -> None:
    strong = index.describe("厂里新招了十几个工人 社保咋交")
    weak = index.describe("孩子要转学")
    assert strong and weak
    assert strong["extractor"] == weak["extractor"] == DESCRIPTION_EXTRACTOR
    assert 0.5 <= weak["confidence_entity"] < strong["confidence_entity"] < 1.0


def test_descriptions_are_linked_only_for_item_intents(index: ServiceIndex) -> None:
    assert "book_appointment" in ITEM_INTENTS and "ask_fee" in ITEM_INTENTS
    assert _linked(index, "闺女刚满月 医保咋弄", "book_appointment") == ["新生儿出生一件事"]
    for intent in ("faq", "out_of_scope", "greet", "complain", None):
        assert _linked(index, "闺女刚满月 医保咋弄", intent) == []  # type: ignore[arg-type]
    assert _linked(index, "上户口", "faq") == ["新生儿出生一件事"]  # a name is a name anywhere


def test_a_name_wins_over_a_description(index: ServiceIndex) -> None:
    assert _linked(index, "公司干不下去了 想问问社保卡") == ["社会保障卡居民服务一卡通一件事"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a name telling what someone just became, then another matter described: that matter
        ("俺妈刚退休 她交的住房公积金咋全部提出来", "公积金提取一件事"),
        ("表哥退伍回来了 打算弄个物流车队拉货 公司咋注册", "开办运输企业一件事"),
        # the state alone, or the rest about the same matter: the name
        ("刚退休 得办点啥手续", "退休一件事"),
        ("退休以后养老金在哪领", "退休一件事"),
        # a matter still ahead ("…了吧"), not a state: the name stays
        ("新房的证办好后娃就能上小学了吧 咋报名", "教育入学一件事"),
    ],
)
def test_a_name_told_as_a_state_gives_way_to_the_matter_described(
    index: ServiceIndex, text: str, expected: str
) -> None:
    assert _linked(index, text) == [expected]


@pytest.mark.parametrize(
    ("text", "name", "state"),
    [
        ("刚退休 公积金咋提", "退休", True),
        ("俺爸退伍回来了 想开个店", "退伍", True),
        ("退休以后养老金咋领", "退休", True),
        ("娃就能上小学了吧", "上小学", False),  # a matter still ahead
        ("快退休了 公积金咋提", "退休", False),
        ("明年就退休了 要准备啥", "退休", False),
        ("退休手续咋办", "退休", False),  # the matter asked about
    ],
)
def test_a_name_is_told_as_a_state_only_when_someone_is_in_it(text: str, name: str, state: bool) -> None:
    from bot.guide import told_as_a_state

    start = text.index(name)
    assert told_as_a_state(text, start, start + len(name)) is state


def test_a_name_not_told_as_a_state_stays(index: ServiceIndex) -> None:
    # "退休" as the matter asked about, another item's words after it: both named, nothing replaced
    assert _linked(index, "退休手续和公积金提取都想问问") == ["退休一件事", "公积金提取一件事"]


def test_two_names_give_two_entities(index: ServiceIndex) -> None:
    assert _linked(index, "开公司和办社保卡") == ["开办企业一件事", "社会保障卡居民服务一卡通一件事"]


def test_the_component_links_and_keeps_other_entities(index: ServiceIndex) -> None:
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    phone = {"entity": "phone", "start": 0, "end": 11, "value": "13800138000"}
    message = Message(data={"text": "闺女刚满月 医保咋弄", "intent": {"name": "ask_service_guide"}})
    message.set("entities", [phone])
    linker.process([message])
    entities = message.get("entities")
    services = [e for e in entities if e["entity"] == "service"]
    assert [(e["value"], e["extractor"]) for e in services] == [("新生儿出生一件事", DESCRIPTION_EXTRACTOR)]
    assert phone in entities
    assert linker.index.description_score == SURE_SCORE


@pytest.mark.parametrize(
    ("intent", "expected"), [("ask_service_guide", "公积金提取一件事"), ("greet", "退休一件事")]
)
def test_the_component_links_the_matter_beyond_a_state_for_item_intents(intent: str, expected: str) -> None:
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    message = Message(data={"text": "俺妈刚退休 她交的住房公积金咋全部提出来", "intent": {"name": intent}})
    linker.process([message])
    assert [e["value"] for e in message.get("entities")] == [expected]


def test_a_stricter_threshold_from_the_config_links_less() -> None:
    config = ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES), "description_score": 50.0}
    linker = ServiceLinker(config)
    assert linker.index.link("闺女刚满月 医保咋弄", "ask_service_guide") == []


def test_a_word_staff_add_works_without_retraining(tmp_path: Path) -> None:
    shutil.copytree(SERVICES, tmp_path / "services")
    before = ServiceIndex(load_catalogue(tmp_path / "services"))
    assert _linked(before, "家里添了位公主 要办啥") == []
    newborn = tmp_path / "services" / "newborn.yml"
    text = newborn.read_text(encoding="utf-8")
    newborn.write_text(text.replace("everyday_terms: [", "everyday_terms: [添了位公主, "), encoding="utf-8")
    after = ServiceIndex(load_catalogue(tmp_path / "services"))
    assert _linked(after, "家里添了位公主 要办啥") == ["新生儿出生一件事"]


def _process(linker: ServiceLinker, text: str, intent: str, ranking: list[dict[str, object]]) -> list[str]:
    message = Message(data={"text": text, "intent": {"name": intent}, "intent_ranking": ranking})
    linker.process([message])
    return [e["value"] for e in message.get("entities") or [] if e["entity"] == "service"]


def test_the_intent_models_hesitation_counts_as_evidence() -> None:
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    text = "闺女刚满月 医保咋弄"
    hesitant = [{"name": "faq", "confidence": 0.5}, {"name": "ask_service_guide", "confidence": 0.4}]
    sure_faq = [{"name": "faq", "confidence": 0.9}, {"name": "ask_service_guide", "confidence": 0.05}]
    assert _process(linker, text, "faq", hesitant) == ["新生儿出生一件事"]
    assert _process(linker, text, "faq", sure_faq) == []
    assert _process(linker, "今天天气怎么样", "faq", hesitant) == []


@pytest.mark.parametrize(
    ("text", "asked"),
    [
        ("非得本人亲自去吗", True),
        ("要本人来一趟不", True),
        ("俺自己跑一趟能办完不", True),
        ("我一个人能去办不", True),
        ("卖房的那家也得跟着去不", True),  # the other side of a sale
        ("本人来不了能办吗", False),  # cannot come: asked what can be done instead
        ("本人去年退休的 养老金咋领", False),  # 去年, 去世, 来郑州: no question of coming
        ("本人过去在外地交过社保", False),
        ("本人来郑州三年了 能办居住证不", False),
        ("我自己去网上申请中不", False),
    ],
)
def test_the_applicant_asked_to_come_in_person_is_a_presence_question(text: str, asked: bool) -> None:
    from bot.guide import asks_for_someones_presence

    assert asks_for_someones_presence(text) is asked


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("公积金窗口在几楼", "ask_window", "公积金提取一件事"),  # others only open or move an account
        ("公积金在几号窗口", "ask_window", "公积金提取一件事"),
        ("gjj在几号窗口", "ask_window", "公积金提取一件事"),  # its initials
        ("想约个号 明天去办公积金", "book_appointment", "公积金提取一件事"),
        ("公积金账户里的钱网上能提不", "ask_online", "公积金提取一件事"),  # 公积金账户 of its terms
    ],
)
def test_a_subject_only_one_item_is_filed_under_links_it_in_an_aspect_question(
    index: ServiceIndex, text: str, intent: str, expected: str
) -> None:
    [entity] = index.link(text, intent)
    assert entity["value"] == expected
    assert entity["extractor"] == DESCRIPTION_EXTRACTOR and entity["confidence_entity"] == 0.5
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    assert _process(linker, text, intent, [{"name": intent, "confidence": 0.9}]) == [expected]


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        # 注销 is filed under 企业注销 and 个体工商户登记, but only the first is named by it
        ("注销窗口在哪边", "ask_window", "企业注销一件事"),
        ("注销能全程网办不", "ask_online", "企业注销一件事"),
        ("想约注销", "book_appointment", "企业注销一件事"),
        ("变更收费吗", "ask_fee", "企业信息变更一件事"),  # 变更 of 企业信息变更, not of 个体户
        # 过户, a word of the resold flat's name (staff list it for the new flat too)
        ("过户在哪个区 不动产那块", "ask_window", "二手房转移登记及水电气网联动过户一件事"),
        ("过户要多久", "ask_time_limit", "二手房转移登记及水电气网联动过户一件事"),
        ("你好 有点事想问下 公积金窗口在几楼", "ask_window", "公积金提取一件事"),  # an opener says nothing
    ],
)
def test_a_shared_subject_one_items_name_holds_links_that_item(
    index: ServiceIndex, text: str, intent: str, expected: str
) -> None:
    [entity] = index.link(text, intent)
    assert entity["value"] == expected
    assert entity["extractor"] == DESCRIPTION_EXTRACTOR


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("个体户注销在哪办", "ask_window", ["个体工商户登记一件事"]),  # the 个体户 says so
        ("就业在哪个窗口", "ask_window", []),  # 就业 of 灵活就业 scores as much for 员工录用 (就业登记)
        ("租房在哪个窗口", "ask_window", []),  # 租房 is part of 公租房, and 公积金 is drawn for rent
        ("变更咋办", "ask_service_guide", []),  # an overview: the choices
        ("过户咋弄呀", "ask_service_guide", []),  # staff list 过户 for the new flat too
        ("公司有些东西要变更", "ask_materials", []),  # the matter left unsaid
        ("房子过户在哪办 不动产那个窗口", "ask_window", []),  # 房子过户: a term of both flats
        ("我妈死了 注销要带啥", "ask_materials", []),  # 死 of 身后一件事's words, for which 注销 scores too
        ("俺那个门市要变更 去哪个窗口", "ask_window", []),  # 门市 of 个体工商户登记, filed under 变更 too
        ("社保注销在哪办", "ask_window", []),  # 单位社保注销 is 企业注销's, not 社保注销
        # another subject, not filed under the item, says what the word is said of
        ("户口要注销 带啥材料", "ask_materials", []),
        ("我的社保想注销 在哪个窗口", "ask_window", []),
        ("户口要变更要带啥", "ask_materials", []),
        # …and one only 公积金提取 is filed under names that item
        ("公积金要注销要带啥", "ask_materials", ["公积金提取一件事"]),
        ("新房过户在哪个窗口", "ask_window", ["新建商品房转移登记一件事"]),  # its own everyday term
    ],
)
def test_a_shared_subject_names_no_item_otherwise(
    index: ServiceIndex, text: str, intent: str, expected: list
) -> None:
    assert [e["value"] for e in index.link(text, intent)] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("运输企业开办流程", "开办运输企业一件事"),  # not 企业开办 of 开办企业 inside it
        ("药店开办要几天", "开办药店一件事"),
        ("餐饮店开办在哪个窗口", "开办餐饮店一件事"),
    ],
)
def test_an_opening_item_named_object_first_is_found(index: ServiceIndex, text: str, expected: str) -> None:
    assert [e["value"] for e in index.find(text)] == [expected]


def test_a_general_alias_is_not_turned_around_inside_a_particular_items_words(index: ServiceIndex) -> None:
    # 开办公司 (of 开办企业) is not said as 公司开办: "运输公司开办" is the transport company's
    assert index.find("有没有运输公司开办的办事指南") == []
    [entity] = index.link("有没有运输公司开办的办事指南", "ask_service_guide")
    assert entity["value"] == "开办运输企业一件事"


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("公积金", "ask_service_guide"),  # a subject named alone: its choices
        ("公积金的事问一下", "ask_service_guide"),  # asked about as such
        ("公积金咋办", "ask_service_guide"),  # an overview
        ("公积金的事问一下 在哪个窗口", "ask_window"),
        ("公积金窗口在几楼", "faq"),  # not a question about an item
        # the rest of it leads to another item: two matters, asked which
        ("去年看病花了不少钱 想问问能不能报 还有单位交的公积金能不能拿出来用", "ask_eligibility"),
        ("房子过户在哪办 不动产那个窗口", "ask_window"),  # 不动产: the new flat and the resold one
    ],
)
def test_a_subject_filed_alone_links_nothing_otherwise(index: ServiceIndex, text: str, intent: str) -> None:
    assert index.link(text, intent) == []
    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    assert _process(linker, text, intent, [{"name": intent, "confidence": 0.9}]) == []


@pytest.mark.parametrize(
    "text",
    [
        "建行信用卡年费多少钱",  # not a whole word: 信用 of 信用卡
        "儿子晚上学到一点多 学费得交多少",  # 上学 across 晚上/学到
        "公积金贷款要啥材料",  # part of a longer noun the item does not know: no loan item here
        "公积金开户要啥材料",
        "公积金缴存基数咋调 在哪个窗口",
        "单位差旅报销要啥材料",
        "信用报告打印收费吗",
        "继续教育证书在哪个窗口领",
        "寄快递去物流窗口在几楼",  # 物流: an everyday word, in no name of the item it is filed under
        "网络不好 预约不了",
    ],
)
def test_a_subject_filed_alone_names_its_item_only_as_a_word_of_its_own(
    index: ServiceIndex, text: str
) -> None:
    assert index.catalogue.subjects(text)
    assert filed_alone(index.catalogue, text) is None


def test_the_component_looks_up_what_the_pinyin_reads() -> None:
    """The intent classifier leaves the readings of a message's pinyin (`LATIN_READINGS`) for the linker."""
    from bot.nlu.pinyin import LATIN_READINGS

    linker = ServiceLinker(ServiceLinker.get_default_config() | {"catalogue_dir": str(SERVICES)})
    text = "xin fang ban chanzheng"
    plain = Message(data={"text": text, "intent": {"name": "ask_service_guide"}})
    linker.process([plain])
    assert plain.get("entities") == []  # the letters alone describe nothing the catalogue knows
    message = Message(data={"text": text, "intent": {"name": "ask_service_guide"}})
    message.set(LATIN_READINGS, [(0, len(text), "新房办产证")])
    linker.process([message])
    assert [(e["value"], e["start"], e["end"]) for e in message.get("entities")] == [
        ("新建商品房转移登记一件事", 0, len(text))
    ]


def test_a_name_the_reading_holds_is_put_back_on_its_letters(index: ServiceIndex) -> None:
    from bot.nlu.pinyin import written_with

    text = "请问 gongjijin tiqv 要多久"  # "v" typed for ü: not the catalogue's own spelling
    assert index.find(text) == []
    read, origins = written_with(text, [(3, 17, "公积金提取")])
    found = index.found_in_reading(text, read, origins)
    assert [(e["value"], text[e["start"] : e["end"]]) for e in found] == [
        ("公积金提取一件事", "gongjijin tiqv")
    ]
    assert index.found_in_reading(text, text, [(i, i + 1) for i in range(len(text))]) == []
