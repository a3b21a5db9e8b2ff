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

import re
from typing import Dict, List

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
    # the guide's aspects
    "process": "流程",
    "procedure": "流程",
    "procedures": "流程",
    "steps": "步骤",
    "step": "步骤",
    "how to": "怎么办",
    "apply": "申请",
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


def _gloss(phrase: str) -> str:
    return GLOSSARY[re.sub(r"\s+", " ", phrase.lower())]


def with_glosses(text: str) -> str:
    """``text`` with each glossary word followed by its Chinese gloss ("cancel 预约" → "cancel取消 预约")."""
    return _ENGLISH.sub(lambda m: m.group(0) + _gloss(m.group(0)), text)


def glosses(word: str) -> List[str]:
    """The Chinese gloss of one tokenizer word, if it is a glossary word (else nothing)."""
    gloss = GLOSSARY.get(word.lower())
    return [gloss] if gloss else []
