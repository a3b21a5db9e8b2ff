"""Numbers spelled digit by digit are read as the numbers they spell, by the NLU as by the form."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent

from tests.utils.nlu import parse

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("text", "entity"),
    [
        ("手机号是幺三八 一二三四 五六七八", "phone"),
        ("电话一五九三七一二八八六六", "phone"),
        ("壹叁捌壹贰叁肆伍陆柒捌", "phone"),
        ("身份证号是一一零一零五 一九四九一二三一 零零二X", "id_number"),
    ],
)
def test_a_spelled_number_is_an_answer_with_its_entity(agent: Agent, text: str, entity: str) -> None:
    parsed = parse(agent, text)
    assert parsed["intent"]["name"] == "inform", parsed["intent_ranking"][:3]
    assert entity in {e["entity"] for e in parsed["entities"]}


def test_ordinary_words_with_digits_in_them_carry_no_number(agent: Agent) -> None:
    parsed = parse(agent, "一件事一次办这个说法咋理解")
    assert not {"phone", "id_number"} & {e["entity"] for e in parsed["entities"]}
