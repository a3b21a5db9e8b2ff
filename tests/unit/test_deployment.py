"""``compose.yaml`` hands the api the limits the README documents, with the same defaults."""

from __future__ import annotations

import re

import pytest
import yaml

from bot.settings import PROJECT_ROOT

# the api's limits an operator tunes for a hall (README, "More settings" and the settings table)
API_LIMITS = (
    "MAX_MESSAGE_CHARS",
    "MAX_BODY_BYTES",
    "CLIENT_REQUESTS_PER_MINUTE",
    "SESSIONS_PER_MINUTE",
    "HSTS_MAX_AGE_SECONDS",
)


def _readme_defaults() -> dict[str, str]:
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `([A-Z_]+)` \| `([^`]*)` \|", readme, re.MULTILINE))


@pytest.mark.parametrize("name", API_LIMITS)
def test_compose_passes_the_api_limit_with_the_documented_default(name: str) -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "compose.yaml").read_text(encoding="utf-8"))
    environment = compose["x-app"]["environment"]
    assert name in _readme_defaults(), f"{name} is not in the README's settings tables"
    assert environment.get(name) == f"${{{name}:-{_readme_defaults()[name]}}}"
