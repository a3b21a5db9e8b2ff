"""Which of the guide's last buttons a typed message means: the same answer as tapping it.

Pure domain logic shared by the action server (`actions.guide.chosen_guide_button`) and Rasa's
dialogue policy (`bot.choice_policy.TypedChoicePolicy`), so that both read a typed reply to
"您是想办理以下哪个事项？" or to a 个性指南 question the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Optional

from bot.booking_dialogue import choose_button
from bot.catalogue import Catalogue, ServiceItem
from bot.guide import ASKING, ASPECTS, INTENT_TO_ASPECT, SWITCH_CUES
from bot.situations import told_option

Button = Mapping[str, Any]


def button_intent(button: Button) -> str:
    """The intent a button's payload sends ("/ask_fee{…}" → ask_fee), or an empty string."""
    match = re.match(r"/(\w+)", str(button.get("payload") or ""))
    return match.group(1) if match else ""


def button_entity(button: Button, entity: str) -> str:
    """The value of one entity a button's payload sends ("service", "situation"), or an empty string."""
    payload = str(button.get("payload") or "")
    try:
        values = json.loads(payload[payload.index("{") :]) if "{" in payload else {}
    except ValueError:
        return ""
    return str(values.get(entity) or "") if isinstance(values, dict) else ""


def button_service(button: Button) -> str:
    """The ``service`` entity a button's payload sends, or an empty string."""
    return button_entity(button, "service")


SHORT_ANSWER = 2
"""The longest reply ("没", "不是", "没有") read as a yes or no to a 个性指南 question though it looks like a
question (`bot.guide.ASKING`: a closing 不 or 没)."""


def told_situation(catalogue: Catalogue, text: str, buttons: Sequence[Button]) -> Optional[Button]:
    """The 个性指南 answer button a reply in the citizen's own words gives ("有了", "单位帮办").

    Only when the buttons are the options of one 个性指南 question of one item (`bot.guide.
    situation_buttons`), and the reply asks nothing (`bot.guide.ASKING`, a closing 呢 aside, unless
    it is a yes or no of two characters at most: "没", "不是"): "换新卡收钱不" asks the fee and "明天
    郑州下雨不" the weather, whatever option their words name. Read by `bot.situations.told_option`.
    """
    statement = text.replace("呢", "")
    if ASKING.search(statement) is not None and len(re.sub(r"\W", "", statement)) > SHORT_ANSWER:
        return None
    answers = {button_entity(b, "situation"): b for b in buttons}
    services = {button_service(b) for b in buttons}
    keys = {answer.partition("=")[0] for answer in answers}
    item = catalogue.get(services.pop()) if len(services) == 1 else None
    situation = item.situation(keys.pop()) if item is not None and len(keys) == 1 else None
    if item is None or situation is None or "" in answers:
        return None
    option = told_option(item, situation, text)
    return answers.get(f"{situation.key}={option}") if option is not None else None


def asks_a_choice(buttons: Sequence[Button]) -> bool:
    """Whether guide buttons ask the citizen to choose: between two or more items, or a 个性指南 answer.

    Choices between items ask one question of each (every button sends the same intent). A guide
    answer's own buttons (材料, 流程 … of one item) and the greeting's suggestions (different
    questions about different items) only suggest what to ask next.
    """
    guide = [b for b in buttons if button_intent(b) in INTENT_TO_ASPECT]
    items = {button_service(b) for b in guide} - {""}
    one_question = len({button_intent(b) for b in guide}) == 1
    return (one_question and len(items) >= 2) or any(
        "situation" in str(b.get("payload") or "") for b in guide
    )


ASPECT_TITLES = frozenset(label for _, label in ASPECTS.values())
"""The titles of the guide's aspect buttons (材料, 流程 …; `bot.guide.aspect_buttons`)."""
ASPECT_TAP_REST = 6
"""How many characters besides an aspect button's title (材料, 流程 …) a typed message may hold and still
be that tap ("那材料都有哪些呀") when the intent model reads it as ``faq``; a longer one asks its own
question ("有份证明材料没开好 能先收件不 回头再交" asks the hall's rule on a missing paper)."""
_PAUSES = re.compile(r"[\s，,。.!！?？~～、]")


def aspect_title_in_passing(text: str, button: Button) -> bool:
    """Whether ``text`` holds an aspect button's title only in passing, in a question of its own.

    An aspect button (`ASPECT_TITLES`, no 个性指南 ``situation`` in its payload) whose title the
    message holds with more than `ASPECT_TAP_REST` other characters, pauses aside; a 个性指南 answer
    or an item typed in a sentence ("俺是外地户籍的 在这边上班好几年了") is still that answer.
    """
    title = str(button.get("title") or "")
    if "situation" in str(button.get("payload") or "") or title not in ASPECT_TITLES:
        return False
    return bool(title) and title in text and len(_PAUSES.sub("", text)) - len(title) > ASPECT_TAP_REST


def names_another_item(catalogue: Catalogue, text: str, buttons: Sequence[Button]) -> Optional[ServiceItem]:
    """The item a typed answer to a choice between items names by name or alias, when none offered is it.

    "想办个证" gets six items to choose from; "我问的是外省人要办的居住证" answers the question with an
    item not among them (`Catalogue.mentioned_in`) that the catalogue's evidence for the whole
    message also leads to (`Catalogue.evidence`). ``None`` when the last buttons ask no choice
    between two or more items (`asks_a_choice`; a 个性指南 question about one item is no such
    choice), the message names no item, names one of those offered (`typed_choice` takes that) or
    names one only in passing ("俺是他闺女 俺爹有退休金" names 退休 but is about the matter at hand).
    """
    offered = {button_service(b) for b in buttons} - {""}
    if not text.strip() or text.startswith("/") or len(offered) < 2 or not asks_a_choice(buttons):
        return None
    item = catalogue.mentioned_in(text)
    if item is None or item.name in offered or catalogue.evidence(text).leading != item:
        return None
    return item


def typed_choice(
    catalogue: Catalogue, text: str, buttons: Sequence[Button], mentioned: Collection[str] = ()
) -> Optional[Button]:
    """The guide button (an item, an aspect or a 个性指南 answer) a typed ``text`` chooses, if any.

    Chosen by `bot.booking_dialogue.choose_button` ("第二个", "公积金那个", a title) unless the
    message names an item the button is not about ("居住证已经拿到手了 下一步申请公租房得够啥条件"
    holds the title 条件 of 居住证's buttons); or, when the one button is a lone item offered ("您是想办理…"
    or the alternative beside a likely item's answer), by naming that item in a message that asks
    nothing (`bot.guide.ASKING`); or, among buttons asking to choose between two or more items
    (`asks_a_choice`), by naming exactly one of them (``mentioned``: the items the NLU linked) or by
    words that point to one of them rather than the others (`Catalogue.choose_among`: "卖吃的 小馆子"
    after 个体工商户/开办餐饮店/开办药店). Buttons that are not guide questions (booking, FAQ topics)
    are never chosen here.

    Args:
        catalogue: the items.
        text: what the citizen typed (a payload starting with "/" chooses nothing here).
        buttons: the buttons of the bot's last message.
        mentioned: canonical names of the items the message names or describes.

    Returns:
        The chosen button, or None.

    """
    if not text.strip() or text.startswith("/"):
        return None
    guide = [b for b in buttons if button_intent(b) in INTENT_TO_ASPECT]
    if not guide:
        return None
    named_items = set(mentioned)
    chosen = choose_button(text, [dict(b) for b in guide])
    if chosen is not None and not named_items - {button_service(chosen)}:
        return chosen
    told = told_situation(catalogue, text, guide)
    named_by_name = catalogue.mentioned_in(text) if told is not None else None
    turns_away = any(cue in text for cue in SWITCH_CUES)  # "不光改名 还要把注册地…迁到高新区来"
    if (
        told is not None
        and not turns_away
        and (named_by_name is None or named_by_name.name == button_service(told))
    ):
        # "俺是驻马店哩，户口一直没迁过来": an answer in own words, whose words may describe another item
        # (迁 of 企业迁移登记) but name none and turn to none
        return told
    offered = {button_service(b): b for b in guide if button_service(b)}
    if len(guide) == 1 and len(offered) == 1 and named_items == set(offered) and not ASKING.search(text):
        # "您是想办理以下哪个事项？" with one item offered, answered by naming it ("就是盖厂房要办
        # 施工许可证"); a question naming it ("开公司周六能去办吗") asks its own
        return guide[0]
    if len(offered) < 2 or not asks_a_choice(guide):
        # the aspects of one item, or the greeting's suggestions of different questions about
        # different items: a message that merely resembles one of them ("中午窗口有人不" and 办退休)
        # asks its own question
        return None
    named = named_items & set(offered)
    if len(named) == 1:
        return offered[named.pop()]
    items = [item for item in (catalogue.get(name) for name in offered) if item is not None]
    meant = catalogue.choose_among(text, items)
    return offered.get(meant.name) if meant is not None else None
