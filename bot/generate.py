"""Generate the files derived from the catalogue: ``python -m bot.generate [--check]``.

Writes, from ``data/services``:

- ``data/generated/jieba/user_dict.txt``: a jieba user dictionary with every name, short name,
  alias and bundled matter, each with a frequency high enough that jieba keeps it whole;
- ``data/nlu/generated_service_lookup.yml``: a Rasa NLU ``lookup: service`` table and the
  ``synonym`` entries that normalise every alias to the canonical item name;
- ``data/nlu/generated_faq.yml``: the ``faq`` intent's examples, from the entries in ``data/faq``.

Output is sorted and a file is only rewritten when its content changes, so its modification
time tells ``make train`` whether the model is stale. ``--check`` writes nothing and exits
with status 1 when a file is missing or out of date.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Iterable
from pathlib import Path

import jieba

from bot.catalogue import Catalogue, CatalogueError, load_catalogue, vocabulary
from bot.faq_entries import FaqError, load_entries
from bot.faq_entries import nlu_examples as faq_examples
from bot.settings import get_settings

HEADER = (
    "本文件由 python -m bot.generate 根据 data/services 自动生成，请勿手工编辑；"
    "修改办事指南后重新运行该命令。"
)
JIEBA_DICT = Path("generated/jieba/user_dict.txt")
NLU_LOOKUP = Path("nlu/generated_service_lookup.yml")
NLU_FAQ = Path("nlu/generated_faq.yml")
POS_TAG = "n"
# Sentences a term must stay whole in; "{}" is the term.
CARRIERS = ("{}", "我想办{}", "{}怎么办理", "请问{}需要什么材料", "办{}去哪个窗口")
_MAX_DOUBLINGS = 8


def jieba_user_dict(catalogue: Catalogue) -> str:
    """Render the jieba user dictionary: ``word freq n`` per line, sorted by word."""
    frequencies = _whole_word_frequencies(sorted(vocabulary(catalogue.items)))
    lines = [f"# {HEADER}"] + [f"{word} {freq} {POS_TAG}" for word, freq in sorted(frequencies.items())]
    return "\n".join(lines) + "\n"


def _whole_word_frequencies(words: list[str]) -> dict[str, int]:
    """Start from jieba's own suggestion and double the frequency of words that get split.

    A term inside a longer catalogue term (居住证 in 办居住证) counts as whole: the longer term
    is the better match.
    """
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    frequencies = {word: tokenizer.suggest_freq(word, tune=False) for word in words}
    for word in words:
        tokenizer.add_word(word, frequencies[word], POS_TAG)
    for _ in range(_MAX_DOUBLINGS):
        split = [w for w in words if not all(_kept_whole(w, tokenizer.lcut(c.format(w))) for c in CARRIERS)]
        if not split:
            break
        for word in split:
            frequencies[word] *= 2
            tokenizer.add_word(word, frequencies[word], POS_TAG)
    return frequencies


def _kept_whole(word: str, tokens: list[str]) -> bool:
    return any(word in token for token in tokens)


def nlu_lookup(catalogue: Catalogue) -> str:
    """Rasa 3.x NLU YAML with the ``service`` lookup table and one synonym per item."""
    forms = catalogue.surface_forms()
    lines = [f"# {HEADER}", 'version: "3.1"', "nlu:", "- lookup: service", "  examples: |"]
    lines += [f"    - {form}" for form in forms]
    for item in sorted(catalogue.items, key=lambda i: i.name):
        lines += [f"- synonym: {_quoted(item.name)}", "  examples: |"]
        lines += [f"    - {form}" for form in sorted(set(item.surface_forms) - {item.name})]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


FAQ_HEADER = (
    "本文件由 python -m bot.generate 根据 data/faq 自动生成，请勿手工编辑；修改常见问题后重新运行该命令。"
)


def nlu_faq(data_dir: Path) -> str:
    """The ``faq`` intent's training examples, from the FAQ entries in ``<data_dir>/faq``."""
    header = f"# {FAQ_HEADER}"
    return f"{header}\n{faq_examples(load_entries(data_dir / 'faq'))}"


def outputs(catalogue: Catalogue, data_dir: Path) -> dict[Path, str]:
    """Every generated file under ``data_dir`` with its content."""
    return {
        data_dir / JIEBA_DICT: jieba_user_dict(catalogue),
        data_dir / NLU_LOOKUP: nlu_lookup(catalogue),
        data_dir / NLU_FAQ: nlu_faq(data_dir),
    }


def write_if_changed(path: Path, content: str) -> bool:
    """Write ``content`` unless the file already holds exactly it; return whether it was written."""
    if path.is_file() and path.read_text(encoding="utf-8") == content:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content, encoding="utf-8")
    tmp.replace(path)
    return True


def generate(data_dir: Path | None = None) -> list[Path]:
    """Regenerate every file from ``<data_dir>/services``; return the files that changed."""
    data_dir = data_dir or get_settings().data_dir
    catalogue = load_catalogue(data_dir / "services")
    return [path for path, content in outputs(catalogue, data_dir).items() if write_if_changed(path, content)]


def stale(data_dir: Path | None = None) -> list[Path]:
    """List the generated files that are missing or differ from what the catalogue gives."""
    data_dir = data_dir or get_settings().data_dir
    catalogue = load_catalogue(data_dir / "services")
    return [
        path
        for path, content in outputs(catalogue, data_dir).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != content
    ]


def main(argv: Iterable[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bot.generate", description="根据办事指南生成 jieba 词典和 NLU 查找表"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="默认为设置中的 data_dir")
    parser.add_argument("--check", action="store_true", help="只检查生成文件是否最新，不写入")
    args = parser.parse_args(list(argv) if argv is not None else None)
    jieba.setLogLevel(logging.WARNING)
    try:
        paths = stale(args.data_dir) if args.check else generate(args.data_dir)
    except (CatalogueError, FaqError) as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        for path in paths:
            print(f"需要重新生成：{path}（运行 python -m bot.generate）", file=sys.stderr)
        return 1 if paths else 0
    for path in paths:
        print(f"已更新：{path}")
    if not paths:
        print("生成文件已是最新，无需更新。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
