"""coding jobs record which default model they used

* ``coding_jobs.default_model_identity`` (nullable): for a job coded by the server's default model (no
  ``model_id``), the identity of that default model (:func:`service.library.default_model_identity`: a SHA-256
  over the model's files, which changes when the model is rebuilt or the server's default points elsewhere).
  A wave summary compared with an earlier wave refuses two default-model jobs with different identities (409
  ``model_mismatch``). Existing jobs get NULL: which default they used is not known, and they are compared as
  before (every default-model job as the same model).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # a plain ALTER TABLE … ADD COLUMN (nullable, no default) on SQLite and PostgreSQL: never a table copy
    op.add_column('coding_jobs', sa.Column('default_model_identity', sa.String(length=100), nullable=True))


def downgrade() -> None:
    # a plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode: a batch copy of coding_jobs would drop the old
    # table while foreign keys are enforced and cascade-delete every coding result on SQLite (see 0003)
    op.drop_column('coding_jobs', 'default_model_identity')
