"""How sure the catalogue is about the item a message describes without naming it.

One place decides, for the NLU linker (`bot.nlu.service_linker`) and the guide action alike:

- **sure**: the best item scores at least `SURE_SCORE` and `SURE_MARGIN` times the runner-up, or
  leads it by `SURE_SCORE` (a sure link's worth of evidence the runner-up lacks: 开办运输企业 42
  against 开办企业 29 for "弄几辆货车搞物流运输 成立个公司"); the linker then emits a ``service``
  entity for it;
- **a broad subject asked about as such** ("想打听下老年人这块的事", "住这方面能办点啥"): a message with a
  vague cue (`VAGUE_CUES`) that names no item, about a subject at least two items are filed under
  (``about_topic``), gets those items as choices even when the subject's words lean to one of them
  (老人 to 身后一件事); not when its other words are sure of an item ("闺女刚满月 医保的事咋弄"). So
  does a benefit heard of with nothing saying which item pays it (`asks_about_a_benefit`: "听说政府
  发补贴 俺能领不");
- **a term several items share** ("房子过户咋弄", "办房产证": staff list 房子过户 and 房产证 under the new
  flat and the resold one alike): when the message's other words are not sure of one item, the
  items sharing the term are the choices, best first, never a guess;
- **a subject several items are filed under that one item's name holds** (注销, 变更, 过户; `filed_alone`):
  that item, for a question about one aspect of it, unless the message says a term of the others
  built on it ("房子过户"), or its other words lean to another the word is also theirs for;
- **a particular case** named in its own words (an item that ``specialises`` a broader one: 开办运输企业
  of 开办企业) is weighed without the broader items (`particular_first`);
- **likely**: not sure, but the best item scores at least `SURE_SCORE` and `LIKELY_MARGIN` times
  the runner-up; the guide answers it with the others offered beside the answer;
- **near miss**: other evidence, offered as "您是想办理…？" choices ranked by score, never
  guessed: ordinary search results (each at least ``SearchIndex.min_score``), or at least two
  weaker ones (`NEAR_MISS_SCORE`), or the items about a broad subject the message names
  (医保, 补助 …, see ``TOPIC_WORDS``);
- **nothing**: no candidate at all.

`fits` tells whether a message is also evidence for the item in context (`CONTEXT_SCORE`).

The scores are BM25 sums from `bot.catalogue.search` (names and aliases, everyday terms,
bundled matters, summary). The numbers were set on sentences written for the unit tests
(``tests/unit/test_service_linker.py``): described items score 6–20, unrelated chit-chat 0–4.4.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import groupby
from typing import TYPE_CHECKING, Iterable

from bot.catalogue.search import negated, normalise, says_how, without_negated
from bot.catalogue.sounds import word_spans

if TYPE_CHECKING:
    from bot.catalogue.collection import Catalogue
    from bot.catalogue.models import ServiceItem

SURE_SCORE = 5.5
"""A description links to its best item only from this score: one everyday term found verbatim
plus the rarity of its words (瘫痪, 转学) reaches about 6."""
SURE_MARGIN = 1.5
"""…and only when it scores this many times the runner-up, or `SURE_SCORE` more than it."""
NEAR_MISS_SCORE = 3.5
"""Below the search floor, at least two items from this score are still offered as choices
(听说有补助 → 身后, 军人退役, 残疾人服务); a lone one is not (多少钱)."""
CONTEXT_SCORE = 3.0
"""A message that describes another item still stays with the item in context when it scores
this much for the latter too: one word of its own names or bundled matters (发票 of 发票申领
for 开办运输企业 in "刻章领发票在哪办") is about 3; stray bigrams of a summary score less."""
BUNDLED_SCORE = 2.0
"""…or when it shares this much with the bundled matters of the item in context: one word that at
most three of the 26 items bundle (发票 of 发票申领) is 2.2 or more."""
VAGUE_CUES = tuple(
    "的事 哩事 这块 这一块 方面 有啥政策 啥政策 哪些政策 能办点啥 能办啥 办点啥 都能办啥 "
    "不知道算哪个 不知道是哪个 算哪个 属于哪个 有哪些事 的手续".split()
)
"""Words that ask about a subject as such ("X的事", "X这块", "X方面能办点啥"), not about one matter."""
RARE_CHARACTERS_SCORE = 3.0
"""Characters of the rest of a message this rare among another item's words (`Catalogue.character_score`)
keep a subject several items share from naming one (`_filed`): 死 of "我妈死了 注销要带啥", only 身后一件事's
words hold it, scores 3.3; 执照 of "变更完了当天能拿到新执照不", six items', 2.6; 约 of "想约注销" 2.2."""
UNSAID_CUES = ("有些东西", "有些事", "一些事", "有点事")
"""Words that leave the matter unsaid, when they stand beside the subject ("公司有些东西要变更",
"医保有点事想问"); as an opener they say nothing ("有点事想问下 公积金窗口在几楼")."""
UNSAID_GAP = 2
"""At most this many characters between such a word and the subject (要 of 有些东西要变更)."""
BENEFIT_SUBJECTS = frozenset({"补贴", "补助", "津贴"})
"""Words for money the items pay (残疾人两项补贴, 灵活就业社保补贴, 丧葬补助金…): people hear of it before
they know which matter pays it ("听说有补助 咋领"), so naming one asks about the subject as such
(`asks_about_a_benefit`), where at least two items are filed under the word."""
PAYERS = ("政府", "国家", "官方", "上面", "上头")
"""Who pays a benefit, in a question about one ("听说政府给发的补贴 俺家能领不"): they tell no item
apart, and their characters beside the next word (府给 of 政府给的房 in 申请公租房's everyday terms)
must not lean to one (`subject_rest`)."""
LIKELY_MARGIN = 1.2
"""A best candidate that is not sure but scores at least `SURE_SCORE` and this many times the
runner-up is likely: the guide answers it and offers the others beside the answer ("想开家卖药的店"
drugstore 9.3 against 开办企业 6.8), instead of asking first."""
CHOICES = 4
"""The most items offered at once."""
PICK_SCORE = 2.0
"""A reply to "您是想办理以下哪个事项？" picks an offered item from this much evidence (search score
plus `SearchIndex.character_score`): one character found in at most three items' words (店 of
药店, 饭店, 小店) is 2.2 or more."""


@dataclass(frozen=True)
class Evidence:
    """The catalogue's evidence about the item a message describes."""

    candidates: list[tuple[ServiceItem, float]] = field(default_factory=list)
    """Items with their scores, best first."""
    sure: bool = False
    """Whether the best candidate is a sure link."""
    sure_score: float = SURE_SCORE
    likely: bool = False
    """Whether the best candidate, though not sure, is clearly ahead (`LIKELY_MARGIN`)."""

    @property
    def item(self) -> ServiceItem | None:
        """The sure item, or None for a near miss or nothing."""
        return self.candidates[0][0] if self.sure and self.candidates else None

    @property
    def leading(self) -> ServiceItem | None:
        """The sure item, or the likely one (clearly ahead though not sure), else None."""
        return self.candidates[0][0] if (self.sure or self.likely) and self.candidates else None

    def without(self, item: ServiceItem, margin: float = SURE_MARGIN) -> Evidence:
        """The evidence with ``item`` left out, the others weighed again as `weigh` weighs them.

        For a message that gives ``item`` up ("饭店不开了 想开个卖药的店" after 开办餐饮店一件事): what
        it says about the other items.
        """
        ranked = [(other, score) for other, score in self.candidates if other.id != item.id]
        return _judged(ranked, self.sure_score, margin)

    @property
    def good(self) -> bool:
        """Whether the evidence is worth answering on.

        It is with a sure or likely item, or at least two candidates from `SURE_SCORE` to offer as
        choices ("房产证咋个办法": 新建商品房 and 二手房).
        """
        return self.leading is not None or (len(self.candidates) >= 2 and self.score >= SURE_SCORE)

    @property
    def choices(self) -> list[ServiceItem]:
        """The candidates to offer, best first."""
        return [item for item, _ in self.candidates]

    @property
    def score(self) -> float:
        """The best candidate's score (0 when there is none)."""
        return self.candidates[0][1] if self.candidates else 0.0

    @property
    def confidence(self) -> float:
        """A confidence in [0, 1) for the best candidate: 0.5 at `SURE_SCORE`, higher above it."""
        return round(self.score / (self.score + self.sure_score), 3) if self.score > 0 else 0.0


def weigh(
    catalogue: Catalogue,
    text: str,
    *,
    sure_score: float = SURE_SCORE,
    margin: float = SURE_MARGIN,
    limit: int = CHOICES,
) -> Evidence:
    """Weigh what ``text`` says about the catalogue's items.

    The catalogue's terms typed in pinyin are read as the characters they spell first
    (`Catalogue.in_characters`: "gongjijin能网上提不" weighs as "公积金能网上提不").

    Args:
        catalogue: the items.
        text: the whole message.
        sure_score: the least score of a sure link.
        margin: how many times the runner-up's score a sure link needs.
        limit: the most candidates kept.

    Returns:
        The candidates, best first, and whether the best is a sure link.

    """
    text = catalogue.in_characters(text)
    shared = _shared_choices(catalogue, text, sure_score, margin, limit)
    if shared is not None:
        return shared
    ranked = catalogue.search(text, limit=limit)
    subjects = catalogue.subjects(text)
    if _asks_about_subject(catalogue, text, subjects):
        # a subject only one item is filed under (上学 in "闺女上学的事") is not vague, nor is a message
        # whose other words are sure of an item ("闺女刚满月 医保的事咋弄"): both are weighed as usual
        narrow = any(len(ids) == 1 for ids in subjects.values())
        rest = subject_rest(text, subjects)
        told = narrow or _weigh_words(catalogue, rest, sure_score, margin, limit).item is not None
        broad = [] if told else catalogue.about_topic(text, limit=limit)
        if len(broad) >= 2:
            # the items best for the words first, then the others filed under the subject; an item
            # filed under it that the other words lean to comes first, though the topic order leaves
            # it out (员工 of "想问问公司里员工的手续": 员工录用, 公司 its last topic); for a benefit, one the
            # other words lean to though it is not filed under it (做家政的 of 灵活就业 in
            # "做家政的有补助吗") comes first
            listed = {item.id for item, _ in broad}
            filed = frozenset().union(*subjects.values())
            leaning = catalogue.search(rest, limit=limit, min_score=NEAR_MISS_SCORE)
            merged = [pair for pair in leaning if pair[0].id in filed]
            leading = {item.id for item, _ in merged}
            merged += [pair for pair in ranked if pair[0].id in listed and pair[0].id not in leading]
            if not any(cue in text for cue in VAGUE_CUES):
                merged[:0] = [pair for pair in leaning[:1] if pair[0].id not in filed]
            first = {item.id for item, _ in merged}
            merged += [pair for pair in broad if pair[0].id not in first]
            return Evidence(merged[:limit], False, sure_score)
    return _weigh_words(catalogue, text, sure_score, margin, limit, ranked)


def filed_alone(
    catalogue: Catalogue, text: str, sure_score: float = SURE_SCORE, margin: float = SURE_MARGIN
) -> ServiceItem | None:
    """The one item filed under a subject ``text`` names that no other item is filed under, else None.

    Staff file each item under broad subjects (``topics``); a subject only one item lists says that
    item, though others touch it in what they bundle ("公积金窗口在几楼": 公积金 is 公积金提取's alone;
    员工录用 and 企业迁移 only open or move a 公积金 account, and score nearly as much). So does a
    subject several items are filed under that only one item's name holds (`_the_one_named`: 注销 of
    企业注销一件事). A subject counts only as whole words of the message (jieba's dictionary: 信用卡 is
    no 信用, "晚上学到" no 上学), in the item's own names and in no longer noun (`_names_it`: not
    "公积金贷款要啥材料"). None when the message asks about the subject as such (`VAGUE_CUES`:
    "公积金的事问一下"; `UNSAID_CUES` beside it: "公司有些东西要变更"), when its subjects name more than one
    item this way, or when the rest of it (the subjects blanked) leads to another item ("看病花的钱能报不
    还有公积金能取不": 就医费用报销). For a question about one aspect of a matter (the linker decides; an
    overview or a subject named alone gets its choices).
    """
    found = _filed(catalogue, text, sure_score, margin)
    return found[0] if found is not None else None


def named_by_a_shared_subject(catalogue: Catalogue, text: str) -> ServiceItem | None:
    """The item `filed_alone` finds in ``text`` through a subject other items are filed under too, else None.

    "注销要带啥" names 企业注销一件事 so, which is the item only where no other matter is at hand: after
    社保卡居民服务一卡通 it asks about cancelling that card (`bot.guide.choose_item` weighs it as if no item
    were named).
    """
    found = _filed(catalogue, text)
    return found[0] if found is not None and found[1] else None


def _filed(
    catalogue: Catalogue, text: str, sure_score: float = SURE_SCORE, margin: float = SURE_MARGIN
) -> tuple[ServiceItem, bool] | None:
    """`filed_alone`'s item, and whether the subject naming it is one other items are filed under too."""
    text = catalogue.in_characters(text)  # "gjj在几号窗口"
    subjects = catalogue.subjects(text)
    words = word_spans(text, guess_new_words=False)
    named = [
        (item, subject)
        for subject, ids in subjects.items()
        if (item := _the_one_named(catalogue, subject, ids)) is not None
        if _names_it(catalogue, item, text, subject, words)
    ]
    alone = [(item, subject) for item, subject in named if len(subjects[subject]) == 1]
    if len({item.id for item, _ in named}) > 1 and len({item.id for item, _ in alone}) == 1:
        named = alone  # "公积金要注销要带啥": 注销 said of 公积金, a subject only 公积金提取 is filed under
    if len({item.id for item, _ in named}) != 1 or any(cue in text for cue in VAGUE_CUES):
        return None
    item = named[0][0]
    if any(_left_unsaid(text, subject) for _, subject in named):
        return None
    rest_text = subject_rest(text, subjects)
    rest = _weigh_words(catalogue, rest_text, sure_score, margin, CHOICES)
    if rest.leading is not None and rest.leading.id != item.id:
        return None
    shared = [subject for _, subject in named if len(subjects[subject]) > 1]
    if shared and _said_of_another(catalogue, item, text, subjects, shared, rest_text, rest):
        return None
    return item, bool(shared)


def _said_of_another(
    catalogue: Catalogue,
    item: ServiceItem,
    text: str,
    subjects: dict[str, frozenset[str]],
    shared: list[str],
    rest_text: str,
    rest: Evidence,
) -> bool:
    """Whether a word several items share, which names ``item``, is said in ``text`` of another.

    The others are the items the word is also theirs for: filed under it, or scoring for it (注销 for
    身后一件事). It is said of one when ``rest_text`` (the message, its subjects blanked; ``rest``, its
    evidence) offers one of them, scores `NEAR_MISS_SCORE` for one and at least as much as for
    ``item`` ("俺那个门市要变更": 门市 of 个体工商户登记), or holds characters only rare words of one hold
    (`RARE_CHARACTERS_SCORE`: 死 of "我妈死了 注销要带啥"); when the message says a name or everyday
    term of one built on the word ("房子过户在哪个窗口": staff list 房子过户 for the new flat and the
    resold one); or when it names another subject ``item`` is not filed under ("户口要注销 带啥": 户口 of
    身后一件事; "我的社保想注销").
    """
    others = {
        other
        for subject in shared
        for other in (*subjects[subject], *catalogue.subject_candidates(subject))
        if other != item.id
    }
    if any(c.id in others for c, _ in rest.candidates):
        return True
    scores = catalogue.scores(rest_text)  # every item's, searched once
    own_characters = catalogue.character_score(item, rest_text)
    query, words = normalise(text), [normalise(subject) for subject in shared]
    for other in filter(None, map(catalogue.get, others)):
        score = scores.get(other.id, 0.0)
        if score >= NEAR_MISS_SCORE and score >= scores.get(item.id, 0.0):
            return True
        rare = catalogue.character_score(other, rest_text)
        if rare >= RARE_CHARACTERS_SCORE and rare > own_characters:
            return True
        if any(
            w in term and term != w and term in query for term in catalogue.own_terms(other) for w in words
        ):
            return True
    return any(item.id not in ids for subject, ids in subjects.items() if subject not in shared)


def _left_unsaid(text: str, subject: str) -> bool:
    """Whether a word leaving the matter unsaid (`UNSAID_CUES`) stands right beside ``subject``.

    "公司有些东西要变更", "医保有点事": what of the subject is asked is not said. Not an opener before a
    question that says it ("有点事想问下 公积金窗口在几楼").
    """
    return any(
        re.search(f"{re.escape(cue)}.{{0,{UNSAID_GAP}}}{re.escape(subject)}", text)
        or re.search(f"{re.escape(subject)}.{{0,{UNSAID_GAP}}}{re.escape(cue)}", text)
        for cue in UNSAID_CUES
    )


def _the_one_named(catalogue: Catalogue, subject: str, ids: frozenset[str]) -> ServiceItem | None:
    """The item filed under ``subject`` that it names, else None.

    That is the only item of ``ids``, or else the only one whose name holds the subject as a word
    of its own. 注销 is filed under 企业注销一件事 and 个体工商户登记一件事 (which also closes a
    个体户), but only the first is named by it: a bare "注销在哪个窗口" asks about closing a company,
    and a 个体户 says so ("个体户注销", the words staff list for it); likewise 变更 of
    企业信息变更一件事, and 过户 of the resold flat's (staff list 过户 for the new flat too, so "过户咋弄"
    gets both as choices; but "过户在哪个区 不动产那块" asks one thing of a matter, and the writers of
    held-out messages took a bare 过户 for the resold flat every time).

    - The catalogue's evidence for the subject alone must lean to that item (`LIKELY_MARGIN` times
      the others filed under it): 就业 is a word of 灵活就业一件事, but scores nearly as much for
      员工录用 (就业登记 of a new employee).
    - A subject that is only part of a word of the name (租房 of 公租房) or that several names hold
      (开办, 企业) names none.
    """
    items = [item for item in map(catalogue.get, sorted(ids)) if item is not None]
    if len(items) == 1:
        return items[0]
    holding = [item for item in items if subject in catalogue.name_words(item)]
    if len(holding) != 1:
        return None
    scores = catalogue.subject_candidates(subject)
    best = max((scores.get(item.id, 0.0) for item in items if item is not holding[0]), default=0.0)
    return holding[0] if scores.get(holding[0].id, 0.0) >= LIKELY_MARGIN * best else None


def _names_it(
    catalogue: Catalogue, item: ServiceItem, text: str, subject: str, words: list[tuple[int, int]]
) -> bool:
    """Whether ``subject``, filed under ``item`` alone, names that item where ``text`` holds it.

    The item's name must hold the subject, or an alias be it (公积金 of 公积金提取一件事; not 网络, nor
    物流 of the alias 开物流公司: everyday words staff file 水电气网联合报装 and 开办运输企业 under,
    "物流到哪了" asks about a parcel), and it must stand in the message as a whole
    word (``words``: jieba's dictionary; 信用卡 is no 信用) that is no part of a longer noun the item
    does not know: a word right beside it that says more than how someone asks (`says_how`) makes
    another matter ("公积金贷款", "信用报告", "继续教育证书", "差旅报销"), unless one of the item's names
    or everyday terms starts with the two together ("公积金账户" of 公积金账户的钱; not "社保注销", the end of
    单位社保注销 of 企业注销).
    """
    if subject not in item.name and subject not in item.aliases:
        return False
    own = catalogue.own_terms(item)
    for found in re.finditer(re.escape(subject), text):
        start, end = found.span()
        before = next((text[a:b] for a, b in words if b == start), None)
        after = next((text[a:b] for a, b in words if a == end), None)
        if before is None and start > 0 or after is None and end < len(text):
            continue  # not a whole word ("信用卡", "晚上学到")
        beside = [
            joined
            for word, joined in ((before, f"{before}{subject}"), (after, f"{subject}{after}"))
            if word is not None and len(word) > 1 and not says_how(word)
        ]
        if all(any(term.startswith(normalise(joined)) for term in own) for joined in beside):
            return True
    return False


def _asks_about_subject(catalogue: Catalogue, text: str, subjects: dict[str, frozenset[str]]) -> bool:
    """Whether ``text`` asks about a broad subject as such rather than about one item.

    It does with a vague cue (`VAGUE_CUES`: "养老这一块都有啥"), a word beside a subject that leaves the
    matter unsaid (`UNSAID_CUES`: "医保有点事想问"), or when it asks about a benefit
    (`asks_about_a_benefit`). Never when it names an item, or holds an everyday term of one beyond
    the subjects (`says_an_item_beyond`: "新房子交了 想问问办证的事" says 新房子交了 of 新建商品房).
    """
    if not subjects or says_an_item_beyond(catalogue, text, subjects):
        return False
    if any(cue in text for cue in VAGUE_CUES) or any(_left_unsaid(text, s) for s in subjects):
        return True
    return asks_about_a_benefit(catalogue, text, subjects)


def says_an_item_beyond(catalogue: Catalogue, text: str, subjects: dict[str, frozenset[str]]) -> bool:
    """Whether ``text`` holds a name, alias or everyday term of one item that is none of ``subjects``.

    A term several items list (`Catalogue.shared_terms`: 门面 of three kinds of shop) says no one item.
    """
    shared = catalogue.shared_terms(text)
    return any(
        term not in subjects and term not in shared
        for item in catalogue
        for term in catalogue.terms_said(item, text)
    )


def asks_about_a_benefit(
    catalogue: Catalogue, text: str, subjects: dict[str, frozenset[str]] | None = None
) -> bool:
    """Whether ``text`` asks about money several items pay without saying which pays it.

    It does when the only subjects it names are benefits (`BENEFIT_SUBJECTS`) that at least two
    items are filed under, it holds no name, alias or everyday term of any item beyond them ("听说
    政府发补贴 俺能领不"; not 租房补贴, 残疾人补贴, 丧葬补助), and its other words do not lean to one of
    the items paying it (腿脚不方便 of 残疾人服务, from `PICK_SCORE`). 社保补贴 or 企业补贴
    name another subject as well and are weighed as usual.
    """
    subjects = catalogue.subjects(text) if subjects is None else subjects
    if not subjects or any(subject not in BENEFIT_SUBJECTS for subject in subjects):
        return False
    paying = frozenset().union(*subjects.values())
    if len(paying) < 2:
        return False
    # names and aliases are among the terms said: an item named is never a benefit asked about
    if says_an_item_beyond(catalogue, text, subjects):
        return False
    rest = subject_rest(text, subjects)
    # the rest's words may still tell which pays it (腿脚不方便 of 残疾人服务, 送快递 of 灵活就业),
    # weaker than a term
    leaning = catalogue.search(rest, limit=1, min_score=PICK_SCORE)
    return not any(item.id in paying for item, _ in leaning)


def subject_rest(text: str, subjects: dict[str, frozenset[str]]) -> str:
    """What is left of ``text`` to tell which item is meant, once its ``subjects`` are blanked.

    `without_words`; who pays (`PAYERS`) is blanked too when every subject is a benefit
    (`BENEFIT_SUBJECTS`).
    """
    benefit = all(subject in BENEFIT_SUBJECTS for subject in subjects)
    return without_words(text, [*subjects, *(PAYERS if benefit else ())])


def without_words(text: str, words: Iterable[str]) -> str:
    """``text`` with every character that an occurrence of one of ``words`` covers blanked out.

    Overlapping words are blanked together ("残疾人护理补贴" without 残疾人护理 and 护理补贴 leaves no
    补贴); each run of blanked characters becomes one space.
    """
    covered = [False] * len(text)
    for word in words:
        if not word:
            continue
        start = text.find(word)
        while start != -1:
            covered[start : start + len(word)] = [True] * len(word)
            start = text.find(word, start + 1)
    runs = groupby(zip(text, covered, strict=True), key=lambda pair: pair[1])
    return "".join(" " if hidden else "".join(c for c, _ in run) for hidden, run in runs)


def _shared_choices(
    catalogue: Catalogue, text: str, sure_score: float, margin: float, limit: int
) -> Evidence | None:
    """The items sharing an everyday term of ``text`` as choices, unless the rest of it tells which.

    The rest is what each item scores for the whole text beyond what it scores for the shared
    terms alone: "买了新房怎么办房产证" is sure of 新建商品房 without 房产证, "房子过户咋弄" of nothing.
    None (the text is weighed as usual) when no shared term is found, an item is named, the rest
    is sure of an item or likely one, or it leans to one of the items sharing the term ("网签完了
    啥时候能过户": 二手房 from `NEAR_MISS_SCORE`, `LIKELY_MARGIN` times the others sharing it).
    """
    shared = catalogue.shared_terms(text)
    if not shared or catalogue.mentioned_in(text) is not None:
        return None
    full = catalogue.scores(text)
    alone = catalogue.scores(",".join(shared))
    rest = [(item, full[item.id] - alone[item.id]) for item in catalogue]
    rest = sorted((pair for pair in rest if pair[1] > 0), key=lambda pair: -pair[1])
    if _judged(rest, sure_score, margin).leading is not None:
        return None
    sharing = frozenset().union(*shared.values())
    lean = [score for item, score in rest if item.id in sharing]
    if lean and lean[0] >= NEAR_MISS_SCORE and (len(lean) == 1 or lean[0] >= LIKELY_MARGIN * lean[1]):
        return None
    ranked = sorted(
        ((item, full[item.id]) for item in catalogue if item.id in sharing), key=lambda p: (-p[1], p[0].id)
    )
    return Evidence(ranked[:limit], False, sure_score)


def _weigh_words(
    catalogue: Catalogue,
    text: str,
    sure_score: float,
    margin: float,
    limit: int,
    ranked: list[tuple[ServiceItem, float]] | None = None,
) -> Evidence:
    """`weigh` without the vague-subject rule: sure, likely, near misses or a subject's items."""
    ranked = catalogue.search(text, limit=limit) if ranked is None else ranked
    if ranked:
        return _judged(particular_first(catalogue, text, ranked), sure_score, margin)
    weak = catalogue.search(text, limit=limit, min_score=NEAR_MISS_SCORE)
    if len(weak) >= 2:
        return Evidence(weak, False, sure_score)
    return Evidence(catalogue.about_topic(text, limit=limit), False, sure_score)


def particular_first(
    catalogue: Catalogue, text: str, ranked: list[tuple[ServiceItem, float]]
) -> list[tuple[ServiceItem, float]]:
    """``ranked`` without the broader items of a candidate the message names in its own words.

    A candidate whose name, alias or everyday term stands in ``text`` (`Catalogue.says`; not a term
    staff list under several items, such as 开个门面 under every kind of shop) is a particular case
    of the items it ``specialises``; those items' general words ("成立个公司" of
    开办企业 in "家里有几辆货车 跑运输 想成立个公司") are the particular item's too, so they are
    left out of the ranking rather than weighed against it. Never a broader item the message names
    by its name or an alias ("想注册公司 开个药店": 注册公司 is 开办企业's).
    """
    shared = catalogue.shared_terms(text) if any(item.specialises for item, _ in ranked) else {}
    broader = {
        general
        for item, _ in ranked
        if item.specialises and any(term not in shared for term in catalogue.terms_said(item, text))
        for general in item.specialises
    }
    if not broader:
        return ranked
    named = catalogue.mentioned_in(text)  # looked up only when there is something to leave out
    broader.discard(named.id if named is not None else "")
    return [pair for pair in ranked if pair[0].id not in broader]


def _judged(ranked: list[tuple[ServiceItem, float]], sure_score: float, margin: float) -> Evidence:
    """Ranked candidates judged: the best is sure, likely, or neither (see the module docstring)."""
    if not ranked:
        return Evidence([], False, sure_score)
    top = ranked[0][1]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    sure = top >= sure_score and (top >= margin * second or top - second >= sure_score)
    likely = not sure and top >= sure_score and top >= LIKELY_MARGIN * second
    return Evidence(ranked, sure, sure_score, likely)


def fits(catalogue: Catalogue, item: ServiceItem, text: str, context_score: float = CONTEXT_SCORE) -> bool:
    """Whether ``text`` is evidence for ``item`` too (the item in context), even if not the best.

    It is when the item scores ``context_score`` for it, or when the message names a matter the
    item bundles with a word few items bundle (`BUNDLED_SCORE`).
    """
    return (
        catalogue.score(item, text) >= context_score or catalogue.bundled_score(item, text) >= BUNDLED_SCORE
    )


def outscored(catalogue: Catalogue, item: ServiceItem, in_context: ServiceItem, text: str) -> bool:
    """Whether ``text``, which describes ``item``, has left ``in_context`` behind.

    It has when ``item`` leads the item in context by a sure link's margin (`SURE_MARGIN` times its
    score, or `SURE_SCORE` more; only the latter when the item in context itself scores a sure
    link's `SURE_SCORE`) and the item in context bundles none of the matters the message names
    (`BUNDLED_SCORE`): "公司办下来以后得招几个驾驶员 给他们办用工和社保" scores 员工录用 far above
    开办运输企业 (公司 alone), where "刻章领发票在哪办" (开办企业 18.3, 开办运输企业 3.3) stays with the
    latter, which bundles 发票申领.
    """
    if catalogue.bundled_score(in_context, text) >= BUNDLED_SCORE:
        return False
    new, old = catalogue.score(item, text), catalogue.score(in_context, text)
    if old >= SURE_SCORE:
        # the item in context is well evidenced too ("电子营业执照打不开了" after 开办企业: 企业注销 12.7,
        # 开办企业 8.2): only a sure link's lead leaves it
        return new - old >= SURE_SCORE
    return new >= SURE_SCORE and (new >= SURE_MARGIN * old or new - old >= SURE_SCORE)


def choose_among(catalogue: Catalogue, text: str, offered: list[ServiceItem]) -> ServiceItem | None:
    """Which of the items just offered as choices a typed reply means ("卖凉皮的小吃店", "卡消磁了").

    The reply is weighed against the offered items only, with its search score plus the rarity
    of the characters it shares with each item's words (`SearchIndex.character_score`). The best
    is chosen from `PICK_SCORE` and `SURE_MARGIN` times the runner-up. A reply the catalogue is
    sure describes an item that was not offered picks none: the caller follows it instead.

    Returns:
        The offered item meant, or None (fewer than two offered, no or unclear evidence).

    """
    if len(offered) < 2:
        return None
    sure = weigh(catalogue, text).item
    if sure is not None:
        return sure if any(item.id == sure.id for item in offered) else None
    scores = catalogue.scores(text)  # one search for all the offered items
    affirmed = without_negated(text)  # "不是退休": 退休's characters are no evidence for it
    scored = sorted(
        ((scores.get(item.id, 0.0) + catalogue.character_score(item, affirmed), item) for item in offered),
        key=lambda pair: -pair[0],
    )
    (best, item), (second, _) = scored[0], scored[1]
    if best >= PICK_SCORE and best >= SURE_MARGIN * second:
        return item
    return _the_other_one(catalogue, text, offered)


def _the_other_one(catalogue: Catalogue, text: str, offered: list[ServiceItem]) -> ServiceItem | None:
    """Of two offered items, the one a reply leaves when it says what it is not ("是新接的 不是改名过户").

    What the reply negates (`bot.catalogue.search.negated`) is weighed against the two as a reply
    is; when its words name something of one of them and it clearly points to that one, the other
    one is meant. None otherwise.
    """
    denied = negated(text)
    if len(offered) != 2 or not denied:
        return None
    scores = catalogue.scores(denied)
    words = [scores.get(item.id, 0.0) for item in offered]
    total = [
        word + catalogue.character_score(item, denied) for word, item in zip(words, offered, strict=True)
    ]
    for denied_one, other in ((0, 1), (1, 0)):
        # the words denied must name something of the item, not only share characters with it (全款)
        if words[denied_one] > 0 and total[denied_one] >= max(PICK_SCORE, SURE_MARGIN * total[other]):
            return offered[other]
    return None
