"""The trained model on the held-out set: utterances written separately from the training data."""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List

import pytest
from rasa.core.agent import Agent
from rasa.shared.nlu.training_data.loading import load_data

from bot.settings import PROJECT_ROOT

HELDOUT = PROJECT_ROOT / "tests" / "nlu" / "heldout.yml"
INTENT_BAR = 0.95
LINKING_BAR = 0.95

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def predictions(trained_model: Path) -> List[Dict[str, Any]]:
    agent = Agent.load(str(trained_model))
    examples = load_data(str(HELDOUT)).intent_examples

    async def parse_all() -> List[Dict[str, Any]]:
        results = []
        for example in examples:
            parsed = await agent.parse_message(example.get("text"))
            expected = {e["value"] for e in example.get("entities") or [] if e["entity"] == "service"}
            predicted = {e["value"] for e in parsed.get("entities") or [] if e["entity"] == "service"}
            results.append(
                {
                    "text": example.get("text"),
                    "intent": example.get("intent"),
                    "predicted": parsed["intent"]["name"],
                    "expected_services": expected,
                    "predicted_services": predicted,
                }
            )
        return results

    return asyncio.run(parse_all())


def test_intent_accuracy(predictions: List[Dict[str, Any]]) -> None:
    wrong = [p for p in predictions if p["predicted"] != p["intent"]]
    accuracy = 1 - len(wrong) / len(predictions)
    confusions = Counter(f"{p['intent']} -> {p['predicted']}" for p in wrong)
    print(f"\nheld-out intent accuracy: {accuracy:.3f} on {len(predictions)} utterances")
    for p in wrong:
        print(f"  {p['intent']:>24} -> {p['predicted']:<24} {p['text']}")
    assert accuracy >= INTENT_BAR, confusions.most_common(10)


def test_service_linking_accuracy(predictions: List[Dict[str, Any]]) -> None:
    annotated = [p for p in predictions if p["expected_services"]]
    assert len(annotated) >= 100
    wrong = [p for p in annotated if p["predicted_services"] != p["expected_services"]]
    accuracy = 1 - len(wrong) / len(annotated)
    print(f"\nheld-out service linking accuracy: {accuracy:.3f} on {len(annotated)} mentions")
    for p in wrong:
        print(f"  {sorted(p['expected_services'])} got {sorted(p['predicted_services'])}: {p['text']}")
    assert accuracy >= LINKING_BAR


def test_no_item_is_invented(predictions: List[Dict[str, Any]]) -> None:
    """Utterances that name no item must not get one (never a wrong item stated with confidence)."""
    plain = [p for p in predictions if not p["expected_services"] and p["intent"] not in ("inform",)]
    invented = [p for p in plain if p["predicted_services"]]
    print(f"\nitems invented on {len(invented)} of {len(plain)} utterances without an item")
    for p in invented:
        print(f"  {sorted(p['predicted_services'])}: {p['text']}")
    assert len(invented) / len(plain) <= 0.05
