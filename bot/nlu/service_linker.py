"""Links every ``service`` entity to the canonical name of a catalogue item.

The linker is the only source of ``service`` entities; it learns nothing, and reads the live
catalogue (the item files with the staff edits from SQL, `bot.catalogue.live`): the catalogue is
read when the model loads and looked at again every few seconds, so an alias staff add on the
staff page links at once, without a retrain or a restart.

- **Named**: a spaCy ``PhraseMatcher`` over the catalogue's names, short names and aliases
  (extractor ``ServiceLinker``, ``confidence_entity`` 1.0), for any intent; where none stands, one
  written with a same-sounding wrong character (``ServiceLinker.sound``) or typed in pinyin words
  ("shebaoka丢了", ``ServiceLinker.pinyin``), both 0.9, or an English name of the item ("opening a
  pharmacy", ``ServiceLinker.english``, 1.0).
- **Described**: for intents about one item (`ITEM_INTENTS`) and a message that names none, or
  whose names only tell a person's state (`bot.guide.told_as_a_state`: "俺妈刚退休 她的公积金咋提"),
  the catalogue's evidence (names, aliases, everyday terms, bundled matters; see
  `bot.catalogue.linking`) links the item only when it is sure (extractor
  ``ServiceLinker.description``, ``confidence_entity`` from 0.5 at the threshold towards 1). A
  near miss links nothing: the guide action offers the candidates as choices, from the same
  evidence (`bot.guide.choose_item`).
- Entities another extractor learned are normalised through the catalogue; one that matches no
  item is dropped rather than guessed.
"""

from __future__ import annotations

import logging
import threading
from typing import Any, Dict, List, Optional, Tuple

import spacy
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from spacy.matcher import PhraseMatcher
from spacy.util import filter_spans

from bot.catalogue import Catalogue
from bot.catalogue.linking import SURE_MARGIN, SURE_SCORE, filed_alone
from bot.catalogue.live import live_catalogue
from bot.catalogue.sounds import SoundMatcher
from bot.guide import GUIDE_INTENTS, told_as_a_state
from bot.nlu.pinyin import LATIN_READINGS, written_with
from bot.nlu.places import elsewhere

logger = logging.getLogger(__name__)

ENTITY = "service"
EXTRACTOR = "ServiceLinker"
DESCRIPTION_EXTRACTOR = f"{EXTRACTOR}.description"
SOUND_EXTRACTOR = f"{EXTRACTOR}.sound"
PINYIN_EXTRACTOR = f"{EXTRACTOR}.pinyin"
ENGLISH_EXTRACTOR = f"{EXTRACTOR}.english"
SOUND_CONFIDENCE = 0.9
"""The ``confidence_entity`` of a name or alias found by its sound or typed in pinyin."""
_FOUND_BY = {
    "": (EXTRACTOR, 1.0),
    "sound": (SOUND_EXTRACTOR, SOUND_CONFIDENCE),
    "pinyin": (PINYIN_EXTRACTOR, SOUND_CONFIDENCE),
    "english": (ENGLISH_EXTRACTOR, 1.0),
}
"""How a mention was found → its extractor and ``confidence_entity``."""
# Intents about one item: only there may a description with no name be looked up in the catalogue.
ITEM_INTENTS = GUIDE_INTENTS | {"book_appointment"}
ASPECT_INTENTS = ITEM_INTENTS - {"ask_service_guide"}
"""Intents that ask one thing of an item (its window, fee, materials …) or book it: a subject only
one item is filed under links that item there (`ServiceIndex.described`); an overview of a
subject gets the subject's choices instead."""
ITEM_INTENT_CONFIDENCE = 0.3
"""The intent model's own evidence: a message whose best intent is another one is still looked
up when an item intent has at least this confidence in its ranking (a guide question the model
hesitated on, "闺女刚满月 医保咋弄" between faq and ask_service_guide)."""


def words_of(message: Message) -> List[str]:
    """The words the pipeline's tokenizer cut the message into (none before a tokenizer ran)."""
    return [token.text for token in message.get("text_tokens") or []]


def about_one_item(intent: Optional[str], ranking: List[Dict[str, Any]], min_confidence: float) -> bool:
    """Whether the intent model's evidence says the message may be about one item."""
    if intent in ITEM_INTENTS:
        return True
    return any(
        r.get("name") in ITEM_INTENTS and float(r.get("confidence") or 0) >= min_confidence for r in ranking
    )


class ServiceIndex:
    """Finds catalogue names and aliases in text and resolves loose mentions."""

    def __init__(
        self,
        catalogue: Catalogue,
        min_score: float = 0.0,
        description_score: float = SURE_SCORE,
        description_margin: float = SURE_MARGIN,
    ) -> None:
        self.catalogue = catalogue
        self.min_score = min_score
        self.description_score = description_score
        self.description_margin = description_margin
        self.nlp = _blank_chinese()
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._last: Optional[Tuple[str, Tuple[Tuple[int, int, str, str], ...]]] = None
        sound_phrases: List[Tuple[str, str]] = []
        for item in catalogue.items:
            phrases = set(item.surface_forms)
            self.matcher.add(item.name, [self.nlp.make_doc(p) for p in sorted(phrases) if p])
            sound_phrases += [(p, item.name) for p in sorted(phrases) if p]
        self.sounds = SoundMatcher(sound_phrases)

    @classmethod
    def for_folder(
        cls, folder: str, description_score: float = SURE_SCORE, description_margin: float = SURE_MARGIN
    ) -> ServiceIndex:
        """The index of the live catalogue of ``folder``, built once per version of it and shared.

        The intent classifier (which masks item names) and the linker of one model use the same
        index, so the matcher is built once per version; the live catalogue looks for changed files
        or staff edits at most every few seconds (`bot.catalogue.live.RELOAD_CHECK_SECONDS`), and a
        changed catalogue gets a new index at the next call. Cheap enough to call for every message.
        """
        catalogue = live_catalogue(folder).current()
        key = (str(folder), description_score, description_margin)
        with _indexes_lock:
            known = _indexes.get(key)
            if known is not None and known.catalogue is catalogue:
                return known
        index = cls(catalogue, description_score=description_score, description_margin=description_margin)
        with _indexes_lock:
            _indexes[key] = index
        return index

    def find(self, text: str) -> List[Dict[str, Any]]:
        """Return non-overlapping mentions, longest first, as Rasa entity dicts.

        A name or alias written with a same-sounding wrong character (`bot.catalogue.sounds`) counts
        where no exact mention is, with extractor ``ServiceLinker.sound``; one typed in pinyin words
        ("shebaoka丢了", "kaiban qiye 要啥"; `Catalogue.latin_spans`) with ``ServiceLinker.pinyin``;
        both with confidence `SOUND_CONFIDENCE`. An English name ("opening a pharmacy";
        `bot.catalogue.english`) is a name, with extractor ``ServiceLinker.english``.
        """
        return [
            {
                "entity": ENTITY,
                "start": start,
                "end": end,
                "value": label,
                "extractor": _FOUND_BY[how][0],
                "confidence_entity": _FOUND_BY[how][1],
            }
            for start, end, label, how in self._spans(text)
        ]

    def _spans(self, text: str) -> Tuple[Tuple[int, int, str, str], ...]:
        # the classifier and the linker both ask about the same message in one turn: match it once
        if self._last is None or self._last[0] != text:
            exact = [
                (s.start_char, s.end_char, s.label_)
                for s in filter_spans(self.matcher(self.nlp.make_doc(text), as_spans=True))
            ]
            spans = [(*span, "") for span in exact] + [
                (*span, "sound") for span in self.sounds.find(text, exact)
            ]
            for start, end, term, how in self.catalogue.latin_spans(text):
                item = self.catalogue.get(term)  # a name or alias; an everyday term only describes the item
                if item is not None and not any(s < end and start < e for s, e, *_ in spans):
                    spans.append((start, end, item.name, how))
            self._last = (text, tuple(sorted(spans)))
        return self._last[1]

    def describe(self, text: str) -> Optional[Dict[str, Any]]:
        """An entity for the one item a whole message surely describes without naming it, else None.

        Sure means a score of at least ``description_score`` and ``description_margin`` times
        the runner-up's (`bot.catalogue.linking`); ``confidence_entity`` is 0.5 at the threshold
        and grows towards 1 with the score. The span is the whole message.
        """
        evidence = self.catalogue.evidence(
            text, sure_score=self.description_score, margin=self.description_margin
        )
        if evidence.item is None:
            return None
        return {
            "entity": ENTITY,
            "start": 0,
            "end": len(text),
            "value": evidence.item.name,
            "extractor": DESCRIPTION_EXTRACTOR,
            "confidence_entity": evidence.confidence,
        }

    def link(self, text: str, intent: Optional[str]) -> List[Dict[str, Any]]:
        """The ``service`` entities of a message: names found, else a sure description (item intents only).

        Names that only tell a person's state (`told_as_a_state`: "俺妈刚退休 她的公积金咋提",
        "表弟退伍回来了 准备弄个物流车队") give way to the item the rest of the message surely
        describes, when it is another one.
        """
        found = self.find(text)
        beyond = self.beyond_states(text, found) if intent in ITEM_INTENTS else None
        if beyond is not None:
            return [beyond]
        if not found and intent in ITEM_INTENTS:
            described = self.described(text, intent)
            if described is not None:
                found.append(described)
        return found

    def found_in_reading(self, text: str, read: str, origins: List[Tuple[int, int]]) -> List[Dict[str, Any]]:
        """The names ``read`` holds where ``text`` has its Latin words read as Chinese, as `find` gives them.

        ``read`` and ``origins`` come from `bot.nlu.pinyin.written_with`; each span is put back on the
        stretch of ``text`` it was read from ("zhuce公司 须要哪些才料": 注册公司 names 开办企业一件事, on
        "zhuce公司"), with extractor ``ServiceLinker.pinyin``. Nothing when ``read`` is ``text``.
        """
        if read == text:
            return []
        return [
            {
                **entity,
                "start": origins[entity["start"]][0],
                "end": origins[entity["end"] - 1][1],
                "extractor": PINYIN_EXTRACTOR,
                "confidence_entity": min(entity["confidence_entity"], SOUND_CONFIDENCE),
            }
            for entity in self.find(read)
        ]

    def described(self, text: str, intent: Optional[str]) -> Optional[Dict[str, Any]]:
        """The entity of an item ``text`` describes without naming it, asked with ``intent``, else None.

        A sure description (`describe`); failing that, for an intent that asks one thing of an item
        or books it (`ASPECT_INTENTS`), the one item filed under a subject of the message that no
        other item is (`bot.catalogue.linking.filed_alone`: "公积金窗口在几楼" → 公积金提取一件事), with
        extractor ``ServiceLinker.description`` and ``confidence_entity`` 0.5 (a sure description's
        least).
        """
        described = self.describe(text)
        if described is not None or intent not in ASPECT_INTENTS:
            return described
        item = filed_alone(self.catalogue, text, self.description_score, self.description_margin)
        if item is None:
            return None
        return {
            "entity": ENTITY,
            "start": 0,
            "end": len(text),
            "value": item.name,
            "extractor": DESCRIPTION_EXTRACTOR,
            "confidence_entity": 0.5,
        }

    def beyond_states(self, text: str, found: List[Dict[str, Any]]) -> Optional[Dict[str, Any]]:
        """The item the rest of ``text`` surely describes, when every name ``found`` tells a state.

        ``found`` are the message's ``service`` entities; each must tell a state someone is in
        (`bot.guide.told_as_a_state`). The names are blanked and the rest looked up as a description
        (`describe`); ``None`` when it describes no item surely, or one of the names' own.
        """
        if not found or not all(told_as_a_state(text, e["start"], e["end"]) for e in found):
            return None
        rest = "".join(
            "，" if any(e["start"] <= i < e["end"] for e in found) else char for i, char in enumerate(text)
        )
        described = self.describe(rest)
        if described is None or described["value"] in {e["value"] for e in found}:
            return None
        return described

    def resolve(self, mention: str) -> Optional[str]:
        """Return the canonical name for a loose mention, or None when nothing fits well."""
        item = self.catalogue.get(mention)
        if item is not None:
            return item.name
        within = self.find(mention)
        if len({e["value"] for e in within}) == 1:
            return within[0]["value"]
        ranked = self.catalogue.search(mention, limit=2)
        if ranked and ranked[0][1] > self.min_score:
            if len(ranked) == 1 or ranked[0][1] >= 1.5 * ranked[1][1]:
                return ranked[0][0].name
        return None


_indexes: Dict[Tuple[str, float, float], ServiceIndex] = {}
"""The index of the current catalogue per folder and thresholds (an older one is let go)."""
_indexes_lock = threading.Lock()
_nlp: Optional[Any] = None


def _blank_chinese() -> Any:
    """A blank spaCy ``zh`` pipeline (character segmentation), created once and shared by every index."""
    global _nlp
    if _nlp is None:
        _nlp = spacy.blank("zh")
    return _nlp


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ServiceLinker(GraphComponent, EntityExtractorMixin):
    """Adds and normalises ``service`` entities from the live catalogue."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The catalogue's folder (relative to the working directory) and the sure-description thresholds."""
        return {
            "catalogue_dir": "data/services",
            "description_score": SURE_SCORE,
            "description_margin": SURE_MARGIN,
            "item_intent_confidence": ITEM_INTENT_CONFIDENCE,
        }

    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = config
        self.item_intent_confidence = float(config.get("item_intent_confidence", ITEM_INTENT_CONFIDENCE))
        # read the catalogue and build its search index now, at load time, not in a citizen's turn
        self.index.catalogue.prepare()

    @property
    def index(self) -> ServiceIndex:
        """The index of the live catalogue (a new one after a change, see `ServiceIndex.for_folder`)."""
        return ServiceIndex.for_folder(
            str(self._config["catalogue_dir"]),
            float(self._config["description_score"]),
            float(self._config["description_margin"]),
        )

    @classmethod
    def create(
        cls,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ServiceLinker:
        """Creates the linker; the catalogue is read now, at load time."""
        return cls(config)

    def process_training_data(self, training_data: Any) -> Any:
        """Leaves training data untouched (the linker learns nothing)."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Links the ``service`` entities of each message to catalogue items."""
        index = self.index
        for message in messages:
            text = message.get(TEXT) or ""
            others = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            if (message.get("intent") or {}).get("name") == "out_of_scope" and elsewhere(
                text, words_of(message)
            ):
                # "在上海办居住证要啥手续": another place's item, not ours
                message.set(ENTITIES, others, add_to_output=True)
                continue
            learned = [e for e in message.get(ENTITIES, []) if e.get("entity") == ENTITY]
            read, origins = written_with(text, message.get(LATIN_READINGS) or [])
            matched = index.find(text) or index.found_in_reading(text, read, origins)
            linked = list(matched)
            for entity in learned:
                overlaps = any(m["start"] < entity["end"] and entity["start"] < m["end"] for m in matched)
                if overlaps:
                    continue
                mention = text[entity["start"] : entity["end"]]
                value = index.resolve(str(entity.get("value") or mention)) or index.resolve(mention)
                if value is None:
                    logger.debug("Dropped a service mention that matches no catalogue item.")
                    continue
                linked.append({**entity, "value": value})
            intent = (message.get("intent") or {}).get("name")
            ranking = message.get("intent_ranking") or []
            about_one = about_one_item(intent, ranking, self.item_intent_confidence)
            beyond = index.beyond_states(text, linked) if about_one else None
            if beyond is not None:
                # "俺妈刚退休 她的公积金咋提": 退休 is her state, 公积金提取 the matter asked about
                linked = [beyond]
            if not linked and about_one:
                # "xiang kai ge xiao yaodian": a situation told in pinyin is looked up as it reads
                described = index.described(text, intent) or (
                    index.described(read, intent) if read != text else None
                )
                if described is not None:
                    linked.append({**described, "end": len(text)})
            message.set(ENTITIES, others + sorted(linked, key=lambda e: e["start"]), add_to_output=True)
        return messages
