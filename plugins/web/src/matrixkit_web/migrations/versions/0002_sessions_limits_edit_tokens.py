"""Sessions in the database, rate-limit counters, API participants' edit tokens, names compared as people read
them.

* ``sessions`` and ``session_roles``: browser sessions, so that every worker and server can serve every request.
* ``rate_limits``: the counters of the abuse limits, shared by every worker and server.
* ``participants.edit_token_hash``: an API participant's answers can be replaced only with their edit token.
  Participants stored before this revision have none; the facilitator can remove them if needed.
* ``participants.participant_key`` becomes the hash of the name as compared by :mod:`matrixkit_web.names`
  (NFKC, case-folded, invisible characters removed, confusable skeleton). Rows whose names now compare equal
  keep separate keys (``#<row id>`` appended before hashing), so no stored answer is merged or lost.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "sessions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("expires_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_sessions"),
        sa.UniqueConstraint("token_hash", name="uq_sessions_token_hash"),
    )
    op.create_table(
        "session_roles",
        sa.Column("session_id", sa.Integer, nullable=False),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("participant_id", sa.Integer, nullable=True),
        sa.PrimaryKeyConstraint("session_id", "workshop_id", "role", name="pk_session_roles"),
        sa.CheckConstraint("role IN ('facilitator', 'participant')", name="ck_session_roles_role"),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name="fk_session_roles_session_id_sessions", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_session_roles_workshop_id_workshops", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_session_roles_participant_id_participants",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_session_roles_workshop", "session_roles", ["workshop_id"])
    op.create_index("ix_session_roles_participant", "session_roles", ["participant_id"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("expires_at", sa.Float, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_rate_limits"),
    )
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("edit_token_hash", sa.String(64), nullable=True))
    _rekey_participants()


def _rekey_participants() -> None:
    from matrixkit_web.names import comparable

    participants = sa.table(
        "participants",
        sa.column("id", sa.Integer),
        sa.column("workshop_id", sa.String),
        sa.column("participant", sa.String),
        sa.column("participant_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(
        sa.select(participants.c.id, participants.c.workshop_id, participants.c.participant).order_by(participants.c.id)
    ).all()
    # Two passes, so that no intermediate state collides on the unique (workshop_id, participant_key).
    for row in rows:
        conn.execute(participants.update().where(participants.c.id == row.id).values(participant_key=f"rekey-{row.id}"))
    seen: set[tuple[str, str]] = set()
    for row in rows:
        text = comparable(row.participant)
        if (row.workshop_id, text) in seen:
            text = f"{text}#{row.id}"
        seen.add((row.workshop_id, text))
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        conn.execute(participants.update().where(participants.c.id == row.id).values(participant_key=key))


def downgrade() -> None:
    participants = sa.table(
        "participants",
        sa.column("id", sa.Integer),
        sa.column("participant", sa.String),
        sa.column("participant_key", sa.String),
    )
    conn = op.get_bind()
    rows = conn.execute(sa.select(participants.c.id, participants.c.participant)).all()
    for row in rows:
        conn.execute(participants.update().where(participants.c.id == row.id).values(participant_key=f"rekey-{row.id}"))
    seen: set[str] = set()
    for row in rows:
        key = row.participant.strip().casefold()[:100]
        if key in seen:
            key = f"{key[:90]}#{row.id}"
        seen.add(key)
        conn.execute(participants.update().where(participants.c.id == row.id).values(participant_key=key))
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("edit_token_hash")
    op.drop_table("rate_limits")
    op.drop_index("ix_session_roles_participant", table_name="session_roles")
    op.drop_index("ix_session_roles_workshop", table_name="session_roles")
    op.drop_table("session_roles")
    op.drop_table("sessions")
