"""A dialogue policy: a typed reply to the guide's buttons is answered as if the button were tapped.

After "您是想办理以下哪个事项？" a citizen answers in their own words: "公积金那个", "是要注销那个",
"卖吃的 小馆子". The intent model reads such a reply without the question it answers, so it may
take it for ``query_appointment``, ``affirm`` or ``out_of_scope``, and the rules would then run the
wrong action. This policy sees the bot's last buttons in the tracker; when the typed message
chooses one of its guide buttons (`bot.choices.typed_choice`, the same reading as the action's), it
predicts ``action_guide``, which answers as the tapped button would, and then ``action_listen``.
It has a higher priority than ``RulePolicy`` and predicts nothing in every other case: after a
guide answer's own buttons (材料, 流程 …, which only suggest what to ask next: "流程太复杂了 我要
投诉" stays a complaint), nor while a form is active (the forms read typed answers to their own
buttons), nor for a booking request ("帮我约个时间办退休" books the item it names: the booking form
takes the item from the message).
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional

from rasa.core.policies.policy import PolicyPrediction
from rasa.engine.graph import ExecutionContext
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.catalogue.live import live_catalogue
from bot.choices import asks_a_choice, typed_choice
from bot.untrained_policy import UntrainedPolicy

logger = logging.getLogger(__name__)

GUIDE_ACTION = "action_guide"
BOOKING_INTENT = "book_appointment"
_NEXT = {ACTION_LISTEN_NAME: GUIDE_ACTION, GUIDE_ACTION: ACTION_LISTEN_NAME}
"""The action this policy predicts after each of these, when the message chooses a button."""
PRIORITY = 7
"""Above ``RulePolicy`` (6): a rule for the reply's intent ("affirm → utter_affirm") must not win."""


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class TypedChoicePolicy(UntrainedPolicy):
    """Predicts ``action_guide`` for a typed message that chooses one of the guide's last buttons."""

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        """The catalogue's folder (relative to the working directory) and the policy's priority."""
        return {"catalogue_dir": "data/services", "priority": PRIORITY}

    def __init__(
        self,
        config: Dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        featurizer: Optional[Any] = None,
    ) -> None:
        super().__init__(config, model_storage, resource, execution_context, featurizer)
        self.catalogue_dir = str(config.get("catalogue_dir", "data/services"))

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Optional[Dict[str, Any]] = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """``action_guide`` after a typed choice, ``action_listen`` once it has answered, else nothing."""
        probabilities = self._default_predictions(domain)
        # only the step right after the message, and the one after action_guide, are ours: the
        # message is read there alone, not at every step of every turn
        wanted = _NEXT.get(tracker.latest_action_name or "")
        if wanted is None or tracker.active_loop_name or not self._answers_buttons(tracker):
            return self._prediction(probabilities)
        probabilities[domain.index_for_action(wanted)] = 1.0
        return self._prediction(probabilities)

    def _answers_buttons(self, tracker: DialogueStateTracker) -> bool:
        """Whether the latest user message, typed, chooses one of the guide buttons asked before it."""
        message = tracker.latest_message
        text = (message.text if message is not None else None) or ""
        if not text or text.startswith("/"):
            return False
        if (message.intent or {}).get("name") == BOOKING_INTENT:
            return False
        buttons = _buttons_before_latest_user_message(tracker)
        if not asks_a_choice(buttons):
            return False
        mentioned = {
            str(e.get("value") or "") for e in message.entities or [] if e.get("entity") == "service"
        }
        catalogue = live_catalogue(self.catalogue_dir).current()
        return typed_choice(catalogue, text, buttons, mentioned) is not None


def _buttons_before_latest_user_message(tracker: DialogueStateTracker) -> List[Dict[str, Any]]:
    """The buttons of the bot's last message before the latest user message (none if it had none)."""
    seen_user = False
    for event in reversed(tracker.events):
        if isinstance(event, UserUttered):
            if seen_user:
                return []
            seen_user = True
        elif seen_user and isinstance(event, BotUttered):
            return [b for b in event.data.get("buttons") or [] if isinstance(b, dict)]
    return []
