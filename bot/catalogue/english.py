"""An item's English names, found in a message however they are inflected or cased.

Foreign residents and bilingual citizens name a matter in English, alone or inside Chinese: "what
documents do I need for opening a pharmacy", "想问下 company registration 在这能办吗". Each item lists
the English names people use for it (``english_names`` in its file, e.g. "open a pharmacy"); a
message names the item when the stems of a name's words (Snowball's English stemmer: opening →
open, companies → compani) stand in it one after the other, whole words only, in any case. Articles
and possessives ("a", "the", "my" …, `FILLER_WORDS`) are skipped on both sides, so "register my
company" is "register a company"; a word joined to digits or in an e-mail or web address or a file
name is no word ("www.open-a-pharmacy.com", "residence permit2026").
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Tuple

import snowballstemmer

from bot.catalogue.sounds import words_outside_addresses

Span = Tuple[int, int, str]
FILLER_WORDS = frozenset(
    {"a", "an", "the", "my", "our", "your", "his", "her", "their", "its", "this", "that"}
)
"""Words skipped when a name is looked for: they change from one way of saying it to another."""
_WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z]+(?:'[A-Za-z]+)?(?![A-Za-z0-9_])")
"""A word ("veteran's" is one), not joined to digits."""
_GAP = re.compile(r"(?:[\s\-]+|\b(?:" + "|".join(sorted(FILLER_WORDS)) + r")\b)*", re.IGNORECASE)
"""What may stand between two words of a name: spaces, hyphens and filler words."""
_stemmer = snowballstemmer.stemmer("english")


def name_key(name: str) -> Tuple[str, ...]:
    """The stems a name is found by ("Opening the Pharmacy" → ("open", "pharmaci")).

    Two names with the same key are one name.
    """
    return tuple(stem for _, _, stem in stemmed_words(name))


def stemmed_words(text: str) -> List[Tuple[int, int, str]]:
    """The English words of ``text`` but `FILLER_WORDS`, as ``(start, end, stem)``, in text order."""
    words = [(m.start(), m.end(), m.group(0).lower()) for m in words_outside_addresses(text, _WORD)]
    kept = [(start, end, word) for start, end, word in words if word not in FILLER_WORDS]
    stems = _stemmer.stemWords([word for _, _, word in kept])
    return [(start, end, stem) for (start, end, _), stem in zip(kept, stems, strict=True)]


class EnglishNames:
    """Finds the items' English names in messages.

    Args:
        names: ``(english name, label)`` pairs, the label being the item's canonical name.

    """

    def __init__(self, names: Iterable[Tuple[str, str]]) -> None:
        self._by_stems: Dict[Tuple[str, ...], str] = {}
        for name, label in names:
            stems = name_key(name)
            if stems:
                self._by_stems.setdefault(stems, label)
        self._longest = max((len(stems) for stems in self._by_stems), default=0)

    def find(self, text: str) -> List[Span]:
        """The English names in ``text``: ``(start, end, label)`` in text order, the longest from each word.

        Only words next to each other count: between two words of a name stand nothing but spaces,
        hyphens or filler words ("open-a pharmacy", "register  my company").
        """
        if not self._by_stems or not _WORD.search(text):
            return []
        words = stemmed_words(text)
        found: List[Span] = []
        i = 0
        while i < len(words):
            for j in range(min(len(words), i + self._longest), i, -1):
                label = self._by_stems.get(tuple(stem for _, _, stem in words[i:j]))
                if label is not None and self._adjacent(text, words[i:j]):
                    found.append((words[i][0], words[j - 1][1], label))
                    i = j
                    break
            else:
                i += 1
        return found

    @staticmethod
    def _adjacent(text: str, words: List[Tuple[int, int, str]]) -> bool:
        """Whether only spaces, hyphens and filler words stand between the ``words`` of ``text``."""
        return all(
            _GAP.fullmatch(text[end:start])
            for (_, end, _), (start, _, _) in zip(words, words[1:], strict=False)
        )
