"""The figures of ``make eval``: pure functions over gold examples and predictions."""

from __future__ import annotations

from collections import Counter
from typing import Any, Dict, List, Sequence, Tuple

from sklearn.metrics import f1_score

from bot.faq import FaqIndex, decide, load_entries
from bot.guide import GUIDE_INTENTS
from bot.settings import PROJECT_ROOT
from tests.eval.data import Example

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
# Intents whose answer is a service item, a booking or an FAQ entry: wrong for out-of-scope messages.
OUT_OF_SCOPE_ANSWERS = frozenset(GUIDE_INTENTS | {"book_appointment", "faq"})


def _right(gold: str, predicted: str) -> bool:
    return predicted == gold or (gold == OUT_OF_SCOPE and predicted == FALLBACK)


def accuracy(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Share of right intents (``nlu_fallback`` is right for gold ``out_of_scope``)."""
    if not gold:
        return 0.0
    return sum(_right(g, p) for g, p in zip(gold, predicted, strict=True)) / len(gold)


def macro_f1(gold: Sequence[str], predicted: Sequence[str]) -> float:
    """Macro-averaged F1 over the gold intents (same fallback rule as ``accuracy``)."""
    normalised = [g if _right(g, p) else p for g, p in zip(gold, predicted, strict=True)]
    return float(f1_score(list(gold), normalised, labels=sorted(set(gold)), average="macro", zero_division=0))


def confused_pairs(
    gold: Sequence[str], predicted: Sequence[str], top: int = 10
) -> List[Tuple[Tuple[str, str], int]]:
    """The most frequent (gold, predicted) mistakes."""
    return Counter((g, p) for g, p in zip(gold, predicted, strict=True) if not _right(g, p)).most_common(top)


def _services(prediction: Dict[str, Any]) -> set:
    return {value for entity, value in prediction["entities"] if entity == "service"}


def linking(items: Sequence[Example], predictions: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """``service`` linking: exact item sets where items are named or described; invented ones elsewhere."""
    named = [(e, p) for e, p in zip(items, predictions, strict=True) if e.services]
    right = sum(_services(p) == e.services for e, p in named)
    pairs = list(zip(items, predictions, strict=True))
    plain = [(e, p) for e, p in pairs if not e.services and e.intent != "inform"]
    invented = sum(bool(_services(p)) for _, p in plain)
    has_linker = any(p["entities"] for p in predictions)
    return {
        "n": len(named),
        "right": right,
        "accuracy": (right / len(named)) if named and has_linker else None,
        "plain": len(plain),
        "invented": invented,
    }


def entity_f1(items: Sequence[Example], predictions: Sequence[Dict[str, Any]]) -> Dict[str, float]:
    """F1 of (entity, value) pairs per entity type annotated in the held-out file (``service`` here)."""
    if not any(p["entities"] for p in predictions):
        return {}
    scores: Dict[str, float] = {}
    gold_pairs = [{("service", s) for s in e.services} for e in items]
    predicted_pairs = [{(k, v) for k, v in p["entities"] if k == "service"} for p in predictions]
    tp = sum(len(g & p) for g, p in zip(gold_pairs, predicted_pairs, strict=True))
    fp = sum(len(p - g) for g, p in zip(gold_pairs, predicted_pairs, strict=True))
    fn = sum(len(g - p) for g, p in zip(gold_pairs, predicted_pairs, strict=True))
    if tp + fp + fn:
        scores["service"] = 2 * tp / (2 * tp + fp + fn)
    return scores


def out_of_scope_answered(items: Sequence[Example], predictions: Sequence[Dict[str, Any]]) -> Dict[str, int]:
    """How many out-of-scope messages got a service, booking or FAQ intent."""
    oos = [(e, p) for e, p in zip(items, predictions, strict=True) if e.intent == OUT_OF_SCOPE]
    return {"n": len(oos), "answered": sum(p["intent"] in OUT_OF_SCOPE_ANSWERS for _, p in oos)}


def faq_retrieval(items: Sequence[Example], predictions: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """What citizens get for FAQ paraphrases and out-of-scope messages, through intent and retrieval.

    A paraphrase is right when the intent is ``faq`` or ``nlu_fallback`` (both go to the FAQ
    action) and retrieval answers with its entry.
    """
    index = FaqIndex(load_entries(PROJECT_ROOT / "data" / "faq"))
    right = wrong = choices = 0
    asked = [(e, p) for e, p in zip(items, predictions, strict=True) if e.topic]
    for example, predicted in asked:
        if predicted["intent"] not in ("faq", FALLBACK):
            wrong += 1
            continue
        decision = decide(index.search(example.text))
        if decision.entry is not None and decision.entry.id == example.topic:
            right += 1
        elif decision.entry is not None:
            wrong += 1
        else:
            choices += 1
    oos = [(e, p) for e, p in zip(items, predictions, strict=True) if e.intent == OUT_OF_SCOPE]
    oos_answered = sum(
        p["intent"] in ("faq", FALLBACK) and decide(index.search(e.text)).entry is not None for e, p in oos
    )
    return {
        "n": len(asked),
        "right": right,
        "wrong": wrong,
        "choices": choices,
        "accuracy": right / len(asked) if asked else 0.0,
        "oos": len(oos),
        "oos_answered": oos_answered,
    }
