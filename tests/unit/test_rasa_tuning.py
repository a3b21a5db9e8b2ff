"""The cached action-response validation accepts and rejects exactly what Rasa's own does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_tuning

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "service", "value": "退休一件事"}], "responses": [{"text": "好"}]},
    {"events": [{"event": "followup", "name": "appointment_form"}], "responses": []},
]
BAD = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [], "responses": "text"},
    {"events": [{"event": "no_such_event"}], "responses": []},
]


def test_applied_on_this_rasa_version() -> None:
    assert rasa_tuning.apply() is True
    assert RemoteAction._validate_action_result is rasa_tuning.validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result) -> None:
    assert rasa_tuning.ORIGINAL_VALIDATION(RemoteAction, result) is True
    assert rasa_tuning.validate_action_result(RemoteAction, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_fail_both(result) -> None:
    with pytest.raises(jsonschema.ValidationError):
        rasa_tuning.ORIGINAL_VALIDATION(RemoteAction, result)
    with pytest.raises(jsonschema.ValidationError):
        rasa_tuning.validate_action_result(RemoteAction, result)
