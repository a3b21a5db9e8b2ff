"""The hall's terms and the words of a question typed in pinyin, read back as Chinese.

People who cannot find a character, or type on a keyboard without a pinyin input method, write the
term itself in pinyin: "kuasheng tongban 能办哪些事", "haochaping评完有人看不",
"wanrenzhuwanqi 咋参加", and often the whole question: "shebaoka zenme ban a", "banjian jindu zai na
cha". The training data and the FAQ entries are Chinese, so such a word tells the models nothing. A
`PinyinReader` knows the terms of a vocabulary (`bot.faq.title_terms`: stretches of the FAQ titles)
and the everyday words of a question (`QUESTION_WORDS`) by their toneless pinyin (``pypinyin``); a
stretch of whole Latin words that spells them, syllable for syllable with nothing left over, is
replaced by them before the message is featurised ("kuasheng tongban 能办哪些事" → "跨省通办 能办哪些事").
Unlike English glossary words, which keep their own features beside their gloss
(:mod:`bot.nlu.english`), the letters are dropped: their character n-grams resemble every other
Latin word and only pull the message away from the term ("haochaping评完有人看不" scored its FAQ entry
0.29 with the letters kept, 0.67 without).

Names, English and accounts must not read as Chinese: with the words of every FAQ question, "Zheng
Ming" read 证明, "Zhang Hao" 账号, "name" 那么 and "BANLI123" 办理123. So a reading of terms spells three
syllables or more (a two-syllable term such as "mianfei" is not read); a reading of everyday words
alone holds one of two syllables or more ("shi yue", "ma ling" and "shine" are not 是约, 吗领, 是呢) and
is read only from lower-case letters but a message's first ("我叫 Qian Yueling"); and nothing is read
in a run joined to digits, in an e-mail or web address (`bot.catalogue.sounds.words_outside_addresses`),
after 叫, 姓名, 联系人, "my name is"… (`bot.catalogue.sounds.NAMED_BEFORE`), or in a run holding an English
word of the glossary. A run that spells nothing ("wifi", "HR", "Li Ming") is left as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from pypinyin import Style, lazy_pinyin

from bot.catalogue.sounds import NAMED_BEFORE, words_outside_addresses
from bot.nlu.english import GLOSSARY

#: A term is two to ten Han characters (a single syllable spells too many things to be read back).
MIN_TERM, MAX_TERM = 2, 10
QUESTION_WORDS = frozenset(
    {
        *("怎么", "咋", "如何", "怎样", "在哪", "哪里", "哪儿", "哪个", "什么", "啥", "多少", "多久"),
        *("几天", "几号", "办", "办理", "弄", "查", "看", "用", "交", "领", "取", "约", "申请", "提交"),
        *("需要", "要", "带", "能", "能不能", "可以", "是", "在", "不", "吗", "呢", "啊", "呀", "了"),
        *("的", "流程", "手续", "材料", "窗口", "进度", "收费", "钱", "时间", "网上", "手机", "预约"),
        *("取消", "上", "评", "问", "有", "没有", "有没有", "我", "我想", "想", "准备", "在吗"),
    }
)
"""The everyday words of a question, read from pinyin beside the terms: "shebaoka zenme ban a" asks
怎么办, "gexing zhinan zai na kan" 在哪看. Words alone are read only if one of them has two syllables or
more ("cailiao", "zenme ban"; not "shi yue" or "ma ling", names as often as 是约 or 吗领), from
lower-case letters but a message's first (names are written with capitals), and never as one word
said over ("aaaaaa"). A term of the vocabulary wins a spelling it shares with a word."""
#: A reading spells at least this many syllables (Han characters) in all…
MIN_SYLLABLES = 3
#: …or, if it is everyday words alone, holds one of this many syllables ("cailiao": 材料, "zenme ban").
MIN_WORD_SYLLABLES = 2
#: Runs of fewer or more letters are never read ("ok", initials; a pasted paragraph).
MIN_LETTERS, MAX_LETTERS = 4, 40
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_RUN = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]+(?:[ '\-]+[A-Za-z]+)*(?![A-Za-z0-9_])")
_LETTERS = re.compile(r"[A-Za-z]+")


def spelling(term: str) -> str:
    """The toneless pinyin of a run of Han characters, without spaces ("跨省通办" → "kuashengtongban")."""
    return "".join(lazy_pinyin(term, style=Style.NORMAL))


def terms_of(pieces: Iterable[str]) -> Counter:
    """Candidate terms with how often each occurs: the runs of two to ten Han characters of ``pieces``.

    Pass whole texts (an FAQ title's "跨省通办", "万人助万企" stand between punctuation) and the
    words a segmenter found in them.
    """
    found: Counter = Counter()
    for piece in pieces:
        for run in _HAN_RUN.findall(piece or ""):
            if MIN_TERM <= len(run) <= MAX_TERM:
                found[run] += 1
    return found


def stretches(text: str, longest: int) -> List[str]:
    """Every stretch of two to ``longest`` Han characters of ``text``, within its runs of Han."""
    return [
        run[i:j]
        for run in _HAN_RUN.findall(text)
        for i in range(len(run))
        for j in range(i + MIN_TERM, min(len(run), i + longest) + 1)
    ]


class PinyinReader:
    """Reads runs of Latin letters that spell known terms in pinyin.

    Args:
        by_spelling: toneless pinyin without spaces → the term it spells (`of_terms` builds it;
            a model stores it as it is, so loading needs no pinyin lookups).

    """

    def __init__(self, by_spelling: Mapping[str, str], terms: Optional[Iterable[str]] = None) -> None:
        self.by_spelling: Dict[str, str] = dict(by_spelling)
        self._longest = max((len(s) for s in self.by_spelling), default=0)
        known = None if terms is None else frozenset(terms)
        self._terms_only = {
            s: t for s, t in self.by_spelling.items() if t not in QUESTION_WORDS or (known and t in known)
        }

    @classmethod
    def of_terms(cls, terms: Mapping[str, int], words: Iterable[str] = QUESTION_WORDS) -> PinyinReader:
        """A reader of ``terms`` (term → how often it occurs, `terms_of`) and of everyday ``words``.

        Of two terms spelt alike, the more frequent (then the longer, then the first) is the reading;
        a term is read before a word spelt as it is.
        """
        ranked = sorted(terms.items(), key=lambda kv: (-kv[1], -len(kv[0])))
        by_spelling: Dict[str, str] = {}
        for term, _ in ranked:
            if MIN_TERM <= len(term) <= MAX_TERM and _HAN_RUN.fullmatch(term):
                by_spelling.setdefault(spelling(term), term)
        for word in sorted(words):  # no two of QUESTION_WORDS are spelt alike
            by_spelling.setdefault(spelling(word), word)
        return cls(by_spelling, terms)

    def terms(self) -> List[str]:
        """The terms the reader knows, without its everyday words (`QUESTION_WORDS`) but as terms."""
        return list(self._terms_only.values())

    def read(self, letters: str, first: bool = False) -> Optional[List[str]]:
        """The terms and words ``letters`` spells whole ("chuishaobaodao" → 吹哨, 报到), else ``None``.

        Everyday words (`QUESTION_WORDS`) are read only from ``letters`` in lower case, but the
        first letter of a message (``first``: they begin it). Of several ways to cut the letters
        into spellings, the one with the fewest terms wins; it must spell at least
        ``MIN_SYLLABLES`` syllables or, if it is everyday words alone, hold one of
        ``MIN_WORD_SYLLABLES``; and not be one word said over.
        """
        # a phone capitalises the first letter of a message ("Zenme ban"); a name each of its words
        everyday = letters.islower() or (first and letters[1:].islower())
        spellings = self.by_spelling if everyday else self._terms_only
        letters = letters.lower()
        if not MIN_LETTERS <= len(letters) <= MAX_LETTERS or not spellings:
            return None
        best: List[Optional[List[str]]] = [None] * (len(letters) + 1)
        best[0] = []
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                before = best[start]
                term = spellings.get(letters[start:end])
                if before is not None and term is not None:
                    if best[end] is None or len(before) + 1 < len(best[end] or ()):
                        best[end] = [*before, term]
        found = best[len(letters)]
        if not found or (len(found) > 1 and len(set(found)) == 1):
            return None  # one word said over is a key held down ("aaaaaa"), not 啊啊啊啊啊啊
        if everyday and all(term in QUESTION_WORDS for term in found):  # everyday words alone
            return found if max(map(len, found)) >= MIN_WORD_SYLLABLES else None
        return found if sum(len(term) for term in found) >= MIN_SYLLABLES else None

    def readings(self, run: str, first: bool = False) -> List[Tuple[int, int, List[str]]]:
        """The stretches of a run of Latin words that spell known terms.

        Returns ``(start, end, terms)``, offsets in ``run``; ``first``: the run begins the message.
        The run is read whole if it can be; else, from each word on, the longest stretch of whole
        words that reads ("wo xiang yuyue" → 我想预约, "zhunbei shenme cailiao a" → 准备什么材料啊; a
        word that spells nothing stays as it is). Nothing is read in a run that holds a glossary
        word (English: `bot.nlu.english`).
        """
        words = list(_LETTERS.finditer(run))
        if not words or any(w.group(0).lower() in GLOSSARY for w in words):
            return []
        found = []
        i = 0
        while i < len(words):
            for j in range(len(words) - 1, i - 1, -1):
                letters = "".join(w.group(0) for w in words[i : j + 1])
                terms = self.read(letters, first and i == 0)
                if terms is not None:
                    found.append((words[i].start(), words[j].end(), terms))
                    i = j
                    break
            i += 1
        return found

    def spans(self, text: str) -> List[Tuple[int, int, List[str]]]:
        """The stretches of pinyin of ``text`` that have a reading: ``(start, end, terms)``.

        In text order (`readings`).
        """
        if not _LETTERS.search(text):
            return []
        return [
            (match.start() + start, match.start() + end, terms)
            for match in words_outside_addresses(text, _LATIN_RUN)
            if not NAMED_BEFORE.search(text[: match.start()])
            for start, end, terms in self.readings(match.group(0), not text[: match.start()].strip())
        ]

    def with_readings(self, text: str) -> str:
        """``text`` with each pinyin run replaced by its reading.

        "kuasheng tongban 能办哪些事" → "跨省通办 能办哪些事".
        """
        for start, end, terms in reversed(self.spans(text)):
            text = text[:start] + "".join(terms) + text[end:]
        return text
