"""The trained model loaded once per module, for the NLU tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from rasa.core.agent import Agent


@pytest.fixture(scope="module")
def agent(trained_model: Path) -> Agent:
    return Agent.load(str(trained_model))
