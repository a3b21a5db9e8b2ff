"""The figures of ``make eval``: pure functions over gold examples and predictions."""

from __future__ import annotations

import functools
from collections import Counter
from typing import Any, Dict, List, Optional, Sequence, Tuple

from sklearn.metrics import f1_score

from actions.handoff import asks_for_a_number
from bot.catalogue import get_catalogue
from bot.faq import AGREED_OVER_ITEMS_CONFIDENCE, FAQ_TOPIC, FaqIndex, FaqStore, agreed_entry, decide
from bot.faq_entries import FaqEntry
from bot.guide import (
    GUIDE_INTENTS,
    HALL_AS_A_WHOLE,
    INTENT_TO_ASPECT,
    agreement_gives_way,
    choose_item,
    faq_confidence,
    guide_intent_near_faq,
    guide_intent_read,
    hall_wide_answer,
    item_behind_entry,
    item_instead_of_faq,
    item_question_near_faq,
    proxy_entry,
    served_here_answer,
    subject_over_faq,
)
from bot.hall import asks_about_the_hotline, get_hall, hours_answer, parking_entry, rating_entry
from bot.settings import PROJECT_ROOT
from tests.eval.data import Example

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
# Intents whose answer is a service item, a booking or an FAQ entry: wrong for out-of-scope messages.
OUT_OF_SCOPE_ANSWERS = frozenset(GUIDE_INTENTS | {"book_appointment", "faq"})


def prediction(parsed: Dict[str, Any]) -> Dict[str, Any]:
    """What the figures need of one parse: intent, its confidence, the best intent other than the
    fallback, ``faq``'s confidence and best topic, the guide intent near ``faq``, and entities."""
    ranking = parsed.get("intent_ranking") or []
    return {
        "intent": (parsed.get("intent") or {}).get("name"),
        "best_under_fallback": next((r.get("name") for r in ranking if r.get("name") != FALLBACK), None),
        "confidence": float((parsed.get("intent") or {}).get("confidence") or 0.0),
        "faq_confidence": faq_confidence(ranking),
        "faq_topic": parsed.get(FAQ_TOPIC),
        "guide_near_faq": guide_intent_near_faq(ranking)[0],
        "entities": [[e["entity"], str(e.get("value"))] for e in parsed.get("entities") or []],
    }


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


def faq_entry_answered(index: FaqIndex, text: str, predicted: Dict[str, Any]) -> Optional[FaqEntry]:
    """The FAQ entry a citizen gets for ``text`` as the first message of a conversation, if any.

    As the actions decide with nothing in context:

    - ``faq`` and ``nlu_fallback`` go to retrieval (`bot.faq.decide`); but an unsure message with a
      guide intent best under the fallback and an item mention, and an answer the model or
      retrieval is unsure of where the catalogue names or is sure of an item
      (`bot.guide.item_instead_of_faq`), get the item's guide (`actions.faq.ActionFaq`), unless
      the message names no item and the intent model's FAQ topic and retrieval agree
      (`bot.faq.agreed_entry`); so does an entry found for a message with a guide intent near
      ``faq`` about an item it names or describes (`bot.guide.item_question_near_faq`);
    - an eligibility question whether it can be done here at all gets the entry the FAQ topic and
      retrieval agree on (`bot.guide.served_here_answer`); any other guide question that names and
      describes no item and gets no item choices (or gets them, where the FAQ topic and retrieval
      agree) goes to `bot.guide.hall_wide_answer`, after the hall's ``proxy_faq`` entry for one
      asking whether someone else may do it (`bot.guide.proxy_entry`);
    - an opening-hours question also gets the hall's ``hours_faq`` entry when it names a time
      outside the hours, else the entry retrieval is sure of, or the ``hotline_faq`` entry
      instead when it asks about the hotline (`bot.hall.hours_answer`), and a complaint its
      ``complaint_faq`` entry (`actions.hall.ActionHallInfo`); a request for the hotline's number
      gets ``hotline_faq`` (`actions.handoff.ActionHandoff`); a location question naming parking
      or a vehicle the ``parking_faq`` entry after the address (`bot.hall.parking_entry`); a wish
      to rate the service asking how or where the ``rating_faq`` entry (`bot.hall.rating_entry`).
    """
    intent = predicted["intent"]
    mentioned = any(kind == "service" for kind, _ in predicted["entities"])
    matches = index.search(text)
    decision = decide(matches)
    topic = predicted.get("faq_topic")
    on_entry = agreed_entry(matches, topic) is not None
    agreed = not mentioned and on_entry and not agreement_gives_way(get_catalogue(), text, matches, topic)
    if intent in ("faq", FALLBACK):
        if subject_over_faq(get_catalogue(), text, topic):
            return None  # a broad subject alone gets its items (`bot.guide.subject_over_faq`)
        if intent == FALLBACK and mentioned:
            best = predicted.get("best_under_fallback")
            if best in GUIDE_INTENTS or (best != "faq" and get_catalogue().mentioned_in(text) is not None):
                return None
        entry = decision.entry
        if (
            entry is not None
            and not decision.unsure
            and HALL_AS_A_WHOLE.search(text) is None
            and item_behind_entry(get_catalogue(), text, entry, decision.score, index.search) is not None
        ):
            return None  # the entry stood on pieces of an item's own term (`bot.guide.item_behind_entry`)
        doubtful = not agreed and (decision.unsure or decision.entry is None)
        if doubtful and text.strip() and item_instead_of_faq(get_catalogue(), text):
            return None
        if decision.entry is not None and item_question_near_faq(
            get_catalogue(), text, predicted.get("guide_near_faq"), mentioned, decision.score, on_entry
        ):
            return None
        return decision.entry
    if intent in GUIDE_INTENTS:
        # the aspect as `actions.guide.ActionGuide` reads it
        aspect = INTENT_TO_ASPECT[guide_intent_read(intent, predicted["confidence"], text)]
        here = served_here_answer(get_catalogue(), text, aspect, matches, topic)
        if here is not None:
            return here.entry
        if mentioned:
            return None
        choice = choose_item(get_catalogue(), text, [], None, aspect)
        proxy = (
            proxy_entry(get_catalogue(), text, get_hall(), matches, topic) if choice.item is None else None
        )
        if proxy is not None:
            return index.get(proxy)
        if choice.item is not None or (
            choice.choices and agreed_entry(matches, topic, AGREED_OVER_ITEMS_CONFIDENCE) is None
        ):
            return None
        if subject_over_faq(get_catalogue(), text, topic):
            return None
        answer = hall_wide_answer(text, float(predicted.get("faq_confidence") or 0.0), matches, topic, aspect)
        return answer.entry if answer is not None else None
    hall = get_hall()
    if intent == "ask_office_hours":
        retrieved = decision.entry.id if decision.entry is not None else None
        wanted = hours_answer(text, hall, retrieved, sure=not decision.unsure).entry
        return index.get(wanted) if wanted else None
    if intent == "request_human" and hall.hotline_faq and asks_about_the_hotline(text):
        return index.get(hall.hotline_faq) if asks_for_a_number(text) else None
    if intent == "ask_hall_location":  # the address, then the parking entry when parking is asked
        parking = parking_entry(text, hall)
        return index.get(parking) if parking else None
    if intent == "rate_service":  # how or where to rate: the 好差评 entry, then the rating prompt
        rating = rating_entry(text, hall)
        return index.get(rating) if rating else None
    if intent == "complain":  # the apology, then the channels staff keep in the FAQ
        return index.get(hall.complaint_faq or "")
    return None


@functools.lru_cache(maxsize=1)
def _faq_store() -> FaqStore:
    return FaqStore(PROJECT_ROOT / "data" / "faq")


def faq_index() -> FaqIndex:
    """The index of ``data/faq``'s entries as they are now, fitted again only when a file changed
    (`bot.faq.FaqStore`): a fit takes about 3.5 s, and `faq_retrieval` runs once per held-out file
    (a fit each took 98 s of ``make eval``)."""
    return _faq_store().current()


def faq_retrieval(items: Sequence[Example], predictions: Sequence[Dict[str, Any]]) -> Dict[str, Any]:
    """What citizens get for FAQ paraphrases and out-of-scope messages, through intent and retrieval.

    A paraphrase is right when the entry answered (`faq_entry_answered`) is its own; choices are
    near misses offered as buttons (``faq`` or ``nlu_fallback`` only).
    """
    index = faq_index()
    right = wrong = choices = 0
    asked = [(e, p) for e, p in zip(items, predictions, strict=True) if e.topic]
    for example, predicted in asked:
        entry = faq_entry_answered(index, example.text, predicted)
        if entry is not None and entry.id == example.topic:
            right += 1
        elif entry is not None or predicted["intent"] not in ("faq", FALLBACK):
            wrong += 1
        else:
            choices += 1
    oos = [(e, p) for e, p in zip(items, predictions, strict=True) if e.intent == OUT_OF_SCOPE]
    oos_answered = sum(faq_entry_answered(index, e.text, p) is not None for e, p in oos)
    return {
        "n": len(asked),
        "right": right,
        "wrong": wrong,
        "choices": choices,
        "accuracy": right / len(asked) if asked else 0.0,
        "oos": len(oos),
        "oos_answered": oos_answered,
    }
