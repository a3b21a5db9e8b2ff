"""JSON on the Rasa server's per-turn paths, encoded and decoded by orjson.

Rasa 3.6 encodes a conversation's tracker with the standard library's ``json`` on every turn: for
each call of the action server (aiohttp builds the request body) and for the tracker store's save;
the store decodes it again on the next turn's read. A py-spy profile of one citizen
(``tests/bench/profile.py --citizens 1``) put those three at about 16 % of Rasa's time per turn.
orjson reads and writes the same documents several times faster.

The output differs from the standard library's only in form: UTF-8 instead of escaped code points,
no spaces, and ``null`` for the non-standard ``NaN``/``Infinity`` the standard library would write.
Any JSON reader reads both, so documents stored before still load.
"""

from __future__ import annotations

from typing import Any, Union

import numpy as np
import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS  # like the standard library: int and float keys become strings


def _default(value: Any) -> Any:
    """Encode what the standard library encodes but orjson does not: float subclasses (numpy's scalars).

    Raises ``TypeError`` for anything else, as the standard library would.
    """
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float):
        return float(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


def dumps_bytes(value: Any) -> bytes:
    """``value`` as a UTF-8 JSON document; ``TypeError`` for a value JSON cannot hold."""
    return orjson.dumps(value, default=_default, option=_OPTIONS)


def dumps(value: Any) -> str:
    """``value`` as a JSON string (for aiohttp's ``json_serialize``); ``TypeError`` as ``dumps_bytes``."""
    return dumps_bytes(value).decode("utf-8")


def loads(document: Union[str, bytes, bytearray, memoryview]) -> Any:
    """The value of a JSON document; ``ValueError`` (``orjson.JSONDecodeError``) when it is not JSON."""
    return orjson.loads(document)
