"""The words a citizen's question is made of, one list for every rule that reads them.

`QUESTION_NOUNS` name what is asked about a matter (流程, 材料, 窗口 …); `EVERYDAY_WORDS` are the words
around them: how, where, when, how much, the verbs of a visit to the hall, the words of a booking and
of a short reply (怎么, 在哪, 几点, 办, 预约, 取消, 再见 …). `bot.guide` reads the nouns back when they are
typed with a wrong character of the same sound (流陈 → 流程); `bot.nlu.pinyin` reads both when they are
typed in pinyin ("zhunbei shenme cailiao", "dating zai nar", "ji dian kaimen").
"""

from __future__ import annotations

from typing import Dict

QUESTION_NOUNS = (
    "流程", "步骤", "材料", "资料", "手续", "证件", "证明", "网上", "线上", "窗口", "条件",
    "收费", "费用", "申请", "预约",
)  # fmt: skip
"""The nouns of a question about a matter. Not 多久: typed by its sound, 多就 is mostly "the more …,
the more" (人多就得排队)."""

NAMING_WORDS = ("我叫", "姓名", "名字", "联系人")
"""Words after which what follows is a name, typed in characters or in pinyin ("wo jiao wang lei"; read
as a name by `bot.catalogue.sounds.NAMED_BEFORE`, taken off a name by `bot.pii.clean_name`)."""
NAMING_ENGLISH = ("name", "named", "called")
"""English words after which what follows is a name ("my name is yu yue", "I'm called Li Ming")."""


def naming_pattern() -> str:
    """A regular expression of the naming words as typed in Latin letters, to be used ignoring case.

    Each word of `NAMING_WORDS` in toneless pinyin, its syllables perhaps spaced, perhaps with "shi"
    (是) or "jiao" (叫) after ("ming zi shi"), and each of `NAMING_ENGLISH`, perhaps with "is" or "'s"
    after ("name is"); none right after a letter ("rename" names no one).
    """
    from pypinyin import Style, lazy_pinyin

    said = (r"\s*".join(lazy_pinyin(word, style=Style.NORMAL)) for word in NAMING_WORDS)
    spoken = [rf"{word}(?:\s*(?:shi|jiao))?" for word in said]
    english = [rf"{word}(?:\s*(?:is|是)|'s)?" for word in NAMING_ENGLISH]
    return r"(?<![a-z])(?:" + "|".join(spoken + english) + ")"


EVERYDAY_WORDS = (
    # how, where, when, how much
    "怎么", "咋", "如何", "怎样", "在哪", "哪里", "哪儿", "哪个", "什么", "啥", "多少", "多久", "几", "几天",
    "几号", "几点", "时候", "时间", "今天", "明天", "后天", "上午", "下午", "周末",
    # the verbs of a matter and of a visit to the hall
    "办", "办理", "办事", "补办", "弄", "查", "看", "用", "交", "领", "取", "提取", "约", "提交",
    "操作", "需要", "要", "带", "准备", "改", "换", "取消", "评", "问", "停车", "开门", "关门", "上班",
    "下班",
    # what is asked for
    "进度", "钱", "手机", "手机号", "电话", "号码", "地址", "大厅", "中心", "政务", "服务", "人工",
    "客服", "投诉", "态度",
    # the words between and the short replies
    "能", "能不能", "可以", "行不行", "中不中", "方便", "是", "是的", "在", "不", "不用", "没", "吗",
    "呢", "吧", "啊", "呀", "了", "的", "上", "来", "还", "也", "都", "就", "太", "快", "已经", "现在",
    "一下", "帮", "帮我", "给", "说", "这", "这个", "这儿", "有", "没有", "有没有", "我", "俺", "你",
    "你们", "我想", "我要", "想", "在吗", "你好", "谢谢", "好的", "再见",
) + NAMING_WORDS  # fmt: skip
"""The everyday words of a question, a booking or a short reply. No two of these and `QUESTION_NOUNS`
are spelt alike in toneless pinyin: 差 (cha) is left out for 查, 去 (qu) for 取, 叫 (jiao) for 交 (我叫
is one word)."""

SPOKEN_SPELLINGS: Dict[str, str] = {"nar": "哪儿", "zher": "这儿"}
"""Words as people spell them in speech rather than by the characters (哪儿 is "nar", not "naer")."""

SHORT_REPLIES: Dict[str, str] = {
    "dui": "对", "hao": "好", "xing": "行", "zhong": "中", "en": "嗯", "shi": "是", "bu": "不", "mei": "没",
}  # fmt: skip
"""A reply of one syllable typed in pinyin, read only when it is the whole message ("dui", "zhong" to
"您是想办理…？"): anywhere else one syllable spells too many things."""
