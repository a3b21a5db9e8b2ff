"""The model's fingerprint covers the code its features are read with, not only ``bot/nlu``."""

from __future__ import annotations

from bot.settings import PROJECT_ROOT
from bot.training import imported_modules, training_inputs


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
