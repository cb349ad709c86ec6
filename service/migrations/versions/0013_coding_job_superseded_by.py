"""Coding jobs record the job that superseded them

* ``coding_jobs.superseded_by`` (nullable integer): the newer finished ("done") job of the same wave, codebook and
  model (for the default model: the same recorded default) whose finish deleted this job's results
  (``service.jobs._finish_job``). The job row stays as history; its results are gone, so it can no longer be
  reported (409 ``job_superseded``). NULL: not superseded, or pruned before this revision (none were). A downgrade
  drops the column; the jobs stay, the pruned results do not come back.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 00:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # plain ALTER TABLE … ADD COLUMN (nullable, no default, no foreign key) on SQLite and PostgreSQL: never a table
    # copy, so the AUTOINCREMENT table of 0010 stays as it is
    op.add_column('coding_jobs', sa.Column('superseded_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    # plain DROP COLUMN (PostgreSQL; SQLite 3.35+), not batch mode (a batch copy would drop AUTOINCREMENT, see 0010)
    op.drop_column('coding_jobs', 'superseded_by')
