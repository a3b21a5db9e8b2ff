"""The `Catalogue`: every service item, looked up by name or alias, or searched by free text."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Sequence

from bot.catalogue.english import EnglishNames
from bot.catalogue.linking import SURE_MARGIN, SURE_SCORE, Evidence, choose_among, weigh
from bot.catalogue.models import NAME_SUFFIX, Material, ServiceItem
from bot.catalogue.search import SearchIndex, normalise
from bot.catalogue.sounds import word_spans, written_as
from bot.segmentation import default_tokenizer

_QUOTES = "\"'“”‘’「」『』《》【】[]()（）<>〈〉"
GENERIC_PAPER_WORDS = frozenset(
    "证明 申请 申请表 申请书 证件 登记 文件 一件 情况 相关 信息 近期 彩色 免冠 社会 河南 河南省 管理 "
    "制度 居民 身份 电子 费用 清单 记录 承诺 一方 双方 父母 企业 代表 法定 法定代表 申请人 本人 单位 个人 "
    "复印件 原件 材料 凭证 表格 有关 部门 人员 新任 决定 决议 修正 修改 已经 关于 使用 说明 领取 银行 经济 "
    "一次性 学校 儿童 职工 医疗 医学 就业 住房 安全 生产 技术 质量 设计 出院 名下 全体 户外 设备 事项 关系 "
    "开办 公共 出具 在读 落实 合格 审查 规划 资金 自主 介绍 账户 状况 成员 家庭 商品 所有权 "
    "变更 注销 设立".split()
)
"""Words of a material's name that say what kind of paper it is, whose or what about, not which
one (证明 of 出生医学证明, 居民 of 居民身份证, 医疗 of 医疗费用收据): no message names a material by them
alone."""
EVERYDAY_PAPER_NAMES: dict[str, tuple[str, ...]] = {
    "户口簿": ("户口本",),
    "房屋产权": ("房产证", "房本", "不动产证"),
    "不动产权": ("房产证", "房本", "不动产证"),
    "社会保障卡": ("社保卡",),
    "驾驶证": ("驾照",),
    "出生医学证明": ("出生证",),
    "预防接种": ("疫苗本", "接种本"),
}
"""The names citizens give the papers a guide names formally, by a word of the formal name
(`_paper_words`): "户口本和房产证都得带上吗" names 居民户口簿 and 房屋产权证明."""
DISTINCTIVE_PAPER_ITEMS = 3
"""A paper word names a paper of the item in particular when at most this many items ask for it."""


def normalise_key(text: str) -> str:
    """Fold a name for exact look-ups: no whitespace, no quotes around it, folded case."""
    return normalise(text).strip(_QUOTES)


_LATIN_LETTER = re.compile(r"[A-Za-z]")

PAPER_ENDINGS = ("书", "证", "表", "单", "函", "卡", "本", "票", "据", "照", "明", "合同", "协议", "报告")
"""How the name of a paper ends (委托书, 居住证, 申请表, 结婚证明, 劳动合同): `Catalogue.papers_in`."""


class Catalogue:
    """All service items of the hall, in file order."""

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self.items: list[ServiceItem] = list(items)
        self._by_key: dict[str, ServiceItem] = {}
        for item in self.items:
            for form in (item.id, *item.surface_forms):
                owner = self._by_key.setdefault(normalise_key(form), item)
                if owner is not item:
                    raise ValueError(f"“{form}” names both {owner.name} and {item.name}")
        self._index = SearchIndex(self.items)
        self._last_latin: tuple[str, list[tuple[int, int, str, str]]] = ("", [])
        self._english = EnglishNames((name, item.name) for item in self.items for name in item.english_names)
        self._paper_counts: dict[str, int] | None = None
        self._own_terms: dict[str, tuple[str, ...]] = {}
        self._name_words: dict[str, frozenset[str]] = {}
        self._subject_candidates: dict[str, dict[str, float]] = {}

    def prepare(self) -> None:
        """Build the search index now rather than at the first search (start-up, a background rebuild)."""
        self._index.prepare()

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[ServiceItem]:
        return iter(self.items)

    def get(self, key: str) -> ServiceItem | None:
        """Find the item with this id, name, alias or short name (开办企业 for 开办企业一件事).

        Whitespace, surrounding quotes and a trailing 一件事 after an alias are tolerated.
        """
        text = normalise_key(key)
        found = self._by_key.get(text)
        if found is None and text.endswith(NAME_SUFFIX):
            found = self._by_key.get(text[: -len(NAME_SUFFIX)])
        return found

    def search(
        self, text: str, limit: int = 3, min_score: float | None = None
    ) -> list[tuple[ServiceItem, float]]:
        """Items relevant to free text, best first, with their scores (higher is better).

        Returns an empty list when the text is not about any item (``min_score`` lowers the floor).
        """
        return self._index.search(text, limit, min_score)

    def scores(self, text: str) -> dict[str, float]:
        """Every item's search score for ``text`` (0 when nothing in it is about the item), by item id."""
        return {item.id: score for item, score in self._index.scores(text)}

    def score(self, item: ServiceItem, text: str) -> float:
        """The search score of one item for ``text`` (0 when nothing in it is about the item)."""
        return self.scores(text).get(item.id, 0.0)

    def character_score(self, item: ServiceItem, text: str) -> float:
        """How rare the characters ``text`` shares with ``item``'s words are (`SearchIndex`)."""
        return self._index.character_score(item, text)

    def bundled_score(self, item: ServiceItem, text: str) -> float:
        """How rare the words ``text`` shares with ``item``'s bundled matters are (`SearchIndex`)."""
        return self._index.bundled_score(item, text)

    def choose_among(self, text: str, offered: Sequence[ServiceItem]) -> ServiceItem | None:
        """The offered item a typed reply to a choice means, or None (`bot.catalogue.linking`)."""
        return choose_among(self, text, list(offered))

    def about_topic(self, text: str, limit: int = 4) -> list[tuple[ServiceItem, float]]:
        """Items about a broad subject the text names (医保, 补助 …); see `SearchIndex.about_topic`."""
        return self._index.about_topic(text, limit)

    def shared_terms(self, text: str) -> dict[str, frozenset[str]]:
        """Everyday terms in ``text`` several items list, with their ids; `SearchIndex.shared_terms`."""
        return self._index.shared_terms(text)

    def spelled_subjects(self, text: str) -> str:
        """``text`` with broad subjects typed by their sound written right; `SearchIndex.spelled_subjects`."""
        return self._index.spelled_subjects(text)

    def latin_spans(self, text: str) -> list[tuple[int, int, str, str]]:
        """What ``text`` writes of the catalogue in Latin letters: ``(start, end, term, how)``, in order.

        ``how`` is ``"english"`` for an item's English name (`bot.catalogue.english`; the term is the
        item's short name: "opening a pharmacy" → 开办药店) and ``"pinyin"`` for a name, alias,
        everyday term or subject typed in pinyin words (`SearchIndex.pinyin_terms`: "gongjijin" → 公积金)
        where no English name stands. The one reading of Latin letters for the linker
        (`bot.nlu.service_linker`), the intent model and every reading of the catalogue
        (`in_characters`).
        """
        if not _LATIN_LETTER.search(text):
            return []  # most messages: nothing to read, and a turn asks many times
        last = self._last_latin  # one turn asks about the same message many times (`terms_said` per item)
        if last[0] == text:
            return last[1]
        named = [
            (start, end, self._by_key[normalise_key(name)].short_name, "english")
            for start, end, name in self._english.find(text)
        ]
        typed = [
            (start, end, term, "pinyin")
            for start, end, term in self._index.pinyin_terms(text)
            if not any(a < end and start < b for a, b, _, _ in named)
        ]
        spans = sorted(named + typed)
        self._last_latin = (text, spans)  # one tuple, swapped whole: safe for the server's threads
        return spans

    def in_characters(self, text: str) -> str:
        """``text`` with what it writes of the catalogue in Latin letters written in characters.

        See `latin_spans`: "gongjijin能网上提不" → "公积金能网上提不"; every reading of the catalogue
        (`weigh`, `mentioned_in`, `terms_said`) sees a message so.
        """
        return written_as(text, [(start, end, term) for start, end, term, _ in self.latin_spans(text)])

    def subjects(self, text: str) -> dict[str, frozenset[str]]:
        """The broad subjects ``text`` names, with the ids of the items under each; `SearchIndex.subjects`."""
        return self._index.subjects(text)

    def evidence(self, text: str, sure_score: float = SURE_SCORE, margin: float = SURE_MARGIN) -> Evidence:
        """What ``text`` says about the items: a sure item, choices or nothing (`bot.catalogue.linking`)."""
        return weigh(self, text, sure_score=sure_score, margin=margin)

    def details(self, item: ServiceItem, text: str, limit: int = 2) -> list[str]:
        """Lines of ``item``'s guide answering a specific question in ``text``; see `SearchIndex.details`."""
        return self._index.details(item, text, limit)

    def explained_by(self, item: ServiceItem, text: str, lines: Sequence[str]) -> bool:
        """Whether every word of ``text`` that is evidence for ``item`` stands in one of ``lines``.

        ``lines`` are the lines of another item's guide that answer ``text`` (`details`): a message
        about a paper of the item in context ("租房合同复印一份就够了吧" after 个体工商户登记) is evidence
        for 居住证 only through 租房合同, which the line of 个体工商户登记 on the proof of the business
        premises holds too, so the message asks about that line. Never when the message names
        ``item`` (a name or an alias: "河南省居住证怎么办理" after 新生儿出生, whose materials list
        the parents' 居住证), and a line that names ``item`` (a pointer to it: "迁出高新区的请办理
        企业迁移登记一件事") explains nothing.
        """
        query = normalise(text)
        forms = [normalise(form) for form in item.surface_forms]
        if any(form in query for form in forms):
            return False
        kept = [line for line in map(normalise, lines) if not any(form in line for form in forms)]
        words = self._index.evidence_terms(item, text)
        joined = "".join(kept)
        return bool(words) and bool(kept) and all(word in joined for word in words)

    def papers_named(self, item: ServiceItem, text: str, distinctive: bool = False) -> list[str]:
        """The words by which ``text`` names ``item``'s materials, longest first (empty when none).

        A material is named by a word of its name (`_paper_words`) that is none of
        `GENERIC_PAPER_WORDS` and not the item's short name (退休 of 退休申请表): 发票 names
        医疗费用收据（发票）, 身份证 names 居民身份证, 死亡 names 居民死亡医学证明; 证明 alone names
        nothing. With ``distinctive``, only words that name the materials of at most
        `DISTINCTIVE_PAPER_ITEMS` items (发票, 结婚证; not 身份证 or 营业执照, which nearly every item
        asks for and the hall's FAQ answers for all). Used for a follow-up about one paper of the
        item in context ("发票丢了一张" after 就医费用报销).
        """
        query = normalise(text)
        own = normalise(item.short_name)
        found = {w for m in item.materials for w in _paper_words(m.name) if w in query and w != own}
        if distinctive:
            found = {w for w in found if self._paper_items().get(w, 0) <= DISTINCTIVE_PAPER_ITEMS}
        return sorted(found, key=lambda word: (-len(word), word))

    def papers_in(self, text: str) -> list[str]:
        """The words of any item's materials ``text`` names (`papers_named` over the whole catalogue).

        委托书 in "委托书得按啥格式写": a paper whatever the item, for telling a question about
        the paper itself (the hall's entry on it) from one about the matter at hand. Only words that
        end as a paper's name does (`PAPER_ENDINGS`: 委托书, 营业执照; not 代办 or 授权 of
        代办人居民身份证).
        """
        query = normalise(text)
        found = (w for w in self._paper_items() if w in query and w.endswith(PAPER_ENDINGS))
        return sorted(found, key=lambda word: (-len(word), word))

    def _paper_items(self) -> dict[str, int]:
        """How many items' materials each paper word names (身份证: nearly all; 发票: a few)."""
        if self._paper_counts is None:
            counts: dict[str, int] = {}
            for item in self.items:
                for word in {w for m in item.materials for w in _paper_words(m.name)}:
                    counts[word] = counts.get(word, 0) + 1
            self._paper_counts = counts
        return self._paper_counts

    def says(self, item: ServiceItem, text: str) -> bool:
        """Whether ``text`` holds one of ``item``'s names, aliases or everyday terms as staff wrote it.

        Evidence found only in words and bigrams the item's texts share with the message ("没带" of
        没带医保卡, "老家" of 回老家看病) is weaker: a message can hold it by chance.
        """
        return bool(self.terms_said(item, text))

    def own_terms(self, item: ServiceItem) -> tuple[str, ...]:
        """``item``'s names, aliases and everyday terms, normalised (kept once per item)."""
        terms = self._own_terms.get(item.id)
        if terms is None:
            terms = tuple(normalise(term) for term in (*item.surface_forms, *item.everyday_terms))
            self._own_terms[item.id] = terms
        return terms

    def name_words(self, item: ServiceItem) -> frozenset[str]:
        """The words of ``item``'s name, kept once per item.

        jieba's words (its default dictionary, as `bot.catalogue.sounds.word_spans` cuts messages),
        an alias the name holds taken whole:

        企业, 注销, 一件, 事 of 企业注销一件事; 申请, 公租房, 一件, 事 of 申请公租房一件事 (jieba alone cuts
        公 and 租房, but 公租房 is the item's alias).
        """
        found = self._name_words.get(item.id)
        if found is None:
            name = item.name
            held = [(m.start(), m.end()) for a in item.aliases for m in re.finditer(re.escape(a), name)]
            found = frozenset(
                {name[s:e] for s, e in held}
                | {
                    name[a:b]
                    for a, b in word_spans(name, guess_new_words=False)
                    if not any(s <= a and b <= e and (a, b) != (s, e) for s, e in held)
                }
            )
            self._name_words[item.id] = found
        return found

    def subject_candidates(self, subject: str) -> dict[str, float]:
        """The items the evidence for a broad ``subject`` alone offers (`evidence`): id → score.

        Kept once per subject: messages name the same few subjects over and over.
        """
        found = self._subject_candidates.get(subject)
        if found is None:
            found = {item.id: score for item, score in self.evidence(subject).candidates}
            self._subject_candidates[subject] = found
        return found

    def terms_said(self, item: ServiceItem, text: str) -> list[str]:
        """The names, aliases and everyday terms of ``item`` that ``text`` holds (normalised; `says`)."""
        query = normalise(self.in_characters(text))
        return [term for term in self.own_terms(item) if term in query]

    def mentioned_in(self, text: str) -> ServiceItem | None:
        """Find the item whose name or alias occurs verbatim in ``text`` (the longest mention wins).

        Names in Latin letters count as their characters (`in_characters`).
        """
        query = normalise(self.in_characters(text))
        best: tuple[int, ServiceItem] | None = None
        for item in self.items:
            for key in map(normalise_key, item.surface_forms):
                if key in query and (best is None or len(key) > best[0]):
                    best = (len(key), item)
        return best[1] if best else None

    def surface_forms(self) -> dict[str, str]:
        """Every name, short name and alias mapped to its canonical item name, sorted by form."""
        forms = {form: item.name for item in self.items for form in item.surface_forms}
        return dict(sorted(forms.items()))

    @staticmethod
    def materials_for(item: ServiceItem, answers: dict[str, str]) -> list[Material]:
        """See `materials_for`."""
        return materials_for(item, answers)


def materials_for(item: ServiceItem, answers: dict[str, str]) -> list[Material]:
    """List the materials ``item`` needs for these 个性指南 answers (situation key → option key).

    A material with ``when`` is kept when each of its situations is either answered with the
    listed option or not answered yet, so an incomplete set of answers never hides a material.
    """
    return item.materials_for(answers)


@functools.lru_cache(maxsize=512)
def _paper_words(name: str) -> frozenset[str]:
    """The words of a material's name that name it (`Catalogue.papers_named`).

    jieba's words of the name from two characters, and the words of three or more it finds inside
    them (身份证 of 居民身份证), not the two-character pieces it also finds there (生儿 of 新生儿);
    and the everyday names of a formal one it holds (`EVERYDAY_PAPER_NAMES`: 户口本 of 居民户口簿).
    """
    spaced = re.sub(r"[（）()、，,]", " ", name)
    tokenizer = default_tokenizer()
    cut = [w for w in tokenizer.lcut(spaced) if len(w.strip()) > 1]
    cut += [w for w in tokenizer.lcut_for_search(spaced) if len(w.strip()) > 2]
    words = {normalise(w) for w in cut if w not in GENERIC_PAPER_WORDS}
    everyday = {normalise(n) for word, names in EVERYDAY_PAPER_NAMES.items() if word in name for n in names}
    return frozenset(words | everyday)
