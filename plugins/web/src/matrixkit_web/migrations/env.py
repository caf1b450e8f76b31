"""Alembic environment: runs migrations on the connection that :meth:`Database.migrate` passes in (under the
migration lock). ``matrixkit web-admin migrate --db URL`` runs them without starting the server.
"""

from __future__ import annotations

from alembic import context

from matrixkit_web.db import metadata

config = context.config


def run_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    connection = config.attributes["connection"]
    # render_as_batch: SQLite cannot ALTER most things; batch mode rebuilds the table instead.
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
