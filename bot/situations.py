"""Which 个性指南 answer a citizen's own words give: "有了", "单位帮办", "她社保卡丢了".

The guide asks one 个性指南 question at a time (`bot.guide.pending_situation`) and offers its
options as buttons. Citizens often type the answer instead, in words of their own, or tell it
before it is asked ("社保卡丢了 要带啥"). This module reads such words against one question's
options; `bot.choices.typed_choice` uses it for a typed reply to the question, and
`actions.guide.situation_answers` for a situation told with a question about the item.

An option is evidenced by:

- its label, the label's parts ("名称、经营范围、注册资本等其他事项" → 名称, 经营范围 …) and the
  label's words (jieba's default dictionary) no other option of the question shares ("单位代为申请"
  → 单位 against "本人申请"), leaving out those in the item's own names and bundled matters
  (开办企业's 公司 is no answer to "有限责任公司还是个人独资企业") and `COMMON_LABEL_WORDS`;
- what citizens say for it, listed by staff under the question's ``says`` in the item's file
  (`bot.catalogue.models.Situation.says`: 丢了, 坏了 for 补办或换卡);
- the common ways of saying the answers that recur across items (`SHARED_WORDS`: 自己 for an
  option labelled 本人…, 外省 for 外地…, 有了 for 已有…), a place of Zhengzhou for an option
  labelled 郑州/本市/本地 and one elsewhere for 外地 (`bot.nlu.places`: "俺是驻马店哩"), and someone
  sent for an option labelled 委托 (`bot.guide.PROXY_CUES`: "让会计帮忙跑").

A word said after a negation ("不是本地的", "没有营业执照") evidences the other option of a
two-option question, and nothing when there are more. The longest words are read first and a
character counts once, so "还没有营业执照" is one word of the negative option, not also 有营业执照.
The one option with evidence is the answer; words for two options ("家里和店里都要装") are none.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Dict, List, Optional, Tuple

from bot.catalogue import ServiceItem, Situation
from bot.guide import PROXY_CUES
from bot.nlu.places import LOCAL, other_place
from bot.segmentation import default_tokenizer

SHARED_WORDS: Tuple[Tuple[str, Tuple[str, ...]], ...] = (
    ("本人", ("自己", "亲自", "我本人")),
    (
        "委托",
        ("代办", "代理", "别人", "他人", "替我", "帮我办", "帮她", "帮他", "替她", "替他", "来不了", "去不了")
        + ("回不来", "回不去", "过不来", "走不开", "出不了门", "下不了床")
        + ("帮我妈", "帮我爸", "替我妈", "替我爸", "帮老人", "帮父母", "帮孩子", "给我妈办", "给我爸办")
        + ("家里人", "家人", "亲戚", "朋友", "中介"),
    ),
    ("单位", ("公司", "厂里", "单位上")),
    (
        "外地",
        ("外省", "外市", "外地", "老家", "非本市", "非郑州", "不是郑州", "不是本市", "不是本地", "没迁过来"),
    ),
    ("郑州", ("郑州", "本市", "本地", "市里", "高新区户口", "高新户口", "高新区的户口")),
    ("本市", ("郑州", "本市", "本地", "市里", "高新区户口", "高新户口", "高新区的户口")),
    (
        "首次",
        ("第一次", "头一次", "头一回", "首次", "初次", "新办", "新申请", "没办过", "从没办过", "没领过"),
    ),
    ("补办", ("补办", "补领", "补卡", "丢了", "丢失", "遗失", "掉了", "弄丢", "找不到", "坏了", "损坏")),
    ("换", ("换卡", "换领", "换新", "换证", "过期", "到期")),
    (
        "已有",
        ("有了", "已经有", "已有", "办好了", "办下来了", "拿到了", "拿到手", "已经拿到", "领到了", "办过了")
        + ("早就有", "已经办了", "已经办好", "早办好了", "早办了", "早就办了", "弄好了", "搞定了", "办完了")
        + ("弄完了", "有滴", "有嘞"),
    ),
    ("还没", ("还没", "没有", "没办", "未办", "没呢", "没领", "尚未")),
)
"""Common ways of saying an answer, for any option whose label holds the first word."""

LOCAL_PLACES = tuple(place for place in LOCAL if place not in ("河南", "高新"))
"""Zhengzhou's districts and cities (`bot.nlu.places.LOCAL`), which tell a local option; not the province
(河南 is 外地 to 郑州) nor 高新, which every message about the hall may hold."""

_NEGATED = re.compile(r"(?:不是|并非|并不是|不算|不在|没在|非|没有|没|还没|未|不)$")
"""Words just before a said word that deny it ("不是本地的", "没有营业执照")."""
_NEGATIVE_LABEL = re.compile(r"还没|没有|尚未|未")
"""A yes/no question's negative option is labelled with one of these ("还没有营业执照")."""
_YES = re.compile(r"^(?:是|是的|对|对的|嗯|嗯嗯|有|有的|已经有|早有了)[啊呀呢吧了。！!～~]*$")
_NO = re.compile(r"^(?:不是|没|没有|还没|否|无|木有)[啊呀呢吧了。！!～~]*$")
_PAUSES = re.compile(r"[\s，,。.!！?？~～、；;：:]")
_LABEL_PARTS = re.compile(r"[、，,或和及等]|其他事项|事项")
COMMON_LABEL_WORDS = frozenset(
    {"办理", "申请", "申领", "登记", "事项", "其他", "高新区", "工作", "用户", "子女", "只有", "4.5"}
)
"""Words of option labels that questions about any item hold ("在哪办理", "在高新区工作"): no answer alone."""


def said_words(item: ServiceItem, situation: Situation) -> Dict[str, List[str]]:
    """The words that evidence each option of ``situation`` (option key → words, longest first).

    Worked out once per item and question as they stand (`_said_words`): a staff edit of the item's
    names or the question's ``says`` gives new inputs, hence new words; the per-turn path only looks up.
    """
    item_words = (item.name, item.short_name, *item.aliases, *item.bundled)
    says = tuple((option, tuple(words)) for option, words in situation.says.items())
    return _said_words(item_words, tuple(situation.options.items()), says)


@functools.lru_cache(maxsize=256)
def _said_words(
    item_words: Tuple[str, ...],
    options: Tuple[Tuple[str, str], ...],
    says: Tuple[Tuple[str, Tuple[str, ...]], ...],
) -> Dict[str, List[str]]:
    labels = dict(options)
    listed = dict(says)
    segmenter = default_tokenizer()
    words: Dict[str, List[str]] = {}
    for option, label in labels.items():
        others = [other for key, other in labels.items() if key != option]
        found = {label, *(part for part in _LABEL_PARTS.split(label) if len(part) >= 2)}
        for word in segmenter.lcut(label):
            if (
                len(word) >= 2
                and word not in COMMON_LABEL_WORDS
                and not any(word in other for other in others)
                and not any(word in name for name in item_words)
            ):
                found.add(word)
        for key_word, shared in SHARED_WORDS:
            if key_word in label:
                found.update(shared)
        if any(word in label for word in ("郑州", "本市", "本地")):
            found.update(LOCAL_PLACES)  # "俺是金水区的"
        found.update(listed.get(option, ()))
        words[option] = sorted(found, key=len, reverse=True)
    return words


def told_option(item: ServiceItem, situation: Situation, text: str) -> Optional[str]:
    """The option of ``situation`` the citizen's ``text`` gives, or None when it gives none or several.

    Args:
        item: the item the question belongs to.
        situation: one of its 个性指南 questions.
        text: what the citizen typed.

    Returns:
        The option's key ("has_license"), or None.

    """
    said = _PAUSES.sub("", text or "")
    if not said:
        return None
    options = list(situation.options)
    negative = [key for key in options if _NEGATIVE_LABEL.search(situation.options[key])]
    if len(options) == 2 and len(negative) == 1:
        positive = next(key for key in options if key != negative[0])
        if _YES.match(said):
            return positive
        if _NO.match(said):
            return negative[0]
    evidenced = set()
    # a place elsewhere ("俺是驻马店哩") is looked for once, and only for a question with a 外地 option
    place = other_place(said) if any("外地" in label for label in situation.options.values()) else None
    for option, label in situation.options.items():
        if ("外地" in label and place is not None) or ("委托" in label and PROXY_CUES.search(said)):
            evidenced.add(option)  # "让会计帮忙跑" for 委托
    for option, start, end in _occurrences(said, said_words(item, situation)):
        if _NEGATED.search(said[:start]) and not _NEGATIVE_LABEL.match(said[start:end]):
            if len(options) != 2:
                continue
            option = next(key for key in options if key != option)
        evidenced.add(option)
    return evidenced.pop() if len(evidenced) == 1 else None


def told_answers(item: ServiceItem, text: str, answers: Mapping[str, str]) -> Dict[str, str]:
    """``answers`` with each 个性指南 question not answered yet answered from ``text`` where it tells."""
    told = dict(answers)
    for situation in item.situations:
        if situation.key not in told:
            option = told_option(item, situation, text)
            if option is not None:
                told[situation.key] = option
    return told


def _occurrences(said: str, words: Mapping[str, Iterable[str]]) -> List[Tuple[str, int, int]]:
    """Where each option's words stand in ``said``: longest first, each character counted once."""
    every = sorted(
        ((word, option) for option, option_words in words.items() for word in option_words),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    taken = [False] * len(said)
    found: List[Tuple[str, int, int]] = []
    for word, option in every:
        start = said.find(word)
        while start != -1:
            end = start + len(word)
            if not any(taken[start:end]):
                taken[start:end] = [True] * len(word)
                found.append((option, start, end))
            start = said.find(word, start + 1)
    return found
