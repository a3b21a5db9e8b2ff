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


def test_rasa_waits_for_an_action_less_than_the_lock_lives() -> None:
    import rasa.core.actions.action as rasa_action
    from rasa.core import lock_store

    assert rasa_tuning.apply() is True
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT < lock_store.LOCK_LIFETIME


@pytest.mark.parametrize(
    "environ, lifetime, expected",
    [({}, 60, 20), ({"ACTION_TIMEOUT_SECONDS": "8"}, 60, 8), ({"ACTION_TIMEOUT_SECONDS": "59"}, 60, 59)],
)
def test_action_timeout_is_read_from_the_environment(environ, lifetime: int, expected: int) -> None:
    assert rasa_tuning.action_timeout(environ, lifetime) == expected


@pytest.mark.parametrize("value", ["60", "300", "0", "-1", "twenty", "2.5"])
def test_an_action_timeout_that_could_outlive_the_lock_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="ACTION_TIMEOUT_SECONDS"):
        rasa_tuning.action_timeout({"ACTION_TIMEOUT_SECONDS": value}, 60)
