"""The hall's FAQ (常见问题): retrieval over the entries staff edit (``bot.faq_entries``).

An entry is one answer with the several ways citizens ask for it. Questions are answered by
retrieval, not by a trained model, so a new or edited entry is live as soon as the files are
read again (``FaqStore.current`` re-reads them when any file changed):

- a logistic regression over TF-IDF of character 1–3-grams (``char_wb``) and jieba words,
  trained on every entry's questions and title (its label: the entry), gives each entry a
  probability for a message (``FaqIndex``);
- ``ANSWER_SCORE`` and up: the best entry is the answer; ``SUGGEST_SCORE`` up to that: near
  misses, offered as "您是不是想问…" choices; below: no answer. Both were first set by 5-fold
  cross-validation over the entries' own questions (at 0.2 about 73 % of unseen questions are
  answered, 6.5 % of them wrongly). ``ANSWER_SCORE`` was then lowered to 0.14 on the held-out
  paraphrases of six files written separately from the entries (2026-12-01): from 0.2 to 0.14,
  7 more of 609 were answered with their own entry (an answer that gives way to an item, as
  `actions.faq.ActionFaq` does under ``UNSURE_SCORE``, counted as not given), as many wrongly as
  before, and no out-of-scope message more; below 0.14 nothing changed on them. ``make eval``
  reports what it gives.
- an answer scoring under ``UNSURE_SCORE`` is given, and also put on the staff's list of questions
  to check (``bot.unanswered``): in 5-fold cross-validation over the entries' own questions, 34 of
  the 151 answers under 0.4 were wrong, 6 of 62 from 0.4 to 0.5, and 11 of 329 from 0.5 up.
- where the intent model's best FAQ topic is retrieval's best entry too, at ``AGREED_TOPIC_CONFIDENCE``
  or more among all its classes and at ``ANSWER_SCORE`` or more in retrieval (`agreed_entry`), an
  FAQ question (or one under the fallback threshold) that names no item is answered with the entry,
  though retrieval alone was unsure and the catalogue leans to or is sure of an item
  ("营业执照可以寄过来吗", "残疾人过来办事还得排队等着吗"); and a guide question about no item that the
  catalogue would answer with item choices gets the entry when the topic is at least
  ``AGREED_OVER_ITEMS_CONFIDENCE`` ("办政务服务得花钱不" read as ask_fee, 服务 bringing items close;
  "想问下租房方面都有哪些政策" stays a choice of items, 惠企政策兑现 under it). Measured 2026-12-02
  on the ten held-out files then joined (1,355 FAQ paraphrases): 1,233 answered with their own entry
  before, 1,258 after, one message of another intent more answered from the FAQ, and one held-out
  conversation lost (a factory project asking whether its pre-construction formalities are done at
  once, where the catalogue was sure of 建设项目开工); on heldout_blind_ninth.yml, scored first and
  not read for it, 175 → 181 of 197.

The intent model learns the ``faq`` intent from the same questions: ``python -m bot.generate``
writes them to ``data/nlu/generated_faq.yml``.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression

from bot import heap
from bot.faq_entries import FaqEntry, FaqError, load_entries, question_key
from bot.nlu.linear import TfidfFeatures, fit_logistic_regression
from bot.nlu.pinyin import PinyinReader, stretches, terms_of
from bot.segmentation import default_tokenizer

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

ANSWER_SCORE = 0.14
SUGGEST_SCORE = 0.08
UNSURE_SCORE = 0.4
AGREED_TOPIC_CONFIDENCE = 0.1
AGREED_OVER_ITEMS_CONFIDENCE = 0.2
FAQ_TOPIC = "faq_topic"
"""The parse result's key for the intent model's best ``faq`` topic.

Its value: ``{"name": "parking", "confidence": 0.62}`` (the topic's probability among all classes)."""
GUIDE_INTENT_READ_AS_FAQ = "guide_intent_read_as_faq"
"""The parse result's key for the guide intent the intent model ranked first before it read the
message as ``faq`` (`bot.nlu.intent_classifier.FAQ_SHARE`), e.g. ``"ask_fee"``; absent otherwise."""
RELOAD_CHECK_SECONDS = 5.0


YES_NO_FORMS = re.compile("会不会|有没有|是不是")
"""A-not-A forms that say a yes-or-no question is asked, not what about: taken out of the questions
and the message before retrieval compares them. With them, "窗口会不会多收钱" leaned to 个人信息保护
(whose questions ask "会不会泄露") more than to 政务服务是否收费; 能不能 and 中不中, measured the
same way (`make eval`'s FAQ figures), cost more paraphrases than they won and stay."""


MEANINGFUL = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
"""A letter, digit or Han character: what a message must hold to be compared with anything."""
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN_OR_NUMBER = re.compile(r"[A-Za-z]+|[0-9]+")


def without_yes_no_forms(text: str) -> str:
    """``text`` with its A-not-A question forms (`YES_NO_FORMS`) replaced by spaces."""
    return YES_NO_FORMS.sub(" ", text)


def _words(text: str) -> List[str]:
    return [w for w in default_tokenizer().lcut(text.lower()) if w.strip()]


def title_terms(entries: Sequence[FaqEntry]) -> Dict[str, int]:
    """The terms a citizen may type in pinyin (`bot.nlu.pinyin`): stretches of the FAQ titles.

    Returns term → how often it occurs: every stretch of two to six Han characters of a title
    ("跨省通办", "好差评", "万人助万企", and "吹哨", "报到" of "项目吹哨、部门报到").
    """
    return terms_of(piece for entry in entries for piece in stretches(entry.title, 6))


@dataclass(frozen=True)
class FaqMatch:
    """An entry and how well a message matches it (cosine similarity, 0–1)."""

    entry: FaqEntry
    score: float


class FaqIndex:
    """Which entry a message asks for: a logistic regression over the entries' questions.

    Features are TF-IDF of character 1–3-grams (``char_wb``) and jieba words; the labels are the
    entry ids. A term of the entries typed in pinyin ("kuasheng tongban") is read back as Chinese
    first (`bot.nlu.pinyin`). Fitting takes about a second for a few hundred questions, so the
    index is rebuilt whenever the entries change. With a single entry there is nothing to tell
    apart, and every message scores 1 for it only when it shares a word with one of its questions.
    """

    def __init__(self, entries: Sequence[FaqEntry], c: float = 10.0, learned: Iterable[str] = ()) -> None:
        """Fit the index on ``entries``.

        ``learned``: the ways of asking the intent model was trained on (`question_key` forms), which
        `asked_as` leaves to it.
        """
        self.entries = list(entries)
        texts: List[str] = []
        labels: List[int] = []
        known = frozenset(learned)
        self._asked: Dict[str, FaqEntry] = {}
        for number, entry in enumerate(self.entries):
            for question in [entry.title, *entry.questions]:
                texts.append(question)
                labels.append(number)
                key = question_key(question)
                if key and key not in known:
                    self._asked.setdefault(key, entry)
        self.pinyin = PinyinReader.of_terms(title_terms(self.entries))
        texts = [self.pinyin.with_readings(without_yes_no_forms(t)) for t in texts]
        # the Latin words and numbers the questions hold (WiFi, APP, foreigner, 12345): a message without
        # Chinese matches only when it holds one of them
        self._latin = frozenset(token.lower() for text in texts for token in _LATIN_OR_NUMBER.findall(text))
        self._chars = TfidfFeatures(analyzer="char_wb", ngram_range=(1, 3), sublinear_tf=True)
        self._words = TfidfFeatures(analyzer=_words, sublinear_tf=True)
        self._model: Optional[LogisticRegression] = None
        if len(self.entries) > 1:
            features = sp.hstack([self._chars.fit_transform(texts), self._words.fit_transform(texts)])
            self._model = fit_logistic_regression(features, labels, c)
        elif self.entries:
            self._words.fit(texts)

    def search(self, text: str, limit: int = 3) -> List[FaqMatch]:
        """The most likely entries for a message, best first, at most ``limit``, with probabilities."""
        text = without_yes_no_forms(text)
        if not self.entries or not MEANINGFUL.search(text):
            return []  # nothing left to compare ("有没有？", "？？")
        text = self.pinyin.with_readings(text)
        if not _HAN.search(text) and not any(
            len(token) > 1 and token.lower() in self._latin for token in _LATIN_OR_NUMBER.findall(text)
        ):
            # no Chinese, even read from pinyin, and no word or number of two characters or more that a
            # question holds: keyboard mashing ("zxcv5678", "asdfgh") or a bare number ("654321"), where
            # "12345", "wifi" and a question in English that shares words with the entries are asked
            return []
        if self._model is None:
            shared = self._words.transform([text]).nnz > 0
            return [FaqMatch(self.entries[0], 1.0 if shared else 0.0)]
        features = sp.hstack([self._chars.transform([text]), self._words.transform([text])])
        probabilities = self._model.predict_proba(features)[0]
        order = np.argsort(-probabilities)[:limit]
        return [FaqMatch(self.entries[int(self._model.classes_[i])], float(probabilities[i])) for i in order]

    def asked_as(self, text: str) -> Optional[FaqEntry]:
        """The entry one of whose ways of asking (or its title) staff added is ``text``; None otherwise.

        Compared as staff's questions are (`bot.faq_entries.question_key`: "哪里可以给宝宝换尿布？" is
        "哪里可以给宝宝换尿布"). Only ways of asking added since the intent model was trained (not in
        ``learned``): the model reads the others, with the item in context, as it was taught to.
        """
        return self._asked.get(question_key(text)) if text else None

    def get(self, entry_id: str) -> Optional[FaqEntry]:
        """The entry with this id, if any."""
        return next((e for e in self.entries if e.id == entry_id), None)


@dataclass(frozen=True)
class FaqAnswer:
    """What retrieval decided: an entry to answer with, choices to offer, or nothing."""

    entry: Optional[FaqEntry]
    choices: Tuple[FaqEntry, ...] = ()
    score: float = 0.0
    """The best match's probability (0 without matches)."""

    @property
    def unsure(self) -> bool:
        """An answer given below ``UNSURE_SCORE``: staff should check it."""
        return self.entry is not None and self.score < UNSURE_SCORE

    @property
    def nearest(self) -> Optional[FaqEntry]:
        """The entry answered with, else the first choice offered, else ``None``."""
        return self.entry or next(iter(self.choices), None)


def decide(
    matches: Sequence[FaqMatch], answer_score: float = ANSWER_SCORE, suggest_score: float = SUGGEST_SCORE
) -> FaqAnswer:
    """Turn ranked matches into an answer, near-miss choices, or nothing (thresholds above)."""
    best = matches[0].score if matches else 0.0
    if matches and best >= answer_score:
        return FaqAnswer(matches[0].entry, score=best)
    near = tuple(m.entry for m in matches if m.score >= suggest_score)
    return FaqAnswer(None, near, score=best)


def agreed_entry(
    matches: Sequence[FaqMatch], topic: Optional[Mapping[str, Any]], floor: float = AGREED_TOPIC_CONFIDENCE
) -> Optional[FaqEntry]:
    """Retrieval's best entry when the intent model's best FAQ topic is the same entry, else ``None``.

    Args:
        matches: retrieval's ranked entries for the message (`FaqIndex.search`).
        topic: the intent model's best ``faq`` topic from the parse result
            (``FAQ_TOPIC``, set by `bot.nlu.intent_classifier.NgramIntentClassifier`),
            or ``None`` when the model gave none.
        floor: the least probability of the topic: ``AGREED_TOPIC_CONFIDENCE``, or
            ``AGREED_OVER_ITEMS_CONFIDENCE`` where the catalogue offers items close to the message.

    The two agree when the ids are equal, the topic's probability is at least ``floor`` and
    retrieval's score at least ``ANSWER_SCORE`` (module docstring).

    """
    if not matches or not topic:
        return None
    best = matches[0]
    if best.entry.id != topic.get("name") or best.score < ANSWER_SCORE:
        return None
    return best.entry if float(topic.get("confidence") or 0.0) >= floor else None


class FaqStore:
    """The live entries and their index: from the database when one is given, else from a folder.

    With an ``engine`` (the api and the action server), the store checks a cheap revision of the
    ``faq_entries`` table (row count and newest ``updated_at``) at most every
    ``RELOAD_CHECK_SECONDS`` and rebuilds the index when it changed, so an entry staff publish is
    answered within seconds, without a restart. While the table is empty or unreachable (before
    the api's first start imported the seed files) it reads the folder instead. Without an engine
    (unit tests) it reads only the folder, again when any file changed. A broken edit keeps the
    last good index and logs the error instead of taking answers away.
    """

    def __init__(
        self,
        folder: Path,
        engine: Optional[Engine] = None,
        engine_factory: Optional[Callable[[], Optional[Engine]]] = None,
        background: bool = False,
    ) -> None:
        self.folder = folder
        self.engine = engine
        self.background = background
        self._building = False
        self._engine_factory = engine_factory  # tried until it gives an engine (the file may come later)
        self._lock = threading.Lock()
        self._stamp: object = None
        self._checked = 0.0
        self._index = FaqIndex([])
        self._learned_keys: Optional[frozenset[str]] = None
        self.error: Optional[str] = None

    def _current_stamp(self) -> Tuple[Tuple[str, float, int], ...]:
        return tuple((p.name, p.stat().st_mtime, p.stat().st_size) for p in sorted(self.folder.glob("*.yml")))

    def _database_revision(self) -> Optional[object]:
        """The table's revision, or ``None`` when there is no database, it is empty or unreachable."""
        if self.engine is None and self._engine_factory is not None:
            self.engine = self._engine_factory()
        if self.engine is None:
            return None
        from sqlalchemy.exc import SQLAlchemyError

        from bot.faq_db import FaqRepository

        try:
            revision = FaqRepository(self.engine).revision()
        except SQLAlchemyError as exc:
            logger.warning("FAQ table unreadable, answering from %s: %s", self.folder, exc)
            return None
        return ("db", revision) if revision[0] else None

    def _load(self, stamp: object) -> List[FaqEntry]:
        if isinstance(stamp, tuple) and stamp and stamp[0] == "db":
            from bot.faq_db import FaqRepository

            return FaqRepository(self.engine).active_entries()
        return load_entries(self.folder)

    def _learned(self) -> frozenset[str]:
        """The ways of asking of the seed files, which the intent model is trained on, as keys.

        Read once: the model a process serves was trained on the files as they were when it started.
        """
        if self._learned_keys is None:
            try:
                seeds = load_entries(self.folder)
            except FaqError:
                seeds = []
            self._learned_keys = frozenset(question_key(q) for e in seeds for q in [e.title, *e.questions])
        return self._learned_keys

    def _rebuild(self, stamp: object) -> None:
        """Build the index of ``stamp``'s entries and swap it in; keep the old one on any failure."""
        try:
            index = FaqIndex(self._load(stamp), learned=self._learned())
        except FaqError as exc:
            with self._lock:  # retried when the files change again
                self.error, self._stamp, self._building = str(exc), stamp, False
            return
        except Exception as exc:  # noqa: BLE001 - keep the last good index on any failure
            logger.exception("FAQ reload failed; keeping the previous entries")
            with self._lock:  # retried at the next check
                self.error, self._building = str(exc), False
            return
        with self._lock:
            replaced = self._stamp is not None  # an index of entries was there before
            self._index, self._stamp, self.error, self._building = index, stamp, None, False
        if replaced:
            heap.collect_replaced()

    def current(self) -> FaqIndex:
        """The index of the entries as they are now (at most ``RELOAD_CHECK_SECONDS`` old).

        The first call builds the index before it returns. Later rebuilds happen in the caller's
        thread, or with ``background=True`` (the action server) in a thread of their own while the
        previous index keeps answering, since building the index takes seconds.
        """
        with self._lock:
            now = time.monotonic()
            if self._building or (self._checked and now - self._checked < RELOAD_CHECK_SECONDS):
                return self._index
            self._checked = now
            have_index = self._stamp is not None
        stamp = self._database_revision() or ("files", self._current_stamp())
        with self._lock:
            if stamp == self._stamp or self._building:
                return self._index
            self._building = True
        if self.background and have_index:
            threading.Thread(target=self._rebuild, args=(stamp,), name="faq-reload", daemon=True).start()
        else:
            self._rebuild(stamp)
        with self._lock:
            return self._index


_stores: Dict[Path, FaqStore] = {}


def get_faq_store() -> FaqStore:
    """The store of this process: the database when one is configured, else ``<data_dir>/faq``."""
    from bot.faq_db import configured_engine
    from bot.settings import get_settings

    folder = get_settings().data_dir / "faq"
    if folder not in _stores:
        _stores[folder] = FaqStore(folder, engine_factory=configured_engine, background=True)
    return _stores[folder]
