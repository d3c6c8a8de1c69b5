"""The ledger's tables (SQLAlchemy Core): forecasts, append-only, the fits they were made with
(each stored once) and the observations that score them. The migrations in
``migrations/versions`` create and change them; a test checks that the migrated database and
these definitions agree."""

from __future__ import annotations

import sqlalchemy as sa

#: the newest schema revision this package writes (the Alembic head)
HEAD = "0001"

metadata = sa.MetaData()

#: the fits forecasts were made with, each kept once (its id: the SHA-256 of its JSON)
fits = sa.Table(
    "fits", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("document", sa.Text, nullable=False),
)

forecasts = sa.Table(
    "forecasts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("uid", sa.String(32), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("version", sa.String(40), nullable=False),
    sa.Column("law", sa.String(200), nullable=False),
    sa.Column("formula", sa.Text, nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("run", sa.String(500), nullable=True, index=True),
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
    sa.Column("supersedes", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=True,
              index=True),
)

observations = sa.Table(
    "observations", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("forecast_id", sa.Integer, sa.ForeignKey("forecasts.id"), nullable=True,
              index=True),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user", sa.String(200), nullable=False),
    sa.Column("target", sa.String(200), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("run", sa.String(500), nullable=True),
    sa.Column("inputs", sa.Text, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
)
