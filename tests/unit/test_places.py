"""Another place's affairs (`bot.nlu.places`) and the reply to them."""

from __future__ import annotations

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.faq import ActionOutOfScope
from bot.nlu.places import elsewhere, place_names
from tests.conftest import make_tracker


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("深圳办个公司都需要啥", "深圳"),
        ("在北京办居住证要走啥流程", "北京"),
        ("想在洛阳学车考驾照 在哪报名", "洛阳"),
        ("江苏的驾驶证到期审验咋弄", "江苏"),
        ("上海市的公积金怎么提", "上海市"),
        ("俺在深圳上班 也想在深圳办个公司", "深圳"),
        ("南阳新农合一年交多少钱", "南阳"),
        ("北京朝阳的医保卡咋补", "北京"),
        ("上海浦东那边的居住证咋签注", "上海"),  # one jieba word: a city and its district
        # someone there, but the matter is that city's: bought or done there, or named as its
        ("他在上海买的房子 过户需要本人到场吗", "上海"),
        ("我对象在北京上班 北京的公租房要签字吗", "北京"),
        ("我是北京人 北京的医保卡咋补", "北京"),  # a person of there, the matter named as there's
        ("俺是北京人 想办北京居住证", "北京"),  # the place named again with the matter
        ("上海人才落户咋办", "上海"),  # 人才, 居民医保: the place's own matters, no person of it
        ("上海居民医保咋交", "上海"),
        ("在北京交过社保 北京的社保能取吗", "北京"),  # a past there, but the matter named as there's
        ("我是北京的 北京的社保卡咋补", "北京"),  # from there, and the matter named as there's
        ("我是上海的 上海社保卡咋补", "上海"),
        ("这是上海的社保卡 咋补", "上海"),  # 上海的 says whose card, not where the citizen is from
        ("我的社保卡是上海的，咋挂失", "上海"),
        ("房子是北京的 过户要啥材料", "北京"),
        ("公司是深圳的，变更法人要啥材料", "深圳"),
        ("在深圳过户房子要啥", "深圳"),  # 过户 is the matter, not a past
        ("我在上海交过社保 上海社保卡咋补", "上海"),  # the place named again with the matter
        ("深圳公积金交过半年能贷款吗", "深圳"),  # no 在: the place's own matter
        ("在洛阳办营业执照去哪个大厅", "洛阳"),  # a hall asked for there, not this one
        ("南阳开饭店 该去啥政务大厅办", "南阳"),
    ],
)
def test_another_places_affair_is_found(text: str, place: str) -> None:
    assert elsewhere(text) == place


@pytest.mark.parametrize(
    "text",
    [
        "郑州高新区开饭店要啥证",  # a place of Zhengzhou
        "俺在荥阳 过去咋走最方便",  # a city Zhengzhou governs
        "在北京看的病 回来报销医药费要带哪些单子",  # the matter comes back here
        "老家在驻马店 想申请保障房 要啥条件",  # the citizen's roots, the matter here
        "俺户口在安徽 有些事能在这办不",
        "房主现在在深圳工作 没法回来签字咋办",  # the other party is away, the matter here
        "俺弟弟也想办 他人还在广州上班",  # the person is away, the matter here
        "表哥在深圳上班 俺能替他去跑不",  # done here for someone who is away
        "有个股东在西安 签字能不能远程弄",  # someone away who must sign or come, the matter here
        "卖方在上海 必须本人到场吗",
        "上海的社保能转到郑州不",
        "在上海住的院 来大厅报销去哪个窗口",  # this hall
        "我在洛阳 你们哪个大厅能办",  # one of this hall's
        "公司在洛阳 想迁过来 要带啥",
        "外省户口有限制没",
        "新店快装修完了 水电气咋接",  # a place name that is an everyday word
        "从香港过来办事 证件方面有啥要求",  # the FAQ answers Hong Kong, Macao and Taiwan residents
        "澳门居民来办手续 要带回乡证吗",  # a person of that place, come to do it here
        "俺是台湾来的 台胞证管用不",
        "我是台湾的 用台胞证能办营业执照吗",  # a person who 是…的: where the citizen is from
        "我是台湾的用台胞证能办营业执照吗",  # voice input, no punctuation
        "俺们是安徽的 想开个饭店 要啥证",
        "俺是澳门人 办事得拿啥证件",
        "开饭店要带啥东西",  # jieba tags 东西 as a place; it is not one of the names
        "有延时服务吗",
        # the citizen's past there, the matter here
        "之前在上海上过三年班 退休时能算上吗",
        "年轻时在广州工作过 养老金咋算",
        "以前在杭州住过两年 现在办居住证有影响不",
        "早些年在浙江缴过养老保险 办退休要开啥证明",
        "我在杭州工作了三年 社保咋转",  # 了 and a length of time
        "以前在苏州打过工 养老保险咋算",
    ],
)
def test_a_matter_of_this_hall_is_not_elsewhere(text: str) -> None:
    assert elsewhere(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "能替我查下北京的社保交了几年不",
        "俺替俺闺女问问 她在杭州生的娃 生育津贴咋领",
        "成都的公司变更法人要签啥字",  # a signature, but the matter is done there
    ],
)
def test_asking_on_someones_behalf_about_another_place_is_still_elsewhere(text: str) -> None:
    assert elsewhere(text) is not None


def test_words_already_cut_are_used() -> None:
    assert elsewhere("深圳办个公司都需要啥", ["深圳", "办", "个", "公司", "都", "需要", "啥"]) == "深圳"
    assert elsewhere("深圳办个公司都需要啥", ["深圳办", "个", "公司"]) is None


def test_the_names_are_provinces_and_cities() -> None:
    names = place_names()
    assert {"北京", "江苏", "洛阳", "驻马店", "深圳市"} <= names
    assert not {"东西", "延时", "礼拜", "新店", "香港"} & names


async def test_the_reply_names_the_place_and_where_to_ask() -> None:
    dispatcher = CollectingDispatcher()
    await ActionOutOfScope().run(dispatcher, make_tracker("out_of_scope", text="深圳办个公司都需要啥"), {})
    (reply,) = dispatcher.messages
    assert "深圳" in reply["text"] and "当地" in reply["text"] and "跨省通办" in reply["text"]
    for text in ("今天天气咋样", "去北京的高铁票在哪买", "上海明天下雨不"):
        plain = CollectingDispatcher()
        await ActionOutOfScope().run(plain, make_tracker("out_of_scope", text=text), {})
        assert plain.messages[0]["response"] == "utter_out_of_scope", text
