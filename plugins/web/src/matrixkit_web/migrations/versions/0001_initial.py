"""The first schema: settings, workshops, participants, answers, decisions, actions.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mk_settings",
        sa.Column("key", sa.String(64), nullable=False),
        sa.Column("value", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_mk_settings"),
    )
    op.create_table(
        "workshops",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("instrument", sa.String(100), nullable=False),
        sa.Column("instrument_version", sa.String(100), nullable=False),
        sa.Column("instrument_fingerprint", sa.String(64), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("date", sa.String(10), nullable=True),
        sa.Column("place", sa.String(200), nullable=True),
        sa.Column("sectors", sa.JSON, nullable=False),
        sa.Column("tables", sa.JSON, nullable=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("join_code", sa.String(16), nullable=False),
        sa.Column("facilitator_token_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("previous_id", sa.String(32), nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("closed_at", Timestamp, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_workshops"),
        sa.UniqueConstraint("join_code", name="uq_workshops_join_code"),
        sa.UniqueConstraint("facilitator_token_hash", name="uq_workshops_facilitator_token_hash"),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_workshops_status"),
        sa.ForeignKeyConstraint(
            ["previous_id"], ["workshops.id"], name="fk_workshops_previous_id_workshops", ondelete="SET NULL"
        ),
    )
    op.create_table(
        "participants",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("participant", sa.String(100), nullable=False),
        sa.Column("participant_key", sa.String(100), nullable=False),
        sa.Column("name", sa.String(100), nullable=True),
        sa.Column("token_hash", sa.String(64), nullable=True),
        sa.Column("attributes", sa.JSON, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("submitted_at", Timestamp, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_participants"),
        sa.UniqueConstraint("workshop_id", "participant_key", name="uq_participants_workshop_key"),
        sa.UniqueConstraint("token_hash", name="uq_participants_token_hash"),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_participants_workshop_id_workshops", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "answers",
        sa.Column("participant_id", sa.Integer, nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("level", sa.String(100), nullable=True),
        sa.Column("comment", sa.Text, nullable=True),
        sa.PrimaryKeyConstraint("participant_id", "domain", name="pk_answers"),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name="fk_answers_participant_id_participants",
            ondelete="CASCADE",
        ),
    )
    op.create_table(
        "decisions",
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("agreed_level", sa.String(100), nullable=True),
        sa.Column("target_level", sa.String(100), nullable=True),
        sa.Column("priority", sa.Integer, nullable=True),
        sa.Column("priorities", sa.Text, nullable=True),
        sa.Column("notes", sa.Text, nullable=True),
        sa.Column("updated_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("workshop_id", "domain", name="pk_decisions"),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_decisions_workshop_id_workshops", ondelete="CASCADE"
        ),
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.Integer, autoincrement=True, nullable=False),
        sa.Column("workshop_id", sa.String(32), nullable=False),
        sa.Column("domain", sa.String(100), nullable=False),
        sa.Column("what", sa.Text, nullable=False),
        sa.Column("who", sa.String(200), nullable=True),
        sa.Column("by_when", sa.String(100), nullable=True),
        sa.Column("measure", sa.Text, nullable=True),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_actions"),
        sa.ForeignKeyConstraint(
            ["workshop_id"], ["workshops.id"], name="fk_actions_workshop_id_workshops", ondelete="CASCADE"
        ),
    )
    op.create_index("ix_actions_workshop", "actions", ["workshop_id", "domain"])


def downgrade() -> None:
    op.drop_index("ix_actions_workshop", table_name="actions")
    for table in ("actions", "decisions", "answers", "participants", "workshops", "mk_settings"):
        op.drop_table(table)
