"""TypedChoicePolicy: a typed reply to the guide's choices runs action_guide, whatever its intent."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.catalogue import get_catalogue
from bot.choice_policy import GUIDE_ACTION, TypedChoicePolicy
from bot.guide import aspect_buttons, did_you_mean, render
from bot.hall import get_hall
from bot.settings import PROJECT_ROOT

HOUSING = ["申请公租房一件事", "公积金提取一件事", "新建商品房转移登记一件事"]


@pytest.fixture(scope="module")
def domain() -> Domain:
    return Domain.load(str(PROJECT_ROOT / "domain.yml"))


@pytest.fixture()
def policy(tmp_path: Path) -> TypedChoicePolicy:
    config = {
        **TypedChoicePolicy.get_default_config(),
        "catalogue_dir": str(PROJECT_ROOT / "data" / "services"),
    }
    return TypedChoicePolicy.create(
        config,
        LocalModelStorage(tmp_path),
        Resource("typed_choice"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def choices(names: List[str]) -> BotUttered:
    catalogue = get_catalogue()
    reply = did_you_mean([catalogue.get(n) for n in names], "ask_service_guide")  # type: ignore[misc]
    return BotUttered(reply.text, data={"buttons": reply.buttons})


def conversation(
    domain: Domain, asked: BotUttered, text: str, intent: str, *after: Event
) -> DialogueStateTracker:
    events: List[Event] = [
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered("住房方面有啥政策", {"name": "ask_service_guide", "confidence": 0.9}),
        ActionExecuted(GUIDE_ACTION),
        asked,
        ActionExecuted(ACTION_LISTEN_NAME),
        UserUttered(text, {"name": intent, "confidence": 0.4}, parse_data={"entities": []}),
        *after,
    ]
    return DialogueStateTracker.from_events("choice", events, slots=domain.slots)


def predicted(policy: TypedChoicePolicy, tracker: DialogueStateTracker, domain: Domain) -> Optional[str]:
    prediction = policy.predict_action_probabilities(tracker, domain)
    if prediction.max_confidence <= 0:
        return None
    return domain.action_names_or_texts[prediction.probabilities.index(prediction.max_confidence)]


@pytest.mark.parametrize(
    ("text", "intent"),
    [("公积金那个", "query_appointment"), ("第二个", "affirm"), ("就是租政府房子的那个", "out_of_scope")],
)
def test_a_typed_choice_runs_the_guide_whatever_the_intent(
    policy: TypedChoicePolicy, domain: Domain, text: str, intent: str
) -> None:
    tracker = conversation(domain, choices(HOUSING), text, intent)
    assert predicted(policy, tracker, domain) == GUIDE_ACTION
    answered = conversation(domain, choices(HOUSING), text, intent, ActionExecuted(GUIDE_ACTION))
    assert predicted(policy, answered, domain) == ACTION_LISTEN_NAME


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("好的", "affirm"),
        ("查一下我的预约", "query_appointment"),
        ("/ask_fee", "ask_fee"),
        ("帮我约个时间办公积金提取", "book_appointment"),  # the booking form takes the item
    ],
)
def test_a_message_that_chooses_nothing_is_left_to_the_rules(
    policy: TypedChoicePolicy, domain: Domain, text: str, intent: str
) -> None:
    assert predicted(policy, conversation(domain, choices(HOUSING), text, intent), domain) is None


@pytest.mark.parametrize(("text", "intent"), [("有了", "stop"), ("我已经有license了", "query_appointment")])
def test_an_answer_in_own_words_to_a_situation_question_runs_the_guide(
    policy: TypedChoicePolicy, domain: Domain, text: str, intent: str
) -> None:
    """ "有了" after "请问您已经办好营业执照了吗？" answers it; the rules would have stopped or looked up."""
    reply = render(get_catalogue().get("开办药店一件事"), "materials", get_hall(), {})  # type: ignore[arg-type]
    asked = BotUttered(reply.text, data={"buttons": reply.buttons})
    assert predicted(policy, conversation(domain, asked, text, intent), domain) == GUIDE_ACTION
    assert predicted(policy, conversation(domain, asked, "不办了", "stop"), domain) is None


def test_a_guide_answers_own_buttons_only_suggest(policy: TypedChoicePolicy, domain: Domain) -> None:
    """ "流程太复杂了 我要投诉" holds the title 流程 of a guide answer's buttons: it stays a complaint."""
    item = get_catalogue().get(HOUSING[0])
    assert item is not None
    asked = BotUttered("…", data={"buttons": aspect_buttons(item, "overview")})
    assert predicted(policy, conversation(domain, asked, "流程太复杂了 我要投诉", "complain"), domain) is None


def test_nothing_is_predicted_while_a_form_is_active(policy: TypedChoicePolicy, domain: Domain) -> None:
    events: List[Any] = [ActiveLoop("appointment_form")]
    tracker = conversation(domain, choices(HOUSING), "公积金那个", "inform", *events)
    assert predicted(policy, tracker, domain) is None


def test_the_policy_loads_from_a_trained_model(tmp_path: Path, domain: Domain) -> None:
    storage = LocalModelStorage(tmp_path)
    context = ExecutionContext(GraphSchema({}), "test")
    config: Dict[str, Any] = TypedChoicePolicy.get_default_config()
    trained = TypedChoicePolicy.create(config, storage, Resource("typed_choice"), context)
    resource = trained.train([], domain)
    loaded = TypedChoicePolicy.load(config, storage, resource, context)
    assert loaded.priority > 6  # above RulePolicy


def test_the_greetings_suggestions_are_chosen_only_by_title_or_ordinal() -> None:
    """A question that merely resembles a suggested item is its own question (the FAQ action reads it too)."""
    from bot.choices import typed_choice
    from bot.hall import get_hall

    suggestions = [s.dict() for s in get_hall().suggestions]
    catalogue = get_catalogue()
    assert typed_choice(catalogue, "中午有休息时间不 十二点半过去能办不", suggestions) is None
    assert typed_choice(catalogue, "我想问问退休的事", suggestions, {"退休一件事"}) is None
    assert typed_choice(catalogue, "第二个", suggestions) == suggestions[1]
    assert typed_choice(catalogue, suggestions[2]["title"], suggestions) == suggestions[2]
