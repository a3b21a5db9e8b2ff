"""Ranked search over the catalogue: jieba words plus character bigrams, scored with BM25."""

from __future__ import annotations

import functools
import math
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import jieba

from bot.catalogue.sounds import (
    SoundMatcher,
    initials_of,
    pinyin_beside_han,
    pinyin_words,
    spellings_of,
    syllables,
    written_as,
)
from bot.relatives import ELDERS, RELATIVES, WORKERS
from bot.segmentation import new_tokenizer

if TYPE_CHECKING:
    from bot.catalogue.models import ServiceItem

_HAN_RUN = re.compile(r"[\u3400-\u9fff]+")
_WORDLIKE = re.compile(r"[\w\u3400-\u9fff]")
_ASIDE = re.compile(r"[（(][^）)]*[）)]|[“”\"'‘’《》「」]")
PAUSE_CHARACTERS = r"\s，。,.!！?？、；;"
"""The characters that end a clause, as a regular expression's character class body."""
_NEGATED = re.compile(
    rf"(?<![是这那])(?:不是|并非|而非)(?![说要想刚得该])[^{PAUSE_CHARACTERS}嘛吗么]{{1,8}}?(?=[的哩]|[{PAUSE_CHARACTERS}]|$)"
)
"""What a message says something is not ("这房是从上家手里接过来的 不是找开发商买的", "俺家那套不是新房子"):
up to eight characters after 不是/并非/而非 that end at 的, 哩, a pause or the end. Not 是不是 (a
question), nor what says the opposite: 这不是…嘛 ("俺这不是想开个饭店嘛"), 不是说…吗 (hearsay), 不是要…"""
_WHEN = "前昨今去上下这两几个一礼拜周月天年夜里凌晨早晚半刚才在医院家中"
_PASSED_AWAY = re.compile(
    rf"(?:{'|'.join(RELATIVES + ELDERS)})[{_WHEN}]{{0,8}}(?:走了|刚走|没了|不在了)"
    rf"(?=[{PAUSE_CHARACTERS}啊呀哩]|$)"
)
"""How people say a relative has died ("俺爹刚走", "俺舅上礼拜走了", "俺姥爷前两天没了"): a relative
(`bot.relatives`), at most words of when or where, then 走了/刚走/没了/不在了 ending a clause.
Searched as `PASSED_AWAY_TERM`. Not "俺走了" (leaving), "俺妈的卡没了" or "俺哥搬走了" (something
between the relative and the verb), nor 阿姨 or 奶茶 (no single characters)."""
PASSED_AWAY_TERM = "去世"
_HIRED = re.compile(
    rf"(?<!应)(?:招聘|雇佣|招|雇|聘|新进)[了来到的]{{0,2}}(?:(?:[0-9]+|[一二两三四五六七八九十几百千]+)?[个名位些]|[俩仨])?"
    rf"(?:{'|'.join(sorted(WORKERS, key=len, reverse=True))})"
)
"""How an employer says they take people on ("下月要招几个店员", "雇了俩小妹", "新聘了一名会计"): a
verb of hiring, at most a count, then a worker (`bot.relatives.WORKERS`). Searched as `HIRED_TERM`
as well, so that every worker counts as staff wrote the term (招工人), not only those they listed."""
HIRED_TERM = "招工人"
_SERVED = re.compile(r"当(?:了|过)(?:[0-9一二两三四五六七八九十几多]+年)?的?兵")
"""Having served in the army said with the verb split ("当了五年兵", "当过兵"): searched as
`SERVED_TERM` as well, the words staff write (当兵回来)."""
SERVED_TERM = "当兵"
# Words that say how someone asks, not what about; they must not decide which item is meant.
_STOP_WORDS = frozenset(
    "一件事 一件 件事 一次办 怎么 怎么办 怎样 如何 什么 哪些 哪个 哪里 在哪 在哪里 需要 可以 能不能 是否 "
    "请问 你好 您好 我想 我要 想要 要办 办理 办事 手续 材料 流程 步骤 时间 多久 多长时间 费用 收费 "
    "多少钱 条件 窗口 网上 线上 一下 问问 咨询 知道 谢谢 现在 今天 明天 准备 打算 应该 的话 相关 "
    "预约 排号 开个 办个 一个 一家 一张 几个 丢了 掉了 坏了 孩子 小孩 郑州 郑州市 高新 高新区 新区 "
    "符合 情况 本人 身份证 原件 复印件 电脑 手机 项目 申请 单位 个人 有没有 中不中 行不行 啥时候 办证 "
    "清单 几天 要钱 要求 标准 门槛 资格 咋办 咋弄 咋整 咋搞 怎么弄 怎么整 多少 大概 或者 这种 那种 才能 有啥 "
    "一年 不在 不开 家里 不好 不了 不上 不到 不能 不行 不会 不用 直接 在外 人在 "
    # a comparison, not a matter ("跟以前有啥不一样"; 一样 is also a slice of 一样没通)
    "一样 不一样 "
    # how a matter went, not which (一直批不下来, 户口落不下来; 办不 is also a slice of 办不动产证)
    "办不 不下 下来 "
    # how much is done, not what (材料一点都没备齐; 都没 and 还没 are also slices of 水电都没通, 还没通)
    "都没 还没 一点 "
    # departments say where a step is done, not which matter ("税务和市场监管哪个在前"); every
    # matter here is the government's: 政府 counts only inside a term staff wrote with it (政府的房子,
    # 政府分房 of 申请公租房), never as a word or bigram of its own
    "市场监管 市场 监管 场监 税务 税务局 政府".split()
)
# the longest first, so that 多长时间 goes before 时间 when they are taken out of a message
_STOP_WORDS_LONGEST_FIRST = sorted((w for w in _STOP_WORDS if len(w) > 1), key=len, reverse=True)
_STOP_CHARS = frozenset(
    "我你您他她它们的了吗呢啊吧呀么什怎样哪要想能会可以办个些这那是在有和与及或就都也还请问给让把被去来"
)


def says_how(word: str) -> bool:
    """Whether ``word`` only says how someone asks (可以, 窗口, 多少钱, 咋办, 在), not about what."""
    return word in _STOP_WORDS or all(char in _STOP_CHARS for char in word)


SPELLED_SUBJECT_LENGTH = 3
"""Broad subjects this long or longer are also found typed by their sound (`SearchIndex.spelled_subjects`);
a shorter one is too easily another word."""
RARE_CHARACTER_ITEMS = 3
"""A character counts as evidence between offered items only when at most this many items' words hold it."""
_FIELD_WEIGHTS = {"forms": 3, "terms": 2, "bundled": 2, "summary": 1}
# Broad subjects people ask about without saying which item ("想问问医保的事"): every item whose
# names, everyday terms or bundled matters contain one, or whose ``topics`` list it, is a
# candidate to offer, never a guess. The items' own ``topics`` add to these.
TOPIC_WORDS = (
    "医保", "社保", "养老金", "养老", "补助", "补贴", "津贴", "公积金", "房子", "房产", "买房", "卖房",
    "户口", "公司", "企业", "执照", "营业执照", "开店", "证件", "上学", "报销", "过户", "残疾",
)  # fmt: skip


PAPERS_SUBJECT = "证件"
"""The subject of a card or certificate asked for by no name ("办个证", "想办张卡": `_BARE_PAPER`)."""
_BARE_PAPER = re.compile(
    r"(?<![不没别])(?<!不用)(?<!不是)(?<!不想)(?<!不要)(?<!不是要)(?<!不想要)"
    r"(?:办|弄|申请|补|换)(?:[个张]|一[个张])?(?:证件?|卡)"
    r"(?=[啊呀吧呢嘛哈吗么不哩呗]?(?:[\s，,。？?！!]|$)|要|得|需|咋|怎|去|在哪|多少|多久|有啥|都)"
)
"""A card or certificate asked for by a verb and at most a measure word (办个证, 想弄张卡, 补个证件 要带啥):
not one named (办个居住证), another paper (办证明), nor one not wanted (不用办卡, 俺不是要办卡).
Only in a message that names no card or certificate before it (`_NAMED_PAPER`: "银行卡丢了 想补卡")."""
_NAMED_PAPER = re.compile(r"[\u4e00-\u9fff](?:卡|证)(?!件|明)")
"""A card or certificate named by the character before 卡 or 证 (银行卡, 身份证, 驾驶证)."""


def _bare_paper(text: str) -> bool:
    """Whether ``text`` asks for a card or certificate by no name (`_BARE_PAPER`, `_NAMED_PAPER`)."""
    found = _BARE_PAPER.search(text)
    if found is None:
        return False
    before = text[: found.start() + 1]  # with the verb: 办 of 办卡 names no card
    return _NAMED_PAPER.search(before) is None


def normalise(text: str) -> str:
    """NFKC-fold (full-width → half-width), lower-case and drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", text).lower().split())


class SearchIndex:
    """BM25 over each item's names and aliases, everyday terms, bundled matters and summary.

    An item is a document whose tokens are jieba words (with every catalogue term, everyday
    terms included, added to a private jieba dictionary) and the character bigrams of each run
    of Chinese characters. Tokens from names and aliases count three times, everyday terms and
    bundled matters twice, the summary once. A query that contains a name or alias verbatim (or
    with a measure word or two inserted, as in 开个饭馆 for 开饭馆) gets a bonus that grows with
    its length; an everyday term found verbatim gets a smaller one (it describes, not names).
    The index is built when first searched; a catalogue changed by staff (`bot.catalogue.live`)
    is a new catalogue with a new index, so a term staff add works within seconds, without
    retraining.
    """

    k1 = 1.2
    b = 0.4
    mention_bonus = 1.0
    """Score added per character of the longest name or alias found verbatim in the query."""
    loose_mention_bonus = 0.8
    """The same for a name or alias found with up to two extra characters between its own (开个饭馆)."""
    term_bonus = 1.0
    """Score added per character of the longest everyday term found verbatim in the query."""
    detail_score = 5.0
    """A guide line must share this much evidence with a question to be quoted as its answer.

    One bigram found in only a handful of the catalogue's ~600 guide lines (上门, 到场, 发票)
    scores about 5; words that occur in dozens of lines (办理, 申请) score 2 or less.
    """
    min_score = 4.5
    """Scores below this mean the text is not about any item.

    One bigram found in a single item's names scores about 5; one shared by two items, or
    found only in summaries, scores less, and that alone is too little to go on.
    """
    relative_cutoff = 0.5
    """Results scoring below this share of the best result are dropped."""

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self._items = list(items)
        self._tokenizer = jieba.Tokenizer()  # replaced by a loaded one when the index is built
        self._subject_sounds = SoundMatcher(())
        self._subject_spellings: dict[str, str] = {}
        self._term_spellings: dict[str, str] = {}
        self._term_initials: dict[str, str] = {}
        self._lock = threading.Lock()
        self._ready = False
        self._docs: list[Counter[str]] = []
        self._df: Counter[str] = Counter()
        self._avgdl = 1.0
        self._lengths: list[int] = []
        self._mentions: list[list[tuple[str, re.Pattern[str] | None]]] = []
        self._terms: list[list[str]] = []
        self._plain_terms: list[list[str]] = []  # the everyday terms without counts, long enough
        self._identity: list[str] = []
        self._position: dict[str, int] = {}
        self._topics: list[frozenset[str]] = []
        self._topic_words: frozenset[str] = frozenset()
        self._listed_topics: frozenset[str] = frozenset()
        self._chars: list[frozenset[str]] = []
        self._bundled: list[frozenset[str]] = []
        self._bundled_df: Counter[str] = Counter()
        self._char_df: Counter[str] = Counter()
        self._lines: list[list[tuple[str, frozenset[str]]]] = []
        self._line_df: Counter[str] = Counter()
        self._shared: dict[str, frozenset[str]] = {}

    def search(
        self, text: str, limit: int = 3, min_score: float | None = None
    ) -> list[tuple[ServiceItem, float]]:
        """Items ranked by relevance to ``text``; empty when nothing is relevant enough.

        Args:
            text: what the person wrote.
            limit: the most items to return.
            min_score: the floor instead of `min_score` (a lower one finds near misses).

        Returns:
            ``(item, score)`` pairs, best first, each at least ``relative_cutoff`` of the best.

        """
        self.prepare()
        floor = self.min_score if min_score is None else min_score
        scored = [(item, score) for item, score in self.scores(text) if score >= floor]
        scored.sort(key=lambda pair: (-pair[1], pair[0].id))
        if not scored:
            return []
        cutoff = scored[0][1] * self.relative_cutoff
        return [pair for pair in scored if pair[1] >= cutoff][: max(limit, 0)]

    def scores(self, text: str) -> list[tuple[ServiceItem, float]]:
        """Every item with its score for ``text`` (zero or more), in catalogue order, without any floor.

        What the text says something is not (`without_negated`: 不是开发商的) is no evidence for it,
        nor are the names of the hall and its channels (`without_channels`).
        """
        self.prepare()
        query = searched(text)
        bare = uncounted(query)
        terms = set(self._analyse(query))
        scores: list[tuple[ServiceItem, float]] = []
        for item, doc, length, mentions, everyday, plain in zip(
            self._items,
            self._docs,
            self._lengths,
            self._mentions,
            self._terms,
            self._plain_terms,
            strict=True,
        ):
            score = sum(self._term_score(term, doc, length) for term in terms if term in doc)
            score += max(
                self._mention_score(query, mentions), self._everyday_score(query, bare, everyday, plain)
            )
            scores.append((item, round(score, 3)))
        return scores

    def about_topic(self, text: str, limit: int = 4) -> list[tuple[ServiceItem, float]]:
        """Items about a broad subject the text names (`TOPIC_WORDS` and the items' ``topics``), best first.

        Items listing the subject (or a topic holding it: 营业执照 for 执照) earlier among their
        ``topics`` come first (公司 is the first topic of 开办企业 but the third of 开办运输企业),
        then those scoring higher for the whole text.
        For a vague question only: the items filed under the subject (`subjects`).
        A subject of two characters may have one character between them (开个店 for 开店).
        """
        subjects = self.subjects(text)
        if not subjects:
            return []
        filed = frozenset().union(*subjects.values())

        def rank(item: ServiceItem) -> int:
            # the earlier an item lists the subject among its topics, the more it is about it; a
            # subject inside a topic counts as that topic (执照 of 营业执照)
            listed = [
                position
                for position, topic in enumerate(item.topics)
                if any(subject in topic and item.id in ids for subject, ids in subjects.items())
            ]
            return min(listed, default=len(item.topics))

        found = [(item, score) for item, score in self.scores(text) if item.id in filed]
        found.sort(key=lambda pair: (rank(pair[0]), -pair[1], pair[0].id))
        return found[: max(limit, 0)]

    def shared_terms(self, text: str) -> dict[str, frozenset[str]]:
        """The everyday terms in ``text`` that several items list, each with the ids of those items.

        Staff list one term under two or more items when people use it for each of them (房子过户
        and 房产证 for a new flat and a resold one alike); such a term alone does not say which item
        is meant (`bot.catalogue.linking.weigh`).
        """
        self.prepare()
        query = normalise(without_negated(text))
        return {term: ids for term, ids in self._shared.items() if term in query}

    def spelled_subjects(self, text: str) -> str:
        """``text`` with broad subjects typed by their sound written right ("营业执造" → "营业执照").

        Only subjects of `SPELLED_SUBJECT_LENGTH` characters or more (`bot.catalogue.sounds.SoundMatcher`;
        a stretch that is a word itself is never read as one). A subject typed in toneless pinyin,
        in lower case and right beside Chinese ("guohu得带啥" → "过户得带啥"), is read too
        (`bot.catalogue.sounds.pinyin_beside_han`: not a name or an account), when it has four letters
        or more.
        """
        self.prepare()
        typed = pinyin_beside_han(text, self._subject_spellings)
        text = written_as(text, [(start, end, term) for start, end, term in typed if end - start >= 4])
        return self._subject_sounds.respelled(text)

    def pinyin_terms(self, text: str) -> list[tuple[int, int, str]]:
        """The catalogue's terms ``text`` types in pinyin words: ``(start, end, term)``, in text order.

        Names, short names, aliases, everyday terms and broad subjects of three syllables or more
        (`bot.catalogue.sounds.pinyin_words`: "shebaoka丢了咋办" → 社保卡, "kaiban qiye 要啥" → 开办企业),
        and names, aliases and subjects of three or four syllables typed by their initials
        (`bot.catalogue.sounds.initials_of`: "gjj咋提" → 公积金, "yyzz" → 营业执照).
        """
        self.prepare()
        return pinyin_words(text, self._term_spellings, self._term_initials)

    def subjects(self, text: str) -> dict[str, frozenset[str]]:
        """The broad subjects ``text`` names, each with the ids of the items filed under it.

        A subject some item lists in its ``topics`` has the items listing it; another one
        (`TOPIC_WORDS`) the items whose names, everyday terms or bundled matters contain it.
        """
        self.prepare()
        query = normalise(text)
        topics = [word for word in self._topic_words if _topic_pattern(word).search(query)]
        listed = self._listed_topics
        found: dict[str, frozenset[str]] = {}
        for topic in topics:
            found[topic] = frozenset(
                item.id
                for index, item in enumerate(self._items)
                if (topic in self._topics[index] if topic in listed else topic in self._identity[index])
            )
        if PAPERS_SUBJECT in listed and _bare_paper(unicodedata.normalize("NFKC", text)):
            found.setdefault(
                PAPERS_SUBJECT,
                frozenset(
                    item.id for index, item in enumerate(self._items) if PAPERS_SUBJECT in self._topics[index]
                ),
            )
        return {topic: ids for topic, ids in found.items() if ids}

    def character_score(self, item: ServiceItem, text: str) -> float:
        """The rarity, across the catalogue, of the characters ``text`` shares with ``item``'s words.

        Each Chinese character of the message that also occurs in the item's names, everyday
        terms or bundled matters, and in those of at most `RARE_CHARACTER_ITEMS` items, adds
        ``log(items / items whose words hold it)``: 兵 found in one item's words adds about 3.3;
        common characters (务, 心, 办) and those of words that say how someone asks (清 of 材料清单)
        add nothing. Weaker than
        words and bigrams, it only tells apart a few items already offered as choices
        (`bot.catalogue.linking.choose_among`).
        """
        self.prepare()
        index = self._position[item.id]
        n = len(self._items)
        asked = normalise(text)
        for word in _STOP_WORDS_LONGEST_FIRST:  # 清 of 清单 says how, not what: no evidence
            asked = asked.replace(word, " ")
        shared = set(_content_chars(asked)) & self._chars[index]
        rare = [char for char in shared if self._char_df[char] <= RARE_CHARACTER_ITEMS]
        return round(sum(math.log(n / self._char_df[char]) for char in rare), 3)

    def bundled_score(self, item: ServiceItem, text: str) -> float:
        """The rarity of the words ``text`` shares with ``item``'s bundled matters (发票 of 发票申领).

        Each shared word or bigram adds ``log(items / items whose bundled matters hold it)``:
        about 2.6 for one held by two items, 0 for one held by all.
        """
        self.prepare()
        index = self._position[item.id]
        n = len(self._items)
        shared = set(self._analyse(normalise(text))) & self._bundled[index]
        return round(sum(math.log(n / self._bundled_df[token]) for token in shared), 3)

    def evidence_terms(self, item: ServiceItem, text: str) -> set[str]:
        """The words of ``text`` that give ``item`` its score (`scores`).

        The indexed words and bigrams it shares with the item, and the item's names and everyday
        terms found in it.
        """
        self.prepare()
        index = self._position[item.id]
        query = searched(text)
        doc = self._docs[index]
        found = {term for term in self._analyse(query) if term in doc}
        found.update(form for form, loose in self._mentions[index] if form in query)
        found.update(term for term in self._terms[index] if term in query)
        bare = uncounted(query)
        found.update(term for term in self._plain_terms[index] if term in bare)
        return found

    def details(self, item: ServiceItem, text: str, limit: int = 2) -> list[str]:
        """Lines of ``item``'s guide that answer a specific question (上门评定, 发票, 双方到场).

        Each line of the guide (条件, 材料, 流程, 时限, 收费, 办事提示, 网办说明) is scored by the
        rarity, across the whole catalogue, of the character bigrams it shares with ``text``;
        bigrams of the item's own names and everyday terms, and those made of two characters of
        its name, do not count (they say which item, not which detail). Lines scoring at least
        ``detail_score`` are returned, best first.
        """
        self.prepare()
        index = self._position[item.id]
        lines = self._lines[index]
        own = {
            gram for form in (*item.surface_forms, *item.everyday_terms) for gram in _bigrams(normalise(form))
        }
        # a bigram of two characters of the item's name says which item too ("店开" of 餐饮店开办 in
        # "等店开起来 要雇俩帮厨" after 开办餐饮店)
        name = set(normalise(item.name))
        wanted = {gram for gram in _bigrams(normalise(text)) if not set(gram) <= name} - own
        total = sum(len(lines_) for lines_ in self._lines)
        scored = []
        for line, grams in lines:
            shared = wanted & grams
            score = sum(math.log(total / self._line_df[gram]) for gram in shared)
            if score >= self.detail_score:
                scored.append((score, line))
        scored.sort(key=lambda pair: -pair[0])
        return [line for _, line in scored[: max(limit, 0)]]

    def _mention_score(self, query: str, mentions: list[tuple[str, re.Pattern[str] | None]]) -> float:
        best = 0.0
        for form, loose in mentions:
            if form in query:
                best = max(best, self.mention_bonus * len(form))
            elif loose is not None and loose.search(query):
                best = max(best, self.loose_mention_bonus * len(form))
        return best

    def _everyday_score(self, query: str, bare: str, everyday: list[str], plain: list[str]) -> float:
        """The longest everyday term in ``query``, or of ``plain`` (the terms `uncounted`) in ``bare``."""
        found = [len(term) for term in everyday if term in query] + [len(t) for t in plain if t in bare]
        return self.term_bonus * max(found, default=0)

    def _term_score(self, term: str, doc: Counter[str], length: int) -> float:
        n = len(self._docs)
        idf = math.log(1 + (n - self._df[term] + 0.5) / (self._df[term] + 0.5))
        tf = doc[term]
        return idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / self._avgdl))

    def prepare(self) -> None:
        """Build the index now, if not built yet; every search calls it first (about a second)."""
        with self._lock:
            if self._ready:
                return
            self._tokenizer = new_tokenizer()
            for word in sorted(vocabulary(self._items) | everyday_vocabulary(self._items)):
                self._tokenizer.add_word(normalise(word))
            for position, item in enumerate(self._items):
                self._position[item.id] = position
                self._topics.append(frozenset(normalise(t) for t in item.topics))
                doc: Counter[str] = Counter()
                length = 0
                fields = {
                    "forms": item.surface_forms,
                    "terms": item.everyday_terms,
                    "bundled": item.bundled,
                    "summary": [item.summary],
                }
                for field, texts in fields.items():
                    tokens = [token for text in texts for token in self._analyse(normalise(text))]
                    # a long list of everyday terms must not outweigh the names by repeating a word
                    for token in set(tokens) if field == "terms" else tokens:
                        doc[token] += _FIELD_WEIGHTS[field]
                    if field != "terms":
                        length += _FIELD_WEIGHTS[field] * len(tokens)
                # the length that dampens a common word leaves the everyday terms out: staff adding
                # terms to an item must not weaken the evidence of its names and bundled matters
                self._docs.append(doc)
                self._lengths.append(length)
                forms = sorted(set(map(normalise, item.surface_forms)))
                self._mentions.append([(form, _loose_pattern(form)) for form in forms])
                self._terms.append(sorted(set(map(normalise, item.everyday_terms)) - set(forms)))
                plain = {uncounted(term) for term in self._terms[-1]}
                self._plain_terms.append(sorted(t for t in plain if len(t) >= UNCOUNTED_TERM_LENGTH))
                self._identity.append(
                    "|".join(normalise(t) for t in (*item.surface_forms, *item.everyday_terms, *item.bundled))
                )
                bundled = frozenset(t for b in item.bundled for t in self._analyse(normalise(b)))
                self._bundled.append(bundled)
                self._bundled_df.update(bundled)
                chars = frozenset(_content_chars(self._identity[-1]))
                self._chars.append(chars)
                self._char_df.update(chars)
                lines = [(line, frozenset(_bigrams(normalise(line)))) for line in guide_lines(item)]
                self._lines.append(lines)
                for _, grams in lines:
                    self._line_df.update(grams)
                self._df.update(doc.keys())
            self._avgdl = sum(self._lengths) / max(len(self._lengths), 1)
            owners: dict[str, set[str]] = {}
            for item, terms in zip(self._items, self._terms, strict=True):
                for term in terms:
                    owners.setdefault(term, set()).add(item.id)
            self._shared = {term: frozenset(ids) for term, ids in sorted(owners.items()) if len(ids) > 1}
            self._listed_topics = frozenset().union(*self._topics)
            self._topic_words = self._listed_topics | frozenset(TOPIC_WORDS)
            # subjects typed by their sound or in pinyin (`spelled_subjects`), built once with the rest
            self._subject_sounds = SoundMatcher(
                ((word, word) for word in self._topic_words if len(word) >= SPELLED_SUBJECT_LENGTH),
                words_are_no_typos=True,
            )
            self._subject_spellings = {}
            for word in sorted(self._topic_words, key=lambda w: (-len(w), w)):
                if _HAN_RUN.fullmatch(word):
                    self._subject_spellings.setdefault("".join(syllables(word)), word)
            # every term typed in pinyin words (`in_characters`): names and aliases before the rest
            names = [form for forms in self._mentions for form, _ in forms]
            terms = names + [term for terms in self._terms for term in terms] + sorted(self._topic_words)
            self._term_spellings = spellings_of(terms)
            # initials only of names and subjects: people abbreviate well-worn nouns, not phrases
            self._term_initials = initials_of(names + sorted(self._topic_words), terms)
            self._ready = True

    def _analyse(self, text: str) -> list[str]:
        words = [
            w
            for w in self._tokenizer.lcut_for_search(text)
            if len(w) > 1 and w not in _STOP_WORDS and _WORDLIKE.search(w) and not set(w) <= _STOP_CHARS
        ]
        bigrams = [
            run[i : i + 2]
            for run in _HAN_RUN.findall(text)
            for i in range(len(run) - 1)
            if run[i : i + 2] not in _STOP_WORDS
            and not set(run[i : i + 2]) <= _STOP_CHARS
            and "的" not in run[i : i + 2]
        ]
        return words + bigrams


_COUNT = re.compile(
    r"(?<=[了招雇进来有请找添用\s，,])(?:(?:[0-9]+|[一二两三四五六七八九十几百千]+)[个名位辆间台]|[俩仨])"
)
"""A count of people or things ("五个", "5个", "十几个", "两名", "三辆", "俩") after a verb of
getting or having them (招了, 雇了, 新进了, 有) or a pause: not 统一名称, 第一名 or 我一个人."""
UNCOUNTED_TERM_LENGTH = 3
"""An everyday term matches a message with their counts taken out only when at least this long."""


_PADDING = re.compile(r"彻底|全都")
"""Adverbs said inside a phrase ("把公司彻底关掉"): taken out with the counts. Not 都 or 也 alone, which
would make "窗口人都走了" read as 人走了 (a death)."""


def uncounted(text: str) -> str:
    """``text`` without counts (`_COUNT`) or adverbs said inside a phrase (`_PADDING`).

    "新招了十几个工人" → "新招了工人", "雇了俩人" → "雇了人", "把公司彻底关掉" → "把公司关掉". Everyday terms
    are also matched with the counts and adverbs of the term and of the message taken out, so that
    a term staff wrote with one count ("雇了几个人") matches a message with another ("雇了两个人"),
    one without a count ("新招了人") a message with one ("新招了五个人"), and 公司关掉 "公司彻底关掉".
    """
    return _PADDING.sub("", _COUNT.sub("", text))


DEATH_WORDS = ("去世", "过世", "离世", "病故", "逝世", "死亡", "丧事")


def tells_of_a_death(text: str) -> bool:
    """Whether ``text`` tells that someone died: a relative gone (`_PASSED_AWAY`) or `DEATH_WORDS`."""
    return _PASSED_AWAY.search(text) is not None or any(word in text for word in DEATH_WORDS)


def described(text: str) -> str:
    """``text`` with the terms its descriptions stand for added.

    `PASSED_AWAY_TERM` when it says a relative has died (`_PASSED_AWAY`), `HIRED_TERM` when it says
    an employer takes someone on (`_HIRED`), `SERVED_TERM` when it says someone served in the army
    with the verb split (`_SERVED`).
    """
    if _PASSED_AWAY.search(text):
        text = f"{text}，{PASSED_AWAY_TERM}"
    if _HIRED.search(text):
        text = f"{text}，{HIRED_TERM}"
    if _SERVED.search(text):
        text = f"{text}，{SERVED_TERM}"
    return text


def searched(text: str) -> str:
    """``text`` as the index reads it.

    Normalised, without what it says something is not (`without_negated`), who sent the asker
    (`without_errand`), the names of the hall and its channels (`without_channels`) nor the
    programme's motto (`without_motto`), with the
    terms its descriptions stand for (`described`).
    """
    return normalise(described(without_negated(without_errand(without_channels(without_motto(text))))))


CHANNELS = re.compile(
    r"(?:河南省?)?(?:政务服务网|政务网|政务服务平台)|郑好办(?:app)?|高新分厅|政务服务中心|政务大厅",
    re.IGNORECASE,
)
"""The hall and the channels for applying (the 郑好办 app and its 高新分厅, the 政务服务网 PC site): they
say where or how a matter is done, never which (the name 河南政务服务网 holds 河南, a word of
河南省居住证)."""


MOTTO = re.compile(r"一件事一次办|(?<!第)一次办(?:好|成|结|完|妥)?")
"""The programme's motto, "一件事一次办", and its "一次办(好)": how every item is handled, never which.
Its pieces (一次, 次办) stood in the summaries of items bundled "一次申请…一次办结", so "“一件事一次办”到底
是个啥意思" was taken for 水电气网联合报装. Not "第一次办" (a first application)."""


def without_motto(text: str) -> str:
    """``text`` with the programme's motto (`MOTTO`) blanked out."""
    return MOTTO.sub(" ", text)


def without_channels(text: str) -> str:
    """``text`` with the names of the hall and its channels (`CHANNELS`) blanked out."""
    return CHANNELS.sub(" ", text)


ERRAND = re.compile(r"(?<![换新])(?:老板|老总|领导|经理|单位|公司|厂里)(?:让|叫|派|安排)(?:我|俺)")
"""Who sent the asker ("经理叫我打听下执照变更", "领导叫俺问下"): a clerk on an errand, no evidence for
an item (老板 is a word of 企业信息变更's change of owner); not a new owner (换老板让我来问…)."""


def without_errand(text: str) -> str:
    """``text`` with who sent the asker (`ERRAND`) blanked out."""
    return ERRAND.sub(" ", text)


def without_negated(text: str) -> str:
    """``text`` with what it says something is not (`_NEGATED`) blanked out."""
    return _NEGATED.sub(" ", text)


def negated(text: str) -> str:
    """What ``text`` says something is not (`_NEGATED`): "改名过户" of "是新接的 不是改名过户", else ""."""
    return " ".join(match.group(0)[2:] for match in _NEGATED.finditer(text))


def _content_chars(text: str) -> list[str]:
    """The Chinese characters of ``text`` that are not function characters (我, 的, 要 …)."""
    return [char for run in _HAN_RUN.findall(text) for char in run if char not in _STOP_CHARS]


def _bigrams(text: str) -> list[str]:
    """Character bigrams of each run of Chinese characters, without those of two function characters."""
    return [
        run[i : i + 2]
        for run in _HAN_RUN.findall(text)
        for i in range(len(run) - 1)
        if not set(run[i : i + 2]) <= _STOP_CHARS and "的" not in run[i : i + 2]
    ]


def guide_lines(item: ServiceItem) -> list[str]:
    """Every single fact of an item's guide as one line of text, as staff wrote it."""
    lines = [*item.tips, *item.conditions]
    for material in item.materials:
        lines.append(
            f"{material.name}（{material.form}{material.count}份）"
            + (f"：{material.note}" if material.note else "")
        )
    lines += item.process
    lines.append(f"法定时限{item.time_limit.legal}，承诺时限{item.time_limit.promised}")
    lines.append(f"收费：{item.fee}")
    if item.online.note:
        lines.append(item.online.note)
    return lines


@functools.lru_cache(maxsize=512)
def _topic_pattern(word: str) -> re.Pattern[str]:
    """A subject as written, or, for two characters, with one character between them (开个店)."""
    if len(word) == 2 and all(_HAN_RUN.fullmatch(char) for char in word):
        return re.compile(re.escape(word[0]) + "[^，。！？,.!? ]?" + re.escape(word[1]))
    return re.compile(re.escape(word))


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


def everyday_vocabulary(items: Iterable[ServiceItem]) -> set[str]:
    """Every everyday term of the catalogue (群众常用说法).

    Kept out of `vocabulary` on purpose: the generated jieba dictionary and the ``service``
    lookup table hold what names an item, so that a new everyday term never needs a retrain.
    """
    return {term for item in items for term in item.everyday_terms}
