"""A 个性指南 answer in the citizen's own words: typed as a reply, or told with a materials question."""

from __future__ import annotations

from typing import Optional

import pytest
from pydantic import ValidationError

from bot.catalogue import Situation, get_catalogue
from bot.situations import told_answers, told_option


def told(item_name: str, key: str, text: str) -> Optional[str]:
    item = get_catalogue().get(item_name)
    assert item is not None
    situation = item.situation(key)
    assert situation is not None
    return told_option(item, situation, text)


@pytest.mark.parametrize(
    ("item", "key", "text", "option"),
    [
        # a yes/no question answered yes, in any words, or no
        ("开办药店一件事", "license", "有了", "has_license"),
        ("开办药店一件事", "license", "我已经有营业执照了", "has_license"),
        ("开办药店一件事", "license", "我已经有license了", "has_license"),
        ("开办药店一件事", "license", "营业执照早就办下来了", "has_license"),
        ("开办药店一件事", "license", "是的", "has_license"),
        ("开办药店一件事", "license", "早办了", "has_license"),  # read as stop in a review
        ("开办药店一件事", "license", "执照早就弄好了", "has_license"),
        ("开办餐饮店一件事", "license", "还没办呢", "no_license"),
        ("开办餐饮店一件事", "license", "没有营业执照", "no_license"),
        ("开办餐饮店一件事", "license", "没", "no_license"),
        # a word of the label that only one option holds
        ("退休一件事", "applicant", "单位帮办", "employer"),
        ("退休一件事", "applicant", "我是灵活就业的 自己交的社保", "self"),
        ("开办企业一件事", "company_type", "有限公司", "limited"),
        ("企业注销一件事", "procedure", "简易的", "simple"),
        # the common ways of saying an answer
        ("社会保障卡居民服务一卡通一件事", "apply_type", "她社保卡丢了还要带啥不", "reissue"),
        ("社会保障卡居民服务一卡通一件事", "apply_type", "头一回办", "first"),
        ("社会保障卡居民服务一卡通一件事", "agent", "我妈来不了 我帮她办", "proxy"),
        ("新生儿出生一件事", "residence", "俺们都是外地的", "nonlocal"),
        ("新生儿出生一件事", "residence", "郑州的", "local"),
        # a word said after a negation gives the other option of two
        ("社会保障卡居民服务一卡通一件事", "apply_type", "不是第一次", "reissue"),
        ("社会保障卡居民服务一卡通一件事", "agent", "不是本人", "proxy"),
        ("新生儿出生一件事", "residence", "不是郑州的", "nonlocal"),
        ("就医费用报销一件事", "place", "没在本地看", "offsite"),
        # what staff listed under the question's says
        ("公积金提取一件事", "purpose", "买房", "purchase"),
        ("公积金提取一件事", "purpose", "还房贷", "repay"),
        ("公积金提取一件事", "purpose", "买了套房", "purchase"),
        ("开办企业一件事", "company_type", "就我一个人干", "sole"),
        ("新生儿出生一件事", "residence", "高新区户口", "local"),
        ("居住证办理一件事", "basis", "我在这上班", "job"),
        ("居住证办理一件事", "basis", "有住所", "residence"),
        ("水电气网联合报装一件事", "customer", "开的是个门店", "business"),
        ("企业信息变更一件事", "change_type", "换法人", "legal_rep"),
        ("身后一件事", "relation", "我是他儿子", "family"),
        # a place: elsewhere for 外地, one of Zhengzhou's for 郑州; someone sent for 委托
        ("灵活就业一件事", "residence", "俺是驻马店哩，户口一直没迁过来", "nonlocal"),
        ("灵活就业一件事", "residence", "俺是金水区哩", "local"),
        ("开办企业一件事", "agent", "我不去，让会计帮忙跑", "proxy"),
    ],
)
def test_an_answer_in_own_words_is_read(item: str, key: str, text: str, option: str) -> None:
    assert told(item, key, text) == option


@pytest.mark.parametrize(
    ("item", "key", "text"),
    [
        ("开办药店一件事", "license", "窗口在哪"),
        # the item's own words and the words every question holds answer nothing
        ("开办企业一件事", "company_type", "开个公司要带啥材料"),
        ("开办企业一件事", "agent", "开办企业要带啥材料"),
        ("社会保障卡居民服务一卡通一件事", "apply_type", "社保卡申领要带啥"),
        ("社会保障卡居民服务一卡通一件事", "agent", "社保卡在哪办理"),
        ("居住证办理一件事", "basis", "居住证要带啥"),
        ("开办运输企业一件事", "vehicle", "只有这些材料吗"),
        # evidence for two options is no answer
        ("水电气网联合报装一件事", "customer", "家里和店里都要装"),
        # a denied word of a three-option question gives none of the others
        ("公积金提取一件事", "purpose", "不是租房"),
    ],
)
def test_words_that_give_no_answer_give_none(item: str, key: str, text: str) -> None:
    assert told(item, key, text) is None


def test_told_answers_fill_only_the_questions_not_answered() -> None:
    item = get_catalogue().get("社会保障卡居民服务一卡通一件事")
    assert item is not None
    assert told_answers(item, "社保卡丢了 帮我妈办 要带啥", {}) == {"apply_type": "reissue", "agent": "proxy"}
    assert told_answers(item, "社保卡丢了 要带啥", {"apply_type": "first"}) == {"apply_type": "first"}


def test_says_names_only_the_questions_options_and_each_word_once() -> None:
    options = {"yes": "已有营业执照", "no": "还没有营业执照"}
    Situation(key="license", question="请问您已经办好营业执照了吗？", options=options, says={"yes": ["有照"]})
    with pytest.raises(ValidationError, match="不是本问题的选项"):
        Situation(key="license", question="？", options=options, says={"maybe": ["不知道"]})
    with pytest.raises(ValidationError, match="只能属于一个选项"):
        Situation(key="license", question="？", options=options, says={"yes": ["办了"], "no": ["办了"]})
