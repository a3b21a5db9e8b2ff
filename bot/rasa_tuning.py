"""A per-turn saving in the Rasa 3.6 server process, applied when the ``gxx`` channel is loaded.

Rasa 3.6 validates every action server response with ``jsonschema.validate``, which checks the
schema itself and builds a new validator on each call; profiling the server under load showed
that about a third of its CPU per turn went there. The same validation with a validator built
once gives the same result, errors included. Rasa 3.7 and later cache it themselves, so the
patch applies only to the 3.6 line it was measured on.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

import rasa
from jsonschema import exceptions, validators
from rasa.core.actions.action import RemoteAction

ORIGINAL_VALIDATION = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """The validator of action server responses, built and schema-checked once."""
    spec = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's own check of an action server response, with the validator built once."""
    error = exceptions.best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        "Action endpoint is valid."
    )
    raise error


def apply() -> bool:
    """Install the cached validation on Rasa 3.6; return whether it was installed."""
    if not rasa.__version__.startswith("3.6."):
        return False
    RemoteAction._validate_action_result = validate_action_result
    return True
