"""Property-based fuzz of the api's OpenAPI schema with schemathesis: no 5xx, no answer off its schema.

In process (the app under ``TestClient``, real Redis and SQLite, a stand-in for Rasa), with the
admin token so the staff endpoints are fuzzed past their sign-in too. ``FUZZ_EXAMPLES`` sets the
examples per operation (default 5: the whole schema in about a minute on two cores, after the imports).
"""

from __future__ import annotations

import os
from typing import Any, Dict, Iterator, List, Optional

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

from api.main import create_app
from bot.settings import Settings
from tests.conftest import free_port

ADMIN_TOKEN = "fuzz-admin-token"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# /readyz answers 503 by design here: no action server runs beside this in-process api
SKIPPED = "/readyz"

schema = schemathesis.openapi.from_dict(create_app(Settings()).openapi())


class StandInRasa:
    """Answers every turn with one plain reply."""

    async def send(self, sender: str, message: str, metadata: Optional[Dict[str, Any]] = None) -> List[Any]:
        return [{"recipient_id": sender, "text": "您好，我是高小新。"}]

    async def ping(self) -> None:
        return None


@pytest.fixture(scope="module")
def client(redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder = tmp_path_factory.mktemp("fuzz")
    app_settings = Settings(
        redis_url=redis_url,
        database_url=f"sqlite:///{folder / 'fuzz.db'}",
        rasa_url=f"http://127.0.0.1:{free_port()}",
        action_url=f"http://127.0.0.1:{free_port()}",
        admin_token=ADMIN_TOKEN,
    )
    with TestClient(create_app(app_settings), raise_server_exceptions=False) as test_client:
        test_client.app.state.rasa = StandInRasa()  # type: ignore[attr-defined]
        yield test_client


@schema.exclude(path=SKIPPED).parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_no_server_error_and_answers_match_the_schema(case: Any, client: TestClient) -> None:
    kwargs = case.as_transport_kwargs(base_url="http://testserver")
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}", **(kwargs.pop("headers", None) or {})}
    if "data" in kwargs:
        kwargs["content"] = kwargs.pop("data")
    kwargs.pop("timeout", None)
    kwargs.pop("allow_redirects", None)
    response = client.request(headers=headers, follow_redirects=False, **kwargs)
    case.validate_response(
        response, checks=[not_a_server_error, response_schema_conformance, content_type_conformance]
    )
