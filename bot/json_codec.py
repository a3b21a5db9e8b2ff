"""JSON on the Rasa server's per-turn paths, encoded and decoded by orjson where it can.

Rasa 3.6 encodes a conversation's tracker with the standard library's ``json`` on every turn: for
each call of the action server (aiohttp builds the request body) and for the tracker store's save;
the store decodes it again on the next turn's read. A py-spy profile of one citizen
(``tests/bench/profile.py --citizens 1``) put those three at about 16 % of Rasa's time per turn.
orjson reads and writes the same documents several times faster.

What either library writes, the other reads: orjson writes UTF-8 where the standard library writes
escaped code points, without spaces. Where orjson refuses a value the standard library takes
(integers beyond 64 bits, text with a lone surrogate, from a browser that split an emoji) or a
document the standard library wrote (``NaN``/``Infinity``, an escaped lone surrogate), the standard
library does the work, so a conversation stored before stays readable and no turn fails on it. Two
differences remain: orjson writes ``NaN`` and ``±Infinity`` as ``null`` (the standard library's
tokens are not JSON), and it also encodes dates, UUIDs, enums and numpy scalars, which the standard
library refuses.
"""

from __future__ import annotations

import json
from typing import Any, Union

import numpy as np
import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # like the standard library: int and float keys become strings


def _default(value: Any) -> Any:
    """Encode float subclasses and numpy scalars, which orjson leaves to this hook.

    Raises ``TypeError`` for anything else, as the standard library does.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_bytes(value: Any) -> bytes:
    """``value`` as a UTF-8 JSON document; ``TypeError`` for a value JSON cannot hold."""
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS)
    except orjson.JSONEncodeError:
        # an integer beyond 64 bits or a lone surrogate: the standard library writes them
        # (a value neither can write raises its TypeError again here)
        return json.dumps(value, default=_default).encode("ascii")


def dumps(value: Any) -> str:
    """``value`` as a JSON string (for aiohttp's ``json_serialize``); ``TypeError`` as ``dumps_bytes``."""
    return dumps_bytes(value).decode("utf-8")


def loads(document: Union[str, bytes, bytearray]) -> Any:
    """The value of a JSON document; ``ValueError`` when it is not JSON."""
    try:
        return orjson.loads(document)
    except orjson.JSONDecodeError:
        # NaN/Infinity or an escaped lone surrogate, as the standard library wrote them
        return json.loads(document)
