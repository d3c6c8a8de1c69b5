"""The first schema: fits, forecasts (append-only) and observations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "fits",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("document", sa.Text, nullable=False),
    )
    op.create_table(
        "forecasts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("uid", sa.String(32), nullable=False, unique=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("version", sa.String(40), nullable=False),
        sa.Column("law", sa.String(200), nullable=False),
        sa.Column("formula", sa.Text, nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("inputs", sa.Text, nullable=False),
        sa.Column("run", sa.String(500), nullable=True),
        sa.Column("point", sa.Float, nullable=False),
        sa.Column("lower", sa.Float, nullable=True),
        sa.Column("upper", sa.Float, nullable=True),
        sa.Column("level", sa.Float, nullable=True),
        sa.Column("kind", sa.String(40), nullable=True),
        sa.Column("method", sa.String(40), nullable=True),
        sa.Column("extrapolation", sa.Float, nullable=False),
        sa.Column("fit_id", sa.String(64), sa.ForeignKey("fits.id"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("dataset", sa.String(500), nullable=True),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("supersedes", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=True),
    )
    op.create_index("ix_forecasts_run", "forecasts", ["run"])
    op.create_index("ix_forecasts_supersedes", "forecasts", ["supersedes"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("forecast_id", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user", sa.String(200), nullable=False),
        sa.Column("target", sa.String(200), nullable=False),
        sa.Column("value", sa.Float, nullable=False),
        sa.Column("run", sa.String(500), nullable=True),
        sa.Column("inputs", sa.Text, nullable=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    op.create_index("ix_observations_forecast_id", "observations", ["forecast_id"])


def downgrade() -> None:
    op.drop_table("observations")
    op.drop_table("forecasts")
    op.drop_table("fits")
