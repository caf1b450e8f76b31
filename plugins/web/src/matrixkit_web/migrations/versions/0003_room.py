"""The live workshop room: revealing the spread, a second look, paper sheets, light live updates.

* ``workshops.revealed`` and ``workshops.second_look``: the domains whose spread the facilitator shows the room,
  and those open for a second look; ``workshops.show_names``: names on the presenter view (off by default).
* ``answers.first_level`` and ``answers.looked_again_at``: after a second look, the level chosen at the first
  look (``level`` is the answer that counts now) and when the participant looked again. Both stay null for
  answers given before this revision.
* ``participants.source``: ``browser``, ``api`` or ``paper`` (a sheet the facilitator typed in or uploaded).
  Existing rows are ``browser`` when they have a return-link token, else ``api``.
* ``participants.changes``: a counter every write to the participant increments; the live views' ETags are
  made from it.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    # Plain ALTER TABLE … ADD COLUMN, never batch mode: rebuilding a table on SQLite drops the old one, and that
    # deletes, through the foreign keys' ON DELETE CASCADE, every row that refers to it (answers, sign-ins).
    op.add_column("workshops", sa.Column("revealed", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
    op.add_column("workshops", sa.Column("second_look", sa.JSON, nullable=False, server_default=sa.text("'[]'")))
    op.add_column("workshops", sa.Column("show_names", sa.Boolean, nullable=False, server_default=sa.false()))
    op.add_column("participants", sa.Column("source", sa.String(10), nullable=False, server_default="browser"))
    op.add_column("participants", sa.Column("changes", sa.Integer, nullable=False, server_default="0"))
    participants = sa.table("participants", sa.column("token_hash", sa.String), sa.column("source", sa.String))
    op.get_bind().execute(participants.update().where(participants.c.token_hash.is_(None)).values(source="api"))
    op.add_column("answers", sa.Column("first_level", sa.String(100), nullable=True))
    op.add_column("answers", sa.Column("looked_again_at", Timestamp, nullable=True))


def downgrade() -> None:
    # Plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35 has it), never batch mode (see upgrade).
    for table, columns in (
        ("answers", ("looked_again_at", "first_level")),
        ("participants", ("changes", "source")),
        ("workshops", ("show_names", "second_look", "revealed")),
    ):
        for column in columns:
            op.drop_column(table, column)
