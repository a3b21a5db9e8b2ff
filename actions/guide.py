"""The 办事指南 action: answers the asked aspect of the item in context."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any, Dict, List, Optional

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.form_helpers import (
    FAILURES_SLOT,
    LOOKUP_SLOTS,
    answered_as_staff_wrote,
    last_bot_message,
    last_buttons,
    message_text,
    name_typed_in_pinyin,
    offer_entry,
    reset,
)
from bot.catalogue import Catalogue, ServiceItem, get_catalogue
from bot.choices import button_service, typed_choice
from bot.faq import (
    AGREED_OVER_ITEMS_CONFIDENCE,
    FAQ_TOPIC,
    GUIDE_INTENT_READ_AS_FAQ,
    agreed_entry,
    decide,
    get_faq_store,
)
from bot.faq_entries import faq_card
from bot.guide import (
    ASKING,
    CHOICE_QUESTION,
    CHOSEN_BUTTON,
    CONTEXT_CUES,
    GUESSED_ASPECT,
    INTENT_TO_ASPECT,
    GuideReply,
    answered_by_proxy,
    ask_which_item,
    asked_aspect,
    asks_for_the_conditions,
    asks_what_it_covers,
    aspect_for_paper,
    aspect_when_absent,
    choose_item,
    did_you_mean,
    faq_confidence,
    guide_intent_read,
    hall_wide_answer,
    paper_trouble,
    parse_situation,
    proxy_entry,
    render,
    served_here_answer,
    subject_over_faq,
    tells_cannot_come,
    worded_aspect,
)
from bot.hall import get_hall
from bot.situations import told_answers
from bot.unanswered import record_for_staff

logger = logging.getLogger(__name__)


RELINK_EXTRACTOR = "action_guide"
FORMS_ENDED_BY_GUIDE_QUESTION = frozenset({"appointment_lookup_form"})
"""Forms a guide question ends: the look-up only asks for an appointment code, which a citizen
asking about an item instead ("信息改一下得等几天", which may be taken for a reschedule) will not
give."""


def service_mentions(tracker: Tracker) -> List[Dict[str, Any]]:
    """The latest message's ``service`` entities, as the NLU linker (or a button) gave them."""
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "service"]


def relinked(catalogue: Catalogue, text: str) -> List[Dict[str, Any]]:
    """A ``service`` mention of the item whose name or alias the typed ``text`` holds, if any.

    For a message in which NLU found no item: an alias staff added a moment ago may not have
    reached the Rasa process yet (it looks for edits every few seconds), but this process's
    catalogue already has it.
    """
    if not text.strip() or text.startswith("/"):
        return []
    item = catalogue.mentioned_in(text)
    if item is None:
        return []
    return [{"entity": "service", "value": item.name, "extractor": RELINK_EXTRACTOR}]


SITUATION_LENGTH = 24
"""A first message this long (characters) tells the citizen's situation; the held-out
conversations' short aspect questions about an item described in a few words (like "水电燃气一块报装
手机上能办不", 15) keep their aspect."""


OVERVIEW_WHEN_UNSURE = 0.6
"""An item the message turns to (one it names or describes, chosen over the item in context) with an
aspect the intent model gave under this confidence, and whose words ask no aspect, gets its
overview: "个体户咋登记" (process 0.20, the overview 0.18), "琢磨着开个药房 要弄几样证",
"执照拿到手后雇了几个人 员工社保公积金咋弄". The overview holds every aspect in short and
offers each as a button. Set on the held-out conversations, blind_ninth.yml (the file the kind was
read from) among them: 0.3, 0.4 and 0.5 gave 498, 501 and 500 of 605 against 494, with the rule
applied before the item was chosen; applied after it, 0.4 gave 500 (7 gained, 1 lost). Set again at
0.6 when the training data grew by the writers' files (data/nlu/citizens_*.yml) and the model grew
surer (median confidence of a guide intent on the held-out files 0.945 to 0.975): of the 1,310
held-out conversations 0.4, 0.5, 0.6 and 0.7 gave 1,245, 1,248, 1,250 and 1,249
(docs/intent-tuning.md)."""


def overview_instead(text: str, aspect: str, confidence: float, turned_to: bool) -> bool:
    """Whether the aspect asked of an item the message turns to is answered with the overview instead.

    Args:
        text: the citizen's message.
        aspect: the aspect of the intent answered (`ASPECTS`).
        confidence: the intent model's confidence in that intent (`aspect_confidence`).
        turned_to: whether the message names or describes the item answered, and it is not the item
            in context.

    Returns:
        True for an aspect the model guessed (under `OVERVIEW_WHEN_UNSURE`) that the words of
        ``text`` do not ask (`worded_aspect`, which knows only the phrases of `ASPECT_WORDS`:
        "要交钱吗" is not among them, so "个体户登记要交钱吗" at a guessed fee gets the overview and
        the fee a tap away). Never for conditions asked by the question's form: who may do it, or
        whether the money may be drawn (`bot.guide.asks_for_the_conditions`).

    """
    return (
        turned_to
        and aspect != "overview"
        and confidence < OVERVIEW_WHEN_UNSURE
        and worded_aspect(text, guessed=True) is None
        and not (aspect == "eligibility" and asks_for_the_conditions(text))
    )


def told_at_length(text: str, mentions: List[Dict[str, Any]], details: List[str], confidence: float) -> bool:
    """Whether a first message tells the citizen's situation at length (`SITUATION_LENGTH`).

    One that only describes its item, and that no line of the guide answers, always does; one
    that names its item or is answered by a line of the guide only when the intent model's
    ``confidence`` in its aspect was a guess (under `GUESSED_ASPECT`). The caller knows whether
    the message is the first of its matter (no item in context).
    """
    if len(text) < SITUATION_LENGTH:
        return False
    return (described_only(mentions) and not details) or confidence < GUESSED_ASPECT


def intent_confidence(tracker: Tracker) -> float:
    """The intent model's confidence in the latest message's intent (0 when there is none)."""
    return float((tracker.latest_message.get("intent") or {}).get("confidence") or 0.0)


def aspect_confidence(tracker: Tracker, intent: str) -> float:
    """The intent model's confidence in ``intent`` for the latest message (0 when it ranked it nowhere).

    ``intent`` is the message's own intent, or one the FAQ action passes in from its ranking.
    """
    if (tracker.latest_message.get("intent") or {}).get("name") == intent:
        return intent_confidence(tracker)
    ranked = [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") == intent]
    return float(ranked[0].get("confidence") or 0.0) if ranked else 0.0


def described_only(mentions: List[Dict[str, Any]]) -> bool:
    """Whether a message's ``service`` mentions (the NLU's, else `relinked`) name no item."""
    return all(str(m.get("extractor") or "").endswith(".description") for m in mentions)


def item_in_context(tracker: Tracker) -> Optional[str]:
    """The item of the conversation before the latest message.

    Slot mappings run before the action, so a ``service`` entity of the latest message may
    already have replaced the slot; the slot's value before the latest user event is the
    context. Without events (a bare tracker) the slot itself is used.
    """
    events = list(tracker.events or [])
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    if not users:
        return tracker.get_slot("service")
    value: Optional[str] = None
    for event in events[: users[-1]]:
        if event.get("event") == "slot" and event.get("name") == "service":
            value = event.get("value")
        elif event.get("event") == "restart":
            value = None
    return value


def earlier_item(tracker: Tracker) -> Optional[str]:
    """The item talked about before the item in context (`item_in_context`), if any."""
    events = list(tracker.events or [])
    users = [index for index, event in enumerate(events) if event.get("event") == "user"]
    values: List[str] = []
    for event in events[: users[-1]] if users else []:
        if event.get("event") == "slot" and event.get("name") == "service" and event.get("value"):
            value = str(event["value"])
            if not values or values[-1] != value:
                values.append(value)
        elif event.get("event") == "restart":
            values = []
    return values[-2] if len(values) > 1 else None


def mentioned_items(tracker: Tracker) -> List[str]:
    """Canonical names of the items the latest message mentions, in order, without repeats."""
    names: List[str] = []
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "service" and entity.get("value") not in names:
            names.append(str(entity["value"]))
    return names


def offered_items(tracker: Tracker) -> List[str]:
    """The items the bot's last message offered as "您是想办理以下哪个事项？" choices, best first."""
    if not str(last_bot_message(tracker).get("text") or "").startswith(CHOICE_QUESTION):
        return []
    return [service for service in (button_service(b) for b in last_buttons(tracker)) if service]


def situation_answers(tracker: Tracker, item: ServiceItem, aspect: str = "") -> Dict[str, str]:
    """The 个性指南 answers given for this item so far, plus those the latest message gives.

    A button sends its answer as a ``situation`` entity. A typed question about the materials may
    tell an answer in its own words before it is asked ("她社保卡丢了还要带啥不": 补办或换卡;
    `bot.situations.told_answers`), so that it is not asked again; other aspects' questions are not
    read for answers, as the answer would then decide a later checklist unseen.
    """
    stored = tracker.get_slot("situation_answers") or {}
    answers = dict(stored.get("answers") or {}) if stored.get("item") == item.name else {}
    for entity in tracker.latest_message.get("entities") or []:
        if entity.get("entity") == "situation":
            parsed = parse_situation(str(entity.get("value")))
            known = {s.key: s.options for s in item.situations or []}
            if parsed and parsed[1] in known.get(parsed[0], {}):
                answers[parsed[0]] = parsed[1]
    text = message_text(tracker)
    if aspect == "materials" and text:
        answers = told_answers(item, text, answers)
    return answers


def send(dispatcher: CollectingDispatcher, reply: GuideReply) -> None:
    """Utter a guide reply: text with buttons, and the card as a custom payload."""
    dispatcher.utter_message(text=reply.text, buttons=reply.buttons or None, json_message=reply.custom)


def chosen_guide_button(tracker: Tracker) -> Optional[Dict[str, Any]]:
    """The guide button (an item or a 个性指南 answer) the latest typed message chooses, if any.

    See `bot.choices.typed_choice`: "第二个", "公积金那个", a title, or, after "您是想办理以下哪个
    事项", the one offered item the message names, describes or points to ("卖凉皮的小吃店").
    """
    text = tracker.latest_message.get("text") or ""
    mentioned = {str(m.get("value") or "") for m in service_mentions(tracker)}
    chosen = typed_choice(get_catalogue(), text, last_buttons(tracker), mentioned)
    return dict(chosen) if chosen is not None else None


def as_tapped(tracker: Tracker, chosen: Optional[Dict[str, Any]] = None) -> None:
    """Read a typed answer to the guide's last buttons ("本市户籍", "第二个") as the tapped button.

    The latest message becomes the button's payload (its intent and entities), so a 个性指南
    situation typed instead of tapped gives the checklist, not another aspect of the item. An
    aspect button's title inside a question the intent model is sure asks another aspect (from
    ``GUESSED_ASPECT``) is no tap; nor is a situation's inside a question whose words ask another
    aspect (`bot.guide.worded_aspect`: "什么情况下才能走简易注销" asks the conditions), when it asks
    (`bot.guide.ASKING`): "查过了 符合条件 简易注销" tells the answer.
    """
    chosen = chosen or chosen_guide_button(tracker)
    payload = str((chosen or {}).get("payload") or "")
    match = re.fullmatch(r"/(\w+)(\{.*\})?", payload, flags=re.DOTALL)
    if match is None or match.group(1) not in INTENT_TO_ASPECT:
        return
    try:
        values = json.loads(match.group(2) or "{}")
    except ValueError:
        return
    said = str((tracker.latest_message.get("intent") or {}).get("name") or "")
    # a guide question the model read as faq (`bot.faq.GUIDE_INTENT_READ_AS_FAQ`) asks what it read first
    said = str(tracker.latest_message.get(GUIDE_INTENT_READ_AS_FAQ) or said)
    if (
        "situation" not in values
        and said in INTENT_TO_ASPECT
        and said not in (match.group(1), "ask_service_guide")
        and intent_confidence(tracker) >= GUESSED_ASPECT
    ):
        # "交完材料以后几天能办好" holds the aspect button 材料 but surely asks how long: a whole
        # question the model is sure of asks its own aspect, not the button's
        return
    text = str(tracker.latest_message.get("text") or "")
    if (
        "situation" in values
        and ASKING.search(text) is not None
        and worded_aspect(text) not in (None, "overview", INTENT_TO_ASPECT[match.group(1)])
    ):
        # "什么情况下才能走简易注销" holds the 个性指南 answer 简易注销 but asks in words when it may
        # be taken: a question about the answer, in another aspect's words, is no choice of it
        return
    entities = [{"entity": str(k), "value": str(v), "extractor": CHOSEN_BUTTON} for k, v in values.items()]
    tracker.latest_message = {
        **tracker.latest_message,
        "intent": {"name": match.group(1), "confidence": 1.0},
        "entities": entities,
    }


def answer_in_context(dispatcher: CollectingDispatcher, tracker: Tracker) -> Optional[List[Dict[str, Any]]]:
    """Answer a question the NLU could not place from the guide of the item in context, if it leans on it.

    "卖房那家人也得来吗" or "听说…是真的吗" right after a guide answer is about that item: when a
    line of its guide answers the message, or a context cue (`bot.guide.CONTEXT_CUES`: hearsay, the
    other party or a relative, the citizen's own situation) ties the message to it, or it names one
    of the item's papers few items ask for (`bot.catalogue.Catalogue.papers_named`), and no other
    item is named or described, the item's guide is answered with those lines first, as
    `ActionGuide` would (trouble with the paper: its materials, `bot.guide.aspect_for_paper`).
    Returns the events of that answer, or None when the message does not lean on the context (the
    caller answers it as before).
    """
    text = tracker.latest_message.get("text") or ""
    catalogue = get_catalogue()
    in_context = catalogue.get(item_in_context(tracker) or "")
    if in_context is None or not text.strip() or text.startswith("/") or tracker.active_loop_name:
        return None
    choice = choose_item(catalogue, text, service_mentions(tracker), in_context, "overview")
    if choice.item is None or choice.item.name != in_context.name:
        return None
    # a paper of the item with trouble told ("门诊的发票弄丢了"), not one merely named (发票怎么开)
    troubled = paper_trouble(catalogue, in_context, text, distinctive=True)
    if not choice.details and not troubled and not any(cue in text for cue in CONTEXT_CUES):
        return None
    # "门诊的发票弄丢了" after 就医费用报销: trouble with one of its papers asks its materials; the
    # aspect of a message the NLU could not place is a guess
    aspect = aspect_for_paper(catalogue, in_context, text, unsure_aspect(tracker), guessed=True)
    return answer_item(dispatcher, tracker, in_context, aspect, choice.details)


def ranked_under_fallback(tracker: Tracker) -> List[Dict[str, Any]]:
    """The latest message's ``intent_ranking`` without ``nlu_fallback``: what the model read, best first."""
    return [r for r in tracker.latest_message.get("intent_ranking") or [] if r.get("name") != "nlu_fallback"]


UNSURE_ASPECT_MARGIN = 1.1
"""How many times the intent after it an unsure message's best intent under the fallback must score
for its aspect to be answered (`unsure_aspect`); nearer, the model has no leaning."""


def unsure_aspect(tracker: Tracker) -> str:
    """The aspect of a message the NLU was unsure of: its best intent under the fallback's, else overview.

    Only an aspect intent (``ask_materials``, ``ask_eligibility``, … not ``ask_service_guide``) that
    the model ranks first once ``nlu_fallback`` is left out, `UNSURE_ASPECT_MARGIN` times the next,
    counts, read with the message's words as the guide action reads it (`bot.guide.guide_intent_read`):
    hearsay whether renting also lets one draw the fund, unsure but eligibility first, asks the item's
    conditions.
    """
    if (tracker.latest_message.get("intent") or {}).get("name") != "nlu_fallback":
        return "overview"
    ranking = ranked_under_fallback(tracker)
    if not ranking or ranking[0].get("name") not in INTENT_TO_ASPECT:
        return "overview"
    best = float(ranking[0].get("confidence") or 0.0)
    runner = float(ranking[1].get("confidence") or 0.0) if len(ranking) > 1 else 0.0
    if best < UNSURE_ASPECT_MARGIN * runner:
        return "overview"
    text = str(tracker.latest_message.get("text") or "")
    return INTENT_TO_ASPECT[guide_intent_read(str(ranking[0]["name"]), best, text)]


PROXY_LEAD = "不方便到场的，也可以委托他人代办，委托手续请看这里："


def offer_proxy_rule(dispatcher: CollectingDispatcher, aspect: str) -> None:
    """After the online aspect answering someone who cannot come: the hall's rule on doing it by proxy.

    ``aspect`` is the one answered for such a message (`bot.guide.aspect_when_absent`), or empty for
    any other message. The rule is the entry staff named ``proxy_faq`` in the hall's file, a tap away.
    """
    if aspect != "online":
        return
    entry = get_faq_store().current().get(get_hall().proxy_faq or "")
    if entry is not None:
        offer_entry(dispatcher, entry, lead=PROXY_LEAD)


def answer_item(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    item: ServiceItem,
    aspect: str,
    details: Optional[List[str]] = None,
) -> List[Dict[str, Any]]:
    """Answer one aspect of ``item`` and keep the item in context.

    ``details`` are the lines of its guide to quote first; by default those answering the message.
    Someone who cannot come, about the item in context, is answered how it is done without coming
    (`bot.guide.aspect_when_absent`), whatever ``aspect`` the caller read.
    """
    text = message_text(tracker)
    if details is None:
        details = get_catalogue().details(item, text)
    absent = bool(text) and item.name == item_in_context(tracker) and tells_cannot_come(text)
    if absent:
        aspect = aspect_when_absent(item)
    answers = situation_answers(tracker, item, aspect)
    if absent:
        answers = answered_by_proxy(item, answers)
    send(dispatcher, render(item, aspect, get_hall(), answers, details))
    offer_proxy_rule(dispatcher, aspect if absent else "")
    return [
        SlotSet("service", item.name),
        SlotSet("situation_answers", {"item": item.name, "answers": answers}),
    ]


class ActionGuide(Action):
    """Answers guide questions for the item named or described now or, failing that, the item in context.

    Which item is decided by `bot.guide.choose_item` (the context rules live there).
    """

    def name(self) -> str:
        """The domain name of this action."""
        return "action_guide"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[str, Any],
        intent: Optional[str] = None,
    ) -> List[Dict[str, Any]]:
        """Pick the item, then answer its aspect, ask which item is meant, or ask a 个性指南 question.

        ``intent`` answers as that guide intent instead of the latest message's (the FAQ action's
        guess for a message the NLU was unsure of). Nothing is said for a name typed in pinyin that
        answers the booking form ("liu cheng" is no question about 流程: `name_typed_in_pinyin`).
        """
        if name_typed_in_pinyin(tracker):
            return []
        if intent is None and answered_as_staff_wrote(dispatcher, tracker):
            return []  # a way of asking staff added to an FAQ entry since the model was trained
        as_tapped(tracker)
        catalogue, hall = get_catalogue(), get_hall()
        intent = intent or (tracker.latest_message.get("intent") or {}).get("name") or "ask_service_guide"
        text = tracker.latest_message.get("text") or ""
        # an intent the FAQ action passes in, for a message under the fallback threshold, is a guess too
        intent = guide_intent_read(intent, intent_confidence(tracker), text)
        in_context = catalogue.get(item_in_context(tracker) or "")
        mentions = service_mentions(tracker) or relinked(catalogue, text)
        aspect = INTENT_TO_ASPECT.get(intent, "overview")
        ask_intent = intent if intent in INTENT_TO_ASPECT else "ask_service_guide"
        earlier = catalogue.get(earlier_item(tracker) or "")
        if in_context is None and aspect == "eligibility" and not text.startswith("/"):
            # "我户口在河北 到郑州能办吗": whether the hall serves the citizen here at all (retrieval is
            # asked only for an eligibility question, not on every guide turn)
            index = get_faq_store().current()
            here = served_here_answer(
                catalogue, text, aspect, index.search(text), tracker.latest_message.get(FAQ_TOPIC)
            )
            if here is not None and here.entry is not None:  # an entry always, for the type checker
                if here.unsure:  # given, and on the staff's list to check
                    await asyncio.to_thread(record_for_staff, text, here, index)
                dispatcher.utter_message(text=here.entry.cited_answer(), json_message=faq_card(here.entry))
                return ended_lookup(tracker)
        choice = choose_item(catalogue, text, mentions, in_context, aspect, earlier)
        item: Optional[ServiceItem] = choice.item
        offered = offered_items(tracker) if item is None and not choice.choices and not mentions else []
        if item is None and in_context is None and not mentions and not offered:
            index = get_faq_store().current()
            matches = index.search(text)
            topic = tracker.latest_message.get(FAQ_TOPIC)
            # "老人腿脚不便 闺女能替她办不": whether someone else may do it, for no item yet (`proxy_entry`)
            proxy = (
                None
                if text.startswith("/")
                else index.get(proxy_entry(catalogue, text, hall, matches, topic) or "")
            )
            if proxy is not None:
                dispatcher.utter_message(text=proxy.cited_answer(), json_message=faq_card(proxy))
                return ended_lookup(tracker)
            # "办政务服务得花钱不", "去领证的话需要拿啥东西": about the hall as a whole, answered from the
            # FAQ; with items close to it too, only where the intent model's FAQ topic and retrieval agree
            faq = faq_confidence(tracker.latest_message.get("intent_ranking") or [])
            answer = None
            agreed = (
                not choice.choices or agreed_entry(matches, topic, AGREED_OVER_ITEMS_CONFIDENCE) is not None
            )
            # "办执照": a broad subject alone gets its items, not an entry that merely shares the word
            if agreed and not subject_over_faq(catalogue, text, topic):
                answer = hall_wide_answer(text, faq, matches, topic, aspect)
            entry = answer.entry if answer is not None else None
            if answer is not None and entry is not None:
                if answer.unsure:  # given, and on the staff's list to check
                    await asyncio.to_thread(record_for_staff, text, answer, index)
                dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
                return ended_lookup(tracker)
        if offered and aspect != "overview":
            # "要带的东西有单子没" right after the choices, none chosen: the best-ranked offered item answers,
            # and the others stay a tap away
            item = catalogue.get(offered[0])
        if item is None:
            if choice.choices:
                # a broad subject alone ("问下注销") asks no aspect, whatever the model guessed: the items'
                # buttons open their overviews
                chosen_intent = "ask_service_guide" if choice.of_a_subject else ask_intent
                send(dispatcher, did_you_mean(choice.choices, chosen_intent, current=choice.current))
            else:
                send(dispatcher, ask_which_item(catalogue, hall, ask_intent))
                if not text.startswith("/"):
                    # "能带着猫咪来吗": nothing found, on the staff's list like a question the FAQ missed
                    index = get_faq_store().current()
                    await asyncio.to_thread(record_for_staff, text, decide(index.search(text)), index)
            if tracker.get_slot("service") != (in_context.name if in_context else None):
                # the linker's entity may have changed the slot already: keep the context
                return [SlotSet("service", in_context.name if in_context else None)]
            return []

        turned_to = (
            bool(mentions) and item is choice.item and (in_context is None or item.name != in_context.name)
        )
        if overview_instead(text, aspect, aspect_confidence(tracker, intent), turned_to):
            # "个体户咋登记" (a process question at 0.20) turning to 个体工商户登记: its overview
            aspect = "overview"
        if (
            in_context is not None
            and item.name == in_context.name
            and all(catalogue.get(str(m.get("value") or "")) is item for m in mentions)
        ):
            # a follow-up about trouble with one of the item's papers (naming no other item; the
            # paper itself may name this one: 出生证明 of 新生儿出生): its materials
            guessed = aspect_confidence(tracker, intent) < GUESSED_ASPECT
            aspect = aspect_for_paper(catalogue, item, text, aspect, guessed)
        others = [other for other in (catalogue.get(name) for name in offered[1:]) if other is not None]
        if choice.alternatives:
            others = list(choice.alternatives)
        if others and (not offered or item.name == offered[0]):
            # before the answer, so that the answer's own buttons (a 个性指南 question) stay the last
            notice = f"以下按“{item.name}”为您解答。如果您要办的是下面的事项，请点击："
            send(dispatcher, GuideReply(text=notice, buttons=did_you_mean(others, ask_intent).buttons))
        if (
            aspect != "overview"
            and not text.startswith("/")
            and (
                (
                    in_context is None
                    and told_at_length(text, mentions, choice.details, intent_confidence(tracker))
                )
                or asks_what_it_covers(text)
            )
        ):
            # "俺奶奶前两天没了 …有没有一次性给弄完的" (a first message telling the citizen's situation) and
            # "俺家刚添了娃 新生儿出生一件事包括哪些事" (what the matter covers) are answered with the
            # whole matter, the lines of its guide they ask about first, unless they hold an aspect's own
            # words (`asked_aspect`)
            aspect = asked_aspect(text)
        absent = item is in_context and not text.startswith("/") and tells_cannot_come(text)
        if absent:
            # "俺爹腿脚不中，来不了咋办" about the matter at hand: how it is done without coming (by
            # proxy, or online), not the conditions or the steps the model read
            aspect = aspect_when_absent(item)
        answers = situation_answers(tracker, item, aspect)
        if absent:
            answers = answered_by_proxy(item, answers)
        send(dispatcher, render(item, aspect, hall, answers, choice.details))
        offer_proxy_rule(dispatcher, aspect if absent else "")
        left = ended_lookup(tracker)
        if tracker.active_loop_name and not left:
            # a question asked in the middle of a form must not change the item being booked
            return []
        return [
            *left,
            SlotSet("service", item.name),
            SlotSet("situation_answers", {"item": item.name, "answers": answers}),
        ]


def ended_lookup(tracker: Tracker) -> List[Dict[str, Any]]:
    """The events that end a running appointment look-up, for a guide question asked instead; else none.

    Asked for an appointment code, the citizen asks about an item or the hall instead: the look-up
    is dropped with what it gathered, not asked again after every answer.
    """
    if tracker.active_loop_name not in FORMS_ENDED_BY_GUIDE_QUESTION:
        return []
    return [*reset((*LOOKUP_SLOTS, FAILURES_SLOT)), ActiveLoop(None), SlotSet("requested_slot", None)]


def turned_to_item(tracker: Tracker) -> bool:
    """Whether a "no" or "stop" outside a form also names or describes another item than the one in context.

    "哦不对 不是新房 是人家住过几年的二手房", "算了 俺就一个人干 还是先弄个个体户吧": the citizen
    corrects or drops the matter in context for another one, which the guide then answers. A
    description counts when the catalogue is sure of its item or finds it likely
    (`bot.catalogue.linking.Evidence`).
    """
    text = tracker.latest_message.get("text") or ""
    if tracker.active_loop_name or not text.strip() or text.startswith("/"):
        return False
    in_context = item_in_context(tracker)
    named = [str(m.get("value") or "") for m in service_mentions(tracker)]
    if not named:  # the NLU links descriptions for item intents only: weigh this one here
        # a sure item, or one clearly ahead ("拉倒吧 公司也不注册了 开个炒菜馆": 开办餐饮店)
        best = get_catalogue().evidence(text).leading
        named = [best.name] if best is not None else []
    return any(name != in_context for name in named)


class ActionDeny(Action):
    """A "no" outside a form: the guide of the item turned to, if any, else ``utter_deny``."""

    response = "utter_deny"
    """The reply when the message turns to no other item."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_deny"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Answer the item the message turns to (`turned_to_item`), else utter `response`."""
        if turned_to_item(tracker):
            return await ActionGuide().run(dispatcher, tracker, domain, intent="ask_service_guide")
        dispatcher.utter_message(response=self.response)
        return []


class ActionStop(ActionDeny):
    """A "stop" with no form running: the guide of the item turned to, if any, else ``utter_stop``."""

    response = "utter_stop"

    def name(self) -> str:
        """The domain name of this action."""
        return "action_stop"
