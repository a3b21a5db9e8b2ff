"""Item names typed with a wrong character of the same sound: the typos of pinyin keyboards.

Most Chinese is typed by pinyin: a citizen who types 公基金 for 公积金, 社宝卡 for 社保卡 or 零活就业
for 灵活就业 picked the wrong one of the characters the keyboard offered for the same syllables.
A phrase of the catalogue (a name, short name or alias) is found in a message where a stretch of
the same length reads the same in toneless pinyin (``pypinyin``) and differs in at most one
character in three (one character in a phrase of two to five), so that most characters still
agree and a mere homophone of a whole phrase is not taken for it. Exact matches come first (the
linker's phrase matcher); a sound-alike is looked for only where the text holds no exact match.
"""

from __future__ import annotations

import re
from typing import Dict, Iterable, List, Sequence, Tuple

from pypinyin import Style, lazy_pinyin

Span = Tuple[int, int, str]
#: A run of Han characters (CJK unified ideographs, extension A and the compatibility block).
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MIN_PHRASE = 2


def syllables(han: str) -> List[str]:
    """Toneless pinyin of each character of a run of Han characters (one syllable per character)."""
    return lazy_pinyin(han, style=Style.NORMAL)


def allowed_differences(length: int) -> int:
    """How many characters of a phrase of ``length`` characters may differ from the text."""
    return max(1, length // 3)


class SoundMatcher:
    """Finds catalogue phrases written with same-sounding characters.

    Args:
        phrases: ``(phrase, label)`` pairs, the label being the item's canonical name; phrases
            shorter than two characters or holding anything but Han characters are left out.

    """

    def __init__(self, phrases: Iterable[Tuple[str, str]]) -> None:
        self._by_sound: Dict[Tuple[str, ...], List[Tuple[str, str]]] = {}
        lengths = set()
        for phrase, label in phrases:
            if len(phrase) < MIN_PHRASE or _HAN_RUN.fullmatch(phrase) is None:
                continue
            self._by_sound.setdefault(tuple(syllables(phrase)), []).append((phrase, label))
            lengths.add(len(phrase))
        self._lengths = sorted(lengths, reverse=True)

    def find(self, text: str, taken: Sequence[Span] = ()) -> List[Span]:
        """Sound-alike mentions in ``text``: ``(start, end, label)``, in text order.

        Longer phrases are tried first; a mention overlaps neither another one nor the spans
        already ``taken`` (the exact matches).
        """
        found: List[Span] = []
        occupied = [(start, end) for start, end, _ in taken]
        for run in _HAN_RUN.finditer(text):
            han = run.group(0)
            sounds = syllables(han)
            if len(sounds) != len(han):  # never expected for Han characters; be safe
                continue
            for length in self._lengths:
                for i in range(len(han) - length + 1):
                    start, end = run.start() + i, run.start() + i + length
                    if any(start < b and a < end for a, b in occupied):
                        continue
                    label = self._same_sound(han[i : i + length], tuple(sounds[i : i + length]))
                    if label is not None:
                        found.append((start, end, label))
                        occupied.append((start, end))
        return sorted(found)

    def _same_sound(self, window: str, sound: Tuple[str, ...]) -> str | None:
        for phrase, label in self._by_sound.get(sound, ()):
            differing = sum(a != b for a, b in zip(window, phrase, strict=True))
            if 0 < differing <= allowed_differences(len(phrase)):
                return label
        return None
