"""A parse through the trained model, for the NLU tests."""

from __future__ import annotations

import asyncio
from typing import Any, Dict

from rasa.core.agent import Agent


def parse(agent: Agent, text: str) -> Dict[str, Any]:
    """What the NLU makes of ``text``: intent, ranking, entities."""
    return asyncio.run(agent.parse_message(text))
