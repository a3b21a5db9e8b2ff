"""The cached action-response validation accepts and rejects exactly what Rasa's own does."""

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from bot import rasa_tuning

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "service", "value": "退休一件事"}], "responses": [{"text": "好"}]},
    {"events": [{"event": "followup", "name": "appointment_form"}], "responses": []},
]
BAD = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": []},
    {"events": [], "responses": "text"},
    {"events": [{"event": "no_such_event"}], "responses": []},
]


def test_applied_on_this_rasa_version() -> None:
    assert rasa_tuning.apply() is True
    assert RemoteAction._validate_action_result is rasa_tuning.validate_action_result


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result) -> None:
    assert rasa_tuning.ORIGINAL_VALIDATION(RemoteAction, result) is True
    assert rasa_tuning.validate_action_result(RemoteAction, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_fail_both(result) -> None:
    with pytest.raises(jsonschema.ValidationError):
        rasa_tuning.ORIGINAL_VALIDATION(RemoteAction, result)
    with pytest.raises(jsonschema.ValidationError):
        rasa_tuning.validate_action_result(RemoteAction, result)


def test_rasa_waits_for_an_action_less_than_the_lock_lives() -> None:
    import rasa.core.actions.action as rasa_action
    from rasa.core import lock_store

    assert rasa_tuning.apply() is True
    assert rasa_action.DEFAULT_REQUEST_TIMEOUT < lock_store.LOCK_LIFETIME


@pytest.mark.parametrize(
    "environ, lifetime, expected",
    [({}, 60, 20), ({"ACTION_TIMEOUT_SECONDS": "8"}, 60, 8), ({"ACTION_TIMEOUT_SECONDS": "59"}, 60, 59)],
)
def test_action_timeout_is_read_from_the_environment(environ, lifetime: int, expected: int) -> None:
    assert rasa_tuning.action_timeout(environ, lifetime) == expected


@pytest.mark.parametrize("value", ["60", "300", "0", "-1", "twenty", "2.5"])
def test_an_action_timeout_that_could_outlive_the_lock_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="ACTION_TIMEOUT_SECONDS"):
        rasa_tuning.action_timeout({"ACTION_TIMEOUT_SECONDS": value}, 60)


@pytest.fixture
async def action_endpoint():
    """A real HTTP server standing in for the action server; records each request's client port and body."""
    from aiohttp import web

    seen: list = []

    async def webhook(request: web.Request) -> web.Response:
        seen.append((request.transport.get_extra_info("peername")[1], await request.read()))
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}/webhook", seen
    await rasa_tuning.close_pooled_sessions()
    await runner.cleanup()


async def test_action_calls_share_one_connection_and_send_utf8_json(action_endpoint) -> None:
    import numpy as np
    from rasa.utils.endpoints import EndpointConfig

    url, seen = action_endpoint
    assert rasa_tuning.apply() is True
    endpoint = EndpointConfig(url=url)
    for _ in range(3):
        answer = await endpoint.request(json={"text": "高小新", "confidence": np.float64(0.5)}, method="post")
        assert answer == {"events": [], "responses": []}
    assert len({port for port, _ in seen}) == 1, "each call opened a new connection"
    assert "高小新".encode() in seen[0][1]
    assert b'"confidence":0.5' in seen[0][1]


def test_connections_are_let_go_before_the_action_server_closes_them() -> None:
    from rasa_sdk.endpoint import create_app

    # the action server's Sanic closes a connection idle for KEEP_ALIVE_TIMEOUT seconds
    assert rasa_tuning.KEEPALIVE_SECONDS < create_app(None).config.KEEP_ALIVE_TIMEOUT


@pytest.mark.slow
async def test_an_idle_connection_is_let_go_after_the_keepalive(action_endpoint) -> None:
    import asyncio

    from rasa.utils.endpoints import EndpointConfig

    url, seen = action_endpoint
    assert rasa_tuning.apply() is True
    endpoint = EndpointConfig(url=url)
    await endpoint.request(json={}, method="post")
    await asyncio.sleep(rasa_tuning.KEEPALIVE_SECONDS + 1.5)
    await endpoint.request(json={}, method="post")
    assert len({port for port, _ in seen}) == 2


def test_the_served_model_is_loaded_with_the_sequential_runner(monkeypatch: pytest.MonkeyPatch) -> None:
    import rasa.core.processor as rasa_processor

    from bot.graph_runner import SequentialGraphRunner

    # put Rasa's runner back afterwards: an Agent other tests load keeps Rasa's own
    monkeypatch.setattr(rasa_processor, "DaskGraphRunner", rasa_processor.DaskGraphRunner)
    assert rasa_tuning.apply() is True
    assert rasa_processor.DaskGraphRunner is SequentialGraphRunner
