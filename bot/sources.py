"""The project's own Python modules a piece of code depends on, read from its ``import`` statements.

What a trained model depends on is its training data and the code that reads the data into
features; `bot.training`'s fingerprint (whether ``make train`` trains at all), Rasa's cache key of
each custom component (whether ``rasa train`` retrains it, `code_fingerprint`) and ``make eval``'s
cache of a candidate's figures must change with that code, or a model trained with the old code is
kept.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path
from typing import Iterable, List, Optional, Set

from bot.settings import PROJECT_ROOT


def _module_path(name: str) -> Optional[Path]:
    """The file of the project module ``name`` ("bot.guide" → bot/guide.py), if it is one."""
    base = PROJECT_ROOT.joinpath(*name.split("."))
    for path in (base.with_suffix(".py"), base / "__init__.py"):
        if path.is_file():
            return path
    return None


def imported_modules(sources: Iterable[Path]) -> Set[Path]:
    """The files of the project modules ``sources`` import, directly or through each other.

    Read from their absolute ``import`` statements (any depth of the code, as a function may import
    late; the project writes no relative ones); a package's ``__init__.py`` counts with each of its
    modules imported. Data files a module reads are not followed: the training data and generated
    files are inputs of their own.
    """
    seen: Set[Path] = set()
    pending = list(sources)
    while pending:
        source = pending.pop()
        try:
            tree = ast.parse(source.read_bytes())  # bytes: a byte-order mark or coding line is honoured
        except SyntaxError:
            continue  # hashed as it is; Python itself reports it where it is imported
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
            else:
                continue
            for name in names:
                parts = name.split(".")
                for depth in range(1, len(parts) + 1):  # bot/__init__.py, bot/catalogue/__init__.py, …
                    path = _module_path(".".join(parts[:depth]))
                    if path is not None and path not in seen:
                        seen.add(path)
                        pending.append(path)
    return seen


def files_and_imports(paths: Iterable[str]) -> List[Path]:
    """The files under ``paths`` and the project modules their Python imports, sorted.

    ``paths`` are project-relative files or folders; ``__pycache__`` is skipped; the imports are
    followed as `imported_modules` does.
    """
    found: List[Path] = []
    for relative in paths:
        path = PROJECT_ROOT / relative
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(set(found) | imported_modules(p for p in found if p.suffix == ".py"))


def code_fingerprint(source: Path) -> str:
    """A hash of ``source`` and of every project module it imports (`imported_modules`), hex.

    Rasa keys its cache of a trained component on the source of the component's class only
    (``inspect.getsource``); the components return this from ``fingerprint_addon`` so that a change
    to the module-level code they train with (`bot.nlu.intent_classifier.IntentModel`, `bot.guide`)
    retrains them.
    """
    source = source.resolve()  # a project reached through a symlink: paths relative to PROJECT_ROOT
    return files_digest({source, *imported_modules([source])})


def files_digest(paths: Iterable[Path]) -> str:
    """A SHA-256 (hex) of the project-relative names and the contents of ``paths``, in name order."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(PROJECT_ROOT)).encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
