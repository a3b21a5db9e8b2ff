"""Parsing held-out messages with a loaded Rasa model: one at a time, or many per graph run.

The server parses one message per run of the NLU graph (``MessageProcessor.parse_message``), and
the latency figures of ``make eval`` are taken that way (`one_at_a_time`). Scoring twelve thousand
messages that way spends most of its time around the components rather than in them; every
component of a Rasa 3.6 NLU graph takes a list of messages, so `in_batches` runs the same graph on
``batch`` messages at once and builds each parse as ``_parse_message_with_graph`` does. What
``parse_message`` does besides is left out: the full retrieval intent (no pipeline here has a
``ResponseSelector``), the warnings about unseen features, and the HTTP interpreter (none is
configured).
``make eval`` checks, on every run, that the two agree on the latency sample
(``tests.eval.candidate``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Dict, List, Sequence

from rasa.core.agent import Agent
from rasa.core.channels.channel import UserMessage
from rasa.engine.constants import PLACEHOLDER_MESSAGE, PLACEHOLDER_TRACKER
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import (
    ENTITIES,
    INTENT,
    INTENT_NAME_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)

from tests.eval.metrics import prediction

BATCH = 256
"""Messages per run of the NLU graph in `in_batches`."""
LATENCY_SAMPLE = 1000
"""Held-out messages parsed one at a time, as the server parses them, for parse p50/p95."""


def one_at_a_time(agent: Agent, texts: Sequence[str]) -> tuple[List[Dict[str, Any]], List[float]]:
    """Parse each text as the server does (``Agent.parse_message``); return the predictions
    (`tests.eval.metrics.prediction`) and each parse's duration in ms."""

    async def run() -> tuple[List[Dict[str, Any]], List[float]]:
        predictions, durations = [], []
        for text in texts:
            start = time.perf_counter()
            parsed = await agent.parse_message(text)
            durations.append((time.perf_counter() - start) * 1000)
            predictions.append(prediction(parsed))
        return predictions, durations

    return asyncio.run(run())


def in_batches(agent: Agent, texts: Sequence[str], batch: int = BATCH) -> List[Dict[str, Any]]:
    """The predictions for ``texts``, in order, running the NLU graph on ``batch`` messages at once.

    Each parse is built as ``MessageProcessor._parse_message_with_graph`` builds it (defaults for
    text, intent and entities, then the message's output properties), with an empty tracker.
    """
    processor = agent.processor
    if processor is None:
        raise ValueError("the agent has no model loaded")
    target = processor.model_metadata.nlu_target
    predictions: List[Dict[str, Any]] = []
    for first in range(0, len(texts), batch):
        messages = [UserMessage(text) for text in texts[first : first + batch]]
        tracker = DialogueStateTracker.from_events("make-eval", [])
        results = processor.graph_runner.run(
            inputs={PLACEHOLDER_MESSAGE: messages, PLACEHOLDER_TRACKER: tracker}, targets=[target]
        )
        parsed_messages = results[target]
        if len(parsed_messages) != len(messages):
            raise RuntimeError(
                f"the NLU graph returned {len(parsed_messages)} parses for {len(messages)} messages"
            )
        for parsed in parsed_messages:
            parse: Dict[str, Any] = {
                TEXT: "",
                INTENT: {INTENT_NAME_KEY: None, PREDICTED_CONFIDENCE_KEY: 0.0},
                ENTITIES: [],
            }
            parse.update(parsed.as_dict(only_output_properties=True))
            predictions.append(prediction(parse))
    return predictions
