"""The sequential graph runner gives what Rasa's dask runner gives, on the trained model."""

from pathlib import Path
from typing import Any, Dict, List, Tuple

import pytest
from rasa.core.channels.channel import UserMessage
from rasa.engine import loader
from rasa.engine.exceptions import GraphRunError
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.graph_runner import SequentialGraphRunner

pytestmark = pytest.mark.slow

MESSAGES = [
    "你好",
    "退休一件事要带什么材料",
    "那要多久能办好",
    "我想预约明天上午 手机 138-6790-5678",
    "容缺受理是什么意思",
    "今天天气怎么样",
    "？？？",
    "闺女刚满月 医保咋弄",
]


@pytest.fixture(scope="module")
def runners(trained_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Tuple[Any, Any, Any]:
    """The model loaded twice: with Rasa's runner and with the sequential one."""
    loaded = []
    for runner_class in (DaskGraphRunner, SequentialGraphRunner):
        metadata, runner = loader.load_predict_graph_runner(
            tmp_path_factory.mktemp(runner_class.__name__), trained_model, LocalModelStorage, runner_class
        )
        loaded.append(runner)
    return metadata, loaded[0], loaded[1]


def parse(runner: Any, metadata: Any, text: str, tracker: DialogueStateTracker) -> Dict[str, Any]:
    results = runner.run(
        inputs={"__message__": [UserMessage(text, sender_id="graph-runner")], "__tracker__": tracker},
        targets=[metadata.nlu_target],
    )
    return results[metadata.nlu_target][0].as_dict(only_output_properties=True)


def conversation(metadata: Any, parsed: List[Dict[str, Any]]) -> DialogueStateTracker:
    events: List[Any] = [ActionExecuted("action_session_start"), ActionExecuted("action_listen")]
    for data in parsed:
        events.append(UserUttered(data["text"], data["intent"], data.get("entities", []), data))
        events.append(ActionExecuted("action_faq"))
        events.append(SlotSet("service", "退休一件事"))
        events.append(ActionExecuted("action_listen"))
    return DialogueStateTracker.from_events("graph-runner", events, slots=metadata.domain.slots)


def test_messages_are_parsed_alike(runners) -> None:
    metadata, dask_runner, sequential = runners
    tracker = DialogueStateTracker.from_events("graph-runner", [], slots=metadata.domain.slots)
    for text in MESSAGES:
        expected = parse(dask_runner, metadata, text, tracker)
        found = parse(sequential, metadata, text, tracker)
        assert found == expected, text


def test_next_actions_are_predicted_alike(runners) -> None:
    metadata, dask_runner, sequential = runners
    empty = DialogueStateTracker.from_events("graph-runner", [], slots=metadata.domain.slots)
    parsed = [parse(dask_runner, metadata, text, empty) for text in MESSAGES]
    for turns in range(1, len(parsed) + 1):
        tracker = conversation(metadata, parsed[:turns])
        tracker.update(UserUttered(parsed[turns - 1]["text"], parsed[turns - 1]["intent"]))
        expected = dask_runner.run(inputs={"__tracker__": tracker}, targets=[metadata.core_target])
        found = sequential.run(inputs={"__tracker__": tracker}, targets=[metadata.core_target])
        want, got = expected[metadata.core_target], found[metadata.core_target]
        assert (got.policy_name, got.max_confidence_index, got.probabilities) == (
            want.policy_name,
            want.max_confidence_index,
            want.probabilities,
        )
        assert got.events == want.events and got.optional_events == want.optional_events


def test_each_target_set_is_ordered_once_parents_first(runners) -> None:
    metadata, _, sequential = runners
    order = sequential.order((metadata.core_target,))
    assert sequential.order((metadata.core_target,)) is order
    nodes = metadata.predict_schema.nodes
    for position, name in enumerate(order):
        for parent in nodes[name].needs.values():
            assert parent not in nodes or order.index(parent) < position
    assert order[-1] == metadata.core_target
    for target in (metadata.core_target, metadata.nlu_target):
        minimal = metadata.predict_schema.minimal_graph_schema([target])
        assert sorted(sequential.order((target,))) == sorted(minimal.nodes)


def test_an_input_value_naming_a_node_is_refused_as_by_rasa(runners) -> None:
    metadata, dask_runner, sequential = runners
    for runner in (dask_runner, sequential):
        with pytest.raises(GraphRunError, match="clashes with a node name"):
            runner.run(inputs={"__tracker__": metadata.core_target}, targets=[metadata.core_target])


def test_an_unknown_target_is_refused(runners) -> None:
    _, _, sequential = runners
    with pytest.raises(GraphRunError, match="Unknown targets"):
        sequential.run(inputs={}, targets=["no_such_node"])
