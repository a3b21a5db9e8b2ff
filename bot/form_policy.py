"""A dialogue policy: a day or time offered, or personal data withheld, goes to the form asking for it.

Asked "请问您想预约哪一天？", a citizen answers "明儿个上午中不中" or "后天下午可以吗" (a day with a
closing check), or "最早的". The intent model reads such a message without the question it answers, as a
question about the hall or the item (``ask_online``, ``ask_office_hours``), and the rules would
answer that question and ask for the day again. This policy sees the form and the slot it asks
for in the tracker; when the message offers a day or a time (`bot.timeparse.when_offered`), it
predicts the form itself, whose extraction reads the message as the answer
(`actions.form_helpers.is_answer`). Likewise "我不想给手机号" or "为啥要身份证号" while the form asks
for a name, a phone number or an ID number (`bot.booking_dialogue.withholds`), which the model may
read as a look-up: the form says what the data is for and the way without it. It has a higher
priority than ``RulePolicy`` and predicts nothing in every other case: no form asking for these,
a button's payload, or a step other than the one right after the message.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Dict, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bot.booking_dialogue import PERSONAL_QUESTIONS, withholds
from bot.timeparse import TIMEZONE, asks_for_the_earliest, when_offered
from bot.untrained_policy import UntrainedPolicy

WHEN_SLOTS = frozenset({"appointment_date", "appointment_time"})
"""The form questions a day or time answers."""
PRIORITY = 7
"""Above ``RulePolicy`` (6): the rule for the message's intent while a form is active must not win."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class WhenAnswerPolicy(UntrainedPolicy):
    """Predicts the active form for a day or time offered, or personal data withheld, while it asks for it."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The policy's priority."""
        return {"priority": PRIORITY}

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """The active form right after a message answering its question in these ways, else nothing."""
        probabilities = self._default_predictions(domain)
        form = tracker.active_loop_name
        asked = tracker.get_slot(REQUESTED_SLOT)
        if (
            form
            and tracker.latest_action_name == ACTION_LISTEN_NAME
            and (
                (asked in WHEN_SLOTS and offers_a_when(tracker))
                or (asked in PERSONAL_QUESTIONS and withholds(typed_text(tracker)))
            )
        ):
            probabilities[domain.index_for_action(form)] = 1.0
        return self._prediction(probabilities)


def typed_text(tracker: DialogueStateTracker) -> str:
    """The latest message's text as typed; empty for a button's payload ("/inform{…}")."""
    message = tracker.latest_message
    text = (message.text if message is not None else None) or ""
    return "" if text.startswith("/") else text


def offers_a_when(tracker: DialogueStateTracker) -> bool:
    """Whether the latest message, typed, offers a day or time, or asks for the earliest.

    Read by `bot.timeparse.when_offered` and `bot.timeparse.asks_for_the_earliest` ("最早的").
    """
    text = typed_text(tracker)
    if not text:
        return False
    return asks_for_the_earliest(text) or when_offered(text, dt.datetime.now(TIMEZONE)) is not None
