"""Chinese typed in pinyin, read back as Chinese: the hall's terms, the words of a question, any word.

People who cannot find a character, or type on a keyboard without a pinyin input method, write the
term itself in pinyin: "kuasheng tongban 能办哪些事", "haochaping评完有人看不",
"wanrenzhuwanqi 咋参加", and often the whole message: "shebaoka zenme ban a", "banjian jindu zai na
cha", "zuo ji lu gongjiao neng dao dating". The training data and the FAQ entries are Chinese, so such
a word tells the models nothing. A `PinyinReader` knows, by their toneless pinyin (``pypinyin``), the
terms of the FAQ titles (`bot.faq.title_terms`), the everyday words of a question
(`QUESTION_WORDS`, from `bot.question_words`) and, for the intent model, a vocabulary
(`vocabulary_of`: the words of the training messages, then jieba's dictionary: 天气, 公交, 情况). A
stretch of whole Latin words that spells them, syllable for syllable with nothing left over, is
replaced by them before the message is featurised ("kuasheng tongban 能办哪些事" → "跨省通办 能办哪些事").
Of several ways to cut it, the cheapest: few pieces, the surer words, and the writer's spaces kept
("wo shi zhengzhou hukou" is 我是, not 卧室). Unlike English glossary words, which keep their own
features beside their gloss (:mod:`bot.nlu.english`), the letters are dropped: their character
n-grams resemble every other Latin word and only pull the message away from the term
("haochaping评完有人看不" scored its FAQ entry 0.29 with the letters kept, 0.67 without).

Names, English and accounts must not read as Chinese: with the words of every FAQ question, "Zheng
Ming" read 证明, "Zhang Hao" 账号, "name" 那么 and "BANLI123" 办理123. So a reading of terms alone spells
three syllables or more (a two-syllable term such as "mianfei" is not read); a reading of words holds
one of two syllables or three words ("shi yue", "ma ling" and "shine" are not 是约, 吗领, 是呢) and is
read only from lower-case letters but a message's first ("我叫 Qian Yueling"); one syllable is read
only as a whole message that is a short reply ("dui", "zhong"); and nothing is read in a run joined to
digits, in an e-mail or web address (`bot.catalogue.sounds.words_outside_addresses`), after 叫, 姓名,
联系人, "my name is", "wo jiao"… (`bot.catalogue.sounds.NAMED_BEFORE`), or in a run
holding an English word of the glossary. A run that spells nothing ("wifi", "HR", "Li Ming") is left
as it is.
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import accumulate
from typing import Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from pypinyin import Style, lazy_pinyin

from bot.catalogue.sounds import NAMED_BEFORE, words_outside_addresses
from bot.nlu.english import GLOSSARY
from bot.question_words import EVERYDAY_WORDS, NAMING_WORDS, QUESTION_NOUNS, SHORT_REPLIES, SPOKEN_SPELLINGS
from bot.segmentation import default_tokenizer

#: A term is two to ten Han characters (a single syllable spells too many things to be read back).
MIN_TERM, MAX_TERM = 2, 10
QUESTION_WORDS = frozenset(EVERYDAY_WORDS) | frozenset(QUESTION_NOUNS)
"""The everyday words of a question (`bot.question_words`), read from pinyin beside the terms:
"shebaoka zenme ban a" asks 怎么办, "gexing zhinan zai na kan" 在哪看. Read from lower-case letters but a
message's first (names are written with capitals), never as one word said over ("aaaaaa"). A term wins
a spelling it shares with a word, and a word one it shares with the vocabulary's."""
#: A reading spells at least this many syllables (Han characters) in all…
MIN_SYLLABLES = 3
#: …or, if it is words alone, holds one of this many syllables ("cailiao": 材料, "zenme ban") or this
#: many words ("wo yao ban": 我要办; "shi yue" and "ma ling" are names as often as 是约 or 吗领).
MIN_WORD_SYLLABLES, MIN_WORDS = 2, 3
#: Words of jieba's dictionary read from pinyin are two to four characters, this frequent or more in
#: its counts (about 14,000 words: 天气, 情况, 公交; not rare words that would spell names).
DICTIONARY_MIN_COUNT = 300
_WORD = re.compile(r"[\u4e00-\u9fff]{2,4}")
# numbers spelled in words ("八八" of a phone number read out) are no words to read pinyin as ("baba")
_NUMERALS = re.compile(r"[零〇一二三四五六七八九十百千万两幺]+")
#: What a way of cutting letters into spellings costs: each piece; more for a vocabulary word (the
#: terms and everyday words are surer); more for each space between words a piece spans.
PIECE_COST, VOCABULARY_COST, BREAK_COST = 1.0, 0.5, 1.0
#: Runs of fewer or more letters are never read ("ok", initials; a pasted paragraph).
MIN_LETTERS, MAX_LETTERS = 4, 40
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
# a run joined to digits, even by a dash ("Shide-5G", "banli123"), is a name or a code
_LATIN_RUN = re.compile(
    r"(?<![A-Za-z0-9_])(?<![0-9][-_])[A-Za-z]+(?:[ '\-]+[A-Za-z]+)*(?![A-Za-z0-9_])(?![-_][0-9])"
)
_LETTERS = re.compile(r"[A-Za-z]+")
_REPLY = re.compile(r"\s*([A-Za-z]+)[\s!！.。~～]*")


def spelling(term: str) -> str:
    """The toneless pinyin of a run of Han characters, without spaces ("跨省通办" → "kuashengtongban")."""
    return "".join(lazy_pinyin(term, style=Style.NORMAL))


#: The spellings of `NAMING_WORDS`, which are read themselves ("wo jiao": 我叫; "name" is no 那么).
_NAMING_SPELLINGS = tuple(spelling(word) for word in NAMING_WORDS)


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


def vocabulary_of(words: Iterable[str], min_count: int = DICTIONARY_MIN_COUNT) -> List[str]:
    """The words to read from pinyin after the terms and the everyday words, the likelier first.

    ``words`` (the words of the training messages, as the tokenizer cut them) by how often they
    occur, then the words of jieba's dictionary counted ``min_count`` times or more, by that count:
    this domain's "dengji" and "canbao" are 登记 and 参保, not the dictionary's 等级 and 残暴. Two to
    four Han characters each.
    """
    seen = Counter(word for word in words if _WORD.fullmatch(word) and not _NUMERALS.fullmatch(word))
    counts = default_tokenizer().FREQ
    general = [
        w
        for w, n in counts.items()
        if n >= min_count and w not in seen and _WORD.fullmatch(w) and not _NUMERALS.fullmatch(w)
    ]
    return [word for word, _ in seen.most_common()] + sorted(general, key=lambda w: -counts[w])


LATIN_READINGS = "latin_readings"
"""The message key under which the intent classifier leaves what a message's Latin words read as,
``(start, end, chinese)`` in text order, for the service linker (`bot.nlu.service_linker`)."""


def written_with(text: str, readings: Sequence[Tuple[int, int, str]]) -> Tuple[str, List[Tuple[int, int]]]:
    """``text`` with each ``(start, end, chinese)`` of ``readings`` (in text order) in its place.

    Returns the new text and, for each of its characters, the ``(start, end)`` of ``text`` it stands
    for: a character of a reading stands for the whole stretch read ("kai fandian" → 开饭店, each of
    the three characters for (0, 11)).
    """
    pieces: List[str] = []
    origins: List[Tuple[int, int]] = []
    at = 0
    for start, end, chinese in readings:
        pieces.append(text[at:start] + chinese)
        origins += [(i, i + 1) for i in range(at, start)] + [(start, end)] * len(chinese)
        at = end
    pieces.append(text[at:])
    origins += [(i, i + 1) for i in range(at, len(text))]
    return "".join(pieces), origins


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
        # a model saved before its terms were kept read nothing but terms and everyday words
        self._terms_only = {
            s: t
            for s, t in self.by_spelling.items()
            if (t in known if known is not None else t not in QUESTION_WORDS)
        }
        self._terms = frozenset(self._terms_only.values())
        self._vocabulary = frozenset(self.by_spelling.values()) - self._terms - QUESTION_WORDS

    @classmethod
    def of_terms(
        cls, terms: Mapping[str, int], words: Iterable[str] = QUESTION_WORDS, vocabulary: Sequence[str] = ()
    ) -> PinyinReader:
        """A reader of ``terms``, of everyday ``words`` and of the words of a ``vocabulary``.

        ``terms``: term → how often it occurs (`terms_of`); ``vocabulary``: the likelier first
        (`vocabulary_of`). Of two terms spelt alike, the more frequent (then the longer, then the
        first) is the reading; a term is read before a word spelt as it is, an everyday word before
        the vocabulary's.
        """
        ranked = sorted(terms.items(), key=lambda kv: (-kv[1], -len(kv[0])))
        by_spelling: Dict[str, str] = {}
        for term, _ in ranked:
            if MIN_TERM <= len(term) <= MAX_TERM and _HAN_RUN.fullmatch(term):
                by_spelling.setdefault(spelling(term), term)
        words = frozenset(words)
        for word in sorted(words):  # no two of QUESTION_WORDS are spelt alike
            by_spelling.setdefault(spelling(word), word)
        for spoken, word in SPOKEN_SPELLINGS.items():
            if word in words:
                by_spelling.setdefault(spoken, word)
        for word in vocabulary:
            by_spelling.setdefault(spelling(word), word)
        return cls(by_spelling, terms)

    def terms(self) -> List[str]:
        """The terms the reader knows, without its everyday words and vocabulary but as terms."""
        return list(self._terms_only.values())

    def read(self, letters: str, first: bool = False, breaks: Iterable[int] = ()) -> Optional[List[str]]:
        """The terms and words ``letters`` spells whole ("chuishaobaodao" → 吹哨, 报到), else ``None``.

        Everyday words (`QUESTION_WORDS`) and the vocabulary's are read only from ``letters`` in
        lower case, but the first letter of a message (``first``: they begin it). ``breaks``: where
        the writer put a space between words (offsets in ``letters``). Of several ways to cut the
        letters into spellings, the cheapest wins (`PIECE_COST` each, `VOCABULARY_COST` more for a
        vocabulary word, `BREAK_COST` more for each break a piece spans: "wo shi" is 我是, "woshi" 卧室;
        at equal cost, the cut spanning fewer breaks: "bu ban le" is 不办了, not 补办了). The cheapest
        cut the guards take is read: it must spell at least ``MIN_SYLLABLES`` syllables or, if it is
        words alone, hold one of ``MIN_WORD_SYLLABLES`` or ``MIN_WORDS`` words ("bu shi" is 不是, not
        不, 是); and not be one word said over.
        """
        # a phone capitalises the first letter of a message ("Zenme ban"); a name each of its words
        everyday = letters.islower() or (first and letters[1:].islower())
        spellings = self.by_spelling if everyday else self._terms_only
        letters = letters.lower()
        if not MIN_LETTERS <= len(letters) <= MAX_LETTERS or not spellings:
            return None
        spaced = sorted(set(breaks))
        # the cheapest cut up to each letter, of one-syllable pieces only [0] and with a longer one [1]
        # (a cut the guards refuse gives way to the cheapest they take: "bu shi" is 不是, not nothing)
        best: List[List[Optional[Tuple[float, int, List[str]]]]] = [
            [None, None] for _ in range(len(letters) + 1)
        ]
        best[0][0] = (0.0, 0, [])
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                term = spellings.get(letters[start:end])
                if term is None:
                    continue
                spanned = sum(1 for b in spaced if start < b < end)
                cost = (
                    PIECE_COST + BREAK_COST * spanned + (VOCABULARY_COST if term in self._vocabulary else 0.0)
                )
                for long_before, before in enumerate(best[start]):
                    if before is None:
                        continue
                    cut = (before[0] + cost, before[1] + spanned, [*before[2], term])
                    long = int(bool(long_before) or len(term) >= MIN_WORD_SYLLABLES)
                    known = best[end][long]
                    if known is None or cut[:2] < known[:2]:  # the cheaper, then the fewer spaces spanned
                        best[end][long] = cut
        taken = [cut for cut in best[len(letters)] if cut is not None and self._readable(cut[2], everyday)]
        return min(taken, key=lambda cut: cut[:2])[2] if taken else None

    def _readable(self, found: List[str], everyday: bool) -> bool:
        """Whether the guards of `read` let a cut into ``found`` be read."""
        if not found or (len(found) > 1 and len(set(found)) == 1):
            return False  # one word said over is a key held down ("aaaaaa"), not 啊啊啊啊啊啊
        # words alone: everyday words, the vocabulary's, a term in lower case that is a word too
        if everyday and all(term in QUESTION_WORDS or term not in self._terms for term in found):
            return len(found) >= MIN_WORDS or max(map(len, found)) >= MIN_WORD_SYLLABLES
        return sum(len(term) for term in found) >= MIN_SYLLABLES

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
        for k, word in enumerate(words):  # "wo jiao wang lei", "my name is yu yue": what follows is a name
            named = NAMED_BEFORE.search(run[: word.end()])
            if named:
                said = _LETTERS.findall(named.group(0).lower())  # 我叫 is read; "name" is no 那么
                read_too = "".join(said).startswith(_NAMING_SPELLINGS)
                words = words[: k + 1] if read_too else words[: k + 1 - len(said)]
                break
        found = []
        i = 0
        while i < len(words):
            for j in range(len(words) - 1, i - 1, -1):
                letters = "".join(w.group(0) for w in words[i : j + 1])
                breaks = accumulate(len(w.group(0)) for w in words[i:j])
                terms = self.read(letters, first and i == 0, breaks)
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
        reply = _REPLY.fullmatch(text)
        if reply and reply.group(1).lower() in SHORT_REPLIES:  # "dui", "zhong": the whole message
            return [(reply.start(1), reply.end(1), [SHORT_REPLIES[reply.group(1).lower()]])]
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
