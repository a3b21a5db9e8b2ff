"""Per-turn savings in the Rasa 3.6 server process, applied when the ``gxx`` channel is loaded.

Rasa 3.6 validates every action server response with ``jsonschema.validate``, which checks the
schema itself and builds a new validator on each call; profiling the server under load showed
that about a third of its CPU per turn went there. The same validation with a validator built
once gives the same result, errors included. Rasa 3.7 and later cache it themselves, so the
patch applies only to the 3.6 line it was measured on.

Rasa 3.6 also finds the class of every event it reads (each event of the stored tracker on every
turn, each event an action returns) by walking all subclasses of ``Event`` with
``inspect.isabstract``: about 90 % of the tracker store's ``retrieve`` at 200 turns
(``tests/bench/tracker_store_cost.py``). The class found for a type name is remembered; a name
not found goes Rasa's own way (its default, the old ``topic`` event, or its error).

Rasa 3.6 waits up to 300 s for a custom action, while the lock store's lock on the conversation
expires after ``TICKET_LOCK_LIFETIME`` (60 s by default): a stuck action would let the next turn of
the same conversation run beside it. The wait is set to ``ACTION_TIMEOUT_SECONDS`` (20 s by
default), which must stay below the lock lifetime, so a turn always ends before its lock can expire.

Rasa 3.6 opens a new aiohttp session, and with it a new connection, for every call of the action
server (``EndpointConfig.request`` enters and closes ``EndpointConfig.session()`` each time), and
encodes the tracker it sends with the standard library's ``json``. Here each endpoint's session is
opened once per event loop and kept (pooled connections, closed after ``KEEPALIVE_SECONDS`` idle,
before the action server's Sanic drops them at 5 s), and encodes with orjson (`bot.json_codec`).

Rasa 3.6 serves the model through dask's scheduler; the model is loaded with the sequential
``bot.graph_runner.SequentialGraphRunner`` instead (same nodes, same results, no scheduler).
"""

from __future__ import annotations

import asyncio
import os
from contextlib import nullcontext
from functools import lru_cache
from typing import Any, Dict, Mapping, MutableMapping, Optional, Tuple, Type

import aiohttp
import rasa
import rasa.core.actions.action as rasa_action
import rasa.core.processor as rasa_processor
import rasa.utils.endpoints as rasa_endpoints
from jsonschema import exceptions, validators
from rasa.core import lock_store
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from bot import json_codec
from bot.graph_runner import SequentialGraphRunner

ORIGINAL_VALIDATION = RemoteAction._validate_action_result
ORIGINAL_RESOLVE_BY_TYPE = Event.resolve_by_type
ORIGINAL_SESSION = EndpointConfig.session
_EVENT_CLASSES: Dict[str, Type[Event]] = {}
DEFAULT_ACTION_TIMEOUT_SECONDS = 20
KEEPALIVE_SECONDS = 2.0
"""How long an idle pooled connection to an endpoint is kept: below the 5 s after which the action
server's Sanic (rasa_sdk keeps Sanic's default) closes it, so a call is never sent on a connection
the server is closing."""
_Pool = Dict[Tuple[Any, ...], aiohttp.ClientSession]
# per event loop, per endpoint (headers and basic auth): the pooled session
_SESSIONS: Dict[asyncio.AbstractEventLoop, _Pool] = {}


@lru_cache(maxsize=1)
def action_result_validator() -> Any:
    """The validator of action server responses, built and schema-checked once."""
    spec = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(spec)
    cls.check_schema(spec)
    return cls(spec)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's own check of an action server response, with the validator built once."""
    error = exceptions.best_match(action_result_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your response from the "
        "Action endpoint is valid."
    )
    raise error


def resolve_event_class(type_name: str, default: Optional[Type[Event]] = None) -> Optional[Type[Event]]:
    """Rasa's ``Event.resolve_by_type``, remembering the class found for each type name."""
    found = _EVENT_CLASSES.get(type_name)
    if found is None:
        found = ORIGINAL_RESOLVE_BY_TYPE(type_name, default)
        if found is not None and found is not default:
            _EVENT_CLASSES[type_name] = found
    return found


def pooled_session(self: EndpointConfig) -> Any:
    """Rasa's ``EndpointConfig.session`` with one kept session per event loop and endpoint.

    Outside a running event loop, Rasa's own (a new session the caller closes).
    """
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return ORIGINAL_SESSION(self)
    key = (tuple(sorted(self.headers.items())), tuple(sorted((self.basic_auth or {}).items())))
    sessions: MutableMapping[Tuple[Any, ...], aiohttp.ClientSession] = _SESSIONS.setdefault(loop, {})
    session = sessions.get(key)
    if session is None or session.closed:
        for finished in [other for other in _SESSIONS if other.is_closed()]:
            del _SESSIONS[finished]  # a loop that ended without closing its sessions (a test's)
        auth = None
        if self.basic_auth:
            auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"])
        session = aiohttp.ClientSession(
            headers=self.headers,
            auth=auth,
            timeout=aiohttp.ClientTimeout(total=rasa_endpoints.DEFAULT_REQUEST_TIMEOUT),
            connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            json_serialize=json_codec.dumps,
        )
        sessions[key] = session
    return nullcontext(session)  # ``async with`` gives it and leaves it open for the next call


async def close_pooled_sessions() -> None:
    """Close the running event loop's pooled sessions (when the server stops)."""
    for session in _SESSIONS.pop(asyncio.get_running_loop(), {}).values():
        await session.close()


def action_timeout(environ: Mapping[str, str], lock_lifetime: int) -> int:
    """Return the seconds Rasa waits for a custom action: ``ACTION_TIMEOUT_SECONDS`` (default 20).

    Raises:
        ValueError: the value is not a whole number of seconds from 1 up to ``lock_lifetime - 1``
            (``TICKET_LOCK_LIFETIME``, seconds): a longer wait would outlive the conversation's lock.

    """
    raw = environ.get("ACTION_TIMEOUT_SECONDS") or str(DEFAULT_ACTION_TIMEOUT_SECONDS)
    try:
        seconds = int(raw)
    except ValueError:
        raise ValueError(f"ACTION_TIMEOUT_SECONDS must be whole seconds, got {raw!r}") from None
    if not 1 <= seconds < lock_lifetime:
        raise ValueError(
            f"ACTION_TIMEOUT_SECONDS={seconds} must be at least 1 and below the lock lifetime "
            f"TICKET_LOCK_LIFETIME={lock_lifetime}, or two turns of one conversation could run at once"
        )
    return seconds


def apply() -> bool:
    """Install this module's savings and the sequential graph runner on Rasa 3.6.

    The cached validation and event classes, the action timeout, the pooled sessions, and
    ``bot.graph_runner.SequentialGraphRunner`` for the model the server loads.

    Returns whether installed (not on other Rasa versions).

    Raises:
        ValueError: from :func:`action_timeout`.

    """
    if not rasa.__version__.startswith("3.6."):
        return False
    rasa_action.DEFAULT_REQUEST_TIMEOUT = action_timeout(os.environ, lock_store.LOCK_LIFETIME)
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_event_class)
    EndpointConfig.session = pooled_session
    rasa_processor.DaskGraphRunner = SequentialGraphRunner  # the served model's runner only
    return True
