"""The model's fingerprint covers the code its features are read with, not only ``bot/nlu``."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import sources
from bot.settings import PROJECT_ROOT
from bot.sources import imported_modules
from bot.training import training_inputs


def test_the_nlu_components_imports_are_inputs_of_the_model() -> None:
    inputs = {str(path.relative_to(PROJECT_ROOT)) for path in training_inputs()}
    # the intent classifier reads typed nouns back with bot.guide and spelled digits with bot.pii
    assert {"bot/guide.py", "bot/pii.py", "bot/catalogue/sounds.py", "bot/nlu/english.py"} <= inputs
    assert {"config.yml", "domain.yml", "bot/nlu/intent_classifier.py"} <= inputs
    # what no NLU component imports does not make a model stale
    assert not {"api/main.py", "actions/guide.py", "bot/retention.py"} & inputs


def test_imports_are_followed_through_each_other() -> None:
    found = imported_modules([PROJECT_ROOT / "bot" / "nlu" / "service_linker.py"])
    assert PROJECT_ROOT / "bot" / "catalogue" / "__init__.py" in found
    # bot.catalogue imports its own modules, which import bot.catalogue.sounds
    assert PROJECT_ROOT / "bot" / "catalogue" / "sounds.py" in found


def test_the_code_fingerprint_changes_with_a_module_imported_through_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sources, "PROJECT_ROOT", tmp_path)
    package = tmp_path / "bot"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "component.py").write_text("def f():\n    from bot.reading import read\n")
    (package / "reading.py").write_text("from bot.words import WORDS\n")
    (package / "words.py").write_text("\ufeffWORDS = ('流程',)\n", encoding="utf-8")  # a byte-order mark
    (package / "unrelated.py").write_text("X = 1\n")
    before = sources.code_fingerprint(package / "component.py")
    (package / "unrelated.py").write_text("X = 2\n")
    assert sources.code_fingerprint(package / "component.py") == before
    (package / "words.py").write_text("WORDS = ('流程', '材料')\n", encoding="utf-8")
    assert sources.code_fingerprint(package / "component.py") != before


def test_rasa_retrains_the_intent_classifier_when_the_code_it_reads_with_changes() -> None:
    from bot.nlu.embeddings import MODEL as EMBEDDING_MODEL
    from bot.nlu.intent_classifier import NgramIntentClassifier

    source = PROJECT_ROOT / "bot" / "nlu" / "intent_classifier.py"
    # the module's code and the project modules it imports, and the embedding model it may read with
    expected = f"{sources.code_fingerprint(source)}:{EMBEDDING_MODEL}"
    assert NgramIntentClassifier.fingerprint_addon({}) == expected
    assert PROJECT_ROOT / "bot" / "guide.py" in imported_modules([source])
