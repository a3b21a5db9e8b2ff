"""Links every ``service`` entity to the canonical name of a catalogue item.

The linker is the only source of ``service`` entities; it learns nothing, and reads the
catalogue when the model loads, so a new alias or everyday term works without a retrain.

- **Named**: a spaCy ``PhraseMatcher`` over the catalogue's names, short names and aliases
  (extractor ``ServiceLinker``, ``confidence_entity`` 1.0), for any intent.
- **Described**: for intents about one item (`ITEM_INTENTS`) and a message that names none,
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
from functools import lru_cache
from pathlib import Path
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

from bot.catalogue import Catalogue, load_catalogue
from bot.catalogue.linking import SURE_MARGIN, SURE_SCORE
from bot.guide import GUIDE_INTENTS

logger = logging.getLogger(__name__)

ENTITY = "service"
EXTRACTOR = "ServiceLinker"
DESCRIPTION_EXTRACTOR = f"{EXTRACTOR}.description"
# Intents about one item: only there may a description with no name be looked up in the catalogue.
ITEM_INTENTS = GUIDE_INTENTS | {"book_appointment"}
ITEM_INTENT_CONFIDENCE = 0.3
"""The intent model's own evidence: a message whose best intent is another one is still looked
up when an item intent has at least this confidence in its ranking (a guide question the model
hesitated on, "闺女刚满月 医保咋弄" between faq and ask_service_guide)."""


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
        self.nlp = spacy.blank("zh")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        self._last: Optional[Tuple[str, Tuple[Tuple[int, int, str], ...]]] = None
        for item in catalogue.items:
            phrases = {item.name, item.name.removesuffix("一件事"), *item.aliases}
            self.matcher.add(item.name, [self.nlp.make_doc(p) for p in sorted(phrases) if p])

    @classmethod
    def for_folder(
        cls, folder: str, description_score: float = SURE_SCORE, description_margin: float = SURE_MARGIN
    ) -> ServiceIndex:
        """The index of the catalogue in ``folder``, built once per version of its files and shared.

        The intent classifier (which masks item names) and the linker of one model use the same
        index, so the catalogue is read and the matcher built once when the model loads; a model
        loaded after the files changed gets a new one.
        """
        files = sorted(Path(folder).glob("*.yml"))
        stamp = tuple((f.name, f.stat().st_mtime_ns) for f in files)
        return _index_for(folder, stamp, description_score, description_margin)

    def find(self, text: str) -> List[Dict[str, Any]]:
        """Return non-overlapping mentions, longest first, as Rasa entity dicts."""
        return [
            {
                "entity": ENTITY,
                "start": start,
                "end": end,
                "value": label,
                "extractor": EXTRACTOR,
                "confidence_entity": 1.0,
            }
            for start, end, label in self._spans(text)
        ]

    def _spans(self, text: str) -> Tuple[Tuple[int, int, str], ...]:
        # the classifier and the linker both ask about the same message in one turn: match it once
        if self._last is None or self._last[0] != text:
            spans = filter_spans(self.matcher(self.nlp.make_doc(text), as_spans=True))
            self._last = (text, tuple((s.start_char, s.end_char, s.label_) for s in spans))
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
        """The ``service`` entities of a message: names found, else a sure description (item intents only)."""
        found = self.find(text)
        if not found and intent in ITEM_INTENTS:
            described = self.describe(text)
            if described is not None:
                found.append(described)
        return found

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


@lru_cache(maxsize=4)
def _index_for(folder: str, stamp: Tuple[Tuple[str, int], ...], score: float, margin: float) -> ServiceIndex:
    return ServiceIndex(load_catalogue(Path(folder)), description_score=score, description_margin=margin)


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
        self.index = ServiceIndex.for_folder(
            str(config["catalogue_dir"]),
            float(config["description_score"]),
            float(config["description_margin"]),
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
        for message in messages:
            text = message.get(TEXT) or ""
            others = [e for e in message.get(ENTITIES, []) if e.get("entity") != ENTITY]
            learned = [e for e in message.get(ENTITIES, []) if e.get("entity") == ENTITY]
            matched = self.index.find(text)
            linked = list(matched)
            for entity in learned:
                overlaps = any(m["start"] < entity["end"] and entity["start"] < m["end"] for m in matched)
                if overlaps:
                    continue
                mention = text[entity["start"] : entity["end"]]
                value = self.index.resolve(str(entity.get("value") or mention)) or self.index.resolve(mention)
                if value is None:
                    logger.debug("Dropped a service mention that matches no catalogue item.")
                    continue
                linked.append({**entity, "value": value})
            intent = (message.get("intent") or {}).get("name")
            ranking = message.get("intent_ranking") or []
            if not linked and about_one_item(intent, ranking, self.item_intent_confidence):
                described = self.index.describe(text)
                if described is not None:
                    linked.append(described)
            message.set(ENTITIES, others + sorted(linked, key=lambda e: e["start"]), add_to_output=True)
        return messages
