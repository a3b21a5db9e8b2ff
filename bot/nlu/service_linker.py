"""Links every ``service`` entity to the canonical name of a catalogue item.

A spaCy ``PhraseMatcher`` over the catalogue's names and aliases finds items the model never
saw in training (the catalogue is read when the model loads, so a new alias works without a
retrain). Entities that DIET learned from descriptions ("宝宝刚出生") are normalised through
the catalogue; one that matches no item is dropped rather than guessed.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Dict, List, Optional

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
from bot.guide import GUIDE_INTENTS

logger = logging.getLogger(__name__)

ENTITY = "service"
EXTRACTOR = "ServiceLinker"
# Intents about one item: only there may a description with no name be looked up in the catalogue.
ITEM_INTENTS = GUIDE_INTENTS | {"book_appointment"}


class ServiceIndex:
    """Finds catalogue names and aliases in text and resolves loose mentions."""

    def __init__(
        self,
        catalogue: Catalogue,
        min_score: float = 0.0,
        description_score: float = 6.0,
        description_margin: float = 1.5,
    ) -> None:
        self.catalogue = catalogue
        self.min_score = min_score
        self.description_score = description_score
        self.description_margin = description_margin
        self.nlp = spacy.blank("zh")
        self.matcher = PhraseMatcher(self.nlp.vocab, attr="ORTH")
        for item in catalogue.items:
            phrases = {item.name, item.name.removesuffix("一件事"), *item.aliases}
            self.matcher.add(item.name, [self.nlp.make_doc(p) for p in sorted(phrases) if p])

    def find(self, text: str) -> List[Dict[str, Any]]:
        """Return non-overlapping mentions, longest first, as Rasa entity dicts."""
        spans = self.matcher(self.nlp.make_doc(text), as_spans=True)
        return [
            {
                "entity": ENTITY,
                "start": span.start_char,
                "end": span.end_char,
                "value": span.label_,
                "extractor": EXTRACTOR,
                "confidence_entity": 1.0,
            }
            for span in filter_spans(spans)
        ]

    def describe(self, text: str) -> Optional[Dict[str, Any]]:
        """An entity for the one item a whole message clearly describes without naming it, else None.

        Only a clear winner counts: a score of at least ``description_score`` and
        ``description_margin`` times the runner-up's (both set on the training data, where they
        invent no item for any message that names none).
        """
        ranked = self.catalogue.search(text, limit=2)
        if not ranked or ranked[0][1] < self.description_score:
            return None
        if len(ranked) > 1 and ranked[0][1] < self.description_margin * ranked[1][1]:
            return None
        return {
            "entity": ENTITY,
            "start": 0,
            "end": len(text),
            "value": ranked[0][0].name,
            "extractor": f"{EXTRACTOR}.description",
            "confidence_entity": 0.5,
        }

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


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class ServiceLinker(GraphComponent, EntityExtractorMixin):
    """Adds and normalises ``service`` entities from the live catalogue."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The folder of the catalogue's YAML files, relative to the working directory."""
        return {"catalogue_dir": "data/services", "description_score": 6.0, "description_margin": 1.5}

    def __init__(self, config: Dict[str, Any]) -> None:
        self._config = config
        self.index = ServiceIndex(
            load_catalogue(Path(config["catalogue_dir"])),
            description_score=float(config["description_score"]),
            description_margin=float(config["description_margin"]),
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
            if not linked and intent in ITEM_INTENTS:
                described = self.index.describe(text)
                if described is not None:
                    linked.append(described)
            message.set(ENTITIES, others + sorted(linked, key=lambda e: e["start"]), add_to_output=True)
        return messages
