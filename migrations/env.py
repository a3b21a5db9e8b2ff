"""Alembic environment: the URL comes from DATABASE_URL (settings), or from the caller's connection."""

from __future__ import annotations

from logging.config import fileConfig

from alembic import context

import bot.appointments.store  # noqa: F401  (declares its tables on bot.db.metadata)
import bot.audit  # noqa: F401  (declares audit_log)
import bot.catalogue.edits  # noqa: F401  (declares service_edits)
import bot.faq_db  # noqa: F401  (declares faq_entries)
import bot.ratings  # noqa: F401  (declares ratings)
import bot.staff  # noqa: F401  (declares staff_users on bot.db.metadata)
import bot.tickets  # noqa: F401  (declares tickets)
import bot.unanswered  # noqa: F401  (declares unanswered_questions)
from bot.db import make_engine, metadata
from bot.settings import get_settings

config = context.config
target_metadata = metadata


def _database_url() -> str:
    return config.get_main_option("sqlalchemy.url") or get_settings().database_url


def _configure(**kwargs: object) -> None:
    context.configure(
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode rebuilds the table
        compare_type=True,
        **kwargs,
    )


def run_offline() -> None:
    """Emit the SQL to stdout instead of running it (``alembic upgrade head --sql``)."""
    _configure(url=_database_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    """Run the migrations on the caller's connection, or on a new engine for DATABASE_URL."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection=connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    engine = make_engine(_database_url())
    try:
        with engine.connect() as connection:
            _configure(connection=connection)
            with context.begin_transaction():
                context.run_migrations()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
