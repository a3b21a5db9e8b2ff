"""WhenAnswerPolicy: a day or time offered while the booking form asks for one runs the form."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME, REQUESTED_SLOT
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.form_policy import WhenAnswerPolicy
from bot.settings import PROJECT_ROOT

FORM = "appointment_form"


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture()
def policy(tmp_path: Path) -> WhenAnswerPolicy:
    return WhenAnswerPolicy.create(
        WhenAnswerPolicy.get_default_config(),
        LocalModelStorage(tmp_path),
        Resource("when_answer"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def conversation(domain: Domain, asked: Optional[str], text: str, intent: str) -> DialogueStateTracker:
    events: List[Event] = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("我想预约办居住证", {"name": "book_appointment", "confidence": 0.9}),
        ActionExecuted(FORM),
        ActiveLoop(FORM),
        SlotSet(REQUESTED_SLOT, asked),
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": 0.6}),
    ]
    return DialogueStateTracker.from_events("when", events, slots=domain.slots)


def predicted(policy: WhenAnswerPolicy, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
    prediction = policy.predict_action_probabilities(tracker, domain)
    if prediction.max_confidence <= 0:
        return None
    return domain.action_names_or_texts[prediction.probabilities.index(prediction.max_confidence)]


@pytest.mark.parametrize(
    ("asked", "text", "intent"),
    [
        ("appointment_date", "明儿个上午中不中", "ask_online"),
        ("appointment_date", "后天下午可以吗", "ask_office_hours"),
        ("appointment_date", "最早的", "out_of_scope"),
        ("appointment_time", "9点半行吗", "faq"),
    ],
)
def test_a_day_or_time_offered_runs_the_form(
    policy: WhenAnswerPolicy, domain: Domain, asked: str, text: str, intent: str
) -> None:
    assert predicted(policy, conversation(domain, asked, text, intent), domain) == FORM


@pytest.mark.parametrize(("asked", "text"), [("phone", "我不想给手机号"), ("id_number", "为啥要身份证号")])
def test_personal_data_withheld_runs_the_form(
    policy: WhenAnswerPolicy, domain: Domain, asked: str, text: str
) -> None:
    assert predicted(policy, conversation(domain, asked, text, "query_appointment"), domain) == FORM


@pytest.mark.parametrize(
    ("asked", "text"),
    [
        ("appointment_date", "我不想给手机号"),  # withholding answers only a personal question
        ("appointment_date", "明天能办吗"),  # a question about the day, no day offered
        ("appointment_date", "/inform"),  # a button: the rules run the form anyway
        ("person_name", "明儿个上午中不中"),  # the form asks something else
        (None, "后天下午可以吗"),
    ],
)
def test_anything_else_is_left_to_the_rules(
    policy: WhenAnswerPolicy, domain: Domain, asked: Optional[str], text: str
) -> None:
    assert predicted(policy, conversation(domain, asked, text, "ask_online"), domain) is None


def test_the_policy_outranks_the_rules() -> None:
    assert WhenAnswerPolicy.get_default_config()["priority"] > 6
