"""The hall's terms typed in pinyin, read back as the Chinese words they spell.

People who cannot find a character, or type on a keyboard without a pinyin input method, write the
term itself in pinyin: "kuasheng tongban 能办哪些事", "haochaping评完有人看不",
"wanrenzhuwanqi 咋参加". The training data and the FAQ entries are Chinese, so such a word tells
the models nothing. A `PinyinReader` knows the terms of a vocabulary (`bot.faq.title_terms`:
stretches of the FAQ titles) by their toneless pinyin (``pypinyin``); a run of Latin letters that
spells one or more of those terms, syllable for syllable with nothing left over and at least
``MIN_SYLLABLES`` syllables in all, is replaced by them before the message is featurised
("kuasheng tongban 能办哪些事" → "跨省通办 能办哪些事"). Unlike English glossary words, which keep
their own features beside their gloss (:mod:`bot.nlu.english`), the letters are dropped: their
character n-grams resemble every other Latin word and only pull the message away from the term
("haochaping评完有人看不" scored its FAQ entry 0.29 with the letters kept, 0.67 without). A run
that spells no known terms whole ("wifi", "HR", "Li Ming") is left as it is; so are the
glossary's English words. The vocabulary is kept to the titles and the syllables to three or more
because everyday two-syllable words make names and English read as something else: with the
words of every FAQ question, "Zheng Ming" read 证明, "Zhang Hao" 账号, "name" 那么 and "BANLI123"
办理123. A two-syllable term ("mianfei") is therefore not read.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Dict, Iterable, List, Mapping, Optional, Tuple

from pypinyin import Style, lazy_pinyin

from bot.nlu.english import GLOSSARY

#: A term is two to ten Han characters (a single syllable spells too many things to be read back).
MIN_TERM, MAX_TERM = 2, 10
#: A reading spells at least this many syllables (Han characters) in all.
MIN_SYLLABLES = 3
#: Runs of fewer or more letters are never read ("ok", initials; a pasted paragraph).
MIN_LETTERS, MAX_LETTERS = 4, 40
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_LATIN_RUN = re.compile(r"(?<![A-Za-z])[A-Za-z]+(?:[ '\-]+[A-Za-z]+)*(?![A-Za-z])")
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

    def __init__(self, by_spelling: Mapping[str, str]) -> None:
        self.by_spelling: Dict[str, str] = dict(by_spelling)
        self._longest = max((len(s) for s in self.by_spelling), default=0)

    @classmethod
    def of_terms(cls, terms: Mapping[str, int]) -> PinyinReader:
        """A reader of ``terms`` (term → how often it occurs, `terms_of`).

        Of two terms spelt alike, the more frequent (then the longer, then the first) is the reading.
        """
        ranked = sorted(terms.items(), key=lambda kv: (-kv[1], -len(kv[0])))
        by_spelling: Dict[str, str] = {}
        for term, _ in ranked:
            if MIN_TERM <= len(term) <= MAX_TERM and _HAN_RUN.fullmatch(term):
                by_spelling.setdefault(spelling(term), term)
        return cls(by_spelling)

    def read(self, letters: str) -> Optional[List[str]]:
        """The terms ``letters`` spells whole ("chuishaobaodao" → 吹哨, 报到), else ``None``.

        Of several ways to cut the letters into spellings, the one with the fewest terms wins; it
        must spell at least ``MIN_SYLLABLES`` syllables.
        """
        letters = letters.lower()
        if not MIN_LETTERS <= len(letters) <= MAX_LETTERS or not self.by_spelling:
            return None
        best: List[Optional[List[str]]] = [None] * (len(letters) + 1)
        best[0] = []
        for end in range(1, len(letters) + 1):
            for start in range(max(0, end - self._longest), end):
                before = best[start]
                term = self.by_spelling.get(letters[start:end])
                if before is not None and term is not None:
                    if best[end] is None or len(before) + 1 < len(best[end] or ()):
                        best[end] = [*before, term]
        found = best[len(letters)]
        return found if found and sum(len(term) for term in found) >= MIN_SYLLABLES else None

    def reading(self, run: str) -> Optional[List[str]]:
        """The terms a run of Latin words stands for: read whole, else word by word.

        ``None`` when a glossary word is among them or some word spells no known term.
        """
        parts = _LETTERS.findall(run)
        if not parts or any(p.lower() in GLOSSARY for p in parts):
            return None
        whole = self.read("".join(parts))
        if whole is not None or len(parts) == 1:
            return whole
        each = [self.read(p) for p in parts]
        return [term for terms in each for term in terms or ()] if all(each) else None

    def spans(self, text: str) -> List[Tuple[int, int, List[str]]]:
        """The pinyin runs of ``text`` that have a reading: ``(start, end, terms)``, in text order."""
        if not _LETTERS.search(text):
            return []
        found = []
        for match in _LATIN_RUN.finditer(text):
            terms = self.reading(match.group(0))
            if terms:
                found.append((match.start(), match.end(), terms))
        return found

    def with_readings(self, text: str) -> str:
        """``text`` with each pinyin run replaced by its reading.

        "kuasheng tongban 能办哪些事" → "跨省通办 能办哪些事".
        """
        for start, end, terms in reversed(self.spans(text)):
            text = text[:start] + "".join(terms) + text[end:]
        return text
