"""What an FAQ entry is, and its files: ``data/faq/<id>.yml``, one entry each.

This is all that reading, checking, seeding and exporting entries needs; retrieval, which needs
scikit-learn and the tokenizer, is ``bot.faq``.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path
from typing import Any, Dict, List, Sequence

import yaml
from pydantic import BaseModel, Extra, ValidationError, validator

TOPIC_METADATA = "topic"
"""Key of an FAQ training block's metadata that holds the entry id (``nlu_examples``)."""
SAMPLE_NOTE = "本文件为高新区政务服务中心常见问题样例数据，内容须由工作人员核实后方可对外使用。"


_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


def question_key(text: str) -> str:
    """Return the form two questions are compared by: NFKC, lower case, only letters and digits."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text or "").lower())


class FaqEntry(BaseModel, extra=Extra.forbid):
    """One FAQ topic: an id, a title, the ways of asking, one answer, and where it comes from."""

    id: str
    title: str
    questions: List[str]
    answer: str
    source: str
    last_checked: date

    @validator("questions")
    def _questions_present(cls, value: List[str]) -> List[str]:  # noqa: N805
        cleaned = [q.strip() for q in value if q and q.strip()]
        if not cleaned:
            raise ValueError("至少需要一种问法")
        return cleaned

    @validator("id")
    def _id_is_plain(cls, value: str) -> str:  # noqa: N805
        if not value or not all(c.isascii() and (c.isalnum() or c == "_") for c in value):
            raise ValueError("id 只能由英文字母、数字和下划线组成")
        return value

    def cited_answer(self) -> str:
        """The answer with its source and the date staff last checked it."""
        return (
            f"{self.answer.strip()}\n（来源：{self.source}；工作人员核实于{self.last_checked:%Y年%m月%d日}）"
        )


def faq_card(entry: FaqEntry) -> Dict[str, Any]:
    """The structured card of an answer: which entry, its source and when it was checked."""
    return {
        "type": "faq",
        "id": entry.id,
        "title": entry.title,
        "source": entry.source,
        "last_checked": str(entry.last_checked),
    }


class FaqError(ValueError):
    """The FAQ files hold an error; the message names the file."""


def load_entries(folder: Path) -> List[FaqEntry]:
    """Read every ``*.yml`` in ``folder`` as one entry, sorted by id.

    Raises:
        FaqError: a file is not valid YAML, breaks the schema, its ``id`` differs from its file
            name, or two entries share an id.

    """
    entries: List[FaqEntry] = []
    for path in sorted(folder.glob("*.yml")):
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            entry = FaqEntry.parse_obj(raw)
        except (yaml.YAMLError, ValidationError, TypeError) as exc:
            raise FaqError(f"{path.name}: {exc}") from exc
        if entry.id != path.stem:
            raise FaqError(f"{path.name}: id “{entry.id}”应与文件名一致")
        entries.append(entry)
    return entries


def nlu_examples(entries: Sequence[FaqEntry]) -> str:
    """The ``faq`` intent's training examples as Rasa NLU YAML (questions and titles).

    One ``faq`` block per entry, its id in the block's metadata (``topic``), so the intent model
    can learn each topic as its own cluster (`bot.nlu.intent_classifier`). A question that two
    entries share is written once, under the first.
    """
    blocks: List[str] = []
    seen = set()
    for entry in entries:
        lines = []
        for question in [entry.title, *entry.questions]:
            if question not in seen:
                seen.add(question)
                lines.append(f"    - {question}")
        if lines:
            body = "\n".join(lines)
            metadata = f"  metadata:\n    {TOPIC_METADATA}: {entry.id}\n"
            blocks.append(f"- intent: faq\n{metadata}  examples: |\n{body}\n")
    return 'version: "3.1"\n\nnlu:\n' + "".join(blocks)
