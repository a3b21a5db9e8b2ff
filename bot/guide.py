"""Renders the 办事指南 of a catalogue item for one aspect (材料、流程、时限、收费、条件、网办、窗口).

Pure domain logic: it returns text for the citizen, a structured card for the web widget and
the follow-up buttons; the Rasa action only passes them on.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from bot.catalogue import Catalogue, ServiceItem, materials_for
from bot.catalogue.linking import (
    BENEFIT_SUBJECTS,
    SURE_SCORE,
    Evidence,
    asks_about_a_benefit,
    fits,
    named_by_a_shared_subject,
    outscored,
    without_words,
)
from bot.catalogue.search import PAUSE_CHARACTERS, normalise, tells_of_a_death
from bot.catalogue.sounds import HAN_RUN, SoundMatcher, pinyin_beside_han, word_spans, written_as
from bot.faq import (
    AGREED_OVER_ITEMS_CONFIDENCE,
    MEANINGFUL,
    UNSURE_SCORE,
    FaqAnswer,
    FaqMatch,
    agreed_entry,
    decide,
)
from bot.faq_entries import FaqEntry
from bot.hall import HallInfo
from bot.nlu.pinyin import spelling, stretches
from bot.question_words import QUESTION_NOUNS
from bot.relatives import ELDERS, RELATIVES, WORKERS

# aspect -> (intent that asks for it, Chinese label)
ASPECTS: Dict[str, tuple[str, str]] = {
    "overview": ("ask_service_guide", "概览"),
    "materials": ("ask_materials", "材料"),
    "process": ("ask_process", "流程"),
    "time_limit": ("ask_time_limit", "时限"),
    "fee": ("ask_fee", "收费"),
    "eligibility": ("ask_eligibility", "条件"),
    "online": ("ask_online", "网上办"),
    "window": ("ask_window", "窗口"),
}
INTENT_TO_ASPECT = {intent: aspect for aspect, (intent, _) in ASPECTS.items()}
# aspect -> words that ask for it outright; an overview question that holds the words of exactly
# one aspect ("居住证已经拿到手了 下一步申请公租房得够啥条件") asks for that aspect (`asked_aspect`)
ASPECT_WORDS: Dict[str, tuple[str, ...]] = {
    "materials": (
        "带啥",
        "带什么",
        "啥材料",
        "什么材料",
        "哪些材料",
        "材料有哪些",
        "材料清单",
        "要啥证件",
        "准备哪些",
        "准备啥",
        "准备点啥",
        "准备些啥",
        "准备什么",
        "准备些什么",
        "哪些票据",
        "哪些单据",
        "哪些单子",
    ),
    "process": ("流程", "步骤", "走啥程序", "走什么程序", "是啥程序", "是什么程序"),
    "time_limit": (
        "多久",
        "多长时间",
        "要几天",
        "几天能",
        "几天办",
        "多少天",
        "几个工作日",
        "啥时候开始",
        "截止",
    ),  # fmt: skip
    "fee": (
        "收费吗",
        "收费不",
        "收不收费",
        "多少钱",
        "要钱",
        "花钱吗",
        "花钱不",
        "收钱吗",
        "费用多少",
        "税费",
    ),  # fmt: skip
    "eligibility": (
        "什么条件",
        "啥条件",
        "有啥条件",
        "条件是",
        "符合条件",
        "资格",
        "门槛",
        "什么情况下",
        "啥情况下",
        "哪些情况下",
        "哪种情况下",
        "什么情况才",
        "啥情况才",
    ),  # fmt: skip
    "online": (
        "网上办",
        "网上能",
        "网上申请",
        "线上办",
        "手机上办",
        "手机上能",
        "app上",
        "网上弄",
        "网上整",
        "网上搞",
        "网上交",
        "手机上弄",
        "线上能",
        "不跑腿",
        "不用跑腿",
        "零跑腿",
        "不用跑一趟",
    ),
    "window": (
        "哪个窗口",
        "几号窗口",
        "什么窗口",
        "啥窗口",
        "去哪个地方",
        "哪个地方办",
        "在几楼",
        "几楼",
        "在哪办",
        "去哪办",
        "到哪办",
        "上哪办",
        "在哪弄",
        "去哪弄",
        "上哪弄",
        "在哪整",
        "去哪整",
        "在哪儿办",
        "去哪儿办",
        "在哪儿弄",
        "去哪儿",
        "上哪儿",
        "上哪个地方",
        "到哪个地方",
        "在哪个地方",
        "去哪排队",
        "在哪排队",
    ),
}
# The nouns of a question (`bot.question_words.QUESTION_NOUNS`) that people type with a wrong character
# of the same or nearly the same sound (流陈 for 流程, 网尚 for 网上, 材聊 for 材料, 预越 for 预约):
# `respelled` reads them back before an aspect is looked for in words and before the intent model
# reads a message.
_QUESTION_NOUN_SOUNDS = SoundMatcher(
    ((noun, noun) for noun in QUESTION_NOUNS), near_from=2, words_are_no_typos=True
)


_QUESTION_NOUN_SPELLINGS = {spelling(noun): noun for noun in QUESTION_NOUNS}


def question_noun_typos(text: str) -> List[Tuple[int, int, str]]:
    """The `QUESTION_NOUNS` ``text`` types by their sound or in pinyin: ``(start, end, noun)``, in text order.

    A stretch of two characters reads as a noun when its first character is the noun's and the
    second has the same sound, or nearly (`bot.catalogue.sounds.fuzzy`: 陈 for 程); never a stretch
    that is a word itself (实践 is not 时间, 往上 not 网上), nor a character of a longer word (几步走
    keeps 步走). The first character must be right: a name begins with a surname that merely sounds
    like a noun's (刘程, 郑明 are no 流程, 证明).
    A noun typed in lower-case toneless pinyin right beside Chinese reads as it ("注销的liucheng咋走",
    "要啥cailiao"; `bot.catalogue.sounds.pinyin_beside_han`, as broad subjects are read).
    """
    typed = [(a, b, noun) for a, b, noun in _QUESTION_NOUN_SOUNDS.find(text) if text[a] == noun[0]]
    return sorted(typed + pinyin_beside_han(text, _QUESTION_NOUN_SPELLINGS))


def respelled(text: str) -> str:
    """``text`` with the `QUESTION_NOUNS` typed by their sound written right (`question_noun_typos`)."""
    return written_as(text, question_noun_typos(text))


# Where online words stand ("居住证网上在哪办", "手机上去哪办"), a window's words do not ask for a window.
ASKING = re.compile(
    r"[吗么嘛呢？?]|咋|怎|啥|什么|哪|多少|几|能不能|可不可以|行不行|中不中|是不是|有没有|要不要|[不没]$"
    r"|([^\W\d不没])[不没]\1"
)
"""Words of a question: a message holding none tells something ("查过了 符合条件 简易注销"). A word said
twice around 不 or 没 asks ("够不够格", "算不算", "符不符合")."""
_ONLINE_MARKS = ("网上", "线上", "手机上", "app", "郑好办")
OVERVIEW_WORDS = (
    "是啥", "是什么", "是个啥", "是干啥的", "啥意思", "什么意思", "咋回事", "咋个办法",
    "包括哪些", "包括啥", "里头有啥", "都有啥业务",
    "一块能办", "一块儿能办", "一起能办", "能一块办", "能一起办", "能一块儿办",
)  # fmt: skip
"""Words that ask what a matter is, or whether its parts are done together: its overview. They
count only where no other aspect's words stand, nor a noun of one (`ASPECT_NOUNS`: "收费标准是啥",
"需要的材料是啥", "退休金是什么时候发" ask for those)."""
_BRING_WHAT = re.compile(
    r"(?:拿(?:他|她|俺|我|他们)?(?:啥|什么)(?:东西)?(?:过去|过来|去|来)?|交(?:些)?(?:啥|什么|哪些)(?:东西)?)"
    r"[吗呢啊的?？。!\s]*$"
)
"""拿啥 or 交啥 ending the question ("补一张得拿啥", "代老人办得拿她啥东西", "申请要交些啥"): what to
bring or hand in, not "每月能拿啥钱" or "交哪些税"."""
_PAID_IN = re.compile("社保|保险|医保|公积金|费|税|钱")
"""What is paid in, not handed in, with 交 ("社保一个月要交啥")."""
_NOT_A_PAPER = r"(?!务|单|票|据|收?证明|收?凭证|用?(?:清单|单据|票据|明细|发票|证明))"
"""After 税 or 费: not 税务 (税务登记) nor a paper of a tax or a cost (税单, 费用票据), handed in,
not paid."""
_TAX_WHAT = re.compile(r"(?:哪些|啥|什么)税" + _NOT_A_PAPER)
"""Which taxes ("过户要交哪些税"): what it costs; not 啥税务登记, nor papers of a tax paid (啥税单)."""
HANDED_IN = ("材料", "资料", "证件", "证明", "照片", "复印件", "原件")
"""Nouns of what is handed in: a materials question's."""
_PAID_WHAT = re.compile(r"[交缴]些?(?:哪些|啥|什么)[税费]" + _NOT_A_PAPER)
"""Which taxes or charges are paid ("过户都要交哪些税费", "办这个要交啥费用"): not papers handed in
(交哪些费用票据, 交啥税单) nor taxes or costs asked about without 交 (哪些费用能报销)."""
ASPECT_NOUNS = (
    *HANDED_IN, "带啥", "多久", "几天", "时候", "时间", "收费", "费用", "多少钱",
    "标准", "流程", "步骤", "窗口", "条件", "要求", "网上", "线上", "手机上",
)  # fmt: skip
REQUIREMENT_WORDS = ("必须得有", "必须要有", "必须得配", "非得有", "有啥要求", "有什么要求", "有要求")
"""Words that ask whether a requirement holds ("开药房是不是必须要有药师", "对员工有啥要求"): eligibility,
but only for an aspect the intent model guessed (`worded_aspect` with ``guessed``), and never
beside a noun of what is handed in ("照片有啥要求", "材料有要求吗" ask about materials)."""


def worded_aspect(text: str, guessed: bool = False) -> Optional[str]:
    """The aspect ``text`` asks for in words, or ``None`` when it asks for none or several.

    The aspect is the one whose question words (`ASPECT_WORDS`) the text holds, a window's only
    without online words; with ``guessed`` (the intent model's aspect was unsure) also
    `REQUIREMENT_WORDS` for eligibility; "overview" when it holds none of those, no aspect's noun
    (`ASPECT_NOUNS`) and an overview question's words (`OVERVIEW_WORDS`). Button payloads hold none.
    """
    if text.startswith("/"):
        return None
    # 哩 is how Henan speakers write 的 ("是干啥哩", "要带啥哩")
    folded = respelled(unicodedata.normalize("NFKC", text)).lower().replace("哩", "的")
    asked = [aspect for aspect, words in ASPECT_WORDS.items() if any(word in folded for word in words)]
    bring = _BRING_WHAT.search(folded)
    if (
        "materials" not in asked
        and bring
        and not (bring.group(0).startswith("交") and _PAID_IN.search(folded))
    ):
        asked.append("materials")
    if "fee" not in asked and _TAX_WHAT.search(folded):
        asked.append("fee")
    if "window" in asked and any(mark in folded for mark in _ONLINE_MARKS):
        asked.remove("window")
    if (
        guessed
        and "eligibility" not in asked
        and any(word in folded for word in REQUIREMENT_WORDS)
        and not any(noun in folded for noun in HANDED_IN)
    ):
        asked.append("eligibility")
    if not asked and any(w in folded for w in OVERVIEW_WORDS) and not any(n in folded for n in ASPECT_NOUNS):
        return "overview"
    return asked[0] if len(asked) == 1 else None


def asked_aspect(text: str) -> str:
    """The one aspect whose question words ``text`` holds (`worded_aspect`), else "overview".

    "overview" also when it holds those of several aspects, or is a button payload.
    """
    return worded_aspect(text) or "overview"


PAPER_LOST_AFTER = (
    "丢|掉了|找不着|找不到|不见了|过期|到期|坏了|损坏|没带|忘带"
    "|没拿到|还没给|还没发|还没开|没开出来|还没下来|还没出来"
)
"""A paper lost, broken, run out or not issued yet, said after it ("发票丢了一张", "身份证过期了",
"出生证明医院还没发")."""
PAPER_TROUBLE_AFTER = PAPER_LOST_AFTER + "|还没|没开|开不出|开不了|补办"
"""What can go wrong with a paper, said after it: lost, run out or not issued, or not had yet
("执业药师证还没考下来")."""
PAPER_LOST_BEFORE = "没带|忘带|忘了带|弄丢了|丢了"
"""…lost, said before it ("没带结婚证")."""
PAPER_TROUBLE_BEFORE = PAPER_LOST_BEFORE + "|(?<!有)没有|缺"
"""…or lacking, said before it ("没有劳动合同"; not 有没有, which asks)."""
STILL_MAY = re.compile(r"[还也]能|[还也]可以")
"""Asking whether the citizen still or also may ("还能申请吗")."""


def paper_trouble(
    catalogue: Catalogue, item: ServiceItem, text: str, distinctive: bool = False, lost: bool = False
) -> bool:
    """Whether ``text`` tells of trouble with one of ``item``'s papers it names (`Catalogue.papers_named`).

    The trouble word (`PAPER_TROUBLE_AFTER`, `PAPER_TROUBLE_BEFORE`) stands next to the paper's word,
    within a few characters and no pause: "住院发票不见了", "没带结婚证"; not "有没有报销的上限" nor
    "还没出院能报吗" (出院 is no paper's word), nor "名下没有房子 能提吗". With ``lost``, only a paper
    lost, broken, run out or not issued yet (`PAPER_LOST_AFTER`, `PAPER_LOST_BEFORE`), not one
    lacking ("没有执业药师证");
    with ``distinctive``, only a paper few items ask for (`Catalogue.papers_named`).
    """
    after_words = PAPER_LOST_AFTER if lost else PAPER_TROUBLE_AFTER
    before_words = PAPER_LOST_BEFORE if lost else PAPER_TROUBLE_BEFORE
    for paper in catalogue.papers_named(item, text, distinctive):
        word = re.escape(paper)
        after = rf"{word}[^{PAUSE_CHARACTERS}]{{0,6}}?(?:{after_words})"
        before = rf"(?:{before_words})[^{PAUSE_CHARACTERS}]{{0,3}}?{word}"
        if re.search(after, text) or re.search(before, text):
            return True
    return False


def aspect_for_paper(catalogue: Catalogue, item: ServiceItem, text: str, aspect: str, guessed: bool) -> str:
    """``aspect``, or "materials" for trouble with one of ``item``'s papers (`paper_trouble`).

    Only when the aspect is the overview, whether it can still be done (eligibility, for a paper
    lost, run out or not issued yet: what to do about it is in the materials) or the model's guess
    (``guessed``), and the words ask no other aspect (`worded_aspect`): "出生证明让俺弄丢了 还能办不"
    after 新生儿出生 is answered with its materials; "发票丢了 多久能报下来" keeps its time limit.
    """
    unsure = aspect == "overview" or guessed
    if not unsure and aspect != "eligibility":
        return aspect
    if worded_aspect(text, guessed=True) not in (None, "materials"):
        return aspect
    # a sure eligibility question only for a paper lost, run out or not issued yet, not one the citizen
    # lacks (没有执业药师证 能开吗 asks the condition)
    return "materials" if paper_trouble(catalogue, item, text, lost=not unsure) else aspect


GUESSED_ASPECT = 0.6
"""Under this confidence the intent model's aspect is a guess: the aspect the words ask for
(`guide_intent_read`) takes its place, and a message that names its item, or that a line of the
guide answers, is read as telling a situation (`actions.guide.told_at_length`): the held-out
conversations' long first messages asking about the whole matter were given an aspect at 0.16–0.56
(one at 0.79); "俺想给俺爹办退休 …需要提供哪些东西" is a materials question at 0.97."""


ORDER_ASKED = re.compile(
    r"先[^，,。？?\s]{0,8}?(?:后|再)[^，,。？?\s]{0,3}?(?:办|去|报|交|弄|跑|干|做|整|搞)"
    r"|先(?:办|去|报|交|弄|跑|找)哪(?!个窗口|个口)|哪个先"
    r"|先后(?:顺序|次序|咋|怎)|(?:啥|什么|办理|办的|的)顺序|顺序(?:是|咋|怎)"
    r"|先[^，,。？?\s]{1,8}?还是先"
    r"|(?:之前|以前|前面|前头)还是(?:之后|以后|后面|后头)|(?:之后|以后|后面|后头)还是(?:之前|以前|前面|前头)"
)
"""Asking in which order the steps go ("先弄哪样后弄哪样", "先跑哪后跑哪", "先整啥后整啥", "先后次序咋排",
"先在手机上填还是先跑现场", "评残是在交材料之前还是之后"): the process (`asks_the_order`), though 哪
and 去 read as where to go and 网上 … 现场 as whether it is done online (`asks_online_or_in_person`).
Not which window to go to first ("先找哪个口递材料"), nor 先后 or 顺序 in another sense
("我先后在两家公司交过社保", "材料要按顺序排好吗")."""
_ORDER_READINGS = ("ask_window", "ask_service_guide", "ask_materials", "ask_online")
"""The readings an order question replaces: where to go, the overview, what to bring first ("先交啥
再去…"), online or in person first. Not a condition, a fee or a time limit."""


def asks_the_order(text: str) -> bool:
    """Whether ``text`` asks in which order a matter's steps go (`ORDER_ASKED`).

    Not when it words another aspect than where to go or what it is (`worded_aspect`: "首先得准备啥
    再去派出所" asks what to bring; "是个啥顺序" asks the order).
    """
    worded = worded_aspect(text)
    return ORDER_ASKED.search(text) is not None and worded in (None, "overview", "process", "window")


IN_PERSON_WORDS = ("现场", "线下", "窗口", "大厅", "跑一趟", "跑一次", "去一趟", "得去", "要去", "到场")
"""Words of doing a matter in person, the other branch of "网上办还是得去现场"."""
_GO_THERE = r"(?:亲自)?(?:去|到|跑)(?:现场|窗口|大厅|一趟)(?!核|勘|检|验|拍照|体检)[^，,。？?\s]?"
"""Going there in person, not for a step done on the spot (现场核查); `MUST_GO`'s common part."""
MUST_GO = re.compile(
    rf"(?<![都两])(?:必须|一定|非得|非要|得|需要|还要|还得|要不要|用不用|不用)要?{_GO_THERE}(?:吗|不|么|没|吧|[？?]|$)"
    rf"|(?<![想只就正马])要{_GO_THERE}(?:吗|不|么|没|[？?])"
)
"""Asking whether the matter must be done in person ("公司关了必须到现场吗", "换个地址一定要跑一趟吗",
"要不要去现场", "改个经营范围要去窗口不"): whether it can be done without going, the online aspect
(`asks_online_or_in_person`). A bare 要 only with a question's end: "我要去窗口", "正要去大厅呢" tell
where the citizen is going.
Not whether both or all places must be gone to ("两边都得跑一趟吗": the process), nor a step done on
the spot (现场核查, 现场体检)."""
_DONE_BEFORE = re.compile(r"了|过(?!户)|完|以后|之后")
"""Words before 还是 (or before a must-go question) that tell a step done ("网上交了材料 还是要去…"):
还是 after them is "still". Not 过 of 过户, the transfer itself ("二手房过户网上办还是去窗口")."""
_OVERRIDDEN_INTENTS = ("ask_process", "ask_window", "ask_service_guide")
"""The readings an online-or-in-person question replaces; another aspect's question keeps its own."""


def asks_online_or_in_person(text: str) -> bool:
    """Whether ``text`` asks if a matter is done online or in person, or must be done in person.

    "网上报还是得去学校现场"; "公司关了必须到现场吗" (`MUST_GO`).

    It names an online way (`_ONLINE_MARKS`) and an in-person one (`IN_PERSON_WORDS`) on the two
    sides of a 还是 or 或者, in either order; not when the words before it tell a step already done
    (`_DONE_BEFORE`: 还是 is then "still"), nor when it asks which comes first (`ORDER_ASKED`), nor
    when the message also asks another aspect in words
    (`ASPECT_WORDS`: "网上办要多久 还是去窗口快一点" asks how long).
    """
    folded = unicodedata.normalize("NFKC", text).lower()
    if ORDER_ASKED.search(folded):
        return False  # "先在网上填表还是先到现场": which comes first, the process
    others = [
        w for aspect, words in ASPECT_WORDS.items() if aspect not in ("online", "window") for w in words
    ]
    if any(word in folded for word in others):
        return False
    must_go = MUST_GO.search(folded)
    if must_go:
        # "必须到现场吗": whether it can be done without going; not who must come (本人, a relative:
        # `asks_for_someones_presence`; someone else doing it, `PROXY_CUES`: "…还是可以找人代办"),
        # where to go once there (几号窗口) or a step after one done ("网上交完了 还得去窗口吗")
        window = any(word in folded for word in ASPECT_WORDS["window"])
        done = _DONE_BEFORE.search(folded[: must_go.start()]) is not None
        someone = (
            "本人" in folded
            or any(word in text for word in RELATIVES)
            or asks_for_someones_presence(text)
            or PROXY_CUES.search(folded) is not None
        )
        return not (window or done or someone)

    def online(part: str) -> bool:
        return any(mark in part for mark in _ONLINE_MARKS)

    def in_person(part: str) -> bool:
        return any(word in part for word in IN_PERSON_WORDS)

    for cue in ("还是", "或者"):
        start = folded.find(cue)
        while start >= 0:
            head, tail = folded[:start], folded[start + len(cue) :]
            if _DONE_BEFORE.search(head) is None and (
                (online(head) and in_person(tail)) or (in_person(head) and online(tail))
            ):
                return True
            start = folded.find(cue, start + len(cue))
    return False


def guide_intent_read(intent: str, confidence: float, text: str) -> str:
    """The guide intent a question is answered as, from the intent read and the message's words.

    A question in which order the steps go asks for the process when the model read where to go,
    the overview, the materials or the online channels (`asks_the_order`). A question whether the
    matter is done online or in person asks for the online aspect when the
    model read a process, window or overview question (`asks_online_or_in_person`); an overview
    question that names an aspect asks for it ("…下一步申请公租房得够啥条件", `asked_aspect`), one that
    names none and asks who may do the matter, or whether the money may be drawn, asks for its
    conditions (`asks_for_the_conditions`); a materials or eligibility reading of a question what the
    matter covers asks for the overview ("军人退役这块都涵盖哪几样", `asks_what_it_covers`), however sure
    the model is; an aspect the model gave under `GUESSED_ASPECT` gives way to the aspect the words ask for
    ("水店气网连合报装到底是啥": 是啥, an overview question, `worded_aspect`) or, with none in words,
    to the conditions when it asks whether the money may be drawn, and a materials reading
    of 交 or 缴 gives way to the fee when what is paid is a tax or a charge (`_PAID_WHAT`: "过户都要交
    哪些税费", however sure the model is) and the words ask for no other aspect. Any other intent is
    returned as it is.
    """
    if intent in (*_ORDER_READINGS, "ask_process") and asks_the_order(text):
        return "ask_process"  # "开面馆先弄执照再弄卫生许可吗": the order of the steps, even if guessed
    if intent in _OVERRIDDEN_INTENTS and asks_online_or_in_person(text):
        return "ask_online"
    if intent == "ask_service_guide":
        asked = asked_aspect(text)
        if asked == "overview" and asks_for_the_conditions(text):
            return "ask_eligibility"  # "俺是娃姥爷 俺替闺女两口子跑一趟中不中": who may apply
        return ASPECTS[asked][0]
    if intent in _COVER_MISREAD and asks_what_it_covers(text) and not _COVER_KEPT[intent].search(text):
        return "ask_service_guide"  # "开饭店这块都管哪几样": what it covers, not what is handed in
    if intent in INTENT_TO_ASPECT and confidence < GUESSED_ASPECT:
        worded = worded_aspect(text, guessed=True)
        presence = intent == "ask_materials" and asks_who_may_do_it(text)
        if worded is None and (asks_if_it_may_be_drawn(text) or presence):
            # a guessed fee for "公积金的钱能取出来交首付不", guessed materials for "卖房的那家也得跟着去不"
            # (what is handed in says nothing of who comes): the conditions
            return "ask_eligibility"
        return ASPECTS[worded][0] if worded is not None else intent
    if intent == "ask_materials" and _PAID_WHAT.search(text) and worded_aspect(text) in (None, "fee"):
        return "ask_fee"  # 交 of "过户都要交哪些税费" pays, not hands in
    return intent


COVER_WORDS = (
    "都能办啥", "都办啥", "能办啥", "能办哪些", "都能办哪些", "都包括啥事", "包括哪些事", "都包括哪些",
    "都管哪些", "都管啥", "管哪些事", "都涵盖", "涵盖哪些", "都包含哪些", "能同步", "哪些部门",
    "也是一块儿办", "也是一块办", "也是一起办", "也一块儿办", "也一块办", "也一起办",
)  # fmt: skip
"""Words that ask what a matter covers ("俺家刚添了娃 新生儿出生一件事包括哪些事", "医保也是一块儿办的？")."""
ASKS_WHO = ("哪些人", "啥人", "什么人", "谁能", "谁可以", "哪类人", "哪些家庭", "哪些对象")
"""Words that ask who a matter is for ("公租房都管哪些人"): its conditions, not what it covers."""


_COVER_MISREAD = ("ask_materials", "ask_eligibility")
"""Readings that give way to the overview when the words ask what the matter covers (`guide_intent_read`,
`asks_what_it_covers`): on the held-out files, a question what an item covers was read as its
materials or its conditions. Not when the words keep the reading (`_COVER_KEPT`)."""
_COVER_KEPT = {
    "ask_materials": re.compile(r"带|提交|交的|准备|表|证件|复印"),
    "ask_eligibility": re.compile(r"户口|岁|老人|不满|以上|以下|人员|家庭|我这|俺这|我们这种|俺们这种"),
}
"""Words that keep a materials reading of a covers question ("要带的都包含哪些": what is handed in) or an
eligibility one ("外地户口能办哪些", "六十岁以上能办啥": what someone may do)."""


def asks_what_it_covers(text: str) -> bool:
    """Whether ``text`` asks what a matter covers or bundles (`COVER_WORDS`): its overview.

    Not when it also names another aspect's matter ("公积金提取材料都包括啥事" asks for materials) or
    asks who it is for (``ASKS_WHO``).
    """
    if any(w in text for w in ASPECT_NOUNS) or any(w in text for w in ASKS_WHO):
        return False
    return any(word in text for word in COVER_WORDS)


APPLIES_CUES = tuple(
    "按这个 照这个 也能办 还能办 也可以办 还可以办 也能按 也适用 还适用 也能这样办 也能这么办 也这样办 "
    "也这么办 够条件 符合条件 还符合 也能申请 还能申请 影响".split()
)
"""Words asking whether the matter at hand applies to someone or something just told ("返聘的退休职工
也按这个办不", "俺已经退休好几年了 还能办吗", "两口子都领退休金 这样够条件吗")."""
_STATE_AFTER = r"(?:了|的|人员|职工|工人|老人|返聘|[^，。！？,.!?\s]{1,4}?了)"
"""What follows an item's word when it is a person's state, not the matter asked about: 退休了,
退休的, 退休职工, 退休返聘, 退休好几年了; not 退休手续 or 居住证也能办吗."""
_STATE_BEFORE = r"(?:有个?|持有|(?<![的要])是|拿着?|领着?|交的|缴的|办了|办过)"
"""What comes before an item's word when it is what a person has or is: 领着退休金, 是个人缴的灵活就业社保,
拿着居住证, 手里就有个个体户执照; not 想办退休, nor 问的是 / 要办的是 (the matter wanted)."""
_MAY_ASK_IF = re.compile(
    r"(?:能(?:在这边?|在这里|在这儿|在高新区|在你们这)?(?:办|申请|上学?|弄|报名)[了的]?[不吗]"
    r"|中不中|行不行|算不算数?|中不|行不)$"
)
"""A last clause asking whether it will do ("娃能在这边上学不", "中不中"): with an item's word told as a
state before it, whether the matter at hand applies. Not one asking whether something else may be
done ("能续吗", "能注销不"), nor one holding the item's word ("退休中不中": the other matter asked)."""
_LAST_CLAUSE = re.compile(r"[^，。！？,.!?；;\s]+$")
_REQUIRED_BEFORE = r"(?:要求|得有|要有|需要有|必须有|必须得有)"
"""What comes before an item's word when the matter at hand requires it ("要求居住证满半年吗",
"得有居住证吗" after 教育入学): that matter's conditions, not the other matter, when every mention of
the item's words is so ("学校要求居住证 办居住证要啥条件" asks for the other matter too)."""


def asks_if_it_applies(catalogue: Catalogue, item: ServiceItem, text: str) -> bool:
    """Whether ``text`` names ``item`` as someone's state and asks whether the matter at hand applies.

    The item's name, alias or everyday term is followed by a word of state (`_STATE_AFTER`) or
    follows a word of having or being (`_STATE_BEFORE`), and the message asks whether the matter
    applies (`APPLIES_CUES`, or it ends asking whether something may be: `_MAY_ASK_IF`); or the word
    follows one of requiring it (`_REQUIRED_BEFORE`: the matter at hand's requirement asked about).
    """
    forms = [re.escape(form) for form in (*item.surface_forms, *item.everyday_terms) if form]
    said = [m for form in forms for m in re.finditer(form, text)]
    required = [m.span(1) for form in forms for m in re.finditer(f"{_REQUIRED_BEFORE}({form})", text)]
    if required and all(any(a <= m.start() < b for a, b in required) for m in said):
        return True
    if not any(cue in text for cue in APPLIES_CUES):
        last = _LAST_CLAUSE.search(text.rstrip("？?。.!！～~ "))
        clause = last.group(0) if last is not None else ""
        if _MAY_ASK_IF.search(clause) is None or any(re.search(form, clause) for form in forms):
            return False  # no question whether it applies, or one about the other matter
    return any(re.search(f"{form}{_STATE_AFTER}|{_STATE_BEFORE}{form}", text) for form in forms)


def bundles(catalogue: Catalogue, item: ServiceItem, other: ServiceItem) -> bool:
    """Whether one of ``item``'s bundled matters is ``other``'s matter (新生儿出生 bundles 社会保障卡申领).

    A bundled matter is ``other``'s when it names it, or when the catalogue links it to ``other``
    (sure or likely).
    """
    for matter in item.bundled:
        linked = catalogue.mentioned_in(matter) or catalogue.evidence(matter).leading
        if linked is not None and linked.name == other.name:
            return True
    return False


GUIDE_INTENTS = frozenset(INTENT_TO_ASPECT)
BACK_REFERENCES = (
    "这个", "那个", "它", "这件事", "这事", "刚才", "上面", "该事项", "这项", "这业务", "该业务", "此项",
)  # fmt: skip
# Someone's own presence asked about ("俺媳妇也得一起去吗", "非要本人到场吗")
PRESENCE_CUES = tuple(
    "本人 亲自 到场 到现场 得去吗 要去吗 得来吗 要来吗 都得去 一起去 也得去 也要去 也得来 "
    "过来一趟 来一趟 得过来 要过来 跟着去 跟着来 一块去 一块儿去 一起来".split()
)
# "this" or a person the matter at hand concerns ("他身子骨不行出不了门 俺替他跑一趟中不中")
POINTING_CUES = BACK_REFERENCES + RELATIVES + tuple("他 她 他们 她们 对方 卖方 买方 老人".split())


# A message asking about two or more matters at once ("社保卡和公积金这俩事都想咨询下", "…这两件事都想咨询")
SEVERAL_CUES = tuple(
    "都想问问 都想问下 都想问一下 都想了解 都想咨询 这俩事 这两件事 这两个事 俩事都 两件事 两个事 几件事 "
    "这几个事 一块问问 一起问问".split()
)
ALL_TO_DO_CUES = tuple("都该办 都要办 都得办 都需要办".split())
"""Words asking what all there is to do ("复员了 还有残疾证 都该办哪些"): several matters only when
each clause is sure of its own (`several_items`)."""
_CLAUSES = re.compile(rf"[{PAUSE_CHARACTERS}]+|跟|和|还有|以及")


def several_items(catalogue: Catalogue, text: str) -> List[ServiceItem]:
    """The items a message asks about together ("社保卡和公积金这俩事都想咨询下"), or [] for one or none.

    Only with a cue that several matters are meant (`SEVERAL_CUES`); each clause (split at pauses
    and 跟/和/还有) counts for the item it names, the one the catalogue leads with for it, or the
    only item filed under the subject it names (公积金); an item another one bundles (`bundles`)
    does not count on its own. Asked what all there is to do (`ALL_TO_DO_CUES`), a clause counts
    only for an item the catalogue is sure of that it holds a name or everyday term of (`Catalogue.says`:
    "腿上落了残疾"; "学药学毕业的" is no 教育入学).
    """
    told = any(cue in text for cue in SEVERAL_CUES)
    # after a death, all there is to do is the one matter of it ("俺爹去世了 退休金和公积金都要办吗")
    if not told and (not any(cue in text for cue in ALL_TO_DO_CUES) or tells_of_a_death(text)):
        return []
    found: List[ServiceItem] = []
    for clause in _CLAUSES.split(text):
        if not clause.strip():
            continue
        evidence = catalogue.evidence(clause)
        item = catalogue.mentioned_in(clause) or evidence.leading
        if not told and item is not None and not (evidence.item == item and catalogue.says(item, clause)):
            item = None  # what all there is to do: only an item the clause is sure of in its own words
        if item is None and told:
            filed = catalogue.about_topic(clause, limit=2)
            item = filed[0][0] if len(filed) == 1 else None
        if item is not None and all(item.name != other.name for other in found):
            found.append(item)
    # "孩子出生了 户口和社保卡都想问问": a matter another one found bundles is part of that one
    found = [
        item
        for item in found
        if not any(other.name != item.name and bundles(catalogue, other, item) for other in found)
    ]
    return found if len(found) >= 2 else []


SELLER_OR_BUYER = tuple("卖房的 买房的 卖家 买家 卖方 买方 房主 对方".split())
"""The other side of a sale, whose presence a citizen asks about ("卖房的那家也得跟着去不")."""


def asks_for_someones_presence(text: str) -> bool:
    """Whether ``text`` asks whether a person must come ("孩子他妈也要去吗", "他腿摔了 非要本人到场吗").

    A relative (`RELATIVES`), the other side of a sale (`SELLER_OR_BUYER`), or 他/她 (not inside
    其他/其它), and a presence cue
    (`PRESENCE_CUES`); or the applicant themselves coming (`_IN_PERSON`: "要本人来一趟不", "要本人去吗").
    "我妈能不能帮我排个号" asks about the hall, not the matter at hand.
    """
    if _IN_PERSON.search(text):
        return True
    bare = text.replace("其他", "").replace("其它", "")
    person = any(word in text for word in (*RELATIVES, *SELLER_OR_BUYER)) or "他" in bare or "她" in bare
    return person and any(cue in text for cue in PRESENCE_CUES)


_IN_PERSON = re.compile(
    r"(?:要|得|必须|非得|非要|需要|一定要|还得|还要)本人(?:亲自)?(?:来|去|到场|到现场|过来|过去)(?![年世])"
    r"|本人(?:亲自)?(?:到场|到现场)"
    r"|本人(?:亲自)?(?:来|去|过来|过去)(?:一趟)?(?:吗|不(?!了)|么|呢|？|\?)"
    r"|(?:我|俺)(?:自己|一个人)(?:去|来|跑)(?![年网])[^，,。？?\s]{0,4}?(?:能|可以|中|行)"
    r"|(?:我|俺)(?:自己|一个人)(?:能|可以)(?:去|来|跑)(?![年网])"
)
"""The applicant asked to come in person or alone ("要本人来一趟不", "非得本人亲自去吗",
"俺自己跑一趟能办完不", "我一个人能去办不"); not 本人去年, 本人去世, 我自己去网上."""


SOMEONE_ELSE = RELATIVES + ELDERS + WORKERS + tuple("子女 家人 家属 亲属 亲戚 朋友 同事 别人 旁人".split())
"""People who may do a matter for the one it concerns: relatives, elders, workers, others."""
_DOING_FOR = r"代(?:他|她|我|俺|人)?[^，,。？?\s]?办|替(?:他|她|我|俺)[^，,。？?\s]{0,3}?[办跑去来]|委托"
PROXY_CUES = re.compile(_DOING_FOR + r"|(?:让|叫|派)[^，,。？?\s]{1,5}?(?:去|来|跑|代|替)")
"""Doing a matter for someone, or sending someone ("儿子能替他办不", "让俺媳妇去中不", "派个同事去办")."""


def asks_who_may_do_it(text: str) -> bool:
    """Whether ``text`` asks who may do the matter (someone else for the one it concerns, or in person).

    Someone doing it for the one it concerns (`_SOMEONE_SENT`: "叫俺妹去窗口办行不行"), or whether a
    person must come (`asks_for_someones_presence`: "必须老太太本人到场不"). An item's conditions say
    who applies ("由逝者的配偶、子女、父母等近亲属申请，其他人员须持委托书"): such a question that
    asks no aspect in words is answered with them (`guide_intent_read`).
    """
    if worded_aspect(text) is not None:
        return False  # "俺替他去的话得带啥": its materials
    # 委托书 is a paper ("委托书有模板没"), and one sent to ask ("经理让我来打听打听开店的事") does nothing
    sent = _SENT_TO_ASK.sub("", text.replace("委托书", ""))
    return _SOMEONE_SENT.search(sent) is not None or asks_for_someones_presence(text)


_MAY_DRAW = re.compile(
    r"能(?:不能)?[^，,。？?！!\s]{0,8}?(?:取|提)(?!(?:个|一个)?[号件]|前|交|供|醒|消|票|车|成|证|议|问|高|升)(?:出来|出|取|现)?"
    r"[^，,。？?！!\s]{0,8}?(?:吗|不|么|没|呀|啊|[，,。？?！!\s]|$)"
)
"""Asking whether the money may be drawn ("公积金的钱能取出来交首付不", "离职了能取不"): not taking a
number or a parcel (取号, 取件), handing in (提交), doing it early (提前) nor asking (提问)."""


def asks_if_it_may_be_drawn(text: str) -> bool:
    """Whether ``text`` asks, with no aspect in words, whether money may be drawn (`_MAY_DRAW`).

    Whether the situation told allows it is the item's conditions (公积金提取's 提取条件), not its overview.
    """
    return worded_aspect(text) is None and _MAY_DRAW.search(text) is not None


def asks_for_the_conditions(text: str) -> bool:
    """Whether ``text`` asks for the item's conditions by its form, with no aspect in words.

    Who may do the matter (`asks_who_may_do_it`) or whether the money may be drawn
    (`asks_if_it_may_be_drawn`): the one rule the guide (`guide_intent_read`, and
    `actions.guide.overview_instead` for an item turned to) and the FAQ action right after a guide
    answer (`actions.faq.guide_answer_instead`) answer with the conditions.
    """
    return asks_who_may_do_it(text) or asks_if_it_may_be_drawn(text)


_SENT_TO_ASK = re.compile(r"[来去](?:问|咨询|打听|了解)")
_SENDABLE = sorted(
    {*SOMEONE_ELSE, *"他 她 别人 旁人 弟 妹 哥 姐 爹 娘 儿子 闺女".split()}, key=len, reverse=True
)
_PERSON = "|".join(_SENDABLE)
_SOMEONE_SENT = re.compile(
    _DOING_FOR
    + rf"|(?:让|叫|派)(?:我|俺|一?个)?(?:{_PERSON})[^，,。？?\s]{{0,4}}?(?:去|来|跑|代|替|办)"
    + rf"|替(?:我|俺)?(?:{_PERSON})[^，,。？?\s]{{0,5}}?(?:去|来|跑|办)"
)
"""Someone doing a matter for the one it concerns ("替闺女两口子跑一趟"), or a person sent
("叫俺妹去办", "能叫别人帮忙办吗"); not the citizen sent ("单位叫我去办退休", "公司让我来注销") nor a
thing ("让快递送过来")."""


def proxy_entry(
    catalogue: Catalogue,
    text: str,
    hall: HallInfo,
    matches: Sequence[FaqMatch],
    topic: Optional[Mapping[str, Any]] = None,
) -> Optional[str]:
    """The hall's ``proxy_faq`` entry (id) for a question whether someone else may do it, else ``None``.

    "老人住院来不了 孙子能代办不", "单位派同事去 得开啥证明": someone else (`SOMEONE_ELSE`) doing it
    for the person it concerns (`PROXY_CUES`), with no item named (`Catalogue.mentioned_in`) and no
    matter's subject but people (`Catalogue.subjects`: 过户 is a matter, 老人 a person); the caller
    has found no item in context and none the catalogue is sure of. Not when retrieval is sure of
    another entry, or the intent model's FAQ topic and retrieval agree on one (`bot.faq.agreed_entry`:
    帮办代办, 绿色通道). The entry on 委托代办 and 授权委托书 answers it; an item's own rules on who must
    come are its guide's (`asks_for_someones_presence`).
    """
    if not hall.proxy_faq or PROXY_CUES.search(text) is None:
        return None
    if not any(word in text for word in SOMEONE_ELSE) or catalogue.mentioned_in(text) is not None:
        return None
    if any(subject not in SOMEONE_ELSE for subject in catalogue.subjects(text)):
        return None
    best = decide(matches)
    agreed = agreed_entry(matches, topic)
    if best.entry is not None and not best.unsure and best.entry.id != hall.proxy_faq:
        return None
    if agreed is not None and agreed.id != hall.proxy_faq:
        return None
    return hall.proxy_faq


CANNOT_COME = re.compile(
    r"(?:来|去|到|过来|过去|回来|回去|跑|到场|出门|下床)不了|(?:回|过)不(?:来|去)|(?:来|去)不成"
    r"|走不开|脱不开身|抽不出(?:时间|空)"
)
"""Telling that the applicant, or someone who must come, cannot come to the hall ("俺爹腿脚不中，来不了咋办",
"卖家在国外 回不来", "我在外地出差回不去"); not 来不及 (too late) nor 去不去 (whether to go). A state alone
("腿脚不利索", "坐轮椅") is no such telling: it may be what the matter is for (残疾人服务)."""


def tells_cannot_come(text: str) -> bool:
    """Whether ``text`` tells someone cannot come (`CANNOT_COME`) and asks what can be done instead.

    Not when it asks an aspect in words ("来不了 要带啥": the materials) or whether someone else may
    do it (`asks_who_may_do_it`: "来不了 让俺弟去办中不中", the item's conditions on who applies).
    """
    return (
        CANNOT_COME.search(text) is not None and worded_aspect(text) is None and not asks_who_may_do_it(text)
    )


def aspect_when_absent(item: ServiceItem) -> str:
    """The aspect that answers someone who cannot come (`tells_cannot_come`) about ``item``.

    Its materials when one of its 个性指南 questions offers doing it by proxy (an option labelled
    委托…: the checklist of the person sent, `bot.situations` reading 来不了 as that option); else its
    online aspect, which says whether it can be done without coming, with the hall's rule on doing
    it by proxy offered beside it (``HallInfo.proxy_faq``).
    """
    by_proxy = any("委托" in label for s in item.situations for label in s.options.values())
    return "materials" if by_proxy else "online"


def answered_by_proxy(item: ServiceItem, answers: Mapping[str, str]) -> Dict[str, str]:
    """``answers`` with the 个性指南 question offering a proxy (an option labelled 委托…) answered so.

    Someone who cannot come has told that answer, even over an earlier one ("本人", then "我来不了").
    """
    told = dict(answers)
    for situation in item.situations:
        for key, label in situation.options.items():
            if "委托" in label:
                told[situation.key] = key
    return told


# Words that pass on what someone else said ("听同事说…", "网上说…").
HEARSAY = tuple(
    "听说 听人说 据说 有人说 网上说 朋友说 听邻居说 听朋友说 听同事说 听别人说 邻居说 同事说 别人说".split()
)
# Words that tie a follow-up naming no item to the matter in context: hearsay, the other party
# or a relative, the citizen's own situation, a step of the matter at hand.
CONTEXT_CUES = (
    BACK_REFERENCES
    + RELATIVES
    + HEARSAY
    + tuple(
        "是真的吗 是不是真的 真的吗 真的假的 是不是 对方 "
        "那边 另一方 买方 卖方 老人 别人 委托 代办 代理 "
        "我这种 我这情况 像我这样 我的情况 我这边 我们这 我是 我们是 如果 要是 万一 还要 "
        "还得 也得 也要 另外 然后 之后 接下来 办完 办下来 办好以后 下一步".split()
    )
    + tuple("来不了 去不了 回不来 回不去 过不来 过不去 走不开 出不了门 下不了床".split())
)
# The citizen describing their own circumstances ("我是外地户口 能办不"): a situation within the
# item in context, not a new item, even when the words describe one.
SITUATION_CUES = tuple(
    "我是 我们是 俺是 俺们是 我交的 我已经 我没有 如果 要是 万一 像我这样 我这种 我这情况 我的情况".split()
)
# Words that open a new matter ("另外…", "还有个事…", "算了 不弄公司了 改开个炒菜馆") or correct the
# one in context ("想了想…", "哦不对 是人家住过几年的二手房"): a message with one, sure of another
# item, is about that item even if it shares words with the one in context (`opens_new_matter`).
SWITCH_CUES = tuple(
    "另外 还有个事 还有一个事 还有件事 还有一件事 再问个 再问一个 再问下 换个 算了 不光 不但 "
    "另一个 另一件 别的事 顺便问 顺便 想了想".split()
)
_IF_WORDS = ("如果", "要是", "万一")
HYPOTHETICAL_CUES = ("那要是", "要是换成", "那如果", "如果是", "要是是")
""""What if instead …" ("那要是一手房呢"): a turn to another matter only when the item it describes
leaves the item in context far behind (`outscored`), the message is no evidence for the item in
context (`fits`: "如果是公积金贷款买的房 办证要带啥" after 新建商品房 stays), and the citizen is not
telling their own situation ("如果是贷款买的房 能提吗" after 公积金提取 stays)."""
_THE_OTHER = re.compile(r"另外(?=一位|(?:一个|的|两个|俩)(?:人|股东|合伙人|法人|老板|家属|孩子))")
"""另外 as "the other" ("另外一个股东在外地"), not "besides": taken out before looking for a switch cue."""
_CORRECTION = re.compile(r"^\W*(哦|噢|啊|呃)?\W*不对")
_DONE = re.compile(
    r"(弄好|办好|办完|弄完|搞好|搞定|办下来|下来|拿到)(了|以后|之后|后|完)|开起来|(开张|开业)(了|以后|之后|后)"
)
"""The matter before told as done ("公司办好以后招了人", "执照下来以后…", "公司弄好了还得招几个人",
"铺子开起来以后要雇人"): what follows is the next matter."""
_FINISHED_THEN = re.compile(
    r"([\u4e00-\u9fff]{2})完(?:了|以后|之后|后)?[，,\s]?(?:还要|还得|还需要|再去|接着)"
)
"""A word done, then more to do ("修复完还得变更股东"): the next matter when the word is of the item in
context's own name (修复 of 信用修复); a step of it ("社保交完还要…") is no such word."""
_DROPPED = re.compile(r"不([\u4e00-\u9fff]{1,3})了")
# "饭店不开了", "房子不买了": the matter named before a verb of doing it that is given up; not "打不开了"
# (a verb's result), "先不办了" (put off), "现在不办了" (hearsay about a rule)
_DROPPED_OBJECT = re.compile(
    r"([\u4e00-\u9fff]{1,4})(?<![打点扫拉走离分看想推拆解揭撕翻先暂时在])(?:也|就)?"
    r"不(?:开|办|做|干|弄|搞|整|买|卖|注册|申请|考虑)了"
)
_HEARSAY = ("听说", "据说", "听人说", "是真的吗", "真的假的", "是不是真的")


def gives_up(catalogue: Catalogue, text: str, in_context: ServiceItem) -> bool:
    """Whether ``text`` gives the item in context up.

    It does with "不…了" about it ("不注销了" after 企业注销一件事, "不做吃的了" after 开办餐饮店一件事;
    not "不记得了", "不能用了"), or with the item named before a verb of doing it ("饭店不开了"; not
    "卡不能用了", "执照打不开了", "先不办了"). Hearsay ("听说纸质的现在不办了 是真的吗") gives up nothing.
    """
    if any(cue in text for cue in _HEARSAY):
        return False
    dropped = [m.group(1) for m in _DROPPED.finditer(text)]
    dropped += [m.group(1) for m in _DROPPED_OBJECT.finditer(text)]
    return any(
        catalogue.score(in_context, words) > 0 or catalogue.character_score(in_context, words) > 0
        for words in dropped
    )


REACHED_BEFORE = ("刚", "已经", "早就", "刚刚")
REACHED_AFTER = re.compile(r"了?(?:以后|之后|后|回来|下来)|了(?:[\s，,。.!！]|$)")
"""Words around a name that make it a person's state, not the matter asked about: 刚退休, 退伍回来,
退休了，… (not "上小学了吧", a matter still ahead)."""


_STILL_AHEAD = re.compile(r"(?:快|要|将|该|想|准备|打算|马上|明年|下个?月|年底)[就要]?$")
"""Words before a name that put it still ahead ("快退休了", "明年就退休了"): the matter itself."""


def told_as_a_state(text: str, start: int, end: int) -> bool:
    """Whether the name at ``text[start:end]`` tells a state someone is in.

    It is right after a word of having just got there (`REACHED_BEFORE`: "刚退休") or right before one
    of having got there (`REACHED_AFTER`: "退伍回来了", "退休以后"), and not still ahead
    (`_STILL_AHEAD`: "快退休了").
    """
    before = text[:start]
    if _STILL_AHEAD.search(before):
        return False
    return before.endswith(REACHED_BEFORE) or REACHED_AFTER.match(text[end:]) is not None


_PARTED = "了完过"
"""Words that part a two-character name of verb and object and tell it done: 退了休, 退完伍, 转过业."""
_CLIPPED_AFTER = r"[了完](?:以后|之后|后)"
"""Words after the first character alone of an item's two-character short name that tell it done:
退了以后, 退完之后 (退休)."""
_NOT_YET = re.compile(r"(?:等|要是|如果|假如|还没|没)$")
"""Words before a parted name that put it ahead or in doubt ("等退了休", "要是退了休")."""


def named_as_a_state(text: str, item: ServiceItem) -> bool:
    """Whether ``text`` names ``item`` and only as a state someone is in.

    A name told as a state (`told_as_a_state`: "表弟退伍回来了 准备弄个物流车队" after 军人退役, the
    veteran's state, another matter asked about); a two-character name parted by a word that tells it
    done (`_PARTED`: "退了休 住房公积金能一次全提出来不" after 退休, the retiree's state), or the
    first character of a two-character short name followed by one (`_CLIPPED_AFTER`: "退了以后
    住房公积金能一把提完不"), is a state too, unless still ahead or in doubt (`_STILL_AHEAD`,
    `_NOT_YET`: "快退了休了", "等退了休").
    """
    named = [(m.start(), m.end()) for form in item.surface_forms for m in re.finditer(re.escape(form), text)]
    parted = [
        m.start()
        for form in {f for f in item.surface_forms if len(f) == 2}
        for m in re.finditer(rf"{re.escape(form[0])}[{_PARTED}]{re.escape(form[1])}", text)
    ]
    if len(item.short_name) == 2:
        clipped = rf"{re.escape(item.short_name[0])}(?={_CLIPPED_AFTER})"
        parted += [m.start() for m in re.finditer(clipped, text)]
    if not named and not parted:
        return False
    done = all(not (_STILL_AHEAD.search(text[:start]) or _NOT_YET.search(text[:start])) for start in parted)
    return done and all(told_as_a_state(text, start, end) for start, end in named)


def turns_away_or_supposes(catalogue: Catalogue, text: str, in_context: ServiceItem) -> bool:
    """Whether ``text`` turns from ``in_context`` or supposes another case.

    A switch cue (`SWITCH_CUES`, 另外 as "the other" aside: "另外想问问失业补贴"), a supposition
    (`HYPOTHETICAL_CUES`: "那要是公司以后不开了"), a correction ("哦不对 …") or the item in context
    given up (`gives_up`).
    """
    return (
        any(cue in _THE_OTHER.sub("", text) for cue in SWITCH_CUES)
        or any(cue in text for cue in HYPOTHETICAL_CUES)
        or _CORRECTION.search(text) is not None
        or gives_up(catalogue, text, in_context)
    )


def shares_a_subject(
    catalogue: Catalogue, text: str, described: ServiceItem, in_context: ServiceItem
) -> bool:
    """Whether ``text``, describing another item, asks the item in context about a subject both share.

    It does when a subject ``text`` names (`Catalogue.subjects`: 补贴) files both ``described`` and
    ``in_context``, ``text`` tells the matter at hand as done (`_ONCE_DONE`: "等证办下来以后 每月能领多少
    补贴" after 残疾人服务, which pays one), says none of ``described``'s own terms (`Catalogue.terms_said`:
    "公司开起来要招人" says 员工录用's 招人) nor the done matter's own (then the next matter follows:
    "公司注册办完了 …", as `opens_new_matter` reads it), nor a next step (`_NEXT_STEP`: 接着), tells of no
    relative nor of the citizen's own other state (`_ANOTHER_STATE`: "我自己没单位"), and neither turns
    away nor supposes (`turns_away_or_supposes`).
    """
    if (
        _ONCE_DONE.search(text) is None
        or _ANOTHER_STATE.search(text)
        or any(word in text for word in RELATIVES + _NEXT_STEP)
        or turns_away_or_supposes(catalogue, text, in_context)
        or catalogue.terms_said(described, text)
        or catalogue.terms_said(in_context, text)
    ):
        return False
    return any(in_context.id in ids and described.id in ids for ids in catalogue.subjects(text).values())


_ONCE_DONE = re.compile(r"(?:办完|办下来|办好|弄好|批下来|下来)(?:了|以后|之后|后)")
"""The matter at hand told as done (办下来以后): narrower than `_DONE`, whose 开起来 and 拿到 tell a
business opened or a paper got, after which what follows is the next matter ("公司开起来还得雇人")."""
_NEXT_STEP = ("接着", "接下来", "下一步", "然后")
"""Words of a next step after the matter done: what follows is the next matter, not a part of it."""
_ANOTHER_STATE = re.compile(r"没单位|没工作|没上班|不上班|失业|自己交|自己缴|我自己|俺自己")
"""The citizen's own state other than the matter's ("办完以后 我自己没单位 社保咋交"): another matter."""
_SIGNING = re.compile(
    r"(?:股东|法人|合伙人|监事|董事|他|她|对方|卖方|买方)[^，,。？?]{0,12}(?:签字|签名|签个字)"
)
"""A party to a matter asked to sign ("另外一个股东在国外 他签字咋办")."""


def asks_about_a_party(
    catalogue: Catalogue, text: str, described: ServiceItem, in_context: ServiceItem
) -> bool:
    """Whether ``text``, describing another item by no term of its own, asks about a party to the matter.

    It does when a person must come (`asks_for_someones_presence`: "合伙人在外地 他也得过来一趟吗")
    or sign (`_SIGNING`), ``text`` says none of ``described``'s own terms (`Catalogue.terms_said`:
    股东 alone leans to 企业信息变更, which changes them) and neither turns away nor supposes
    (`turns_away_or_supposes`).
    """
    if not (asks_for_someones_presence(text) or _SIGNING.search(text)):
        return False
    return not (turns_away_or_supposes(catalogue, text, in_context) or catalogue.terms_said(described, text))


def _shared_word_only(
    catalogue: Catalogue,
    text: str,
    mentions: Sequence[Mapping[str, Any]],
    named: Sequence[ServiceItem],
    in_context: ServiceItem,
) -> bool:
    """Whether the one item ``named``, not the item in context, is linked only by a shared word.

    The linker describes it (``ServiceLinker.description``), through a subject several items are
    filed under that only its name holds (`bot.catalogue.linking.named_by_a_shared_subject`: 注销,
    变更, 过户), and the message opens no new matter
    (`opens_new_matter`: "另外 注销要带啥" leaves the matter at hand).
    """
    if len(named) != 1 or named[0].name == in_context.name:
        return False
    item = named[0]
    if not all(
        str(m.get("extractor") or "").endswith(".description")
        for m in mentions
        if catalogue.get(str(m.get("value") or "")) is item
    ):
        return False
    shared = named_by_a_shared_subject(catalogue, text)
    if shared is None or shared.name != item.name:
        return False
    return not opens_new_matter(catalogue, text, in_context)


def opens_new_matter(catalogue: Catalogue, text: str, in_context: ServiceItem) -> bool:
    """Whether ``text`` turns from ``in_context`` to another matter.

    It does with a switch cue (`SWITCH_CUES`), a correction at its start ("哦不对 …", not the tag
    question 对不对), the matter before told as done (`_DONE`: "公司办好以后招了人 给员工上社保咋弄";
    `_FINISHED_THEN` in words of its own name: "修复完还得变更股东" after 信用修复),
    or when it gives the item in context up (`gives_up`). 另外 before a person or thing ("另外一个股东",
    "另外的材料") is "the other one", no switch.
    """
    cued = _THE_OTHER.sub("", text)
    if any(cue in cued for cue in SWITCH_CUES) or _CORRECTION.search(text) or _DONE.search(text):
        return True
    finished = _FINISHED_THEN.search(text)
    if finished is not None and finished.group(1) in in_context.short_name:
        return True
    return gives_up(catalogue, text, in_context)


# A guide question that names and describes no item, with none in context, is about the hall as a
# whole ("办政务服务得花钱不", "去领证的话需要拿啥东西", "能在手机上提前拿号吗") when the intent model ranks
# ``faq`` at least this high and FAQ retrieval answers it (`hall_wide_answer`). Set on the held-out
# files of 2026-12-01 (blind_fourth included, with ANSWER_SCORE still 0.2): 19 FAQ questions
# answered with their own entry, none with another; of the guide questions, "这个收费不" and "材料"
# (answered with 容缺受理) were taken, now kept out by the back-reference and by length; at 0.05
# English guide questions were taken too. Not while the guide offers items of a subject
# ("想问下租房方面都有哪些政策" would get 惠企政策兑现).
HALL_WIDE_FAQ_CONFIDENCE = 0.1
HALL_WIDE_MIN_CHARACTERS = 3
# A fee question about doing business at the hall in general ("办个事还得交钱吗 还是全都免费",
# "你们这办所有业务都不花钱吗") asks the hall's fee policy: the intent model reads it as an item's fee,
# ``faq`` far under HALL_WIDE_FAQ_CONFIDENCE, yet it is the hall's FAQ where the model's FAQ topic and
# retrieval agree (`hall_wide_answer`). Only the fee: "办业务都得带啥", "我要办的业务在哪个窗口" ask
# for an item's materials and window, and retrieval's entries for them were wrong ones. 工本费 and
# 手续费 ("收不收手续费"), and 免费 asked of the government ("政府办这些手续收费吗 还是免费给办"), name the
# hall's charges in general when no item is named or in context. Right after an item's guide, only
# words of the hall as a whole (`HALL_AS_A_WHOLE`) do: "收工本费不" then asks the item's fee.
HALL_AS_A_WHOLE = re.compile(r"办事|办业务|业务|政务服务|所有|全免|都免费|都是免费|政府|大厅|你们")
HALL_WIDE_SUBJECT = re.compile(HALL_AS_A_WHOLE.pattern + r"|免费|工本费|手续费")
HALL_FEE_WORDS = re.compile(HALL_AS_A_WHOLE.pattern + r"|窗口|手续费")
"""Words that put a fee question to the hall whatever is in context: the hall as a whole, its counters
(窗口) or its handling charges (手续费): "来办事得交啥钱不", "窗口收手续费不" ask the hall's fee policy
(`bot.nlu.intent_classifier.NgramIntentClassifier.read_as_faq_question`). Narrower than
`HALL_WIDE_SUBJECT`, which a citizen with no item in context may mean with a bare 免费 or 工本费 too."""


def faq_confidence(ranking: Sequence[Mapping[str, Any]]) -> float:
    """The intent model's confidence for ``faq`` in a message's ``intent_ranking`` (0 when absent)."""
    return max((float(r.get("confidence") or 0) for r in ranking if r.get("name") == "faq"), default=0.0)


GIVE_WAY_SHARE = 0.4
"""A guide intent with at least this share of ``faq``'s confidence comes near it: the message may be
a question about an item rather than the hall's FAQ (`guide_intent_near_faq`; used by
`actions.faq`)."""


def guide_intent_near_faq(
    ranking: Sequence[Mapping[str, Any]], overview: bool = True, share: float = GIVE_WAY_SHARE
) -> Tuple[Optional[str], float]:
    """The best guide intent in ``ranking`` and its confidence over ``faq``'s; (None, 0.0) when none.

    ``overview=False`` leaves ``ask_service_guide`` out (an aspect question). The ratio is 0 when
    no ``faq`` is ranked, and 1 or more when the intent is ranked above ``faq``; the intent is
    returned only from ``share`` on, else (None, ratio).
    """
    intents = GUIDE_INTENTS if overview else GUIDE_INTENTS - {"ask_service_guide"}
    best = next((r for r in ranking if r.get("name") in intents), None)
    if best is None:
        return None, 0.0
    faq = faq_confidence(ranking)
    ratio = float(best.get("confidence") or 0.0) / faq if faq > 0 else 0.0
    return (str(best["name"]) if ratio >= share else None), ratio


SUBJECT_FILLER = re.compile(
    r"一件事|这块|那块|这方面|方面|这边|上的|上那些|上这些|这些|那些|事情|事儿|相关|业务|咨询|了解|请问|我|俺|"
    r"[的事想问下一啊吧哈]"
)
"""Words around a subject or an item's name that say only "about this" ("就业这块的", "住房方面的事",
"工程上的", "想问问营业执照"): with nothing else, the message names what to ask about
(`bot.nlu.intent_classifier.NgramIntentClassifier.decided_by_form`, `subject_alone`)."""
_HERE = "这儿?|这里|这边|你们这儿?"
_HOW_TO_DO = re.compile(
    r"咋办|咋弄|咋整|怎么办|怎么弄|办理|申请|手续|"
    r"有啥政策|有什么政策|政策|能帮帮|帮帮|找谁|找哪个|能问|"
    rf"能在(?:{_HERE})?办|在(?:{_HERE})办|在这儿?能办|能办点?啥|"
    r"[办弄整咋怎么如何个张要吗呢俺不？?]"
)
"""Words of merely wanting to do something ("办个", "咋弄") or asking what help there is ("有啥政策能
帮帮俺不", "找谁", "能在这办不"): no subject of their own."""


def subject_alone(catalogue: Catalogue, text: str) -> List[ServiceItem]:
    """The items filed under the broad subject ``text`` names with nothing else, or [].

    "营业执照咋办", "办执照", "上户口这块": once the subjects items are filed under (their
    ``topics``) are taken out, only words that point at them (`SUBJECT_FILLER`) or of wanting to do
    something (`_HOW_TO_DO`) are left, no item's own name is among them, and the subjects named share
    two or more items ("孩子上户口":
    孩子 and 户口 share one); the items under them (`Catalogue.about_topic`) are the choices
    (writers of whole conversations expected them for such first messages).
    """
    if any(item.short_name in text for item in catalogue):
        return []  # an item's own name (开办企业 holds the subjects 开办 and 企业) is no mere subject
    text = catalogue.spelled_subjects(text)  # "营业执造怎么弄" names 营业执照
    named = catalogue.subjects(text)
    # two subjects narrow each other down ("孩子上户口": 孩子 and 户口 share 新生儿出生 only)
    if not named or len(frozenset.intersection(*named.values())) < 2:
        return []
    # every character some subject covers, overlapping ones too (落户 and 户口 of "落户口")
    covered = [False] * len(text)
    for subject in named:
        for found in re.finditer(re.escape(subject), text):
            covered[found.start() : found.end()] = [True] * len(subject)
    rest = "".join(" " if cover else character for character, cover in zip(text, covered, strict=True))
    if MEANINGFUL.search(_HOW_TO_DO.sub("", SUBJECT_FILLER.sub("", rest))):
        return []
    # the items the subjects share, in the order of the subject's ranking (上户口 and 户口: 新生儿出生 and
    # 军人退役, not every item filed under 户口)
    common = frozenset.intersection(*named.values())
    everything = catalogue.about_topic(text, limit=len(catalogue.items))
    ranked = [item for item, _ in everything if item.id in common]
    return ranked[:SUBJECT_CHOICES] if len(ranked) >= 2 else []


SUBJECT_CHOICES = 4
"""How many items a broad subject named alone offers (`subject_alone`), as `Catalogue.about_topic` does."""
SUBJECT_OVER_FAQ_CONFIDENCE = 0.5
"""Under this confidence of the intent model's FAQ topic, a broad subject named alone (`subject_alone`)
gets its items as choices rather than an FAQ entry: "办执照" matched 电子证照 (its model topic 0.23);
"补贴咋申请" keeps 惠企政策兑现 (0.93), as the FAQ writers labelled it."""


def subject_over_faq(catalogue: Catalogue, text: str, topic: Optional[Mapping[str, Any]]) -> bool:
    """Whether a broad subject named alone gets its items, not an FAQ entry.

    Named alone is `subject_alone` ("办执照"), or money several items pay asked about as such
    (`bot.catalogue.linking.asks_about_a_benefit`: "听说政府发补贴 俺能领不", which 惠企政策兑现 only
    brushes), the benefit word bare (`_bare_benefit`: not 稳岗补贴); either under
    `SUBJECT_OVER_FAQ_CONFIDENCE` of the model's FAQ topic.
    """
    confidence = float((topic or {}).get("confidence") or 0.0)
    if confidence >= SUBJECT_OVER_FAQ_CONFIDENCE:
        return False
    if subject_alone(catalogue, text):
        return True
    return asks_about_a_benefit(catalogue, text) and _bare_benefit(text)


_BEFORE_A_BARE_BENEFIT = frozenset("啥什么哪些这那种的有发领拿项笔份点个一")
"""Characters of a word a benefit word (补贴) may follow and still be the benefit as such ("发啥补贴",
"政府发补贴", "有补助", "什么补贴"); after any other word it is a kind of its own the catalogue does not
know (稳岗补贴, 研发补贴: the FAQ's 惠企政策 answers those)."""


def _bare_benefit(text: str) -> bool:
    """Whether every benefit word of ``text`` (`bot.catalogue.linking.BENEFIT_SUBJECTS`) stands bare.

    The word before it (jieba's default dictionary) is made of `_BEFORE_A_BARE_BENEFIT` only, or is
    no Chinese word (the start, a pause, letters).
    """
    found = [m.start() for word in BENEFIT_SUBJECTS for m in re.finditer(word, text)]
    words = word_spans(text, guess_new_words=False)
    for start in found:
        before = next((text[a:b] for a, b in words if b == start), "")
        if HAN_RUN.fullmatch(before) and not set(before) <= _BEFORE_A_BARE_BENEFIT:
            return False
    return bool(found)


def long_enough_for_a_subject(text: str) -> bool:
    """Whether ``text`` holds `HALL_WIDE_MIN_CHARACTERS` letters, digits or characters or more.

    Fewer ("材料", "收费", "网办") name an aspect and no subject at all: which item is meant is asked.
    """
    return meaningful_characters(text) >= HALL_WIDE_MIN_CHARACTERS


def meaningful_characters(text: str) -> int:
    """How many letters, digits or Han characters ``text`` holds (`bot.faq.MEANINGFUL`, after NFKC)."""
    return len(MEANINGFUL.findall(unicodedata.normalize("NFKC", text)))


POINTER_SUBJECT_CHARACTERS = 6
"""The letters or characters a message must hold besides its back references (`BACK_REFERENCES`) for
them to point at nothing when nothing is in context: "这个得掏钱吗" (4 besides 这个) asks about a matter
not named yet; "大伙常挂在嘴边的那个一枚印章管审批 到底是啥" (19 besides 那个) names its own subject."""


def says_more_than_a_pointer(
    text: str, matches: Sequence[FaqMatch], topic: Optional[Mapping[str, Any]] = None
) -> bool:
    """Whether a message holding a back reference, with nothing in context, asks about its own subject.

    It does when, without its back references, it still holds ``POINTER_SUBJECT_CHARACTERS`` letters,
    digits or characters and the intent model's FAQ topic and retrieval agree on an entry
    (`bot.faq.agreed_entry`): "街坊说签个字保证一下就能当天拿证 有这事没" is hearsay about 告知承诺制,
    not a pointer at an item. Characters are counted, not subjects: an aspect question padded past
    six ("这个要不要提前预约啊") that the two agree on gets the hall's entry too (预约办), which states
    the rule for every item; a shorter one ("这个得掏钱吗") is asked which item is meant.
    """
    rest = text
    for cue in BACK_REFERENCES:
        rest = rest.replace(cue, "")
    long_enough = meaningful_characters(rest) >= POINTER_SUBJECT_CHARACTERS
    return long_enough and agreed_entry(matches, topic) is not None


def hall_wide_answer(
    text: str,
    faq_confidence: float,
    matches: Sequence[FaqMatch],
    topic: Optional[Mapping[str, Any]] = None,
    aspect: str = "overview",
) -> Optional[FaqAnswer]:
    """FAQ retrieval's answer to a guide question about no item, else ``None``.

    Args:
        text: the message, which names and describes no item, with none in context.
        faq_confidence: the intent model's confidence for ``faq`` (0–1; from ``intent_ranking``).
        matches: FAQ retrieval's ranked entries for ``text`` (`bot.faq.FaqIndex.search`).
        topic: the intent model's best FAQ topic (`bot.faq.FAQ_TOPIC`), or ``None``.
        aspect: the guide aspect asked (``INTENT_TO_ASPECT``; "overview" for none).

    It is answered when the model ranks ``faq`` at least ``HALL_WIDE_FAQ_CONFIDENCE``, or when the
    fee of doing business in general is asked (``HALL_WIDE_SUBJECT``) and the model's FAQ
    topic, however unlikely, is retrieval's best entry (`bot.faq.agreed_entry`). A message that
    points at a matter ("这个得掏钱吗") asks about an item, not the hall, unless it says more than the
    pointer (`says_more_than_a_pointer`); one of fewer than
    ``HALL_WIDE_MIN_CHARACTERS`` letters or characters ("材料", "收费") names no subject at all,
    and is asked which item is meant. The answer returned always has an ``entry``; one ``unsure``
    (under `bot.faq.UNSURE_SCORE`) belongs on the staff's list as well.

    """
    if any(cue in text for cue in BACK_REFERENCES) and not says_more_than_a_pointer(text, matches, topic):
        return None
    general = aspect == "fee" and HALL_WIDE_SUBJECT.search(text) is not None
    if faq_confidence < HALL_WIDE_FAQ_CONFIDENCE and not (general and agreed_entry(matches, topic, 0.0)):
        return None
    if not long_enough_for_a_subject(text):
        return None
    answer = decide(matches)
    return answer if answer.entry is not None else None


ASKS_IF_HERE = re.compile(
    r"(?:能|可以)在(?:这|这边|这儿|这里|恁这|你们这|郑州|高新区?)[^，,。？?\s]{0,2}?办"
    r"|[在到](?:这|这边|这儿|这里|恁这|你们这|郑州|高新区?)[^，,。？?\s]{0,2}?(?:能|可以)办"
    r"|在(?:这|这边|这儿|这里|恁这|你们这|郑州|高新区?)办[^，,。？?\s]{0,2}?(?:可以|行|中)"
    r"|不(?:用|必)?回(?:去|来|老家|户籍地|原籍)[\s，,]?(?:也|就)?(?:能|可以)办"
    r"|回不(?:去|来)[\s，,]?(?:也|就)?(?:能|可以)办"
)
"""Asking whether something can be done here at all ("能在这边办吗", "到郑州能办不", "在这办行吗"), or
without going back to where the citizen or the matter belongs ("不回老家能办不")."""


def served_here_answer(
    catalogue: Catalogue,
    text: str,
    aspect: str,
    matches: Sequence[FaqMatch],
    topic: Optional[Mapping[str, Any]] = None,
) -> Optional[FaqAnswer]:
    """The hall's entry for an eligibility question whether it serves the citizen here at all, else None.

    "我户口在河北 到郑州能办吗": an eligibility question (``aspect``) asking whether it can be done
    here (`ASKS_IF_HERE`) that names no item (`Catalogue.mentioned_in`; the citizen's origin may
    describe 居住证, but no matter is asked about) gets the entry the intent model's FAQ topic and
    retrieval agree on (`bot.faq.agreed_entry`), however unsure retrieval is of it: the question
    itself says the matter is where it may be done (跨省通办, 外籍人士), and the two agreeing rule out
    an entry that merely shares its words. Seven writers asked so; the model read their questions as
    ask_eligibility, ``faq`` under 0.1, and the words of being away (在外地, 回来) drew a guess at
    就医费用报销 before.
    """
    if aspect != "eligibility" or ASKS_IF_HERE.search(text) is None:
        return None
    if agreed_entry(matches, topic) is None or catalogue.mentioned_in(text) is not None:
        return None
    answer = decide(matches)
    return answer if answer.entry is not None else None


def item_instead_of_faq(catalogue: Catalogue, text: str, evidence: Optional[Evidence] = None) -> bool:
    """Whether an FAQ question retrieval is unsure of is answered as a guide question instead.

    For a message the intent model was unsure of, or whose best FAQ entry scores under
    `bot.faq.UNSURE_SCORE` ("看病拿药刷的那张卡消磁了" is not about 刷脸办事): when the catalogue
    names an item in ``text`` or is sure of one, or likely (`bot.catalogue.linking.Evidence`).
    ``evidence`` is the catalogue's evidence for ``text`` when the caller has it already.
    """
    found = evidence if evidence is not None else catalogue.evidence(text)
    return found.leading is not None or catalogue.mentioned_in(text) is not None


GIVE_WAY_EVIDENCE = 2 * SURE_SCORE
"""The catalogue's score for the item it leads to from which a weak agreement on an FAQ entry gives
way (`agreement_gives_way`): twice a sure link's, since one everyday word alone makes a lone
candidate sure ("工作人员" 7.6 for 灵活就业)."""


def agreement_gives_way(
    catalogue: Catalogue, text: str, matches: Sequence[FaqMatch], topic: Optional[Mapping[str, Any]]
) -> bool:
    """Whether the intent model's and retrieval's agreement on an FAQ entry gives way to an item.

    It does when the catalogue leads to one item (`bot.catalogue.linking.Evidence.leading`) on
    strong evidence (`GIVE_WAY_EVIDENCE`: "工资里每月扣的住房钱 想拿出来装修" scores over 25 for
    公积金提取), retrieval is unsure of the entry (under
    `bot.faq.UNSURE_SCORE`) and the model's FAQ topic is under ``AGREED_OVER_ITEMS_CONFIDENCE``
    (`bot.faq.agreed_entry`): the two agree, but weakly, on an entry whose words the message only
    brushes ("钱"). The caller has found that they agree at all.
    """
    if not matches or matches[0].score >= UNSURE_SCORE:
        return False
    if agreed_entry(matches, topic, AGREED_OVER_ITEMS_CONFIDENCE) is not None:
        return False
    evidence = catalogue.evidence(text)
    return evidence.leading is not None and evidence.score >= GIVE_WAY_EVIDENCE


def item_behind_entry(
    catalogue: Catalogue,
    text: str,
    entry: FaqEntry,
    score: float,
    search: Callable[[str], Sequence[FaqMatch]],
) -> Optional[ServiceItem]:
    """The item an FAQ entry was found through, when retrieval is sure of the entry only by its words.

    ``search`` is retrieval (`bot.faq.FaqIndex.search`), ``entry`` the entry it answers ``text``
    with, ``score`` its probability for ``text`` (the caller has searched already). When the
    catalogue is sure of an item (`bot.catalogue.linking.Evidence.item`) through its own names or
    everyday terms (`Catalogue.terms_said`), none of which the entry's title or questions hold,
    and, with those terms taken out of ``text``, retrieval is unsure of the entry
    (under `bot.faq.UNSURE_SCORE`) and scores it less than half as high as before, the entry stood on
    pieces of the item's terms (a small drop, 0.42 to 0.39, is no such sign): "护理补贴要怎么申请"
    is about 残疾人服务's 护理补贴, not the 补贴 of 惠企政策兑现; a card that "刷不出来" is the
    社会保障卡's, not 刷脸办事. "社保卡能在自助机上办吗" keeps 自助终端, which its other words ask for,
    "残疾人办事要排队吗" the priority lane, whose questions speak of 残疾人 themselves, and "护理补贴能
    免申即享不" the entry whose title's words (three characters or more) the rest holds. Returns that
    item, else ``None``.
    """
    item = catalogue.evidence(text).item
    if item is None:
        return None
    terms = catalogue.terms_said(item, text)
    own = normalise(" ".join([entry.title, *entry.questions]))
    if not terms or any(term in own for term in terms):
        return None

    rest = without_words(normalise(text), terms)
    # a stretch of three characters shared is one of any longer stretch shared too
    if any(len(piece) == 3 and piece in rest for piece in stretches(normalise(entry.title), 3)):
        return None  # "护理补贴能免申即享不" asks about 免申即享 itself
    left = next((match.score for match in search(rest) if match.entry.id == entry.id), 0.0)
    return item if left < min(UNSURE_SCORE, score / 2) else None


def item_question_near_faq(
    catalogue: Catalogue, text: str, near: Optional[str], mentioned: bool, score: float, on_entry: bool
) -> bool:
    """Whether a message retrieval found an FAQ entry for is a question about an item instead.

    ``near`` is the guide intent near ``faq`` (`guide_intent_near_faq`), ``mentioned`` whether the
    message carries a ``service`` entity (the NLU linked an item it names or describes), ``score``
    retrieval's for the entry and ``on_entry`` whether the model's FAQ topic names that entry too
    (`bot.faq.agreed_entry`, whatever the message names). It is a question about the item:

    - for an overview question near ``faq`` (``ask_service_guide``), when an item is linked or
      the catalogue is sure of or leans to one (`item_instead_of_faq`): "在外省看病的医药费咋报销"
      is about 就医费用报销, not 跨省通办; "新车间马上要开建了 开工要办的手续能一块儿办完不" about
      建设项目开工;
    - for an aspect question near ``faq``, only when an item is linked and the entry is not one
      the model and retrieval agree on and retrieval is sure of (from `bot.faq.UNSURE_SCORE`):
      "社保卡能在自助机上办吗" keeps 自助终端, "营业执照下来了能直接给我邮过来吗" (no item linked)
      证照免费邮寄; but always when it opens by going back to the item it names (`GOING_BACK`: "说回开公司
      执照去哪个窗口拿").
    """
    if near is None or not text.strip():
        return False
    if near == "ask_service_guide":
        return mentioned or item_instead_of_faq(catalogue, text)
    if mentioned and GOING_BACK.search(text):
        return True  # "说回开公司 营业执照去哪领": going back to the item named asks about it
    return mentioned and not (on_entry and score >= UNSURE_SCORE)


# Words that go back to the matter before the one in context ("再回到刚才那个", "说回前面那个").
RETURN_CUES = tuple("回到 说回 再回 返回 之前那个 前面那个 前一个 上一个事 头一个 第一个事".split())
GOING_BACK = re.compile(r"^\W*(?:那|再|还是)?(?:说回|回到|返回)(?!老家|家|原籍|户籍地|本地|当地)")
"""A message opening by going back to a matter ("回到开公司…", "说回开公司"), not a citizen back home."""
_PUNCTUATION_END = "。！？!?；;…"
_DURATION = re.compile(r"\d+(\.\d+)?\s*个?(工作日|自然日|日|天|小时|分钟|周|月)内?$")


@dataclass
class GuideReply:
    """What 高小新 says: text, buttons and a card for the widget."""

    text: str
    buttons: List[Dict[str, str]] = field(default_factory=list)
    custom: Optional[Dict[str, Any]] = None


def payload(intent: str, **entities: str) -> str:
    """A button payload that Rasa reads as an intent with entities."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, ensure_ascii=False)}"


def aspect_buttons(item: ServiceItem, skip: str) -> List[Dict[str, str]]:
    """Buttons for the other aspects of the same item, and booking when the item offers it."""
    buttons = [
        {"title": label, "payload": payload(intent, service=item.name)}
        for aspect, (intent, label) in ASPECTS.items()
        if aspect not in (skip, "overview")
    ]
    if item.appointment:
        buttons.append({"title": "预约", "payload": payload("book_appointment", service=item.name)})
    return buttons


def _material_line(material: Any) -> str:
    line = f"{material.name}（{material.form}{material.count}份）"
    exempt = str(material.exempt) if getattr(material, "exempt", None) else ""
    if exempt == "免提交":
        line += "【免提交】"
    elif exempt == "电子证照":
        line += "【可调取电子证照，免交纸质件】"
    elif exempt:
        line += f"【{exempt}，无需携带】"
    if getattr(material, "note", None):
        line += f"：{material.note}"
    return line


def pending_situation(item: ServiceItem, answers: Mapping[str, str]) -> Optional[Any]:
    """The first 个性指南 question whose answer decides the materials and is not known yet."""
    for situation in item.situations or []:
        if situation.key not in answers:
            return situation
    return None


def situation_buttons(item: ServiceItem, situation: Any, intent: str) -> List[Dict[str, str]]:
    """One button per option of a 个性指南 question."""
    return [
        {"title": label, "payload": payload(intent, service=item.name, situation=f"{situation.key}={option}")}
        for option, label in situation.options.items()
    ]


def sentence(text: str) -> str:
    """Staff's text as one sentence: a full stop is added only when it ends without one."""
    text = text.strip()
    return text if not text or text[-1] in _PUNCTUATION_END else text + "。"


def clause(text: str) -> str:
    """Staff's text inside a sentence: without the full stop or comma it may end with."""
    return text.strip().rstrip("。；;，,")


def with_ending(text: str, word: str) -> str:
    """``text`` followed by ``word`` unless it already ends with it (当场办结 + 办结 → 当场办结)."""
    text = clause(text)
    return text if text.endswith(word) else text + word


def promise_text(promised: str) -> str:
    """承诺时限 as said after 我们承诺: a bare duration gets 内办结, any other wording stands as written.

    "5个工作日" → "5个工作日内办结"; "0.5个工作日，材料齐全的当场办结", "即时办结" or
    "窗口即时制卡，立等可取" stay as they are, so no 办结 is ever doubled or tacked onto a sentence.
    """
    text = clause(promised)
    if not _DURATION.search(text):
        return text
    return text + ("办结" if text.endswith("内") else "内办结")


def time_limit_text(item: ServiceItem) -> str:
    """The 时限 sentence of an item, reading naturally whatever staff wrote in the two fields."""
    legal = clause(item.time_limit.legal)
    first = f"法定办结时限为{legal}" if _DURATION.search(legal) else f"法定时限：{legal}"
    return f"{item.name}的{first}，我们承诺{promise_text(item.time_limit.promised)}。"


def render(
    item: ServiceItem,
    aspect: str,
    hall: HallInfo,
    answers: Mapping[str, str] | None = None,
    details: Sequence[str] = (),
) -> GuideReply:
    """The reply for one aspect of an item; for materials it may first ask a 个性指南 question.

    Args:
        item: the item.
        aspect: one of `ASPECTS`.
        hall: the hall, for the window answer.
        answers: the 个性指南 answers known so far.
        details: lines of the guide that answer the citizen's specific question
            (`Catalogue.details`); they come first, and an overview then stops there.

    Returns:
        The text, buttons and card.

    """
    reply = _render_aspect(item, aspect, hall, dict(answers or {}), bool(details))
    if not details:
        return reply
    intro = f"关于您问的这一点，{item.name}的指南是这样写的：\n" + "\n".join(
        f"· {sentence(d)}" for d in details
    )
    reply.text = intro + "\n\n" + reply.text
    if reply.custom is not None:
        reply.custom.setdefault("sections", []).insert(0, {"title": "相关说明", "items": list(details)})
    return reply


def _render_aspect(
    item: ServiceItem, aspect: str, hall: HallInfo, answers: Dict[str, str], brief: bool
) -> GuideReply:
    label = ASPECTS[aspect][1]
    sections: List[Dict[str, Any]] = []
    lines: List[str]
    if aspect == "overview" and brief:
        lines = [f"想了解{item.name}的其他方面，请点击下面的按钮。"]
    elif aspect == "overview":
        lines = [
            f"【{item.name}】{item.summary}",
            f"一次办好：{'、'.join(item.bundled)}。",
            f"联办部门：{'、'.join(item.departments)}。",
            "您想了解哪方面？",
        ]
        sections.append({"title": "包含事项", "items": list(item.bundled)})
    elif aspect == "materials":
        situation = pending_situation(item, answers)
        if situation is not None:
            return GuideReply(
                text=f"为了只列出办理{item.name}您需要带的材料，请先告诉我：{situation.question}",
                buttons=situation_buttons(item, situation, "ask_materials"),
                custom={
                    "type": "guide_question",
                    "item_id": item.id,
                    "aspect": aspect,
                    "question": situation.key,
                },
            )
        chosen = materials_for(item, answers)
        checklist = [_material_line(m) for m in chosen]
        known = [s.options[answers[s.key]] for s in item.situations or [] if answers.get(s.key) in s.options]
        intro = f"办理{item.name}" + (f"（{'、'.join(known)}）" if known else "") + "需要准备以下材料："
        exempt = [m.name for m in chosen if getattr(m, "exempt", None)]
        lines = [intro, *(f"□ {line}" for line in checklist)]
        if exempt:
            lines.append(
                f"其中{'、'.join(exempt)}可通过免证办/电子证照调取，做到“免证明办理、免证件服务、免复印提交”。"
            )
        sections.append({"title": "材料清单", "items": checklist, "checklist": True})
    elif aspect == "process":
        steps = [f"{i}. {step}" for i, step in enumerate(item.process, start=1)]
        lines = [f"{item.name}的办理流程：", *steps]
        sections.append({"title": "办理流程", "items": list(item.process)})
    elif aspect == "time_limit":
        lines = [time_limit_text(item)]
        sections.append(
            {
                "title": "办理时限",
                "items": [f"法定时限：{item.time_limit.legal}", f"承诺时限：{item.time_limit.promised}"],
            }
        )
    elif aspect == "fee":
        lines = [f"{item.name}的收费标准：{sentence(item.fee)}"]
        sections.append({"title": "收费", "items": [item.fee]})
    elif aspect == "eligibility":
        lines = [f"办理{item.name}需要符合以下条件：", *(f"· {c}" for c in item.conditions)]
        sections.append({"title": "办理条件", "items": list(item.conditions)})
    elif aspect == "online":
        online = item.online
        mode = (
            "支持全程网办，足不出户即可办理" if online.full_online else "可在网上申报，部分环节需到窗口办理"
        )
        if online.instant_approval:
            mode += "，符合条件的可“秒批”"
        lines = [f"{item.name}{mode}。办理渠道：{'、'.join(online.channels)}。"]
        if online.note:
            lines.append(sentence(online.note))
        if not online.full_online:
            window = item.window
            floor = f"{window.floor}" if getattr(window, "floor", None) else ""
            lines.append(f"需到窗口办理的环节，在{hall.name}{floor}{window.number}号窗口（{window.name}）。")
        sections.append({"title": "网办渠道", "items": list(online.channels)})
    else:  # window
        window = item.window
        floor = f"{window.floor}" if getattr(window, "floor", None) else ""
        lines = [
            f"{item.name}在{hall.name}{floor}{window.number}号窗口（{window.name}）办理。",
            f"大厅地址：{hall.address}",
            f"办公时间：{sentence(hall.hours_text())}",
        ]
        if item.assisted:
            lines.append("如需帮办代办，可到大厅服务台找帮办代办专员。")
        sections.append(
            {"title": "办理窗口", "items": [f"{window.number}号窗口 {window.name}", hall.address]}
        )
    lines.append(f"咨询电话：{item.hotline}。（以上为样例指南，请以窗口工作人员答复为准）")
    return GuideReply(
        text="\n".join(lines),
        buttons=aspect_buttons(item, skip=aspect),
        custom={
            "type": "guide",
            "item_id": item.id,
            "item": item.name,
            "aspect": aspect,
            "label": label,
            "sections": sections,
            "last_checked": str(item.last_checked),
        },
    )


@dataclass
class ItemChoice:
    """Which item a guide question is about: one item (and the lines it asks about), choices, or none."""

    item: Optional[ServiceItem] = None
    details: List[str] = field(default_factory=list)
    """Lines of the item's guide that answer the specific question (上门评定, 发票 …)."""
    choices: List[ServiceItem] = field(default_factory=list)
    """Items to offer when no single one is sure, best first."""
    current: Optional[ServiceItem] = None
    """The item in context, offered last among the choices when the message seems to be about another."""
    alternatives: List[ServiceItem] = field(default_factory=list)
    """Other items offered beside the answer, when ``item`` is likely but not sure."""
    of_a_subject: bool = False
    """The choices are the items a broad subject named alone is filed under (`subject_alone`): the
    message asks no aspect, whatever the model guessed, so their buttons open the overviews."""


FAR_POINTERS = ("那个", "那件")
"""Words pointing away from the matter at hand, back to one talked about before."""


def _points_back(
    catalogue: Catalogue,
    text: str,
    earlier: ServiceItem,
    in_context: ServiceItem,
    evidence: Optional[Evidence],
) -> bool:
    """Whether ``text`` points back at ``earlier`` by a subject of its own.

    "孩子那个事" after 新生儿出生, then 身后一件事: a far pointer (`FAR_POINTERS`), a subject ``earlier``
    is filed under and ``in_context`` is not (孩子), and no item the catalogue is sure of.
    """
    if not any(pointer in text for pointer in FAR_POINTERS) or (evidence is not None and evidence.item):
        return False
    subjects = catalogue.subjects(text)
    return any(earlier.id in ids and in_context.id not in ids for ids in subjects.values())


def choose_item(
    catalogue: Catalogue,
    text: str,
    mentions: Sequence[Mapping[str, Any]],
    in_context: Optional[ServiceItem],
    aspect: str,
    earlier: Optional[ServiceItem] = None,
) -> ItemChoice:
    """Decide which item a guide question is about; the one home of the context rules.

    0. An item named only inside a description the catalogue is sure of for another item, which
       leads it by `SURE_SCORE` ("公司注册地在金水区 想整个挪到高新区来" names 公司注册):
       the described item.
    1. Two or more items named: choices; but of two, one the item in context, the other one.
       Two or more matters asked about together (`several_items`: "社保卡和公积金这俩事都想咨询下"): choices.
       No item named and a return cue (`RETURN_CUES`: "再回到刚才那个"), or a far pointer with a
       subject only the ``earlier`` item is filed under (`_points_back`): the ``earlier`` item.
    2. One item named: a question that names only a broad subject the item is filed under with others
       (`subject_alone`: "营业执照咋办", "上户口"; whatever aspect the model guessed, it asks none) gets
       them as choices, the item named first and the item in context, if any, last; but the item in
       context when it is filed under the subject too ("想上户口" after 军人退役), and the item named
       when it was chosen from the items just offered (`CHOSEN_BUTTON`). Otherwise that item, unless
       the message asks whether the item in context covers it ("那宝宝的社保卡也是一起办的吗" after
       新生儿出生, which bundles it: `bundles`), or whether the item in context applies to what the
       message tells (`asks_if_it_applies`: "俺已经退休好几年了 还能办吗" after 个体户, 退休 the
       citizen's state).
       One item linked only by a word several matters share, with another item in context
       (`_shared_word_only`: "注销要带啥" after 社保卡): as if no item were named (rule 3).
       One item only described (the linker's ``ServiceLinker.description`` entity, or a description
       the catalogue is sure of): that item when the message turns to a new matter
       (`opens_new_matter`: "另外", "其实", "不注销了"), or asks "what if" of it (`HYPOTHETICAL_CUES`)
       leaving the item in context far behind; else the item in context instead when the message is
       also evidence for it (a line of its guide answers the message, or it scores at
       least ``CONTEXT_SCORE``, `bot.catalogue.linking.fits`), when every word that is evidence for the
       described item stands in a line of its guide that answers the message (`Catalogue.explained_by`:
       "租房合同复印一份就够了吧" after 个体户), or when it describes the citizen's own situation (an
       eligibility question, or another aspect's question with `SITUATION_CUES`: "我是外地户口 要带啥"),
       unless it names a subject only the described item is filed under and has left the item in context
       behind (`outscored` and not `fits`: "首付差点钱 公积金账户里的能提出来用不" after 二手房 asks about
       公积金提取).
    3. No item: the item in context when a line of its guide answers the message, or when the
       message names one of its papers (`Catalogue.papers_named`, by everyday names too:
       "户口本和房产证都得带上吗" after 教育入学) and leans to no other item;
       when the message is evidence for no other item, or for it among others; and, for an overview
       question (which names no aspect), only then or when a context cue ties the message to
       the matter at hand (`CONTEXT_CUES`: hearsay, the other party or a relative, the
       citizen's own situation, a back-reference); for an aspect question also when the evidence
       for other items is weak (below `SURE_SCORE`) or the message describes the citizen's own
       situation; a message naming nothing but a broad subject (`subject_alone`) keeps the item in
       context when it is filed under it ("问下注销" after 个体工商户登记), else gets the items filed
       under it, then the other candidates, as choices with the item in context last ("问下注销"
       after 开办企业), whatever aspect the model guessed. Otherwise a message that is evidence for
       other items only gets them as choices, with the item in context last. Without
       context: for a question naming nothing but a broad subject, the items filed under
       it and then the other candidates as choices ("问下注销": 企业注销, 个体工商户登记, 身后); else the
       likely item (`bot.catalogue.linking.LIKELY_MARGIN`) with the others as alternatives, the
       candidates as choices, or nothing (the caller offers popular items).

    Args:
        catalogue: the items.
        text: the citizen's message (a button payload starting with "/" is not searched).
        mentions: the latest message's ``service`` entities.
        in_context: the item of the conversation so far, if any.
        aspect: the aspect asked (`ASPECTS`).
        earlier: the item talked about before ``in_context``, if any.

    Returns:
        The item with the lines of its guide the question is about, or the choices to offer.

    """
    typed = bool(text.strip()) and not text.startswith("/")
    named: List[ServiceItem] = []
    for mention in mentions:
        found = catalogue.get(str(mention.get("value") or ""))
        if found is not None and all(found.name != n.name for n in named):
            named.append(found)
    evidence = catalogue.evidence(text) if typed else None
    if evidence is not None and in_context is not None and gives_up(catalogue, text, in_context):
        rest, others = [n for n in named if n.name != in_context.name], evidence.without(in_context)
        if rest or others.candidates:
            # "饭店不开了 想开个卖药的店", "拉倒吧 公司也不注册了 开个炒菜馆": the item in context is given
            # up for another; the message is weighed as if there were none, and it is not offered again
            named, evidence, in_context = rest, others, None
    if (
        typed
        and in_context is not None
        and (evidence is None or evidence.item is None)  # not sure of an item otherwise
        and _shared_word_only(catalogue, text, mentions, named, in_context)
    ):
        # "注销要带啥" after 社保卡居民服务一卡通: the linker took 注销, a word several matters share, for
        # 企业注销一件事 (`named_by_a_shared_subject`); with a matter at hand the message is weighed as
        # if no item were named (rule 3: the item in context, or the subject's items as choices)
        named = []
    sure = evidence.item if evidence is not None else None
    if (
        sure is not None
        and named
        and not (in_context is not None and in_context.name in {n.name for n in named})
        and not named_as_a_state(
            text, sure
        )  # "退伍回来了 打算个人缴社保": the veteran's state, not his matter
    ):
        # "公司注册地在金水区 想整个挪到高新区来": an alias (公司注册) inside a description the catalogue,
        # weighing that alias too, is sure of for another item with a sure link's lead
        lead = evidence.score if evidence is not None else 0.0
        if all(n.name == sure.name or lead - catalogue.score(n, text) >= SURE_SCORE for n in named):
            named = [sure]
    if len(named) == 2 and in_context is not None and in_context.name in {n.name for n in named}:
        # "居住证已经拿到手了 下一步申请公租房": the item in context is the background, the other one
        # is asked about
        named = [n for n in named if n.name != in_context.name]
    if typed and in_context is not None and tells_cannot_come(text) and catalogue.mentioned_in(text) is None:
        # "法人在深圳出差 回不来 咋整" after 开办企业: a person of the matter at hand cannot come (法人
        # and 股东 describe 企业信息变更 only as what changes); an item named by name is still followed
        return ItemChoice(item=in_context, details=catalogue.details(in_context, text))
    if len(named) > 1:
        return ItemChoice(choices=named)
    several = several_items(catalogue, text) if typed else []
    if several:
        # "俺爷爷前几天没了 俺奶奶也该办退休了 这两件事都想咨询": which one first is the citizen's to choose
        return ItemChoice(choices=several)
    if not named and typed and earlier is not None and any(cue in text for cue in RETURN_CUES):
        return ItemChoice(item=earlier, details=catalogue.details(earlier, text))
    if (
        not named
        and typed
        and earlier is not None
        and in_context is not None
        and _points_back(catalogue, text, earlier, in_context, evidence)
    ):
        return ItemChoice(item=earlier, details=catalogue.details(earlier, text))
    candidates = evidence.choices if evidence is not None else []
    if not named and evidence is not None and evidence.item is not None:
        named = [evidence.item]  # sure of a description the NLU linker did not look up

    def about(item: ServiceItem) -> ItemChoice:
        return ItemChoice(item=item, details=catalogue.details(item, text) if typed else [])

    # the citizen's own circumstances: a situation within the item in context, not a new item
    own_situation = aspect == "eligibility" or (
        aspect != "overview" and any(cue in text for cue in SITUATION_CUES)
    )
    # a broad subject named alone ("营业执照怎么弄", "问下注销", typed by its sound too: "营业执造怎么弄"):
    # searched once for the rules below
    alone = subject_alone(catalogue, text) if typed else []

    def of_the_subject(*first: ServiceItem, besides: Sequence[ServiceItem] = ()) -> ItemChoice:
        """``first``, the subject's items and ``besides``, each once, the item in context last."""
        offered: List[ServiceItem] = []
        for item in [*first, *alone, *besides]:
            if all(item.name != other.name for other in offered):
                offered.append(item)
        return ItemChoice(choices=offered, current=in_context, of_a_subject=True)

    def filed_under(item: Optional[ServiceItem]) -> bool:
        return item is not None and any(other.name == item.name for other in alone)

    chosen = any(m.get("extractor") == CHOSEN_BUTTON for m in mentions)
    if named and len(named) == 1 and not chosen and filed_under(named[0]):
        # "营业执照咋办", "上户口": a broad subject alone, though the linker took it for one item (not a
        # reply choosing one of the items just offered: "注销" after 开办企业, 企业注销, …); with an item
        # in context, that item when it is filed under the subject too ("想上户口" after 军人退役), else
        # the subject's items with the item in context last ("想上户口" after 开办企业)
        if filed_under(in_context):
            assert in_context is not None  # for the type checker
            return ItemChoice(item=in_context, details=catalogue.details(in_context, text))
        return of_the_subject(named[0])
    if named:
        item = named[0]
        if (
            typed
            and in_context is not None
            and in_context.name != item.name
            and asks_what_it_covers(text)
            and bundles(catalogue, in_context, item)
        ):
            # "那宝宝的社保卡也是一起办的吗" after 新生儿出生: whether the matter at hand bundles another
            return ItemChoice(item=in_context, details=catalogue.details(in_context, text))
        if (
            typed
            and in_context is not None
            and in_context.name != item.name
            and aspect == "eligibility"
            and asks_if_it_applies(catalogue, item, text)
            and not opens_new_matter(catalogue, text, in_context)
        ):
            # "刚招的老师傅是返聘的退休职工 也按这个办不" after 员工录用: 退休 is the state of the person the
            # matter at hand is asked about
            return ItemChoice(item=in_context, details=catalogue.details(in_context, text))
        described = all(
            str(m.get("extractor") or "").endswith(".description")
            for m in mentions
            if catalogue.get(str(m.get("value") or "")) is item
        )
        if described and typed and in_context is not None and in_context.name != item.name:
            if shares_a_subject(catalogue, text, item, in_context) or asks_about_a_party(
                catalogue, text, item, in_context
            ):
                # "等证办下来以后 每月能领多少补贴" after 残疾人服务: what the matter at hand gives once done;
                # "合伙人在外地 他签字咋办" after 开办企业: a party to it
                return ItemChoice(item=in_context, details=catalogue.details(in_context, text))
            if opens_new_matter(catalogue, text, in_context) or named_as_a_state(text, in_context):
                # the item in context named only as the citizen's state ("退伍回来了"): a new matter
                return about(item)
            hypothetical = any(cue in text for cue in HYPOTHETICAL_CUES)
            # 如果 and 要是 themselves are the hypothetical, not the citizen's own circumstances
            told = aspect == "eligibility" or any(c in text for c in SITUATION_CUES if c not in _IF_WORDS)
            left = outscored(catalogue, item, in_context, text) and not fits(catalogue, in_context, text)
            if hypothetical and not told and left:
                return about(item)
            context_details = catalogue.details(in_context, text)
            # "首付差点钱 公积金能提出来用不" after 二手房: a question naming a subject only the described
            # item is filed under (公积金), nothing in it for the item in context, asks about that matter;
            # "俺是外省户口 能提取吗" (户口: several items) tells the situation within the matter at hand
            # telling who they are (俺是残疾人) or asking whether they still may (还能申请吗) stays
            told_self = any(cue in text for cue in SITUATION_CUES) or STILL_MAY.search(text) is not None
            situation = own_situation and not (
                left and not told_self and any(ids == {item.id} for ids in catalogue.subjects(text).values())
            )
            if (
                situation
                or catalogue.explained_by(item, text, context_details)
                or (
                    not outscored(catalogue, item, in_context, text)
                    and (context_details or fits(catalogue, in_context, text))
                )
            ):
                # "铺子是跟房东租的 签的租房合同算不算" after 个体户: 二手房's evidence (房合, 合同) is all
                # in the line of 个体户's guide that answers it (the proof of the premises: 租房合同)
                return ItemChoice(item=in_context, details=context_details)
        return about(item)
    if in_context is not None:
        if not typed:
            return ItemChoice(item=in_context)
        context_details = catalogue.details(in_context, text)
        if context_details:
            return ItemChoice(item=in_context, details=context_details)
        if (evidence is None or evidence.leading is None) and catalogue.papers_named(in_context, text):
            # "门诊的发票让我弄丢了 咋整" after 就医费用报销: one of its own papers, whatever stray words of
            # other items the message holds; "户口本和房产证都得带上吗" after 教育入学, by everyday names
            return ItemChoice(item=in_context)
        among = any(c.name == in_context.name for c in candidates)
        cue = any(word in text for word in CONTEXT_CUES)
        weak = evidence is None or evidence.score < SURE_SCORE
        if among or (not candidates and (aspect != "overview" or cue)):
            return ItemChoice(item=in_context)
        if filed_under(in_context):
            # "问下注销" after 个体工商户登记: a broad subject alone that the matter at hand is filed under
            return ItemChoice(item=in_context)
        if alone:
            # "问下注销" after 开办企业: the items filed under it, whatever aspect the model guessed
            return of_the_subject(besides=candidates)
        if aspect != "overview" and (weak or own_situation):
            # "一年下来得缴多少钱", "我户口不在郑州 这种能取不": an aspect of the matter at hand, its stray
            # words weak evidence for other items, or the citizen's own situation
            return ItemChoice(item=in_context)
        if candidates:
            return ItemChoice(choices=candidates, current=in_context)
    if alone and in_context is None:
        # "问下注销", "注销的事": a broad subject alone, no item sure or named: the items filed under it
        # (企业注销, 个体工商户登记), then the others the catalogue found (身后一件事, which cancels a
        # 户口); whatever aspect the model guessed, the message asks none
        return of_the_subject(besides=candidates)
    if evidence is not None and evidence.likely:
        # "想开家卖药的小店 麻烦不麻烦": the best item clearly ahead, though not sure, is answered and the
        # others are offered beside the answer
        return dataclasses.replace(about(candidates[0]), alternatives=candidates[1:])
    return ItemChoice(choices=candidates)


CHOICE_QUESTION = "您是想办理以下哪个事项？请点击选择："
CHOSEN_BUTTON = "chosen_button"
"""The ``extractor`` of a ``service`` entity that a typed reply choosing a button stands for
(`actions.guide.as_tapped`): the citizen chose the item, whatever subject the reply names."""


def did_you_mean(
    candidates: Sequence[ServiceItem], intent: str, current: Optional[ServiceItem] = None
) -> GuideReply:
    """Ask which of a few close items the citizen means, best first.

    With ``current`` (the item in context, when the message seems to describe another one) a
    last button keeps to it.
    """
    items = [item for item in candidates if current is None or item.name != current.name]
    buttons = [{"title": item.name, "payload": payload(intent, service=item.name)} for item in items]
    text = CHOICE_QUESTION
    if current is not None:
        text = f"您问的好像不是{current.name}。您是想办理以下哪个事项？请点击选择："
        buttons.append({"title": f"继续问{current.name}", "payload": payload(intent, service=current.name)})
    return GuideReply(text=text, buttons=buttons)


NOTHING_FOUND = "抱歉，暂时没有找到与您描述相符的事项。"
"""How `ask_which_item` begins: a reply that leaves the item in context as it was."""


def ask_which_item(catalogue: Catalogue, hall: HallInfo, intent: str) -> GuideReply:
    """Nothing matched: offer the popular items staff listed and the hall's consultation number."""
    items = [item for item in (catalogue.get(name) for name in hall.popular_items) if item is not None]
    return GuideReply(
        text=(
            f"{NOTHING_FOUND}您可以说得具体一些（比如“开公司”“宝宝出生上户口”），"
            f"或者从下面选择；也可以拨打大厅咨询电话{hall.consultation_phone}。"
        ),
        buttons=[{"title": item.name, "payload": payload(intent, service=item.name)} for item in items],
    )


def parse_situation(value: Optional[str]) -> Optional[tuple[str, str]]:
    """Read a ``key=option`` situation answer sent by a button."""
    if not value or "=" not in value:
        return None
    key, option = value.split("=", 1)
    return key.strip(), option.strip()
