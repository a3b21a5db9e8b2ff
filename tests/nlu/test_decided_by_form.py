"""Messages whose form alone decides their intent, whatever the model would say."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from tests.utils.nlu import parse

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("text", ["公积金", "医保？", "社保", "户口!", "补贴", "公积金 医保", "社保卡"])
def test_a_bare_subject_or_name_asks_about_its_items(agent: Agent, text: str) -> None:
    """A subject items are filed under, typed alone, is a question about them (choices follow)."""
    parsed = parse(agent, text)
    assert parsed["intent"] == {"name": "ask_service_guide", "confidence": 1.0}


@pytest.mark.parametrize("text", ["公积金咋取", "医保报销要啥", "社保断了咋补"])
def test_a_subject_with_a_question_is_left_to_the_model(agent: Agent, text: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["confidence"] < 1.0, parsed["intent"]


@pytest.mark.parametrize("text", ["？？？", "😂😂", "……"])
def test_nothing_but_punctuation_or_emoji_is_out_of_scope(agent: Agent, text: str) -> None:
    assert parse(agent, text)["intent"]["name"] == "out_of_scope"


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        # a 预约号 ending in digits, then the mobile: the number is not the tail of a run of digits
        ("6T7PFHJ7 13867905678", {"appointment_code", "phone"}),
        ("6T7PFH77 138-6790-5678", {"appointment_code", "phone"}),
        ("k7m3-pq9a 13867905678", {"appointment_code", "phone"}),
        ("K7M3 PQ9A", {"appointment_code"}),
    ],
)
def test_a_code_and_a_phone_typed_together_are_an_answer(agent: Agent, text: str, entities: set) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "inform", parsed["intent_ranking"][:3]
    assert {e["entity"] for e in parsed["entities"]} == entities


def test_a_phone_at_the_end_of_a_run_of_digit_groups_is_no_phone(agent: Agent) -> None:
    parsed = parse(agent, "卡号 6222 0213 8123 4567")
    assert "phone" not in {e["entity"] for e in parsed["entities"]}
