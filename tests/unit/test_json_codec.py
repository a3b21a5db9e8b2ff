"""The Rasa server's JSON (orjson) reads what the standard library wrote and writes what it reads."""

import json

import numpy as np
import pytest

from bot import json_codec

DOCUMENTS = [
    {"event": "user", "text": "手机 138****5678，想办退休", "parse_data": {"intent": {"confidence": 0.93}}},
    {"name": "会话", "events": [{"event": "slot", "name": "service", "value": None}], "pending": None},
    [1, 2.5, True, None, "·", "阿卜杜拉·买买提"],
]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_both_ways_agree_with_the_standard_library(document) -> None:
    assert json.loads(json_codec.dumps(document)) == document
    assert json_codec.loads(json.dumps(document)) == document
    assert json_codec.loads(json_codec.dumps_bytes(document)) == document


def test_numpy_scalars_and_number_keys_are_written_as_the_standard_library_writes_them() -> None:
    value = {"confidence": np.float64(0.25), "count": np.int64(3), 7: "seven"}
    expected = json.loads(json.dumps({"confidence": 0.25, "count": 3, 7: "seven"}))
    assert json.loads(json_codec.dumps(value)) == expected


def test_what_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        json_codec.dumps({"when": object()})
    with pytest.raises(ValueError):
        json_codec.loads("{not json")
