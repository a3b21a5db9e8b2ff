"""Another city's affair: a message about a matter that another place's government handles.

"杭州注册个公司都要带啥材料", "上海的居住证怎么申请", "南阳的房子过户找哪个部门" ask about
services the 郑州高新区 hall cannot give, although they name an item's words. The issue lists them as
out of scope.

Place names come from jieba's own dictionary (the package's ``dict.txt``). A name counts when the
dictionary holds it with 省, 市, 自治区 or 特别行政区 and the place tag ``ns`` (深圳市 gives 深圳).
That is about 900 provinces, cities and counties, with no list of ours to keep. The bare tag is
not used: jieba also tags 东西, 延时 and 礼拜 as places. 香港, 澳门 and 台湾 are not matched by
this rule; their residents' questions belong to the FAQ.

A message is about another place when:
- a jieba word of it is such a name, or such a name with its suffix;
- it names nothing of Zhengzhou (``LOCAL``);
- it has no word that ties the matter to the hall (``HERE_CUES``: "在上海住院 回来报销",
  "老家在驻马店", "户口在安徽", "异地", "转到郑州").
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import FrozenSet, Optional, Sequence

import jieba

from bot.relatives import ELDERS, OTHER_PARTIES, RELATIVES
from bot.segmentation import default_tokenizer

#: Zhengzhou, its districts and the county-level cities it governs, and the province
LOCAL = (
    "郑州",
    "河南",
    "高新",
    "中原区",
    "金水",
    "二七",
    "管城",
    "惠济",
    "上街",
    "航空港",
    "郑东",
    "新郑",
    "荥阳",
    "登封",
    "新密",
    "巩义",
    "中牟",
)
#: words that bring the matter to the hall: the citizen's roots elsewhere, a move or a transfer here,
#: doing it from afar or for someone who is away (also `ON_BEHALF`), the hall itself
HERE_CUES = (
    "老家",
    "户口在",
    "户籍",
    "回来",
    "回到",
    "回去",
    "回不去",
    "回不来",
    "过不来",
    "来不了",
    "人在",
    "人还在",
    "打工",
    "外地",
    "异地",
    "跨省",
    "外省",
    "通办",
    "转到",
    "转回",
    "转过来",
    "转入",
    "迁到",
    "迁来",
    "迁过来",
    "搬过来",
    "迁回",
    "迁入",
    "寄",
    "这边",
    "这里",
    "在这",
    "恁这",
    "你们这",
    "你们那",
    "咱这",
    "本地",
    "大厅",
)
#: place names that are everyday words in a citizen's message ("咱新店开张前想把水电接上")
EVERYDAY_WORDS = frozenset({"新店"})
_SUFFIX = re.compile(r"(.{2,8}?)(省|市|自治区|特别行政区)")


@lru_cache(maxsize=1)
def _dictionary_places() -> FrozenSet[str]:
    """Every word jieba's dictionary tags as a place (``ns``): 上海浦东 and 东西 alike."""
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    with open(path, encoding="utf-8") as dictionary:
        return frozenset(
            parts[0] for parts in map(str.split, dictionary) if len(parts) == 3 and parts[2] == "ns"
        )


@lru_cache(maxsize=1)
def place_names() -> FrozenSet[str]:
    """Names of provinces, cities and counties from jieba's dictionary, without and with suffix."""
    names: set[str] = set()
    for word in _dictionary_places():
        match = _SUFFIX.fullmatch(word)
        if match:
            names.update((match.group(1), word))
    return frozenset(names - EVERYDAY_WORDS)


def _place_of(word: str, names: FrozenSet[str]) -> Optional[str]:
    """The place name ``word`` is, or begins a place word with (上海浦东: 上海), else ``None``."""
    if word in names:
        return word
    if word in _dictionary_places():
        return next((word[:k] for k in (3, 2) if len(word) > k and word[:k] in names), None)
    return None


#: going or doing the matter for someone who is away ("表哥在广州上班 俺替他去办"); asking on someone's
#: behalf ("替我查下北京的社保") ties nothing here
ON_BEHALF = re.compile(r"替[他她俺我].{0,3}[跑去来办]")
#: a hall asked for, which is no tie to this one: "在洛阳办营业执照去哪个大厅" asks for that city's;
#: "你们哪个大厅能办" asks for one of this hall's (`YOURS`)
WHICH_HALL = re.compile(r"(?:哪个|哪一个|哪家|哪里的|哪儿的|哪的|什么|啥)(?:政务服务|政务|服务|办事)?大厅")
YOURS = ("你们", "恁们", "咱们", "咱这", "您们")


#: someone else in the matter who is in another place ("有个股东在西安 …", "卖方在上海上班"): the
#: place, two to four characters, ends the clause or is where the person works or stays, not where
#: something was bought, registered or done ("他在上海买的房子")
_PERSON_THERE = re.compile(
    rf"(?<!其)(?:{'|'.join(RELATIVES + ELDERS + OTHER_PARTIES)})[^\s，。,.!！?？、；;]{{0,4}}?"
    r"在(?:(?![的买办注生])[^\s，。,.!！?？、；;]){2,4}(?:[\s，。,.!！?？、；;]|上班|工作|出差|住|呢|$)"
)
#: …who has to sign or be present for it: the matter is done here, the person is away
PRESENCE_WORDS = ("签字", "签名", "签个字", "签不了", "到场")


def ties_here(text: str) -> bool:
    """Whether ``text`` names a place of Zhengzhou or ties its matter to the hall.

    ``LOCAL``, ``HERE_CUES`` and ``ON_BEHALF``: "在北京住的院 回郑州了 垫的医药费咋报" is an affair of
    here, whatever other place it names. A hall asked for (`WHICH_HALL`: "去哪个大厅") is not ours,
    unless it is asked of this hall (`YOURS`: "你们哪个大厅能办").
    """
    cues = text if any(word in text for word in YOURS) else WHICH_HALL.sub("", text)
    return any(word in cues for word in LOCAL + HERE_CUES) or ON_BEHALF.search(text) is not None


def away_to_sign(text: str, place: str) -> bool:
    """Whether ``text`` asks how someone in ``place`` signs or is present for a matter of here.

    `_PERSON_THERE` and `PRESENCE_WORDS` ("有个股东在西安 签字能不能远程弄"), unless the matter itself
    is that place's ("我对象在北京上班 北京的公租房要签字吗": 北京的).
    """
    return (
        _PERSON_THERE.search(text) is not None
        and any(word in text for word in PRESENCE_WORDS)
        and f"{place}的" not in text
    )


def named_as_theirs(text: str, place: str) -> bool:
    """Whether ``text`` names its matter as ``place``'s.

    As the matter's owner ("北京的社保"), or by naming the place again with it ("俺是北京人
    想办北京居住证"). Used by `comes_from` and `history_there`.
    """
    return f"{place}的" in text or text.count(place) > 1


#: a person said to be of a place ("我是台湾的", "俺们是安徽的"), before the place
_PERSON_OF = r"(?:我|俺|咱|他|她)们?家?也?是"


def comes_from(text: str, place: str) -> bool:
    """Whether ``text`` says someone is of ``place`` and comes to do the matter here.

    "香港居民来办手续 要带啥证", "俺是台湾来的 拿台胞证行不": a person of that place (人, 居民, 同胞,
    籍, 来的, 过来; not 人社, 人才, 居民医保; or a person who 是 that place 的: "我是台湾的 用台胞证能办
    执照吗", not "社保卡是上海的"), whose matter is the hall's (the FAQ answers Hong Kong,
    Macao and Taiwan residents and foreigners), unless the matter is named as that place's
    ("我是北京人 北京的医保卡咋补", "俺是北京人 想办北京居住证").
    """
    origin = re.search(
        re.escape(place) + r"(?:人(?![社才民])|居民(?!医保|养老|社保)|同胞|籍|来的|过来)", text
    )
    if origin is None:
        # "我是台湾的 …": a person is of that place; the matter is theirs only if named with it again
        # ("我是上海的 上海社保卡咋补"), where "社保卡是上海的" says whose card it is
        origin = re.search(_PERSON_OF + re.escape(place) + "的", text)
        return origin is not None and place not in text[: origin.start()] + text[origin.end() :]
    return not named_as_theirs(text, place)


#: what the citizen did in a place: worked, paid in, lived, studied or served there, with 过 ("在江苏也交过
#: 几年社保", "在苏州打过工"; not 过户, 过来 or 过去, which are moves) or with 了 and a length of time
#: ("在杭州工作了三年", "交了五年社保")
_DONE_THERE = (
    r"[^\s，。,.!！?？、；;]{0,8}?(?:交|缴|上|干|做|住|待|呆|工作|读|念|参|打|当|生活)"
    r"(?:过(?![户来去])|了(?:[一二两三四五六七八九十几半\d]+|好几)个?(?:年|月|多年|多月))"
)


def history_there(text: str, place: str) -> bool:
    """Whether ``text`` tells of the citizen's past in ``place`` for a matter of here.

    "早些年在浙江缴过养老保险 办退休要开啥证明" asks what the retirement here needs for the years
    paid in elsewhere; the place is the citizen's history, not the matter's. Only "在" + the place
    (`_DONE_THERE`), and not when the matter is named as the place's (`named_as_theirs`): "在北京交过
    社保 北京社保卡咋补" and "上海社保交过几年能落户不" ask about that place's matter.
    """
    done = re.search("在" + re.escape(place) + _DONE_THERE, text) is not None
    return done and not named_as_theirs(text, place)


def other_place(text: str, words: Optional[Sequence[str]] = None) -> Optional[str]:
    """The first place ``text`` names that is not Zhengzhou's (`place_names`, ``LOCAL``), or ``None``.

    ``words`` are the message's words when a tokenizer has already cut it (Rasa's pipeline);
    otherwise jieba's default dictionary cuts it.
    """
    names = place_names()
    cut = words if words is not None else default_tokenizer().lcut(text)
    found = (_place_of(w, names) for w in cut if not any(local in w for local in LOCAL))
    return next((place for place in found if place is not None), None)


def brought_here(text: str, words: Optional[Sequence[str]] = None) -> bool:
    """Whether ``text`` names another place and ties its matter to here (`ties_here`).

    "在北京住的院 回郑州了 垫的医药费咋报": an affair begun elsewhere and finished at the hall.
    """
    return ties_here(text) and other_place(text, words) is not None


def elsewhere(text: str, words: Optional[Sequence[str]] = None) -> Optional[str]:
    """The other place whose affair ``text`` asks about, or ``None``.

    ``words`` are the message's words when a tokenizer has already cut it (Rasa's pipeline);
    otherwise jieba's default dictionary cuts it. ``None`` when the message names no place, names a
    place of Zhengzhou, ties the matter to the hall (see the module's rules), or asks how someone in
    that place signs or is present for a matter of here (`away_to_sign`), says someone of that place
    comes to do it here (`comes_from`), or tells of the citizen's past there (`history_there`).
    """
    if ties_here(text):
        return None
    place = other_place(text, words)
    if place is None or away_to_sign(text, place) or comes_from(text, place) or history_there(text, place):
        return None
    return place
