"""No held-out message may stand in the training data (nor in the FAQ entries it is built from)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Dict, Set

import pytest
import yaml
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.settings import PROJECT_ROOT

HELDOUT = sorted((PROJECT_ROOT / "tests" / "nlu").glob("heldout*.yml"))
_NOISE = re.compile(r"[\s\W_]+", re.UNICODE)


def normalise(text: str) -> str:
    """Compare sentences without case, width, spaces or punctuation."""
    return _NOISE.sub("", unicodedata.normalize("NFKC", text).lower())


@lru_cache(maxsize=1)
def _training_data() -> TrainingData:
    """``data/nlu`` as Rasa reads it, read once for every file checked (each read takes seconds)."""
    return load_data(str(PROJECT_ROOT / "data" / "nlu"))


def catalogue_forms() -> Dict[str, str]:
    """The lookup-table and synonym entries: every catalogue name and alias."""
    data = _training_data()
    found = {normalise(str(e)): str(e) for t in data.lookup_tables for e in t.get("elements") or []}
    found.update({normalise(variant): variant for variant in data.entity_synonyms})
    return found


def training_sentences() -> Dict[str, str]:
    data = _training_data()
    found = {normalise(e.get("text")): e.get("text") for e in data.intent_examples}
    for path in (PROJECT_ROOT / "data" / "faq").glob("*.yml"):
        entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        for question in [entry["title"], *entry["questions"]]:
            found[normalise(question)] = question
    return found


def conversation_sentences() -> Set[str]:
    found = set()
    for path in (PROJECT_ROOT / "tests" / "conversations").glob("*.yml"):
        for conversation in yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]:
            found |= {normalise(str(t["user"])) for t in conversation["turns"]}
    return found


@pytest.fixture(scope="module")
def training() -> Dict[str, str]:
    """Every training sentence and FAQ question, and (a bare item name such as "二手房过户" stands in
    data/nlu's lookup tables and synonyms: training data too) every catalogue name and alias."""
    return {**training_sentences(), **catalogue_forms()}


@pytest.mark.parametrize("path", HELDOUT, ids=lambda p: p.name)
def test_heldout_messages_are_not_training_data(path: Path, training: Dict[str, str]) -> None:
    leaked = [
        e.get("text") for e in load_data(str(path)).intent_examples if normalise(e.get("text")) in training
    ]
    assert not leaked, f"{len(leaked)} held-out messages are also training data: {leaked[:20]}"


def test_conversation_messages_are_not_training_data() -> None:
    # a turn that is a bare item name or alias (picking one of the offered choices, or opening with
    # the item) tests the dialogue, not the NLU, so catalogue names and aliases stay allowed here
    training = training_sentences()
    names = catalogue_forms()
    # one- or two-character replies ("好", "对的") are common to everyone and prove nothing
    leaked = sorted(s for s in conversation_sentences() if len(s) > 2 and s in training and s not in names)
    assert not leaked, f"{len(leaked)} conversation messages are also training data: {leaked[:20]}"
