"""Item names typed with a wrong character of the same sound: the typos of pinyin keyboards.

Most Chinese is typed by pinyin: a citizen who types 公基金 for 公积金, 社宝卡 for 社保卡 or 零活就业
for 灵活就业 picked the wrong one of the characters the keyboard offered for the same syllables.
A phrase of the catalogue (a name, short name or alias) is found in a message where a stretch of
the same length reads the same in toneless pinyin (``pypinyin``) and differs in at most one
character in three (one character in a phrase of two to five), so that most characters still
agree and a mere homophone of a whole phrase is not taken for it. Exact matches come first (the
linker's phrase matcher); a sound-alike is looked for only where the text holds no exact match.

A wrong character must not belong to a word of the message that reaches outside the stretch
(jieba's default dictionary): 提供租房合同 holds 供租房, which reads as 公租房, but its 供 belongs to
提供; in 补办社宝卡带身份证 the wrong 宝 is inside the stretch, however jieba cuts 卡带.

Nearly the same sound counts too, as people in Henan type it (finals -in/-ing and -en/-eng and the
initials z/zh, c/ch, s/sh and n/l not told apart, as the fuzzy-pinyin settings of Chinese
keyboards allow: 公积经 for 公积金), but only in phrases of three characters or more and for a wrong
character that stands alone in the message's words: 剩后 is not 身后, 商事 not 丧事, and the 室 of
开办公室 belongs to 办公室.

The same reading serves everyday words: the nouns of a question (`bot.guide.respelled`: 流陈 for 流程,
网尚 for 网上) and the longer broad subjects (`bot.catalogue.search.SearchIndex.spelled_subjects`:
营业执造 for 营业执照). Their homophones are often words themselves, so there a stretch that is a word of
the dictionary is never a typo (往上 is not 网上), and none whose characters belong to a longer word.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Dict, Iterable, List, Sequence, Tuple

from pypinyin import Style, lazy_pinyin

from bot.question_words import naming_pattern
from bot.relatives import ELDERS, OTHER_PARTIES, PEERS, RELATIVES, WORKERS
from bot.segmentation import default_tokenizer

Span = Tuple[int, int, str]
#: A run of Han characters (CJK unified ideographs, extension A and the compatibility block).
HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LOWER_CASE_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z@._\d])")
NAMED_BEFORE = re.compile(
    r"(?:叫|姓名?|名字是?|名是|联系人|我是|本人|邮箱|微信号?|账号|" + naming_pattern() + r")[\s:：,，]*$",
    re.IGNORECASE,
)
"""Words after which Latin words are a name or an account ("姓名：wang jianguo", "my name is …",
"wo jiao, wang lei"): those of `NAMING_WORDS`, in characters or pinyin, `NAMING_ENGLISH`, and
姓, 我是, 本人, 邮箱, 微信, 账号."""


def pinyin_beside_han(text: str, spellings: Dict[str, str]) -> List[Span]:
    """The lower-case words of ``text`` right beside Chinese that spell a term: ``(start, end, term)``.

    ``spellings`` maps toneless pinyin without spaces to the term ("liucheng" → 流程, "guohu" → 过户).
    A name or English stands apart or begins with a capital ("Zheng Ming", "Liu Cheng"); a word
    after 叫, 姓, 邮箱… (`NAMED_BEFORE`) or before "@", "." or digits is a name or an account.
    """
    found: List[Span] = []
    for word in _LOWER_CASE_WORD.finditer(text):
        start, end = word.span()
        term = spellings.get(word.group(0))
        if (
            term is not None
            and HAN_RUN.search(text[start - 1 : start] + text[end : end + 1])
            and not NAMED_BEFORE.search(text[:start])
        ):
            found.append((start, end, term))
    return found


MIN_SPELT_SYLLABLES = 3
"""A term is read from pinyin words only when it has this many syllables (characters) or more: two
syllables spell too many things (names such as "Li Ming", English words), as `bot.nlu.pinyin` found."""
_ADDRESS = re.compile(
    r"[\w.%+\-/:?=&#~]*(?:@|://|www\.|[A-Za-z0-9]\.[A-Za-z]{2})[\w.%+\-/:?=&#~@]*", re.ASCII
)
"""An e-mail or web address or a file name: "zhang-shebaoka@qq.com", "http://…", "shebaoka.pdf"."""
_PINYIN_WORD = re.compile(r"(?<![A-Za-z0-9_])[a-z]+(?![A-Za-z0-9_])")
"""A lower-case word standing alone (not joined to digits): names are written with a capital."""
_PERSON_BEFORE = re.compile(
    "(?:" + "|".join((*RELATIVES, *ELDERS, *OTHER_PARTIES, *WORKERS, *PEERS, "帮", "替", "@")) + r")\s*$"
)
"""Words after which initials are a person's ("我同事gzf想问下…", "帮 cjz 问一下"), as chat names people."""
_BETWEEN_PINYIN_WORDS = re.compile(r" +|'|-")
_CAPITALISED_FIRST = re.compile(r"\s*([A-Z])[a-z]+(?![A-Za-z0-9_])")
"""The first word of a message, its first letter capitalised as phone keyboards write it."""
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def words_outside_addresses(text: str, word: re.Pattern[str]) -> List[re.Match[str]]:
    """The matches of ``word`` in ``text`` but those in an e-mail or web address or a file name.

    "zhang-shebaoka@qq.com", "http://…", "shebaoka.pdf": no word there is a term or a name.
    """
    if "." not in text and "@" not in text:
        return list(word.finditer(text))
    kept_out = [m.span() for m in _ADDRESS.finditer(text)]
    return [m for m in word.finditer(text) if not any(a < m.end() and m.start() < b for a, b in kept_out)]


def spellings_of(terms: Sequence[str]) -> Dict[str, str]:
    """Toneless pinyin without spaces → term, for the terms long enough to be read from pinyin.

    Terms of Han characters only, of `MIN_SPELT_SYLLABLES` or more.

    Of terms spelt alike, the one that stands in most of ``terms`` (公积金 in 公积金余额, 住房公积金 …),
    then the one jieba's dictionary cuts into fewest words (不动产/权证, not 不动产/全/证), is the
    reading, not a typo listed for its sound (公基金); on a tie, the first.
    """
    spelt: Dict[str, List[str]] = {}
    for term in terms:
        if len(term) >= MIN_SPELT_SYLLABLES and HAN_RUN.fullmatch(term):
            spelt.setdefault("".join(syllables(term)), []).append(term)

    def standing(term: str) -> Tuple[int, int]:
        # a typo is seldom part of other terms, and its wrong character is seldom part of a word
        return sum(term in other for other in terms), -len(default_tokenizer().lcut(term, HMM=False))

    return {
        spelling: alike[0] if len(alike) == 1 else max(dict.fromkeys(alike), key=standing)
        for spelling, alike in spelt.items()
    }


MAX_INITIALS = 4
"""Initials are read for terms of `MIN_SPELT_SYLLABLES` to this many syllables: people abbreviate a
few short, well-worn nouns ("gjj", "sbk", "yyzz"), never a phrase."""
WELL_WORN = 8
"""…and only for a noun at least this many of the catalogue's terms are built on (公积金 in 52 of
them, 社保卡 29, 营业执照 11, 残疾证 8): "kgs" is kilograms before it is 开公司 (5)."""
_VOWEL = re.compile(r"[aeiouv]")


def initials_of(terms: Sequence[str], standing_in: Sequence[str]) -> Dict[str, str]:
    """The first letters of each syllable of a term → the term, for the terms people abbreviate so.

    Chinese netizens write a well-worn noun by its initials: "gjj" for 公积金, "sbk" for 社保卡, "yyzz"
    for 营业执照. ``terms`` are those worth abbreviating (names, aliases and broad subjects: not every
    everyday phrase); each of Han characters only, of `MIN_SPELT_SYLLABLES` to `MAX_INITIALS`
    syllables and standing in at least `WELL_WORN` of ``standing_in`` (the catalogue's terms), is
    read by its initials (zh, ch, sh as z, c, s). Initials holding a vowel are left out, as they
    may be an English word ("ask"). Of terms with the same initials, the one that stands in most of
    ``standing_in`` (营业执照 in 营业执照变更 …, not 营运资质) is the reading; on a tie, none is.
    """
    alike: Dict[str, List[str]] = {}
    for term in dict.fromkeys(terms):
        if MIN_SPELT_SYLLABLES <= len(term) <= MAX_INITIALS and HAN_RUN.fullmatch(term):
            letters = "".join(syllable[0] for syllable in syllables(term))
            if not _VOWEL.search(letters):
                alike.setdefault(letters, []).append(term)
    readings: Dict[str, str] = {}
    for letters, found in alike.items():
        ranked = sorted(((sum(term in other for other in standing_in), term) for term in found), reverse=True)
        if ranked[0][0] >= WELL_WORN and (len(ranked) == 1 or ranked[0][0] > ranked[1][0]):
            readings[letters] = ranked[0][1]
    return readings


def pinyin_words(text: str, spellings: Dict[str, str], initials: Dict[str, str] | None = None) -> List[Span]:
    """The runs of whole lower-case pinyin words of ``text`` that spell a term: ``(start, end, term)``.

    People without a Chinese keyboard type the matter itself in pinyin, with or without spaces
    between its words: "shebaoka丢了咋办", "kaiban qiye xuyao shenme cailiao", "can I apply juzhuzheng
    online". ``spellings`` maps toneless pinyin without spaces to the term (`spellings_of`). From
    each word on, the longest run of whole words that spells a term is read, in text order. Never
    part of a word ("juzhuzhengming" is not 居住证); never a word with a capital, as names are written
    ("Yao Shizheng", "Du Xiaoxue"), but the message's first word, as phone keyboards write it
    ("Geti gongshanghu dengji", "Gjj窗口在几楼"); nor one after 叫, 姓名, 联系人, "my name is"…
    (`NAMED_BEFORE`), nor one joined to digits or in an e-mail or web address or a file name
    (`words_outside_addresses`). A single word that spells nothing may be a term's ``initials``
    (`initials_of`: "gjj咋提", "sbk丢了"), never one letter said over ("zzz", "hhh"), nor one after a
    word for a person (`_PERSON_BEFORE`: "我同事gzf想问下…", chat names people by their initials).
    """
    if not (spellings or initials) or not _LATIN_WORD.search(text):
        return []
    found: List[Span] = []
    first = _CAPITALISED_FIRST.match(text)  # a phone capitalises a message's first letter: "Gjj窗口在几楼"
    if first is not None:
        text = text[: first.start(1)] + text[first.start(1)].lower() + text[first.start(1) + 1 :]
    longest = max(map(len, spellings), default=0)
    words = [m.span() for m in words_outside_addresses(text, _PINYIN_WORD)]
    i = 0
    while i < len(words):
        letters, last, term = "", i, None
        for j in range(i, len(words)):
            if j > i and not _BETWEEN_PINYIN_WORDS.fullmatch(text[words[j - 1][1] : words[j][0]]):
                break  # a run of words reads as one term only when nothing but a space or "-" parts them
            letters += text[words[j][0] : words[j][1]]
            if len(letters) > longest:
                break
            if letters in spellings:
                last, term = j, spellings[letters]
        if term is None and not _PERSON_BEFORE.search(text[: words[i][0]]):
            term = _initials(text[words[i][0] : words[i][1]], initials)
        if term is not None and not NAMED_BEFORE.search(text[: words[i][0]]):
            found.append((words[i][0], words[last][1], term))
        i = last + 1
    return found


def _initials(word: str, initials: Dict[str, str] | None) -> str | None:
    """The term lower-case ``word`` is the initials of, never one letter said over ("zzz", "hhh")."""
    return initials.get(word) if initials and len(set(word)) > 1 else None


MIN_PHRASE = 2
MIN_NEAR_PHRASE = 3
"""Phrases read with nearly the same sound (`fuzzy`) are this long or longer."""


_FUZZY_INITIALS = (("zh", "z"), ("ch", "c"), ("sh", "s"), ("l", "n"))
_FUZZY_FINALS = (("ing", "in"), ("eng", "en"))


@lru_cache(maxsize=50_000)
def syllables(han: str) -> Tuple[str, ...]:
    """Toneless pinyin of each character of a run of Han characters (one syllable per character).

    Kept for the runs read last: a message's runs are read by each `SoundMatcher.find` of its parse
    (three or four), and pypinyin segments every run into words to choose a reading (about 0.15 ms
    a run).
    """
    return tuple(lazy_pinyin(han, style=Style.NORMAL))


def fuzzy(syllable: str) -> str:
    """A syllable with the sounds many speakers do not tell apart merged (zh→z, l→n, -ing→-in …)."""
    for long, short in _FUZZY_INITIALS:
        if syllable.startswith(long):
            syllable = short + syllable[len(long) :]
            break
    for long, short in _FUZZY_FINALS:
        if syllable.endswith(long):
            return syllable[: -len(long)] + short
    return syllable


def word_spans(text: str, guess_new_words: bool = True) -> List[Tuple[int, int]]:
    """The ``(start, end)`` offsets of the words of ``text`` (jieba's default dictionary).

    With ``guess_new_words`` jieba also joins characters its dictionary does not hold into words of
    their own (its HMM: the 陈 of 流陈是 joins 是).
    """
    spans, offset = [], 0
    for word in default_tokenizer().lcut(text, HMM=guess_new_words):
        spans.append((offset, offset + len(word)))
        offset += len(word)
    return spans


def written_as(text: str, spans: Sequence[Span]) -> str:
    """``text`` with each ``(start, end, label)`` of ``spans`` (in text order) put as its label."""
    for start, end, label in reversed(spans):
        text = text[:start] + label + text[end:]
    return text


def allowed_differences(length: int) -> int:
    """How many characters of a phrase of ``length`` characters may differ from the text."""
    return max(1, length // 3)


class SoundMatcher:
    """Finds catalogue phrases written with same-sounding characters.

    Args:
        phrases: ``(phrase, label)`` pairs, the label being the item's canonical name; phrases
            shorter than two characters or holding anything but Han characters are left out.
        near_from: phrases this long or longer are also found with nearly the same sound (`fuzzy`).
        words_are_no_typos: a stretch that is itself a word of jieba's default dictionary is no
            typo (实践 is not 时间, 往上 not 网上), nor one whose right characters belong to a word
            outside it (几步走 is not 几步骤); words are cut without jieba's guesses at new ones. For
            everyday words, whose homophones are often words themselves.

    """

    def __init__(
        self,
        phrases: Iterable[Tuple[str, str]],
        near_from: int = MIN_NEAR_PHRASE,
        words_are_no_typos: bool = False,
    ) -> None:
        self._words_are_no_typos = words_are_no_typos
        self._by_sound: Dict[Tuple[str, ...], List[Tuple[str, str]]] = {}
        self._by_near_sound: Dict[Tuple[str, ...], List[Tuple[str, str]]] = {}
        lengths = set()
        for phrase, label in phrases:
            if len(phrase) < MIN_PHRASE or HAN_RUN.fullmatch(phrase) is None:
                continue
            sounds = syllables(phrase)
            self._by_sound.setdefault(tuple(sounds), []).append((phrase, label))
            if len(phrase) >= near_from:
                self._by_near_sound.setdefault(tuple(map(fuzzy, sounds)), []).append((phrase, label))
            lengths.add(len(phrase))
        self._lengths = sorted(lengths, reverse=True)

    def find(self, text: str, taken: Sequence[Span] = ()) -> List[Span]:
        """Sound-alike mentions in ``text``: ``(start, end, label)``, in text order.

        Longer phrases are tried first; a mention overlaps neither another one nor the spans
        already ``taken`` (the exact matches), and begins and ends between words.
        """
        found: List[Span] = []
        occupied = [(start, end) for start, end, _ in taken]
        words: List[Tuple[int, int]] | None = None
        for run in HAN_RUN.finditer(text):
            han = run.group(0)
            sounds = syllables(han)
            if len(sounds) != len(han):  # never expected for Han characters; be safe
                continue
            near = [fuzzy(s) for s in sounds]
            for length in self._lengths:
                for i in range(len(han) - length + 1):
                    start, end = run.start() + i, run.start() + i + length
                    if any(start < b and a < end for a, b in occupied):
                        continue
                    window = han[i : i + length]
                    match = self._same_sound(self._by_sound, window, tuple(sounds[i : i + length]))
                    alone_only = match is None
                    if match is None:
                        match = self._same_sound(self._by_near_sound, window, tuple(near[i : i + length]))
                    if match is None:
                        continue
                    label, wrong = match
                    if self._words_are_no_typos and default_tokenizer().FREQ.get(window):
                        continue
                    words = word_spans(text, not self._words_are_no_typos) if words is None else words
                    owners = [(a, b) for w in wrong for a, b in words if a <= start + w < b]
                    spanned = [(a, b) for a, b in words if a < end and start < b]
                    if any(a < start or b > end for a, b in spanned if self._words_are_no_typos):
                        continue  # a character belongs to a word outside the stretch (几步 of 几步走)
                    if any(a < start or b > end for a, b in owners):
                        continue  # a wrong character belongs to a word outside the stretch (提供)
                    if alone_only and any(b - a > 1 for a, b in owners):
                        continue  # nearly the same sound, in a word of its own (办公室)
                    found.append((start, end, label))
                    occupied.append((start, end))
        return sorted(found)

    def respelled(self, text: str) -> str:
        """``text`` with each sound-alike stretch replaced by its label (`find`)."""
        return written_as(text, self.find(text))

    @staticmethod
    def _same_sound(
        by_sound: Dict[Tuple[str, ...], List[Tuple[str, str]]], window: str, sound: Tuple[str, ...]
    ) -> Tuple[str, List[int]] | None:
        """The label of a phrase ``window`` reads as, with the offsets of its wrong characters."""
        for phrase, label in by_sound.get(sound, ()):
            wrong = [k for k, (a, b) in enumerate(zip(window, phrase, strict=True)) if a != b]
            if 0 < len(wrong) <= allowed_differences(len(phrase)):
                return label, wrong
        return None
