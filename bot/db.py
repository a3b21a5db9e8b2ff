"""SQL engines from a URL, and the schema migrations (Alembic) that create and upgrade the tables.

SQLite runs in WAL mode with a busy timeout; the driver's own transaction handling is turned off so
that SQLAlchemy emits ``BEGIN`` itself, and a write transaction can ask for ``BEGIN IMMEDIATE``
(take the write lock first, then read) through :func:`write_engine`. PostgreSQL gets ``pool_pre_ping``.
"""

from __future__ import annotations

import atexit
import logging
import weakref
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator, Optional

from sqlalchemy import MetaData, event
from sqlalchemy.engine import Connection, Engine, create_engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import QueuePool

from bot.settings import PROJECT_ROOT, get_settings

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_BEGIN_OPTION = "sqlite_begin"
MIGRATION_LOCK_ID = 7_210_614  # PostgreSQL advisory lock taken while migrating

# Every table of the project is declared on this metadata, so constraint names are predictable and
# ``alembic revision --autogenerate`` sees all of them (migrations/env.py imports the table modules).
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _install_sqlite_hooks(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event emits BEGIN below
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")


_open_sqlite_engines: weakref.WeakSet[Engine] = weakref.WeakSet()


@atexit.register
def _close_sqlite_engines() -> None:
    """Close pooled SQLite connections at a clean exit.

    Python does not promise to close them itself; the last connection to close folds the WAL
    back into the database file, so a stopped stack leaves one file, not a write-ahead log.
    """
    for engine in list(_open_sqlite_engines):
        engine.dispose()


def make_engine(url: str, *, busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS, **kwargs: Any) -> Engine:
    """Create an engine for ``url`` with the settings this project relies on.

    Args:
        url: an SQLAlchemy URL, e.g. ``sqlite:////path/app.db`` or ``postgresql://user@host/db``.
        busy_timeout_ms: SQLite only: how long a statement waits for a lock before failing.
        **kwargs: passed on to :func:`sqlalchemy.create_engine`.

    """
    if _is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
            # SQLAlchemy 1.4 opens a new file connection per checkout by default; pooling saves ~2 ms each.
            kwargs.setdefault("poolclass", QueuePool)
            kwargs.setdefault("pool_size", 5)
            kwargs.setdefault("max_overflow", 20)
        connect_args = {"check_same_thread": False, "timeout": busy_timeout_ms / 1000}
        connect_args.update(kwargs.pop("connect_args", {}))
        engine = create_engine(url, future=True, connect_args=connect_args, **kwargs)
        _install_sqlite_hooks(engine, busy_timeout_ms)
        _open_sqlite_engines.add(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


def write_engine(engine: Engine) -> Engine:
    """Return a view of ``engine`` whose transactions take SQLite's write lock at ``BEGIN``.

    For other databases the view behaves exactly like ``engine``.
    """
    return engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})


@contextmanager
def locked_write(engine: Engine, lock_id: int) -> Iterator[Connection]:
    """Open a write transaction that holds one kind of write lock until it ends.

    SQLite: ``BEGIN IMMEDIATE`` (the database's single write lock, taken before reading);
    PostgreSQL: the transaction-scoped advisory lock ``lock_id``, so writes of one kind (all FAQ
    edits, all guide edits) run one at a time and each reads what the previous one wrote.
    """
    with write_engine(engine).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({int(lock_id)})")
        yield connection


def alembic_config(url: Optional[str] = None) -> Any:
    """Return the Alembic configuration of this project (``alembic.ini`` at the project root)."""
    from alembic.config import Config

    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    if url is not None:
        config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def run_migrations(url: Optional[str] = None, engine: Optional[Engine] = None) -> None:
    """Upgrade the database at ``url`` (default: settings) to the newest schema.

    Safe to call from several processes starting at once: SQLite's write lock or a PostgreSQL
    advisory lock lets one of them migrate while the others wait and then find nothing to do.
    """
    from alembic import command

    url = url or (engine.url.render_as_string(hide_password=False) if engine else get_settings().database_url)
    own_engine = engine is None
    engine = engine or make_engine(url)
    try:
        with write_engine(engine).begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_ID})")
            config = alembic_config(url)
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    finally:
        if own_engine:
            engine.dispose()


@lru_cache(maxsize=1)
def get_engine() -> Engine:
    """Return the process-wide engine for ``DATABASE_URL`` (created on first use)."""
    return make_engine(get_settings().database_url)


def configured_engine() -> Optional[Engine]:
    """Return the process-wide engine when a database is configured and exists, else ``None``.

    A SQLite file that does not exist yet means no database (unit tests, a fresh checkout before the
    api first started); staff content (FAQ entries, guide edits) then comes from the files alone.
    """
    url = get_settings().database_url
    try:
        parsed = make_url(url)
    except Exception:  # noqa: BLE001 - a malformed URL: no database
        return None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if not database or database == ":memory:" or not Path(database).exists():
            return None
    try:
        return get_engine()
    except SQLAlchemyError:
        logger.exception("cannot open the database")
        return None
