"""Ranked search over the catalogue: jieba words plus character bigrams, scored with BM25."""

from __future__ import annotations

import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import jieba

if TYPE_CHECKING:
    from bot.catalogue.models import ServiceItem

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_ASIDE = re.compile(r"[（(][^）)]*[）)]|[“”\"'‘’《》「」]")
# Words that say how someone asks, not what about; they must not decide which item is meant.
_STOP_WORDS = frozenset(
    "一件事 一件 件事 一次办 怎么 怎么办 怎样 如何 什么 哪些 哪个 哪里 在哪 在哪里 需要 可以 能不能 是否 "
    "请问 你好 您好 我想 我要 想要 要办 办理 办事 手续 材料 流程 步骤 时间 多久 多长时间 费用 收费 "
    "多少钱 条件 窗口 网上 线上 一下 问问 咨询 知道 谢谢 现在 今天 明天 准备 打算 应该 的话 相关 "
    "预约 排号 开个 办个 一个 一家 一张 几个 丢了 掉了 坏了 孩子 小孩 郑州 郑州市 高新 高新区 新区 "
    "符合 情况 本人 身份证 原件 复印件 电脑 手机 项目 申请 单位 个人 有没有 中不中 行不行 啥时候".split()
)
_STOP_CHARS = frozenset(
    "我你您他她它们的了吗呢啊吧呀么什怎样哪要想能会可以办个些这那是在有和与及或就都也还请问给让把被去来"
)
_FIELD_WEIGHTS = {"forms": 3, "bundled": 2, "summary": 1}


def normalise(text: str) -> str:
    """NFKC-fold (full-width → half-width), lower-case and drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


class SearchIndex:
    """BM25 over each item's names and aliases, bundled matters and summary.

    An item is a document whose tokens are jieba words (with every catalogue term added to
    jieba's dictionary) and the character bigrams of each run of Chinese characters. Tokens
    from names and aliases count three times, bundled matters twice, the summary once. A
    query that contains a name or alias verbatim (or with a measure word or two inserted, as in
    开个饭馆 for 开饭馆) gets a bonus that grows with its length.
    """

    k1 = 1.2
    b = 0.4
    mention_bonus = 1.0
    """Score added per character of the longest name or alias found verbatim in the query."""
    loose_mention_bonus = 0.8
    """The same for a name or alias found with up to two extra characters between its own (开个饭馆)."""
    min_score = 4.5
    """Scores below this mean the text is not about any item.

    One bigram found in a single item's names scores about 5; one shared by two items, or
    found only in summaries, scores less, and that alone is too little to go on.
    """
    relative_cutoff = 0.5
    """Results scoring below this share of the best result are dropped."""

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self._items = list(items)
        self._tokenizer = jieba.Tokenizer()
        self._lock = threading.Lock()
        self._ready = False
        self._docs: list[Counter[str]] = []
        self._df: Counter[str] = Counter()
        self._avgdl = 1.0
        self._mentions: list[list[tuple[str, re.Pattern[str] | None]]] = []

    def search(self, text: str, limit: int = 3) -> list[tuple[ServiceItem, float]]:
        """Items ranked by relevance to ``text``; empty when nothing is relevant enough."""
        self._ensure_built()
        query = normalise(text)
        terms = set(self._analyse(query))
        scored = []
        for item, doc, mentions in zip(self._items, self._docs, self._mentions, strict=True):
            score = sum(self._term_score(term, doc) for term in terms if term in doc)
            score += self._mention_score(query, mentions)
            if score >= self.min_score:
                scored.append((item, round(score, 3)))
        scored.sort(key=lambda pair: (-pair[1], pair[0].id))
        if not scored:
            return []
        floor = scored[0][1] * self.relative_cutoff
        return [pair for pair in scored if pair[1] >= floor][: max(limit, 0)]

    def _mention_score(self, query: str, mentions: list[tuple[str, re.Pattern[str] | None]]) -> float:
        best = 0.0
        for form, loose in mentions:
            if form in query:
                best = max(best, self.mention_bonus * len(form))
            elif loose is not None and loose.search(query):
                best = max(best, self.loose_mention_bonus * len(form))
        return best

    def _term_score(self, term: str, doc: Counter[str]) -> float:
        n = len(self._docs)
        idf = math.log(1 + (n - self._df[term] + 0.5) / (self._df[term] + 0.5))
        tf = doc[term]
        length = sum(doc.values())
        return idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self._avgdl))

    def _ensure_built(self) -> None:
        with self._lock:
            if self._ready:
                return
            for word in sorted(vocabulary(self._items)):
                self._tokenizer.add_word(normalise(word))
            for item in self._items:
                doc: Counter[str] = Counter()
                fields = {"forms": item.surface_forms, "bundled": item.bundled, "summary": [item.summary]}
                for field, texts in fields.items():
                    for text in texts:
                        for token in self._analyse(normalise(text)):
                            doc[token] += _FIELD_WEIGHTS[field]
                self._docs.append(doc)
                forms = sorted(set(map(normalise, item.surface_forms)))
                self._mentions.append([(form, _loose_pattern(form)) for form in forms])
                self._df.update(doc.keys())
            self._avgdl = sum(sum(d.values()) for d in self._docs) / max(len(self._docs), 1)
            self._ready = True

    def _analyse(self, text: str) -> list[str]:
        words = [
            w
            for w in self._tokenizer.lcut(text)
            if len(w) > 1 and w not in _STOP_WORDS and _WORDLIKE.search(w) and not set(w) <= _STOP_CHARS
        ]
        bigrams = [
            run[i : i + 2]
            for run in _HAN_RUN.findall(text)
            for i in range(len(run) - 1)
            if run[i : i + 2] not in _STOP_WORDS and not set(run[i : i + 2]) <= _STOP_CHARS
        ]
        return words + bigrams


def _loose_pattern(form: str) -> re.Pattern[str] | None:
    """Build a pattern finding ``form`` with up to two characters inserted between its characters."""
    if len(form) < 3:
        return None
    return re.compile(".{0,2}".join(map(re.escape, form)))


def vocabulary(items: Iterable[ServiceItem]) -> set[str]:
    """Every term the catalogue defines: names, short names, aliases and bundled matters.

    Asides in brackets and quotation marks are dropped from bundled matters
    (职工参保登记（养老、失业、工伤） → 职工参保登记); what is left must be letters or digits only,
    since jieba never matches a word across punctuation.
    """
    words: set[str] = set()
    for item in items:
        words.update(item.surface_forms)
        words.update(w for w in (_ASIDE.sub("", b) for b in item.bundled) if w.isalnum())
    return words
