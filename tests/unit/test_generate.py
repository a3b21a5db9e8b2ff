"""``python -m bot.generate``: jieba user dictionary and Rasa lookup/synonyms from the catalogue."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import jieba
import pytest
from rasa.shared.nlu.training_data.loading import load_data

from bot.catalogue import Catalogue, load_catalogue
from bot.generate import CARRIERS, JIEBA_DICT, NLU_LOOKUP, generate, main, stale

DATA = Path(__file__).resolve().parents[2] / "data"
HEADER_PATTERN = re.compile(r"^# .*python -m bot\.generate.*data/services.*请勿手工编辑")


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the catalogue with its generated files, away from the repository."""
    root = tmp_path_factory.mktemp("data")
    shutil.copytree(DATA / "services", root / "services")
    assert {root / JIEBA_DICT, root / NLU_LOOKUP} <= set(generate(root))
    return root


@pytest.fixture(scope="module")
def catalogue(data_dir: Path) -> Catalogue:
    return load_catalogue(data_dir / "services")


@pytest.fixture(scope="module")
def tokenizer(data_dir: Path) -> jieba.Tokenizer:
    tk = jieba.Tokenizer()
    tk.load_userdict(str(data_dir / JIEBA_DICT))
    return tk


def test_both_files_carry_the_generated_header(data_dir: Path) -> None:
    for relative in (JIEBA_DICT, NLU_LOOKUP):
        first = (data_dir / relative).read_text(encoding="utf-8").splitlines()[0]
        assert HEADER_PATTERN.match(first), relative


def test_nlu_file_loads_as_rasa_training_data(data_dir: Path, catalogue: Catalogue) -> None:
    training = load_data(str(data_dir / NLU_LOOKUP))
    tables = {table["name"]: table["elements"] for table in training.lookup_tables}
    assert set(tables) == {"service"}
    forms = set(tables["service"])
    for item in catalogue:
        assert set(item.surface_forms) <= forms, item.id
        for alias in (*item.aliases, item.short_name):
            assert training.entity_synonyms[alias] == item.name
        assert item.name not in training.entity_synonyms


def test_nlu_file_declares_version_3_1(data_dir: Path) -> None:
    assert 'version: "3.1"' in (data_dir / NLU_LOOKUP).read_text(encoding="utf-8").splitlines()


def test_dictionary_lines_are_word_frequency_tag(data_dir: Path, catalogue: Catalogue) -> None:
    lines = (data_dir / JIEBA_DICT).read_text(encoding="utf-8").splitlines()[1:]
    assert all(re.fullmatch(r"\S+ [1-9]\d* n", line) for line in lines)
    words = [line.split()[0] for line in lines]
    assert words == sorted(set(words))
    expected = {form for item in catalogue for form in item.surface_forms} | {"出生医学证明", "公章刻制"}
    assert expected <= set(words)


def test_jieba_keeps_every_name_and_alias_whole(tokenizer: jieba.Tokenizer, catalogue: Catalogue) -> None:
    split = [form for item in catalogue for form in item.surface_forms if tokenizer.lcut(form) != [form]]
    assert split == []


def test_jieba_keeps_aliases_whole_inside_sentences(tokenizer: jieba.Tokenizer, catalogue: Catalogue) -> None:
    split = []
    for item in catalogue:
        for form in item.surface_forms:
            for carrier in CARRIERS[1:]:
                tokens = tokenizer.lcut(carrier.format(form))
                if not any(form in token for token in tokens):
                    split.append((form, tokens))
    assert split == []


def test_without_the_dictionary_jieba_would_split_some_aliases(catalogue: Catalogue) -> None:
    plain = jieba.Tokenizer()
    assert any(plain.lcut(alias) != [alias] for item in catalogue for alias in item.aliases)


def test_header_line_adds_no_token(tokenizer: jieba.Tokenizer) -> None:
    assert tokenizer.lcut("python生成") == jieba.Tokenizer().lcut("python生成")


def test_rerun_writes_nothing_and_keeps_mtime(data_dir: Path) -> None:
    paths = [data_dir / JIEBA_DICT, data_dir / NLU_LOOKUP]
    past = 1_600_000_000_000_000_000
    for path in paths:
        os.utime(path, ns=(past, past))
    assert generate(data_dir) == []
    assert [path.stat().st_mtime_ns for path in paths] == [past, past]
    assert stale(data_dir) == []


def test_output_is_deterministic(data_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(data_dir / "services", tmp_path / "services")
    generate(tmp_path)
    for relative in (JIEBA_DICT, NLU_LOOKUP):
        assert (tmp_path / relative).read_bytes() == (data_dir / relative).read_bytes()


def test_a_new_alias_regenerates_both_files(tmp_path: Path) -> None:
    shutil.copytree(DATA / "services", tmp_path / "services")
    generate(tmp_path)
    newborn = tmp_path / "services" / "newborn.yml"
    newborn.write_text(
        newborn.read_text(encoding="utf-8").replace("[宝宝出生,", "[娃出生了,"), encoding="utf-8"
    )
    assert main(["--data-dir", str(tmp_path), "--check"]) == 1
    assert sorted(generate(tmp_path)) == sorted([tmp_path / JIEBA_DICT, tmp_path / NLU_LOOKUP])
    assert main(["--data-dir", str(tmp_path), "--check"]) == 0
    assert "娃出生了" in (tmp_path / NLU_LOOKUP).read_text(encoding="utf-8")
    assert "宝宝出生" not in (tmp_path / JIEBA_DICT).read_text(encoding="utf-8")


def test_invalid_catalogue_fails_without_writing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(DATA / "services", tmp_path / "services")
    broken = tmp_path / "services" / "newborn.yml"
    broken.write_text(broken.read_text(encoding="utf-8") + "colour: red\n", encoding="utf-8")
    assert main(["--data-dir", str(tmp_path)]) == 2
    assert "newborn.yml" in capsys.readouterr().err
    assert not (tmp_path / JIEBA_DICT).exists()


def test_everyday_terms_stay_out_of_the_generated_files(data_dir: Path, catalogue: Catalogue) -> None:
    """Everyday terms describe, never name: the linker reads them from the catalogue at load time,
    so a term staff add needs no regenerated dictionary, no lookup entry and no retrain."""
    words = {line.split()[0] for line in (data_dir / JIEBA_DICT).read_text(encoding="utf-8").splitlines()[1:]}
    lookup = (data_dir / NLU_LOOKUP).read_text(encoding="utf-8")
    terms = {term for item in catalogue for term in item.everyday_terms}
    assert len(terms) > 400
    assert not terms & words
    assert [term for term in terms if f"    - {term}\n" in lookup] == []


def test_a_new_everyday_term_leaves_the_generated_files_current(tmp_path: Path) -> None:
    shutil.copytree(DATA / "services", tmp_path / "services")
    generate(tmp_path)
    newborn = tmp_path / "services" / "newborn.yml"
    newborn.write_text(
        newborn.read_text(encoding="utf-8").replace("everyday_terms: [", "everyday_terms: [俺家添丁, "),
        encoding="utf-8",
    )
    assert main(["--data-dir", str(tmp_path), "--check"]) == 0


def test_repository_generated_files_are_current() -> None:
    """Run ``python -m bot.generate`` after editing data/services."""
    assert stale(DATA) == []
