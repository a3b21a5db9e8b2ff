"""English words citizens mix into Chinese messages, with the Chinese words they stand for.

People type "cancel 下周三的号", "居住证的 process 是啥" or "给你们 rate 个分": a few English words inside
Chinese. The training data is Chinese, so such a word teaches the intent classifier nothing. Each
English word of the glossary is followed by its Chinese gloss before the message is featurised
(``cancel`` → ``cancel取消``), at training and at prediction alike, so the English word keeps its
own features and gains the Chinese ones. Words outside the glossary are left as they are.

The glossary lists the words of this domain's questions (booking, the guide's aspects, the hall,
hand-over, rating, small talk), in lower case; longer phrases are matched before single words.
"""

from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Dict, List, Optional

#: English word or phrase (lower case) → the Chinese it stands for in a citizen's message.
GLOSSARY: Dict[str, str] = {
    # booking
    "appointment": "预约",
    "appointments": "预约",
    "booking": "预约",
    "book": "预约",
    "reserve": "预约",
    "reservation": "预约",
    "cancel": "取消",
    "check": "查询",
    "query": "查询",
    "look up": "查一下",
    "reschedule": "改约",
    "change": "变更",
    "modify": "修改",
    "no longer need": "不需要了",
    "don't need": "不需要了",
    # the guide's aspects
    "process": "流程",
    "procedure": "流程",
    "procedures": "流程",
    "steps": "步骤",
    "step": "步骤",
    "how to": "怎么办",
    "apply": "申请",
    "register": "注册",
    "registration": "登记",
    "company": "公司",
    "business": "企业",
    "application": "申请",
    "materials": "材料",
    "material": "材料",
    "documents": "材料",
    "document": "材料",
    "docs": "材料",
    "paperwork": "材料",
    "fee": "收费",
    "fees": "收费",
    "cost": "费用",
    "charge": "收费",
    "charges": "收费",
    "extra charge": "额外收费",
    "in charge": "负责",
    "free of charge": "免费",
    "how much": "多少钱",
    "pay": "交钱",
    "payment": "付费",
    "price": "价格",
    "free": "免费",
    "how long": "多久",
    "days": "天",
    "online": "网上办",
    "website": "网站",
    "app": "手机",
    "window": "窗口",
    "counter": "窗口",
    "condition": "条件",
    "conditions": "条件",
    "requirement": "条件",
    "requirements": "条件",
    "eligible": "符合条件",
    "qualify": "符合条件",
    # the hall
    "hours": "办公时间",
    "open": "开门",
    "open a": "开个",
    "open an": "开个",
    "address": "地址",
    "where": "在哪",
    "location": "位置",
    # people, hand-over, rating
    "human": "人工",
    "agent": "人工",
    "staff": "工作人员",
    "robot": "机器人",
    "bot": "机器人",
    "complain": "投诉",
    "complaint": "投诉",
    "rude": "态度差",
    "rate": "评价",
    "rating": "评价",
    "review": "评价",
    # small talk and answers
    "hello": "你好",
    "hi": "你好",
    "hey": "你好",
    "thanks": "谢谢",
    "thank": "谢谢",
    "thx": "谢谢",
    "bye": "再见",
    "goodbye": "再见",
    "yes": "是的",
    "ok": "好的",
    "okay": "好的",
    "no": "不",
    "stop": "停",
    "help": "帮忙",
}

_PHRASES = sorted(GLOSSARY, key=len, reverse=True)
_ENGLISH = re.compile(
    r"(?<![A-Za-z])(" + "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in _PHRASES) + r")(?![A-Za-z])",
    re.IGNORECASE,
)


TYPO_LENGTH = 5
"""English words of at least this many letters are also glossed when mistyped ("proces", "materal");
shorter ones are too easily another word (hour, house)."""
TYPO_CUTOFF = 0.85
"""How alike a mistyped word and a glossary word must be (`difflib.SequenceMatcher.ratio`): one letter
missing, doubled or changed in a word of five or more ("proces" 0.92 of process), not another word
("apple" 0.8 of apply)."""
_TYPO_TARGETS = sorted(w for w in GLOSSARY if " " not in w and len(w) >= TYPO_LENGTH)
_WORD = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?![A-Za-z])")


def _gloss(phrase: str) -> str:
    return GLOSSARY[re.sub(r"\s+", " ", phrase.lower())]


@lru_cache(maxsize=4096)
def meant(word: str) -> Optional[str]:
    """The glossary word a mistyped English word stands for ("proces" → "process"), or None.

    Only for words of `TYPO_LENGTH` letters or more that are not glossary words themselves, alike
    to one from `TYPO_CUTOFF`, with the same first letter and one letter missing, added or changed,
    and not its plural ("retirement" is not requirement, "windows" not window).
    """
    word = word.lower()
    if len(word) < TYPO_LENGTH or word in GLOSSARY:
        return None
    for target in difflib.get_close_matches(word, _TYPO_TARGETS, n=3, cutoff=TYPO_CUTOFF):
        if target[0] == word[0] and word != f"{target}s" and _one_edit(word, target):
            return target
    return None


def _one_edit(word: str, target: str) -> bool:
    """Whether one letter missing, added or changed turns ``word`` into ``target`` (difflib's opcodes)."""
    edits = difflib.SequenceMatcher(None, word, target).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in edits if tag != "equal") == 1


def _typo_gloss(match: re.Match[str]) -> str:
    word = match.group(0)
    target = meant(word)
    return word + GLOSSARY[target] if target is not None else word


def with_glosses(text: str) -> str:
    """``text`` with each glossary word followed by its Chinese gloss ("cancel 预约" → "cancel取消 预约").

    A mistyped glossary word (`meant`) gets the gloss of the word it stands for ("proces" → "proces流程").
    """
    return _WORD.sub(_typo_gloss, _ENGLISH.sub(lambda m: m.group(0) + _gloss(m.group(0)), text))


def glosses(word: str) -> List[str]:
    """The Chinese gloss of one tokenizer word, if it is a glossary word or a mistyped one (else nothing)."""
    gloss = GLOSSARY.get(word.lower())
    if gloss is None:
        target = meant(word)
        gloss = GLOSSARY[target] if target is not None else None
    return [gloss] if gloss else []
