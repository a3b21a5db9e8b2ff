"""The live catalogue: the item files with the staff edits from SQL, refreshed while the process runs.

Every process that answers citizens reads the catalogue through `live_catalogue` (the action
server and the api through `bot.catalogue.get_catalogue`, Rasa's NLU components through
`bot.nlu.service_linker.ServiceIndex.for_folder`). At most every `RELOAD_CHECK_SECONDS` it compares
a cheap version of its sources, the item files' names, sizes and modification times and the edit
table's row count and version sum (`bot.catalogue.edits.ServiceEditRepository.revision`), with the
one it was built from, and rebuilds only when they differ. So an edit staff publish is answered
within seconds, without a restart and without a dropped conversation; a turn never pays for a full
reload.

Without a database (unit tests, a fresh checkout before the api first started) the files alone
make the catalogue. A broken file or an unreachable database keeps the last good catalogue and logs
why, instead of taking the guides away.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Callable, Dict, Optional, Tuple

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot import heap
from bot.catalogue.collection import Catalogue
from bot.catalogue.edits import ServiceEditRepository, apply_edits
from bot.catalogue.loader import CatalogueError, FilesStamp, files_stamp, load_catalogue_files

logger = logging.getLogger(__name__)

RELOAD_CHECK_SECONDS = 5.0
"""How often, at most, a process looks for changed guides (files or staff edits)."""

Stamp = Tuple[FilesStamp, Optional[Tuple[int, int]]]


def _configured_engine() -> Optional[Engine]:
    """The configured database, looked up at each call (so that tests can replace it)."""
    from bot import db

    return db.configured_engine()


class LiveCatalogue:
    """The catalogue of one folder of item files with the staff edits of one database applied.

    Args:
        folder: the folder of the item files (``<data_dir>/services``).
        engine: the database of the edits; ``None`` with ``engine_factory`` to look for it later.
        engine_factory: returns the database once it exists (tried at every check until then).
        background: rebuild in a thread of its own while the previous catalogue keeps answering
            (the first build always happens in the caller's thread).

    """

    def __init__(
        self,
        folder: Path,
        engine: Optional[Engine] = None,
        engine_factory: Optional[Callable[[], Optional[Engine]]] = None,
        background: bool = False,
    ) -> None:
        self.folder = Path(folder)
        self.engine = engine
        self.background = background
        self._engine_factory = engine_factory
        self._lock = threading.Lock()
        self._catalogue: Optional[Catalogue] = None
        self._stamp: Optional[Stamp] = None
        self._checked = 0.0
        self._building = False
        self._last_problem = ""

    def current(self) -> Catalogue:
        """Return the catalogue as it is now (at most `RELOAD_CHECK_SECONDS` old).

        Raises:
            CatalogueError: the item files are broken and no earlier catalogue was built.

        """
        with self._lock:
            now = time.monotonic()
            fresh = self._checked and now - self._checked < RELOAD_CHECK_SECONDS
            if self._catalogue is not None and (fresh or self._building):
                return self._catalogue
            self._checked = now
        stamp = self._current_stamp()
        with self._lock:
            if self._catalogue is not None and (stamp == self._stamp or self._building):
                return self._catalogue
            first = self._catalogue is None
            self._building = True
        if self.background and not first:
            threading.Thread(
                target=self._rebuild, args=(stamp,), name="catalogue-reload", daemon=True
            ).start()
        else:
            self._rebuild(stamp, raise_errors=first)
        with self._lock:
            assert self._catalogue is not None
            return self._catalogue

    def refresh_soon(self) -> None:
        """Look for changes at the next `current` call instead of waiting for the check interval."""
        with self._lock:
            self._checked = 0.0

    @property
    def stamp(self) -> Optional[Stamp]:
        """The version of the sources the current catalogue was built from."""
        return self._stamp

    # helpers

    def _repository(self) -> Optional[ServiceEditRepository]:
        if self.engine is None and self._engine_factory is not None:
            self.engine = self._engine_factory()
        return ServiceEditRepository(self.engine, self.folder) if self.engine is not None else None

    def _current_stamp(self) -> Stamp:
        files = files_stamp(self.folder)
        repository = self._repository()
        if repository is None:
            return files, None
        try:
            revision = repository.revision()
        except SQLAlchemyError as exc:
            self._note(f"guide edits unreadable, answering from the files in {self.folder}: {exc}")
            return files, None
        return files, revision

    def _note(self, problem: str) -> None:
        """Log a problem once (it is seen again at every check until it goes away)."""
        if problem != self._last_problem:
            logger.warning("%s", problem)
            self._last_problem = problem

    def _rebuild(self, stamp: Stamp, raise_errors: bool = False) -> None:
        """Build the catalogue of ``stamp`` and swap it in; keep the previous one on any failure."""
        try:
            files = load_catalogue_files(self.folder, stamp[0])
            repository = self._repository() if stamp[1] is not None else None
            catalogue = apply_edits(files, repository.edits()) if repository is not None else files
            if self.background and not raise_errors:
                catalogue.prepare()  # build the search index here, not in a citizen's turn
        except CatalogueError as exc:
            with self._lock:
                self._building = False
            if raise_errors:
                raise
            self._note(f"the guide files in {self.folder} are broken; keeping the previous catalogue: {exc}")
            return
        except Exception as exc:  # noqa: BLE001 - keep the last good catalogue on any failure
            with self._lock:
                self._building = False
            if raise_errors and isinstance(exc, SQLAlchemyError):
                # the database failed on the first build: start from the files, look again later
                self._note(f"guide edits unreadable, answering from the files in {self.folder}: {exc}")
                files = load_catalogue_files(self.folder, stamp[0])
                with self._lock:
                    self._catalogue, self._stamp = files, (stamp[0], None)
                return
            if raise_errors:
                raise
            logger.exception("reloading the catalogue failed; keeping the previous one")
            return
        with self._lock:
            changed = self._catalogue is not None and catalogue is not self._catalogue
            self._catalogue, self._stamp, self._building = catalogue, stamp, False
        self._last_problem = ""
        if changed:
            logger.info("catalogue reloaded: %d items, edits version %s", len(catalogue), stamp[1])
            heap.collect_replaced()


_registry: Dict[Path, LiveCatalogue] = {}
_registry_lock = threading.Lock()


def live_catalogue(folder: Path | str) -> LiveCatalogue:
    """Return this process's live catalogue of ``folder``, created on first use.

    Its database is the configured one (``DATABASE_URL``, `bot.db.configured_engine`), looked for
    until it exists; rebuilds after the first happen in the background.
    """
    key = Path(folder).resolve()
    with _registry_lock:
        live = _registry.get(key)
        if live is None:
            live = _registry[key] = LiveCatalogue(key, engine_factory=_configured_engine, background=True)
        return live


def forget_live_catalogues() -> None:
    """Drop every live catalogue of this process (the next use reads the sources again)."""
    with _registry_lock:
        _registry.clear()
