"""Write the FAQ entries of the database back to ``data/faq/<id>.yml``, for review in git.

Usage: ``python -m bot.faq_export [--database-url URL] [--folder DIR]`` (or ``make faq-export``).
Entries staff deleted lose their file; files of ids the database does not know are left alone.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, Optional

from bot.db import make_engine
from bot.faq_db import export_to_folder
from bot.settings import get_settings


def main(argv: Optional[List[str]] = None) -> int:
    """Export the entries and print what changed; return the process exit code."""
    settings = get_settings()
    parser = argparse.ArgumentParser(prog="python -m bot.faq_export", description=__doc__)
    parser.add_argument("--database-url", default=settings.database_url, help="default: DATABASE_URL")
    parser.add_argument("--folder", type=Path, default=settings.data_dir / "faq", help="default: data/faq")
    args = parser.parse_args(argv)
    engine = make_engine(args.database_url)
    try:
        written, removed = export_to_folder(engine, args.folder)
    finally:
        engine.dispose()
    for path in written:
        print(f"written  {path}")
    for path in removed:
        print(f"removed  {path}")
    print(f"{len(written)} written, {len(removed)} removed, in {args.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
