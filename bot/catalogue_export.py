"""Write the guide edits staff made on the staff page back into ``data/services/<id>.yml``, for review in git.

Usage: ``python -m bot.catalogue_export [--database-url URL] [--folder DIR]`` (or ``make catalogue-export``).

Only the fields staff edited (and ``last_checked``) of the edited items are rewritten, each to its
value in the live catalogue (the file with the edits applied, as citizens see it); everything else
in a file, comments, order and layout included, stays as it was (ruamel.yaml round trip). The
edits stay in the database, where they now equal the file; ``DELETE /api/admin/services/{id}/edits``
removes them when the reviewed file is live.
"""

from __future__ import annotations

import argparse
import io
import sys
from datetime import date
from pathlib import Path
from typing import Any, List, Optional

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from sqlalchemy.engine import Engine

from bot.catalogue.edits import ServiceEditRepository, item_json
from bot.db import make_engine
from bot.settings import get_settings


def _plain(value: Any) -> Any:
    """A JSON value as the files write it: no ``null`` keys (a missing key is the default)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _styled(new: Any, old: Any) -> Any:
    """``new`` with the flow or block style of the node it replaces (``[a, b]`` stays on one line)."""
    if isinstance(new, list) and isinstance(old, CommentedSeq) and old.fa.flow_style():
        seq = CommentedSeq(new)
        seq.fa.set_flow_style()
        return seq
    if isinstance(new, dict) and isinstance(old, CommentedMap) and old.fa.flow_style():
        mapping = CommentedMap(new)
        mapping.fa.set_flow_style()
        return mapping
    return new


def yaml_round_trip() -> YAML:
    """A ruamel.yaml reader and writer that gives the item files back byte for byte when unchanged."""
    yaml = YAML()  # round trip: comments, key order, quotes and styles are kept
    yaml.preserve_quotes = True  # type: ignore[assignment]  # ruamel declares it None
    yaml.width = 4096  # type: ignore[assignment]
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def export_to_folder(engine: Engine, folder: Path) -> List[Path]:
    """Rewrite the edited fields of every edited item's file; return the files written.

    Raises:
        FileNotFoundError: an edited item has no ``<id>.yml`` in ``folder``.

    """
    repository = ServiceEditRepository(engine, folder)
    edits = repository.edits()
    live = repository.catalogue()
    yaml = yaml_round_trip()
    written = []
    for item_id, fields in sorted(edits.items()):
        item = next((i for i in live.items if i.id == item_id), None)
        if item is None:
            continue
        path = Path(folder) / f"{item_id}.yml"
        document = yaml.load(path.read_text(encoding="utf-8"))
        values = item_json(item)
        for field in [*fields, "last_checked"]:
            if field == "last_checked":
                document[field] = date.fromisoformat(str(values[field]))
            elif field in values:
                document[field] = _styled(_plain(values[field]), document.get(field))
        out = io.StringIO()
        yaml.dump(document, out)
        if out.getvalue() != path.read_text(encoding="utf-8"):
            path.write_text(out.getvalue(), encoding="utf-8")
            written.append(path)
    return written


def main(argv: Optional[List[str]] = None) -> int:
    """Export the guide edits and print the files written; return the process exit code."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m bot.catalogue_export", description=__doc__)
    parser.add_argument("--database-url", default=settings.database_url, help="default: DATABASE_URL")
    parser.add_argument(
        "--folder", type=Path, default=settings.data_dir / "services", help="default: data/services"
    )
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        written = export_to_folder(engine, args.folder)
    finally:
        engine.dispose()
    for path in written:
        print(f"written  {path}")
    print(f"{len(written)} written in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
