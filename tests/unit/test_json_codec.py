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


def test_numpy_scalars_are_written_as_numbers_and_number_keys_as_strings() -> None:
    value = {"confidence": np.float64(0.25), "count": np.int64(3), 7: "seven"}
    expected = json.loads(json.dumps({"confidence": 0.25, "count": 3, 7: "seven"}))
    assert json.loads(json_codec.dumps(value)) == expected


@pytest.mark.parametrize(
    "value",
    [{"big": 2**70}, {"text": "半个表情\ud83d"}, [-(2**64)]],
    ids=["integer beyond 64 bits", "lone surrogate", "negative beyond 64 bits"],
)
def test_what_orjson_refuses_is_written_as_the_standard_library_writes_it(value) -> None:
    assert json_codec.dumps(value) == json.dumps(value)
    assert json_codec.loads(json_codec.dumps_bytes(value)) == value


def test_documents_the_standard_library_wrote_before_still_load() -> None:
    stored = json.dumps({"event": "user", "text": "半个表情\ud83d", "parse_data": {"x": float("nan")}})
    assert "NaN" in stored and "\\ud83d" in stored
    document = json_codec.loads(stored)
    assert document["text"] == "半个表情\ud83d"
    assert document["parse_data"]["x"] != document["parse_data"]["x"]  # NaN


def test_what_json_cannot_hold_is_refused() -> None:
    with pytest.raises(TypeError):
        json_codec.dumps({"when": object()})
    with pytest.raises(ValueError):
        json_codec.loads("{not json")
