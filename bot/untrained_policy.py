"""The base of the project's dialogue policies that decide by rule, from the tracker alone.

Such a policy learns nothing from stories or rules: training writes an empty resource, so that a
trained model holds it and loads it like any policy (`bot.choice_policy.TypedChoicePolicy`,
`bot.form_policy.WhenAnswerPolicy`). Each subclass registers itself with Rasa's recipe and predicts.
"""

from __future__ import annotations

from typing import Any, List

from rasa.core.policies.policy import Policy, SupportedData
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.generator import TrackerWithCachedStates


class UntrainedPolicy(Policy):
    """A policy with nothing to learn."""

    @staticmethod
    def supported_data() -> SupportedData:
        """Learns nothing from stories or rules."""
        return SupportedData.ML_DATA

    def train(
        self, training_trackers: List[TrackerWithCachedStates], domain: Domain, **kwargs: Any
    ) -> Resource:
        """Nothing to learn; writes an empty resource so that the model loads it like any policy."""
        with self._model_storage.write_to(self._resource):
            pass
        return self._resource
