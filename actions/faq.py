"""The hall's FAQ, the fallback and out-of-scope messages.

FAQ questions and messages the model was unsure of are answered by retrieval over the live FAQ
entries; an out-of-scope message gets the polite refusal unless it answers the guide's last
"您是想办理以下哪个事项？".
"""

from __future__ import annotations

import asyncio
import logging
import re
from typing import Any, Dict, Iterable, List, Optional, Tuple

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.form_helpers import (
    TOPIC_ENTITY,
    answered_as_staff_wrote,
    last_bot_card,
    last_bot_message,
    last_buttons,
    message_text,
    name_typed_in_pinyin,
    offer_entry,
)
from actions.guide import (
    ActionGuide,
    answer_in_context,
    answer_item,
    chosen_guide_button,
    intent_confidence,
    item_in_context,
    ranked_under_fallback,
    send,
    service_mentions,
)
from actions.hall import hall_answer
from bot.catalogue import ServiceItem, get_catalogue
from bot.catalogue.linking import fits
from bot.catalogue.search import SearchIndex, without_channels
from bot.choices import aspect_title_in_passing, names_another_item
from bot.faq import FAQ_TOPIC, GUIDE_INTENT_READ_AS_FAQ, UNSURE_SCORE, agreed_entry, decide, get_faq_store
from bot.faq_entries import FaqEntry, faq_card
from bot.guide import (
    CONTEXT_CUES,
    GUIDE_INTENTS,
    HALL_AS_A_WHOLE,
    HANDED_IN,
    INTENT_TO_ASPECT,
    NOTHING_FOUND,
    POINTING_CUES,
    agreement_gives_way,
    asks_for_someones_presence,
    asks_for_the_conditions,
    aspect_for_paper,
    did_you_mean,
    guide_intent_near_faq,
    item_behind_entry,
    item_instead_of_faq,
    item_question_near_faq,
    payload,
    subject_over_faq,
    tells_cannot_come,
    worded_aspect,
)
from bot.hall import get_hall
from bot.nlu.places import brought_here, elsewhere
from bot.unanswered import record_for_staff

logger = logging.getLogger(__name__)
UNSURE_OUT_OF_SCOPE = 0.35
"""Below this confidence an ``out_of_scope`` message the catalogue has good evidence about is
answered as a guide question ("房产证咋个办法", "公积金要咋样才能取出来"). Set on the held-out files: the
out-of-scope messages with catalogue evidence there score 0.38 or more when they name no other
place (like "老家许昌的房子想过户 上哪办"); those naming one are answered as such first."""

BROUGHT_HERE_OUT_OF_SCOPE = 0.5
"""Below this confidence an ``out_of_scope`` message about an item the catalogue leads to, which names
another place and ties the matter to here (`bot.nlu.places.brought_here`), is answered as a guide
question: the other place named is what the model read as another city's affair. Over it the model is
taken at its word; a message that names no other place ("郑州哪家饭店好吃") stays out of scope."""

WEAK_FAQ_CONFIDENCE = 0.35
"""Under this ``faq`` confidence, an FAQ entry retrieval is unsure of (`bot.faq.UNSURE_SCORE`), asked
right after a guide answer in words that lean on the item (evidence for it, or `bot.guide.CONTEXT_CUES`:
hearsay, a relative, 办完), gives way to the item in context: "俺兄弟俩都在南方 就剩我在郑州
我一个去能办完不" after 身后一件事 asks about the item, not about 跨省通办; "不满意办理结果 上哪儿反映"
keeps the complaint channels."""


def elsewhere_answer(place: str) -> str:
    """The reply to a question about ``place``'s affairs (`bot.nlu.places.elsewhere`)."""
    return (
        f"抱歉，{place}的政务服务事项需要向当地的政务服务中心咨询办理，也可以拨打当地的12345政务服务"
        "便民热线。高小新可以为您解答郑州高新区政务服务中心“一件事一次办”事项的办事指南、预约窗口和"
        "大厅信息；如果您想在高新区办理外地的业务，可以问我“跨省通办”。"
    )


def guide_intent_of_unsure(tracker: Tracker) -> Optional[str]:
    """The guide intent an unsure message most likely has, when it also names or describes an item.

    The intent model's best intent under the fallback (``intent_ranking``) must be a guide intent,
    and the message itself must carry a ``service`` entity (a name, or a description the linker was
    sure of): "社保卡补办" at ask_service_guide 0.30, just under the fallback threshold, is then
    answered from the item's guide instead of "没有完全理解". A message that names an item by its name
    or an alias (`bot.catalogue.Catalogue.mentioned_in`: "军人退役一件事 俺弟刚回来", ``inform``
    best) gets the item's overview, unless ``faq`` is best (retrieval answers that). Returns None
    otherwise.
    """
    if not service_mentions(tracker):
        return None
    best = next((r.get("name") for r in ranked_under_fallback(tracker)), None)
    if best in GUIDE_INTENTS:
        return str(best)
    text = str(tracker.latest_message.get("text") or "")
    named = not text.startswith("/") and get_catalogue().mentioned_in(text) is not None
    return "ask_service_guide" if named and best != "faq" else None


ITEM_FEE = re.compile(r"工本费|手续费|收费|收不收|要钱|要不要钱|多少钱|花钱|费用多少|交多少")
"""Words that ask what a matter costs ("工本费收不收"), not how to pay or get money back."""
CHANNEL_ENTRIES = ("zhenghaoban", "zhengwuwang")
"""FAQ entries about a channel for applying (the 郑好办 app, the 政务服务网 PC site): asked right after an
item's guide whether it can be done there (`ASKS_IF_DOABLE`: "在电脑上能直接提交吗"), the item's
online aspect answers, with the channel's entry a tap away."""
ASKS_IF_DOABLE = re.compile(
    r"(?:能|可以|可不可以|能不能|行不行|中不中)[^，,。？?]{0,6}?(?:办|申领|申请|弄(?!回)|提交|报名|登记|提取|交)"
    r"|(?:办|申领|申请|弄|提交|报名|登记|提取)[^，,。？?]{0,3}?(?:行不|行吗|中不|中吗|可以吗|能行)"
)
"""Words asking whether something can be done ("能直接申领吗", "用app弄行不"), not how a channel works
("郑好办怎么注册") or what it is; read without the channels' names (`without_channels`)."""
GUIDE_ASPECT_OF_FAQ_ENTRY = {"mianfei": "fee", "mianzheng": "materials", "weituo": "eligibility"}
"""FAQ entries that state a hall-wide rule the guide of each item states for that item: asked
right after a guide answer about that item ("补办卡收费不", "他身子骨不行出不了门 俺替他跑一趟中不中"), the
item's own fee, materials or conditions (who may apply) answer, with the hall-wide entry a tap away."""


def item_just_answered(tracker: Tracker) -> Optional[ServiceItem]:
    """The item in context when the bot's last reply was its guide answer or 个性指南 question, else None.

    A reply that found nothing for the message before (`bot.guide.NOTHING_FOUND`: a garbled "xyz是啥"
    not understood) left the item in context as it was: the reply before it counts.
    """
    item = get_catalogue().get(item_in_context(tracker) or "")
    found_nothing = str(last_bot_message(tracker).get("text") or "").startswith(NOTHING_FOUND)
    card = last_bot_card(tracker, back=1 if found_nothing else 0)
    if item is None or card.get("type") not in ("guide", "guide_question") or card.get("item_id") != item.id:
        return None
    return item


def guide_answer_instead(
    tracker: Tracker, entry: FaqEntry, score: float = 1.0, agreed: bool = False
) -> Optional[Tuple[ServiceItem, str]]:
    """The item and aspect to answer instead of ``entry``, when the question is about the item just answered.

    It is when the bot's last message was a guide answer (or 个性指南 question) about the item in context,
    the message names no item, and either ``entry`` states a rule each item's guide states for itself
    (`GUIDE_ASPECT_OF_FAQ_ENTRY`) and the message points at the item (it is evidence for it,
    `bot.catalogue.linking.fits`, or speaks of "this" or of a person, `bot.guide.POINTING_CUES`;
    "委托书咋写" does not) and names no paper the entry is about (`Catalogue.papers_in`: "我替他跑一趟
    委托书得按啥格式写" keeps 委托代办), or ``entry`` is the fee rule and the message says nothing of
    the hall as a whole (`bot.guide.HALL_AS_A_WHOLE`) and asks what it costs (`ITEM_FEE`: "要交工本费吗"
    asks the item's fee), or ``entry`` is a channel (`CHANNEL_ENTRIES`) the message asks whether the matter
    can be done through (`ASKS_IF_DOABLE`; the item's online aspect), or it is the rule on papers and the
    message names one (`bot.guide.HANDED_IN`) and no exemption (免), or the message is hearsay or about
    another person (`bot.guide.CONTEXT_CUES`) and is evidence for the item ("听人讲注销户口不用再去派出所了"
    after 身后一件事) and does not ask of the hall as a whole about an entry retrieval is sure of and the
    model agrees on, or it names one of the item's own papers (`bot.catalogue.Catalogue.papers_named`; one
    few items ask for, unless retrieval is unsure of ``entry``) and not the hall as a whole, ``entry`` being
    neither about that paper nor one retrieval is sure of and the model agrees on (its materials when it
    tells of trouble with the paper, `bot.guide.paper_trouble`, else the aspect asked), or retrieval is
    unsure of ``entry`` (``score`` under `bot.faq.UNSURE_SCORE`) and the intent model only weakly takes the
    message as ``faq`` (`WEAK_FAQ_CONFIDENCE`) in words that lean on the item, or it asks whether a person
    must come (`bot.guide.asks_for_someones_presence`: "我爱人也要一起到吗 她单位走不开" after
    新建商品房转移登记, "老人下不了床 一定要本人去吗" after 残疾人服务), or an aspect question comes near
    ``faq`` (`bot.guide.GIVE_WAY_SHARE`) and ``entry`` is not one the model's topic and retrieval agree on
    (``agreed``) and retrieval is sure of: the matter at hand, not the hall's rule. The aspect answered is
    that of the aspect question near ``faq``, else the conditions for a question who may do it or
    whether the money may be drawn (`bot.guide.asks_for_the_conditions`), else the overview
    ("有人说 在网上申请完钱马上就到 靠谱不" after 公积金提取: its online channels).
    Returns None otherwise.
    """
    text = message_text(tracker)
    catalogue = get_catalogue()
    item = item_just_answered(tracker)
    if item is None or tracker.active_loop_name or service_mentions(tracker) or not text:
        return None
    evidence = fits(catalogue, item, text)
    # "我替他跑一趟 委托书得按啥格式写": the paper the entry is about (委托书) asked of, not the matter
    of_its_paper = any(word in entry.title for word in catalogue.papers_in(text))
    if (
        entry.id in GUIDE_ASPECT_OF_FAQ_ENTRY
        and (evidence or any(cue in text for cue in POINTING_CUES))
        and not of_its_paper
    ):
        # the aspect the words ask for ("俺替俺娘跑一趟 得拿些啥": materials), else the entry's own
        return item, worded_aspect(text) or GUIDE_ASPECT_OF_FAQ_ENTRY[entry.id]
    rule = GUIDE_ASPECT_OF_FAQ_ENTRY.get(entry.id)
    if rule == "fee" and ITEM_FEE.search(text) and HALL_AS_A_WHOLE.search(text) is None:
        # "收工本费不" right after the item's guide: its own fee, unless the hall as a whole is asked of;
        # paying by card, refunds or receipts ("交费能刷卡不") stay the hall's answer
        return item, "fee"
    unnamed = without_channels(text)  # 办 of 郑好办, 政务服务 of 政务服务网 ask nothing
    if (
        entry.id in CHANNEL_ENTRIES
        and ASKS_IF_DOABLE.search(unnamed)
        and HALL_AS_A_WHOLE.search(unnamed) is None
    ):
        # "财务在电脑上能直接提交不" right after the item's guide: whether the item can be done online
        return item, "online"
    if rule == "materials" and any(noun in text for noun in HANDED_IN) and "免" not in text:
        # "开不出那个证明咋弄" right after the item's guide: a paper of the item's own materials
        return item, "materials"
    # right after a guide answer, an aspect question near faq is a follow-up about the item unless
    # the FAQ is sure and agreed and the message no evidence for the item ("取号要等多久"):
    # "郑好办手机上可以申领不" after 社会保障卡 (ask_online near faq)
    intent, _ = guide_intent_near_faq(tracker.latest_message.get("intent_ranking") or [], overview=False)
    aspect = INTENT_TO_ASPECT[intent] if intent is not None else "overview"
    # "俺爹下不了床 叫俺妹去窗口办行不行": who may apply, the item's conditions, when the item answers
    # ("俺爹腿脚不中，来不了咋办" is answered how it is done without coming: `answer_item`)
    answered = "eligibility" if aspect == "overview" and asks_for_the_conditions(text) else aspect
    sure_of_entry = agreed and score >= UNSURE_SCORE
    # a paper few items ask for (发票, 结婚证) unless retrieval is sure of an entry the model agrees on;
    # one nearly every item asks for (身份证) only when retrieval is unsure of its entry
    papers = catalogue.papers_named(item, text, distinctive=score >= UNSURE_SCORE)
    if (
        papers
        and not sure_of_entry
        and HALL_AS_A_WHOLE.search(text) is None
        and not any(paper in entry.title for paper in papers)
    ):
        # "出生医学证明医院还没给 能不能先受理" after 新生儿出生: one of the item's own papers, not the
        # hall's rule on missing papers; an entry about that very paper stays (授权委托书的模板: 委托代办)
        return item, aspect_for_paper(catalogue, item, text, answered, guessed=False)
    cued = any(cue in text for cue in CONTEXT_CUES)
    if evidence and cued and not (sure_of_entry and HALL_AS_A_WHOLE.search(text)):
        # "俺爸也得去吗 他腿脚不好" after 残疾人服务: the matter at hand; but what the hall as a whole
        # offers ("大厅有没有给老人优先的") stays the entry retrieval is sure of and the model agrees on
        return item, answered
    read_as_faq = (tracker.latest_message.get("intent") or {}).get("name") == "faq"
    weak = read_as_faq and intent_confidence(tracker) < WEAK_FAQ_CONFIDENCE and (evidence or cued)
    if score < UNSURE_SCORE and (weak or asks_for_someones_presence(text)):
        return item, answered
    if aspect != "overview" and (evidence or not sure_of_entry):
        return item, answered
    return None


def read_first_after_guide(tracker: Tracker) -> Optional[str]:
    """The aspect question read first (`bot.faq.GUIDE_INTENT_READ_AS_FAQ`) right after the item's guide.

    Read without context, a short question whether something costs money may be the hall's; right
    after the guide of the item in context it is that item's, unless it names the hall as a whole
    (`bot.guide.HALL_AS_A_WHOLE`: "你们这复印收费吗"). An overview question (``ask_service_guide``) is
    left to retrieval: asking whether there are guides at all asks the hall, not the item's overview
    again. None otherwise, and when the bot's last reply was no guide answer about that item.
    """
    read_first = str(tracker.latest_message.get(GUIDE_INTENT_READ_AS_FAQ) or "")
    if read_first not in GUIDE_INTENTS or read_first == "ask_service_guide":
        return None
    if HALL_AS_A_WHOLE.search(message_text(tracker)) or item_just_answered(tracker) is None:
        return None
    return read_first


def guide_question_instead(tracker: Tracker, score: float, on_entry: bool) -> Optional[str]:
    """The guide intent to answer the latest message with instead of the FAQ entry retrieval found.

    The rule is `bot.guide.item_question_near_faq` (shared with ``make eval``). ``score`` is
    retrieval's for the entry, ``on_entry`` whether the model's FAQ topic names it too (whatever
    the message names). None otherwise (no typed message, a form open).
    """
    text = message_text(tracker)
    if not text or tracker.active_loop_name:
        return None
    near, _ = guide_intent_near_faq(tracker.latest_message.get("intent_ranking") or [])
    mentioned = bool(service_mentions(tracker))
    if item_question_near_faq(get_catalogue(), text, near, mentioned, score, on_entry):
        return near
    return None


def entry_speaks_of(entry: FaqEntry, words: Iterable[str]) -> bool:
    """Whether ``entry``'s title or one of its questions holds one of ``words`` (a subject: 补贴)."""
    return any(word in text for word in words for text in (entry.title, *entry.questions))


def chosen_topic(tracker: Tracker) -> str:
    """The FAQ id a tapped "您是不是想问" button sent, or an empty string."""
    return str(next(tracker.get_latest_entity_values(TOPIC_ENTITY), "") or "")


class ActionFaq(Action):
    """Answers a FAQ question (or a message the model was unsure of) from the current entries."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_faq"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """Answer with the best entry, offer near misses as buttons, or ask to rephrase.

        A message the NLU was unsure of (``nlu_fallback``) that leans on the item in context is
        answered from that item's guide first (`actions.guide.answer_in_context`); so is an FAQ
        question no entry answers. An unsure message that names or describes an item, with a guide
        intent best under the fallback, is answered as that guide question
        (`guide_intent_of_unsure`). An entry retrieval is unsure of, or no entry at all, gives way
        to a guide question (`ActionGuide`, which also weighs the item in context) when the catalogue
        names, is sure of or leans to an item (`bot.guide.item_instead_of_faq`), or when the items
        the message may be about include the item in context. A guide question the intent model
        read as ``faq`` only for want of a matter, asked right after the guide of the item in
        context, is answered as that guide question (`read_first_after_guide`). An entry retrieval
        is sure of only through pieces of an item's own term gives way to that item's guide
        (`bot.guide.item_behind_entry`: "护理补贴要怎么申请" is not about 惠企政策兑现). Nothing is
        said for a name typed in pinyin that answers the booking form ("zhang hao" is no question
        about 账号: `actions.form_helpers.name_typed_in_pinyin`).
        """
        if name_typed_in_pinyin(tracker):
            return []
        index = get_faq_store().current()
        topic = chosen_topic(tracker)
        entry = index.get(topic) if topic else None
        score = 1.0  # how sure retrieval is of the entry (a tapped topic: sure)
        agreed = False  # the model's FAQ topic and retrieval name the same entry, no item named
        on_entry = False  # the model's FAQ topic and retrieval name the same entry
        unsure = (tracker.latest_message.get("intent") or {}).get("name") == "nlu_fallback"
        text = message_text(tracker)
        chosen = chosen_guide_button(tracker) if entry is None else None
        if chosen is not None and (unsure or not aspect_title_in_passing(text, chosen)):
            # a typed answer to the guide's last question ("公积金那个" after "您是想办理…"); an aspect
            # button's title inside a question read as faq is no tap ("有份证明材料没开好 能先收件不")
            return await ActionGuide().run(dispatcher, tracker, domain)
        read_first = read_first_after_guide(tracker) if entry is None and not unsure else None
        if read_first is not None:
            # a question naming no matter right after an item's guide (whether a lost receipt still
            # counts): the guide question the model read first, which the guide action weighs
            # against the item in context (`bot.guide.choose_item`)
            return await ActionGuide().run(dispatcher, tracker, domain, intent=read_first)
        if entry is None and names_another_item(get_catalogue(), text, last_buttons(tracker)) is not None:
            # the answer to "您是想办理…" names an item not offered: that item, not an FAQ entry
            near, _ = guide_intent_near_faq(tracker.latest_message.get("intent_ranking") or [])
            return await ActionGuide().run(dispatcher, tracker, domain, intent=near or "ask_service_guide")
        if entry is None and unsure:
            in_context = answer_in_context(dispatcher, tracker)
            if in_context is not None:
                return in_context
            guessed = guide_intent_of_unsure(tracker)
            if guessed is not None:
                return await ActionGuide().run(dispatcher, tracker, domain, intent=guessed)
        if entry is None:
            text = tracker.latest_message.get("text") or ""
            typed = "" if text.startswith("/") else text
            matches = index.search(typed)
            decision = decide(matches)
            entry, score = decision.entry, decision.score
            # the intent model's FAQ topic and retrieval agree on the entry, and the message names no item
            modelled = agreed_entry(matches, tracker.latest_message.get(FAQ_TOPIC))
            on_entry = modelled is not None
            agreed = on_entry and not service_mentions(tracker)
            if agreed and agreement_gives_way(
                get_catalogue(), typed, matches, tracker.latest_message.get(FAQ_TOPIC)
            ):
                agreed = False  # weakly agreed on an entry the message only brushes, an item led to
            if entry is None and not unsure:
                in_context = answer_in_context(dispatcher, tracker)
                if in_context is not None:
                    return in_context
            catalogue = get_catalogue()
            # retrieval unsure of its entry, or finding none: the catalogue may know the matter
            doubtful = not agreed and (decision.unsure or entry is None)
            described = catalogue.evidence(typed) if doubtful and typed.strip() else None
            # "二手房买好了得过户" the model could not place, "俺爹走路得拄拐 …听说能评个等级" it took for an
            # FAQ no entry answers: the catalogue names, is sure of or leans to an item; "社保咋交"
            # after 员工录用: the item at hand is among those the message may be about. The guide
            # action weighs the item in context against the others (`bot.guide.choose_item`).
            at_hand = item_in_context(tracker)
            if described is not None and (
                item_instead_of_faq(catalogue, typed, described)
                or (
                    entry is None
                    and not tracker.active_loop_name
                    and any(item.name == at_hand for item in described.choices)
                )
            ):
                return await ActionGuide().run(dispatcher, tracker, domain, intent="ask_service_guide")
            if typed.strip() and (entry is None or decision.unsure):
                await asyncio.to_thread(record_for_staff, typed, decision, index)
            if (
                entry is None
                and described is not None
                and described.choices
                and (described.score >= SearchIndex.min_score or not decision.choices)
            ):
                # "想开家卖药的小店 麻烦不麻烦": close items, offered rather than "没有完全理解"; items found
                # only by a broad subject give way to FAQ near misses
                send(dispatcher, did_you_mean(described.choices, "ask_service_guide"))
                return []
            if entry is None and decision.choices:
                dispatcher.utter_message(
                    text="您是不是想问以下问题？请点击选择：",
                    buttons=[
                        {"title": choice.title, "payload": payload("faq", **{TOPIC_ENTITY: choice.id})}
                        for choice in decision.choices
                    ],
                )
                return []
        if entry is None:
            dispatcher.utter_message(response="utter_default")
            return []
        typed = "" if text.startswith("/") else text
        model_topic = tracker.latest_message.get(FAQ_TOPIC)
        if (
            not topic
            and item_in_context(tracker) is None
            and subject_over_faq(get_catalogue(), typed, model_topic)
        ):
            # "办执照": a broad subject alone offers the items under it, not 电子证照; "听说政府发补贴
            # 俺能领不" the items paying it, and 惠企政策兑现, which speaks of 补贴 too, a tap away
            events = await ActionGuide().run(dispatcher, tracker, domain, intent="ask_service_guide")
            if entry_speaks_of(entry, get_catalogue().subjects(typed)):
                offer_entry(dispatcher, entry, lead="您要问的如果是下面这个问题，也可以点击查看：")
            return events
        asked = None if topic else guide_question_instead(tracker, score, on_entry)
        if asked is not None:
            events = await ActionGuide().run(dispatcher, tracker, domain, intent=asked)
            offer_entry(dispatcher, entry)
            return events
        instead = None if topic else guide_answer_instead(tracker, entry, score, agreed)
        if instead is not None:
            item, aspect = instead
            events = answer_item(dispatcher, tracker, item, aspect)
            if not tells_cannot_come(typed):  # else the rule on doing it by proxy is offered instead
                offer_entry(dispatcher, entry)
            return events
        if not topic and score >= UNSURE_SCORE and typed.strip() and HALL_AS_A_WHOLE.search(typed) is None:
            behind = item_behind_entry(get_catalogue(), typed, entry, score, index.search)
            if behind is not None:
                # "护理补贴要怎么申请": the entry (惠企政策兑现) stood on pieces of the item's own term
                near, _ = guide_intent_near_faq(tracker.latest_message.get("intent_ranking") or [])
                events = await ActionGuide().run(
                    dispatcher, tracker, domain, intent=near or "ask_service_guide"
                )
                offer_entry(dispatcher, entry)
                return events
        hall = get_hall()
        if entry.id == hall.hours_faq:
            # "中午吃饭那会儿有人吗 一点来能办吗": the opening hours first, as an opening-hours question gets
            # them before this entry (`actions.hall.ActionHallInfo`)
            card = {"type": "hall", "topic": "ask_office_hours"}
            dispatcher.utter_message(text=hall_answer("ask_office_hours", hall), json_message=card)
        dispatcher.utter_message(text=entry.cited_answer(), json_message=faq_card(entry))
        return []


class ActionOutOfScope(Action):
    """Says politely what 高小新 can do, unless the message picks one of the items just offered."""

    def name(self) -> str:
        """The domain name of this action."""
        return "action_out_of_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[str, Any]
    ) -> List[Dict[str, Any]]:
        """The chosen item's guide ("弄吃哩 炒菜馆" after "您是想办理…？"), else ``utter_out_of_scope``.

        A message leaning on the item in context ("听说得等好几年才能排上 真哩假哩" after 公租房) gets
        that item's guide instead (`actions.guide.answer_in_context`); so does one about an item
        the catalogue has good evidence for, when the model is unsure (`UNSURE_OUT_OF_SCOPE`), or
        when the matter was begun in another place and brought here (`BROUGHT_HERE_OUT_OF_SCOPE`).
        """
        if chosen_guide_button(tracker) is not None:
            return await ActionGuide().run(dispatcher, tracker, domain)
        if answered_as_staff_wrote(dispatcher, tracker):
            return []  # "大厅有没有自动售货机", added by staff since the model was trained
        text = tracker.latest_message.get("text") or ""
        typed = bool(text.strip()) and not text.startswith("/")
        evidence = get_catalogue().evidence(text) if typed else None
        place = elsewhere(text)
        if place is not None and evidence is not None and evidence.candidates:
            # "杭州注册个公司都要带啥材料": another place's affair, not leaning on anything here;
            # "去上海的火车票在哪订", about no matter of the catalogue, is out of scope wherever it is
            dispatcher.utter_message(text=elsewhere_answer(place))
            return []
        in_context = answer_in_context(dispatcher, tracker)
        if in_context is not None:
            return in_context
        brought = (
            evidence is not None
            and evidence.leading is not None
            and intent_confidence(tracker) < BROUGHT_HERE_OUT_OF_SCOPE
            and brought_here(text)
        )
        if evidence is not None and evidence.good and (unsure_out_of_scope(tracker) or brought):
            # "房产证咋个办法": more likely a guide question the model could not place; so is
            # an affair begun in another place and brought here, about an item the catalogue leads
            # to ("在北京住的院 回郑州了 垫的医药费咋报": the other city is what the model read)
            return await ActionGuide().run(dispatcher, tracker, domain, intent="ask_service_guide")
        dispatcher.utter_message(response="utter_out_of_scope")
        return []


def unsure_out_of_scope(tracker: Tracker) -> bool:
    """Whether the NLU's ``out_of_scope`` for the latest message is under `UNSURE_OUT_OF_SCOPE`."""
    return intent_confidence(tracker) < UNSURE_OUT_OF_SCOPE
